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

package gangview

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func at(minutes int) metav1.Time {
	return metav1.NewTime(t0.Add(time.Duration(minutes) * time.Minute))
}

func workload(ns, name string, created int, pgs ...schedulingv1alpha1.PodGroup) *schedulingv1alpha1.Workload {
	return &schedulingv1alpha1.Workload{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, CreationTimestamp: at(created)},
		Spec:       schedulingv1alpha1.WorkloadSpec{PodGroups: pgs},
	}
}

func gangPG(name string, minCount int32) schedulingv1alpha1.PodGroup {
	return schedulingv1alpha1.PodGroup{Name: name, Policy: schedulingv1alpha1.PodGroupPolicy{Gang: &schedulingv1alpha1.GangSchedulingPolicy{MinCount: minCount}}}
}

func basicPG(name string) schedulingv1alpha1.PodGroup {
	return schedulingv1alpha1.PodGroup{Name: name, Policy: schedulingv1alpha1.PodGroupPolicy{Basic: &schedulingv1alpha1.BasicSchedulingPolicy{}}}
}

// podWrapper builds test pods: makePod(...).node("n1").Obj().
type podWrapper struct{ v1.Pod }

func makePod(ns, name, workload, podGroup, replicaKey string, created int) *podWrapper {
	p := &podWrapper{v1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, CreationTimestamp: at(created)}}}
	if workload != "" {
		p.Spec.WorkloadRef = &v1.WorkloadReference{Name: workload, PodGroup: podGroup, PodGroupReplicaKey: replicaKey}
	}
	return p
}

func (p *podWrapper) node(n string) *podWrapper {
	p.Spec.NodeName = n
	return p
}

func (p *podWrapper) phase(ph v1.PodPhase) *podWrapper {
	p.Status.Phase = ph
	return p
}

func (p *podWrapper) deleting() *podWrapper {
	now := metav1.NewTime(t0)
	p.DeletionTimestamp = &now
	return p
}

// unschedulable sets the PodScheduled=False condition the scheduler writes.
func (p *podWrapper) unschedulable(msg string, minute int) *podWrapper {
	p.Status.Conditions = append(p.Status.Conditions, v1.PodCondition{
		Type: v1.PodScheduled, Status: v1.ConditionFalse, Reason: v1.PodReasonUnschedulable,
		Message: msg, LastTransitionTime: at(minute),
	})
	return p
}

func (p *podWrapper) obj() *v1.Pod {
	return &p.Pod
}

func TestRows(t *testing.T) {
	key := func(ns, w, pg, rk string) gang.GroupKey {
		return gang.GroupKey{Namespace: ns, Workload: w, PodGroup: pg, ReplicaKey: rk}
	}
	rejected := gang.GangRejectedMessage(key("a", "train", "workers", ""), "member w-2 found no node")
	noNode := "0/2 nodes are available: 2 Insufficient cpu."
	tests := []struct {
		name      string
		workloads []*schedulingv1alpha1.Workload
		pods      []*v1.Pod
		want      []Row
	}{
		{
			name:      "bound gang is running",
			workloads: []*schedulingv1alpha1.Workload{workload("a", "train", 0, gangPG("workers", 2))},
			pods: []*v1.Pod{
				makePod("a", "w-1", "train", "workers", "", 1).node("n2").obj(),
				makePod("a", "w-0", "train", "workers", "", 1).node("n1").obj(),
			},
			want: []Row{{Namespace: "a", Workload: "train", PodGroup: "workers", Policy: PolicyGang, MinCount: 2, Pods: 2, Bound: 2,
				State: StateRunning, Status: "running", Created: at(0), Nodes: []string{"n1", "n2"}}},
		},
		{
			name:      "gang with fewer pods than minCount reports fresh counts, not the held pod's stale message",
			workloads: []*schedulingv1alpha1.Workload{workload("a", "train", 0, gangPG("workers", 4))},
			pods: []*v1.Pod{
				makePod("a", "w-0", "train", "workers", "", 1).unschedulable(gang.WaitingForPodsMessage(key("a", "train", "workers", ""), 1, 4), 2).obj(),
				makePod("a", "w-1", "train", "workers", "", 3).obj(),
			},
			want: []Row{{Namespace: "a", Workload: "train", PodGroup: "workers", Policy: PolicyGang, MinCount: 4, Pods: 2,
				State: StateWaitingForPods, Status: "waiting for 2 more pods (2/4)",
				Message: gang.WaitingForPodsMessage(key("a", "train", "workers", ""), 2, 4), Created: at(0), PendingPods: []string{"w-0", "w-1"}}},
		},
		{
			name: "pods of a missing Workload appear, aged by the oldest pod",
			pods: []*v1.Pod{
				makePod("a", "g-1", "ghost", "workers", "", 5).unschedulable(gang.WaitingForWorkloadMessage(gang.WorkloadKey{Namespace: "a", Name: "ghost"}), 6).obj(),
				makePod("a", "g-0", "ghost", "workers", "", 4).obj(),
			},
			want: []Row{{Namespace: "a", Workload: "ghost", PodGroup: "workers", Pods: 2,
				State: StateWorkloadMissing, Status: "waiting for Workload", Message: "waiting for Workload a/ghost",
				Created: at(4), PendingPods: []string{"g-0", "g-1"}}},
		},
		{
			name:      "pods of a missing podGroup appear beside the Workload's podGroups",
			workloads: []*schedulingv1alpha1.Workload{workload("a", "train", 0, gangPG("workers", 1))},
			pods: []*v1.Pod{
				makePod("a", "w-0", "train", "workers", "", 1).node("n1").obj(),
				makePod("a", "e-0", "train", "evaluators", "", 2).obj(),
			},
			want: []Row{
				{Namespace: "a", Workload: "train", PodGroup: "evaluators", Pods: 1,
					State: StatePodGroupMissing, Status: "Workload has no podGroup", Message: gang.MissingPodGroupMessage(gang.WorkloadKey{Namespace: "a", Name: "train"}, "evaluators"),
					Created: at(0), PendingPods: []string{"e-0"}},
				{Namespace: "a", Workload: "train", PodGroup: "workers", Policy: PolicyGang, MinCount: 1, Pods: 1, Bound: 1,
					State: StateRunning, Status: "running", Created: at(0), Nodes: []string{"n1"}},
			},
		},
		{
			name:      "podGroups without pods appear with replica key \"\"",
			workloads: []*schedulingv1alpha1.Workload{workload("a", "train", 0, gangPG("workers", 3), basicPG("ps"))},
			want: []Row{
				{Namespace: "a", Workload: "train", PodGroup: "ps", Policy: PolicyBasic, State: StateNoPods, Status: "no pods", Created: at(0)},
				{Namespace: "a", Workload: "train", PodGroup: "workers", Policy: PolicyGang, MinCount: 3,
					State: StateWaitingForPods, Status: "waiting for 3 more pods (0/3)",
					Message: gang.WaitingForPodsMessage(key("a", "train", "workers", ""), 0, 3), Created: at(0)},
			},
		},
		{
			name:      "each replica key is its own gang, and no empty-key row is added",
			workloads: []*schedulingv1alpha1.Workload{workload("a", "eval", 0, gangPG("shards", 2))},
			pods: []*v1.Pod{
				makePod("a", "s1-0", "eval", "shards", "1", 1).obj(),
				makePod("a", "s0-0", "eval", "shards", "0", 1).node("n1").obj(),
				makePod("a", "s0-1", "eval", "shards", "0", 1).node("n1").obj(),
			},
			want: []Row{
				{Namespace: "a", Workload: "eval", PodGroup: "shards", ReplicaKey: "0", Policy: PolicyGang, MinCount: 2, Pods: 2, Bound: 2,
					State: StateRunning, Status: "running", Created: at(0), Nodes: []string{"n1"}},
				{Namespace: "a", Workload: "eval", PodGroup: "shards", ReplicaKey: "1", Policy: PolicyGang, MinCount: 2, Pods: 1,
					State: StateWaitingForPods, Status: "waiting for 1 more pods (1/2)",
					Message: gang.WaitingForPodsMessage(key("a", "eval", "shards", "1"), 1, 2), Created: at(0), PendingPods: []string{"s1-0"}},
			},
		},
		{
			name:      "terminated and terminating pods never count, as in the scheduler",
			workloads: []*schedulingv1alpha1.Workload{workload("a", "train", 0, gangPG("workers", 2))},
			pods: []*v1.Pod{
				makePod("a", "w-0", "train", "workers", "", 1).node("n1").phase(v1.PodSucceeded).obj(),
				makePod("a", "w-1", "train", "workers", "", 1).node("n1").phase(v1.PodFailed).obj(),
				makePod("a", "w-2", "train", "workers", "", 1).deleting().obj(),
				makePod("a", "w-3", "train", "workers", "", 1).phase(v1.PodPending).obj(),
				// A missing Workload whose pods all finished has nothing waiting.
				makePod("a", "old-0", "gone", "workers", "", 1).phase(v1.PodSucceeded).obj(),
			},
			want: []Row{{Namespace: "a", Workload: "train", PodGroup: "workers", Policy: PolicyGang, MinCount: 2, Pods: 1,
				State: StateWaitingForPods, Status: "waiting for 1 more pods (1/2)",
				Message: gang.WaitingForPodsMessage(key("a", "train", "workers", ""), 1, 2), Created: at(0), PendingPods: []string{"w-3"}}},
		},
		{
			name:      "gang with its members but no quorum bound is scheduling; stale held messages are ignored",
			workloads: []*schedulingv1alpha1.Workload{workload("a", "train", 0, gangPG("workers", 2))},
			pods: []*v1.Pod{
				makePod("a", "w-0", "train", "workers", "", 1).unschedulable(gang.WaitingForPodsMessage(key("a", "train", "workers", ""), 1, 2), 2).obj(),
				makePod("a", "w-1", "train", "workers", "", 1).unschedulable(gang.WaitingForWorkloadMessage(gang.WorkloadKey{Namespace: "a", Name: "train"}), 2).obj(),
			},
			want: []Row{{Namespace: "a", Workload: "train", PodGroup: "workers", Policy: PolicyGang, MinCount: 2, Pods: 2,
				State: StateScheduling, Status: "scheduling", Created: at(0), PendingPods: []string{"w-0", "w-1"}}},
		},
		{
			name:      "the latest failure of a pending member is the message",
			workloads: []*schedulingv1alpha1.Workload{workload("a", "train", 0, gangPG("workers", 3))},
			pods: []*v1.Pod{
				makePod("a", "w-0", "train", "workers", "", 1).unschedulable(noNode, 5).obj(),
				makePod("a", "w-1", "train", "workers", "", 1).unschedulable(rejected, 7).obj(),
				makePod("a", "w-2", "train", "workers", "", 1).unschedulable(gang.WaitingForPodsMessage(key("a", "train", "workers", ""), 2, 3), 9).obj(),
			},
			want: []Row{{Namespace: "a", Workload: "train", PodGroup: "workers", Policy: PolicyGang, MinCount: 3, Pods: 3,
				State: StateUnschedulable, Status: "unschedulable", Message: rejected, Created: at(0), PendingPods: []string{"w-0", "w-1", "w-2"}}},
		},
		{
			name:      "a gang whose members wait for their victims is preempting",
			workloads: []*schedulingv1alpha1.Workload{workload("a", "train", 0, gangPG("workers", 2))},
			pods: []*v1.Pod{
				makePod("a", "w-0", "train", "workers", "", 1).unschedulable("0/2 nodes are available: 2 Insufficient cpu. "+gang.WaitingForVictimsMessage(key("a", "train", "workers", ""), 2), 5).obj(),
				makePod("a", "w-1", "train", "workers", "", 1).obj(),
			},
			want: []Row{{Namespace: "a", Workload: "train", PodGroup: "workers", Policy: PolicyGang, MinCount: 2, Pods: 2,
				State: StatePreempting, Status: "preempting", Message: "0/2 nodes are available: 2 Insufficient cpu. " + gang.WaitingForVictimsMessage(key("a", "train", "workers", ""), 2),
				Created: at(0), PendingPods: []string{"w-0", "w-1"}}},
		},
		{
			name:      "equal times: the message does not depend on pod order",
			workloads: []*schedulingv1alpha1.Workload{workload("a", "train", 0, gangPG("workers", 2))},
			pods: []*v1.Pod{
				makePod("a", "w-1", "train", "workers", "", 1).unschedulable(rejected, 5).obj(),
				makePod("a", "w-0", "train", "workers", "", 1).unschedulable(noNode, 5).obj(),
			},
			want: []Row{{Namespace: "a", Workload: "train", PodGroup: "workers", Policy: PolicyGang, MinCount: 2, Pods: 2,
				State: StateUnschedulable, Status: "unschedulable", Message: noNode, Created: at(0), PendingPods: []string{"w-0", "w-1"}}},
		},
		{
			name:      "a gang past its quorum is running even with a pending extra member",
			workloads: []*schedulingv1alpha1.Workload{workload("a", "train", 0, gangPG("workers", 2))},
			pods: []*v1.Pod{
				makePod("a", "w-0", "train", "workers", "", 1).node("n1").obj(),
				makePod("a", "w-1", "train", "workers", "", 1).node("n1").obj(),
				makePod("a", "w-2", "train", "workers", "", 1).unschedulable(noNode, 3).obj(),
			},
			want: []Row{{Namespace: "a", Workload: "train", PodGroup: "workers", Policy: PolicyGang, MinCount: 2, Pods: 3, Bound: 2,
				State: StateRunning, Status: "running", Message: noNode, Created: at(0), Nodes: []string{"n1"}, PendingPods: []string{"w-2"}}},
		},
		{
			name:      "basic group: running only when every member is bound",
			workloads: []*schedulingv1alpha1.Workload{workload("a", "serve", 0, basicPG("replicas"), basicPG("all"))},
			pods: []*v1.Pod{
				makePod("a", "r-0", "serve", "replicas", "", 1).node("n1").obj(),
				makePod("a", "r-1", "serve", "replicas", "", 1).obj(),
				makePod("a", "a-0", "serve", "all", "", 1).node("n2").obj(),
			},
			want: []Row{
				{Namespace: "a", Workload: "serve", PodGroup: "all", Policy: PolicyBasic, Pods: 1, Bound: 1,
					State: StateRunning, Status: "running", Created: at(0), Nodes: []string{"n2"}},
				{Namespace: "a", Workload: "serve", PodGroup: "replicas", Policy: PolicyBasic, Pods: 2, Bound: 1,
					State: StateScheduling, Status: "scheduling", Created: at(0), Nodes: []string{"n1"}, PendingPods: []string{"r-1"}},
			},
		},
		{
			name:      "namespaces are separate and pods without workloadRef are ignored",
			workloads: []*schedulingv1alpha1.Workload{workload("b", "train", 0, gangPG("workers", 1))},
			pods: []*v1.Pod{
				makePod("a", "plain", "", "", "", 1).obj(),
				makePod("a", "w-0", "train", "workers", "", 2).obj(),
				makePod("b", "w-0", "train", "workers", "", 1).node("n1").obj(),
			},
			want: []Row{
				{Namespace: "a", Workload: "train", PodGroup: "workers", Pods: 1,
					State: StateWorkloadMissing, Status: "waiting for Workload", Message: "waiting for Workload a/train",
					Created: at(2), PendingPods: []string{"w-0"}},
				{Namespace: "b", Workload: "train", PodGroup: "workers", Policy: PolicyGang, MinCount: 1, Pods: 1, Bound: 1,
					State: StateRunning, Status: "running", Created: at(0), Nodes: []string{"n1"}},
			},
		},
		{
			name: "nothing to show",
			pods: []*v1.Pod{makePod("a", "plain", "", "", "", 1).obj()},
			want: []Row{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Rows(tt.workloads, tt.pods))
		})
	}
}

// podGroup returns a scheduler-plugins PodGroup of minMember.
func podGroup(ns, name string, created int, minMember int32, phase podgroupv1alpha1.PodGroupPhase) *podgroupv1alpha1.PodGroup {
	return &podgroupv1alpha1.PodGroup{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, CreationTimestamp: at(created)},
		Spec:       podgroupv1alpha1.PodGroupSpec{MinMember: minMember},
		Status:     podgroupv1alpha1.PodGroupStatus{Phase: phase},
	}
}

// joins labels the pod as a member of PodGroup pg.
func (p *podWrapper) joins(pg string) *podWrapper {
	if p.Labels == nil {
		p.Labels = map[string]string{}
	}
	p.Labels[podgroupv1alpha1.PodGroupLabel] = pg
	return p
}

func TestRowsWithPodGroups(t *testing.T) {
	pgKey := func(ns, name string) gang.GroupKey {
		return gang.GroupKey{Source: gang.SourcePodGroup, Namespace: ns, Workload: name}
	}
	noNode := "0/2 nodes are available: 2 Insufficient cpu."
	tests := []struct {
		name      string
		workloads []*schedulingv1alpha1.Workload
		podGroups []*podgroupv1alpha1.PodGroup
		pods      []*v1.Pod
		want      []Row
	}{
		{
			name:      "both sources in one list: Workloads first in a namespace, then PodGroups",
			workloads: []*schedulingv1alpha1.Workload{workload("a", "train", 0, gangPG("workers", 1))},
			podGroups: []*podgroupv1alpha1.PodGroup{
				podGroup("a", "mpi", 1, 2, podgroupv1alpha1.PodGroupRunning),
				podGroup("b", "etl", 2, 3, podgroupv1alpha1.PodGroupPending),
			},
			pods: []*v1.Pod{
				makePod("a", "m-1", "", "", "", 2).joins("mpi").node("n2").obj(),
				makePod("a", "m-0", "", "", "", 2).joins("mpi").node("n1").obj(),
				makePod("a", "w-0", "train", "workers", "", 1).node("n1").obj(),
				makePod("b", "e-0", "", "", "", 3).joins("etl").obj(),
			},
			want: []Row{
				{Namespace: "a", Workload: "train", PodGroup: "workers", Policy: PolicyGang, MinCount: 1, Pods: 1, Bound: 1,
					State: StateRunning, Status: "running", Created: at(0), Nodes: []string{"n1"}},
				{Namespace: "a", Source: SourcePodGroup, PodGroup: "mpi", Policy: PolicyGang, MinCount: 2, Pods: 2, Bound: 2,
					State: StateRunning, Status: "running", Created: at(1), PodGroupPhase: podgroupv1alpha1.PodGroupRunning, Nodes: []string{"n1", "n2"}},
				{Namespace: "b", Source: SourcePodGroup, PodGroup: "etl", Policy: PolicyGang, MinCount: 3, Pods: 1,
					State: StateWaitingForPods, Status: "waiting for 2 more pods (1/3)", Message: gang.WaitingForPodsMessage(pgKey("b", "etl"), 1, 3),
					Created: at(2), PodGroupPhase: podgroupv1alpha1.PodGroupPending, PendingPods: []string{"e-0"}},
			},
		},
		{
			name: "pods of a missing PodGroup wait for it, aged by the oldest pod; the held message is recomputed",
			pods: []*v1.Pod{
				makePod("a", "g-1", "", "", "", 5).joins("ghost").unschedulable(gang.WaitingForWorkloadMessage(pgKey("a", "ghost").WorkloadKey()), 6).obj(),
				makePod("a", "g-0", "", "", "", 4).joins("ghost").obj(),
			},
			want: []Row{{Namespace: "a", Source: SourcePodGroup, PodGroup: "ghost", Pods: 2,
				State: StateWorkloadMissing, Status: "waiting for PodGroup", Message: "waiting for PodGroup a/ghost",
				Created: at(4), PendingPods: []string{"g-0", "g-1"}}},
		},
		{
			name:      "a Workload and a PodGroup of the same name are two gangs",
			workloads: []*schedulingv1alpha1.Workload{workload("a", "job", 0, gangPG("job", 1))},
			podGroups: []*podgroupv1alpha1.PodGroup{podGroup("a", "job", 0, 1, "")},
			pods: []*v1.Pod{
				makePod("a", "w-0", "job", "job", "", 1).obj(),
				makePod("a", "p-0", "", "", "", 1).joins("job").node("n1").obj(),
			},
			want: []Row{
				{Namespace: "a", Workload: "job", PodGroup: "job", Policy: PolicyGang, MinCount: 1, Pods: 1,
					State: StateScheduling, Status: "scheduling", Created: at(0), PendingPods: []string{"w-0"}},
				{Namespace: "a", Source: SourcePodGroup, PodGroup: "job", Policy: PolicyGang, MinCount: 1, Pods: 1, Bound: 1,
					State: StateRunning, Status: "running", Created: at(0), Nodes: []string{"n1"}},
			},
		},
		{
			name:      "a PodGroup without pods; minMember 0 is a quorum of 1",
			podGroups: []*podgroupv1alpha1.PodGroup{podGroup("a", "idle", 0, 0, "")},
			want: []Row{{Namespace: "a", Source: SourcePodGroup, PodGroup: "idle", Policy: PolicyGang, MinCount: 1,
				State: StateWaitingForPods, Status: "waiting for 1 more pods (0/1)", Message: gang.WaitingForPodsMessage(pgKey("a", "idle"), 0, 1), Created: at(0)}},
		},
		{
			name:      "a pending member's failure, not a stale held message, and no terminated member",
			podGroups: []*podgroupv1alpha1.PodGroup{podGroup("a", "mpi", 0, 2, podgroupv1alpha1.PodGroupScheduling)},
			pods: []*v1.Pod{
				makePod("a", "m-0", "", "", "", 1).joins("mpi").unschedulable(gang.WaitingForPodsMessage(pgKey("a", "mpi"), 1, 2), 2).obj(),
				makePod("a", "m-1", "", "", "", 1).joins("mpi").unschedulable(noNode, 3).obj(),
				makePod("a", "m-old", "", "", "", 0).joins("mpi").phase(v1.PodFailed).obj(),
				makePod("a", "m-gone", "", "", "", 0).joins("mpi").deleting().obj(),
			},
			want: []Row{{Namespace: "a", Source: SourcePodGroup, PodGroup: "mpi", Policy: PolicyGang, MinCount: 2, Pods: 2,
				State: StateUnschedulable, Status: "unschedulable", Message: noNode, Created: at(0),
				PodGroupPhase: podgroupv1alpha1.PodGroupScheduling, PendingPods: []string{"m-0", "m-1"}}},
		},
		{
			name:      "an ambiguous pod counts in neither gang",
			workloads: []*schedulingv1alpha1.Workload{workload("a", "train", 0, gangPG("workers", 1))},
			podGroups: []*podgroupv1alpha1.PodGroup{podGroup("a", "mpi", 0, 1, "")},
			pods:      []*v1.Pod{makePod("a", "both", "train", "workers", "", 1).joins("mpi").obj()},
			want: []Row{
				{Namespace: "a", Workload: "train", PodGroup: "workers", Policy: PolicyGang, MinCount: 1,
					State: StateWaitingForPods, Status: "waiting for 1 more pods (0/1)",
					Message: gang.WaitingForPodsMessage(gang.GroupKey{Namespace: "a", Workload: "train", PodGroup: "workers"}, 0, 1), Created: at(0)},
				{Namespace: "a", Source: SourcePodGroup, PodGroup: "mpi", Policy: PolicyGang, MinCount: 1,
					State: StateWaitingForPods, Status: "waiting for 1 more pods (0/1)", Message: gang.WaitingForPodsMessage(pgKey("a", "mpi"), 0, 1), Created: at(0)},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := RowsWithPodGroups(tt.workloads, tt.podGroups, tt.pods)
			assert.Equal(t, tt.want, rows)
			for _, r := range rows {
				k := rowFor(r.Key())
				assert.Equal(t, []any{r.Namespace, r.Source, r.Workload, r.PodGroup, r.ReplicaKey},
					[]any{k.Namespace, k.Source, k.Workload, k.PodGroup, k.ReplicaKey}, "Key and rowFor are inverse")
			}
		})
	}
}

// TestRowsLeavesOutPodGroups: Rows is the view of Workloads only.
func TestRowsLeavesOutPodGroups(t *testing.T) {
	pods := []*v1.Pod{
		makePod("a", "m-0", "", "", "", 1).joins("mpi").obj(),
		makePod("a", "w-0", "train", "workers", "", 1).node("n1").obj(),
	}
	rows := Rows([]*schedulingv1alpha1.Workload{workload("a", "train", 0, gangPG("workers", 1))}, pods)
	require.Len(t, rows, 1)
	assert.Equal(t, "train", rows[0].Workload)
}

func TestAmbiguousPods(t *testing.T) {
	both := makePod("b", "both", "train", "workers", "", 1).joins("mpi").obj()
	finished := makePod("a", "done", "train", "workers", "", 1).joins("mpi").phase(v1.PodSucceeded).obj()
	pods := []*v1.Pod{
		both,
		makePod("a", "z", "train", "workers", "", 1).joins("etl").obj(),
		makePod("a", "m-0", "", "", "", 1).joins("mpi").obj(),
		makePod("a", "w-0", "train", "workers", "", 1).obj(),
		finished,
	}
	assert.Equal(t, []AmbiguousPod{
		{Namespace: "a", Name: "z", Workload: "train", PodGroup: "etl", Message: gang.AmbiguousMessage(pods[1])},
		{Namespace: "b", Name: "both", Workload: "train", PodGroup: "mpi", Message: gang.AmbiguousMessage(both)},
	}, AmbiguousPods(pods))
	assert.Empty(t, AmbiguousPods(pods[2:4]))
}

func TestSourceJSON(t *testing.T) {
	row := Row{Namespace: "a", Source: SourcePodGroup, PodGroup: "mpi", Policy: PolicyGang, MinCount: 2, Pods: 2, Bound: 2,
		State: StateRunning, Status: "running", Created: at(0), PodGroupPhase: podgroupv1alpha1.PodGroupRunning}
	got, err := json.Marshal(row)
	require.NoError(t, err)
	assert.JSONEq(t, `{"namespace":"a","source":"PodGroup","workload":"","podGroup":"mpi","replicaKey":"","policy":"gang","minCount":2,"pods":2,"bound":2,
		"state":"Running","status":"running","created":"2026-01-02T03:04:05Z","podGroupPhase":"Running"}`, string(got))
	assert.Equal(t, gang.GroupKey{Source: gang.SourcePodGroup, Namespace: "a", Workload: "mpi"}, row.Key())

	// As -o custom-columns and --sort-by read it.
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&row)
	require.NoError(t, err)
	assert.Equal(t, "PodGroup", u["source"])

	var back Row
	require.NoError(t, json.Unmarshal(got, &back))
	// metav1.Time reads back in the local zone.
	assert.True(t, row.Created.Equal(&back.Created))
	back.Created = row.Created
	assert.Equal(t, row, back)
	var s Source
	assert.ErrorContains(t, json.Unmarshal([]byte(`"Job"`), &s), `unknown gang source "Job": want Workload or PodGroup`)
}

// TestListJSON pins the shape of -o json: field names are a contract.
func TestListJSON(t *testing.T) {
	empty, err := json.Marshal(NewList(nil))
	require.NoError(t, err)
	assert.JSONEq(t, `{"apiVersion":"gangsched.io/v1alpha1","kind":"GangList","items":[]}`, string(empty))

	row := Row{Namespace: "a", Workload: "w", PodGroup: "pg", ReplicaKey: "0", Policy: PolicyGang, MinCount: 2, Pods: 1,
		State: StateWaitingForPods, Status: "waiting for 1 more pods (1/2)", Message: "m", Created: at(0), PendingPods: []string{"p"}}
	got, err := json.Marshal(row)
	require.NoError(t, err)
	assert.JSONEq(t, `{"namespace":"a","source":"Workload","workload":"w","podGroup":"pg","replicaKey":"0","policy":"gang","minCount":2,"pods":1,"bound":0,
		"state":"WaitingForPods","status":"waiting for 1 more pods (1/2)","message":"m","created":"2026-01-02T03:04:05Z","pendingPods":["p"]}`, string(got))
	assert.Equal(t, gang.GroupKey{Namespace: "a", Workload: "w", PodGroup: "pg", ReplicaKey: "0"}, row.Key())

	// The topology fields, only when set.
	row = Row{Namespace: "a", Workload: "w", PodGroup: "pg", Policy: PolicyGang, MinCount: 1, Pods: 1, Bound: 1, State: StateRunning, Status: "running",
		Created: at(0), Nodes: []string{"n1"}, TopologyKey: "example.com/rack", Domains: []string{"rack-1"}}
	got, err = json.Marshal(row)
	require.NoError(t, err)
	assert.JSONEq(t, `{"namespace":"a","source":"Workload","workload":"w","podGroup":"pg","replicaKey":"","policy":"gang","minCount":1,"pods":1,"bound":1,
		"state":"Running","status":"running","created":"2026-01-02T03:04:05Z","nodes":["n1"],"topologyKey":"example.com/rack","domains":["rack-1"]}`, string(got))
	row.Domains, row.DomainsUnknown = nil, true
	got, err = json.Marshal(row)
	require.NoError(t, err)
	assert.JSONEq(t, `{"namespace":"a","source":"Workload","workload":"w","podGroup":"pg","replicaKey":"","policy":"gang","minCount":1,"pods":1,"bound":1,
		"state":"Running","status":"running","created":"2026-01-02T03:04:05Z","nodes":["n1"],"topologyKey":"example.com/rack","domainsUnknown":true}`, string(got))
}

// TestListObject checks what the cli-runtime printers rely on: the list's
// kind, and a deep copy that shares nothing.
func TestListObject(t *testing.T) {
	list := NewList([]Row{{Namespace: "a", Workload: "w", Created: at(0), Nodes: []string{"n1"}, PendingPods: []string{"p"},
		TopologyKey: "k", Domains: []string{"d"}}})
	assert.Equal(t, schema.GroupVersionKind{Group: "gangsched.io", Version: "v1alpha1", Kind: "GangList"}, list.GetObjectKind().GroupVersionKind())

	cp, ok := list.DeepCopyObject().(*List)
	require.True(t, ok)
	assert.Equal(t, list, cp)
	cp.Items[0].Nodes[0], cp.Items[0].PendingPods[0], cp.Items[0].Domains[0] = "changed", "changed", "changed"
	cp.GetObjectKind().SetGroupVersionKind(schema.GroupVersionKind{Group: "g", Version: "v", Kind: "K"})
	assert.Equal(t, []string{"n1"}, list.Items[0].Nodes)
	assert.Equal(t, []string{"p"}, list.Items[0].PendingPods)
	assert.Equal(t, []string{"d"}, list.Items[0].Domains)
	assert.Equal(t, ListAPIVersion, list.APIVersion)
	assert.Equal(t, "g/v", cp.APIVersion)
	assert.Equal(t, "K", cp.Kind)
}

// annotate sets annotations on w: key, value, key, value, ...
func annotate(w *schedulingv1alpha1.Workload, kv ...string) *schedulingv1alpha1.Workload {
	if w.Annotations == nil {
		w.Annotations = map[string]string{}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		w.Annotations[kv[i]] = kv[i+1]
	}
	return w
}

// nodes returns the labels of nodes: name, label key, value, name, key, value, ...
// (an empty key: a node without labels).
func nodes(nkv ...string) map[string]map[string]string {
	m := map[string]map[string]string{}
	for i := 0; i+2 < len(nkv); i += 3 {
		if m[nkv[i]] == nil {
			m[nkv[i]] = map[string]string{}
		}
		if nkv[i+1] != "" {
			m[nkv[i]][nkv[i+1]] = nkv[i+2]
		}
	}
	return m
}

// domains is what AddDomains sets on one row.
type domains struct {
	key     string
	values  []string
	unknown bool
}

func TestAddDomains(t *testing.T) {
	const (
		rack = "example.com/rack"
		zone = "topology.kubernetes.io/zone"
	)
	racks := nodes("n1", rack, "rack-1", "n1", zone, "z1", "n2", rack, "rack-1", "n3", rack, "rack-2", "n4", zone, "z1", "n5", "", "")
	train := func(kv ...string) *schedulingv1alpha1.Workload {
		return annotate(workload("a", "train", 0, gangPG("workers", 2), basicPG("ps")), kv...)
	}
	// The pods of train: workers[0] on n1 and n2, workers[1] on n3 and n4,
	// workers[2] pending, ps on n1.
	trainPods := []*v1.Pod{
		makePod("a", "w0-0", "train", "workers", "0", 1).node("n1").obj(),
		makePod("a", "w0-1", "train", "workers", "0", 1).node("n2").obj(),
		makePod("a", "w1-0", "train", "workers", "1", 1).node("n3").obj(),
		makePod("a", "w1-1", "train", "workers", "1", 1).node("n4").obj(),
		makePod("a", "w2-0", "train", "workers", "2", 1).obj(),
		makePod("a", "ps-0", "train", "ps", "", 1).node("n1").obj(),
	}
	none := domains{}
	tests := []struct {
		name       string
		workloads  []*schedulingv1alpha1.Workload
		pods       []*v1.Pod
		nodeLabels map[string]map[string]string
		// want is per row, in the order of Rows: ps, then workers[0], [1], [2].
		want      []domains
		wantNodes bool
	}{
		{
			name:       "required key: each replica key its domains; a node without the label adds none",
			workloads:  []*schedulingv1alpha1.Workload{train(gang.TopologyRequiredAnnotation, rack)},
			pods:       trainPods,
			nodeLabels: racks,
			want:       []domains{none, {key: rack, values: []string{"rack-1"}}, {key: rack, values: []string{"rack-2"}}, {key: rack}},
			wantNodes:  true,
		},
		{
			name:       "preferred key: sorted distinct values",
			workloads:  []*schedulingv1alpha1.Workload{train(gang.TopologyPreferredAnnotation, zone)},
			pods:       trainPods,
			nodeLabels: racks,
			want:       []domains{none, {key: zone, values: []string{"z1"}}, {key: zone, values: []string{"z1"}}, {key: zone}},
			wantNodes:  true,
		},
		{
			name:      "required and preferred: the required key is shown",
			workloads: []*schedulingv1alpha1.Workload{train(gang.TopologyRequiredAnnotation, zone, gang.TopologyPreferredAnnotation, rack)},
			pods: []*v1.Pod{
				makePod("a", "w0-0", "train", "workers", "0", 1).node("n1").obj(),
				makePod("a", "w0-1", "train", "workers", "0", 1).node("n4").obj(),
			},
			nodeLabels: racks,
			want:       []domains{none, {key: zone, values: []string{"z1"}}},
			wantNodes:  true,
		},
		{
			name:      "several domains (preferred), and a node missing from the list adds none",
			workloads: []*schedulingv1alpha1.Workload{train(gang.TopologyPreferredAnnotation, rack)},
			pods: []*v1.Pod{
				makePod("a", "w0-0", "train", "workers", "0", 1).node("n3").obj(),
				makePod("a", "w0-1", "train", "workers", "0", 1).node("n1").obj(),
				makePod("a", "w0-2", "train", "workers", "0", 1).node("n2").obj(),
				makePod("a", "w0-3", "train", "workers", "0", 1).node("gone").obj(),
			},
			nodeLabels: racks,
			want:       []domains{none, {key: rack, values: []string{"rack-1", "rack-2"}}},
			wantNodes:  true,
		},
		{
			name:      "bound members only on nodes without the label: the key, no domain",
			workloads: []*schedulingv1alpha1.Workload{train(gang.TopologyPreferredAnnotation, rack)},
			pods: []*v1.Pod{
				makePod("a", "w0-0", "train", "workers", "0", 1).node("n4").obj(),
				makePod("a", "w0-1", "train", "workers", "0", 1).node("n5").obj(),
			},
			nodeLabels: racks,
			want:       []domains{none, {key: rack}},
			wantNodes:  true,
		},
		{
			name:       "no topology asked",
			workloads:  []*schedulingv1alpha1.Workload{train()},
			pods:       trainPods,
			nodeLabels: racks,
			want:       []domains{none, none, none, none},
		},
		{
			name:       "invalid annotation: no domain to show",
			workloads:  []*schedulingv1alpha1.Workload{train(gang.TopologyRequiredAnnotation, "not a label key!")},
			pods:       trainPods,
			nodeLabels: racks,
			want:       []domains{none, none, none, none},
		},
		{
			name:       "the same key required and preferred is invalid",
			workloads:  []*schedulingv1alpha1.Workload{train(gang.TopologyRequiredAnnotation, rack, gang.TopologyPreferredAnnotation, rack)},
			pods:       trainPods,
			nodeLabels: racks,
			want:       []domains{none, none, none, none},
		},
		{
			name:      "nodes unknown: gangs with a bound member say so, the others have no domain",
			workloads: []*schedulingv1alpha1.Workload{train(gang.TopologyRequiredAnnotation, rack)},
			pods:      trainPods,
			want:      []domains{none, {key: rack, unknown: true}, {key: rack, unknown: true}, {key: rack}},
			wantNodes: true,
		},
		{
			name: "pods of a missing Workload, or of a missing podGroup, ask nothing",
			workloads: []*schedulingv1alpha1.Workload{
				annotate(workload("a", "train", 0), gang.TopologyRequiredAnnotation, rack),
			},
			pods: []*v1.Pod{
				makePod("a", "g-0", "ghost", "workers", "", 1).node("n1").obj(),
				makePod("a", "w-0", "train", "workers", "", 1).node("n1").obj(),
			},
			want: []domains{none, none},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := Rows(tt.workloads, tt.pods)
			assert.Equal(t, tt.wantNodes, NeedsNodes(rows, tt.workloads, nil))
			AddDomains(rows, tt.workloads, nil, tt.nodeLabels)
			got := make([]domains, len(rows))
			for i, r := range rows {
				got[i] = domains{key: r.TopologyKey, values: r.Domains, unknown: r.DomainsUnknown}
			}
			assert.Equal(t, tt.want, got)

			// Again, with the nodes unknown: nothing of the first call stays.
			AddDomains(rows, tt.workloads, nil, nil)
			for i, r := range rows {
				assert.Empty(t, r.Domains, "row %d", i)
				assert.Equal(t, r.TopologyKey != "" && r.Bound > 0, r.DomainsUnknown, "row %d", i)
			}
		})
	}
}

func TestTopologyKey(t *testing.T) {
	tests := []struct {
		name string
		kv   []string
		want string
	}{
		{name: "none"},
		{name: "required", kv: []string{gang.TopologyRequiredAnnotation, "example.com/rack"}, want: "example.com/rack"},
		{name: "preferred", kv: []string{gang.TopologyPreferredAnnotation, "example.com/rack"}, want: "example.com/rack"},
		{name: "required wins", kv: []string{gang.TopologyRequiredAnnotation, "zone", gang.TopologyPreferredAnnotation, "rack"}, want: "zone"},
		{name: "invalid", kv: []string{gang.TopologyPreferredAnnotation, "-rack"}},
		{name: "one invalid hides both", kv: []string{gang.TopologyRequiredAnnotation, "zone", gang.TopologyPreferredAnnotation, "a/b/c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, TopologyKey(annotate(workload("a", "w", 0), tt.kv...)))
		})
	}
}
