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

package groupstate

import (
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/gangsched/gangsched/pkg/gang"
)

// goneCapacity bounds the deleted pods remembered: far more than can be in
// a scheduling cycle at the moment they are deleted.
const goneCapacity = 4096

// tombstones is a bounded set of UIDs that forgets the oldest first. O(1).
type tombstones struct {
	set  map[types.UID]struct{}
	ring []types.UID
	next int
}

func (t *tombstones) add(uid types.UID) {
	if t.set == nil {
		t.set = map[types.UID]struct{}{}
	}
	if _, ok := t.set[uid]; ok {
		return
	}
	if len(t.ring) < goneCapacity {
		t.ring = append(t.ring, uid)
	} else {
		delete(t.set, t.ring[t.next])
		t.ring[t.next] = uid
		t.next = (t.next + 1) % goneCapacity
	}
	t.set[uid] = struct{}{}
}

func (t *tombstones) has(uid types.UID) bool {
	_, ok := t.set[uid]
	return ok
}

// isLive reports whether a pod still counts as a member: pods that are being
// deleted or have terminated never count toward a quorum.
func isLive(pod *v1.Pod) bool {
	return pod.DeletionTimestamp == nil && pod.Status.Phase != v1.PodSucceeded && pod.Status.Phase != v1.PodFailed
}

// exclusion is why a pod of a group does not count as a member.
type exclusion uint8

const (
	// schedulingGated: the pod has spec.schedulingGates; no scheduler
	// attempts it until they are removed.
	schedulingGated exclusion = iota + 1
	// otherScheduler: the pod names a scheduler that is not this one.
	otherScheduler
)

// excludedBy returns why an unbound pod cannot reach this scheduler's
// Permit, and false when it can. A bound pod always counts.
func (s *Store) excludedBy(pod *v1.Pod) (exclusion, bool) {
	switch {
	case pod.Spec.NodeName != "":
		return 0, false
	case len(pod.Spec.SchedulingGates) > 0:
		return schedulingGated, true
	case s.schedules != nil && !s.schedules(pod.Spec.SchedulerName):
		return otherScheduler, true
	}
	return 0, false
}

// AddPod records a pod seen by the pod informer. It returns the gated members
// of the pod's group when this pod completes the group's member count: the
// caller must activate them. Only pods this scheduler can still schedule,
// and bound pods, count as members (see excludedBy): a gang admitted on the
// count of a pod that never reaches Permit would reserve room and wait for
// it in vain.
func (s *Store) AddPod(pod *v1.Pod) []*v1.Pod {
	key, ok := gang.KeyForPod(pod)
	if !ok {
		return nil
	}
	if !isLive(pod) {
		s.DeletePod(pod)
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.getOrCreate(key)
	if why, excluded := s.excludedBy(pod); excluded {
		if _, member := g.members[pod.UID]; !member {
			g.excluded[pod.UID] = why
			return nil
		}
	}
	delete(g.excluded, pod.UID)
	state, known := g.members[pod.UID]
	switch {
	case !known && pod.Spec.NodeName != "":
		g.join(pod, bound)
		g.reservedOrBound++
	case !known:
		g.join(pod, pending)
	case pod.Spec.NodeName != "" && state != bound:
		if state == pending {
			g.reservedOrBound++
		}
		g.members[pod.UID] = bound
		delete(g.waiting, pod.UID)
		s.syncGroup(key, g)
	}
	if len(g.gated) > 0 && g.minCount > 0 && len(g.members) >= g.minCount {
		return takeAll(&g.gated)
	}
	return nil
}

// UpdatePod records a pod update seen by the pod informer; see AddPod.
func (s *Store) UpdatePod(pod *v1.Pod) []*v1.Pod {
	return s.AddPod(pod)
}

// DeletePod forgets a pod that was deleted, terminated or is being deleted.
func (s *Store) DeletePod(pod *v1.Pod) {
	key, ok := gang.KeyForPod(pod)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gone.add(pod.UID)
	s.breakRelease(pod.UID, "was deleted")
	s.forget(pod, key)
}

// LeaveGroup forgets a live pod's membership of the group old names: its
// PodGroup label changed (a workloadRef cannot), so it belongs to another
// group, or to none. The caller then records the pod as updated (UpdatePod)
// under its new key. A member that waited at Permit no longer counts
// toward the old gang's quorum; a release it was part of is broken, as for
// a deleted member, so the old gang never binds short.
func (s *Store) LeaveGroup(old *v1.Pod) {
	key, ok := gang.KeyForPod(old)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.breakRelease(old.UID, "left the gang")
	s.forget(old, key)
}

// forget drops a pod from the group key and from the pods waiting for its
// declaration. The caller holds s.mu.
func (s *Store) forget(pod *v1.Pod, key gang.GroupKey) {
	if set := s.waitingForWorkload[key.WorkloadKey()]; set != nil {
		delete(set, pod.UID)
		if len(set) == 0 {
			delete(s.waitingForWorkload, key.WorkloadKey())
			delete(s.workloadFound, key.WorkloadKey())
		}
	}
	g, ok := s.groups[key]
	if !ok {
		return
	}
	if state, ok := g.members[pod.UID]; ok {
		if state != pending {
			g.reservedOrBound--
		}
		g.leave(pod)
		delete(g.unfit, pod.UID)
	}
	delete(g.gated, pod.UID)
	delete(g.waiting, pod.UID)
	delete(g.rejected, pod.UID)
	delete(g.backedOff, pod.UID)
	delete(g.unplaced, pod.UID)
	delete(g.excluded, pod.UID)
	delete(g.noRoom, pod.UID)
	if len(g.waiting) == 0 {
		// The round is gone, and with it any hold (see takeWaitingAsRejected).
		g.deadline, g.holdStart = time.Time{}, time.Time{}
	}
	s.syncGroup(key, g)
}
