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
	"slices"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/util/feature"
	"k8s.io/client-go/dynamic"
	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/features"
	"k8s.io/utils/ptr"

	"github.com/gangsched/gangsched/internal/apimetrics"
	"github.com/gangsched/gangsched/internal/controlplane"
	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/command"
	"github.com/gangsched/gangsched/pkg/gang"
)

var (
	flagShapes        = flag.String("perf.shapes", "smoke", "comma-separated shapes, or the sets smoke, full and topology")
	flagCases         = flag.String("perf.cases", "", "comma-separated cases to run (default: every case of each shape)")
	flagRuns          = flag.Int("perf.runs", 3, "measured runs of each case per shape (interleaved)")
	flagWarmup        = flag.Bool("perf.warmup", true, "one discarded run of the shape's first case before its measured runs")
	flagCap           = flag.Duration("perf.cap", 3*time.Minute, "per-run cap: a run not done by then is reported as stuck")
	flagHeap          = flag.String("perf.heap", "smoke,gangs-100,single-5000", "shapes on which to measure heap per held pod under case C (none: off)")
	flagOut           = flag.String("perf.out", "", "results directory (default <repo>/_output/bench/<time>)")
	flagFailOnStuck   = flag.Bool("perf.fail-on-stuck", false, "fail the benchmark if any run is stuck")
	flagFailOnWrites  = flag.Bool("perf.fail-on-write-budget", false, "fail the benchmark if a run of a case with a write budget made more API writes per bound pod")
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
	// Nomination, if set, is the scheduler feature gate
	// NominatedNodeNameForExpectation; unset, the gate is gangsched's
	// default (command.DefaultFeatureGates: off). With it on, the scheduler
	// writes each pod's nominatedNodeName before the pod waits at Permit:
	// one API call per waiting gang member.
	Nomination *bool
	// Topology, if set, is the node label key every Workload requires one
	// domain of (gang.TopologyRequiredAnnotation).
	Topology string
	// WriteBudget, if > 0, is the most API writes the scheduler may make
	// per bound pod (bindings, pod status writes, Events; from the API
	// server's counters); -perf.fail-on-write-budget enforces it.
	WriteBudget float64
}

// The write budgets per bound pod (see TestGangWriteBudget in
// test/integration): a plain pod's binding and Scheduled Event (2), with
// room for a few retries; a gang member adds only its share of its gang's
// GangAdmitted Event (2.1 with the smoke shape's gangs of 10), with the same
// room: gangsched turns NominatedNodeNameForExpectation off, and a round
// that fills in one burst gets no reservation hints (see
// pkg/workloadgang/hints.go). A new write per pod or member (+1) exceeds
// either; so does the nomination write (case C+nn: 3.1).
//
// A gang declared with a PodGroup costs its members what a Workload's cost
// them, plus the PodGroup status writes of WorkloadGang's status
// controller: it syncs a PodGroup a second after an event (coalescing the
// events in between) and writes only a changed status (phase,
// scheduleStartTime, scheduled count), so a PodGroup costs one write per
// second in which its status changed. On the smoke shape, where a gang is
// created and bound within a second or two, that is 1.1-1.9 writes per
// PodGroup (0.11-0.19 per member); the budget allows 3 per PodGroup (0.3
// per member of a gang of 10): room for retries and for members that bind
// across more seconds. A status write per member (+1) exceeds it, as does
// any new write per member. Larger gangs pay less per member.
const (
	plainWriteBudget    = 2.3
	gangWriteBudget     = 2.4
	podGroupWriteBudget = gangWriteBudget + 0.3
)

var on, off = true, false

var cases = map[string]benchCase{
	"A":     {Name: "A", Desc: "plain pods, upstream plugins, scheduler gates off", Config: "plain.yaml", Kind: plainPods, WriteBudget: plainWriteBudget},
	"B":     {Name: "B", Desc: "gangs, in-tree GangScheduling (gates GenericWorkload,GangScheduling on, NominatedNodeNameForExpectation on as upstream)", Config: "intree.yaml", Gates: true, Kind: gangPods, Nomination: &on},
	"C":     {Name: "C", Desc: "gangs, WorkloadGang (gates off, in-tree disabled)", Config: "workloadgang.yaml", Kind: gangPods, WriteBudget: gangWriteBudget},
	"C-pg":  {Name: "C-pg", Desc: "gangs, WorkloadGang, declared with PodGroups (scheduling.x-k8s.io)", Config: "workloadgang.yaml", Kind: podGroupPods, WriteBudget: podGroupWriteBudget},
	"D":     {Name: "D", Desc: "basic groups, WorkloadGang", Config: "workloadgang.yaml", Kind: basicPods, WriteBudget: plainWriteBudget},
	"C-t10": {Name: "C-t10", Desc: "gangs, WorkloadGang with permitTimeoutSeconds 10", Config: "workloadgang.yaml", Kind: gangPods, PermitTimeout: 10},
	"C+nn":  {Name: "C+nn", Desc: "gangs, WorkloadGang, scheduler gate NominatedNodeNameForExpectation turned back on (upstream's default)", Config: "workloadgang.yaml", Kind: gangPods, Nomination: &on},
	"B-nn":  {Name: "B-nn", Desc: "gangs, in-tree GangScheduling, scheduler gate NominatedNodeNameForExpectation off", Config: "intree.yaml", Gates: true, Kind: gangPods, Nomination: &off},
	"C-rack": {Name: "C-rack", Desc: "gangs, WorkloadGang, each Workload requires one rack (gangsched.io/topology-required: example.com/rack)", Config: "workloadgang.yaml", Kind: gangPods,
		Topology: rackLabel},
	// Preemption (issue 11; preemption_test.go): high-priority pods on nodes
	// full of low-priority pods, through WorkloadGang's PostFilter (gangs as
	// a whole, plain pods through upstream's Evaluator) or the in-tree
	// GangScheduling plugin beside DefaultPreemption.
	"P-gang":         {Name: "P-gang", Desc: "a high-priority gang preempting, WorkloadGang", Config: "workloadgang.yaml", Kind: gangPods},
	"P-plain":        {Name: "P-plain", Desc: "high-priority plain pods preempting, WorkloadGang", Config: "workloadgang.yaml", Kind: plainPods},
	"P-intree":       {Name: "P-intree", Desc: "a high-priority gang preempting, in-tree GangScheduling + DefaultPreemption (gates on, as case B)", Config: "intree.yaml", Gates: true, Kind: gangPods, Nomination: &on},
	"P-intree-plain": {Name: "P-intree-plain", Desc: "high-priority plain pods preempting, in-tree GangScheduling + DefaultPreemption (gates on, as case B)", Config: "intree.yaml", Gates: true, Kind: plainPods, Nomination: &on},
}

// shape is a cluster and a workload.
type shape struct {
	Name     string
	Nodes    int
	NodeCPU  string
	Gangs    int
	GangSize int
	// GangSizes, if set, replaces GangSize: gang g has GangSizes[g % len].
	GangSizes []int
	// RackSize, if set, puts the nodes in racks of RackSize nodes, labeled
	// rackLabel (see resetNodes); only such shapes report one-rack gangs.
	RackSize int
	PodCPU   string
	// Contention: the cluster fits one gang at a time; each gang's pods are
	// deleted as soon as it is fully bound, so that the next one can fit.
	Contention bool
	Cases      []string
	// Cap, if set, replaces -perf.cap when it is shorter.
	Cap time.Duration
	// Preemption, if set, fills the nodes with low-priority pods first, and
	// the shape's pods preempt them (see preemption_test.go).
	Preemption *preemptionSpec `json:",omitempty"`
}

func (s shape) capFor() time.Duration {
	if s.Cap > 0 && s.Cap < *flagCap {
		return s.Cap
	}
	return *flagCap
}

// sizeOf returns the size of gang g.
func (s shape) sizeOf(g int) int {
	if len(s.GangSizes) > 0 {
		return s.GangSizes[g%len(s.GangSizes)]
	}
	return s.GangSize
}

// maxSize returns the size of the largest gang.
func (s shape) maxSize() int {
	n := 0
	for g := 0; g < s.Gangs && g < max(len(s.GangSizes), 1); g++ {
		n = max(n, s.sizeOf(g))
	}
	return n
}

func (s shape) pods() int {
	n := 0
	for g := 0; g < s.Gangs; g++ {
		n += s.sizeOf(g)
	}
	return n
}

// gangSizes returns the size of each gang by name.
func (s shape) gangSizes() map[string]int {
	out := make(map[string]int, s.Gangs)
	for g := 0; g < s.Gangs; g++ {
		out[gangName(g)] = s.sizeOf(g)
	}
	return out
}

// sizes words the gang sizes: "10", or "8/16/32" when they are mixed.
func (s shape) sizes() string {
	if len(s.GangSizes) == 0 {
		return fmt.Sprint(s.GangSize)
	}
	var out []string
	for _, n := range s.GangSizes {
		out = append(out, fmt.Sprint(n))
	}
	return strings.Join(out, "/")
}

// racks returns how many racks the shape's nodes are in (0: no racks).
func (s shape) racks() int {
	if s.RackSize == 0 {
		return 0
	}
	return (s.Nodes + s.RackSize - 1) / s.RackSize
}

var allShapes = []shape{
	{Name: "smoke", Nodes: 20, NodeCPU: "32", Gangs: 20, GangSize: 10, PodCPU: "10m", Cases: []string{"A", "B", "C", "C-pg", "D"}},
	{Name: "gangs-10", Nodes: 500, NodeCPU: "32", Gangs: 300, GangSize: 10, PodCPU: "10m", Cases: []string{"A", "B", "C", "C-pg", "D"}},
	{Name: "gangs-100", Nodes: 500, NodeCPU: "32", Gangs: 30, GangSize: 100, PodCPU: "10m", Cases: []string{"A", "B", "C", "C-pg", "D"}},
	{Name: "gangs-1000", Nodes: 500, NodeCPU: "32", Gangs: 3, GangSize: 1000, PodCPU: "10m", Cases: []string{"A", "B", "C", "C-pg", "D"}},
	{Name: "single-1000", Nodes: 1000, NodeCPU: "32", Gangs: 1, GangSize: 1000, PodCPU: "10m", Cases: []string{"A", "B", "C", "D"}},
	{Name: "single-2000", Nodes: 1000, NodeCPU: "32", Gangs: 1, GangSize: 2000, PodCPU: "10m", Cases: []string{"A", "B", "C", "D"}},
	{Name: "single-5000", Nodes: 1000, NodeCPU: "32", Gangs: 1, GangSize: 5000, PodCPU: "10m", Cases: []string{"A", "B", "C", "D"}},
	{Name: "contention", Nodes: 50, NodeCPU: "1", Gangs: 4, GangSize: 50, PodCPU: "1", Contention: true, Cases: []string{"C", "C-t10", "B"}, Cap: 45 * time.Second},
	// Topology: racks of 20 nodes of 4 cores; gangs of 8, 16 and 32 pods of
	// 1 core, so that a rack (80 pods) holds two gangs of 32 and a gang of
	// 16 and then is full: racks matter, and best fit packs them. 120 gangs,
	// 2,240 pods: 56% of the cluster. Case C (no topology) against C-rack
	// (every Workload requires one rack).
	{Name: "topology", Nodes: 1000, RackSize: 20, NodeCPU: "4", Gangs: 120, GangSizes: []int{8, 16, 32}, PodCPU: "1", Cases: []string{"C", "C-rack"}},
	// Issue 13: 5,000 nodes with 1,000 gangs of 3 (the shape upstream gates
	// gang scheduling on in its 1.37 suite), and 30,000 pods in gangs of 10
	// on the same nodes. Not in full: set nodes-5000.
	{Name: "nodes-5000-gangs-3", Nodes: 5000, NodeCPU: "32", Gangs: 1000, GangSize: 3, PodCPU: "10m", Cases: []string{"A", "C"}},
	{Name: "nodes-5000-gangs-10", Nodes: 5000, NodeCPU: "32", Gangs: 3000, GangSize: 10, PodCPU: "10m", Cases: []string{"A", "C"}},
	// The same on 100 nodes in 5 racks, 12 gangs (224 pods).
	{Name: "topology-smoke", Nodes: 100, RackSize: 20, NodeCPU: "4", Gangs: 12, GangSizes: []int{8, 16, 32}, PodCPU: "1", Cases: []string{"C", "C-rack"}},
	// Preemption (issue 11): nodes of 1 cpu, each full with one pod of 1
	// cpu, then a high-priority gang of 100 (or 100 plain pods) evicts
	// what it needs.
	{Name: "preemption", Nodes: 500, NodeCPU: "1", Gangs: 1, GangSize: 100, PodCPU: "1", Cases: []string{"P-gang", "P-plain", "P-intree"},
		Preemption: &preemptionSpec{Victims: 500}},
	// The same with 20 nodes and 8 preemptors.
	{Name: "preemption-smoke", Nodes: 20, NodeCPU: "1", Gangs: 1, GangSize: 8, PodCPU: "1", Cases: []string{"P-gang", "P-plain", "P-intree"},
		Preemption: &preemptionSpec{Victims: 20}},
	// A gang of 10 that fits the 12 nodes only with every other pod gone,
	// but 4 of those have its own priority: it never fits, whatever is
	// evicted. Each run watches 20 s.
	{Name: "preemption-toobig", Nodes: 12, NodeCPU: "1", Gangs: 1, GangSize: 10, PodCPU: "1", Cases: []string{"P-gang", "P-intree"}, Cap: 20 * time.Second,
		Preemption: &preemptionSpec{Victims: 8, Peers: 4, NeverFits: true}},
	// 4 plain high-priority pods next to a running low-priority gang of 8
	// (8 nodes) and 8 low-priority plain pods (8 nodes): the optimum evicts
	// 4 plain pods and leaves the gang whole.
	{Name: "preemption-running-gang", Nodes: 16, NodeCPU: "1", Gangs: 1, GangSize: 4, PodCPU: "1", Cases: []string{"P-plain", "P-intree-plain"},
		Preemption: &preemptionSpec{RunningGang: 8, Victims: 8}},
}

// shapeSets are named lists of shapes. The topology shape takes about 3.5
// minutes with 3 runs on 2 cores.
var shapeSets = map[string][]string{
	"smoke":      {"smoke"},
	"full":       {"gangs-10", "gangs-100", "gangs-1000", "single-1000", "single-2000", "single-5000", "contention", "topology", "preemption"},
	"topology":   {"topology"},
	"nodes-5000": {"nodes-5000-gangs-3", "nodes-5000-gangs-10"},
	// preemption: the 500-node shape; preemption-small: the scenarios of
	// docs/preemption.md on at most 20 nodes (3 min with 3 runs on 2 cores).
	"preemption":       {"preemption"},
	"preemption-small": {"preemption-smoke", "preemption-toobig", "preemption-running-gang"},
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
			// groups never complete a gang there), and so do preemption
			// shapes (their cases are built for them); the others run
			// exactly the cases asked for, so extra cases (C+nn, B-nn) can
			// be added.
			var keep []string
			if out[i].Contention || out[i].Preemption != nil {
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
	Gangs    int    `json:"gangs"`
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
	// Writes are the scheduler's API writes during the run (from the API
	// server's counters), and WritesPerPod their number per bound pod.
	Writes       apimetrics.Writes `json:"writes"`
	WritesPerPod float64           `json:"writesPerPod"`
	// Contention only: when the first and the last gang were fully bound.
	GangsDone int `json:"gangsDone,omitempty"`
	// Shapes with racks only: the gangs fully bound with every pod in one
	// rack.
	OneRackGangs     int     `json:"oneRackGangs"`
	FirstGangSeconds float64 `json:"firstGangSeconds,omitempty"`
	AllGangsSeconds  float64 `json:"allGangsSeconds,omitempty"`
	// Preemption shapes only: the pods evicted, those of them that carried
	// the DisruptionTarget condition, those that were members of the
	// running gang, and the gangs left with some but not all members
	// running.
	Victims            int `json:"victims,omitempty"`
	VictimsMarked      int `json:"victimsMarked,omitempty"`
	RunningGangVictims int `json:"runningGangVictims,omitempty"`
	PartialGangs       int `json:"partialGangs,omitempty"`
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
	// dyn is for PodGroups (a CRD).
	dyn dynamic.Interface
	seq int
	// racks is the rack of each node of the current shape (nil: no racks).
	racks map[string]string
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
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	root, err := controlplane.RepoRoot()
	if err != nil {
		b.Fatal(err)
	}
	// Both gang APIs are served, as on a 1.35 cluster with the Workload API
	// and scheduler-plugins' CRD: every WorkloadGang scheduler (cases C, D,
	// C-pg...) watches both, whichever the case's pods use.
	if err := controlplane.InstallPodGroupCRD(context.Background(), cfg, filepath.Join(root, controlplane.PodGroupCRDFile)); err != nil {
		b.Fatal(err)
	}
	origGates := map[string]bool{
		string(features.GenericWorkload):                 feature.DefaultFeatureGate.Enabled(features.GenericWorkload),
		string(features.GangScheduling):                  feature.DefaultFeatureGate.Enabled(features.GangScheduling),
		string(features.NominatedNodeNameForExpectation): feature.DefaultFeatureGate.Enabled(features.NominatedNodeNameForExpectation),
	}
	b.Cleanup(func() { _ = feature.DefaultMutableFeatureGate.SetFromMap(origGates) })

	bn := &bench{b: b, ctx: context.Background(), cp: cp, cs: cs, dyn: dyn}
	rep := &report{Started: time.Now().UTC(), GoVersion: runtime.Version(), NumCPU: runtime.NumCPU(), Shapes: shapes}
	out := *flagOut
	if out == "" {
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
		b.Logf("shape %s: %d nodes (cpu %s), %d gangs of %s pods (cpu %s)", sh.Name, sh.Nodes, sh.NodeCPU, sh.Gangs, sh.sizes(), sh.PodCPU)
		if sh.RackSize > 0 {
			b.Logf("  in %d racks of %d nodes (label %s)", sh.racks(), sh.RackSize, rackLabel)
		}
		if bn.racks, err = resetNodes(bn.ctx, cs, sh.Nodes, sh.NodeCPU, sh.RackSize); err != nil {
			b.Fatalf("nodes: %v", err)
		}
		if *flagWarmup && !sh.Contention && (sh.Preemption == nil || !sh.Preemption.NeverFits) {
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
			if sh.RackSize > 0 {
				if v := medianOf(rep.Runs, sh.Name, c, oneRackShare); !math.IsNaN(v) {
					b.ReportMetric(v, fmt.Sprintf("onerack-share-%s-%s", sh.Name, c))
				}
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
	if over := overWriteBudget(rep.Runs); len(over) > 0 && *flagFailOnWrites {
		b.Fatalf("write budget exceeded (see %s):\n%s", out, strings.Join(over, "\n"))
	}
}

// overWriteBudget lists the measured runs whose scheduler made more API
// writes per bound pod than their case's budget.
func overWriteBudget(runs []runResult) []string {
	var over []string
	for _, r := range runs {
		c := cases[r.Case]
		if r.Warmup || r.Stuck || c.WriteBudget == 0 || !(r.WritesPerPod > c.WriteBudget) {
			continue
		}
		over = append(over, fmt.Sprintf("%s %s run %d: %.2f writes per bound pod, budget %.2f (%v)", r.Shape, r.Case, r.Run, r.WritesPerPod, c.WriteBudget, r.Writes))
	}
	return over
}

// schedulerWrites returns the scheduler's writes since before: those of
// apimetrics.Writes.Scheduler in end, and the PodGroup status writes of
// WorkloadGang's status controller in statusesEnd.
func schedulerWrites(end, statusesEnd, before apimetrics.Writes) apimetrics.Writes {
	out := end.Scheduler(before)
	for k, v := range statusesEnd {
		if d := v - before[k]; d > 0 && strings.HasSuffix(k, " "+podgroupv1alpha1.Resource+"/status") {
			out[k] = d
		}
	}
	return out
}

// apiWrites reads the API server's write counters.
func (bn *bench) apiWrites() apimetrics.Writes {
	w, err := apimetrics.Read(bn.ctx, bn.cs)
	if err != nil {
		bn.b.Fatal(err)
	}
	return w
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// setGates sets the scheduler feature gates of a case; the zero case is
// gangsched's defaults for the gates the cases change.
func (bn *bench) setGates(c benchCase) {
	nomination := command.DefaultFeatureGates[features.NominatedNodeNameForExpectation]
	if c.Nomination != nil {
		nomination = *c.Nomination
	}
	if err := feature.DefaultMutableFeatureGate.SetFromMap(map[string]bool{
		string(features.GenericWorkload):                 c.Gates,
		string(features.GangScheduling):                  c.Gates,
		string(features.NominatedNodeNameForExpectation): nomination,
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

// createPods creates the shape's Workloads (or PodGroups) and then its pods, in parallel;
// it returns when the first pod create call started and when the last
// returned. A gang's minCount is its size, or one more when held (the gang
// can never reach its quorum). A topology key is required of every
// Workload (gang.TopologyRequiredAnnotation).
func (bn *bench) createPods(ns string, sh shape, kind podKind, held bool, topology string) (start, end time.Time) {
	if kind == gangPods || kind == basicPods {
		if err := parallel(sh.Gangs, func(g int) error {
			minCount := int32(sh.sizeOf(g))
			if held {
				minCount++
			}
			wl := workload(ns, g, kind, minCount)
			if topology != "" {
				wl.Annotations = map[string]string{gang.TopologyRequiredAnnotation: topology}
			}
			_, err := bn.cs.SchedulingV1alpha1().Workloads(ns).Create(bn.ctx, wl, metav1.CreateOptions{})
			return err
		}); err != nil {
			bn.b.Fatalf("workloads: %v", err)
		}
	}
	if kind == podGroupPods {
		if err := parallel(sh.Gangs, func(g int) error {
			minMember := int32(sh.sizeOf(g))
			if held {
				minMember++
			}
			pg := podGroup(ns, g, minMember)
			if topology != "" {
				pg.Annotations = map[string]string{gang.TopologyRequiredAnnotation: topology}
			}
			u, err := podgroupv1alpha1.ToUnstructured(pg)
			if err != nil {
				return err
			}
			_, err = bn.dyn.Resource(podgroupv1alpha1.SchemeGroupVersionResource).Namespace(ns).Create(bn.ctx, u, metav1.CreateOptions{})
			return err
		}); err != nil {
			bn.b.Fatalf("podgroups: %v", err)
		}
	}
	pods := make([]*v1.Pod, 0, sh.pods())
	// Interleave the gangs' members, as concurrent controllers would.
	for i := 0; i < sh.maxSize(); i++ {
		for g := 0; g < sh.Gangs; g++ {
			if i < sh.sizeOf(g) {
				pods = append(pods, pod(ns, g, i, kind, sh.PodCPU))
			}
		}
	}
	if !sh.Contention || !*flagInterleave {
		// Gang by gang: the common case of one controller per gang.
		pods = pods[:0]
		for g := 0; g < sh.Gangs; g++ {
			for i := 0; i < sh.sizeOf(g); i++ {
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
	if sh.Preemption != nil {
		return bn.runPreemption(sh, c, run, warmup)
	}
	b := bn.b
	ns := bn.newNamespace()
	var onGangDone func(string)
	if sh.Contention {
		onGangDone = func(g string) {
			_ = bn.cs.CoreV1().Pods(ns).DeleteCollection(bn.ctx, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)},
				metav1.ListOptions{LabelSelector: gangLabel + "=" + g})
		}
	}
	w, err := startWatcher(bn.cs, ns, sh.gangSizes(), onGangDone)
	if err != nil {
		b.Fatal(err)
	}
	before := gatherHistogram(attemptMetric)
	writesBefore := bn.apiWrites()
	stop := bn.startScheduler(c)

	start, created := bn.createPods(ns, sh, c.Kind, false, c.Topology)
	total := sh.pods()
	done := w.waitUntil(start.Add(sh.capFor()), func() bool {
		_, bound, gangs := w.counts()
		if sh.Contention {
			return gangs >= sh.Gangs
		}
		return bound >= total
	})
	// The scheduler's writes are read when its last pod is bound (Events
	// still queued then are not counted), but a PodGroup's last status
	// write comes about a second later (the status controller's coalescing
	// delay): with PodGroups, the status writes are read once every status
	// counts all its members scheduled, and the other writes as in every
	// case, so that C-pg's writes per pod are C's plus its status writes.
	// The wait is after the last binding: the rate does not include it.
	var writesEnd, statusesEnd apimetrics.Writes
	if done && c.Kind == podGroupPods {
		writesEnd = bn.apiWrites()
		if err := waitPodGroupsScheduled(bn.ctx, bn.dyn, ns, 30*time.Second); err != nil {
			b.Errorf("%s %s run %d: %v", sh.Name, c.Name, run, err)
		}
		statusesEnd = bn.apiWrites()
	}
	stop()
	if writesEnd == nil {
		writesEnd = bn.apiWrites()
		statusesEnd = writesEnd
	}
	writes := schedulerWrites(writesEnd, statusesEnd, writesBefore)
	hist := gatherHistogram(attemptMetric).minus(before)
	w.close()
	bn.setGates(benchCase{})

	bound, gangs := w.snapshot()
	r := runResult{
		Shape: sh.Name, Case: c.Name, Run: run, Warmup: warmup, Nodes: sh.Nodes, Pods: total, GangSize: sh.GangSize, Gangs: sh.Gangs,
		Bound: len(bound), Stuck: !done, CreateSeconds: created.Sub(start).Seconds(),
		FirstBindSeconds: math.NaN(), LastBindSeconds: math.NaN(), TailSeconds: math.NaN(), EffectiveRate: math.NaN(),
		Attempts:     hist.count,
		AttemptP50ms: hist.quantile(0.5) * 1000, AttemptP90ms: hist.quantile(0.9) * 1000, AttemptP99ms: hist.quantile(0.99) * 1000,
		GangsDone: len(gangs),
		Writes:    writes, WritesPerPod: math.NaN(),
	}
	if len(bound) > 0 {
		r.WritesPerPod = writes.Total() / float64(len(bound))
	}
	if bn.racks != nil {
		r.OneRackGangs = w.oneRack(bn.racks)
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
	if bn.racks != nil {
		b.Logf("  racks: %d/%d gangs fully bound, %d/%d with every pod in one rack", r.GangsDone, sh.Gangs, r.OneRackGangs, sh.Gangs)
	}
	if sh.Contention {
		b.Logf("  contention: %d/%d gangs fully bound, first at %ss, all at %ss", r.GangsDone, sh.Gangs, numFmt(r.FirstGangSeconds, 2), numFmt(r.AllGangsSeconds, 2))
	}
	if err := deleteAll(bn.ctx, bn.cs, bn.dyn, ns); err != nil {
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
		w, err := startWatcher(bn.cs, ns, sh.gangSizes(), nil)
		if err != nil {
			return 0, err
		}
		defer w.close()
		base := heapAlloc()
		bn.createPods(ns, sh, kind, true, "")
		w.waitUntil(time.Now().Add(time.Minute), func() bool { seen, _, _ := w.counts(); return seen >= sh.pods() })
		// Let the scheduler's informers catch up and WorkloadGang write its
		// held-pod messages (about a second after a pod is first held).
		time.Sleep(5 * time.Second)
		after := heapAlloc()
		if _, bound, _ := w.counts(); bound > 0 {
			return 0, fmt.Errorf("%d held pods were bound", bound)
		}
		if err := deleteAll(bn.ctx, bn.cs, bn.dyn, ns); err != nil {
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

// oneRackShare is the share of a run's gangs fully bound in one rack.
func oneRackShare(r runResult) float64 {
	if r.Gangs == 0 {
		return math.NaN()
	}
	return float64(r.OneRackGangs) / float64(r.Gangs)
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
		if sh.Contention || sh.RackSize > 0 || sh.Preemption != nil {
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
	writePodGroupTable(&sb, rep)
	writeSingleGangTable(&sb, rep)
	writePreemptionTables(&sb, rep)
	fmt.Fprintf(&sb, "\n### Per case (medians)\n\n")
	fmt.Fprintf(&sb, "Throughput: pods bound per 1 s interval after the first binding (avg/p50/p90/p99). Attempt latency: scheduler_scheduling_attempt_duration_seconds, all results, histogram-interpolated.\n\n")
	fmt.Fprintf(&sb, "| shape | case | runs | stuck | pods/s | create s | first bind s | last bind s | tail s | tput avg | p50 | p90 | p99 | attempts | attempt p50 ms | p99 ms | writes/pod |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, sh := range rep.Shapes {
		if sh.Contention {
			continue
		}
		for _, c := range sh.Cases {
			n, stuck := countRuns(rep.Runs, sh.Name, c)
			med := func(get func(runResult) float64) float64 { return medianOf(rep.Runs, sh.Name, c, get) }
			fmt.Fprintf(&sb, "| %s | %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", sh.Name, c, n, stuck,
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
				numFmt(med(func(r runResult) float64 { return r.AttemptP99ms }), 1),
				numFmt(med(func(r runResult) float64 { return r.WritesPerPod }), 2))
		}
	}
	for _, sh := range rep.Shapes {
		if sh.RackSize == 0 {
			continue
		}
		fmt.Fprintf(&sb, "\n### Topology: %s (%d nodes with %s CPU in %d racks of %d, label %s; %d gangs of %s pods requesting %s CPU)\n\n",
			sh.Name, sh.Nodes, sh.NodeCPU, sh.racks(), sh.RackSize, rackLabel, sh.Gangs, sh.sizes(), sh.PodCPU)
		fmt.Fprintf(&sb, "One rack: gangs fully bound with every pod on nodes of one rack, of all gangs (median of the measured runs). Rate ratio: the case's median effective rate over case C's.\n\n")
		fmt.Fprintf(&sb, "| case | runs | stuck | pods/s | ÷ C | one-rack gangs | one-rack share |\n|---|---|---|---|---|---|---|\n")
		rateC := median(rates(rep.Runs, sh.Name, "C"))
		for _, c := range sh.Cases {
			n, stuck := countRuns(rep.Runs, sh.Name, c)
			rate := median(rates(rep.Runs, sh.Name, c))
			fmt.Fprintf(&sb, "| %s | %d | %d | %s | %s | %s/%d | %s |\n", c, n, stuck, numFmt(rate, 0), ratio(rate, rateC),
				numFmt(medianOf(rep.Runs, sh.Name, c, func(r runResult) float64 { return float64(r.OneRackGangs) }), 0), sh.Gangs,
				numFmt(medianOf(rep.Runs, sh.Name, c, oneRackShare), 2))
		}
	}
	for _, sh := range rep.Shapes {
		if !sh.Contention {
			continue
		}
		fmt.Fprintf(&sb, "\n### Contention: %s (%d nodes with %s CPU, %d gangs of %s pods requesting %s CPU; each gang's pods are deleted once it is fully bound)\n\n",
			sh.Name, sh.Nodes, sh.NodeCPU, sh.Gangs, sh.sizes(), sh.PodCPU)
		fmt.Fprintf(&sb, "| case | runs | stuck | gangs done (median) | first gang s | all gangs s | attempts |\n|---|---|---|---|---|---|---|\n")
		for _, c := range sh.Cases {
			n, stuck := countRuns(rep.Runs, sh.Name, c)
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

// writeSingleGangTable renders, for the shapes of one gang, the rate at
// which WorkloadGang schedules and binds the gang once its last member
// exists (pods / tail) against the plain-pod rate (pods / seconds from the
// first to the last binding of case A): issue 13's target for a 5,000-pod
// gang is 0.95. A gang cannot start before its last member exists (the
// seed's rule); this is the rest.
func writeSingleGangTable(sb *strings.Builder, rep *report) {
	var shapes []shape
	for _, sh := range rep.Shapes {
		if sh.Gangs == 1 && len(sh.GangSizes) == 0 && contains(sh.Cases, "A") && contains(sh.Cases, "C") {
			shapes = append(shapes, sh)
		}
	}
	if len(shapes) == 0 {
		return
	}
	fmt.Fprintf(sb, "\n### Single gangs from their last member's creation\n\n")
	fmt.Fprintf(sb, "C: pods / (last binding − last create). A: pods / (last binding − first binding), the plain-pod scheduling rate. Medians of the measured runs.\n\n")
	fmt.Fprintf(sb, "| shape | A bind rate pods/s | C after last create pods/s | C/A | C create s | C tail s |\n|---|---|---|---|---|---|\n")
	for _, sh := range shapes {
		a := medianOf(rep.Runs, sh.Name, "A", func(r runResult) float64 {
			return float64(r.Pods) / (r.LastBindSeconds - r.FirstBindSeconds)
		})
		c := medianOf(rep.Runs, sh.Name, "C", func(r runResult) float64 { return float64(r.Pods) / r.TailSeconds })
		fmt.Fprintf(sb, "| %s | %s | %s | %s | %s | %s |\n", sh.Name, numFmt(a, 0), numFmt(c, 0), ratio(c, a),
			numFmt(medianOf(rep.Runs, sh.Name, "C", func(r runResult) float64 { return r.CreateSeconds }), 2),
			numFmt(medianOf(rep.Runs, sh.Name, "C", func(r runResult) float64 { return r.TailSeconds }), 2))
	}
}

// writePodGroupTable renders, for the shapes that ran both C and C-pg, the
// PodGroup source against the Workload API source (issue 14: within 5 %).
func writePodGroupTable(sb *strings.Builder, rep *report) {
	var shapes []shape
	for _, sh := range rep.Shapes {
		if contains(sh.Cases, "C") && contains(sh.Cases, "C-pg") {
			shapes = append(shapes, sh)
		}
	}
	if len(shapes) == 0 {
		return
	}
	fmt.Fprintf(sb, "\n### PodGroups against Workloads (C-pg/C)\n\n")
	fmt.Fprintf(sb, "The same gangs under the same WorkloadGang scheduler, in the same runs: case C declares each gang with a Workload (`spec.workloadRef`), case C-pg with a scheduler-plugins PodGroup (label `%s`). Goal: C-pg/C within 5 %% (0.95-1.05). Writes per bound pod include C-pg's PodGroup status writes.\n\n", podgroupv1alpha1.PodGroupLabel)
	fmt.Fprintf(sb, "| shape | gangs | C pods/s | C-pg pods/s | C-pg/C | within 5 %% | C writes/pod | C-pg writes/pod | status writes/PodGroup |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, sh := range shapes {
		c, pg := median(rates(rep.Runs, sh.Name, "C")), median(rates(rep.Runs, sh.Name, "C-pg"))
		// Three decimals: at two, 0.947 would read 0.95 beside "no".
		r, within := "–", "–"
		if !math.IsNaN(c) && !math.IsNaN(pg) && c > 0 {
			r, within = fmt.Sprintf("%.3f", pg/c), "no"
			if math.Abs(pg/c-1) <= 0.05 {
				within = "yes"
			}
		}
		writes := func(name string) float64 {
			return medianOf(rep.Runs, sh.Name, name, func(r runResult) float64 { return r.WritesPerPod })
		}
		fmt.Fprintf(sb, "| %s | %d of %s | %s | %s | %s | %s | %s | %s | %s |\n", sh.Name, sh.Gangs, sh.sizes(), numFmt(c, 0), numFmt(pg, 0), r, within,
			numFmt(writes("C"), 2), numFmt(writes("C-pg"), 2), numFmt(medianOf(rep.Runs, sh.Name, "C-pg", statusWritesPerGang), 1))
	}
}

// statusWritesPerGang is a run's PodGroup status writes per gang.
func statusWritesPerGang(r runResult) float64 {
	if r.Gangs == 0 {
		return math.NaN()
	}
	var n float64
	for k, v := range r.Writes {
		if strings.HasSuffix(k, " "+podgroupv1alpha1.Resource+"/status") {
			n += v
		}
	}
	return n / float64(r.Gangs)
}

// countRuns counts the measured runs of a case on a shape, and the stuck
// ones among them.
func countRuns(runs []runResult, shape, c string) (n, stuck int) {
	for _, r := range runs {
		if r.Shape == shape && r.Case == c && !r.Warmup {
			n++
			if r.Stuck {
				stuck++
			}
		}
	}
	return n, stuck
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
			&r.AttemptP99ms, &r.FirstGangSeconds, &r.AllGangsSeconds, &r.Throughput.Avg, &r.Throughput.P50, &r.Throughput.P90, &r.Throughput.P99,
			&r.WritesPerPod} {
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

// TestTopologyShape checks, without a control plane, the mixed gang sizes
// of the topology shape, the one-rack count and its report table.
func TestTopologyShape(t *testing.T) {
	var sh shape
	for _, s := range allShapes {
		if s.Name == "topology" {
			sh = s
		}
	}
	if got, want := sh.pods(), 40*(8+16+32); got != want {
		t.Errorf("pods: %d, want %d", got, want)
	}
	if got := sh.maxSize(); got != 32 {
		t.Errorf("max size: %d, want 32", got)
	}
	if got := sh.racks(); got != 50 {
		t.Errorf("racks: %d, want 50", got)
	}
	sizes := sh.gangSizes()
	if len(sizes) != sh.Gangs || sizes["gang-0"] != 8 || sizes["gang-1"] != 16 || sizes["gang-2"] != 32 || sizes["gang-119"] != 32 {
		t.Errorf("gang sizes: %d gangs, gang-0..2 %d %d %d", len(sizes), sizes["gang-0"], sizes["gang-1"], sizes["gang-2"])
	}

	racks := map[string]string{"node-0": "rack-00", "node-1": "rack-00", "node-2": "rack-01"}
	w := &watcher{
		gangNodes: map[string][]string{"one": {"node-0", "node-1"}, "two": {"node-1", "node-2"}, "partial": {"node-0"}},
		gangDone:  map[string]time.Time{"one": {}, "two": {}},
	}
	if got := w.oneRack(racks); got != 1 {
		t.Errorf("one-rack gangs: %d, want 1", got)
	}

	small := shape{Name: "t", Nodes: 40, RackSize: 20, NodeCPU: "4", Gangs: 4, GangSizes: []int{8, 16}, PodCPU: "1", Cases: []string{"C", "C-rack"}}
	rep := &report{Shapes: []shape{small}, Runs: []runResult{
		{Shape: "t", Case: "C", Run: 1, Gangs: 4, OneRackGangs: 1, EffectiveRate: 100},
		{Shape: "t", Case: "C-rack", Run: 1, Gangs: 4, OneRackGangs: 4, EffectiveRate: 95},
		{Shape: "t", Case: "C-rack", Warmup: true, Gangs: 4, EffectiveRate: 1},
	}}
	md := markdown(rep)
	for _, want := range []string{
		"### Topology: t (40 nodes with 4 CPU in 2 racks of 20, label example.com/rack; 4 gangs of 8/16 pods requesting 1 CPU)",
		"| C | 1 | 0 | 100 | 1.00 | 1/4 | 0.25 |",
		"| C-rack | 1 | 0 | 95 | 0.95 | 4/4 | 1.00 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}

// TestOverWriteBudget: a measured run over its case's write budget is
// reported; warm-ups, stuck runs and cases without a budget are not.
func TestOverWriteBudget(t *testing.T) {
	runs := []runResult{
		{Shape: "smoke", Case: "C", Run: 1, WritesPerPod: 2.38},
		{Shape: "smoke", Case: "C", Run: 2, WritesPerPod: 3.5, Writes: apimetrics.Writes{"PATCH pods/status": 350}},
		{Shape: "smoke", Case: "C", Run: 3, WritesPerPod: 9, Warmup: true},
		{Shape: "smoke", Case: "A", Run: 1, WritesPerPod: 9, Stuck: true},
		{Shape: "smoke", Case: "B", Run: 1, WritesPerPod: 9},
		{Shape: "smoke", Case: "A", Run: 2, WritesPerPod: math.NaN()},
	}
	got := overWriteBudget(runs)
	if want := []string{"smoke C run 2: 3.50 writes per bound pod, budget 2.40 (PATCH pods/status: 350)"}; !slices.Equal(got, want) {
		t.Errorf("overWriteBudget = %q, want %q", got, want)
	}
}

// TestPodGroupReport checks, without a control plane, C-pg's writes (its
// PodGroup status writes read once settled) and its line in the report.
func TestPodGroupReport(t *testing.T) {
	before := apimetrics.Writes{"POST pods/binding": 5, "PATCH podgroups/status": 1, "POST pods": 100}
	end := apimetrics.Writes{"POST pods/binding": 25, "POST events": 22, "PATCH podgroups/status": 2, "POST pods": 120}
	settled := apimetrics.Writes{"POST pods/binding": 25, "POST events": 24, "PATCH podgroups/status": 4, "POST pods": 120}
	got := schedulerWrites(end, settled, before)
	want := apimetrics.Writes{"POST pods/binding": 20, "POST events": 22, "PATCH podgroups/status": 3}
	if got.String() != want.String() {
		t.Errorf("schedulerWrites = %v, want %v", got, want)
	}

	sh := shape{Name: "s", Nodes: 20, NodeCPU: "32", Gangs: 20, GangSize: 10, PodCPU: "10m", Cases: []string{"A", "C", "C-pg"}}
	rep := &report{Shapes: []shape{sh}, Runs: []runResult{
		{Shape: "s", Case: "C", Run: 1, Gangs: 20, EffectiveRate: 100, WritesPerPod: 3.0},
		{Shape: "s", Case: "C-pg", Run: 1, Gangs: 20, EffectiveRate: 96, WritesPerPod: 3.2, Writes: apimetrics.Writes{"PATCH podgroups/status": 30}},
		{Shape: "s", Case: "C-pg", Warmup: true, Gangs: 20, EffectiveRate: 1},
	}}
	md := markdown(rep)
	for _, want := range []string{
		"| s | 20 of 10 | 100 | 96 | 0.960 | yes | 3.00 | 3.20 | 1.5 |",
		"| s | C-pg | 1 | 0 | 96 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	rep.Shapes[0].Cases = []string{"A", "C"}
	if md := markdown(rep); strings.Contains(md, "C-pg/C") {
		t.Errorf("report without case C-pg has its table:\n%s", md)
	}
}
