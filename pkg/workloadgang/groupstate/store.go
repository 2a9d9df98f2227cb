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

// Package groupstate tracks the members of every gang the scheduler knows:
// which pods exist, which hold a reservation, which are bound, and which wait
// at PreEnqueue or Permit for the rest of their gang.
//
// The Store is fed from two sides that run on different goroutines in no
// fixed order: pod informer events (AddPod, UpdatePod, DeletePod) and the
// plugin's extension points (Admit, Reserve, Permit, Unreserve). Every
// decision that depends on both sides is taken under one lock, and the store
// remembers who it turned away, so the event that completes a gang always
// finds the members that were waiting for it ("siblings always meet").
//
// Every method is O(1) per pod, except where it hands back a set of waiting
// members exactly once (the set is then emptied), so the cost per pod stays
// flat in gang size. Methods never call out of the package while holding the
// lock: they return the pods to activate or reject and the caller acts.
package groupstate

import (
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/gangsched/gangsched/pkg/gang"
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
	// arrival orders gangs (older first): set by Permit from the Workload.
	arrival time.Time
	// unplaced holds members that found no node while no round was waiting;
	// the next member to wait hands them back, so that they are tried again
	// while the round stands and, if they still find no node, end it at once.
	unplaced map[types.UID]*v1.Pod
	// progress is when the last member joined the waiting round: a held
	// round (see Unplaced) is kept while members keep joining it.
	progress time.Time
	// holdChecked is set while a hold check is scheduled for the group (see
	// HoldExpired), so that one timer, not one per member, watches a held
	// round.
	holdChecked bool
}

func newGroup() *group {
	return &group{
		members:   map[types.UID]memberState{},
		gated:     map[types.UID]*v1.Pod{},
		waiting:   map[types.UID]*v1.Pod{},
		rejected:  map[types.UID]*v1.Pod{},
		backedOff: map[types.UID]*v1.Pod{},
		unplaced:  map[types.UID]*v1.Pod{},
	}
}

func (g *group) empty() bool {
	return len(g.members) == 0 && len(g.gated) == 0 && len(g.waiting) == 0 && len(g.rejected) == 0 && len(g.backedOff) == 0 && len(g.unplaced) == 0
}

// Store holds the state of all gangs.
type Store struct {
	// mu guards every field below and every group. Critical sections are O(1)
	// map operations, or a one-time hand-over of a set.
	mu sync.Mutex
	// groups holds one entry per group instance with live members or waiters.
	groups map[gang.GroupKey]*group
	// byWorkload indexes groups by their Workload, for Workload events.
	byWorkload map[gang.WorkloadKey]map[gang.GroupKey]struct{}
	// waitingForWorkload holds pods turned away by Admit because their
	// Workload, or its podGroup, does not exist.
	waitingForWorkload map[gang.WorkloadKey]map[types.UID]*v1.Pod
	// workloadFound holds the keys of waitingForWorkload whose Workload
	// existed when Admit last turned one of its pods away: those pods wait
	// for a podGroup, the others for the Workload (see Stats).
	workloadFound map[gang.WorkloadKey]struct{}
	// rounds indexes the groups with members waiting at Permit.
	rounds map[gang.GroupKey]struct{}
	// unplacedGroups indexes the groups with unplaced members.
	unplacedGroups map[gang.GroupKey]struct{}
	// backoff is the gang backoff policy; immutable.
	backoff Backoff
	// hold is how long the oldest starving gang keeps its waiting round
	// without progress (see Unplaced); zero disables holding. Immutable.
	hold time.Duration
	// gone remembers the most recently deleted gang pods. A scheduling
	// cycle can still be under way for a pod when its delete event reaches
	// DeletePod (the scheduler's handlers and ours see the event on their
	// own goroutines); its late Admit, Reserve, Permit or Unplaced must not
	// bring the pod back as a member, or its group is never forgotten and
	// the ghost counts toward minCount.
	gone tombstones
	// stillWaiting reports whether a member of a round still waits at
	// Permit in the framework (nil: assume it does). Immutable.
	stillWaiting func(types.UID) bool
}

// WithStillWaiting lets Permit check, before it releases a round, that its
// members still wait at Permit in the framework. A member the framework has
// already rejected (deleted, preempted) but whose Unreserve or delete event
// has not reached the Store yet must not be counted: releasing the others on
// its count would bind the gang short of minCount.
func WithStillWaiting(f func(types.UID) bool) Option {
	return func(s *Store) { s.stillWaiting = f }
}

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

// Option configures a Store.
type Option func(*Store)

// WithHold lets the oldest gang that has already been rejected once keep
// its waiting round, while members keep joining it, for up to d after the
// last one joined: see Unplaced. Zero (the default) disables holding.
func WithHold(d time.Duration) Option {
	return func(s *Store) { s.hold = d }
}

// Backoff is how long a gang waits after a rejected round before its next
// attempt: Initial after the first rejection, doubling with each further
// one, never more than Max. A gang that reaches its quorum starts afresh.
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
}

// duration returns the backoff after the given number of rejections (>= 1).
func (b Backoff) duration(rejections int) time.Duration {
	d := b.Initial
	for i := 1; i < rejections && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// New returns an empty Store with the given gang backoff.
func New(backoff Backoff, opts ...Option) *Store {
	s := &Store{
		backoff:            backoff,
		rounds:             map[gang.GroupKey]struct{}{},
		unplacedGroups:     map[gang.GroupKey]struct{}{},
		groups:             map[gang.GroupKey]*group{},
		byWorkload:         map[gang.WorkloadKey]map[gang.GroupKey]struct{}{},
		waitingForWorkload: map[gang.WorkloadKey]map[types.UID]*v1.Pod{},
		workloadFound:      map[gang.WorkloadKey]struct{}{},
	}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// getOrCreate returns the group for key, creating it. Callers hold s.mu.
func (s *Store) getOrCreate(key gang.GroupKey) *group {
	g, ok := s.groups[key]
	if !ok {
		g = newGroup()
		s.groups[key] = g
		wk := key.WorkloadKey()
		if s.byWorkload[wk] == nil {
			s.byWorkload[wk] = map[gang.GroupKey]struct{}{}
		}
		s.byWorkload[wk][key] = struct{}{}
	}
	return g
}

// syncGroup brings the round and unplaced indexes up to date with a group
// and forgets the group if it has nothing left to track. Callers hold s.mu
// and call it after every change to a group's waiting or unplaced members.
func (s *Store) syncGroup(key gang.GroupKey, g *group) {
	if len(g.waiting) > 0 {
		s.rounds[key] = struct{}{}
	} else {
		delete(s.rounds, key)
	}
	if len(g.unplaced) > 0 {
		s.unplacedGroups[key] = struct{}{}
	} else {
		delete(s.unplacedGroups, key)
	}
	if !g.empty() {
		return
	}
	delete(s.groups, key)
	wk := key.WorkloadKey()
	delete(s.byWorkload[wk], key)
	if len(s.byWorkload[wk]) == 0 {
		delete(s.byWorkload, wk)
	}
}

// isLive reports whether a pod still counts as a member: pods that are being
// deleted or have terminated never count toward a quorum.
func isLive(pod *v1.Pod) bool {
	return pod.DeletionTimestamp == nil && pod.Status.Phase != v1.PodSucceeded && pod.Status.Phase != v1.PodFailed
}

// AddPod records a pod seen by the pod informer. It returns the gated members
// of the pod's group when this pod completes the group's member count: the
// caller must activate them.
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
	state, known := g.members[pod.UID]
	switch {
	case !known && pod.Spec.NodeName != "":
		g.members[pod.UID] = bound
		g.reservedOrBound++
	case !known:
		g.members[pod.UID] = pending
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
		delete(g.members, pod.UID)
	}
	delete(g.gated, pod.UID)
	delete(g.waiting, pod.UID)
	delete(g.rejected, pod.UID)
	delete(g.backedOff, pod.UID)
	delete(g.unplaced, pod.UID)
	if len(g.waiting) == 0 {
		g.deadline = time.Time{}
	}
	s.syncGroup(key, g)
}

// Policy is what the caller's Workload lookup found for a pod.
type Policy struct {
	// WorkloadFound is false when the Workload does not exist.
	WorkloadFound bool
	// PodGroupFound is false when the Workload has no such podGroup.
	PodGroupFound bool
	// MinCount is the gang's minCount; 0 for a basic group.
	MinCount int
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
)

// Admit decides whether a pod may enter the scheduling queue (PreEnqueue).
// lookup reads the pod's Workload from the informer cache. It runs under the
// store lock: a Workload that arrives concurrently is either seen by lookup,
// or its WorkloadChanged call finds this pod registered as waiting. The pod
// is remembered when turned away, so the event that unblocks it hands it
// back (for a backoff, BackoffExpired). It returns the verdict and, for
// gangs, the member count it compared.
func (s *Store) Admit(pod *v1.Pod, now time.Time, lookup func() Policy) (v Verdict, members int) {
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
	members = len(g.members)
	if members < p.MinCount {
		g.gated[pod.UID] = pod
		return WaitingForMembers, members
	}
	delete(g.gated, pod.UID)
	if now.Before(g.backoffUntil) {
		g.backedOff[pod.UID] = pod
		return WaitingForBackoff, members
	}
	return Admitted, members
}

// WorkloadChanged is called when a Workload is added, updated or deleted. It
// returns every pod that waits on that Workload: those turned away for a
// missing Workload or podGroup, gated gang members (minCount may have
// changed), and members sent back by a gang rejection. The caller activates
// them so they are judged again against the new Workload.
func (s *Store) WorkloadChanged(wk gang.WorkloadKey) []*v1.Pod {
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
		pods = append(pods, takeAll(&g.gated)...)
		pods = append(pods, takeAll(&g.rejected)...)
		s.syncGroup(key, g)
	}
	return pods
}

// WaitingOnWorkload returns the UIDs of members of the Workload's gangs that
// wait at Permit, and forgets their round; used to reject them when the
// Workload is deleted. The rejected members are remembered for activation.
func (s *Store) WaitingOnWorkload(wk gang.WorkloadKey) []types.UID {
	var uids []types.UID
	for _, r := range s.WaitingRoundsOnWorkload(wk) {
		uids = append(uids, r.Reject...)
	}
	return uids
}

// WaitingRoundsOnWorkload is WaitingOnWorkload round by round: one
// Rejection (Group and Reject only: no backoff starts) per gang of the
// Workload that has members waiting at Permit, so that each rejected round
// can be counted and reported.
func (s *Store) WaitingRoundsOnWorkload(wk gang.WorkloadKey) []Rejection {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rounds []Rejection
	for key := range s.byWorkload[wk] {
		g := s.groups[key]
		if len(g.waiting) == 0 {
			continue
		}
		rounds = append(rounds, Rejection{Group: key, Reject: g.takeWaitingAsRejected()})
		s.syncGroup(key, g)
	}
	return rounds
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
	g.members[pod.UID] = reserved
	delete(g.rejected, pod.UID)
	delete(g.unplaced, pod.UID)
}

// PermitResult is Permit's answer.
type PermitResult struct {
	// Allow lists the waiting members to release: the quorum is met.
	Allow []types.UID
	// Wait is how long the pod must wait; zero when the quorum is met.
	Wait time.Duration
	// Activate lists members that an earlier gang rejection sent back to the
	// queue: this member's progress may let the gang form now.
	Activate []*v1.Pod
	// ReservedOrBound is the quorum count Permit compared with minCount.
	ReservedOrBound int
	// BackingOff is set when the gang is in its backoff: the member must
	// give its reservation back; it is handed back when the backoff ends.
	BackingOff bool
	// Deleted is set when the pod was deleted while its scheduling cycle
	// ran: it must not wait, and nothing was recorded.
	Deleted bool
	// Expired is the gang's previous round, found past its deadline: the
	// framework has timed its members out (or is about to), so they no
	// longer count, and the caller rejects any still waiting and handles
	// the gang's backoff as for any rejected round. Zero when none.
	Expired Rejection
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
}

// Permit decides whether a reserved member may bind. When the group has
// minCount members reserved or bound, it returns the waiting members to
// release; otherwise the pod joins the waiting round, whose deadline is set
// by the first member to wait and is shared by all. arrival orders the gang
// against others (its Workload's creation time): see Unplaced.
func (s *Store) Permit(pod *v1.Pod, minCount int, arrival time.Time, timeout time.Duration, now time.Time) PermitResult {
	key, _ := gang.KeyForPod(pod)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone.has(pod.UID) {
		return PermitResult{Deleted: true}
	}
	g := s.getOrCreate(key)
	g.minCount = minCount
	g.arrival = arrival
	var expired Rejection
	if len(g.waiting) > 0 && !g.deadline.IsZero() && !now.Before(g.deadline) {
		// The round's members timed out at its deadline, but their
		// Unreserve, which runs on their binding goroutines, has not reached
		// us yet. Counting them would release this member without them.
		expired = g.rejectRound(s.backoff, now).of(key)
		expired.TimedOut = true
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
			g.deadline = time.Time{}
		}
	}
	if g.reservedOrBound >= minCount {
		res := PermitResult{
			Expired:         expired,
			ReservedOrBound: g.reservedOrBound,
			// This member's own reservation is counted: without it the gang
			// was short of its quorum.
			Admitted: len(g.waiting) > 0 || g.reservedOrBound-1 < minCount,
		}
		if len(g.waiting) > 0 {
			res.QuorumWait = now.Sub(g.roundStart)
		}
		for uid := range g.waiting {
			res.Allow = append(res.Allow, uid)
		}
		clear(g.waiting)
		g.deadline = time.Time{}
		g.rejections = 0
		g.backoffUntil = time.Time{}
		s.syncGroup(key, g)
		return res
	}
	if now.Before(g.backoffUntil) {
		// Admitted before the backoff started: no new round until it ends.
		g.backedOff[pod.UID] = pod
		return PermitResult{ReservedOrBound: g.reservedOrBound, BackingOff: true, Expired: expired}
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
		Expired:         expired,
		Wait:            wait,
		Activate:        takeAll(&g.rejected, &g.unplaced),
		ReservedOrBound: g.reservedOrBound,
		RoundStart:      roundStart,
	}
}

// Unreserve records that a member lost its reservation (Permit rejection or
// timeout, or a later failure). If the member was waiting for a quorum that
// is now out of reach of the reserved members, the rest of the round is
// returned for rejection: a gang never holds part of its capacity for
// nothing. A member deleted meanwhile does not break the round: a
// replacement pod may still complete it.
func (s *Store) Unreserve(pod *v1.Pod, now time.Time) Rejection {
	key, ok := gang.KeyForPod(pod)
	if !ok {
		return Rejection{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[key]
	if !ok {
		return Rejection{}
	}
	defer s.syncGroup(key, g)
	state, member := g.members[pod.UID]
	_, wasWaiting := g.waiting[pod.UID]
	delete(g.waiting, pod.UID)
	if !member {
		if len(g.waiting) == 0 {
			g.deadline = time.Time{}
		}
		return Rejection{}
	}
	g.rejected[pod.UID] = pod
	if state != reserved {
		// Its reservation stopped counting when its round was rejected:
		// its late Unreserve changes nothing, and must not end a new round.
		return Rejection{}
	}
	g.members[pod.UID] = pending
	g.reservedOrBound--
	if g.reservedOrBound >= g.minCount {
		return Rejection{}
	}
	// A waiting member that loses its reservation once the round's deadline
	// has passed was rejected by its Permit timeout.
	timedOut := wasWaiting && !g.deadline.IsZero() && !now.Before(g.deadline)
	if len(g.waiting) == 0 && !wasWaiting {
		return Rejection{}
	}
	// Otherwise the round ends: with the last waiting member, its own
	// timeout or rejection ends it.
	rej := g.rejectRound(s.backoff, now).of(key)
	rej.TimedOut = timedOut
	return rej
}

// of sets the rejection's group.
func (r Rejection) of(key gang.GroupKey) Rejection {
	r.Group = key
	return r
}

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
func (s *Store) Unplaced(pod *v1.Pod, arrival, now time.Time) Rejection {
	key, ok := gang.KeyForPod(pod)
	if !ok {
		return Rejection{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone.has(pod.UID) {
		return Rejection{}
	}
	g := s.getOrCreate(key)
	g.arrival = arrival
	defer s.syncGroup(key, g)
	if victim, ok := s.youngestRoundAfter(key, g); ok {
		g.unplaced[pod.UID] = pod
		vg := s.groups[victim]
		rej := vg.rejectRound(s.backoff, now).of(victim)
		s.syncGroup(victim, vg)
		return rej
	}
	if len(g.waiting) == 0 || g.reservedOrBound >= g.minCount {
		g.unplaced[pod.UID] = pod
		return Rejection{}
	}
	if s.holds(key, g, now) {
		g.unplaced[pod.UID] = pod
		if g.holdChecked {
			return Rejection{}
		}
		g.holdChecked = true
		return Rejection{Group: key, HoldUntil: g.progress.Add(s.hold)}
	}
	g.rejected[pod.UID] = pod
	return g.rejectRound(s.backoff, now).of(key)
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
func (s *Store) HoldExpired(key gang.GroupKey, now time.Time) Rejection {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[key]
	if !ok {
		return Rejection{}
	}
	defer s.syncGroup(key, g)
	if len(g.waiting) == 0 || g.reservedOrBound >= g.minCount {
		g.holdChecked = false
		return Rejection{}
	}
	if until := g.progress.Add(s.hold); now.Before(until) {
		return Rejection{Group: key, HoldUntil: until}
	}
	g.holdChecked = false
	return g.rejectRound(s.backoff, now).of(key)
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

// Rejection is a rejected round: the members to reject, and when the gang's
// backoff ends (zero when nothing was rejected). For a held round (see
// Unplaced), it only carries HoldUntil: when to call HoldExpired.
type Rejection struct {
	// Group is the gang whose round was rejected or is held.
	Group        gang.GroupKey
	Reject       []types.UID
	BackoffUntil time.Time
	HoldUntil    time.Time
	// TimedOut is set by Unreserve when the round ended because its Permit
	// timeout passed, rather than because a member lost its reservation.
	TimedOut bool
}

// rejectRound rejects the waiting round and starts the backoff. Callers
// hold Store.mu.
func (g *group) rejectRound(b Backoff, now time.Time) Rejection {
	g.rejections++
	g.backoffUntil = now.Add(b.duration(g.rejections))
	return Rejection{Reject: g.takeWaitingAsRejected(), BackoffUntil: g.backoffUntil}
}

// BackoffExpired hands back, once the gang's backoff has ended, the members
// that Admit held during it and those the rejection sent back, for the
// caller to activate.
func (s *Store) BackoffExpired(key gang.GroupKey, now time.Time) []*v1.Pod {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[key]
	if !ok || now.Before(g.backoffUntil) {
		return nil
	}
	pods := takeAll(&g.backedOff, &g.rejected, &g.unplaced)
	s.syncGroup(key, g)
	return pods
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
}

// Group returns a copy of a group's counts, and false when it is not tracked.
func (s *Store) Group(key gang.GroupKey) (GroupStatus, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[key]
	if !ok {
		return GroupStatus{}, false
	}
	return GroupStatus{
		Members:         len(g.members),
		ReservedOrBound: g.reservedOrBound,
		MinCount:        g.minCount,
		Gated:           len(g.gated),
		Waiting:         len(g.waiting),
		Rejected:        len(g.rejected),
		BackedOff:       len(g.backedOff),
		Rejections:      g.rejections,
		BackoffUntil:    g.backoffUntil,
	}, true
}

// Len returns the number of tracked groups and of pods waiting for a Workload.
func (s *Store) Len() (groups, waitingForWorkload int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, set := range s.waitingForWorkload {
		waitingForWorkload += len(set)
	}
	return len(s.groups), waitingForWorkload
}

// Round is a copy of a group's waiting round.
type Round struct {
	// Start is when the round's first member waited at Permit.
	Start           time.Time
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
	return Round{Start: g.roundStart, Waiting: len(g.waiting), ReservedOrBound: g.reservedOrBound, MinCount: g.minCount}, true
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
	}
	return st
}
