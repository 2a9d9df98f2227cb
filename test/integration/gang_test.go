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
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// forEachGates runs a scenario with the scheduler's workload feature gates
// off and on: WorkloadGang must not depend on them.
func forEachGates(t *testing.T, scenario func(t *testing.T, e *env)) {
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
		e.waitPending("waiting for Workload "+e.ns+"/train", names(pods)...)
		e.createWorkload(gangWorkload("train", map[string]int32{"workers": 2}))
		e.waitScheduled(names(pods)...)
	})
}

func TestMissingPodGroup(t *testing.T) {
	forEachGates(t, func(t *testing.T, e *env) {
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
		e.waitPending(fmt.Sprintf("waiting for 1 more pods of gang %s/train/workers (2/3)", e.ns), names(pods[:2])...)
		e.requireNoneBound(e.group("train", "workers", ""))
		e.createPods(pods[2])
		e.waitScheduled(names(pods)...)
	})
}

func TestPermitTimeoutRejectsWholeGang(t *testing.T) {
	e := newEnv(t, gatesOff)
	e.createNodes(1, "4")
	e.createWorkload(gangWorkload("train", map[string]int32{"workers": 3}))
	// The third member exists but is another scheduler's: it never reserves,
	// so the round of the other two can only end by its Permit timeout. When
	// the first member times out, every waiting member is rejected with it.
	pods := members("w", "train", "workers", "", 2, "1")
	e.createPods(append(pods, podSpec{name: "foreign", workload: "train", podGroup: "workers", schedulerName: "other-scheduler"})...)
	e.waitPending("rejected", names(pods)...)
	e.requireNoneBound(e.group("train", "workers", ""))
}

func TestCapacity(t *testing.T) {
	e := newEnv(t, gatesOff)
	e.createNodes(1, "2")
	e.createWorkload(gangWorkload("train", map[string]int32{"workers": 4}))
	pods := members("w", "train", "workers", "", 4, "1")
	e.createPods(pods...)
	// A gang that cannot fit binds nothing, however long it tries.
	e.waitGangRejected(names(pods), 2)
	e.requireNoneBound(e.group("train", "workers", ""))
	// Adding capacity binds it whole.
	e.createNodes(1, "2")
	e.waitScheduled(names(pods)...)
}

func TestReplicaKeysAreIndependentGangs(t *testing.T) {
	forEachGates(t, func(t *testing.T, e *env) {
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
	e := newEnv(t, gatesOff)
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
}

// TestSiblingsMeetUnderLoad creates many gangs concurrently, with every pod
// in its own goroutine, so that the plugin's informer handler and the
// scheduler's queue handler interleave in every order. Every gang must bind
// whole: a missed last arrival would leave a gang held forever.
func TestSiblingsMeetUnderLoad(t *testing.T) {
	const gangs, size = 20, 10
	forEachGates(t, func(t *testing.T, e *env) {
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
