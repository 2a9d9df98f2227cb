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
	"testing"

	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The bad inputs of the README's "Bad input" table that no other test
// covers. Each leaves the pods Pending with a message that says what they
// wait for, or is refused by the API server, and loses nothing: fixing the
// input lets the pods schedule.

// TestManyReplicaKeys creates 100 gangs of 2 in one podGroup, one per replica
// key: each key is an independent gang, and all of them bind whole.
func TestManyReplicaKeys(t *testing.T) {
	const keys = 100
	e := newEnv(t, gatesOff)
	e.createNodes(4, "100")
	e.createWorkload(gangWorkload("sweep", map[string]int32{"trial": 2}))
	var all []string
	for k := 0; k < keys; k++ {
		pods := members(fmt.Sprintf("t%d", k), "sweep", "trial", fmt.Sprint(k), 2, "100m")
		e.createPods(pods...)
		all = append(all, names(pods)...)
	}
	e.waitScheduled(all...)
	require.Len(t, e.watcher.boundGroups(), keys)
	for k, n := range e.watcher.boundGroups() {
		require.Equal(t, 2, n, "gang %s", k)
	}
}

// TestSchedulerNameCannotChange: a pod's schedulerName is immutable, so a
// pod cannot move between gangsched and another scheduler while it waits.
// The API server refuses the change and the pod keeps waiting, with its
// reason, under gangsched.
func TestSchedulerNameCannotChange(t *testing.T) {
	e := newEnv(t, gatesOff)
	e.createNodes(1, "4")
	pods := members("p", "train", "workers", "", 2, "1")
	e.createPods(pods...)
	e.waitPending("waiting for Workload "+e.ns+"/train", names(pods)...)

	p, err := e.cs.CoreV1().Pods(e.ns).Get(e.ctx, pods[0].name, metav1.GetOptions{})
	require.NoError(t, err)
	p.Spec.SchedulerName = v1.DefaultSchedulerName
	_, err = e.cs.CoreV1().Pods(e.ns).Update(e.ctx, p, metav1.UpdateOptions{})
	require.True(t, apierrors.IsInvalid(err), "changing schedulerName must be refused, got %v", err)

	e.createWorkload(gangWorkload("train", map[string]int32{"workers": 2}))
	e.waitScheduled(names(pods)...)
}

// TestWorkloadRefIsNamespaceLocal: workloadRef has no namespace, so a pod can
// only name a Workload of its own namespace. A Workload of the same name in
// another namespace does not count: the pod waits for one in its own.
func TestWorkloadRefIsNamespaceLocal(t *testing.T) {
	e := newEnv(t, gatesOff)
	e.createNodes(1, "4")
	other, err := e.cs.CoreV1().Namespaces().Create(e.ctx, &v1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "other-"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.cs.CoreV1().Namespaces().Delete(e.ctx, other.Name, metav1.DeleteOptions{}) })
	w := gangWorkload("train", map[string]int32{"workers": 2})
	w.Namespace = other.Name
	_, err = e.cs.SchedulingV1alpha1().Workloads(other.Name).Create(e.ctx, w, metav1.CreateOptions{})
	require.NoError(t, err)

	pods := members("p", "train", "workers", "", 2, "1")
	e.createPods(pods...)
	e.waitPending("waiting for Workload "+e.ns+"/train", names(pods)...)
	e.requireNoneBound(e.group("train", "workers", ""))
	e.createWorkload(gangWorkload("train", map[string]int32{"workers": 2}))
	e.waitScheduled(names(pods)...)
}

// TestInvalidWorkloadsAreRefused: the API server validates Workloads, so a
// gang that could never form is refused at creation, with the field path.
func TestInvalidWorkloadsAreRefused(t *testing.T) {
	e := newEnv(t, gatesOff)
	tests := []struct {
		name     string
		minCount int32
		groups   int
	}{
		{name: "minCount 0", minCount: 0, groups: 1},
		{name: "negative minCount", minCount: -1, groups: 1},
		{name: "more than 8 podGroups", minCount: 1, groups: 9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			minCounts := map[string]int32{}
			for i := 0; i < tc.groups; i++ {
				minCounts[fmt.Sprintf("g%d", i)] = tc.minCount
			}
			w := gangWorkload("bad", minCounts)
			w.Namespace = e.ns
			_, err := e.cs.SchedulingV1alpha1().Workloads(e.ns).Create(e.ctx, w, metav1.CreateOptions{})
			require.True(t, apierrors.IsInvalid(err), "want an Invalid error, got %v", err)
			t.Logf("API server: %v", err)
		})
	}
}
