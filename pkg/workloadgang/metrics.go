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
	"context"
	"sync"

	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/legacyregistry"

	"github.com/gangsched/gangsched/pkg/workloadgang/groupstate"
)

// The plugin's metrics are registered in the process's legacy registry, so
// the scheduler serves them on its own /metrics endpoint. They are summed
// over every plugin instance of the process (one per profile) and carry no
// per-pod, per-gang or per-namespace label: their cardinality is fixed.
// docs/observe.md describes each one.

// metricsSubsystem prefixes every metric name: gangsched_...
const metricsSubsystem = "gangsched"

// The values of the reason label of gangsched_gangs_rejected_total: why a
// round of reserved members was rejected before its quorum.
const (
	// rejectedTimeout: the round waited at Permit until its timeout.
	rejectedTimeout = "timeout"
	// rejectedMemberUnschedulable: a member found no node (PostFilter).
	rejectedMemberUnschedulable = "member_unschedulable"
	// rejectedYielded: the round gave its room to an older gang whose
	// member found no node.
	rejectedYielded = "yielded"
	// rejectedMemberUnreserved: a waiting member lost its reservation
	// otherwise (rejected by another plugin, preempted, deleted, bind
	// failure).
	rejectedMemberUnreserved = "member_unreserved"
	// rejectedHoldExpired: a starving gang held its round, and no member
	// joined it within starvingGangHoldSeconds.
	rejectedHoldExpired = "hold_expired"
	// rejectedWorkloadDeleted: the gang's Workload was deleted while members
	// waited at Permit.
	rejectedWorkloadDeleted = "workload_deleted"
	// rejectedCannotFit: the gang cannot fit in the nodes it may use even
	// with every other pod gone; it waits for the nodes to change.
	rejectedCannotFit = "cannot_fit"
)

// rejectReasons lists every reason label value, so that each series exists
// (at zero) from the start.
var rejectReasons = []string{
	rejectedTimeout, rejectedMemberUnschedulable, rejectedYielded,
	rejectedMemberUnreserved, rejectedHoldExpired, rejectedWorkloadDeleted,
	rejectedCannotFit,
}

// heldReasons are the reason label values of gangsched_pods_held, by the
// PreEnqueue verdict that holds a pod, in the order they are exported.
var heldReasons = []struct {
	verdict groupstate.Verdict
	label   string
}{
	{groupstate.WaitingForWorkload, "waiting_for_workload"},
	{groupstate.WaitingForPodGroup, "waiting_for_podgroup"},
	{groupstate.WaitingForMembers, "waiting_for_members"},
	{groupstate.WaitingForBackoff, "backoff"},
	{groupstate.WaitingForRoom, "cannot_fit"},
}

var (
	// quorumWaitSeconds buckets span 1ms to the framework's 15 minute cap
	// on Permit waits.
	quorumWaitSeconds = metrics.NewHistogram(&metrics.HistogramOpts{
		Subsystem: metricsSubsystem,
		Name:      "gang_quorum_wait_seconds",
		Help: "Time from the first member of a gang's round waiting at Permit to the round's quorum " +
			"(minCount members reserved or bound), for every round that reaches it; 0 when no member waited.",
		Buckets:        []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 900},
		StabilityLevel: metrics.ALPHA,
	})
	gangsAdmitted = metrics.NewCounter(&metrics.CounterOpts{
		Subsystem:      metricsSubsystem,
		Name:           "gangs_admitted_total",
		Help:           "Rounds of gang members that reached their quorum at Permit and were released to bind.",
		StabilityLevel: metrics.ALPHA,
	})
	gangsRejected = metrics.NewCounterVec(&metrics.CounterOpts{
		Subsystem: metricsSubsystem,
		Name:      "gangs_rejected_total",
		Help: "Rounds of gang members rejected before their quorum, by reason: " +
			"timeout (the Permit timeout passed), " +
			"member_unschedulable (a member found no node), " +
			"yielded (the round gave its room to an older gang that found none), " +
			"member_unreserved (a waiting member lost its reservation otherwise), " +
			"hold_expired (a starving gang's held round made no progress for starvingGangHoldSeconds), " +
			"workload_deleted (the Workload was deleted), " +
			"cannot_fit (the gang cannot fit in the nodes it may use even with every other pod gone).",
		StabilityLevel: metrics.ALPHA,
	}, []string{"reason"})

	releasesBroken = metrics.NewCounter(&metrics.CounterOpts{
		Subsystem: metricsSubsystem,
		Name:      "releases_broken_total",
		Help: "Gang rounds released at their quorum that bound none of their members because one of them was rejected " +
			"(preempted, deleted, reservation lost) before it came through Permit: the round binds whole or not at all.",
		StabilityLevel: metrics.ALPHA,
	})
	topologyNoDomain = metrics.NewCounter(&metrics.CounterOpts{
		Subsystem: metricsSubsystem,
		Name:      "topology_no_domain_total",
		Help: "Attempts of gangs that ask a required topology (gangsched.io/topology-required) that found no domain " +
			"with room for every member still needed; the members stay Pending, reserving nothing, and are tried again " +
			"when a bound pod is deleted or a node changes (each such change starts a new attempt; an attempt counts once " +
			"however many of its members find no domain).",
		StabilityLevel: metrics.ALPHA,
	})

	preemptionAttempts = metrics.NewCounterVec(&metrics.CounterOpts{
		Subsystem: metricsSubsystem,
		Name:      "preemption_attempts_total",
		Help: "Gang members that found no node and came to whole-gang preemption, by result: " +
			"preempted (victims of lower priority are evicted for the whole gang), " +
			"cannot_fit (the gang does not fit even with every lower-priority pod gone; nothing evicted), " +
			"not_allowed (the member's preemptionPolicy is Never), " +
			"waiting_for_victims (the gang's last preemption still has victims running).",
		StabilityLevel: metrics.ALPHA,
	}, []string{"result"})
	preemptionVictims = metrics.NewCounter(&metrics.CounterOpts{
		Subsystem:      metricsSubsystem,
		Name:           "preemption_victims_total",
		Help:           "Pods chosen as victims of whole-gang preemptions, each counted once.",
		StabilityLevel: metrics.ALPHA,
	})
	reservationHintsWritten = metrics.NewCounter(&metrics.CounterOpts{
		Subsystem: metricsSubsystem,
		Name:      "reservation_hints_total",
		Help: "nominatedNodeName writes WorkloadGang made to publish where the members of a stalled round " +
			"(no new member for " + reservationHintDelay.String() + ") are reserved.",
		StabilityLevel: metrics.ALPHA,
	})

	podsHeldDesc = metrics.NewDesc(metricsSubsystem+"_pods_held",
		"Pods WorkloadGang currently holds out of the scheduling queue (PreEnqueue), by reason: "+
			"waiting_for_workload, waiting_for_podgroup (the Workload lacks the pod's podGroup), "+
			"waiting_for_members (the gang has fewer than minCount pods), backoff (the gang backs off after a rejected round), "+
			"cannot_fit (the gang cannot fit in the nodes it may use; it waits for them to change).",
		[]string{"reason"}, nil, metrics.ALPHA, "")
	groupsTrackedDesc = metrics.NewDesc(metricsSubsystem+"_groups_tracked",
		"Gang instances (namespace, Workload, podGroup, replica key) whose members WorkloadGang tracks.",
		nil, nil, metrics.ALPHA, "")

	// liveStores is the collector of the store gauges of every plugin
	// instance of the process.
	liveStores = newStoreCollector()

	registerMetricsOnce sync.Once
)

// registerMetrics registers the plugin's metrics in the legacy registry,
// once per process however many plugin instances it creates.
func registerMetrics() {
	registerMetricsOnce.Do(func() {
		legacyregistry.MustRegister(quorumWaitSeconds, gangsAdmitted, gangsRejected, topologyNoDomain, releasesBroken,
			preemptionAttempts, preemptionVictims, reservationHintsWritten)
		legacyregistry.CustomMustRegister(liveStores)
		for _, r := range rejectReasons {
			gangsRejected.WithLabelValues(r)
		}
		for _, r := range preemptResults {
			preemptionAttempts.WithLabelValues(r)
		}
	})
}

// storeCollector exports the gauges that are read from the group stores on
// every scrape (gangsched_pods_held, gangsched_groups_tracked), summed over
// the stores of the live plugin instances. Reading the stores, rather than
// counting up and down on every change, can never drift from them.
type storeCollector struct {
	metrics.BaseStableCollector

	// mu guards stores.
	mu     sync.Mutex
	stores map[*groupstate.Store]struct{}
}

var _ metrics.StableCollector = &storeCollector{}

func newStoreCollector() *storeCollector {
	return &storeCollector{stores: map[*groupstate.Store]struct{}{}}
}

// add includes a plugin instance's store until ctx, the plugin's, ends.
func (c *storeCollector) add(ctx context.Context, s *groupstate.Store) {
	c.mu.Lock()
	c.stores[s] = struct{}{}
	c.mu.Unlock()
	context.AfterFunc(ctx, func() {
		c.mu.Lock()
		delete(c.stores, s)
		c.mu.Unlock()
	})
}

// DescribeWithStability implements metrics.StableCollector.
func (c *storeCollector) DescribeWithStability(ch chan<- *metrics.Desc) {
	ch <- podsHeldDesc
	ch <- groupsTrackedDesc
}

// CollectWithStability implements metrics.StableCollector. Each store is
// read under its own lock, one after the other, never under c.mu.
func (c *storeCollector) CollectWithStability(ch chan<- metrics.Metric) {
	c.mu.Lock()
	stores := make([]*groupstate.Store, 0, len(c.stores))
	for s := range c.stores {
		stores = append(stores, s)
	}
	c.mu.Unlock()
	held := map[groupstate.Verdict]int{}
	groups := 0
	for _, s := range stores {
		st := s.Stats()
		groups += st.Groups
		for v, n := range st.Held {
			held[v] += n
		}
	}
	for _, r := range heldReasons {
		ch <- metrics.NewLazyConstMetric(podsHeldDesc, metrics.GaugeValue, float64(held[r.verdict]), r.label)
	}
	ch <- metrics.NewLazyConstMetric(groupsTrackedDesc, metrics.GaugeValue, float64(groups))
}
