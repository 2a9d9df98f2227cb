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
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	policy "k8s.io/api/policy/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/gangsched/gangsched/pkg/gang"
)

// placed is a running pod the test places itself: its node (an index
// into the env's nodes), its CPU and its name.
type placed struct {
	name string
	node int
	cpu  string
}

// createRunning creates pods bound to the env's nodes, as if placed
// earlier: a gang's members when workload is set (podGroup "workers"),
// else plain pods, all of the given priority class ("" for none).
func (e *env) createRunning(workload, priorityClass string, pods ...placed) []string {
	e.t.Helper()
	var specs []podSpec
	for _, p := range pods {
		s := podSpec{name: p.name, cpu: p.cpu, nodeName: e.nodes[p.node], priorityClassName: priorityClass}
		if workload != "" {
			s.workload, s.podGroup = workload, "workers"
		}
		specs = append(specs, s)
	}
	e.createPods(specs...)
	e.waitScheduled(names(specs)...)
	return names(specs)
}

// runningGangWorkload returns the Workload of a running gang of minCount
// members, with the disruption-mode annotation when mode is set.
func runningGangWorkload(name string, minCount int32, mode gang.DisruptionMode) *schedulingv1alpha1.Workload {
	w := gangWorkload(name, map[string]int32{"workers": minCount})
	if mode != "" {
		w.Annotations = map[string]string{gang.DisruptionModeAnnotation: string(mode)}
	}
	return w
}

// evicted returns which of pods the watcher saw deleted, sorted.
func evicted(deleted map[string]bool, pods []string) []string {
	var out []string
	for _, p := range pods {
		if _, ok := deleted[p]; ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// waitEvicted waits until the watcher saw n of pods deleted, each marked
// with the DisruptionTarget condition, and returns them.
func (e *env) waitEvicted(w *evictionWatcher, pods []string, n int) []string {
	e.t.Helper()
	var got []string
	e.waitFor("preemption victims", func() (bool, error) {
		got = evicted(w.snapshot(), pods)
		return len(got) >= n, nil
	})
	for _, p := range got {
		assert.True(e.t, w.snapshot()[p], "victim %s carried the DisruptionTarget condition", p)
	}
	return got
}

// requireWholeOrNone fails unless either every member of a gang was
// evicted or none was, and says which.
func (e *env) requireWholeOrNone(w *evictionWatcher, members []string) bool {
	e.t.Helper()
	got := evicted(w.snapshot(), members)
	require.True(e.t, len(got) == 0 || len(got) == len(members), "a running gang is evicted whole or not at all: evicted %v of %v", got, members)
	if len(got) == 0 {
		e.requireRunning(members...)
	}
	return len(got) == len(members)
}

// TestPlainPodDisruptsRunningGangAsAUnit: a plain pod of high priority
// finds room only by preempting. Each node runs one member of a bound gang
// and a plain pod of low priority.
//   - The room is only in the gang's place: an All gang is evicted whole,
//     both members, on both nodes; a Single gang loses one member.
//   - The gang is of higher priority than the plain pod beside it: the
//     plain pod is evicted, none of the gang.
func TestPlainPodDisruptsRunningGangAsAUnit(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode gang.DisruptionMode
		// gangCPU and lowCPU are what the member and the plain pod on each
		// node request; gangPriority is the gang's class value (0: none).
		gangCPU, lowCPU string
		gangPriority    int32
		// wantGangEvicted members; wantLowEvicted plain pods.
		wantGangEvicted, wantLowEvicted int
	}{
		{name: "no mode means All: the whole gang goes", gangCPU: "3", lowCPU: "1", wantGangEvicted: 2},
		{name: "All stated", mode: gang.DisruptionAll, gangCPU: "3", lowCPU: "1", wantGangEvicted: 2},
		{name: "Single: one member goes", mode: gang.DisruptionSingle, gangCPU: "3", lowCPU: "1", wantGangEvicted: 1},
		{name: "All, of higher priority than a plain pod: none of the gang goes", gangCPU: "2", lowCPU: "2", gangPriority: 10, wantLowEvicted: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachSource(t, func(t *testing.T, e *env) {
				e.createNodes(2, "4")
				high := e.createPriorityClass("high", 1000, v1.PreemptLowerPriority)
				gangClass := ""
				if tc.gangPriority > 0 {
					gangClass = e.createPriorityClass("mid", tc.gangPriority, v1.PreemptLowerPriority)
				}
				e.createWorkload(runningGangWorkload("run", 2, tc.mode))
				run := e.createRunning("run", gangClass, placed{"run-0", 0, tc.gangCPU}, placed{"run-1", 1, tc.gangCPU})
				low := e.createRunning("", "", placed{"low-0", 0, tc.lowCPU}, placed{"low-1", 1, tc.lowCPU})
				evictions := e.watchEvictions()

				e.createPods(podSpec{name: "high", cpu: "2", priorityClassName: high})
				e.waitScheduled("high")
				if tc.wantGangEvicted > 0 {
					e.waitEvicted(evictions, run, tc.wantGangEvicted)
				}
				if tc.wantLowEvicted > 0 {
					e.waitEvicted(evictions, low, tc.wantLowEvicted)
				}
				deleted := evictions.snapshot()
				assert.Len(t, evicted(deleted, run), tc.wantGangEvicted, "gang members evicted: %v", deleted)
				assert.Len(t, evicted(deleted, low), tc.wantLowEvicted, "plain pods evicted: %v", deleted)
				if tc.mode != gang.DisruptionSingle {
					e.requireWholeOrNone(evictions, run)
				}
			})
		})
	}
}

// TestGangPreemptionNeverSplitsRunningGang: a high-priority gang of three
// 1-CPU members needs room on full nodes. Node 0 runs a 3-CPU member of a
// running gang and a plain pod; node 1 the gang's 1-CPU member and three
// plain pods, all of low priority. Evicting the 3-CPU member alone would
// be cheapest (one victim for three members). An All gang goes whole
// (two victims, which still beats three) or another set does; never part
// of it. A Single gang loses only its 3-CPU member.
func TestGangPreemptionNeverSplitsRunningGang(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode gang.DisruptionMode
		// wantRun are the running gang's members evicted.
		wantRun []string
	}{
		{name: "All", wantRun: []string{"run-0", "run-1"}},
		{name: "Single", mode: gang.DisruptionSingle, wantRun: []string{"run-0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachSource(t, func(t *testing.T, e *env) {
				e.createNodes(2, "4")
				high := e.createPriorityClass("high", 1000, v1.PreemptLowerPriority)
				e.createWorkload(runningGangWorkload("run", 2, tc.mode))
				run := e.createRunning("run", "", placed{"run-0", 0, "3"}, placed{"run-1", 1, "1"})
				e.createRunning("", "", placed{"a-0", 0, "1"}, placed{"b-0", 1, "1"}, placed{"b-1", 1, "1"}, placed{"b-2", 1, "1"})
				evictions := e.watchEvictions()

				e.createWorkload(gangWorkload("big", map[string]int32{"workers": 3}))
				gangPods := members("big", "big", "workers", "", 3, "1")
				for i := range gangPods {
					gangPods[i].priorityClassName = high
				}
				e.createPods(gangPods...)
				e.waitGangBound(e.group("big", "workers", ""), 3)
				if tc.mode != gang.DisruptionSingle {
					e.requireWholeOrNone(evictions, run)
				}
				assert.Equal(t, tc.wantRun, evicted(evictions.snapshot(), run), "evicted: %v", evictions.snapshot())
			})
		})
	}
}

// TestGangPreemptionPrefersNoPDBViolation: two nodes are full of
// low-priority pods; those of node 0 are guarded by a
// PodDisruptionBudget that allows no disruption. Either node's pods make
// room for the high-priority gang at the same cost otherwise (node 0 wins
// ties by name); the gang preempts those of node 1.
func TestGangPreemptionPrefersNoPDBViolation(t *testing.T) {
	forEachSource(t, func(t *testing.T, e *env) {
		e.createNodes(2, "4")
		high := e.createPriorityClass("high", 1000, v1.PreemptLowerPriority)
		pdb := &policy.PodDisruptionBudget{
			ObjectMeta: metav1.ObjectMeta{Name: "guarded", Namespace: e.ns},
			Spec: policy.PodDisruptionBudgetSpec{
				MinAvailable: ptr.To(intstr.FromInt32(4)),
				Selector:     &metav1.LabelSelector{MatchLabels: map[string]string{"app": "guarded"}},
			},
		}
		_, err := e.cs.PolicyV1().PodDisruptionBudgets(e.ns).Create(e.ctx, pdb, metav1.CreateOptions{})
		require.NoError(t, err)
		var guarded, free []podSpec
		for i := range 4 {
			guarded = append(guarded, podSpec{name: fmt.Sprintf("guarded-%d", i), nodeName: e.nodes[0], labels: map[string]string{"app": "guarded"}})
			free = append(free, podSpec{name: fmt.Sprintf("free-%d", i), nodeName: e.nodes[1]})
		}
		e.createPods(append(guarded, free...)...)
		e.waitScheduled(append(names(guarded), names(free)...)...)
		evictions := e.watchEvictions()

		e.createWorkload(gangWorkload("big", map[string]int32{"workers": 4}))
		gangPods := members("big", "big", "workers", "", 4, "1")
		for i := range gangPods {
			gangPods[i].priorityClassName = high
		}
		e.createPods(gangPods...)
		e.waitGangBound(e.group("big", "workers", ""), 4)
		assert.Equal(t, names(free), evicted(evictions.snapshot(), names(free)), "the pods no budget guards are the victims")
		assert.Empty(t, evicted(evictions.snapshot(), names(guarded)), "no guarded pod is a victim")
	})
}

// TestPlainPodPreemptsAsUpstream: with no gang in the way, a plain pod
// preempts as upstream's DefaultPreemption does (which the profile no
// longer runs): on the node whose most important victim has the lowest
// priority, the fewest victims, the more important reprieved first.
// Node 0 runs pods of priority 1 (2 CPU) and 5 (2 CPU); node 1 of
// priority 3 and 4. The 2-CPU preemptor evicts exactly the pod of
// priority 1, and is nominated to node 0 and bound there.
func TestPlainPodPreemptsAsUpstream(t *testing.T) {
	e := newEnv(t, false)
	e.createNodes(2, "4")
	high := e.createPriorityClass("high", 1000, v1.PreemptLowerPriority)
	classes := map[int32]string{}
	for _, v := range []int32{1, 3, 4, 5} {
		classes[v] = e.createPriorityClass(fmt.Sprintf("p%d", v), v, v1.PreemptLowerPriority)
	}
	running := []podSpec{
		{name: "p1", cpu: "2", nodeName: e.nodes[0], priorityClassName: classes[1]},
		{name: "p5", cpu: "2", nodeName: e.nodes[0], priorityClassName: classes[5]},
		{name: "p3", cpu: "2", nodeName: e.nodes[1], priorityClassName: classes[3]},
		{name: "p4", cpu: "2", nodeName: e.nodes[1], priorityClassName: classes[4]},
	}
	e.createPods(running...)
	e.waitScheduled(names(running)...)
	evictions := e.watchEvictions()

	e.createPods(podSpec{name: "high", cpu: "2", priorityClassName: high})
	e.waitScheduled("high")
	got, err := e.cs.CoreV1().Pods(e.ns).Get(context.Background(), "high", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, e.nodes[0], got.Spec.NodeName)
	assert.Equal(t, []string{"p1"}, e.waitEvicted(evictions, names(running), 1))
	deleted := evictions.snapshot()
	assert.Len(t, deleted, 1, "one victim: %v", deleted)
	e.requireRunning("p5", "p3", "p4")
}
