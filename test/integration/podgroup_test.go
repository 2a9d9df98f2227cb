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
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"

	"github.com/gangsched/gangsched/internal/apimetrics"
	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
)

// The behaviours below are the PodGroup source's own (issue 14): what
// Coscheduling documents for a PodGroup's fields, and the status it keeps.
// The scenarios every source shares run twice (forEachGates,
// forEachSource).

func podGroup(name string, minMember int32) *podgroupv1alpha1.PodGroup {
	return &podgroupv1alpha1.PodGroup{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       podgroupv1alpha1.PodGroupSpec{MinMember: minMember},
	}
}

// labelled returns n pod specs named prefix-0.. in the PodGroup pg. The
// env of newPodGroupEnv labels a pod of "Workload" w, podGroup p, with the
// PodGroup "w-p": pg must have that shape.
func labelled(prefix, pg string, n int, cpu string) []podSpec {
	w, p, ok := strings.Cut(pg, "-")
	if !ok {
		panic("PodGroup names in these tests are <workload>-<podGroup>")
	}
	return members(prefix, w, p, "", n, cpu)
}

// TestPodGroupScheduleTimeout: spec.scheduleTimeoutSeconds is the gang's
// Permit timeout, in place of the scheduler's permitTimeoutSeconds (3 s in
// these tests).
func TestPodGroupScheduleTimeout(t *testing.T) {
	e := newPodGroupEnv(t)
	e.createNodes(1, "4")
	e.blockRoom("blocker", "2")
	pg := podGroup("train-workers", 3)
	pg.Spec.ScheduleTimeoutSeconds = ptr.To[int32](1)
	e.createPodGroup(pg)
	pods := labelled("w", "train-workers", 3, "1")
	e.createPods(pods...)
	e.waitSomePending("a member rejected by the PodGroup's 1 s timeout", names(pods), 1, func(msg string) bool {
		return strings.Contains(msg, "the Permit timeout (1s) passed")
	})
	e.requireNoneBound(e.group("train", "workers", ""))
	e.deletePods("blocker")
	e.waitScheduled(names(pods)...)
}

// TestPodGroupInvalidTimeoutIsReported: a scheduleTimeoutSeconds outside
// [1, 900] is reported on the PodGroup, and the gang is scheduled with the
// scheduler's own timeout.
func TestPodGroupInvalidTimeoutIsReported(t *testing.T) {
	e := newPodGroupEnv(t)
	e.createNodes(1, "4")
	pg := podGroup("train-workers", 2)
	pg.Spec.ScheduleTimeoutSeconds = ptr.To[int32](0)
	e.createPodGroup(pg)
	e.waitEvent(podgroupv1alpha1.Kind, "train-workers", v1.EventTypeWarning, "InvalidSpec", regexp.MustCompile(`spec\.scheduleTimeoutSeconds=0 is invalid`))
	pods := labelled("w", "train-workers", 2, "1")
	e.createPods(pods...)
	e.waitScheduled(names(pods)...)
}

// TestPodGroupMinResources: a PodGroup is not attempted while the nodes'
// free room cannot hold its minResources, even when each member would fit,
// and its pods say so with the numbers; room appearing lets it bind.
func TestPodGroupMinResources(t *testing.T) {
	e := newPodGroupEnv(t)
	e.createNodes(1, "4")
	pg := podGroup("train-workers", 2)
	pg.Spec.MinResources = v1.ResourceList{v1.ResourceCPU: resource.MustParse("6")}
	e.createPodGroup(pg)
	pods := labelled("w", "train-workers", 2, "1")
	e.createPods(pods...)
	e.waitPending(gang.MinResourcesMessage(e.group("train", "workers", ""), "cpu=6", "cpu=4"), names(pods)...)
	e.requireNoneBound(e.group("train", "workers", ""))
	e.createNodes(1, "4")
	e.waitScheduled(names(pods)...)
}

// TestPodGroupStatus: the leader keeps PodGroup.status as Coscheduling's
// controller does (phase, counts, scheduleStartTime), with one write per
// change and not one per pod event.
func TestPodGroupStatus(t *testing.T) {
	e := newPodGroupEnv(t)
	e.createNodes(1, "8")
	e.createPodGroup(podGroup("train-workers", 4))
	pods := labelled("w", "train-workers", 4, "1")
	before := e.podGroupStatusWrites()
	e.createPods(pods[:3]...)
	st := e.waitPodGroupStatus("train-workers", "Pending with no start time", func(s podgroupv1alpha1.PodGroupStatus) bool {
		return s.Phase == podgroupv1alpha1.PodGroupPending
	})
	assert.True(t, st.ScheduleStartTime.IsZero(), "no start before minMember pods exist")

	e.createPods(pods[3])
	e.waitScheduled(names(pods)...)
	st = e.waitPodGroupStatus("train-workers", "Scheduling, 4 scheduled", func(s podgroupv1alpha1.PodGroupStatus) bool {
		return s.Phase == podgroupv1alpha1.PodGroupScheduling && s.Scheduled == 4
	})
	assert.False(t, st.ScheduleStartTime.IsZero(), "started once minMember pods existed")

	for _, p := range pods {
		e.setPhase(p.name, v1.PodRunning)
	}
	e.waitPodGroupStatus("train-workers", "Running, 4 running", func(s podgroupv1alpha1.PodGroupStatus) bool {
		return s.Phase == podgroupv1alpha1.PodGroupRunning && s.Running == 4
	})
	for _, p := range pods {
		e.setPhase(p.name, v1.PodSucceeded)
	}
	e.waitPodGroupStatus("train-workers", "Finished, 4 succeeded", func(s podgroupv1alpha1.PodGroupStatus) bool {
		return s.Phase == podgroupv1alpha1.PodGroupFinished && s.Succeeded == 4
	})
	// Four changes of phase, 4 + 4 + 4 pod events in bursts: at most one
	// write per change, and one per burst it was seen in.
	writes := e.podGroupStatusWrites() - before
	t.Logf("PodGroup status writes: %.0f for 4 phases and 12 pod updates", writes)
	assert.LessOrEqual(t, writes, 8.0, "status writes must follow changes, not pod events")
	assert.GreaterOrEqual(t, writes, 4.0, "each phase is written")
}

// TestPodNamingTwoGangsIsHeld: a pod with both a workloadRef and the
// PodGroup label joins neither gang, and says it must choose.
func TestPodNamingTwoGangsIsHeld(t *testing.T) {
	e := newEnv(t, gatesOff)
	e.createNodes(1, "4")
	e.createWorkload(gangWorkload("train", map[string]int32{"workers": 1}))
	pod := podFor(e.ns, "both", "train", "workers", "")
	pod.Labels = map[string]string{podgroupv1alpha1.PodGroupLabel: "train-workers"}
	_, err := e.cs.CoreV1().Pods(e.ns).Create(e.ctx, pod, metav1.CreateOptions{})
	require.NoError(t, err)
	e.waitPending(gang.AmbiguousMessage(pod), "both")
	// The Workload's gang of one binds without it.
	e.createPods(podSpec{name: "w-0", workload: "train", podGroup: "workers"})
	e.waitScheduled("w-0")
	p, err := e.cs.CoreV1().Pods(e.ns).Get(e.ctx, "both", metav1.GetOptions{})
	require.NoError(t, err)
	require.Empty(t, p.Spec.NodeName)
}

// TestRelabelledPodLeavesItsGang: a pod's PodGroup label is mutable: a
// pod moved out of a gang stops counting toward its quorum, and one moved
// in completes another.
func TestRelabelledPodLeavesItsGang(t *testing.T) {
	e := newPodGroupEnv(t)
	e.createNodes(1, "8")
	e.createPodGroup(podGroup("a-g", 2))
	e.createPodGroup(podGroup("b-g", 2))
	// Each gang has one of its two pods.
	e.createPods(append(labelled("a", "a-g", 1, "1"), labelled("b", "b-g", 1, "1")...)...)
	e.waitPending(gang.WaitingForPodsMessage(e.group("b", "g", ""), 1, 2), "b-0")
	e.waitPending(gang.WaitingForPodsMessage(e.group("a", "g", ""), 1, 2), "a-0")
	// a-0 moves to b: b completes, a is empty.
	e.relabel("a-0", "b-g")
	e.waitScheduled("a-0", "b-0")
	e.waitGangBound(e.group("b", "g", ""), 2)
	e.requireNoneBound(e.group("a", "g", ""))
}

// relabel moves a pod to another PodGroup.
func (e *env) relabel(pod, pg string) {
	e.t.Helper()
	p, err := e.cs.CoreV1().Pods(e.ns).Get(e.ctx, pod, metav1.GetOptions{})
	require.NoError(e.t, err)
	p.Labels[podgroupv1alpha1.PodGroupLabel] = pg
	_, err = e.cs.CoreV1().Pods(e.ns).Update(e.ctx, p, metav1.UpdateOptions{})
	require.NoError(e.t, err)
}

// waitPodGroupStatus polls a PodGroup's status until ok accepts it.
func (e *env) waitPodGroupStatus(name, what string, ok func(podgroupv1alpha1.PodGroupStatus) bool) podgroupv1alpha1.PodGroupStatus {
	e.t.Helper()
	var last podgroupv1alpha1.PodGroupStatus
	err := wait.PollUntilContextTimeout(e.ctx, pollInterval, waitTimeout, true, func(ctx context.Context) (bool, error) {
		pg, err := e.getPodGroup(ctx, name)
		if err != nil {
			return false, err
		}
		last = pg.Status
		return ok(last), nil
	})
	require.NoError(e.t, err, "waiting for PodGroup %s status %s; last: %+v", name, what, last)
	return last
}

// podGroupStatusWrites reads the API server's count of PodGroup status
// writes.
func (e *env) podGroupStatusWrites() float64 {
	e.t.Helper()
	w, err := apimetrics.Read(e.ctx, e.cs)
	require.NoError(e.t, err)
	var n float64
	for k, v := range w {
		if strings.HasSuffix(k, " podgroups/status") {
			n += v
		}
	}
	return n
}

// waitEvent waits for an Event of a reason on an object of a kind whose
// message matches re.
func (e *env) waitEvent(kind, name, eventType, reason string, re *regexp.Regexp) {
	e.t.Helper()
	selector := fmt.Sprintf("involvedObject.kind=%s,involvedObject.name=%s,reason=%s", kind, name, reason)
	var seen []string
	err := wait.PollUntilContextTimeout(e.ctx, pollInterval, waitTimeout, true, func(ctx context.Context) (bool, error) {
		list, err := e.cs.CoreV1().Events(e.ns).List(ctx, metav1.ListOptions{FieldSelector: selector})
		if err != nil {
			return false, err
		}
		seen = seen[:0]
		for _, ev := range list.Items {
			seen = append(seen, ev.Message)
			if ev.Type == eventType && re.MatchString(ev.Message) {
				return true, nil
			}
		}
		return false, nil
	})
	require.NoError(e.t, err, "waiting for a %s Event on %s %s matching %q; seen: %q", reason, kind, name, re, seen)
}
