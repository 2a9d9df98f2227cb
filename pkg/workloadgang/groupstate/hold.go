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

// yieldInterval is the least time between two yields caused by one gang:
// a gang whose members keep finding no node cannot keep rejecting younger
// gangs' rounds faster than they can form.
const yieldInterval = time.Second

// Need is what a gang still needs, for a member that found no node.
type Need struct {
	// Short is set while the gang is short of its quorum; a member of a
	// gang that has its quorum (an extra or replacement member) is only a
	// pod that found no node, and matters to no other gang.
	Short bool
	// Members is how many more members the gang needs bound: minCount
	// less its bound members. Its reserved members do not count: their
	// round is what is at stake.
	Members int
	// AllNeeded is set when the gang has no more live members than
	// minCount, so the member that found no node is one it cannot do
	// without: only then does the member stand for the gang in a fit check.
	AllNeeded bool
	// FitChecked is set when the gang was already found to fit the nodes
	// it may use, and the nodes have not changed since.
	FitChecked bool
	// Bound are the gang's bound members, which stay in any fit check.
	Bound map[types.UID]struct{}
}

// NeedOf returns what the gang of a member that found no node still needs.
func (s *Store) NeedOf(key gang.GroupKey) Need {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[key]
	if !ok || !g.short() {
		return Need{}
	}
	n := Need{Short: true, AllNeeded: len(g.members) <= g.minCount, FitChecked: g.fitChecked, Bound: map[types.UID]struct{}{}}
	for uid, st := range g.members {
		if st == bound {
			n.Bound[uid] = struct{}{}
		}
	}
	n.Members = g.minCount - len(n.Bound)
	return n
}

// FitChecked records that the gang fits the nodes it may use, so that it
// is not checked again until they change (NodesChanged).
func (s *Store) FitChecked(key gang.GroupKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.groups[key]; ok {
		g.fitChecked = true
	}
}

// CannotFit records that a member's gang cannot fit in the nodes it may
// use even with every other pod gone, with msg saying so in numbers. Its
// waiting round, if any, is rejected (CauseCannotFit, no backoff), and
// Admit holds its members, reserving nothing, until NodesChanged: a gang
// that can never fit must not hold room that others could use. It also
// returns the gang's members that the scheduler's queue holds for other
// reasons (rejected, unplaced, backing off), for the caller to activate:
// PreEnqueue then holds them for room and says why, instead of leaving
// them in the queue with the message of their last attempt.
func (s *Store) CannotFit(pod *v1.Pod, msg string) (RoundOutcome, []*v1.Pod) {
	key, ok := gang.KeyForPod(pod)
	if !ok {
		return RoundOutcome{}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone.has(pod.UID) {
		return RoundOutcome{}, nil
	}
	g := s.getOrCreate(key)
	defer s.syncGroup(key, g)
	g.cannotFit = msg
	g.fitChecked = false
	g.holdStart = time.Time{}
	g.domain = nil
	g.rejected[pod.UID] = pod
	var out RoundOutcome
	if len(g.waiting) > 0 {
		out = RoundOutcome{Kind: RoundRejected, Group: key, Cause: CauseCannotFit, Reject: g.takeWaitingAsRejected()}
	}
	return out, takeAll(&g.rejected, &g.unplaced, &g.backedOff)
}

// NodesChanged forgets every fit verdict (CannotFit, FitChecked): nodes
// were added, removed or changed what they offer. It returns the members
// held for room, for the caller to activate. O(groups).
func (s *Store) NodesChanged() []*v1.Pod {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.roomEpoch++
	var pods []*v1.Pod
	for key, g := range s.groups {
		g.fitChecked = false
		clear(g.unfit)
		if g.cannotFit == "" {
			continue
		}
		g.cannotFit = ""
		pods = append(pods, takeAll(&g.noRoom, &g.rejected)...)
		s.syncGroup(key, g)
	}
	return pods
}

// Candidate is a younger gang's waiting round that could yield its room to
// an older gang's member that found no node.
type Candidate struct {
	Group gang.GroupKey
	// RoundStart tells the round apart from a later one of the same gang.
	RoundStart time.Time
	// Waiting are the round's members as they waited at Permit: each one
	// is bound, in the scheduler's cache, to the node it reserved.
	Waiting []*v1.Pod
}

// YieldCandidate returns the youngest gang whose waiting round arrived after
// key's gang, for the caller to check that its room could help (Yield). It
// finds none while key's gang yielded within yieldInterval. O(waiting
// rounds + the candidate's members).
func (s *Store) YieldCandidate(key gang.GroupKey) (Candidate, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[key]
	if !ok || !g.short() || s.clock.Now().Sub(g.lastYield) < yieldInterval {
		return Candidate{}, false
	}
	victim, ok := s.youngestRoundAfter(key, g)
	if !ok {
		return Candidate{}, false
	}
	vg := s.groups[victim]
	c := Candidate{Group: victim, RoundStart: vg.roundStart, Waiting: make([]*v1.Pod, 0, len(vg.waiting))}
	for _, p := range vg.waiting {
		c.Waiting = append(c.Waiting, p)
	}
	return c, true
}

// Yield rejects a candidate's round (CauseYielded) so that its room goes to
// the older gang of pod, a member that found no node and could use that
// room. It changes nothing if the round is no longer the one the candidate
// named, or if what YieldCandidate checked no longer holds: the member's
// gang reached its quorum, or made another round yield within
// yieldInterval (two of its members may hold candidates at once). The
// member is remembered and tried again by the next member of its gang to
// wait.
func (s *Store) Yield(pod *v1.Pod, c Candidate) RoundOutcome {
	key, ok := gang.KeyForPod(pod)
	if !ok {
		return RoundOutcome{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	vg, ok := s.groups[c.Group]
	if s.gone.has(pod.UID) || !ok || len(vg.waiting) == 0 || !vg.roundStart.Equal(c.RoundStart) {
		return RoundOutcome{}
	}
	now := s.clock.Now()
	if g, ok := s.groups[key]; !ok || !g.short() || now.Sub(g.lastYield) < yieldInterval {
		return RoundOutcome{}
	}
	g := s.getOrCreate(key)
	g.unplaced[pod.UID] = pod
	g.lastYield = now
	s.syncGroup(key, g)
	out := vg.rejectRound(c.Group, s.backoff, now, CauseYielded)
	s.syncGroup(c.Group, vg)
	return out
}

// Unplaced records that a member found no node (PostFilter), once no
// younger gang yielded to it (YieldCandidate, Yield), and decides what
// becomes of its own gang's waiting round:
//   - a gang with its quorum is not affected (the member is an extra one);
//   - a member that freed room cannot help (not helpable: unresolvable on
//     every node) does not affect its round either while the gang's other
//     members, those not found so, can still make the quorum: it is an
//     extra member that cannot fit, and the round may complete without it;
//   - with no round waiting, the member is remembered, when freed room could
//     help it (helpable), and tried again by the next member to wait or
//     when room frees up (TakeOldestUnplaced);
//   - a waiting round short of its quorum is rejected now rather than at
//     its timeout, unless the gang is starving (see below).
//
// A starving gang is one that has already given its room back at least once
// since it last reached its quorum, and whose round is the oldest waiting.
// Rejecting its round again would hand the room it reserved to younger gangs
// and pods, and a stream of those would starve it forever. So it keeps its
// round (it holds): the member is remembered, and tried again when room
// frees up. The hold lasts while members keep joining the round, within a
// budget: if none joins for the Store's hold duration, or the round has
// held for its budget in all, HoldExpired rejects it. The budget is the
// hold duration halved with each of the gang's holds that expired so, and
// none once it is under a second: the holds that expire keep room for at
// most twice the hold duration in all until the gang completes, and the
// share of time room sits reserved by a gang that does not complete falls
// toward zero while its backoff grows. A held round that ends otherwise (its
// Permit timeout, a yield, a lost reservation) kept room no longer than its
// Permit timeout, as any round does, and spends no budget: a gang that
// loses races for freed room to a stream of pods keeps its hold.
// Only one gang, the oldest, holds at a time, so holding cannot deadlock
// gangs. A member that freed room cannot help (unresolvable on every node)
// never holds a round. The returned HoldUntil asks the caller to call
// HoldExpired then.
//
// A rejected round starts its gang's backoff. The cost is O(waiting rounds).
func (s *Store) Unplaced(pod *v1.Pod, helpable bool) RoundOutcome {
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
	defer s.syncGroup(key, g)
	if !g.short() {
		return RoundOutcome{}
	}
	if _, member := g.members[pod.UID]; member && !helpable {
		g.unfit[pod.UID] = struct{}{}
		if g.spare() {
			// Other members can still make the quorum: the round stands.
			return RoundOutcome{}
		}
	}
	if len(g.waiting) == 0 {
		// The member found no node inside the domain chosen for it, if
		// any, and no round stands on it: the next attempt chooses
		// again. A held round keeps its domain; a rejected one drops it.
		g.domain = nil
		if helpable {
			g.unplaced[pod.UID] = pod
		}
		return RoundOutcome{}
	}
	if helpable && s.holds(key, g, now) {
		g.unplaced[pod.UID] = pod
		if g.holdStart.IsZero() {
			g.holdStart = now
		}
		if g.holdChecked {
			return RoundOutcome{}
		}
		g.holdChecked = true
		return RoundOutcome{Kind: RoundHeld, Group: key, HoldUntil: s.holdUntil(g)}
	}
	g.rejected[pod.UID] = pod
	g.holdStart = time.Time{}
	return g.rejectRound(key, s.backoff, now, CauseMemberUnschedulable)
}

// holdBudget is how long in all a gang may hold one round: the hold
// duration halved with each of its held rounds that expired (HoldExpired);
// zero once it is under a second. Callers hold s.mu.
func (s *Store) holdBudget(g *group) time.Duration {
	if g.rejections <= 0 {
		return 0
	}
	b := s.hold >> min(g.holdsExpired, 62)
	if b < time.Second {
		return 0
	}
	return b
}

// holdUntil is when a held round's hold runs out: the hold duration after
// the last member joined it, or its budget after it began to hold,
// whichever comes first. Callers hold s.mu.
func (s *Store) holdUntil(g *group) time.Time {
	until := g.progress.Add(s.hold)
	if !g.holdStart.IsZero() {
		if end := g.holdStart.Add(s.holdBudget(g)); end.Before(until) {
			until = end
		}
	}
	return until
}

// holds reports whether a gang's waiting round is held rather than rejected
// when a member finds no node: the gang is starving and its round is the
// oldest, a member joined it within the hold duration, and its hold budget
// is not spent. Callers hold s.mu.
func (s *Store) holds(key gang.GroupKey, g *group, now time.Time) bool {
	if s.hold <= 0 || g.rejections == 0 || s.holdBudget(g) == 0 || !now.Before(s.holdUntil(g)) {
		return false
	}
	for k := range s.rounds {
		if k != key && ranksBefore(k, s.groups[k], key, g) {
			return false
		}
	}
	return true
}

// HoldExpired checks a held round (see Unplaced) once its hold may have run
// out. If no member has joined the round for the hold duration, or its hold
// budget is spent, and it is still short of its quorum, the round is
// rejected and its gang backs off. If a member joined meanwhile, the
// returned HoldUntil asks for another check then. Otherwise (the round
// formed or ended) there is nothing to do.
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
	if until := s.holdUntil(g); now.Before(until) {
		return RoundOutcome{Kind: RoundHeld, Group: key, HoldUntil: until}
	}
	g.holdChecked = false
	g.holdStart = time.Time{}
	g.holdsExpired++
	return g.rejectRound(key, s.backoff, now, CauseHoldExpired)
}

// TakeOldestUnplaced hands back the unplaced members of the oldest gang that
// has any and can use room now (short of its quorum, not backing off), for
// the caller to activate when room frees up: they skip their pod backoff
// and, sorted first, get the room before younger pods take it. The cost is
// O(gangs with unplaced members).
func (s *Store) TakeOldestUnplaced() []*v1.Pod {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	var oldest gang.GroupKey
	found := false
	for k := range s.unplacedGroups {
		g := s.groups[k]
		if !g.short() || now.Before(g.backoffUntil) || g.cannotFit != "" {
			continue
		}
		if !found || ranksBefore(k, g, oldest, s.groups[oldest]) {
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
		if k == key || !ranksBefore(key, g, k, s.groups[k]) {
			continue
		}
		if !found || ranksBefore(youngest, s.groups[youngest], k, s.groups[k]) {
			youngest, found = k, true
		}
	}
	return youngest, found
}

// ranksBefore orders gangs as the gang-aware queue sort attempts them:
// higher priority first (a gang's priority is its lowest member's), then
// by arrival (arrivedBefore). So a gang never yields to, or waits behind
// the hold of, a gang of lower priority. Callers hold s.mu.
func ranksBefore(a gang.GroupKey, ga *group, b gang.GroupKey, gb *group) bool {
	if pa, pb := ga.priority(), gb.priority(); pa != pb {
		return pa > pb
	}
	return arrivedBefore(a, ga.arrival, b, gb.arrival)
}

// arrivedBefore orders gangs by arrival, then by key: the order in which the
// gang-aware queue sort attempts gangs of one priority. A gang with no
// attempt running (zero arrival) comes last.
func arrivedBefore(a gang.GroupKey, aArrival time.Time, b gang.GroupKey, bArrival time.Time) bool {
	if !aArrival.Equal(bArrival) {
		switch {
		case aArrival.IsZero():
			return false
		case bArrival.IsZero():
			return true
		}
		return aArrival.Before(bArrival)
	}
	return a.Compare(b) < 0
}

// Priorities returns the lowest and highest priority among a gang's
// members; they differ when its members disagree (the gang then ranks by
// the lowest).
func (s *Store) Priorities(key gang.GroupKey) (lowest, highest int32, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, found := s.groups[key]
	if !found || len(g.priorities) == 0 {
		return 0, 0, false
	}
	lowest, highest = g.priorityRange()
	return lowest, highest, true
}

// Rank returns what the gang-aware queue sort orders a gang's members by:
// the gang's priority (its lowest member's; ok false while it has no
// member) and when its current attempt began (arrived false when none
// runs). O(1), allocation-free.
func (s *Store) Rank(key gang.GroupKey) (priority int32, ok bool, arrival time.Time, arrived bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, found := s.groups[key]
	if !found {
		return 0, false, time.Time{}, false
	}
	return g.priority(), len(g.priorities) > 0, g.arrival, !g.arrival.IsZero()
}

// Arrival returns when the current attempt of a gang began (see
// group.arrival), and false when it has none: the queue sort's order.
// O(1), allocation-free.
func (s *Store) Arrival(key gang.GroupKey) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[key]
	if !ok || g.arrival.IsZero() {
		return time.Time{}, false
	}
	return g.arrival, true
}
