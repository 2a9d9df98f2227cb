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
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/gangsched/gangsched/pkg/gang"
)

// Policy is what the caller's Workload lookup found for a pod.
type Policy struct {
	// WorkloadFound is false when the Workload does not exist.
	WorkloadFound bool
	// PodGroupFound is false when the Workload has no such podGroup.
	PodGroupFound bool
	// MinCount is the gang's minCount; 0 for a basic group.
	MinCount int
	// WorkloadUID is the Workload's UID, when found.
	WorkloadUID types.UID
}

// Verdict is Admit's answer.
type Verdict int

const (
	// Admitted means the pod may enter the scheduling queue.
	Admitted Verdict = iota
	// WaitingForWorkload means the pod's Workload does not exist.
	WaitingForWorkload
	// WaitingForPodGroup means the pod's Workload lacks its podGroup.
	WaitingForPodGroup
	// WaitingForMembers means the gang has fewer than minCount pods.
	WaitingForMembers
	// WaitingForBackoff means the gang backs off after a rejected round.
	WaitingForBackoff
	// WaitingForRoom means the gang cannot fit in the nodes it may use even
	// with every other pod gone (see CannotFit): it waits for the nodes to
	// change, reserving nothing.
	WaitingForRoom
	// Ambiguous means the pod names both a Workload and a PodGroup
	// (gang.Ambiguous): it is in no gang, and is held until recreated with
	// one. The plugin decides it; Admit never returns it.
	Ambiguous
)

// Admit decides whether a pod may enter the scheduling queue (PreEnqueue).
// lookup reads the pod's Workload from the informer cache. It runs under the
// store lock: a Workload that arrives concurrently is either seen by lookup,
// or its WorkloadChanged call finds this pod registered as waiting. The pod
// is remembered when turned away, so the event that unblocks it hands it
// back (for a backoff, BackoffExpired). It returns the verdict and, for
// gangs, the member count it compared.
func (s *Store) Admit(pod *v1.Pod, lookup func() Policy) (v Verdict, members int) {
	key, ok := gang.KeyForPod(pod)
	if !ok {
		return Admitted, 0
	}
	wk := key.WorkloadKey()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := lookup()
	if s.gone.has(pod.UID) {
		// Deleted: the scheduler drops it; nothing to remember.
		return Admitted, 0
	}
	if !p.WorkloadFound || !p.PodGroupFound {
		if s.waitingForWorkload[wk] == nil {
			s.waitingForWorkload[wk] = map[types.UID]*v1.Pod{}
		}
		s.waitingForWorkload[wk][pod.UID] = pod
		if !p.WorkloadFound {
			delete(s.workloadFound, wk)
			return WaitingForWorkload, 0
		}
		s.workloadFound[wk] = struct{}{}
		return WaitingForPodGroup, 0
	}
	if set := s.waitingForWorkload[wk]; set != nil {
		delete(set, pod.UID)
		if len(set) == 0 {
			delete(s.waitingForWorkload, wk)
			delete(s.workloadFound, wk)
		}
	}
	if p.MinCount == 0 {
		return Admitted, 0
	}
	g := s.getOrCreate(key)
	g.minCount = p.MinCount
	if g.workloadUID != p.WorkloadUID {
		// Siblings held for the old Workload's backoff or room are judged
		// again by the Workload's own add event (WorkloadChanged).
		g.resetAttempt(p.WorkloadUID)
	}
	members = len(g.members)
	if members < p.MinCount {
		g.gated[pod.UID] = pod
		return WaitingForMembers, members
	}
	delete(g.gated, pod.UID)
	if g.cannotFit != "" {
		g.noRoom[pod.UID] = pod
		return WaitingForRoom, members
	}
	now := s.clock.Now()
	if now.Before(g.backoffUntil) {
		g.backedOff[pod.UID] = pod
		return WaitingForBackoff, members
	}
	if g.arrival.IsZero() {
		g.arrival = now
	}
	return Admitted, members
}

// WorkloadChanged is called when a Workload is added, or updated in a way
// its gangs depend on. It returns every pod that waits on that Workload:
// those turned away for a missing Workload or podGroup, gated gang members
// (minCount may have changed), and members sent back by a gang rejection.
// A Workload with a new UID (recreated under the same name) is a new gang:
// its groups start afresh (no inherited backoff, rejections, arrival or fit
// verdict), and the members they held for those are returned too. The
// caller activates them so they are judged again against the new Workload.
func (s *Store) WorkloadChanged(wk gang.WorkloadKey, uid types.UID) []*v1.Pod {
	s.mu.Lock()
	defer s.mu.Unlock()
	var pods []*v1.Pod
	if set := s.waitingForWorkload[wk]; set != nil {
		for _, p := range set {
			pods = append(pods, p)
		}
		delete(s.waitingForWorkload, wk)
		delete(s.workloadFound, wk)
	}
	for key := range s.byWorkload[wk] {
		g := s.groups[key]
		if g.workloadUID != uid {
			g.resetAttempt(uid)
		}
		pods = append(pods, takeAll(&g.gated)...)
		pods = append(pods, takeAll(&g.rejected)...)
		s.syncGroup(key, g)
	}
	return pods
}

// WaitingRoundsOnWorkload is WaitingOnWorkload round by round: one
// RoundRejected outcome (CauseWorkloadDeleted: no backoff starts) per gang of the
// Workload that has members waiting at Permit, so that each rejected round
// can be counted and reported.
func (s *Store) WaitingRoundsOnWorkload(wk gang.WorkloadKey) []RoundOutcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rounds []RoundOutcome
	for key := range s.byWorkload[wk] {
		g := s.groups[key]
		if len(g.waiting) == 0 {
			continue
		}
		rounds = append(rounds, RoundOutcome{Kind: RoundRejected, Group: key, Cause: CauseWorkloadDeleted, Reject: g.takeWaitingAsRejected()})
		s.syncGroup(key, g)
	}
	return rounds
}
