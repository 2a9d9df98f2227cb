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

package workloadgang

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	"k8s.io/klog/v2/ktesting"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	st "k8s.io/kubernetes/pkg/scheduler/testing"

	"github.com/gangsched/gangsched/pkg/gang"
)

func TestIsSchedulableAfterWorkloadChange(t *testing.T) {
	train := gangWorkload("train", 3)
	train.UID = "uid-1"
	withAnnotation := train.DeepCopy()
	withAnnotation.Annotations = map[string]string{gang.PermitTimeoutAnnotation: "30", "team": "ml"}
	withLabel := train.DeepCopy()
	withLabel.Labels = map[string]string{"team": "ml"}
	recreated := gangWorkload("train", 2)
	recreated.UID = "uid-2"
	otherPodGroups := train.DeepCopy()
	otherPodGroups.Spec.PodGroups = append(otherPodGroups.Spec.PodGroups, *st.MakePodGroup().Name("extra").MinCount(1).Obj())
	other := gangWorkload("other", 3)
	tests := []struct {
		name     string
		old, new *schedulingv1alpha1.Workload
		want     fwk.QueueingHint
	}{
		{name: "the pod's Workload is added", new: train, want: fwk.Queue},
		{name: "another Workload is added", new: other, want: fwk.QueueSkip},
		{name: "an update of nothing", old: train, new: train.DeepCopy(), want: fwk.QueueSkip},
		{name: "an annotation changes", old: train, new: withAnnotation, want: fwk.QueueSkip},
		{name: "a label changes", old: train, new: withLabel, want: fwk.QueueSkip},
		{name: "deleted and recreated, seen as an update", old: train, new: recreated, want: fwk.Queue},
		{name: "podGroups change", old: train, new: otherPodGroups, want: fwk.Queue},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logger, _ := ktesting.NewTestContext(t)
			var oldObj interface{}
			if tc.old != nil {
				oldObj = tc.old
			}
			pl := &WorkloadGang{}
			got, err := pl.isSchedulableAfterWorkloadChange(logger, groupPod("p1", "train"), oldObj, tc.new)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestMixedPrioritiesAreReported: a gang whose members have different
// priorities gets a Warning Event on its Workload saying it ranks by the
// lowest.
func TestMixedPrioritiesAreReported(t *testing.T) {
	lo := st.MakePod().Namespace("ns").Name("lo").UID("lo").Priority(10).WorkloadRef(&v1.WorkloadReference{Name: "train", PodGroup: "pg"}).Obj()
	hi := st.MakePod().Namespace("ns").Name("hi").UID("hi").Priority(1000).WorkloadRef(&v1.WorkloadReference{Name: "train", PodGroup: "pg"}).Obj()
	e := newTestEnv(t, nil, gangWorkload("train", 2), lo, hi)
	key, _ := gang.KeyForPod(lo)
	require.Eventually(t, func() bool {
		low, high, ok := e.pl.store.Priorities(key)
		return ok && low == 10 && high == 1000
	}, wait30s, 10*time.Millisecond, "the Store sees both members")
	require.True(t, e.pl.Reserve(e.ctx, framework.NewCycleState(), lo, "node").IsSuccess())
	e.requireEvent(t, "Warning MixedPriorities gang ns/train/pg has members of priority 10 to 1000; the gang ranks by the lowest, 10, in queue order, yield and bounded waiting: give its members one priority class")
}

// TestInvalidDisruptionModeIsReported: an invalid disruption-mode
// annotation gets a Warning Event on its Workload, which says the default
// applies.
func TestInvalidDisruptionModeIsReported(t *testing.T) {
	w := gangWorkload("train", 2)
	w.Annotations = map[string]string{gang.DisruptionModeAnnotation: "one"}
	e := newTestEnv(t, nil, w)
	e.requireEvent(t, `Warning InvalidAnnotation annotation gangsched.io/disruption-mode="one" is invalid: must be All or Single; its running gangs are preempted whole (All) until it is fixed`)
}
