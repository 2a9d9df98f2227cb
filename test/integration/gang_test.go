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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gangsched/gangsched/pkg/gang"
)

// forEachGates runs a scenario with the scheduler's workload feature gates
// off and on: WorkloadGang must not depend on them.
//
// A third run declares the scenario's gangs with PodGroups on an API
// server without the Workload API (newPodGroupEnv): every guarantee holds
// the same for both sources.
func forEachGates(t *testing.T, scenario func(t *testing.T, e *env)) {
	forEachWorkloadGates(t, scenario)
	t.Run(sourcePodGroup, func(t *testing.T) { scenario(t, newPodGroupEnv(t)) })
}

// forEachWorkloadGates is forEachGates for a scenario only Workloads can
// express (a podGroup missing from its Workload, replica keys).
func forEachWorkloadGates(t *testing.T, scenario func(t *testing.T, e *env)) {
	for _, gates := range []schedulerGates{gatesOff, gatesOn} {
		t.Run(gates.String(), func(t *testing.T) {
			scenario(t, newEnv(t, gates))
		})
	}
}

func TestPlainPodSchedulesAsUpstream(t *testing.T) {
	e := newEnv(t, gatesOff)
	e.createNodes(1, "4")
	e.createPods(podSpec{name: "plain"})
	e.waitScheduled("plain")
}

func TestMissingWorkload(t *testing.T) {
	forEachGates(t, func(t *testing.T, e *env) {
		e.createNodes(1, "4")
		pods := members("p", "train", "workers", "", 2, "1")
		e.createPods(pods...)
		e.waitPending(gang.WaitingForWorkloadMessage(e.group("train", "workers", "").WorkloadKey()), names(pods)...)
		e.createWorkload(gangWorkload("train", map[string]int32{"workers": 2}))
		e.waitScheduled(names(pods)...)
	})
}

func TestMissingPodGroup(t *testing.T) {
	forEachWorkloadGates(t, func(t *testing.T, e *env) {
		e.createNodes(1, "4")
		e.createWorkload(gangWorkload("train", map[string]int32{"other": 1}))
		pods := members("p", "train", "workers", "", 2, "1")
		e.createPods(pods...)
		e.waitPending("Workload "+e.ns+"/train has no podGroup workers", names(pods)...)
		// podGroups are immutable: the fix is to recreate the Workload.
		e.deleteWorkload("train")
		e.createWorkload(gangWorkload("train", map[string]int32{"workers": 2}))
		e.waitScheduled(names(pods)...)
	})
}

func TestBasicPolicySchedulesEachPodAlone(t *testing.T) {
	e := newEnv(t, gatesOff)
	e.createNodes(1, "2")
	e.createWorkload(basicWorkload("batch", "tasks"))
	// Room for two of three: a basic group has no quorum, so two bind.
	pods := members("task", "batch", "tasks", "", 3, "1")
	e.createPods(pods[:2]...)
	e.waitScheduled(names(pods[:2])...)
	e.createPods(pods[2])
	e.waitPending("Insufficient cpu", pods[2].name)
}

func TestGangWaitsForMinCountPods(t *testing.T) {
	forEachGates(t, func(t *testing.T, e *env) {
		e.createNodes(1, "4")
		e.createWorkload(gangWorkload("train", map[string]int32{"workers": 3}))
		pods := members("w", "train", "workers", "", 3, "1")
		e.createPods(pods[:2]...)
		e.waitPending(gang.WaitingForPodsMessage(e.group("train", "workers", ""), 2, 3), names(pods[:2])...)
		e.requireNoneBound(e.group("train", "workers", ""))
		e.createPods(pods[2])
		e.waitScheduled(names(pods)...)
	})
}

// TestPermitTimeoutRejectsWholeGang makes a round wait at Permit for a
// member that counts but has no room: the gang fits the empty node, and a
// blocker pod holds its third member's room. (A gated or foreign member
// would not do: it does not count, so the others would be held at
// PreEnqueue and nothing would wait at Permit.) The first round is rejected
// at once, as its third member finds no node; from the second, the gang is
// the oldest starving gang and holds its round at Permit, which can then
// only end by its Permit timeout. When it times out, every waiting member is
// rejected with it and nothing binds; once the blocker is gone the gang
// binds whole.
func TestPermitTimeoutRejectsWholeGang(t *testing.T) {
	forEachSource(t, func(t *testing.T, e *env) {
		e.createNodes(1, "4")
		e.createPods(podSpec{name: "blocker", cpu: "2"})
		e.waitScheduled("blocker")
		e.createWorkload(gangWorkload("train", map[string]int32{"workers": 3}))
		pods := members("w", "train", "workers", "", 3, "1")
		e.createPods(pods...)
		key := e.group("train", "workers", "")
		// WorkloadGang times the round out as a whole, with one message.
		timedOut := gang.GangRejectedMessage(key, gang.PermitTimeoutReason(permitTimeoutSeconds*time.Second))
		e.waitSomePending("both waiting members to be rejected by the Permit timeout", names(pods), 2, func(msg string) bool {
			return strings.Contains(msg, timedOut)
		})
		e.requireNoneBound(key)
		e.deletePods("blocker")
		e.waitScheduled(names(pods)...)
	})
}

// TestCapacity: a gang larger than the cluster binds nothing. It is judged
// unable to fit at its first failed member: its round is rejected once and
// its members are held, reserving nothing (plain pods bind on the whole
// node), and not retried until the nodes change. Adding capacity binds it
// whole.
func TestCapacity(t *testing.T) {
	forEachSource(t, func(t *testing.T, e *env) {
		e.createNodes(1, "2")
		e.createWorkload(gangWorkload("train", map[string]int32{"workers": 4}))
		pods := members("w", "train", "workers", "", 4, "1")
		key := e.group("train", "workers", "")
		before := gangMetrics(t)
		e.createPods(pods...)
		e.waitPending(gang.CannotFitMessage(key, 4, "1 cpu", "4 cpu", 1, 2, "2 cpu, 16Gi memory"), names(pods)...)
		d := e.waitMetrics("the 4 members held as unable to fit", func(s samples) bool {
			return s.since(before)[heldSeries("cannot_fit")] == 4
		}).since(before)
		assert.Equal(t, 1.0, d[rejectedSeries("cannot_fit")], "one rejected round")
		assert.Zero(t, d[rejectedSeries("member_unschedulable")], "no attempt after the verdict")
		e.requireNoneBound(key)
		// It reserves nothing while held, and pods leaving do not wake it.
		plain := []podSpec{{name: "plain-0"}, {name: "plain-1"}}
		e.createPods(plain...)
		e.waitScheduled(names(plain)...)
		e.deletePods(names(plain)...)
		e.requireNoneBound(key)
		// Adding capacity binds it whole.
		e.createNodes(1, "2")
		e.waitScheduled(names(pods)...)
		d = gangMetrics(t).since(before)
		assert.Equal(t, 1.0, d[rejectedSeries("cannot_fit")], "released by the node, not by another rejection")
		assert.Zero(t, d[rejectedSeries("member_unschedulable")])
	})
}

func TestReplicaKeysAreIndependentGangs(t *testing.T) {
	forEachWorkloadGates(t, func(t *testing.T, e *env) {
		e.createNodes(1, "8")
		e.createWorkload(gangWorkload("sharded", map[string]int32{"shard": 2}))
		r0 := members("r0", "sharded", "shard", "0", 2, "1")
		r1 := members("r1", "sharded", "shard", "1", 1, "1")
		e.createPods(append(r0, r1...)...)
		e.waitScheduled(names(r0)...)
		e.waitPending(fmt.Sprintf("waiting for 1 more pods of gang %s/sharded/shard[1] (1/2)", e.ns), names(r1)...)
		e.requireNoneBound(e.group("sharded", "shard", "1"))
		e.createPods(podSpec{name: "r1-1", workload: "sharded", podGroup: "shard", replicaKey: "1", cpu: "1"})
		e.waitScheduled("r1-0", "r1-1")
	})
}

func TestPodsOfAnotherSchedulerAreUntouched(t *testing.T) {
	forEachSource(t, func(t *testing.T, e *env) {
		e.createNodes(1, "4")
		e.createWorkload(gangWorkload("train", map[string]int32{"workers": 2}))
		e.createPods(podSpec{name: "foreign", workload: "train", podGroup: "workers", schedulerName: "other-scheduler"})
		// Our own gang completes and binds; by then our scheduler has processed
		// every event, and the foreign pod must carry no trace of it.
		ours := members("w", "train", "workers", "", 2, "1")
		e.createPods(ours...)
		e.waitScheduled(names(ours)...)
		p, err := e.cs.CoreV1().Pods(e.ns).Get(e.ctx, "foreign", metav1.GetOptions{})
		require.NoError(t, err)
		require.Empty(t, p.Spec.NodeName)
		require.Nil(t, scheduledCondition(p), "gangsched must not write the condition of another scheduler's pod")
	})
}

// TestSiblingsMeetUnderLoad creates many gangs concurrently, with every pod
// in its own goroutine, so that the plugin's informer handler and the
// scheduler's queue handler interleave in every order. Every gang must bind
// whole: a missed last arrival would leave a gang held forever.
func TestSiblingsMeetUnderLoad(t *testing.T) {
	const gangs, size = 20, 10
	forEachWorkloadGates(t, func(t *testing.T, e *env) {
		e.createNodes(4, "100")
		// Each replica key of the podGroup is an independent gang.
		e.createWorkload(gangWorkload("load", map[string]int32{"g": size}))
		var wg sync.WaitGroup
		errs := make(chan error, gangs*size)
		for g := 0; g < gangs; g++ {
			for i := 0; i < size; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					pod := podFor(e.ns, fmt.Sprintf("g%d-%d", g, i), "load", "g", fmt.Sprint(g))
					_, err := e.cs.CoreV1().Pods(e.ns).Create(e.ctx, pod, metav1.CreateOptions{})
					errs <- err
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		for g := 0; g < gangs; g++ {
			e.waitGangBound(e.group("load", "g", fmt.Sprint(g)), size)
		}
	})
}

func podFor(ns, name, workload, podGroup, replicaKey string) *v1.Pod {
	return &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1.PodSpec{
			SchedulerName: schedulerName,
			WorkloadRef:   &v1.WorkloadReference{Name: workload, PodGroup: podGroup, PodGroupReplicaKey: replicaKey},
			Containers:    []v1.Container{{Name: "main", Image: "registry.k8s.io/pause:3.10"}},
		},
	}
}
