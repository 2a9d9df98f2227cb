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
	"fmt"
	"sort"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/gangsched/gangsched/pkg/gang"
)

// A round released at its quorum binds whole or not at all. Permit counts
// the members waiting in the framework, but the framework can reject a
// waiting member (preemption, deletion) some time before that member's
// Unreserve reaches the Store: until then the member still counts, and a
// sibling that completes the quorum in that window releases a round that
// is one member short. Allowing a rejected member does not undo its
// rejection, so without more the others would bind short of minCount.
//
// So every member of a released round passes a second barrier in its
// binding cycle, at PreBind, after the framework's WaitOnPermit: it binds
// only once every member of the round has come through WaitOnPermit. A
// member that loses its reservation (Unreserve) or is deleted before it
// comes through breaks the release, and every member then fails at PreBind
// and is scheduled again. No API write is added for the waiting members
// (the framework already writes their nominatedNodeName); the member that
// released the round runs PreBind too (see InRelease).
//
// Two more rules keep a rejected member from counting through the others:
//   - The members of a broken release stop counting toward the quorum the
//	 moment it breaks, not when their own Unreserve runs: none of them
//	 will bind, and a member reaching Permit in between must not be let
//	 through on their count.
//   - A member that reaches Permit while its gang's release is undecided
//	 (the quorum it completes includes the release's members) joins that
//	 release: it binds if and only if the release does.

// release is one released round on its way through the binding cycles of
// its members. Its fields are guarded by Store.mu; done is closed once,
// when every member came through or the release broke.
type release struct {
	group gang.GroupKey
	// members names all its members; missing are those not through
	// WaitOnPermit yet.
	members map[types.UID]string
	missing map[types.UID]struct{}
	// broken says why the release will not bind; empty while it may.
	broken string
	done   chan struct{}
}

// decided reports whether every member came through or the release broke.
func (r *release) decided() bool {
	return r.broken != "" || len(r.missing) == 0
}

// finish closes done once the release is decided, and then forgets it as
// its gang's undecided release and as the release of the members that came
// through (a member still missing keeps it until it comes through or loses
// its reservation). Callers hold s.mu.
func (s *Store) finish(r *release) {
	if !r.decided() {
		return
	}
	select {
	case <-r.done:
		return
	default:
		close(r.done)
	}
	for uid := range r.members {
		if _, missing := r.missing[uid]; !missing && s.releases[uid] == r {
			delete(s.releases, uid)
		}
	}
	if g, ok := s.groups[r.group]; ok && g.release == r {
		g.release = nil
	}
}

// breakOff breaks an undecided release: none of it will bind, so its
// members' reservations stop counting toward the quorum now; their
// Unreserve, which follows their failed PreBind, then changes nothing.
// Callers hold s.mu.
func (s *Store) breakOff(r *release, why string) {
	if r.broken != "" {
		return
	}
	r.broken = why
	if g, ok := s.groups[r.group]; ok {
		for uid := range r.members {
			if g.members[uid] == reserved {
				g.members[uid] = pending
				g.reservedOrBound--
			}
		}
	}
	s.finish(r)
}

// startRelease records a round released by pod with the given waiting
// members, or, with none waiting, makes pod join its gang's undecided
// release if there is one. Callers hold s.mu.
func (s *Store) startRelease(key gang.GroupKey, g *group, pod *v1.Pod, waiting map[types.UID]*v1.Pod) {
	if len(waiting) == 0 {
		if r := g.release; r != nil {
			r.members[pod.UID] = pod.Name
			r.missing[pod.UID] = struct{}{}
			s.releases[pod.UID] = r
		}
		return
	}
	r := &release{group: key, members: make(map[types.UID]string, len(waiting)+1), missing: make(map[types.UID]struct{}, len(waiting)+1), done: make(chan struct{})}
	r.members[pod.UID] = pod.Name
	for uid, p := range waiting {
		r.members[uid] = p.Name
	}
	for uid := range r.members {
		r.missing[uid] = struct{}{}
		s.releases[uid] = r
	}
	g.release = r
}

// breakRelease breaks the release a member belongs to while it is
// undecided: why says what happened to the member. A member that came
// through WaitOnPermit and waits at PreBind for the others breaks it too
// (deleted, it will not bind). Callers hold s.mu.
func (s *Store) breakRelease(uid types.UID, why string) {
	r, ok := s.releases[uid]
	if !ok {
		return
	}
	delete(s.releases, uid)
	delete(r.missing, uid)
	s.breakOff(r, fmt.Sprintf("member %s %s before it could bind", r.members[uid], why))
}

// InRelease reports whether the pod belongs to a released round that has
// not yet come through WaitOnPermit whole: its binding cycle must run
// PreBind (the plugin's PreBindPreFlight says so).
func (s *Store) InRelease(pod *v1.Pod) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.releases[pod.UID]
	return ok
}

// Barrier is a member's view of its released round at PreBind.
type Barrier struct {
	r *release
}

// Done is closed once the release is decided: every member came through
// WaitOnPermit, or one will not.
func (b Barrier) Done() <-chan struct{} { return b.r.done }

// ArriveAtBind records that a member of a released round came through
// WaitOnPermit (its PreBind runs). It reports false for a pod that belongs
// to no release (bind it). Wait on the Barrier's Done, then ask Passed.
func (s *Store) ArriveAtBind(pod *v1.Pod) (Barrier, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.releases[pod.UID]
	if !ok {
		return Barrier{}, false
	}
	delete(r.missing, pod.UID)
	if r.decided() {
		delete(s.releases, pod.UID)
	}
	s.finish(r)
	return Barrier{r: r}, true
}

// BarrierKind is how a released round's barrier ended for a member.
type BarrierKind uint8

const (
	// BarrierPassed: every member of the round came through WaitOnPermit:
	// bind.
	BarrierPassed BarrierKind = iota + 1
	// BarrierBroken: a member lost its reservation, was deleted, or did not
	// come through in time: do not bind; the member is scheduled again.
	BarrierBroken
)

// BarrierResult is the end of a released round's barrier for a member.
type BarrierResult struct {
	Kind BarrierKind
	// Message says, for BarrierBroken, why, naming the gang.
	Message string
}

// Passed decides the barrier for a member that waited on it. expired says
// that the member gave up waiting (its PreBind's deadline): the release
// breaks for every member.
func (s *Store) Passed(b Barrier, expired bool) BarrierResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := b.r
	if r.broken == "" && len(r.missing) > 0 && expired {
		names := make([]string, 0, len(r.missing))
		for uid := range r.missing {
			names = append(names, r.members[uid])
		}
		sort.Strings(names)
		s.breakOff(r, fmt.Sprintf("members %v did not come through Permit in time", names))
	}
	if r.broken != "" {
		return BarrierResult{Kind: BarrierBroken, Message: fmt.Sprintf("gang %s released at its quorum will not bind whole: %s; binding none of it", r.group, r.broken)}
	}
	if len(r.missing) > 0 {
		// Not decided: the caller waited on Done without expiring.
		return BarrierResult{}
	}
	return BarrierResult{Kind: BarrierPassed}
}
