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
	"fmt"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gangsched/gangsched/pkg/gang"
)

// TestGangShortOfCapacityIsRejectedBeforeItsTimeout gives the gang a Permit
// timeout far longer than the test may wait (annotation on the Workload), on
// a node where a blocker pod leaves room for two of its three members. The
// gang fits the node once the blocker is gone, so it is short of free room,
// not judged unable to fit: the members that reserved are rejected as soon
// as the third finds no node, not when the timeout passes. Once the blocker
// is gone the gang binds whole.
func TestGangShortOfCapacityIsRejectedBeforeItsTimeout(t *testing.T) {
	forEachSource(t, func(t *testing.T, e *env) {
		e.createNodes(1, "4")
		e.createPods(podSpec{name: "blocker", cpu: "2"})
		e.waitScheduled("blocker")
		w := gangWorkload("train", map[string]int32{"workers": 3})
		w.Annotations = map[string]string{gang.PermitTimeoutAnnotation: "900"}
		e.createWorkload(w)
		pods := members("w", "train", "workers", "", 3, "1")
		before := gangMetrics(t)
		e.createPods(pods...)
		e.waitGangRejected(names(pods), 2)
		e.requireNoneBound(e.group("train", "workers", ""))
		e.waitPending("found no node", names(pods[:1])...)
		d := e.waitMetrics("a round rejected for a member that found no node", func(s samples) bool {
			return s.since(before)[rejectedSeries("member_unschedulable")] >= 1
		}).since(before)
		assert.Zero(t, d[rejectedSeries("timeout")])
		assert.Zero(t, d[rejectedSeries("cannot_fit")], "the gang fits the node without the blocker")
		// From its second attempt the gang holds its round (bounded waiting):
		// the blocker's room completes it.
		e.deletePods("blocker")
		e.waitScheduled(names(pods)...)
	})
}

// TestInvalidTimeoutAnnotationIsReported checks that a bad annotation value
// is reported in an Event on the Workload and the gang still schedules with
// the default timeout.
func TestInvalidTimeoutAnnotationIsReported(t *testing.T) {
	e := newEnv(t, gatesOff)
	e.createNodes(1, "4")
	w := gangWorkload("train", map[string]int32{"workers": 2})
	w.Annotations = map[string]string{gang.PermitTimeoutAnnotation: "forever"}
	e.createWorkload(w)
	e.waitWorkloadEvent("train", v1.EventTypeWarning, "InvalidAnnotation", regexp.MustCompile(regexp.QuoteMeta(gang.PermitTimeoutAnnotation)))
	pods := members("w", "train", "workers", "", 2, "1")
	e.createPods(pods...)
	e.waitScheduled(names(pods)...)
}

// TestGangThatCannotFitEvictsNothing fills the node with low-priority pods
// and submits a high-priority gang that does not fit beside them: without
// WorkloadGang at PostFilter, DefaultPreemption would evict victims for its
// members. A gang that could never fit (larger than the node) is judged
// unable to fit at its first failed member, which says so and stops
// PostFilter: it neither evicts nor nominates. (A gang that fits the node
// once the victims are gone preempts as a whole: see preemption_test.go.)
func TestGangThatCannotFitEvictsNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
		// want is what every member says.
		want func(key gang.GroupKey) string
	}{{
		name: "larger than the node",
		size: 5,
		want: func(key gang.GroupKey) string {
			return gang.CannotFitMessage(key, 5, "1 cpu", "5 cpu", 1, 4, "4 cpu, 16Gi memory")
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			forEachSource(t, func(t *testing.T, e *env) {
				e.createNodes(1, "4")
				pc := &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: e.ns + "-high"}, Value: 1000}
				_, err := e.cs.SchedulingV1().PriorityClasses().Create(e.ctx, pc, metav1.CreateOptions{})
				require.NoError(t, err)
				t.Cleanup(func() { _ = e.cs.SchedulingV1().PriorityClasses().Delete(e.ctx, pc.Name, metav1.DeleteOptions{}) })

				low := []podSpec{{name: "low-0"}, {name: "low-1"}, {name: "low-2"}, {name: "low-3"}}
				e.createPods(low...)
				e.waitScheduled(names(low)...)

				e.createWorkload(gangWorkload("big", map[string]int32{"workers": int32(tc.size)}))
				gangPods := members("big", "big", "workers", "", tc.size, "1")
				for i := range gangPods {
					gangPods[i].priorityClassName = pc.Name
				}
				e.createPods(gangPods...)
				e.waitPending(tc.want(e.group("big", "workers", "")), names(gangPods)...)
				for _, n := range names(low) {
					p, err := e.cs.CoreV1().Pods(e.ns).Get(e.ctx, n, metav1.GetOptions{})
					require.NoError(t, err, "low-priority pod %s must not be evicted", n)
					require.Nil(t, p.DeletionTimestamp, "low-priority pod %s must not be evicted", n)
					require.NotEmpty(t, p.Spec.NodeName)
				}
				for _, p := range gangPods {
					got, err := e.cs.CoreV1().Pods(e.ns).Get(e.ctx, p.name, metav1.GetOptions{})
					require.NoError(t, err)
					require.Empty(t, got.Status.NominatedNodeName, "gang member %s must not nominate a node", p.name)
				}
			})
		})
	}
}

// TestCompetingGangsCompleteOneAfterAnother creates gangs whose members are
// interleaved in the queue, on a cluster with room for exactly one gang. One
// gang must bind whole while no other binds any member; when its pods are
// deleted the next gang binds, until all have run. A deadlock (each gang
// holding part of the room) or a partial gang fails the test.
func TestCompetingGangsCompleteOneAfterAnother(t *testing.T) {
	for _, gangs := range []int{2, 10} {
		t.Run(fmt.Sprintf("%d gangs", gangs), func(t *testing.T) {
			const size = 4
			forEachSource(t, func(t *testing.T, e *env) {
				e.createNodes(size, "1")
				// Gang g is Workload "c<g>" (or PodGroup "c<g>-g"); its
				// members are created interleaved with the other gangs'.
				index := map[gang.GroupKey]int{}
				for g := 0; g < gangs; g++ {
					e.createWorkload(gangWorkload(fmt.Sprintf("c%d", g), map[string]int32{"g": size}))
					index[e.group(fmt.Sprintf("c%d", g), "g", "")] = g
				}
				for i := 0; i < size; i++ {
					for g := 0; g < gangs; g++ {
						e.createPods(podSpec{name: fmt.Sprintf("g%d-%d", g, i), workload: fmt.Sprintf("c%d", g), podGroup: "g", cpu: "1"})
					}
				}
				done := map[gang.GroupKey]bool{}
				for len(done) < gangs {
					var winner gang.GroupKey
					e.waitFor(fmt.Sprintf("gang %d of %d to bind whole", len(done)+1, gangs), func() (bool, error) {
						for k, n := range e.watcher.boundGroups() {
							if !done[k] && n >= size {
								winner = k
								return true, nil
							}
						}
						return false, nil
					})
					for k, n := range e.watcher.boundGroups() {
						if k != winner && !done[k] {
							require.Zero(t, n, "gang %s bound %d members while %s held the room", k, n, winner)
						}
					}
					done[winner] = true
					var winners []string
					for i := 0; i < size; i++ {
						winners = append(winners, fmt.Sprintf("g%d-%d", index[winner], i))
					}
					e.deletePods(winners...)
				}
			})
		})
	}
}
