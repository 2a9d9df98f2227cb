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

package podgroupstatus

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
)

func TestCompute(t *testing.T) {
	now := metav1.NewTime(t0.Add(90*time.Second + 400*time.Millisecond))
	nowStored := at(90)
	tests := []struct {
		name string
		pg   *podgroupv1alpha1.PodGroup
		pods []*v1.Pod
		want podgroupv1alpha1.PodGroupStatus
	}{
		{
			name: "no members: pending, no start time",
			pg:   makePG("pg", 2).obj(),
			want: podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupPending},
		},
		{
			name: "fewer members than minMember: pending",
			pg:   makePG("pg", 3).obj(),
			pods: []*v1.Pod{makePod("a", "pg").bound().obj(), makePod("b", "pg").obj()},
			want: podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupPending, Scheduled: 1},
		},
		{
			name: "minMember members, not all bound: pending, start time set at second precision",
			pg:   makePG("pg", 2).obj(),
			pods: []*v1.Pod{makePod("a", "pg").bound().obj(), makePod("b", "pg").obj()},
			want: podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupPending, Scheduled: 1, ScheduleStartTime: nowStored},
		},
		{
			name: "minMember bound, none running: scheduling",
			pg:   makePG("pg", 2).obj(),
			pods: []*v1.Pod{makePod("a", "pg").bound().obj(), makePod("b", "pg").bound().obj(), makePod("c", "pg").obj()},
			want: podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupScheduling, Scheduled: 2, ScheduleStartTime: nowStored},
		},
		{
			name: "minMember running or succeeded: running",
			pg:   makePG("pg", 3).obj(),
			pods: []*v1.Pod{
				makePod("a", "pg").bound().phase(v1.PodRunning).obj(),
				makePod("b", "pg").bound().phase(v1.PodRunning).obj(),
				makePod("c", "pg").bound().phase(v1.PodSucceeded).obj(),
			},
			want: podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupRunning, Scheduled: 3, Running: 2, Succeeded: 1, ScheduleStartTime: nowStored},
		},
		{
			name: "minMember succeeded: finished",
			pg:   makePG("pg", 2).obj(),
			pods: []*v1.Pod{
				makePod("a", "pg").bound().phase(v1.PodSucceeded).obj(),
				makePod("b", "pg").bound().phase(v1.PodSucceeded).obj(),
				makePod("c", "pg").bound().phase(v1.PodFailed).obj(),
			},
			want: podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupFinished, Scheduled: 3, Succeeded: 2, Failed: 1, ScheduleStartTime: nowStored},
		},
		{
			name: "one failed among minMember that ran: failed",
			pg:   makePG("pg", 3).obj(),
			pods: []*v1.Pod{
				makePod("a", "pg").bound().phase(v1.PodRunning).obj(),
				makePod("b", "pg").bound().phase(v1.PodSucceeded).obj(),
				makePod("c", "pg").bound().phase(v1.PodFailed).obj(),
			},
			want: podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupFailed, Scheduled: 3, Running: 1, Succeeded: 1, Failed: 1, ScheduleStartTime: nowStored},
		},
		{
			name: "a failure short of minMember that ran: not failed",
			pg:   makePG("pg", 3).obj(),
			pods: []*v1.Pod{
				makePod("a", "pg").bound().phase(v1.PodRunning).obj(),
				makePod("b", "pg").bound().phase(v1.PodFailed).obj(),
				makePod("c", "pg").bound().obj(),
			},
			want: podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupScheduling, Scheduled: 3, Running: 1, Failed: 1, ScheduleStartTime: nowStored},
		},
		{
			name: "a group that ran and lost a member: back to pending, start time kept",
			pg: makePG("pg", 3).status(podgroupv1alpha1.PodGroupStatus{
				Phase: podgroupv1alpha1.PodGroupRunning, Scheduled: 3, Running: 3, ScheduleStartTime: at(5),
			}).obj(),
			pods: append(running("r", "pg", 2), makePod("r-2", "pg").obj()),
			want: podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupPending, Scheduled: 2, Running: 2, ScheduleStartTime: at(5)},
		},
		{
			name: "finished stays finished, whole status kept",
			pg: makePG("pg", 2).status(podgroupv1alpha1.PodGroupStatus{
				Phase: podgroupv1alpha1.PodGroupFinished, Scheduled: 2, Succeeded: 2, ScheduleStartTime: at(5),
			}).obj(),
			pods: running("r", "pg", 2),
			want: podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupFinished, Scheduled: 2, Succeeded: 2, ScheduleStartTime: at(5)},
		},
		{
			name: "failed stays failed when its pods are gone",
			pg: makePG("pg", 2).status(podgroupv1alpha1.PodGroupStatus{
				Phase: podgroupv1alpha1.PodGroupFailed, Scheduled: 2, Running: 1, Failed: 1, ScheduleStartTime: at(5),
			}).obj(),
			want: podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupFailed, Scheduled: 2, Running: 1, Failed: 1, ScheduleStartTime: at(5)},
		},
		{
			name: "start time kept once set",
			pg:   makePG("pg", 2).status(podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupScheduling, Scheduled: 2, ScheduleStartTime: at(5)}).obj(),
			pods: running("r", "pg", 2),
			want: podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupRunning, Scheduled: 2, Running: 2, ScheduleStartTime: at(5)},
		},
		{
			name: "members that already terminated count toward the start time",
			pg:   makePG("pg", 2).obj(),
			pods: []*v1.Pod{makePod("a", "pg").bound().phase(v1.PodSucceeded).obj(), makePod("b", "pg").bound().phase(v1.PodSucceeded).obj()},
			want: podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupFinished, Scheduled: 2, Succeeded: 2, ScheduleStartTime: nowStored},
		},
		{
			name: "occupiedBy: owners of all members, sorted, de-duplicated",
			pg:   makePG("pg", 5).obj(),
			pods: []*v1.Pod{
				makePod("a", "pg").ownedBy("worker").obj(),
				makePod("b", "pg").ownedBy("launcher", "worker").obj(),
				makePod("c", "pg").ownedBy("worker").obj(),
				makePod("d", "pg").obj(),
			},
			want: podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupPending, OccupiedBy: "team/launcher,team/worker"},
		},
		{
			name: "deleting pods count for nothing, not even occupiedBy",
			pg:   makePG("pg", 2).obj(),
			pods: []*v1.Pod{
				makePod("a", "pg").bound().phase(v1.PodRunning).obj(),
				makePod("b", "pg").bound().phase(v1.PodRunning).ownedBy("old").deleting().obj(),
				makePod("c", "pg").bound().phase(v1.PodFailed).deleting().obj(),
			},
			want: podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupPending, Scheduled: 1, Running: 1},
		},
		{
			name: "pods of another group, namespace, or naming a Workload too are ignored",
			pg:   makePG("pg", 1).obj(),
			pods: []*v1.Pod{
				makePod("a", "other").bound().phase(v1.PodRunning).obj(),
				makePod("b", "pg").namespace("elsewhere").bound().phase(v1.PodRunning).obj(),
				makePod("c", "pg").workloadRef("w").bound().phase(v1.PodRunning).obj(),
				makePod("d", "").bound().phase(v1.PodRunning).obj(),
			},
			want: podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupPending},
		},
		{
			name: "minMember 0 counts as 1: no members, pending",
			pg:   makePG("pg", 0).obj(),
			want: podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupPending},
		},
		{
			name: "minMember 0 counts as 1: one running member, running",
			pg:   makePG("pg", 0).obj(),
			pods: running("r", "pg", 1),
			want: podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupRunning, Scheduled: 1, Running: 1, ScheduleStartTime: nowStored},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.pg.DeepCopy()
			got := Compute(tt.pg, tt.pods, now)
			assert.True(t, Equal(tt.want, got), "Compute() = %+v, want %+v", got, tt.want)
			assert.Equal(t, tt.want.ScheduleStartTime.Unix(), got.ScheduleStartTime.Unix(), "scheduleStartTime")
			assert.Equal(t, before, tt.pg, "Compute must not modify its PodGroup")
		})
	}
}

func TestEqual(t *testing.T) {
	base := podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupRunning, OccupiedBy: "team/a", Scheduled: 2, Running: 2, ScheduleStartTime: at(1)}
	tests := []struct {
		name   string
		change func(*podgroupv1alpha1.PodGroupStatus)
		want   bool
	}{
		{name: "same", change: func(*podgroupv1alpha1.PodGroupStatus) {}, want: true},
		{name: "sub-second difference, as serialized", change: func(s *podgroupv1alpha1.PodGroupStatus) {
			s.ScheduleStartTime = metav1.NewTime(s.ScheduleStartTime.Add(300 * time.Millisecond))
		}, want: true},
		{name: "same instant in another zone", change: func(s *podgroupv1alpha1.PodGroupStatus) {
			s.ScheduleStartTime = metav1.NewTime(s.ScheduleStartTime.In(time.FixedZone("x", 3600)))
		}, want: true},
		{name: "start time a second apart", change: func(s *podgroupv1alpha1.PodGroupStatus) { s.ScheduleStartTime = at(2) }},
		{name: "start time unset", change: func(s *podgroupv1alpha1.PodGroupStatus) { s.ScheduleStartTime = metav1.Time{} }},
		{name: "phase", change: func(s *podgroupv1alpha1.PodGroupStatus) { s.Phase = podgroupv1alpha1.PodGroupScheduling }},
		{name: "occupiedBy", change: func(s *podgroupv1alpha1.PodGroupStatus) { s.OccupiedBy = "" }},
		{name: "scheduled", change: func(s *podgroupv1alpha1.PodGroupStatus) { s.Scheduled = 3 }},
		{name: "running", change: func(s *podgroupv1alpha1.PodGroupStatus) { s.Running = 0 }},
		{name: "succeeded", change: func(s *podgroupv1alpha1.PodGroupStatus) { s.Succeeded = 1 }},
		{name: "failed", change: func(s *podgroupv1alpha1.PodGroupStatus) { s.Failed = 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			other := base
			tt.change(&other)
			assert.Equal(t, tt.want, Equal(base, other))
			assert.Equal(t, tt.want, Equal(other, base))
		})
	}
}

func TestStatusPatch(t *testing.T) {
	tests := []struct {
		name   string
		status podgroupv1alpha1.PodGroupStatus
		want   string
	}{
		{
			name:   "zero counts are written, empty fields removed",
			status: podgroupv1alpha1.PodGroupStatus{Phase: podgroupv1alpha1.PodGroupPending},
			want:   `{"status":{"phase":"Pending","occupiedBy":null,"scheduled":0,"running":0,"succeeded":0,"failed":0,"scheduleStartTime":null}}`,
		},
		{
			name: "every field",
			status: podgroupv1alpha1.PodGroupStatus{
				Phase: podgroupv1alpha1.PodGroupFailed, OccupiedBy: "team/a,team/b",
				Scheduled: 4, Running: 1, Succeeded: 2, Failed: 1, ScheduleStartTime: at(0),
			},
			want: `{"status":{"phase":"Failed","occupiedBy":"team/a,team/b","scheduled":4,"running":1,"succeeded":2,"failed":1,"scheduleStartTime":"2026-01-02T03:04:05Z"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := statusPatch(tt.status)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(got))
			var decoded map[string]map[string]any
			require.NoError(t, json.Unmarshal(got, &decoded))
			assert.Len(t, decoded["status"], 7, "every kept field is named, so a merge patch overwrites it")
		})
	}
}
