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
	"cmp"
	"slices"
	"time"

	v1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
)

// builder accumulates one gang instance while the pods are scanned.
type builder struct {
	row       Row
	oldestPod time.Time
	nodes     map[string]struct{}
	// msg is the latest non-held message of a pending member, and when it
	// was written; name breaks ties so the result does not depend on order.
	msg     string
	msgTime time.Time
	msgPod  string
}

// Rows returns the rows of the Workloads' gangs, as RowsWithPodGroups
// does, leaving out the pods that join a PodGroup: the view of a cluster
// without PodGroups.
func Rows(workloads []*schedulingv1alpha1.Workload, pods []*v1.Pod) []Row {
	return rows(workloads, nil, false, pods)
}

// RowsWithPodGroups returns one row per gang instance, of both sources,
// sorted by namespace, source (Workloads first), Workload, podGroup (or
// PodGroup) and replica key:
//   - every group instance with live members, whether or not the object
//     that declares it exists (the "why is my pod Pending" case);
//   - every podGroup of a Workload that has no live member, with replica
//     key "" and no pods;
//   - every PodGroup that has no live member.
//
// Pods of no gang are ignored, as are the Ambiguous ones (AmbiguousPods
// lists those). podGroups nil means no PodGroup exists (the API server
// does not serve them): the pods that join one wait for it.
func RowsWithPodGroups(workloads []*schedulingv1alpha1.Workload, podGroups []*podgroupv1alpha1.PodGroup, pods []*v1.Pod) []Row {
	return rows(workloads, podGroups, true, pods)
}

// rows computes the rows of the gangs of Workloads and, withPodGroups, of
// PodGroups.
func rows(workloads []*schedulingv1alpha1.Workload, podGroups []*podgroupv1alpha1.PodGroup, withPodGroups bool, pods []*v1.Pod) []Row {
	byKey := make(map[gang.WorkloadKey]*schedulingv1alpha1.Workload, len(workloads))
	for _, w := range workloads {
		byKey[gang.WorkloadKey{Namespace: w.Namespace, Name: w.Name}] = w
	}
	pgByKey := make(map[gang.WorkloadKey]*podgroupv1alpha1.PodGroup, len(podGroups))
	for _, pg := range podGroups {
		pgByKey[gang.WorkloadKey{Source: gang.SourcePodGroup, Namespace: pg.Namespace, Name: pg.Name}] = pg
	}
	groups := map[gang.GroupKey]*builder{}
	// withMembers records the (namespace, Workload, podGroup) and the
	// PodGroups that have members.
	withMembers := map[gang.GroupKey]struct{}{}
	for _, pod := range pods {
		key, ok := gang.KeyForPod(pod)
		if !ok || !gang.IsLiveMember(pod) || (key.Source == gang.SourcePodGroup && !withPodGroups) {
			continue
		}
		b := groups[key]
		if b == nil {
			b = &builder{row: rowFor(key), nodes: map[string]struct{}{}}
			groups[key] = b
			withMembers[gang.GroupKey{Source: key.Source, Namespace: key.Namespace, Workload: key.Workload, PodGroup: key.PodGroup}] = struct{}{}
		}
		b.addPod(key, pod)
	}
	for _, w := range workloads {
		for _, pg := range w.Spec.PodGroups {
			key := gang.GroupKey{Namespace: w.Namespace, Workload: w.Name, PodGroup: pg.Name}
			if _, ok := withMembers[key]; ok {
				continue
			}
			groups[key] = &builder{row: rowFor(key)}
		}
	}
	for _, pg := range podGroups {
		key := gang.GroupKey{Source: gang.SourcePodGroup, Namespace: pg.Namespace, Workload: pg.Name}
		if _, ok := withMembers[key]; ok {
			continue
		}
		groups[key] = &builder{row: rowFor(key)}
	}
	rows := make([]Row, 0, len(groups))
	for key, b := range groups {
		if key.Source == gang.SourcePodGroup {
			rows = append(rows, b.finishPodGroup(key, pgByKey[key.WorkloadKey()]))
			continue
		}
		rows = append(rows, b.finish(key, byKey[key.WorkloadKey()]))
	}
	slices.SortFunc(rows, func(a, b Row) int {
		return cmp.Or(
			cmp.Compare(a.Namespace, b.Namespace),
			cmp.Compare(a.Source.api, b.Source.api),
			cmp.Compare(a.Workload, b.Workload),
			cmp.Compare(a.PodGroup, b.PodGroup),
			cmp.Compare(a.ReplicaKey, b.ReplicaKey),
		)
	})
	return rows
}

// AmbiguousPod is a live pod that names both a Workload and a PodGroup
// (gang.Ambiguous): it counts in no gang, and the scheduler holds it.
type AmbiguousPod struct {
	Namespace string
	Name      string
	// Workload is the Workload of its spec.workloadRef.
	Workload string
	// PodGroup is the PodGroup of its label.
	PodGroup string
	// Message says so, in the scheduler's words (gang.AmbiguousMessage).
	Message string
}

// AmbiguousPods returns the live Ambiguous pods, sorted by namespace and
// name. No row counts them, so a view shows them apart.
func AmbiguousPods(pods []*v1.Pod) []AmbiguousPod {
	var out []AmbiguousPod
	for _, pod := range pods {
		if !gang.Ambiguous(pod) || !gang.IsLiveMember(pod) {
			continue
		}
		out = append(out, AmbiguousPod{
			Namespace: pod.Namespace, Name: pod.Name,
			Workload: pod.Spec.WorkloadRef.Name, PodGroup: pod.Labels[podgroupv1alpha1.PodGroupLabel],
			Message: gang.AmbiguousMessage(pod),
		})
	}
	slices.SortFunc(out, func(a, b AmbiguousPod) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// addPod counts a live member of the group.
func (b *builder) addPod(key gang.GroupKey, pod *v1.Pod) {
	b.row.Pods++
	if t := pod.CreationTimestamp.Time; b.oldestPod.IsZero() || t.Before(b.oldestPod) {
		b.oldestPod = t
	}
	if pod.Spec.NodeName != "" {
		b.row.Bound++
		b.nodes[pod.Spec.NodeName] = struct{}{}
		return
	}
	b.row.PendingPods = append(b.row.PendingPods, pod.Name)
	c := scheduledCondition(pod)
	if c == nil || c.Status != v1.ConditionFalse || c.Message == "" || isHeldMessage(key, c.Message) {
		return
	}
	t := c.LastTransitionTime.Time
	if b.msg == "" || t.After(b.msgTime) || (t.Equal(b.msgTime) && pod.Name < b.msgPod) {
		b.msg, b.msgTime, b.msgPod = c.Message, t, pod.Name
	}
}

// isHeldMessage reports whether msg is one the scheduler writes for a pod it
// holds at PreEnqueue. The view derives those from the current objects
// instead: a held pod keeps its message after it is released (until the
// scheduler writes another), and its counts are those of the moment it was
// written.
func isHeldMessage(key gang.GroupKey, msg string) bool {
	return msg == gang.WaitingForWorkloadMessage(key.WorkloadKey()) ||
		msg == gang.MissingPodGroupMessage(key.WorkloadKey(), key.PodGroup) ||
		gang.IsWaitingForPodsMessage(key, msg)
}

// members returns the row with its member lists sorted, aged by the oldest
// member.
func (b *builder) members() Row {
	r := b.row
	slices.Sort(r.PendingPods)
	for n := range b.nodes {
		r.Nodes = append(r.Nodes, n)
	}
	slices.Sort(r.Nodes)
	r.Created = metav1.NewTime(b.oldestPod)
	return r
}

// finishPodGroup fills in the policy and state of a PodGroup's gang, given
// the PodGroup (nil if missing).
func (b *builder) finishPodGroup(key gang.GroupKey, pg *podgroupv1alpha1.PodGroup) Row {
	r := b.members()
	if pg == nil {
		r.State, r.Status, r.Message = StateWorkloadMissing, statusPodGroupAbsent, gang.WaitingForWorkloadMessage(key.WorkloadKey())
		return r
	}
	r.Created = pg.CreationTimestamp
	r.PodGroupPhase = pg.Status.Phase
	r.Message = b.msg
	b.gangState(&r, key, gang.PodGroupMinCount(pg))
	return r
}

// finish fills in the policy and state of a Workload's group, given the
// Workload (nil if missing).
func (b *builder) finish(key gang.GroupKey, w *schedulingv1alpha1.Workload) Row {
	r := b.members()
	if w == nil {
		r.State, r.Status, r.Message = StateWorkloadMissing, statusWorkloadMissing, gang.WaitingForWorkloadMessage(key.WorkloadKey())
		return r
	}
	r.Created = w.CreationTimestamp
	pg, ok := gang.FindPodGroup(w, key.PodGroup)
	if !ok {
		r.State, r.Status, r.Message = StatePodGroupMissing, statusPodGroupMissing, gang.MissingPodGroupMessage(key.WorkloadKey(), key.PodGroup)
		return r
	}
	r.Message = b.msg
	minCount, isGang := gang.MinCount(pg)
	if !isGang {
		r.Policy = PolicyBasic
		switch {
		case r.Pods == 0:
			r.State, r.Status = StateNoPods, statusNoPods
		case r.Bound == r.Pods:
			r.State, r.Status = StateRunning, statusRunning
		default:
			r.State, r.Status = b.placing()
		}
		return r
	}
	b.gangState(&r, key, minCount)
	return r
}

// gangState sets the policy and state of a gang of minCount whose object
// exists.
func (b *builder) gangState(r *Row, key gang.GroupKey, minCount int) {
	r.Policy, r.MinCount = PolicyGang, minCount
	switch {
	case r.Pods < minCount:
		r.State, r.Status, r.Message = StateWaitingForPods, gang.WaitingForPodsPhrase(r.Pods, minCount), gang.WaitingForPodsMessage(key, r.Pods, minCount)
	case r.Bound >= minCount:
		r.State, r.Status = StateRunning, statusRunning
	case gang.IsWaitingForVictimsMessage(key, b.msg):
		r.State, r.Status = StatePreempting, statusPreempting
	default:
		r.State, r.Status = b.placing()
	}
}

// placing is the state of a group whose members are being placed: whether a
// pending member reports a failure.
func (b *builder) placing() (State, string) {
	if b.msg != "" {
		return StateUnschedulable, statusUnschedulable
	}
	return StateScheduling, statusScheduling
}

func scheduledCondition(pod *v1.Pod) *v1.PodCondition {
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == v1.PodScheduled {
			return &pod.Status.Conditions[i]
		}
	}
	return nil
}
