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
	"bytes"
	"context"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"text/template"
	"time"

	v1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/test/schedtest"
)

const (
	schedulerName = "gangsched"
	gangLabel     = "bench.gangsched.io/gang"
	podGroupName  = "pg"
	// creators is how many goroutines create pods (and nodes) in parallel.
	creators = 16
	// clientQPS is the QPS and burst of every client, ours and the
	// scheduler's, so that client-side throttling is not what we measure.
	clientQPS = 5000
	// rackLabel is the node label of the racks of a shape with RackSize
	// (value rack-NN), the topology key of its C-rack case.
	rackLabel = "example.com/rack"
)

//go:embed testdata/*.yaml
var configs embed.FS

type configParams struct {
	Kubeconfig           string
	QPS                  int
	PermitTimeoutSeconds int
}

func renderConfig(file string, p configParams) (string, error) {
	tmpl, err := template.ParseFS(configs, "testdata/"+file)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, p); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// startScheduler loads a configuration through app.Setup, as the gangsched
// command does (test/schedtest, shared with test/integration), and runs the
// scheduler until the returned stop function is called. Feature gates must
// be set before.
func startScheduler(dir, configYAML string) (stop func(), err error) {
	configFile := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(configFile, []byte(configYAML), 0o600); err != nil {
		return nil, err
	}
	_, cc, stop, err := schedtest.Start(configFile, func(err error) { fmt.Fprintf(os.Stderr, "scheduler stopped: %v\n", err) })
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	// app.Run starts the informers and schedules once they synced; wait for
	// that here so that the scheduler's start is not part of a measurement.
	if err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		synced := cc.InformerFactory.WaitForCacheSync(ctx.Done())
		if len(synced) == 0 {
			return false, nil
		}
		for _, ok := range synced {
			if !ok {
				return false, nil
			}
		}
		return true, nil
	}); err != nil {
		stop()
		return nil, fmt.Errorf("scheduler caches did not sync: %w", err)
	}
	return stop, nil
}

// parallel runs fn(i) for i in [0, n) on creators goroutines and returns the
// first error.
func parallel(n int, fn func(i int) error) error {
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
		next  = make(chan int)
	)
	for w := 0; w < creators; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

// resetNodes deletes every node and creates count fake nodes (no kubelet)
// with the given allocatable CPU, 256Gi of memory, 110 pods and Ready. With
// rackSize > 0, node i gets the label rackLabel=rack-NN, NN = i / rackSize,
// and racks maps each node's name to its rack; without, racks is nil.
func resetNodes(ctx context.Context, cs clientset.Interface, count int, cpu string, rackSize int) (racks map[string]string, err error) {
	if err := cs.CoreV1().Nodes().DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{}); err != nil {
		return nil, err
	}
	if err := waitEmpty(ctx, func() (int, error) {
		l, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return 0, err
		}
		return len(l.Items), nil
	}); err != nil {
		return nil, err
	}
	if rackSize > 0 {
		racks = map[string]string{}
		for i := 0; i < count; i++ {
			racks[nodeName(i)] = fmt.Sprintf("rack-%02d", i/rackSize)
		}
	}
	alloc := v1.ResourceList{
		v1.ResourceCPU:    resource.MustParse(cpu),
		v1.ResourceMemory: resource.MustParse("256Gi"),
		v1.ResourcePods:   resource.MustParse("110"),
	}
	return racks, parallel(count, func(i int) error {
		node := &v1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: nodeName(i)},
			Status: v1.NodeStatus{
				Capacity:    alloc,
				Allocatable: alloc,
				Conditions:  []v1.NodeCondition{{Type: v1.NodeReady, Status: v1.ConditionTrue}},
			},
		}
		if rack, ok := racks[node.Name]; ok {
			node.Labels = map[string]string{rackLabel: rack}
		}
		_, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
		return err
	})
}

func nodeName(i int) string { return fmt.Sprintf("node-%d", i) }

// waitEmpty polls count until it returns 0, for at most 3 minutes.
func waitEmpty(ctx context.Context, count func() (int, error)) error {
	return wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 3*time.Minute, true, func(context.Context) (bool, error) {
		n, err := count()
		return err == nil && n == 0, nil
	})
}

// deleteAll deletes the namespace's pods (grace period 0: no kubelet runs),
// Workloads and PodGroups and waits until the pods are gone.
func deleteAll(ctx context.Context, cs clientset.Interface, dyn dynamic.Interface, ns string) error {
	if err := deletePods(ctx, cs, ns); err != nil {
		return err
	}
	if err := cs.SchedulingV1alpha1().Workloads(ns).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{}); err != nil {
		return err
	}
	if err := dyn.Resource(podgroupv1alpha1.SchemeGroupVersionResource).Namespace(ns).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{}); err != nil {
		return err
	}
	return waitEmpty(ctx, func() (int, error) {
		l, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return 0, err
		}
		return len(l.Items), nil
	})
}

// deletePageSize and deleteWorkers bound the pod cleanup: one
// DeleteCollection of 30,000 pods outlasts the API server's request
// timeout, so pods are listed a page at a time and deleted one by one by a
// few workers.
const (
	deletePageSize = 1000
	deleteWorkers  = 16
)

// deletePods deletes every pod of ns (grace period 0: no kubelet runs).
func deletePods(ctx context.Context, cs clientset.Interface, ns string) error {
	opts := metav1.ListOptions{Limit: deletePageSize}
	for {
		l, err := cs.CoreV1().Pods(ns).List(ctx, opts)
		if err != nil {
			return err
		}
		names := make(chan string)
		errs := make(chan error, deleteWorkers)
		var wg sync.WaitGroup
		for i := 0; i < deleteWorkers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for name := range names {
					err := cs.CoreV1().Pods(ns).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
					if err != nil && !apierrors.IsNotFound(err) {
						select {
						case errs <- err:
						default:
						}
					}
				}
			}()
		}
		for _, p := range l.Items {
			names <- p.Name
		}
		close(names)
		wg.Wait()
		select {
		case err := <-errs:
			return err
		default:
		}
		if l.Continue == "" {
			return nil
		}
		opts.Continue = l.Continue
	}
}

// podKind is how a case's pods are grouped.
type podKind string

const (
	plainPods podKind = "plain" // no workloadRef
	gangPods  podKind = "gang"  // one Workload per gang, podGroup policy gang{minCount: gang size}
	basicPods podKind = "basic" // one Workload per gang, podGroup policy basic
	// podGroupPods are gangs declared the scheduler-plugins way: one
	// PodGroup (scheduling.x-k8s.io) per gang, minMember = gang size, and
	// pods labelled podgroupv1alpha1.PodGroupLabel instead of a workloadRef.
	podGroupPods podKind = "podgroup"
	// ignoredPods are for another scheduler: cached by the scheduler's
	// informers but never queued (the heap baseline).
	ignoredPods podKind = "ignored"
)

func gangName(g int) string { return fmt.Sprintf("gang-%d", g) }

// workload returns gang g's Workload; minCount is used for gang policies.
func workload(ns string, g int, kind podKind, minCount int32) *schedulingv1alpha1.Workload {
	pg := schedulingv1alpha1.PodGroup{Name: podGroupName}
	if kind == basicPods {
		pg.Policy.Basic = &schedulingv1alpha1.BasicSchedulingPolicy{}
	} else {
		pg.Policy.Gang = &schedulingv1alpha1.GangSchedulingPolicy{MinCount: minCount}
	}
	return &schedulingv1alpha1.Workload{
		ObjectMeta: metav1.ObjectMeta{Name: gangName(g), Namespace: ns},
		Spec:       schedulingv1alpha1.WorkloadSpec{PodGroups: []schedulingv1alpha1.PodGroup{pg}},
	}
}

// podGroup returns gang g's PodGroup, with minMember as its quorum.
func podGroup(ns string, g int, minMember int32) *podgroupv1alpha1.PodGroup {
	return &podgroupv1alpha1.PodGroup{
		ObjectMeta: metav1.ObjectMeta{Name: gangName(g), Namespace: ns},
		Spec:       podgroupv1alpha1.PodGroupSpec{MinMember: minMember},
	}
}

// pod returns member i of gang g.
func pod(ns string, g, i int, kind podKind, cpu string) *v1.Pod {
	p := &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:      fmt.Sprintf("%s-%d", gangName(g), i),
			Namespace: ns,
			Labels:    map[string]string{gangLabel: gangName(g)},
		},
		Spec: v1.PodSpec{
			SchedulerName:                 schedulerName,
			TerminationGracePeriodSeconds: ptr.To[int64](0),
			Containers: []v1.Container{{
				Name:  "pause",
				Image: "registry.k8s.io/pause:3.10",
				Resources: v1.ResourceRequirements{Requests: v1.ResourceList{
					v1.ResourceCPU:    resource.MustParse(cpu),
					v1.ResourceMemory: resource.MustParse("10Mi"),
				}},
			}},
		},
	}
	switch kind {
	case gangPods, basicPods:
		p.Spec.WorkloadRef = &v1.WorkloadReference{Name: gangName(g), PodGroup: podGroupName}
	case podGroupPods:
		p.Labels[podgroupv1alpha1.PodGroupLabel] = gangName(g)
	case ignoredPods:
		p.Spec.SchedulerName = "nobody"
	}
	return p
}

// waitPodGroupsScheduled waits, for at most timeout, until every PodGroup
// of the namespace has a status that counts all its members scheduled
// (phase Scheduling, scheduled = minMember): the status controller writes
// a second or so after the last binding, so a run that stopped its
// scheduler at the last binding would not count the last status write.
func waitPodGroupsScheduled(ctx context.Context, dyn dynamic.Interface, ns string, timeout time.Duration) error {
	var pending []string
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		list, err := dyn.Resource(podgroupv1alpha1.SchemeGroupVersionResource).Namespace(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, nil
		}
		pending = pending[:0]
		for i := range list.Items {
			pg, err := podgroupv1alpha1.FromUnstructured(&list.Items[i])
			if err != nil {
				return false, err
			}
			if pg.Status.Phase != podgroupv1alpha1.PodGroupScheduling || pg.Status.Scheduled != pg.Spec.MinMember {
				pending = append(pending, fmt.Sprintf("%s (%s, %d/%d scheduled)", pg.Name, pg.Status.Phase, pg.Status.Scheduled, pg.Spec.MinMember))
			}
		}
		return len(pending) == 0, nil
	})
	if err != nil {
		return fmt.Errorf("PodGroup statuses not settled: %v: %w", pending, err)
	}
	return nil
}

// watcher records, from a pod informer, when each pod was first seen bound
// and when each gang was first seen fully bound.
type watcher struct {
	mu      sync.Mutex
	seen    map[string]bool
	boundAt map[string]time.Time
	// gangSizes is the size of each gang, by name.
	gangSizes map[string]int
	// gangBound counts bound pods per gang; gangDone is when it reached its
	// size.
	gangBound map[string]int
	gangDone  map[string]time.Time
	// gangNodes are the nodes each gang's pods were bound to.
	gangNodes map[string][]string
	// onGangDone, if set, runs (in its own goroutine) when a gang is fully bound.
	onGangDone func(gang string)
	changed    chan struct{}
	stop       chan struct{}
}

func startWatcher(cs clientset.Interface, ns string, gangSizes map[string]int, onGangDone func(string)) (*watcher, error) {
	w := &watcher{
		seen:       map[string]bool{},
		boundAt:    map[string]time.Time{},
		gangSizes:  gangSizes,
		gangBound:  map[string]int{},
		gangDone:   map[string]time.Time{},
		gangNodes:  map[string][]string{},
		onGangDone: onGangDone,
		changed:    make(chan struct{}, 1),
		stop:       make(chan struct{}),
	}
	factory := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithNamespace(ns))
	record := func(obj interface{}) {
		p, ok := obj.(*v1.Pod)
		if !ok {
			return
		}
		now := time.Now()
		w.mu.Lock()
		defer w.mu.Unlock()
		w.seen[p.Name] = true
		if p.Spec.NodeName == "" {
			return
		}
		if _, ok := w.boundAt[p.Name]; ok {
			return
		}
		w.boundAt[p.Name] = now
		g := p.Labels[gangLabel]
		w.gangBound[g]++
		w.gangNodes[g] = append(w.gangNodes[g], p.Spec.NodeName)
		if w.gangBound[g] == w.gangSizes[g] {
			w.gangDone[g] = now
			if w.onGangDone != nil {
				go w.onGangDone(g)
			}
		}
		select {
		case w.changed <- struct{}{}:
		default:
		}
	}
	if _, err := factory.Core().V1().Pods().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    record,
		UpdateFunc: func(_, n interface{}) { record(n) },
	}); err != nil {
		return nil, err
	}
	factory.Start(w.stop)
	factory.WaitForCacheSync(w.stop)
	return w, nil
}

func (w *watcher) close() { close(w.stop) }

func (w *watcher) counts() (seen, bound, gangsDone int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.seen), len(w.boundAt), len(w.gangDone)
}

// waitUntil waits until done() or the deadline; it returns false on timeout.
func (w *watcher) waitUntil(deadline time.Time, done func() bool) bool {
	return waitChanged(w.changed, deadline, done)
}

// waitChanged waits until done() or the deadline, looking again whenever
// changed signals and every 500 ms; it returns false on timeout.
func waitChanged(changed <-chan struct{}, deadline time.Time, done func() bool) bool {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for !done() {
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-changed:
		case <-tick.C:
		}
	}
	return true
}

// oneRack counts the gangs fully bound with every pod on nodes of one rack;
// racks maps node names to racks.
func (w *watcher) oneRack(racks map[string]string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for g := range w.gangDone {
		nodes := w.gangNodes[g]
		rack, ok := racks[nodes[0]]
		for _, node := range nodes[1:] {
			ok = ok && racks[node] == rack
		}
		if ok {
			n++
		}
	}
	return n
}

// snapshot returns copies of the bound times and gang completion times.
func (w *watcher) snapshot() ([]time.Time, []time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	bound := make([]time.Time, 0, len(w.boundAt))
	for _, t := range w.boundAt {
		bound = append(bound, t)
	}
	gangs := make([]time.Time, 0, len(w.gangDone))
	for _, t := range w.gangDone {
		gangs = append(gangs, t)
	}
	return bound, gangs
}
