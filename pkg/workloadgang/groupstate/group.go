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
)

// memberState is where a gang member stands in its scheduling life.
type memberState uint8

const (
	// pending: the pod exists and has neither a reservation nor a node.
	pending memberState = iota
	// reserved: the pod holds a node reservation (Reserve ran; not bound yet).
	reserved
	// bound: the pod has spec.nodeName set.
	bound
)

// group is the state of one gang instance. It is only touched under Store.mu.
type group struct {
	// members maps every live pod of the group to its state.
	members map[types.UID]memberState
	// priorities counts the members by pod priority: the gang's priority
	// is the lowest (see priority).
	priorities map[int32]int
	// reservedOrBound counts members in state reserved or bound: the quorum
	// that Permit compares to minCount.
	reservedOrBound int
	// minCount is the gang's minCount as last read from its Workload by Admit
	// or Permit; 0 while unknown or for a basic group.
	minCount int
	// gated holds members turned away by Admit for lack of members; they are
	// handed back once the group has minCount members.
	gated map[types.UID]*v1.Pod
	// waiting holds members waiting at Permit for the quorum.
	waiting map[types.UID]*v1.Pod
	// rejected holds members sent back to the queue by a gang rejection; they
	// are handed back for activation when a member makes progress again.
	rejected map[types.UID]*v1.Pod
	// deadline is when the current round of Permit waits ends; zero while no
	// member waits. Every member of a round shares it, so the gang times out
	// as one.
	deadline time.Time
	// roundStart is when the first member of the current round waited at
	// Permit; set with deadline, meaningful while members wait.
	roundStart time.Time
	// rejections counts the rounds rejected since the gang last reached its
	// quorum; it sets the length of the gang's backoff.
	rejections int
	// backoffUntil is when the gang may be attempted again after a rejected
	// round; Admit holds members until then.
	backoffUntil time.Time
	// backedOff holds members turned away by Admit during the backoff; they
	// are handed back when it expires.
	backedOff map[types.UID]*v1.Pod
	// arrival orders gangs (older first): when the gang's current attempt
	// began, that is when Admit first let a member into the queue since the
	// gang last reached its quorum (or since the group, or its Workload,
	// was new). The gang keeps its place across rejected rounds until it
	// reaches its quorum: its rank is earned by waiting, not inherited from
	// its Workload's name or age. Zero while no attempt runs.
	arrival time.Time
	// workloadUID is the UID of the Workload the group's state was built
	// against; a Workload recreated under the same name starts afresh
	// (see resetAttempt).
	workloadUID types.UID
	// excluded holds pods of the group that do not count as members because
	// this scheduler cannot schedule them yet: they have scheduling gates or
	// name another scheduler (bound pods always count, whoever bound them).
	excluded map[types.UID]exclusion
	// cannotFit, when set, says why the gang cannot fit in the nodes it may
	// use even with every other pod gone (see CannotFit): Admit holds its
	// members in noRoom until the nodes change.
	cannotFit string
	// fitChecked is set once the gang was found to fit the nodes it may use
	// (see NeedsFitCheck); the nodes changing clears it.
	fitChecked bool
	// noRoom holds members turned away by Admit while cannotFit is set;
	// they are handed back when the nodes change.
	noRoom map[types.UID]*v1.Pod
	// holdStart is when the current round began to hold (see Unplaced);
	// zero while it does not. A hold's total length is bounded by a budget
	// that halves with each held round that expired (holdsExpired).
	holdStart time.Time
	// holdsExpired counts the gang's held rounds rejected by HoldExpired
	// since it last reached its quorum. Rounds that end otherwise (Permit
	// timeout, a yield, a lost reservation) do not spend the budget: a hold
	// then kept room no longer than a round without hold would have.
	holdsExpired int
	// lastYield is when a member of this gang last made another gang's
	// round yield: yields are rate-limited per gang.
	lastYield time.Time
	// unplaced holds members that found no node while no round was waiting;
	// the next member to wait hands them back, so that they are tried again
	// while the round stands and, if they still find no node, end it at once.
	unplaced map[types.UID]*v1.Pod
	// unfit holds members that found no node that room could help (every
	// node unresolvable for them) since they last reserved one or the
	// nodes last changed. A gang with more members than minCount keeps its
	// round while the members not in unfit can still make its quorum: an
	// extra member that can never fit must not reject its gang's round.
	// Always a subset of members.
	unfit map[types.UID]struct{}
	// progress is when the last member joined the waiting round: a held
	// round (see Unplaced) is kept while members keep joining it.
	progress time.Time
	// holdChecked is set while a hold check is scheduled for the group (see
	// HoldExpired), so that one timer, not one per member, watches a held
	// round.
	holdChecked bool
	// domain is the topology domain chosen for the current round (see
	// SetDomain); nil while none is. Every way a round ends clears it.
	domain *Domain
	// noDomainEpoch is the Store's room epoch in which a member of the gang
	// last found no domain (see NoDomain); 0 when none did.
	noDomainEpoch uint64
	// release is the gang's released round while it is undecided (see
	// release.go); nil otherwise.
	release *release
}

func newGroup() *group {
	return &group{
		members:    map[types.UID]memberState{},
		priorities: map[int32]int{},
		gated:      map[types.UID]*v1.Pod{},
		waiting:    map[types.UID]*v1.Pod{},
		rejected:   map[types.UID]*v1.Pod{},
		backedOff:  map[types.UID]*v1.Pod{},
		unplaced:   map[types.UID]*v1.Pod{},
		unfit:      map[types.UID]struct{}{},
		excluded:   map[types.UID]exclusion{},
		noRoom:     map[types.UID]*v1.Pod{},
	}
}

func (g *group) empty() bool {
	return len(g.members) == 0 && len(g.gated) == 0 && len(g.waiting) == 0 && len(g.rejected) == 0 && len(g.backedOff) == 0 && len(g.unplaced) == 0 &&
		len(g.excluded) == 0 && len(g.noRoom) == 0
}

// podPriority is a pod's priority; 0 when the API server set none.
func podPriority(p *v1.Pod) int32 {
	if p.Spec.Priority != nil {
		return *p.Spec.Priority
	}
	return 0
}

// join makes pod a member in the given state, or sets the state of a
// member. Callers hold Store.mu.
func (g *group) join(pod *v1.Pod, state memberState) {
	if _, ok := g.members[pod.UID]; !ok {
		g.priorities[podPriority(pod)]++
	}
	g.members[pod.UID] = state
}

// leave forgets a member. Callers hold Store.mu.
func (g *group) leave(pod *v1.Pod) {
	if _, ok := g.members[pod.UID]; !ok {
		return
	}
	delete(g.members, pod.UID)
	p := podPriority(pod)
	if g.priorities[p] <= 1 {
		delete(g.priorities, p)
	} else {
		g.priorities[p]--
	}
}

// priority is the gang's priority: the lowest of its members' (issue 11);
// 0 while it has none.
func (g *group) priority() int32 {
	lowest, _ := g.priorityRange()
	return lowest
}

// priorityRange returns the lowest and highest of its members' priorities;
// 0, 0 while it has none. O(distinct priorities), one in practice.
func (g *group) priorityRange() (lowest, highest int32) {
	first := true
	for p := range g.priorities {
		if first || p < lowest {
			lowest = p
		}
		if first || p > highest {
			highest = p
		}
		first = false
	}
	return lowest, highest
}

// short reports whether the gang is short of its quorum: a member that
// finds no node can only matter to other gangs while it is.
func (g *group) short() bool {
	return g.minCount > 0 && g.reservedOrBound < g.minCount
}

// spare reports whether the members not found unfit can still make the
// gang's quorum. Callers hold Store.mu.
func (g *group) spare() bool {
	return len(g.members)-len(g.unfit) >= g.minCount
}

// resetAttempt forgets what the gang's past attempts earned or cost: its
// rejections and backoff, its arrival, its hold and its fit verdict. For a
// Workload recreated under the same name (a new UID), which is a new gang.
// The members held for the backoff or for room join the rejected ones, which
// the Workload's event (WorkloadChanged) hands back: when Admit or Permit
// sees the new UID first, that event no longer finds a UID change, and the
// held members would otherwise never be activated. Callers hold Store.mu.
func (g *group) resetAttempt(uid types.UID) {
	g.workloadUID = uid
	g.rejections = 0
	g.holdsExpired = 0
	g.backoffUntil = time.Time{}
	g.arrival = time.Time{}
	g.holdStart = time.Time{}
	g.lastYield = time.Time{}
	g.cannotFit = ""
	g.fitChecked = false
	g.domain = nil
	for _, p := range takeAll(&g.backedOff, &g.noRoom) {
		g.rejected[p.UID] = p
	}
}

// rejectWaiting records a member of the waiting round as rejected: its
// reservation stops counting toward the quorum now. The caller removes it
// from g.waiting. Callers hold Store.mu.
func (g *group) rejectWaiting(uid types.UID, p *v1.Pod) {
	g.rejected[uid] = p
	if g.members[uid] == reserved {
		g.members[uid] = pending
		g.reservedOrBound--
	}
}

// takeWaitingAsRejected empties the waiting round, remembering its members as
// rejected, and returns their UIDs. Their reservations stop counting toward
// the quorum now, not when their Unreserve runs: the framework rejects them
// at once, and a member reaching Permit in between must not be released on
// their count. Callers hold Store.mu.
func (g *group) takeWaitingAsRejected() []types.UID {
	uids := make([]types.UID, 0, len(g.waiting))
	for uid, p := range g.waiting {
		uids = append(uids, uid)
		g.rejectWaiting(uid, p)
	}
	clear(g.waiting)
	g.deadline = time.Time{}
	// The round no longer holds, however it ended (timeout, a member's
	// Unreserve, a yield): a stale holdStart would spend the budget of the
	// gang's next rounds before they hold.
	g.holdStart = time.Time{}
	// The next round may choose another domain.
	g.domain = nil
	return uids
}

// takeAll returns the pods of the sets, each pod once, and empties them.
func takeAll(sets ...*map[types.UID]*v1.Pod) []*v1.Pod {
	n := 0
	for _, set := range sets {
		n += len(*set)
	}
	if n == 0 {
		return nil
	}
	pods := make([]*v1.Pod, 0, n)
	seen := make(map[types.UID]bool, n)
	for _, set := range sets {
		for uid, p := range *set {
			if !seen[uid] {
				seen[uid] = true
				pods = append(pods, p)
			}
		}
		if len(*set) > 0 {
			*set = map[types.UID]*v1.Pod{}
		}
	}
	return pods
}
