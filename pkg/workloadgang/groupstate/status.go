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

	"github.com/gangsched/gangsched/pkg/gang"
)

// Reserved reports whether a pod holds a reservation (Reserve ran and no
// Unreserve or binding followed).
func (s *Store) Reserved(pod *v1.Pod) bool {
	key, ok := gang.KeyForPod(pod)
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[key]
	return ok && g.members[pod.UID] == reserved
}

// GroupStatus is a copy of one group's counts.
type GroupStatus struct {
	Members         int
	ReservedOrBound int
	MinCount        int
	Gated           int
	Waiting         int
	Rejected        int
	BackedOff       int
	Rejections      int
	BackoffUntil    time.Time
	// SchedulingGated and OtherScheduler count the group's pods that are
	// not members yet (see AddPod): gated, or for another scheduler.
	SchedulingGated int
	OtherScheduler  int
	// CannotFit says why the gang cannot fit (see CannotFit); "" if it may.
	CannotFit string
}

// Group returns a copy of a group's counts, and false when it is not tracked.
func (s *Store) Group(key gang.GroupKey) (GroupStatus, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[key]
	if !ok {
		return GroupStatus{}, false
	}
	st := GroupStatus{
		Members:         len(g.members),
		ReservedOrBound: g.reservedOrBound,
		MinCount:        g.minCount,
		Gated:           len(g.gated),
		Waiting:         len(g.waiting),
		Rejected:        len(g.rejected),
		BackedOff:       len(g.backedOff),
		Rejections:      g.rejections,
		BackoffUntil:    g.backoffUntil,
		CannotFit:       g.cannotFit,
	}
	for _, why := range g.excluded {
		switch why {
		case schedulingGated:
			st.SchedulingGated++
		case otherScheduler:
			st.OtherScheduler++
		}
	}
	return st, true
}

// Round is a copy of a group's waiting round.
type Round struct {
	// Start is when the round's first member waited at Permit.
	Start time.Time
	// Progress is when the round's last member joined it.
	Progress        time.Time
	Waiting         int
	ReservedOrBound int
	MinCount        int
}

// Round returns the group's waiting round, and false when no member of the
// group waits at Permit.
func (s *Store) Round(key gang.GroupKey) (Round, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[key]
	if !ok || len(g.waiting) == 0 {
		return Round{}, false
	}
	return Round{Start: g.roundStart, Progress: g.progress, Waiting: len(g.waiting), ReservedOrBound: g.reservedOrBound, MinCount: g.minCount}, true
}

// WaitingPods returns the members of the group's waiting round, as Permit
// saw them (assumed: spec.nodeName is the node each is reserved on). The
// slice is a copy; the pods are shared and must not be modified. It costs
// O(members waiting): for timers, not for the scheduling path.
func (s *Store) WaitingPods(key gang.GroupKey) []*v1.Pod {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[key]
	if !ok {
		return nil
	}
	pods := make([]*v1.Pod, 0, len(g.waiting))
	for _, p := range g.waiting {
		pods = append(pods, p)
	}
	return pods
}

// Stats is a snapshot of the store's size, for metrics.
type Stats struct {
	// Groups is the number of tracked groups.
	Groups int
	// Held counts the pods Admit holds back, by verdict: those it last
	// turned away and has not handed back yet. Admitted is never counted.
	Held map[Verdict]int
}

// Stats returns a snapshot of the store's size. Unlike the other methods it
// costs O(groups + Workloads with held pods), under the lock: it is meant
// for a metrics scrape, not for the scheduling path.
func (s *Store) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Groups: len(s.groups), Held: map[Verdict]int{}}
	for wk, set := range s.waitingForWorkload {
		if _, found := s.workloadFound[wk]; found {
			st.Held[WaitingForPodGroup] += len(set)
		} else {
			st.Held[WaitingForWorkload] += len(set)
		}
	}
	for _, g := range s.groups {
		st.Held[WaitingForMembers] += len(g.gated)
		st.Held[WaitingForBackoff] += len(g.backedOff)
		st.Held[WaitingForRoom] += len(g.noRoom)
	}
	return st
}
