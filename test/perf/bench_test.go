/*
Copyright 2026 The gangsched Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package perf

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/util/feature"
	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/features"
	"k8s.io/utils/ptr"

	"github.com/gangsched/gangsched/internal/controlplane"
)

var (
	flagShapes        = flag.String("perf.shapes", "smoke", "comma-separated shapes, or the sets smoke and full")
	flagCases         = flag.String("perf.cases", "", "comma-separated cases to run (default: every case of each shape)")
	flagRuns          = flag.Int("perf.runs", 3, "measured runs of each case per shape (interleaved)")
	flagWarmup        = flag.Bool("perf.warmup", true, "one discarded run of the shape's first case before its measured runs")
	flagCap           = flag.Duration("perf.cap", 3*time.Minute, "per-run cap: a run not done by then is reported as stuck")
	flagHeap          = flag.String("perf.heap", "smoke,gangs-100,single-5000", "shapes on which to measure heap per held pod under case C (none: off)")
	flagOut           = flag.String("perf.out", "", "results directory (default <repo>/_output/bench/<time>)")
	flagFailOnStuck   = flag.Bool("perf.fail-on-stuck", false, "fail the benchmark if any run is stuck")
	flagInterleave    = flag.Bool("perf.contention-interleave", false, "contention: create the gangs' members interleaved instead of gang by gang")
	flagRetryStuck    = flag.Bool("perf.retry-stuck", false, "run a case again on a shape after one of its runs was stuck (default: later runs of that case are skipped, to bound the time spent on a case that cannot finish)")
	flagPermitTimeout = flag.Int("perf.permit-timeout", 300, "WorkloadGang permitTimeoutSeconds for case C and D (the shipped manifests' value)")
)

// benchCase is one scheduler configuration and pod grouping.
type benchCase struct {
	Name   string
	Desc   string
	Config string // file in testdata/
	// Gates sets the scheduler feature gates GenericWorkload and GangScheduling.
	Gates bool
	Kind  podKind
	// PermitTimeout overrides -perf.permit-timeout if > 0.
	PermitTimeout int
	// NoNomination turns the scheduler feature gate
	// NominatedNodeNameForExpectation (beta, on by default in 1.35) off. With
	// it on, the scheduler writes each pod's nominatedNodeName before the pod
	// waits at Permit: one API call per waiting gang member.
	NoNomination bool
}

var cases = map[string]benchCase{
	"A":     {Name: "A", Desc: "plain pods, upstream plugins, scheduler gates off", Config: "plain.yaml", Kind: plainPods},
	"B":     {Name: "B", Desc: "gangs, in-tree GangScheduling (gates GenericWorkload,GangScheduling on)", Config: "intree.yaml", Gates: true, Kind: gangPods},
	"C":     {Name: "C", Desc: "gangs, WorkloadGang (gates off, in-tree disabled)", Config: "workloadgang.yaml", Kind: gangPods},
	"D":     {Name: "D", Desc: "basic groups, WorkloadGang", Config: "workloadgang.yaml", Kind: basicPods},
	"C-t10": {Name: "C-t10", Desc: "gangs, WorkloadGang with permitTimeoutSeconds 10", Config: "workloadgang.yaml", Kind: gangPods, PermitTimeout: 10},
	"C-nn":  {Name: "C-nn", Desc: "gangs, WorkloadGang, scheduler gate NominatedNodeNameForExpectation off", Config: "workloadgang.yaml", Kind: gangPods, NoNomination: true},
	"B-nn":  {Name: "B-nn", Desc: "gangs, in-tree GangScheduling, scheduler gate NominatedNodeNameForExpectation off", Config: "intree.yaml", Gates: true, Kind: gangPods, NoNomination: true},
}

// shape is a cluster and a workload.
type shape struct {
	Name     string
	Nodes    int
	NodeCPU  string
	Gangs    int
	GangSize int
	PodCPU   string
	// Contention: the cluster fits one gang at a time; each gang's pods are
	// deleted as soon as it is fully bound, so that the next one can fit.
	Contention bool
	Cases      []string
	// Cap, if set, replaces -perf.cap when it is shorter.
	Cap time.Duration
}

func (s shape) capFor() time.Duration {
	if s.Cap > 0 && s.Cap < *flagCap {
		return s.Cap
	}
	return *flagCap
}

func (s shape) pods() int { return s.Gangs * s.GangSize }

var allShapes = []shape{
	{Name: "smoke", Nodes: 20, NodeCPU: "32", Gangs: 20, GangSize: 10, PodCPU: "10m", Cases: []string{"A", "B", "C", "D"}},
	{Name: "gangs-10", Nodes: 500, NodeCPU: "32", Gangs: 300, GangSize: 10, PodCPU: "10m", Cases: []string{"A", "B", "C", "D"}},
	{Name: "gangs-100", Nodes: 500, NodeCPU: "32", Gangs: 30, GangSize: 100, PodCPU: "10m", Cases: []string{"A", "B", "C", "D"}},
	{Name: "gangs-1000", Nodes: 500, NodeCPU: "32", Gangs: 3, GangSize: 1000, PodCPU: "10m", Cases: []string{"A", "B", "C", "D"}},
	{Name: "single-1000", Nodes: 1000, NodeCPU: "32", Gangs: 1, GangSize: 1000, PodCPU: "10m", Cases: []string{"A", "B", "C", "D"}},
	{Name: "single-2000", Nodes: 1000, NodeCPU: "32", Gangs: 1, GangSize: 2000, PodCPU: "10m", Cases: []string{"A", "B", "C", "D"}},
	{Name: "single-5000", Nodes: 1000, NodeCPU: "32", Gangs: 1, GangSize: 5000, PodCPU: "10m", Cases: []string{"A", "B", "C", "D"}},
	{Name: "contention", Nodes: 50, NodeCPU: "1", Gangs: 4, GangSize: 50, PodCPU: "1", Contention: true, Cases: []string{"C", "C-t10", "B"}, Cap: 45 * time.Second},
}

var shapeSets = map[string][]string{
	"smoke": {"smoke"},
	"full":  {"gangs-10", "gangs-100", "gangs-1000", "single-1000", "single-2000", "single-5000", "contention"},
}

func selectShapes(spec string) ([]shape, error) {
	var names []string
	for _, s := range strings.Split(spec, ",") {
		s = strings.TrimSpace(s)
		if set, ok := shapeSets[s]; ok {
			names = append(names, set...)
		} else if s != "" {
			names = append(names, s)
		}
	}
	var out []shape
	for _, n := range names {
		found := false
		for _, s := range allShapes {
			if s.Name == n {
				out = append(out, s)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown shape %q", n)
		}
	}
	if *flagCases != "" {
		want := map[string]bool{}
		for _, c := range strings.Split(*flagCases, ",") {
			want[strings.TrimSpace(c)] = true
		}
		for i := range out {
			// Contention shapes keep their own cases (plain pods and basic
			// groups never complete a gang there); the others run exactly
			// the cases asked for, so extra cases (C-nn, B-nn) can be added.
			var keep []string
			if out[i].Contention {
				for _, c := range out[i].Cases {
					if want[c] {
						keep = append(keep, c)
					}
				}
			} else {
				for _, c := range strings.Split(*flagCases, ",") {
					if _, ok := cases[strings.TrimSpace(c)]; ok {
						keep = append(keep, strings.TrimSpace(c))
					}
				}
			}
			out[i].Cases = keep
		}
	}
	return out, nil
}

// runResult is one run of one case on one shape.
type runResult struct {
	Shape    string `json:"shape"`
	Case     string `json:"case"`
	Run      int    `json:"run"`
	Warmup   bool   `json:"warmup,omitempty"`
	Nodes    int    `json:"nodes"`
	Pods     int    `json:"pods"`
	GangSize int    `json:"gangSize"`
	Bound    int    `json:"bound"`
	Stuck    bool   `json:"stuck"`
	// Seconds from the first pod create call.
	CreateSeconds    float64 `json:"createSeconds"`
	FirstBindSeconds float64 `json:"firstBindSeconds"`
	LastBindSeconds  float64 `json:"lastBindSeconds"`
	// TailSeconds is LastBindSeconds - CreateSeconds: how long binding went
	// on after the last pod was created. For plain pods it is the
	// scheduler's lag behind creation; a gang's members cannot be scheduled
	// before the gang's last member exists (PreEnqueue), so for gangs it also
	// holds the time to schedule the last gang.
	TailSeconds float64 `json:"tailSeconds"`
	// EffectiveRate is pods / LastBindSeconds (NaN when stuck).
	EffectiveRate float64   `json:"effectiveRate"`
	Throughput    summary   `json:"throughput"`
	Samples       []float64 `json:"throughputSamples"`
	Attempts      uint64    `json:"attempts"`
	AttemptP50ms  float64   `json:"attemptP50ms"`
	AttemptP90ms  float64   `json:"attemptP90ms"`
	AttemptP99ms  float64   `json:"attemptP99ms"`
	// Contention only: when the first and the last gang were fully bound.
	GangsDone        int     `json:"gangsDone,omitempty"`
	FirstGangSeconds float64 `json:"firstGangSeconds,omitempty"`
	AllGangsSeconds  float64 `json:"allGangsSeconds,omitempty"`
}

// heapResult is the heap cost of held pods under case C.
type heapResult struct {
	Shape string `json:"shape"`
	Pods  int    `json:"pods"`
	// HeldBytesPerPod: HeapAlloc with the pods created and held at
	// PreEnqueue (gang minCount = gang size + 1) minus before, per pod.
	HeldBytesPerPod float64 `json:"heldBytesPerPod"`
	// IgnoredBytesPerPod: the same for pods of another schedulerName, which
	// only the informers (the scheduler's and the benchmark's) keep.
	IgnoredBytesPerPod float64 `json:"ignoredBytesPerPod"`
}

type report struct {
	Started   time.Time    `json:"started"`
	GoVersion string       `json:"goVersion"`
	NumCPU    int          `json:"numCPU"`
	Shapes    []shape      `json:"shapes"`
	Runs      []runResult  `json:"runs"`
	Heap      []heapResult `json:"heap"`
}

// bench holds what every run shares.
type bench struct {
	b   *testing.B
	ctx context.Context
	cp  *controlplane.ControlPlane
	cs  clientset.Interface
	seq int
}

func numFmt(f float64, prec int) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "–"
	}
	return fmt.Sprintf("%.*f", prec, f)
}

func BenchmarkGangScheduling(b *testing.B) {
	shapes, err := selectShapes(*flagShapes)
	if err != nil {
		b.Fatal(err)
	}
	cp := controlplane.StartForTest(b, controlplane.Options{})
	cfg := rest.CopyConfig(cp.Config)
	cfg.QPS, cfg.Burst = clientQPS, clientQPS
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	cs, err := clientset.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	origGates := map[string]bool{
		string(features.GenericWorkload):                 feature.DefaultFeatureGate.Enabled(features.GenericWorkload),
		string(features.GangScheduling):                  feature.DefaultFeatureGate.Enabled(features.GangScheduling),
		string(features.NominatedNodeNameForExpectation): feature.DefaultFeatureGate.Enabled(features.NominatedNodeNameForExpectation),
	}
	b.Cleanup(func() { _ = feature.DefaultMutableFeatureGate.SetFromMap(origGates) })

	bn := &bench{b: b, ctx: context.Background(), cp: cp, cs: cs}
	rep := &report{Started: time.Now().UTC(), GoVersion: runtime.Version(), NumCPU: runtime.NumCPU(), Shapes: shapes}
	out := *flagOut
	if out == "" {
		root, err := controlplane.RepoRoot()
		if err != nil {
			b.Fatal(err)
		}
		out = filepath.Join(root, "_output", "bench", rep.Started.Format("20060102-150405"))
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		b.Fatal(err)
	}

	// The in-process schedulers log to a file, not to the benchmark's output.
	logFile, err := os.Create(filepath.Join(out, "scheduler.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = logFile.Close() }()
	klog.LogToStderr(false)
	klog.SetOutput(logFile)
	defer klog.Flush()

	for _, sh := range shapes {
		if len(sh.Cases) == 0 {
			continue
		}
		b.Logf("shape %s: %d nodes (cpu %s), %d gangs of %d pods (cpu %s)", sh.Name, sh.Nodes, sh.NodeCPU, sh.Gangs, sh.GangSize, sh.PodCPU)
		if err := resetNodes(bn.ctx, cs, sh.Nodes, sh.NodeCPU); err != nil {
			b.Fatalf("nodes: %v", err)
		}
		if *flagWarmup && !sh.Contention {
			r := bn.run(sh, cases[sh.Cases[0]], 0, true)
			rep.Runs = append(rep.Runs, r)
		}
		if contains(strings.Split(*flagHeap, ","), sh.Name) && !sh.Contention && contains(sh.Cases, "C") {
			h, err := bn.measureHeap(sh)
			if err != nil {
				b.Errorf("heap %s: %v", sh.Name, err)
			} else {
				rep.Heap = append(rep.Heap, h)
			}
		}
		stuck := map[string]bool{}
		for run := 1; run <= *flagRuns; run++ {
			// Rotate the order so no case always runs first or last.
			for i := range sh.Cases {
				c := cases[sh.Cases[(i+run-1)%len(sh.Cases)]]
				if stuck[c.Name] && !*flagRetryStuck {
					b.Logf("%s %s run %d: skipped, an earlier run was stuck", sh.Name, c.Name, run)
					continue
				}
				r := bn.run(sh, c, run, false)
				stuck[c.Name] = stuck[c.Name] || r.Stuck
				rep.Runs = append(rep.Runs, r)
			}
		}
		writeReport(b, out, rep)
	}
	md := writeReport(b, out, rep)
	fmt.Println(md)
	fmt.Printf("results: %s\n", out)
	for _, sh := range shapes {
		for _, c := range sh.Cases {
			if v := median(rates(rep.Runs, sh.Name, c)); !math.IsNaN(v) {
				b.ReportMetric(v, fmt.Sprintf("pods/s-%s-%s", sh.Name, c))
			}
		}
	}
	stuck := 0
	for _, r := range rep.Runs {
		if r.Stuck {
			stuck++
		}
	}
	if stuck > 0 && *flagFailOnStuck {
		b.Fatalf("%d runs stuck (see %s)", stuck, out)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// setGates sets the scheduler feature gates of a case; the zero case is the
// scheduler's defaults for the gates the cases change.
func (bn *bench) setGates(c benchCase) {
	if err := feature.DefaultMutableFeatureGate.SetFromMap(map[string]bool{
		string(features.GenericWorkload):                 c.Gates,
		string(features.GangScheduling):                  c.Gates,
		string(features.NominatedNodeNameForExpectation): !c.NoNomination,
	}); err != nil {
		bn.b.Fatalf("feature gates: %v", err)
	}
}

func (bn *bench) newNamespace() string {
	bn.seq++
	name := fmt.Sprintf("bench-%d", bn.seq)
	if _, err := bn.cs.CoreV1().Namespaces().Create(bn.ctx, &v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		bn.b.Fatalf("namespace: %v", err)
	}
	return name
}

func (bn *bench) startScheduler(c benchCase) func() {
	timeout := *flagPermitTimeout
	if c.PermitTimeout > 0 {
		timeout = c.PermitTimeout
	}
	bn.setGates(c)
	yaml, err := renderConfig(c.Config, configParams{Kubeconfig: bn.cp.Kubeconfig, QPS: clientQPS, PermitTimeoutSeconds: timeout})
	if err != nil {
		bn.b.Fatal(err)
	}
	stop, err := startScheduler(bn.b.TempDir(), yaml)
	if err != nil {
		bn.b.Fatalf("case %s: start scheduler: %v", c.Name, err)
	}
	return stop
}

// createPods creates the shape's Workloads (minCount is the gang minCount)
// and then its pods, in parallel; it returns when the first pod create call
// started and when the last returned.
func (bn *bench) createPods(ns string, sh shape, kind podKind, minCount int32) (start, end time.Time) {
	if kind == gangPods || kind == basicPods {
		if err := parallel(sh.Gangs, func(g int) error {
			_, err := bn.cs.SchedulingV1alpha1().Workloads(ns).Create(bn.ctx, workload(ns, g, kind, minCount), metav1.CreateOptions{})
			return err
		}); err != nil {
			bn.b.Fatalf("workloads: %v", err)
		}
	}
	pods := make([]*v1.Pod, 0, sh.pods())
	// Interleave the gangs' members, as concurrent controllers would.
	for i := 0; i < sh.GangSize; i++ {
		for g := 0; g < sh.Gangs; g++ {
			pods = append(pods, pod(ns, g, i, kind, sh.PodCPU))
		}
	}
	if !sh.Contention || !*flagInterleave {
		// Gang by gang: the common case of one controller per gang.
		pods = pods[:0]
		for g := 0; g < sh.Gangs; g++ {
			for i := 0; i < sh.GangSize; i++ {
				pods = append(pods, pod(ns, g, i, kind, sh.PodCPU))
			}
		}
	}
	start = time.Now()
	if err := parallel(len(pods), func(i int) error {
		_, err := bn.cs.CoreV1().Pods(ns).Create(bn.ctx, pods[i], metav1.CreateOptions{})
		return err
	}); err != nil {
		bn.b.Fatalf("pods: %v", err)
	}
	return start, time.Now()
}

// run measures one run of case c on shape sh.
func (bn *bench) run(sh shape, c benchCase, run int, warmup bool) runResult {
	b := bn.b
	ns := bn.newNamespace()
	var onGangDone func(string)
	if sh.Contention {
		onGangDone = func(g string) {
			_ = bn.cs.CoreV1().Pods(ns).DeleteCollection(bn.ctx, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)},
				metav1.ListOptions{LabelSelector: gangLabel + "=" + g})
		}
	}
	w, err := startWatcher(bn.cs, ns, sh.GangSize, onGangDone)
	if err != nil {
		b.Fatal(err)
	}
	before := gatherHistogram(attemptMetric)
	stop := bn.startScheduler(c)

	start, created := bn.createPods(ns, sh, c.Kind, int32(sh.GangSize))
	total := sh.pods()
	done := w.waitUntil(start.Add(sh.capFor()), func() bool {
		_, bound, gangs := w.counts()
		if sh.Contention {
			return gangs >= sh.Gangs
		}
		return bound >= total
	})
	stop()
	hist := gatherHistogram(attemptMetric).minus(before)
	w.close()
	bn.setGates(benchCase{})

	bound, gangs := w.snapshot()
	r := runResult{
		Shape: sh.Name, Case: c.Name, Run: run, Warmup: warmup, Nodes: sh.Nodes, Pods: total, GangSize: sh.GangSize,
		Bound: len(bound), Stuck: !done, CreateSeconds: created.Sub(start).Seconds(),
		FirstBindSeconds: math.NaN(), LastBindSeconds: math.NaN(), TailSeconds: math.NaN(), EffectiveRate: math.NaN(),
		Attempts:     hist.count,
		AttemptP50ms: hist.quantile(0.5) * 1000, AttemptP90ms: hist.quantile(0.9) * 1000, AttemptP99ms: hist.quantile(0.99) * 1000,
		GangsDone: len(gangs),
	}
	if len(bound) > 0 {
		first, last := span(bound)
		r.FirstBindSeconds = first.Sub(start).Seconds()
		r.LastBindSeconds = last.Sub(start).Seconds()
		r.TailSeconds = r.LastBindSeconds - r.CreateSeconds
		r.Samples = throughputSamples(bound)
		r.Throughput = summarize(r.Samples)
	}
	if sh.Contention {
		r.FirstGangSeconds, r.AllGangsSeconds = math.NaN(), math.NaN()
		if len(gangs) > 0 {
			first, last := span(gangs)
			r.FirstGangSeconds = first.Sub(start).Seconds()
			if done {
				r.AllGangsSeconds = last.Sub(start).Seconds()
			}
		}
	}
	if done {
		end := r.LastBindSeconds
		if sh.Contention {
			end = r.AllGangsSeconds
		}
		r.EffectiveRate = float64(total) / end
	}
	tag := fmt.Sprintf("run %d", run)
	if warmup {
		tag = "warm-up"
	}
	status := "done"
	if !done {
		status = fmt.Sprintf("STUCK after %s", sh.capFor())
	}
	b.Logf("%s %s %s: %s, %d/%d bound, first bind %.2fs, last bind %.2fs, %s pods/s, %d attempts (p50 %s ms, p99 %s ms)",
		sh.Name, c.Name, tag, status, r.Bound, total, r.FirstBindSeconds, r.LastBindSeconds, numFmt(r.EffectiveRate, 1),
		r.Attempts, numFmt(r.AttemptP50ms, 1), numFmt(r.AttemptP99ms, 1))
	if sh.Contention {
		b.Logf("  contention: %d/%d gangs fully bound, first at %ss, all at %ss", r.GangsDone, sh.Gangs, numFmt(r.FirstGangSeconds, 2), numFmt(r.AllGangsSeconds, 2))
	}
	if err := deleteAll(bn.ctx, bn.cs, ns); err != nil {
		b.Fatalf("cleanup %s: %v", ns, err)
	}
	return r
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// measureHeap creates the shape's pods twice under a case C scheduler: for
// another scheduler (informers only), then as gangs that cannot reach their
// quorum (held at PreEnqueue, tracked by WorkloadGang), and reports the heap
// growth per pod for each.
func (bn *bench) measureHeap(sh shape) (heapResult, error) {
	h := heapResult{Shape: sh.Name, Pods: sh.pods()}
	stop := bn.startScheduler(cases["C"])
	defer stop()
	measure := func(kind podKind) (float64, error) {
		ns := bn.newNamespace()
		w, err := startWatcher(bn.cs, ns, sh.GangSize, nil)
		if err != nil {
			return 0, err
		}
		defer w.close()
		base := heapAlloc()
		bn.createPods(ns, sh, kind, int32(sh.GangSize+1))
		w.waitUntil(time.Now().Add(time.Minute), func() bool { seen, _, _ := w.counts(); return seen >= sh.pods() })
		// Let the scheduler's informers catch up and WorkloadGang write its
		// held-pod messages (about a second after a pod is first held).
		time.Sleep(5 * time.Second)
		after := heapAlloc()
		if _, bound, _ := w.counts(); bound > 0 {
			return 0, fmt.Errorf("%d held pods were bound", bound)
		}
		if err := deleteAll(bn.ctx, bn.cs, ns); err != nil {
			return 0, err
		}
		return (float64(after) - float64(base)) / float64(sh.pods()), nil
	}
	var err error
	if h.IgnoredBytesPerPod, err = measure(ignoredPods); err != nil {
		return h, err
	}
	if h.HeldBytesPerPod, err = measure(gangPods); err != nil {
		return h, err
	}
	bn.b.Logf("%s heap: %.0f B per held pod (case C), %.0f B per ignored pod (informers only)", sh.Name, h.HeldBytesPerPod, h.IgnoredBytesPerPod)
	return h, nil
}

func rates(runs []runResult, shapeName, caseName string) []float64 {
	var out []float64
	for _, r := range runs {
		if r.Shape == shapeName && r.Case == caseName && !r.Warmup {
			out = append(out, r.EffectiveRate)
		}
	}
	return out
}

func medianOf(runs []runResult, shapeName, caseName string, get func(runResult) float64) float64 {
	var xs []float64
	for _, r := range runs {
		if r.Shape == shapeName && r.Case == caseName && !r.Warmup {
			xs = append(xs, get(r))
		}
	}
	return median(xs)
}

func ratio(a, b float64) string {
	if math.IsNaN(a) || math.IsNaN(b) || b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// markdown renders the medians of the measured (non-warm-up) runs.
func markdown(rep *report) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "## Results (%s, %s, %d CPUs)\n\n", rep.Started.Format(time.RFC3339), rep.GoVersion, rep.NumCPU)
	fmt.Fprintf(&sb, "Effective rate = pods / seconds from the first pod create call to the last pod seen bound; median of the measured runs (stuck runs excluded, counted in the stuck column).\n\n")
	fmt.Fprintf(&sb, "| shape | nodes | pods | A pods/s | B pods/s | C pods/s | D pods/s | C/A | B/A | D/A | C/B |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, sh := range rep.Shapes {
		if sh.Contention {
			continue
		}
		m := map[string]float64{}
		for _, c := range []string{"A", "B", "C", "D"} {
			m[c] = median(rates(rep.Runs, sh.Name, c))
		}
		fmt.Fprintf(&sb, "| %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", sh.Name, sh.Nodes, sh.pods(),
			numFmt(m["A"], 0), numFmt(m["B"], 0), numFmt(m["C"], 0), numFmt(m["D"], 0),
			ratio(m["C"], m["A"]), ratio(m["B"], m["A"]), ratio(m["D"], m["A"]), ratio(m["C"], m["B"]))
	}
	fmt.Fprintf(&sb, "\n### Per case (medians)\n\n")
	fmt.Fprintf(&sb, "Throughput: pods bound per 1 s interval after the first binding (avg/p50/p90/p99). Attempt latency: scheduler_scheduling_attempt_duration_seconds, all results, histogram-interpolated.\n\n")
	fmt.Fprintf(&sb, "| shape | case | runs | stuck | pods/s | create s | first bind s | last bind s | tail s | tput avg | p50 | p90 | p99 | attempts | attempt p50 ms | p99 ms |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, sh := range rep.Shapes {
		if sh.Contention {
			continue
		}
		for _, c := range sh.Cases {
			n, stuck := 0, 0
			for _, r := range rep.Runs {
				if r.Shape == sh.Name && r.Case == c && !r.Warmup {
					n++
					if r.Stuck {
						stuck++
					}
				}
			}
			med := func(get func(runResult) float64) float64 { return medianOf(rep.Runs, sh.Name, c, get) }
			fmt.Fprintf(&sb, "| %s | %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", sh.Name, c, n, stuck,
				numFmt(med(func(r runResult) float64 { return r.EffectiveRate }), 0),
				numFmt(med(func(r runResult) float64 { return r.CreateSeconds }), 2),
				numFmt(med(func(r runResult) float64 { return r.FirstBindSeconds }), 2),
				numFmt(med(func(r runResult) float64 { return r.LastBindSeconds }), 2),
				numFmt(med(func(r runResult) float64 { return r.TailSeconds }), 2),
				numFmt(med(func(r runResult) float64 { return r.Throughput.Avg }), 0),
				numFmt(med(func(r runResult) float64 { return r.Throughput.P50 }), 0),
				numFmt(med(func(r runResult) float64 { return r.Throughput.P90 }), 0),
				numFmt(med(func(r runResult) float64 { return r.Throughput.P99 }), 0),
				numFmt(med(func(r runResult) float64 { return float64(r.Attempts) }), 0),
				numFmt(med(func(r runResult) float64 { return r.AttemptP50ms }), 1),
				numFmt(med(func(r runResult) float64 { return r.AttemptP99ms }), 1))
		}
	}
	for _, sh := range rep.Shapes {
		if !sh.Contention {
			continue
		}
		fmt.Fprintf(&sb, "\n### Contention: %s (%d nodes with %s CPU, %d gangs of %d pods requesting %s CPU; each gang's pods are deleted once it is fully bound)\n\n",
			sh.Name, sh.Nodes, sh.NodeCPU, sh.Gangs, sh.GangSize, sh.PodCPU)
		fmt.Fprintf(&sb, "| case | runs | stuck | gangs done (median) | first gang s | all gangs s | attempts |\n|---|---|---|---|---|---|---|\n")
		for _, c := range sh.Cases {
			n, stuck := 0, 0
			for _, r := range rep.Runs {
				if r.Shape == sh.Name && r.Case == c && !r.Warmup {
					n++
					if r.Stuck {
						stuck++
					}
				}
			}
			med := func(get func(runResult) float64) float64 { return medianOf(rep.Runs, sh.Name, c, get) }
			fmt.Fprintf(&sb, "| %s | %d | %d | %s | %s | %s | %s |\n", c, n, stuck,
				numFmt(med(func(r runResult) float64 { return float64(r.GangsDone) }), 0),
				numFmt(med(func(r runResult) float64 { return r.FirstGangSeconds }), 2),
				numFmt(med(func(r runResult) float64 { return r.AllGangsSeconds }), 2),
				numFmt(med(func(r runResult) float64 { return float64(r.Attempts) }), 0))
		}
	}
	if len(rep.Heap) > 0 {
		fmt.Fprintf(&sb, "\n### Heap per pod (case C)\n\nHeapAlloc growth (after GC) per pod: held = gang pods held at PreEnqueue (quorum unreachable), ignored = pods for another scheduler (only the informers keep them). held − ignored ≈ scheduler queue + WorkloadGang per tracked pod.\n\n")
		fmt.Fprintf(&sb, "| shape | pods | held B/pod | ignored B/pod | held − ignored |\n|---|---|---|---|---|\n")
		for _, h := range rep.Heap {
			fmt.Fprintf(&sb, "| %s | %d | %.0f | %.0f | %.0f |\n", h.Shape, h.Pods, h.HeldBytesPerPod, h.IgnoredBytesPerPod, h.HeldBytesPerPod-h.IgnoredBytesPerPod)
		}
	}
	var stuck []string
	for _, r := range rep.Runs {
		if r.Stuck {
			stuck = append(stuck, fmt.Sprintf("%s/%s run %d (%d/%d bound, %d gangs done)", r.Shape, r.Case, r.Run, r.Bound, r.Pods, r.GangsDone))
		}
	}
	if len(stuck) > 0 {
		fmt.Fprintf(&sb, "\nStuck runs (not done within the cap): %s\n", strings.Join(stuck, "; "))
	}
	return sb.String()
}

// nanSafe replaces NaN and Inf (not valid JSON) with -1 in a copy.
func nanSafe(runs []runResult) []runResult {
	fix := func(f *float64) {
		if math.IsNaN(*f) || math.IsInf(*f, 0) {
			*f = -1
		}
	}
	out := append([]runResult(nil), runs...)
	for i := range out {
		r := &out[i]
		for _, f := range []*float64{&r.FirstBindSeconds, &r.LastBindSeconds, &r.TailSeconds, &r.EffectiveRate, &r.AttemptP50ms, &r.AttemptP90ms,
			&r.AttemptP99ms, &r.FirstGangSeconds, &r.AllGangsSeconds, &r.Throughput.Avg, &r.Throughput.P50, &r.Throughput.P90, &r.Throughput.P99} {
			fix(f)
		}
	}
	return out
}

// writeReport writes results.json (every run, warm-ups included) and
// results.md into dir and returns the Markdown.
func writeReport(b *testing.B, dir string, rep *report) string {
	cp := *rep
	cp.Runs = nanSafe(rep.Runs)
	data, err := json.MarshalIndent(cp, "", "  ")
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), data, 0o644); err != nil {
		b.Fatal(err)
	}
	md := markdown(rep)
	if err := os.WriteFile(filepath.Join(dir, "results.md"), []byte(md), 0o644); err != nil {
		b.Fatal(err)
	}
	return md
}

// span returns the earliest and the latest of non-empty times.
func span(times []time.Time) (first, last time.Time) {
	first, last = times[0], times[0]
	for _, t := range times {
		if t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	return first, last
}
