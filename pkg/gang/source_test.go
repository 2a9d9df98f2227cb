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

package gang

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
)

func TestKeyForPod(t *testing.T) {
	ref := &v1.WorkloadReference{Name: "w", PodGroup: "pg", PodGroupReplicaKey: "0"}
	label := map[string]string{podgroupv1alpha1.PodGroupLabel: "train"}
	tests := []struct {
		name          string
		ref           *v1.WorkloadReference
		labels        map[string]string
		want          GroupKey
		wantOK        bool
		wantAmbiguous bool
		wantString    string
	}{
		{name: "plain pod"},
		{name: "workloadRef", ref: ref, wantOK: true,
			want:       GroupKey{Namespace: "ns", Workload: "w", PodGroup: "pg", ReplicaKey: "0"},
			wantString: "ns/w/pg[0]"},
		{name: "PodGroup label", labels: label, wantOK: true,
			want:       GroupKey{Source: SourcePodGroup, Namespace: "ns", Workload: "train"},
			wantString: "ns/train"},
		{name: "empty PodGroup label", labels: map[string]string{podgroupv1alpha1.PodGroupLabel: ""}},
		{name: "both: in no gang", ref: ref, labels: label, wantAmbiguous: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pod := &v1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p", Labels: tc.labels}, Spec: v1.PodSpec{WorkloadRef: tc.ref}}
			got, ok := KeyForPod(pod)
			assert.Equal(t, tc.wantOK, ok)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.wantAmbiguous, Ambiguous(pod))
			if ok {
				assert.Equal(t, tc.wantString, got.String())
				assert.Equal(t, got.Source, got.WorkloadKey().Source)
			}
		})
	}
}

func TestSourceMessages(t *testing.T) {
	pg := GroupKey{Source: SourcePodGroup, Namespace: "ns", Workload: "train"}
	w := GroupKey{Namespace: "ns", Workload: "train", PodGroup: "workers"}
	assert.Equal(t, "waiting for PodGroup ns/train", WaitingForWorkloadMessage(pg.WorkloadKey()))
	assert.Equal(t, "waiting for Workload ns/train", WaitingForWorkloadMessage(w.WorkloadKey()))
	assert.Equal(t, "waiting for 1 more pods of gang ns/train (2/3)", WaitingForPodsMessage(pg, 2, 3))
	assert.True(t, IsWaitingForPodsMessage(pg, WaitingForPodsMessage(pg, 2, 3)))
	assert.Equal(t, "PodGroup ns/train needs minResources cpu=6; the nodes' free room is cpu=4", MinResourcesMessage(pg, "cpu=6", "cpu=4"))
	pod := &v1.Pod{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{podgroupv1alpha1.PodGroupLabel: "train"}},
		Spec: v1.PodSpec{WorkloadRef: &v1.WorkloadReference{Name: "w"}}}
	assert.Equal(t, "pod names both Workload w (spec.workloadRef) and PodGroup train (label scheduling.x-k8s.io/pod-group): a pod joins one gang; recreate it with one of the two", AmbiguousMessage(pod))
}

func TestPodGroupSpec(t *testing.T) {
	tests := []struct {
		name         string
		minMember    int32
		timeout      *int32
		wantMinCount int
		wantTimeout  time.Duration
		wantSet      bool
		wantErr      string
	}{
		{name: "defaults", minMember: 3, wantMinCount: 3},
		{name: "minMember 0 acts as 1", minMember: 0, wantMinCount: 1},
		{name: "timeout", minMember: 2, timeout: ptr.To[int32](60), wantMinCount: 2, wantTimeout: time.Minute, wantSet: true},
		{name: "timeout 0", minMember: 2, timeout: ptr.To[int32](0), wantMinCount: 2, wantSet: true, wantErr: "spec.scheduleTimeoutSeconds=0 is invalid: must be a whole number of seconds in [1, 900]"},
		{name: "timeout over the framework's cap", minMember: 2, timeout: ptr.To[int32](901), wantMinCount: 2, wantSet: true, wantErr: "spec.scheduleTimeoutSeconds=901 is invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pg := &podgroupv1alpha1.PodGroup{Spec: podgroupv1alpha1.PodGroupSpec{MinMember: tc.minMember, ScheduleTimeoutSeconds: tc.timeout}}
			assert.Equal(t, tc.wantMinCount, PodGroupMinCount(pg))
			d, set, err := PodGroupTimeout(pg)
			assert.Equal(t, tc.wantSet, set)
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, tc.wantTimeout, d)
		})
	}
}
