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

package workloadgang

import (
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/flowcontrol"
	"k8s.io/utils/clock"

	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/workloadgang/groupstate"
)

// The reasons of the Events WorkloadGang records on a Workload (or
// PodGroup) about the progress of its gangs. The 1.35 Workload has no
// status: Events are the only place a gang's progress shows on it.
const (
	// reasonGangWaiting (Normal): a round of reserved members still waits
	// at Permit for its quorum gangWaitingDelay after it started.
	reasonGangWaiting = "GangWaiting"
	// reasonGangAdmitted (Normal): a round reached its quorum.
	reasonGangAdmitted = "GangAdmitted"
	// reasonMixedPriorities (Warning): the gang's members have different
	// priorities; the gang ranks by the lowest.
	reasonMixedPriorities = "MixedPriorities"
	// reasonGangRejected (Warning): a round was rejected before its quorum.
	reasonGangRejected = "GangRejected"
	// reasonPreempting (Normal): the gang preempts pods of lower priority
	// to make room for its members.
	reasonPreempting = "Preempting"
	// gangEventAction is the Event's action, as for the scheduler's own.
	gangEventAction = "Scheduling"
)

const (
	// gangWaitingDelay is how long a round must wait at Permit before
	// GangWaiting is recorded: a gang whose members arrive in one burst
	// reaches its quorum first and costs one Event (GangAdmitted), not two.
	gangWaitingDelay = time.Second
	// gangEventInterval is the least time between two Events of the same
	// reason about the same gang: a gang that flaps (rejected, retried,
	// rejected) records at most one of each reason per interval.
	gangEventInterval = 10 * time.Second
	// gangEventQPS and gangEventBurst cap the gang Events of a plugin
	// instance, whatever the number of gangs, so that a storm of gangs does
	// not flood the API server; Events over the cap are dropped.
	gangEventQPS   = 5
	gangEventBurst = 50
	// gangEventSweepMin is the fewest entries gangEvents keeps before it
	// drops those older than the interval.
	gangEventSweepMin = 256
)

// gangEvents records gang progress Events through the scheduler's event
// recorder, with a rate limit per gang and reason and a global one. It
// never blocks: the recorder sends asynchronously, and an Event over a limit
// is dropped (metrics count every round; Events are for people).
type gangEvents struct {
	recorder events.EventRecorder
	clock    clock.PassiveClock
	interval time.Duration
	// waitingDelay is gangWaitingDelay, longer in tests.
	waitingDelay time.Duration
	// global caps the Events of the plugin instance.
	global flowcontrol.PassiveRateLimiter

	// mu guards last and sweepAt.
	mu sync.Mutex
	// last is when an Event was last recorded, per gang and reason.
	last map[gangEventKey]time.Time
	// sweepAt is the size of last at which stale entries are dropped; it
	// grows with the number of live entries, so sweeping is amortized O(1).
	sweepAt int
}

type gangEventKey struct {
	group  gang.GroupKey
	reason string
}

// newGangEvents returns a recorder of gang Events; a nil recorder records
// nothing.
func newGangEvents(recorder events.EventRecorder, clk clock.PassiveClock, interval time.Duration, qps float32, burst int) *gangEvents {
	return &gangEvents{
		recorder:     recorder,
		clock:        clk,
		interval:     interval,
		waitingDelay: gangWaitingDelay,
		global:       flowcontrol.NewTokenBucketPassiveRateLimiterWithClock(qps, burst, clk),
		last:         map[gangEventKey]time.Time{},
		sweepAt:      gangEventSweepMin,
	}
}

// record records an Event regarding the gang's Workload, unless a limit
// drops it. It reports whether the Event was recorded.
func (e *gangEvents) record(w declaration, key gang.GroupKey, eventType, reason, note string) bool {
	if e.recorder == nil || w == nil || !e.allow(key, reason) {
		return false
	}
	e.recorder.Eventf(w, nil, eventType, reason, gangEventAction, "%s", note)
	return true
}

// allow applies the per-gang and the global limit.
func (e *gangEvents) allow(key gang.GroupKey, reason string) bool {
	now := e.clock.Now()
	k := gangEventKey{group: key, reason: reason}
	e.mu.Lock()
	defer e.mu.Unlock()
	if last, ok := e.last[k]; ok && now.Sub(last) < e.interval {
		return false
	}
	if !e.global.TryAccept() {
		return false
	}
	e.last[k] = now
	if len(e.last) >= e.sweepAt {
		for k, t := range e.last {
			if now.Sub(t) >= e.interval {
				delete(e.last, k)
			}
		}
		e.sweepAt = max(2*len(e.last), gangEventSweepMin)
	}
	return true
}

// reportWaitingRound records GangWaiting for a round that started at start,
// if it still waits gangWaitingDelay later: once per round, with the count
// reached by then. It runs off the scheduling path, on a timer.
func (pl *WorkloadGang) reportWaitingRound(key gang.GroupKey, start time.Time) {
	pl.clock.AfterFunc(pl.events.waitingDelay, func() { pl.recordWaitingRound(key, start) })
}

// recordWaitingRound records GangWaiting if the round that started at start
// still waits. It reports whether it recorded the Event.
func (pl *WorkloadGang) recordWaitingRound(key gang.GroupKey, start time.Time) bool {
	r, ok := pl.store.Round(key)
	if !ok || !r.Start.Equal(start) {
		return false
	}
	return pl.events.record(pl.workload(key), key, v1.EventTypeNormal, reasonGangWaiting,
		gang.GangWaitingMessage(key, r.ReservedOrBound, r.MinCount))
}

// reportAdmitted records GangAdmitted for a round that reached its quorum.
// d is the topology domain chosen for the round, zero when none was.
func (pl *WorkloadGang) reportAdmitted(w declaration, key gang.GroupKey, reservedOrBound, minCount int, wait time.Duration, d groupstate.Domain) {
	pl.events.record(w, key, v1.EventTypeNormal, reasonGangAdmitted,
		gang.GangAdmittedMessage(key, reservedOrBound, minCount, wait, domainLabel(w, d)))
}

// domainLabel names a required topology domain as label=value; empty for
// none, and for a round placed by a preferred key only (it may span
// several domains).
func domainLabel(w declaration, d groupstate.Domain) string {
	if d.Name == "" {
		return ""
	}
	t, err := gang.TopologyOf(w)
	if err != nil || t.Required == "" {
		return ""
	}
	return t.Required + "=" + d.Name
}

// reportRejected records GangRejected for a rejected round; msg is the
// message its waiting members were rejected with.
func (pl *WorkloadGang) reportRejected(w declaration, key gang.GroupKey, msg string) {
	pl.events.record(w, key, v1.EventTypeWarning, reasonGangRejected, msg)
}

// workload returns the gang's Workload or PodGroup from the declaration
// index, nil when it is gone.
func (pl *WorkloadGang) workload(key gang.GroupKey) declaration {
	return pl.decls.get(key.WorkloadKey())
}
