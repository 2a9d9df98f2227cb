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

package integration

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	"github.com/gangsched/gangsched/pkg/gang"
)

// createPriorityClass creates a PriorityClass for the test, named after its
// namespace, and removes it when the test ends.
func (e *env) createPriorityClass(name string, value int32, policy v1.PreemptionPolicy) string {
	e.t.Helper()
	pc := &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: e.ns + "-" + name}, Value: value, PreemptionPolicy: ptr.To(policy)}
	_, err := e.cs.SchedulingV1().PriorityClasses().Create(e.ctx, pc, metav1.CreateOptions{})
	require.NoError(e.t, err)
	e.t.Cleanup(func() {
		_ = e.cs.SchedulingV1().PriorityClasses().Delete(context.Background(), pc.Name, metav1.DeleteOptions{})
	})
	return pc.Name
}

// evictionWatcher records the pods of the namespace deleted during the
// test, and whether each carried the DisruptionTarget condition that
// preemption adds before it deletes.
type evictionWatcher struct {
	mu sync.Mutex
	// deleted maps each deleted pod to whether it had the condition.
	deleted map[string]bool
}

func (e *env) watchEvictions() *evictionWatcher {
	w := &evictionWatcher{deleted: map[string]bool{}}
	factory := informers.NewSharedInformerFactoryWithOptions(e.cs, 0, informers.WithNamespace(e.ns))
	_, err := factory.Core().V1().Pods().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		DeleteFunc: func(obj interface{}) {
			if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = tomb.Obj
			}
			p, ok := obj.(*v1.Pod)
			if !ok {
				return
			}
			marked := false
			for _, c := range p.Status.Conditions {
				if c.Type == v1.DisruptionTarget && c.Status == v1.ConditionTrue && c.Reason == v1.PodReasonPreemptionByScheduler {
					marked = true
				}
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			w.deleted[p.Name] = marked
		},
	})
	require.NoError(e.t, err)
	factory.Start(e.ctx.Done())
	factory.WaitForCacheSync(e.ctx.Done())
	return w
}

// snapshot returns the deleted pods so far.
func (w *evictionWatcher) snapshot() map[string]bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]bool, len(w.deleted))
	for k, v := range w.deleted {
		out[k] = v
	}
	return out
}

// requireRunning fails unless every named pod exists, bound and not
// being deleted.
func (e *env) requireRunning(podNames ...string) {
	e.t.Helper()
	for _, n := range podNames {
		p, err := e.cs.CoreV1().Pods(e.ns).Get(e.ctx, n, metav1.GetOptions{})
		require.NoError(e.t, err, "pod %s must not be evicted", n)
		require.Nil(e.t, p.DeletionTimestamp, "pod %s must not be evicted", n)
		require.NotEmpty(e.t, p.Spec.NodeName)
	}
}

// TestGangPreemptsAsAWhole fills the nodes with low-priority plain pods and
// submits a high-priority gang that fits only once some are gone. The gang
// preempts as a whole: exactly as many victims as its members need (the
// optimum, on one node), each marked DisruptionTarget before its deletion,
// and the gang binds whole. The other low-priority pods keep running.
func TestGangPreemptsAsAWhole(t *testing.T) {
	for _, tc := range []struct {
		name  string
		nodes int
	}{
		{name: "one node", nodes: 1},
		{name: "two nodes", nodes: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachSource(t, func(t *testing.T, e *env) {
				const size = 4
				e.createNodes(tc.nodes, "4")
				high := e.createPriorityClass("high", 1000, v1.PreemptLowerPriority)
				var low []podSpec
				for i := range 4 * tc.nodes {
					low = append(low, podSpec{name: fmt.Sprintf("low-%d", i)})
				}
				e.createPods(low...)
				e.waitScheduled(names(low)...)
				evictions := e.watchEvictions()

				e.createWorkload(gangWorkload("big", map[string]int32{"workers": size}))
				gangPods := members("big", "big", "workers", "", size, "1")
				for i := range gangPods {
					gangPods[i].priorityClassName = high
				}
				e.createPods(gangPods...)
				e.waitScheduled(names(gangPods)...)
				e.waitGangBound(e.group("big", "workers", ""), size)

				deleted := evictions.snapshot()
				assert.Len(t, deleted, size, "exactly as many victims as members: %v", deleted)
				for name, marked := range deleted {
					assert.True(t, strings.HasPrefix(name, "low-"), "only low-priority pods are victims, not %s", name)
					assert.True(t, marked, "victim %s carried the DisruptionTarget condition", name)
				}
				var kept []string
				for _, n := range names(low) {
					if _, ok := deleted[n]; !ok {
						kept = append(kept, n)
					}
				}
				e.requireRunning(kept...)
				key := e.group("big", "workers", "")
				e.waitEvent(key.Source.Kind(), key.Workload, v1.EventTypeNormal, "Preempting", regexp.MustCompile(regexp.QuoteMeta(gang.PreemptingMessage(key, size, 1))))
			})
		})
	}
}

// TestGangThatCannotFitByPreemptingEvictsNothing: pods of the gang's own
// priority take half the node, low-priority pods the rest. The gang fits
// the node with every other pod gone, so it is not judged unable to fit;
// but with every lower-priority pod gone it still does not, so it evicts
// nothing and says so.
func TestGangThatCannotFitByPreemptingEvictsNothing(t *testing.T) {
	forEachSource(t, func(t *testing.T, e *env) {
		e.createNodes(1, "4")
		high := e.createPriorityClass("high", 1000, v1.PreemptLowerPriority)
		others := []podSpec{{name: "peer-0", priorityClassName: high}, {name: "peer-1", priorityClassName: high}, {name: "low-0"}, {name: "low-1"}}
		e.createPods(others...)
		e.waitScheduled(names(others)...)

		e.createWorkload(gangWorkload("big", map[string]int32{"workers": 4}))
		gangPods := members("big", "big", "workers", "", 4, "1")
		for i := range gangPods {
			gangPods[i].priorityClassName = high
		}
		e.createPods(gangPods...)
		key := e.group("big", "workers", "")
		e.waitPending(gang.CannotFitByPreemptingMessage(key, 4, "1 cpu", 2), names(gangPods)[:1]...)
		e.requireRunning(names(others)...)
		e.requireNoneBound(key)
		for _, p := range gangPods {
			got, err := e.cs.CoreV1().Pods(e.ns).Get(e.ctx, p.name, metav1.GetOptions{})
			require.NoError(t, err)
			require.Empty(t, got.Status.NominatedNodeName, "gang member %s must not nominate a node", p.name)
		}
	})
}

// TestGangThatMustNotPreemptEvictsNothing: the gang's priority class has
// preemptionPolicy Never, which the API server copies into its members.
func TestGangThatMustNotPreemptEvictsNothing(t *testing.T) {
	forEachSource(t, func(t *testing.T, e *env) {
		e.createNodes(1, "4")
		high := e.createPriorityClass("high-never", 1000, v1.PreemptNever)
		low := []podSpec{{name: "low-0"}, {name: "low-1"}, {name: "low-2"}, {name: "low-3"}}
		e.createPods(low...)
		e.waitScheduled(names(low)...)

		e.createWorkload(gangWorkload("big", map[string]int32{"workers": 4}))
		gangPods := members("big", "big", "workers", "", 4, "1")
		for i := range gangPods {
			gangPods[i].priorityClassName = high
		}
		e.createPods(gangPods...)
		key := e.group("big", "workers", "")
		e.waitPending(gang.PreemptionNeverMessage(key), names(gangPods)[:1]...)
		e.requireRunning(names(low)...)
		e.requireNoneBound(key)
	})
}
