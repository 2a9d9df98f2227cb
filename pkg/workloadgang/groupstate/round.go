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

// OutcomeKind is what a decision did to a gang's waiting round.
type OutcomeKind uint8

const (
	// NoChange: the round, if any, goes on; the caller has nothing to do.
	NoChange OutcomeKind = iota
	// RoundRejected: the round was rejected. The caller rejects the members
	// in Reject that still wait at Permit and, when BackoffUntil is set,
	// calls BackoffExpired then.
	RoundRejected
	// RoundHeld: the starving gang keeps its round (see Unplaced); the
	// caller calls HoldExpired at HoldUntil.
	RoundHeld
)

// Cause is why a round was rejected. The caller words its message and
// counts it by cause.
type Cause uint8

const (
	// NoCause: nothing was rejected (NoChange, RoundHeld).
	NoCause Cause = iota
	// CauseTimeout: the round's Permit timeout passed before its quorum.
	CauseTimeout
	// CauseMemberUnschedulable: a member of the gang found no node.
	CauseMemberUnschedulable
	// CauseMemberUnreserved: a waiting member lost its reservation.
	CauseMemberUnreserved
	// CauseYielded: the gang gave its room to an older gang whose member
	// found no node.
	CauseYielded
	// CauseHoldExpired: the held round of a starving gang saw no member
	// join it for the hold duration.
	CauseHoldExpired
	// CauseWorkloadDeleted: the gang's Workload was deleted; no backoff
	// starts.
	CauseWorkloadDeleted
	// CauseCannotFit: the gang cannot fit in the nodes it may use even with
	// every other pod gone; no backoff starts: it waits for the nodes to
	// change.
	CauseCannotFit
)

// causeNames are the causes' names, for logs.
var causeNames = [...]string{
	NoCause:                  "none",
	CauseTimeout:             "timeout",
	CauseMemberUnschedulable: "member unschedulable",
	CauseMemberUnreserved:    "member unreserved",
	CauseYielded:             "yielded",
	CauseHoldExpired:         "hold expired",
	CauseWorkloadDeleted:     "workload deleted",
	CauseCannotFit:           "cannot fit",
}

func (c Cause) String() string {
	if int(c) < len(causeNames) {
		return causeNames[c]
	}
	return "unknown"
}

// RoundOutcome is what a decision did to a gang's waiting round: nothing,
// a rejection, or a hold. Kind says which; the other fields are set only
// for the kinds that name them.
type RoundOutcome struct {
	Kind OutcomeKind
	// Group is the gang whose round was rejected or is held; with
	// CauseYielded, not the gang of the member that found no node.
	Group gang.GroupKey
	// Cause is why a RoundRejected round was rejected.
	Cause Cause
	// Reject lists the members of a RoundRejected round to reject.
	Reject []types.UID
	// BackoffUntil is when a RoundRejected gang's backoff ends; zero for
	// CauseWorkloadDeleted, which starts none.
	BackoffUntil time.Time
	// HoldUntil is when to check a RoundHeld round (HoldExpired).
	HoldUntil time.Time
}

// Reserve records that a member holds a node reservation.
func (s *Store) Reserve(pod *v1.Pod) {
	key, ok := gang.KeyForPod(pod)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone.has(pod.UID) {
		return
	}
	g := s.getOrCreate(key)
	if g.members[pod.UID] == pending {
		// An unknown pod is a member too: the scheduler can see a pod before
		// our informer handler does.
		g.reservedOrBound++
	}
	g.join(pod, reserved)
	delete(g.rejected, pod.UID)
	delete(g.unplaced, pod.UID)
	delete(g.unfit, pod.UID)
}

// PermitKind is Permit's decision for the member.
type PermitKind uint8

const (
	// PermitRelease: the quorum is met; the member binds, and so do the
	// waiting members in Allow.
	PermitRelease PermitKind = iota + 1
	// PermitWait: the member waits at Permit for Wait.
	PermitWait
	// PermitBackingOff: the gang is in its backoff: the member must give
	// its reservation back; it is handed back when the backoff ends.
	PermitBackingOff
	// PermitCannotFit: the gang cannot fit in the nodes it may use (see
	// CannotFit): the member gives its reservation back and is held at
	// PreEnqueue until the nodes change.
	PermitCannotFit
	// PermitDeleted: the pod was deleted while its scheduling cycle ran:
	// it must not wait, and nothing was recorded.
	PermitDeleted
)

// PermitResult is Permit's answer.
type PermitResult struct {
	Kind PermitKind
	// Allow lists the waiting members to release (PermitRelease).
	Allow []types.UID
	// Wait is how long the pod must wait (PermitWait).
	Wait time.Duration
	// Activate lists members that an earlier gang rejection sent back to the
	// queue: this member's progress may let the gang form now.
	Activate []*v1.Pod
	// ReservedOrBound is the quorum count Permit compared with minCount.
	ReservedOrBound int
	// Expired is the gang's previous round, found past its deadline: the
	// framework has timed its members out (or is about to), so they no
	// longer count, and the caller rejects any still waiting and handles
	// the gang's backoff as for any rejected round (RoundRejected,
	// CauseTimeout). NoChange when none.
	Expired RoundOutcome
	// Admitted is set when this member brought the gang to its quorum: the
	// gang was short of minCount before it, or members waited for it. It is
	// set once per round, not for members that join a gang already at quorum.
	Admitted bool
	// QuorumWait is, when Admitted, how long the round's first member waited
	// at Permit for the quorum; zero when no member waited.
	QuorumWait time.Duration
	// RoundStart is set when this member is the first to wait in a new
	// round: when the round started; see Round.
	RoundStart time.Time
	// Domain is, when Admitted, the topology domain chosen for the round
	// (SetDomain); zero when none was.
	Domain Domain
}

// Permit decides whether a reserved member may bind. When the group has
// minCount members reserved or bound, it returns the waiting members to
// release; otherwise the pod joins the waiting round, whose deadline is set
// by the first member to wait and is shared by all. workloadUID is the UID
// of the gang's Workload: a recreated Workload starts afresh.
func (s *Store) Permit(pod *v1.Pod, minCount int, workloadUID types.UID, timeout time.Duration) PermitResult {
	key, _ := gang.KeyForPod(pod)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone.has(pod.UID) {
		return PermitResult{Kind: PermitDeleted}
	}
	now := s.clock.Now()
	g := s.getOrCreate(key)
	g.minCount = minCount
	if g.workloadUID != workloadUID {
		g.resetAttempt(workloadUID)
	}
	if g.arrival.IsZero() {
		// Admitted by an earlier scheduler process, or before a reset.
		g.arrival = now
	}
	var expired RoundOutcome
	if len(g.waiting) > 0 && !g.deadline.IsZero() && !now.Before(g.deadline) {
		// The round's members timed out at its deadline, but their
		// Unreserve, which runs on their binding goroutines, has not reached
		// us yet. Counting them would release this member without them.
		expired = g.rejectRound(key, s.backoff, now, CauseTimeout)
	}
	if g.reservedOrBound >= minCount && s.stillWaiting != nil {
		// Drop the members the framework no longer holds: they stop
		// counting, and their late Unreserve changes nothing.
		for uid, p := range g.waiting {
			if s.stillWaiting(uid) {
				continue
			}
			delete(g.waiting, uid)
			g.rejectWaiting(uid, p)
		}
		if len(g.waiting) == 0 {
			g.deadline, g.holdStart = time.Time{}, time.Time{}
		}
	}
	if g.reservedOrBound >= minCount {
		res := PermitResult{
			Kind:            PermitRelease,
			Expired:         expired,
			ReservedOrBound: g.reservedOrBound,
			// This member's own reservation is counted: without it the gang
			// was short of its quorum.
			Admitted: len(g.waiting) > 0 || g.reservedOrBound-1 < minCount,
		}
		if len(g.waiting) > 0 {
			res.QuorumWait = now.Sub(g.roundStart)
		}
		if res.Admitted && g.domain != nil {
			res.Domain = *g.domain
		}
		for uid := range g.waiting {
			res.Allow = append(res.Allow, uid)
		}
		s.startRelease(key, g, pod, g.waiting)
		clear(g.waiting)
		g.deadline = time.Time{}
		g.rejections = 0
		g.holdsExpired = 0
		g.backoffUntil = time.Time{}
		// The attempt succeeded: members that join later start a new one.
		g.arrival = time.Time{}
		g.holdStart = time.Time{}
		g.domain = nil
		s.syncGroup(key, g)
		return res
	}
	if g.cannotFit != "" {
		// Reserved before the gang was found not to fit: no new round.
		g.noRoom[pod.UID] = pod
		return PermitResult{Kind: PermitCannotFit, ReservedOrBound: g.reservedOrBound, Expired: expired}
	}
	if now.Before(g.backoffUntil) {
		// Admitted before the backoff started: no new round until it ends.
		g.backedOff[pod.UID] = pod
		return PermitResult{Kind: PermitBackingOff, ReservedOrBound: g.reservedOrBound, Expired: expired}
	}
	var roundStart time.Time
	if len(g.waiting) == 0 || g.deadline.IsZero() {
		g.deadline = now.Add(timeout)
		g.roundStart, roundStart = now, now
	}
	g.waiting[pod.UID] = pod
	g.progress = now
	s.syncGroup(key, g)
	wait := g.deadline.Sub(now)
	if wait < time.Second {
		// The round is about to time out; a short wait keeps this member in
		// it, and the timeout of the others rejects it with them.
		wait = time.Second
	}
	return PermitResult{
		Kind:            PermitWait,
		Expired:         expired,
		Wait:            wait,
		Activate:        takeAll(&g.rejected, &g.unplaced),
		ReservedOrBound: g.reservedOrBound,
		RoundStart:      roundStart,
	}
}

// RoundTimedOut rejects the group's waiting round that started at start,
// if its deadline has passed before its quorum. WorkloadGang times its
// rounds out itself, before the framework's own Permit timer (the
// backstop): the framework's message names each member's own wait ("after
// waiting 2.997s"), a new message, hence a new status write and Event for
// every member, every round; the round's is the same every time.
func (s *Store) RoundTimedOut(key gang.GroupKey, start time.Time) RoundOutcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[key]
	if !ok || len(g.waiting) == 0 || g.deadline.IsZero() || !g.roundStart.Equal(start) {
		return RoundOutcome{}
	}
	defer s.syncGroup(key, g)
	now := s.clock.Now()
	if now.Before(g.deadline) || g.reservedOrBound >= g.minCount {
		return RoundOutcome{}
	}
	return g.rejectRound(key, s.backoff, now, CauseTimeout)
}

// Unreserve records that a member lost its reservation (Permit rejection or
// timeout, or a later failure). If the member was waiting for a quorum that
// is now out of reach of the reserved members, the rest of the round is
// returned for rejection: a gang never holds part of its capacity for
// nothing. A member deleted meanwhile does not break the round: a
// replacement pod may still complete it.
func (s *Store) Unreserve(pod *v1.Pod) RoundOutcome {
	key, ok := gang.KeyForPod(pod)
	if !ok {
		return RoundOutcome{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.breakRelease(pod.UID, "lost its reservation")
	g, ok := s.groups[key]
	if !ok {
		return RoundOutcome{}
	}
	defer s.syncGroup(key, g)
	state, member := g.members[pod.UID]
	_, wasWaiting := g.waiting[pod.UID]
	delete(g.waiting, pod.UID)
	if !member {
		if len(g.waiting) == 0 {
			g.deadline, g.holdStart = time.Time{}, time.Time{}
		}
		return RoundOutcome{}
	}
	g.rejected[pod.UID] = pod
	if state != reserved {
		// Its reservation stopped counting when its round was rejected:
		// its late Unreserve changes nothing, and must not end a new round.
		return RoundOutcome{}
	}
	g.members[pod.UID] = pending
	g.reservedOrBound--
	if g.reservedOrBound >= g.minCount {
		return RoundOutcome{}
	}
	// A waiting member that loses its reservation once the round's deadline
	// has passed was rejected by its Permit timeout.
	now := s.clock.Now()
	cause := CauseMemberUnreserved
	if wasWaiting && !g.deadline.IsZero() && !now.Before(g.deadline) {
		cause = CauseTimeout
	}
	if len(g.waiting) == 0 && !wasWaiting {
		return RoundOutcome{}
	}
	// Otherwise the round ends: with the last waiting member, its own
	// timeout or rejection ends it.
	return g.rejectRound(key, s.backoff, now, cause)
}
