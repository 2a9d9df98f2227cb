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
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	"github.com/gangsched/gangsched/internal/apimetrics"
)

// Preemption shapes (issue 11): every node is full of low-priority pods
// bound at creation, then high-priority pods arrive that fit only by
// preempting them. The preemptors are the shape's one gang (Gangs 1,
// GangSize members, Workload gang minCount GangSize) in the gang cases, or
// GangSize plain pods in the plain cases; every pod, victim or preemptor,
// requests PodCPU.
const (
	// lowPriorityClass is the victims' class; highPriorityClass the
	// preemptors' (and the peers', which are therefore no victims).
	lowPriorityClass  = "bench-low"
	lowPriority       = 100
	highPriorityClass = "bench-high"
	highPriority      = 1000
	// roleLabel says what a pod of a preemption run is (role* values).
	roleLabel     = "bench.gangsched.io/role"
	roleVictim    = "victim"    // low-priority plain pod
	roleRunning   = "running"   // member of the running low-priority gang
	rolePeer      = "peer"      // pod of the preemptors' priority: no victim
	rolePreemptor = "preemptor" // high-priority pod being scheduled
	// runningGang is the name of the running gang's Workload and the value
	// of its members' gangLabel.
	runningGang = "running"
	// victimGraceSeconds is the grace period of the pods that may be
	// preempted, so that a preemption's delete leaves them Terminating, as
	// on a real node, until the benchmark's stand-in kubelet removes them.
	victimGraceSeconds = 30
	// preemptionSettle is how long a run goes on after its preemptors are
	// bound (or its cap), so that evictions and partial gangs still in
	// flight are counted.
	preemptionSettle = time.Second
)

// preemptionSpec fills a shape's nodes before its preemptors arrive, one
// pod of PodCPU per node, in this order from node-0: the running gang's
// members, then victims, then peers. The shapes fill every node and give
// every node room for one pod, so each preemptor needs exactly one
// eviction: the optimum is GangSize victims, or none when NeverFits.
type preemptionSpec struct {
	// RunningGang is the size of a running low-priority gang (its Workload
	// says minCount RunningGang; gangsched.io/disruption-mode is unset,
	// which means All under WorkloadGang).
	RunningGang int
	// Victims are low-priority plain pods.
	Victims int
	// Peers are plain pods of the preemptors' priority: never victims.
	Peers int
	// NeverFits: the preemptors cannot all bind even with every victim
	// gone. Such a run watches the whole cap and is not stuck.
	NeverFits bool
}

func (p preemptionSpec) filled() int { return p.RunningGang + p.Victims + p.Peers }

// optimumVictims is the fewest evictions that bind every preemptor: one
// per preemptor (see preemptionSpec), none for a gang that never fits.
func (sh shape) optimumVictims() int {
	if sh.Preemption.NeverFits {
		return 0
	}
	return sh.GangSize
}

// ensurePriorityClasses creates the benchmark's two priority classes unless
// they exist.
func (bn *bench) ensurePriorityClasses() {
	for name, value := range map[string]int32{lowPriorityClass: lowPriority, highPriorityClass: highPriority} {
		pc := &schedulingv1.PriorityClass{
			ObjectMeta:       metav1.ObjectMeta{Name: name},
			Value:            value,
			PreemptionPolicy: ptr.To(v1.PreemptLowerPriority),
		}
		if _, err := bn.cs.SchedulingV1().PriorityClasses().Create(bn.ctx, pc, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			bn.b.Fatalf("priority class %s: %v", name, err)
		}
	}
}

// fillNodes creates the running gang's Workload and the pods of p, each
// bound to its node at creation (no scheduler involved).
func (bn *bench) fillNodes(ns string, sh shape) {
	p := sh.Preemption
	if p.RunningGang > 0 {
		wl := workload(ns, 0, gangPods, int32(p.RunningGang))
		wl.Name = runningGang
		if _, err := bn.cs.SchedulingV1alpha1().Workloads(ns).Create(bn.ctx, wl, metav1.CreateOptions{}); err != nil {
			bn.b.Fatalf("running gang workload: %v", err)
		}
	}
	if err := parallel(p.filled(), func(i int) error {
		pd := pod(ns, 0, i, plainPods, sh.PodCPU)
		pd.Spec.NodeName = nodeName(i)
		pd.Spec.TerminationGracePeriodSeconds = ptr.To[int64](victimGraceSeconds)
		pd.Spec.PriorityClassName = lowPriorityClass
		switch {
		case i < p.RunningGang:
			pd.Name = fmt.Sprintf("%s-%d", runningGang, i)
			pd.Labels = map[string]string{roleLabel: roleRunning, gangLabel: runningGang}
			pd.Spec.WorkloadRef = &v1.WorkloadReference{Name: runningGang, PodGroup: podGroupName}
		case i < p.RunningGang+p.Victims:
			pd.Name = fmt.Sprintf("victim-%d", i)
			pd.Labels = map[string]string{roleLabel: roleVictim}
		default:
			pd.Name = fmt.Sprintf("peer-%d", i)
			pd.Labels = map[string]string{roleLabel: rolePeer}
			pd.Spec.PriorityClassName = highPriorityClass
			pd.Spec.TerminationGracePeriodSeconds = ptr.To[int64](0)
		}
		_, err := bn.cs.CoreV1().Pods(ns).Create(bn.ctx, pd, metav1.CreateOptions{})
		return err
	}); err != nil {
		bn.b.Fatalf("filling the nodes: %v", err)
	}
}

// createPreemptors creates the case's preemptors, high-priority pods (and
// their gang's Workload first, in gang cases), and returns when the first
// pod create call started and when the last returned.
func (bn *bench) createPreemptors(ns string, sh shape, kind podKind) (start, end time.Time) {
	if kind == gangPods {
		if _, err := bn.cs.SchedulingV1alpha1().Workloads(ns).Create(bn.ctx, workload(ns, 0, gangPods, int32(sh.GangSize)), metav1.CreateOptions{}); err != nil {
			bn.b.Fatalf("workload: %v", err)
		}
	}
	pods := make([]*v1.Pod, sh.GangSize)
	for i := range pods {
		pods[i] = pod(ns, 0, i, kind, sh.PodCPU)
		pods[i].Labels[roleLabel] = rolePreemptor
		pods[i].Spec.PriorityClassName = highPriorityClass
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

// runPreemption measures one run of case c on a preemption shape: fill
// the nodes, start the case's scheduler, create the preemptors, and wait
// until all are bound (for a gang: bound whole), or for the cap.
func (bn *bench) runPreemption(sh shape, c benchCase, run int, warmup bool) runResult {
	b := bn.b
	p := sh.Preemption
	bn.ensurePriorityClasses()
	ns := bn.newNamespace()
	sizes := map[string]int{}
	if p.RunningGang > 0 {
		sizes[runningGang] = p.RunningGang
	}
	if c.Kind == gangPods {
		sizes[gangName(0)] = sh.GangSize
	}
	w, err := startPreemptionWatcher(bn.cs, ns, sizes)
	if err != nil {
		b.Fatal(err)
	}
	bn.fillNodes(ns, sh)
	if !w.waitUntil(time.Now().Add(time.Minute), func() bool { return w.seenCount() >= p.filled() }) {
		b.Fatalf("%s %s: the pods filling the nodes were not all seen", sh.Name, c.Name)
	}
	// The scheduler starts after the nodes are full: its caches hold every
	// victim before the first preemptor exists.
	stop := bn.startScheduler(c)
	before := gatherHistogram(attemptMetric)
	writesBefore := bn.apiWrites()

	start, created := bn.createPreemptors(ns, sh, c.Kind)
	done := w.waitUntil(start.Add(sh.capFor()), func() bool { return w.boundCount() >= sh.GangSize })
	time.Sleep(preemptionSettle)
	writesEnd := bn.apiWrites()
	res := w.result()
	stop()
	hist := gatherHistogram(attemptMetric).minus(before)
	w.close()
	bn.setGates(benchCase{})

	// The API server counts the scheduler's deletes of victims and the
	// stand-in kubelet's together: the scheduler's are the difference.
	writes := writesEnd.Scheduler(writesBefore)
	if d := writesEnd["DELETE pods"] - writesBefore["DELETE pods"] - float64(res.kubeletDeletes); d > 0 {
		writes["DELETE pods"] = d
	}
	r := runResult{
		Shape: sh.Name, Case: c.Name, Run: run, Warmup: warmup, Nodes: sh.Nodes, Pods: sh.GangSize, GangSize: sh.GangSize,
		Bound: len(res.bound), Stuck: !done && !p.NeverFits, CreateSeconds: created.Sub(start).Seconds(),
		FirstBindSeconds: math.NaN(), LastBindSeconds: math.NaN(), TailSeconds: math.NaN(), EffectiveRate: math.NaN(),
		Attempts:     hist.count,
		AttemptP50ms: hist.quantile(0.5) * 1000, AttemptP90ms: hist.quantile(0.9) * 1000, AttemptP99ms: hist.quantile(0.99) * 1000,
		Writes: writes, WritesPerPod: math.NaN(),
		Victims: res.victims, VictimsMarked: res.marked, RunningGangVictims: res.runningVictims, PartialGangs: res.partial,
	}
	if c.Kind == gangPods {
		r.Gangs = 1
	}
	if len(res.bound) > 0 {
		r.WritesPerPod = writes.Total() / float64(len(res.bound))
		first, last := span(res.bound)
		r.FirstBindSeconds = first.Sub(start).Seconds()
		if done {
			r.LastBindSeconds = last.Sub(start).Seconds()
			r.TailSeconds = r.LastBindSeconds - r.CreateSeconds
			r.EffectiveRate = float64(sh.GangSize) / r.LastBindSeconds
			r.GangsDone = r.Gangs
		}
		r.Samples = throughputSamples(res.bound)
		r.Throughput = summarize(r.Samples)
	}
	tag := fmt.Sprintf("run %d", run)
	if warmup {
		tag = "warm-up"
	}
	status := "done"
	switch {
	case !done && p.NeverFits:
		status = fmt.Sprintf("not bound after %s, as expected", sh.capFor())
	case !done:
		status = fmt.Sprintf("STUCK after %s", sh.capFor())
	}
	b.Logf("%s %s %s: %s, %d/%d bound, all bound at %ss, %d victims evicted (optimum %d; %d with DisruptionTarget, %d of the running gang), %d partial gangs, %s writes per bound pod (%v)",
		sh.Name, c.Name, tag, status, r.Bound, sh.GangSize, numFmt(r.LastBindSeconds, 2), r.Victims, sh.optimumVictims(), r.VictimsMarked,
		r.RunningGangVictims, r.PartialGangs, numFmt(r.WritesPerPod, 2), writes)
	if err := deleteAll(bn.ctx, bn.cs, bn.dyn, ns); err != nil {
		b.Fatalf("cleanup %s: %v", ns, err)
	}
	return r
}

// preemptionWatcher follows the pods of one preemption run. It records
// when each preemptor is first seen bound, which other pods are evicted
// (seen terminating or deleted), and the live members of each gang. It
// also stands in for the kubelets the fake nodes lack: a pod deleted with
// a grace period stays Terminating until its kubelet confirms, so the
// watcher deletes every terminating pod it sees with grace period 0.
type preemptionWatcher struct {
	cs clientset.Interface
	ns string
	// sizes is the size of each gang followed, by gangLabel value.
	sizes map[string]int

	mu      sync.Mutex
	seen    map[string]bool
	boundAt map[string]time.Time
	// evicted maps each evicted pod to whether it carried the
	// DisruptionTarget condition.
	evicted map[string]bool
	// live holds each gang's bound members that are not terminating.
	live map[string]map[string]bool
	// released are the pods the watcher deleted, and kubeletDeletes its
	// delete calls that returned.
	released       map[types.UID]bool
	kubeletDeletes int

	changed chan struct{}
	stop    chan struct{}
}

func startPreemptionWatcher(cs clientset.Interface, ns string, sizes map[string]int) (*preemptionWatcher, error) {
	w := &preemptionWatcher{
		cs: cs, ns: ns, sizes: sizes,
		seen: map[string]bool{}, boundAt: map[string]time.Time{}, evicted: map[string]bool{},
		live: map[string]map[string]bool{}, released: map[types.UID]bool{},
		changed: make(chan struct{}, 1), stop: make(chan struct{}),
	}
	for g := range sizes {
		w.live[g] = map[string]bool{}
	}
	factory := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithNamespace(ns))
	if _, err := factory.Core().V1().Pods().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj interface{}) { w.observe(obj, false) },
		UpdateFunc: func(_, obj interface{}) { w.observe(obj, false) },
		DeleteFunc: func(obj interface{}) {
			if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = tomb.Obj
			}
			w.observe(obj, true)
		},
	}); err != nil {
		return nil, err
	}
	factory.Start(w.stop)
	factory.WaitForCacheSync(w.stop)
	return w, nil
}

// observe records one pod event; deleted is true for a delete event.
func (w *preemptionWatcher) observe(obj interface{}, deleted bool) {
	p, ok := obj.(*v1.Pod)
	if !ok {
		return
	}
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	select {
	case <-w.stop:
		// Deletes after the run are the cleanup's.
		return
	default:
	}
	w.seen[p.Name] = true
	role := p.Labels[roleLabel]
	gone := deleted || p.DeletionTimestamp != nil
	if gone {
		if _, ok := w.evicted[p.Name]; !ok && role != rolePreemptor {
			w.evicted[p.Name] = hasDisruptionTarget(p)
		}
		if live, ok := w.live[p.Labels[gangLabel]]; ok {
			delete(live, p.Name)
		}
		if !deleted && !w.released[p.UID] {
			w.released[p.UID] = true
			go w.release(p)
		}
	} else if p.Spec.NodeName != "" {
		if _, ok := w.boundAt[p.Name]; !ok && role == rolePreemptor {
			w.boundAt[p.Name] = now
		}
		if live, ok := w.live[p.Labels[gangLabel]]; ok {
			live[p.Name] = true
		}
	}
	select {
	case w.changed <- struct{}{}:
	default:
	}
}

// release does what a kubelet does once a pod's containers stopped: delete
// it for good.
func (w *preemptionWatcher) release(p *v1.Pod) {
	err := w.cs.CoreV1().Pods(w.ns).Delete(context.Background(), p.Name, metav1.DeleteOptions{
		GracePeriodSeconds: ptr.To[int64](0),
		Preconditions:      &metav1.Preconditions{UID: &p.UID},
	})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		fmt.Fprintf(os.Stderr, "releasing %s/%s: %v\n", w.ns, p.Name, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.kubeletDeletes++
}

func hasDisruptionTarget(p *v1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == v1.DisruptionTarget && c.Status == v1.ConditionTrue {
			return true
		}
	}
	return false
}

func (w *preemptionWatcher) seenCount() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.seen)
}

func (w *preemptionWatcher) boundCount() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.boundAt)
}

// waitUntil waits until done() or the deadline; it returns false on
// timeout.
func (w *preemptionWatcher) waitUntil(deadline time.Time, done func() bool) bool {
	return waitChanged(w.changed, deadline, done)
}

// preemptionOutcome is what a preemption run left.
type preemptionOutcome struct {
	bound []time.Time
	// victims evicted, marked of them with the DisruptionTarget condition,
	// runningVictims of them members of the running gang.
	victims, marked, runningVictims int
	// partial counts the gangs with some but not all members running.
	partial        int
	kubeletDeletes int
}

func (w *preemptionWatcher) result() preemptionOutcome {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out preemptionOutcome
	for _, t := range w.boundAt {
		out.bound = append(out.bound, t)
	}
	for name, marked := range w.evicted {
		out.victims++
		if marked {
			out.marked++
		}
		if strings.HasPrefix(name, runningGang+"-") {
			out.runningVictims++
		}
	}
	for g, live := range w.live {
		if n := len(live); n > 0 && n < w.sizes[g] {
			out.partial++
		}
	}
	out.kubeletDeletes = w.kubeletDeletes
	return out
}

func (w *preemptionWatcher) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	close(w.stop)
}

// writePreemptionTables renders one table per preemption shape: each
// case's time to bind all its preemptors (a gang: whole), the evictions,
// the partial gangs, and the ratios of the bind times.
func writePreemptionTables(sb *strings.Builder, rep *report) {
	for _, sh := range rep.Shapes {
		p := sh.Preemption
		if p == nil {
			continue
		}
		fmt.Fprintf(sb, "\n### Preemption: %s (%d nodes with %s CPU, every node full:", sh.Name, sh.Nodes, sh.NodeCPU)
		if p.RunningGang > 0 {
			fmt.Fprintf(sb, " a running low-priority gang of %d,", p.RunningGang)
		}
		fmt.Fprintf(sb, " %d low-priority pods", p.Victims)
		if p.Peers > 0 {
			fmt.Fprintf(sb, ", %d pods of the preemptors' priority", p.Peers)
		}
		fmt.Fprintf(sb, "; %d high-priority pods requesting %s CPU, one gang in gang cases)\n\n", sh.GangSize, sh.PodCPU)
		fmt.Fprintf(sb, "Bound s: from the first preemptor's create call until all are bound (a gang: bound whole); medians of the measured runs. "+
			"Victims: pods evicted (optimum %d). Partial gangs: gangs with some but not all members running %s after the end. "+
			"Writes: the scheduler's bindings, pod status writes, Events and pod deletes in the run, and per bound preemptor.", sh.optimumVictims(), preemptionSettle)
		if p.NeverFits {
			fmt.Fprintf(sb, " The preemptors never fit: each run watches %s.", sh.capFor())
		}
		fmt.Fprintf(sb, "\n\n| case | runs | stuck | bound s | victims | running-gang victims | partial gangs | writes | writes/pod |\n|---|---|---|---|---|---|---|---|---|\n")
		for _, c := range sh.Cases {
			n, stuck := countRuns(rep.Runs, sh.Name, c)
			med := func(get func(runResult) float64) float64 { return medianOf(rep.Runs, sh.Name, c, get) }
			fmt.Fprintf(sb, "| %s | %d | %d | %s | %s | %s | %s | %s | %s |\n", c, n, stuck,
				numFmt(med(boundWholeSeconds), 2),
				numFmt(med(func(r runResult) float64 { return float64(r.Victims) }), 0),
				numFmt(med(func(r runResult) float64 { return float64(r.RunningGangVictims) }), 0),
				numFmt(med(func(r runResult) float64 { return float64(r.PartialGangs) }), 0),
				numFmt(med(func(r runResult) float64 { return r.Writes.Total() }), 0),
				numFmt(med(func(r runResult) float64 { return r.WritesPerPod }), 2))
		}
		gang := medianOf(rep.Runs, sh.Name, "P-gang", boundWholeSeconds)
		if contains(sh.Cases, "P-gang") && contains(sh.Cases, "P-plain") {
			within := "–"
			if v := gang / medianOf(rep.Runs, sh.Name, "P-plain", boundWholeSeconds); !math.IsNaN(v) {
				within = "no"
				if v <= 1.5 {
					within = "yes"
				}
			}
			fmt.Fprintf(sb, "\nP-gang/P-plain (bound s): %s (target: within 1.5: %s)\n",
				ratio(gang, medianOf(rep.Runs, sh.Name, "P-plain", boundWholeSeconds)), within)
		}
		if contains(sh.Cases, "P-gang") && contains(sh.Cases, "P-intree") {
			fmt.Fprintf(sb, "\nP-gang/P-intree (bound s): %s\n", ratio(gang, medianOf(rep.Runs, sh.Name, "P-intree", boundWholeSeconds)))
		}
	}
}

// boundWholeSeconds is when a run's last preemptor was bound (NaN unless
// all were).
func boundWholeSeconds(r runResult) float64 {
	if r.Stuck || r.Bound < r.Pods {
		return math.NaN()
	}
	return r.LastBindSeconds
}

// TestPreemptionReport checks, without a control plane, the preemption
// shapes and their report table.
func TestPreemptionReport(t *testing.T) {
	for _, sh := range allShapes {
		p := sh.Preemption
		if p == nil {
			continue
		}
		if p.filled() != sh.Nodes {
			t.Errorf("%s: %d pods fill %d nodes, want one per node", sh.Name, p.filled(), sh.Nodes)
		}
		if sh.Gangs != 1 || sh.NodeCPU != sh.PodCPU {
			t.Errorf("%s: %d gangs, node cpu %s, pod cpu %s; want one gang and one pod per node", sh.Name, sh.Gangs, sh.NodeCPU, sh.PodCPU)
		}
		fits := p.Victims >= sh.GangSize
		if fits == p.NeverFits {
			t.Errorf("%s: %d victims for %d preemptors, NeverFits %v", sh.Name, p.Victims, sh.GangSize, p.NeverFits)
		}
	}

	sh := shape{Name: "p", Nodes: 20, NodeCPU: "1", Gangs: 1, GangSize: 8, PodCPU: "1", Cases: []string{"P-gang", "P-plain", "P-intree"},
		Preemption: &preemptionSpec{Victims: 20}}
	rep := &report{Shapes: []shape{sh}, Runs: []runResult{
		{Shape: "p", Case: "P-gang", Run: 1, Pods: 8, Bound: 8, LastBindSeconds: 3, Victims: 8, WritesPerPod: 4, Writes: apimetrics.Writes{"POST pods/binding": 8, "DELETE pods": 8, "POST events": 16}},
		{Shape: "p", Case: "P-gang", Run: 2, Pods: 8, Bound: 8, LastBindSeconds: 5, Victims: 8, WritesPerPod: 4, Writes: apimetrics.Writes{"POST pods/binding": 8, "DELETE pods": 8, "POST events": 16}},
		{Shape: "p", Case: "P-plain", Run: 1, Pods: 8, Bound: 8, LastBindSeconds: 2, Victims: 8, WritesPerPod: 5},
		{Shape: "p", Case: "P-intree", Run: 1, Pods: 8, Bound: 2, Stuck: true, Victims: 9, PartialGangs: 1, WritesPerPod: 6},
		{Shape: "p", Case: "P-gang", Warmup: true, Pods: 8, Bound: 8, LastBindSeconds: 60},
	}}
	md := markdown(rep)
	for _, want := range []string{
		"### Preemption: p (20 nodes with 1 CPU, every node full: 20 low-priority pods; 8 high-priority pods requesting 1 CPU, one gang in gang cases)",
		"Victims: pods evicted (optimum 8)",
		"| P-gang | 2 | 0 | 4.00 | 8 | 0 | 0 | 32 | 4.00 |",
		"| P-intree | 1 | 1 | – | 9 | 0 | 1 | 0 | 6.00 |",
		"P-gang/P-plain (bound s): 2.00 (target: within 1.5: no)",
		"P-gang/P-intree (bound s): –",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "| p | 20 | 8 |") {
		t.Errorf("the rate table lists a preemption shape:\n%s", md)
	}
}
