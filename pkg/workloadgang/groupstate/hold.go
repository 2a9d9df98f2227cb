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

// Unplaced records that a member found no node (PostFilter) and decides
// which round of waiting members gives its room back:
//   - if a younger gang (later arrival) has a round waiting, the youngest one
//     yields: older gangs go first, so competing gangs never deadlock and a
//     gang is never starved by younger ones. The member is remembered and
//     tried again by the next member of its gang to wait.
//   - else, if the member's own gang has a round short of its quorum, that
//     round is rejected now rather than at its timeout, unless the gang is
//     starving (see below);
//   - else the member is remembered as above.
//
// A starving gang is one that has already given its room back at least once
// since it last reached its quorum, and whose round is the oldest waiting.
// Rejecting its round again would hand the room it reserved to younger gangs
// and pods, and a stream of those would starve it forever. So it keeps its
// round (it holds): the member is remembered, and tried again when room
// frees up. The hold lasts while members keep joining the round: if none
// joins for the Store's hold duration, HoldExpired rejects the round. The
// returned HoldUntil asks the caller to call HoldExpired then. Only one
// gang, the oldest, holds at a time, so holding cannot deadlock gangs; a
// gang that can never fit holds what it reserved for at most the hold
// duration per attempt.
//
// A rejected round starts its gang's backoff. The cost is O(waiting rounds).
func (s *Store) Unplaced(pod *v1.Pod, arrival time.Time) RoundOutcome {
	key, ok := gang.KeyForPod(pod)
	if !ok {
		return RoundOutcome{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone.has(pod.UID) {
		return RoundOutcome{}
	}
	now := s.clock.Now()
	g := s.getOrCreate(key)
	g.arrival = arrival
	defer s.syncGroup(key, g)
	if victim, ok := s.youngestRoundAfter(key, g); ok {
		g.unplaced[pod.UID] = pod
		vg := s.groups[victim]
		out := vg.rejectRound(victim, s.backoff, now, CauseYielded)
		s.syncGroup(victim, vg)
		return out
	}
	if len(g.waiting) == 0 || g.reservedOrBound >= g.minCount {
		g.unplaced[pod.UID] = pod
		return RoundOutcome{}
	}
	if s.holds(key, g, now) {
		g.unplaced[pod.UID] = pod
		if g.holdChecked {
			return RoundOutcome{}
		}
		g.holdChecked = true
		return RoundOutcome{Kind: RoundHeld, Group: key, HoldUntil: g.progress.Add(s.hold)}
	}
	g.rejected[pod.UID] = pod
	return g.rejectRound(key, s.backoff, now, CauseMemberUnschedulable)
}

// holds reports whether a gang's waiting round is held rather than rejected
// when a member finds no node: the gang is starving and its round is the
// oldest, and a member joined it within the hold duration. Callers hold s.mu.
func (s *Store) holds(key gang.GroupKey, g *group, now time.Time) bool {
	if s.hold <= 0 || g.rejections == 0 || !now.Before(g.progress.Add(s.hold)) {
		return false
	}
	for k := range s.rounds {
		if k != key && arrivedBefore(k, s.groups[k].arrival, key, g.arrival) {
			return false
		}
	}
	return true
}

// HoldExpired checks a held round (see Unplaced) once its hold may have run
// out. If no member has joined the round for the hold duration and it is
// still short of its quorum, the round is rejected and its gang backs off.
// If a member joined meanwhile, the returned HoldUntil asks for another
// check then. Otherwise (the round formed or ended) there is nothing to do.
func (s *Store) HoldExpired(key gang.GroupKey) RoundOutcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[key]
	if !ok {
		return RoundOutcome{}
	}
	defer s.syncGroup(key, g)
	if len(g.waiting) == 0 || g.reservedOrBound >= g.minCount {
		g.holdChecked = false
		return RoundOutcome{}
	}
	now := s.clock.Now()
	if until := g.progress.Add(s.hold); now.Before(until) {
		return RoundOutcome{Kind: RoundHeld, Group: key, HoldUntil: until}
	}
	g.holdChecked = false
	return g.rejectRound(key, s.backoff, now, CauseHoldExpired)
}

// TakeOldestUnplaced hands back the unplaced members of the oldest gang that
// has any, for the caller to activate when room frees up: they skip their
// pod backoff and, sorted first, get the room before younger pods take it.
// The cost is O(gangs with unplaced members).
func (s *Store) TakeOldestUnplaced() []*v1.Pod {
	s.mu.Lock()
	defer s.mu.Unlock()
	var oldest gang.GroupKey
	found := false
	for k := range s.unplacedGroups {
		if !found || arrivedBefore(k, s.groups[k].arrival, oldest, s.groups[oldest].arrival) {
			oldest, found = k, true
		}
	}
	if !found {
		return nil
	}
	g := s.groups[oldest]
	pods := takeAll(&g.unplaced)
	s.syncGroup(oldest, g)
	return pods
}

// youngestRoundAfter returns the youngest gang, other than key, whose waiting
// round arrived after g's gang. Callers hold s.mu.
func (s *Store) youngestRoundAfter(key gang.GroupKey, g *group) (gang.GroupKey, bool) {
	var youngest gang.GroupKey
	found := false
	for k := range s.rounds {
		if k == key || !arrivedBefore(key, g.arrival, k, s.groups[k].arrival) {
			continue
		}
		if !found || arrivedBefore(youngest, s.groups[youngest].arrival, k, s.groups[k].arrival) {
			youngest, found = k, true
		}
	}
	return youngest, found
}

// arrivedBefore orders gangs by arrival, then by key: the order in which the
// gang-aware queue sort attempts them.
func arrivedBefore(a gang.GroupKey, aArrival time.Time, b gang.GroupKey, bArrival time.Time) bool {
	if !aArrival.Equal(bArrival) {
		return aArrival.Before(bArrival)
	}
	return a.String() < b.String()
}
