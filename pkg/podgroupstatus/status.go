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
	"strings"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
)

// Compute returns the status pg should have, given its member pods and the
// time now. It is pure, so that every rule below is table-tested, and the
// controller only decides whether the result differs from what is stored.
//
// Counts are taken over the members that are not being deleted: a pod with a
// deletionTimestamp is on its way out, and its replacement will be counted.
// Pods that pkg/gang does not place in pg (another namespace, no label, or a
// label and a workloadRef at once) are ignored, so the member source may be
// loose. Phases follow scheduler-plugins' Coscheduling controller:
//
//   - Finished: at least minMember members succeeded.
//   - Failed: a member failed, and the members that failed, run or succeeded
//     number at least minMember.
//   - Running: at least minMember members run or have succeeded.
//   - Scheduling: at least minMember members are bound to a node.
//   - Pending: otherwise, including a group that ran and lost members.
//
// minMember below 1 counts as 1. Finished and Failed are final: once stored,
// the whole status is kept as it is, as Coscheduling does, so that a finished
// group keeps its record when its pods are cleaned up. A recreated PodGroup is
// a new object with an empty status, and starts again.
//
// ScheduleStartTime is set to now, at second precision as it is stored, the
// first time the group has minMember members, and kept afterwards. Members
// that already terminated count here: a gang that ran to completion between
// two syncs did have its members.
func Compute(pg *podgroupv1alpha1.PodGroup, pods []*v1.Pod, now metav1.Time) podgroupv1alpha1.PodGroupStatus {
	if isFinal(pg.Status.Phase) {
		return pg.Status
	}
	minMember := max(pg.Spec.MinMember, 1)
	var st podgroupv1alpha1.PodGroupStatus
	var members int32
	owners := sets.New[string]()
	for _, pod := range pods {
		if !isMember(pg, pod) || pod.DeletionTimestamp != nil {
			continue
		}
		members++
		if pod.Spec.NodeName != "" {
			st.Scheduled++
		}
		switch pod.Status.Phase {
		case v1.PodRunning:
			st.Running++
		case v1.PodSucceeded:
			st.Succeeded++
		case v1.PodFailed:
			st.Failed++
		}
		for _, ref := range pod.OwnerReferences {
			owners.Insert(pod.Namespace + "/" + ref.Name)
		}
	}
	st.OccupiedBy = strings.Join(sets.List(owners), ",")
	st.Phase = phase(st, minMember)
	st.ScheduleStartTime = pg.Status.ScheduleStartTime
	if st.ScheduleStartTime.IsZero() && members >= minMember {
		st.ScheduleStartTime = now.Rfc3339Copy()
	}
	return st
}

// phase returns the phase of counts st for a quorum of minMember (at least
// 1). The checks run from the last phase to the first, so that the most
// advanced one that holds wins; Finished wins over Failed, as in Coscheduling.
func phase(st podgroupv1alpha1.PodGroupStatus, minMember int32) podgroupv1alpha1.PodGroupPhase {
	switch {
	case st.Succeeded >= minMember:
		return podgroupv1alpha1.PodGroupFinished
	case st.Failed > 0 && st.Failed+st.Running+st.Succeeded >= minMember:
		return podgroupv1alpha1.PodGroupFailed
	case st.Running+st.Succeeded >= minMember:
		return podgroupv1alpha1.PodGroupRunning
	case st.Scheduled >= minMember:
		return podgroupv1alpha1.PodGroupScheduling
	}
	return podgroupv1alpha1.PodGroupPending
}

// isFinal reports whether a phase is never left.
func isFinal(p podgroupv1alpha1.PodGroupPhase) bool {
	return p == podgroupv1alpha1.PodGroupFinished || p == podgroupv1alpha1.PodGroupFailed
}

// isMember reports whether pkg/gang places pod in pg: the one rule for
// membership, shared with the scheduler plugin.
func isMember(pg *podgroupv1alpha1.PodGroup, pod *v1.Pod) bool {
	key, ok := gang.KeyForPod(pod)
	return ok && key.Source == gang.SourcePodGroup && key.Namespace == pg.Namespace && key.Workload == pg.Name
}

// Equal reports whether two statuses read the same once stored: times are
// compared at the second precision they are serialized with, so a status
// computed in memory equals the one read back.
func Equal(a, b podgroupv1alpha1.PodGroupStatus) bool {
	return a.Phase == b.Phase &&
		a.OccupiedBy == b.OccupiedBy &&
		a.Scheduled == b.Scheduled &&
		a.Running == b.Running &&
		a.Succeeded == b.Succeeded &&
		a.Failed == b.Failed &&
		a.ScheduleStartTime.Truncate(time.Second).Equal(b.ScheduleStartTime.Truncate(time.Second))
}
