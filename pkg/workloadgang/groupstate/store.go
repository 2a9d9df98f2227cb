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
	"k8s.io/utils/clock"

	"github.com/gangsched/gangsched/pkg/gang"
)

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
	// releases maps each member of a released round that has not come
	// through WaitOnPermit yet to its release (see release.go).
	releases map[types.UID]*release
	// roomEpoch counts the changes that may free room: a bound pod's
	// deletion, a node change (see NoDomain). It starts at 1.
	roomEpoch uint64
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
	// clock is the one source of time of every decision: deadlines,
	// backoffs and holds are all measured on it. Immutable.
	clock clock.PassiveClock
	// schedules reports whether this scheduler serves a scheduler name
	// (one of its profiles enables the plugin); nil: every name, for a
	// store used outside a scheduler. Immutable.
	schedules func(schedulerName string) bool
}

// Option configures a Store.
type Option func(*Store)

// WithHold lets the oldest gang that has already been rejected once keep
// its waiting round, while members keep joining it, for up to d after the
// last one joined: see Unplaced. Zero (the default) disables holding.
func WithHold(d time.Duration) Option {
	return func(s *Store) { s.hold = d }
}

// WithSchedulerNames tells the Store which pods this scheduler can
// schedule: only those, and bound pods, count as gang members.
func WithSchedulerNames(schedules func(schedulerName string) bool) Option {
	return func(s *Store) { s.schedules = schedules }
}

// WithClock sets the clock the Store reads the time from (default: the
// real clock). The plugin passes its own, so that the Store and the
// plugin's timers agree; tests pass a fake one.
func WithClock(c clock.PassiveClock) Option {
	return func(s *Store) { s.clock = c }
}

// WithStillWaiting lets Permit check, before it releases a round, that its
// members still wait at Permit in the framework. A member the framework has
// already rejected (deleted, preempted) but whose Unreserve or delete event
// has not reached the Store yet must not be counted: releasing the others on
// its count would bind the gang short of minCount.
func WithStillWaiting(f func(types.UID) bool) Option {
	return func(s *Store) { s.stillWaiting = f }
}

// New returns an empty Store with the given gang backoff.
func New(backoff Backoff, opts ...Option) *Store {
	s := &Store{
		backoff:            backoff,
		rounds:             map[gang.GroupKey]struct{}{},
		unplacedGroups:     map[gang.GroupKey]struct{}{},
		releases:           map[types.UID]*release{},
		roomEpoch:          1,
		groups:             map[gang.GroupKey]*group{},
		byWorkload:         map[gang.WorkloadKey]map[gang.GroupKey]struct{}{},
		waitingForWorkload: map[gang.WorkloadKey]map[types.UID]*v1.Pod{},
		workloadFound:      map[gang.WorkloadKey]struct{}{},
		clock:              clock.RealClock{},
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
