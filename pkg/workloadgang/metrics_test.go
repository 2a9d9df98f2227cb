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
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/legacyregistry"
	"k8s.io/component-base/metrics/testutil"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	st "k8s.io/kubernetes/pkg/scheduler/testing"
	"k8s.io/utils/clock"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/gangsched/gangsched/pkg/apis/config"
	"github.com/gangsched/gangsched/pkg/workloadgang/groupstate"
)

// fakeClock is the plugin's clock in the tests that move time: a step runs
// the plugin's timers that fall due. Each runs on its own goroutine, as with
// the real clock: FakeClock runs them under its lock, where a timer that
// reads the clock, as the plugin's do, would deadlock.
type fakeClock struct{ *testingclock.FakeClock }

func newFakeClock() fakeClock {
	return fakeClock{testingclock.NewFakeClock(time.Unix(10000, 0))}
}

func (c fakeClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	return c.FakeClock.AfterFunc(d, func() { go f() })
}

// outcomes is a reading of the plugin's round counters. The counters are
// process-wide, so tests compare readings taken before and after.
type outcomes struct {
	admitted      float64
	quorumWaits   uint64
	quorumWaitSum float64
	rejected      map[string]float64
}

func readOutcomes(t *testing.T) outcomes {
	t.Helper()
	var o outcomes
	var err error
	o.admitted, err = testutil.GetCounterMetricValue(gangsAdmitted)
	require.NoError(t, err)
	h, err := testutil.GetHistogramVecFromGatherer(legacyregistry.DefaultGatherer, "gangsched_gang_quorum_wait_seconds", nil)
	require.NoError(t, err)
	o.quorumWaits, o.quorumWaitSum = h.GetAggregatedSampleCount(), h.GetAggregatedSampleSum()
	o.rejected = map[string]float64{}
	for _, r := range rejectReasons {
		o.rejected[r], err = testutil.GetCounterMetricValue(gangsRejected.WithLabelValues(r))
		require.NoError(t, err)
	}
	return o
}

// since returns the change from an earlier reading; rejected lists the
// reasons that changed only.
func (o outcomes) since(before outcomes) outcomes {
	d := outcomes{
		admitted:    o.admitted - before.admitted,
		quorumWaits: o.quorumWaits - before.quorumWaits,
		// Rounded to the millisecond: a difference of float sums is not
		// exact once earlier tests (or -count) have added to them.
		quorumWaitSum: math.Round((o.quorumWaitSum-before.quorumWaitSum)*1000) / 1000,
		rejected:      map[string]float64{},
	}
	for r, n := range o.rejected {
		if n != before.rejected[r] {
			d.rejected[r] = n - before.rejected[r]
		}
	}
	return d
}

func createdAt(w *schedulingv1alpha1.Workload, sec int64) *schedulingv1alpha1.Workload {
	w.CreationTimestamp = metav1.NewTime(time.Unix(sec, 0))
	return w
}

// requireRejected waits until a waiting pod is rejected at Permit with a
// message that contains msg.
func (e *testEnv) requireRejected(t *testing.T, pod *v1.Pod, msg string) {
	t.Helper()
	s := e.fh.WaitOnPermit(e.ctx, pod)
	require.True(t, s.IsRejected(), "%s: %v", pod.Name, s)
	assert.Contains(t, s.Message(), msg)
}

// unreserve runs Unreserve as the scheduler's binding cycle does after a
// rejection at Permit.
func (e *testEnv) unreserve(pod *v1.Pod) {
	e.fh.RunReservePluginsUnreserve(e.ctx, framework.NewCycleState(), pod, "node")
}

// TestRoundMetricsAndEvents drives rounds to each of their outcomes through
// a real framework and checks the counters and the Event on the Workload.
func TestRoundMetricsAndEvents(t *testing.T) {
	p1, p2, p3 := groupPod("p1", "train"), groupPod("p2", "train"), groupPod("p3", "train")
	train := func() []runtime.Object {
		return []runtime.Object{createdAt(gangWorkload("train", 3), 100), p1, p2, p3}
	}
	holdArgs := &config.WorkloadGangArgs{PermitTimeoutSeconds: 300, BackoffInitialSeconds: 1, BackoffMaxSeconds: 1, StarvingGangHoldSeconds: 1}
	tests := []struct {
		name      string
		args      *config.WorkloadGangArgs
		objs      []runtime.Object
		run       func(t *testing.T, e *testEnv, clk fakeClock)
		want      outcomes
		wantEvent string
	}{
		{
			name: "the round reaches its quorum",
			objs: train(),
			run: func(t *testing.T, e *testEnv, clk fakeClock) {
				require.Equal(t, fwk.Wait, e.reserveAndPermit(t, p1).Code())
				clk.Step(time.Second)
				require.Equal(t, fwk.Wait, e.reserveAndPermit(t, p2).Code())
				clk.Step(1500 * time.Millisecond)
				require.True(t, e.reserveAndPermit(t, p3).IsSuccess())
			},
			want:      outcomes{admitted: 1, quorumWaits: 1, quorumWaitSum: 2.5},
			wantEvent: "Normal GangAdmitted gang ns/train/pg reached quorum: 3/3 reserved or bound after 2.5s; its members bind",
		},
		{
			name: "a gang of one reaches its quorum without a wait",
			objs: []runtime.Object{gangWorkload("solo", 1), groupPod("s1", "solo")},
			run: func(t *testing.T, e *testEnv, _ fakeClock) {
				require.True(t, e.reserveAndPermit(t, groupPod("s1", "solo")).IsSuccess())
			},
			want:      outcomes{admitted: 1, quorumWaits: 1},
			wantEvent: "Normal GangAdmitted gang ns/solo/pg reached quorum: 1/1 reserved or bound; its members bind",
		},
		{
			name: "a member finds no node",
			objs: train(),
			run: func(t *testing.T, e *testEnv, _ fakeClock) {
				require.Equal(t, fwk.Wait, e.reserveAndPermit(t, p1).Code())
				e.pl.PostFilter(e.ctx, nil, p3, nil)
				e.requireRejected(t, p1, "member p3 found no node")
			},
			want:      outcomes{rejected: map[string]float64{rejectedMemberUnschedulable: 1}},
			wantEvent: "Warning GangRejected gang ns/train/pg rejected: member p3 found no node; it will be retried as a whole",
		},
		{
			name: "a younger gang yields to an older one",
			objs: []runtime.Object{
				createdAt(gangWorkload("old", 2), 100), groupPod("o1", "old"), groupPod("o2", "old"),
				createdAt(gangWorkload("young", 2), 200), groupPod("y1", "young"), groupPod("y2", "young"),
			},
			run: func(t *testing.T, e *testEnv, clk fakeClock) {
				// The old gang's attempt starts first: its rank is earned
				// by waiting, not by its Workload's age.
				require.True(t, e.pl.PreEnqueue(e.ctx, groupPod("o1", "old")).IsSuccess())
				clk.Step(time.Second)
				require.True(t, e.pl.PreEnqueue(e.ctx, groupPod("y1", "young")).IsSuccess())
				require.Equal(t, fwk.Wait, e.reserveAndPermit(t, groupPod("y1", "young")).Code())
				e.pl.PostFilter(e.ctx, nil, groupPod("o1", "old"), nil)
				e.requireRejected(t, groupPod("y1", "young"), "yielding to the older gang ns/old/pg")
			},
			want:      outcomes{rejected: map[string]float64{rejectedYielded: 1}},
			wantEvent: "Warning GangRejected gang ns/young/pg rejected: yielding to the older gang ns/old/pg; it will be retried as a whole",
		},
		{
			name: "a waiting member loses its reservation",
			objs: train(),
			run: func(t *testing.T, e *testEnv, _ fakeClock) {
				require.Equal(t, fwk.Wait, e.reserveAndPermit(t, p1).Code())
				require.Equal(t, fwk.Wait, e.reserveAndPermit(t, p2).Code())
				e.unreserve(p1)
				e.requireRejected(t, p2, "member p1 lost its reservation")
			},
			want:      outcomes{rejected: map[string]float64{rejectedMemberUnreserved: 1}},
			wantEvent: "Warning GangRejected gang ns/train/pg rejected: member p1 lost its reservation before the gang reached minCount; it will be retried as a whole",
		},
		{
			name: "the round times out",
			objs: train(),
			run: func(t *testing.T, e *testEnv, clk fakeClock) {
				require.Equal(t, fwk.Wait, e.reserveAndPermit(t, p1).Code())
				require.Equal(t, fwk.Wait, e.reserveAndPermit(t, p2).Code())
				// The framework's timer rejects p1 at the deadline, then
				// its binding cycle runs Unreserve.
				clk.Step(300 * time.Second)
				e.fh.GetWaitingPod(p1.UID).Reject("", "rejected due to timeout")
				e.unreserve(p1)
				e.requireRejected(t, p2, "the Permit timeout (5m0s) passed")
			},
			want:      outcomes{rejected: map[string]float64{rejectedTimeout: 1}},
			wantEvent: "Warning GangRejected gang ns/train/pg rejected: the Permit timeout (5m0s) passed before minCount members were reserved or bound; it will be retried as a whole",
		},
		{
			name: "the starving gang's hold expires",
			args: holdArgs,
			objs: train(),
			run: func(t *testing.T, e *testEnv, clk fakeClock) {
				// A first rejection makes the gang starving.
				require.Equal(t, fwk.Wait, e.reserveAndPermit(t, p1).Code())
				e.pl.PostFilter(e.ctx, nil, p3, nil)
				e.requireRejected(t, p1, "found no node")
				e.unreserve(p1)
				// Past the backoff, and past the interval between two
				// GangRejected Events of the gang.
				clk.Step(gangEventInterval + time.Second)
				// Now it holds its round, until no member joins for 1s.
				require.Equal(t, fwk.Wait, e.reserveAndPermit(t, p1).Code())
				e.pl.PostFilter(e.ctx, nil, p3, nil)
				clk.Step(2 * time.Second)
				e.requireRejected(t, p1, "no more members found room within 1s")
			},
			want: outcomes{rejected: map[string]float64{rejectedMemberUnschedulable: 1, rejectedHoldExpired: 1}},
			// The hold check runs a second after the hold starts.
			wantEvent: "Warning GangRejected gang ns/train/pg rejected: no more members found room within 1s; it will be retried as a whole",
		},
		{
			name: "the Workload is deleted",
			objs: train(),
			run: func(t *testing.T, e *testEnv, _ fakeClock) {
				require.Equal(t, fwk.Wait, e.reserveAndPermit(t, p1).Code())
				require.NoError(t, e.cs.SchedulingV1alpha1().Workloads("ns").Delete(e.ctx, "train", metav1.DeleteOptions{}))
				e.requireRejected(t, p1, "Workload ns/train was deleted")
			},
			want:      outcomes{rejected: map[string]float64{rejectedWorkloadDeleted: 1}},
			wantEvent: "Warning GangRejected gang ns/train/pg rejected: Workload ns/train was deleted; it will be retried as a whole",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			e := newTestEnvWithClock(t, tc.args, clk, tc.objs...)
			before := readOutcomes(t)
			tc.run(t, e, clk)
			// Every rejected pod was awaited, so every count is in.
			got := readOutcomes(t).since(before)
			if tc.want.rejected == nil {
				tc.want.rejected = map[string]float64{}
			}
			assert.Equal(t, tc.want, got)
			e.requireEvent(t, tc.wantEvent)
		})
	}
}

// requireEvent waits for an Event among those the plugin records.
func (e *testEnv) requireEvent(t *testing.T, want string) {
	t.Helper()
	var seen []string
	timeout := time.After(wait30s)
	for {
		select {
		case ev := <-e.recorder.Events:
			if ev == want {
				return
			}
			seen = append(seen, ev)
		case <-timeout:
			require.Failf(t, "Event not recorded", "want %q; recorded %q", want, seen)
		}
	}
}

const wait30s = 30 * time.Second

// gather reads a metric family from a gatherer as values by its reason or
// result label ("" for a metric without labels).
func gather(t *testing.T, g metrics.Gatherer, name string) map[string]float64 {
	t.Helper()
	families, err := g.Gather()
	require.NoError(t, err)
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			reason := ""
			for _, l := range m.GetLabel() {
				if l.GetName() == "reason" || l.GetName() == "result" {
					reason = l.GetValue()
				}
			}
			out[reason] = m.GetGauge().GetValue() + m.GetCounter().GetValue()
		}
	}
	return out
}

// TestStoreGauges checks gangsched_pods_held and gangsched_groups_tracked
// for one plugin instance's store, as PreEnqueue and the informer handlers
// change it.
func TestStoreGauges(t *testing.T) {
	nopg := st.MakeWorkload().Name("nopg").Namespace("ns").PodGroup(st.MakePodGroup().Name("other").MinCount(1).Obj()).Obj()
	flaky := []*v1.Pod{groupPod("d1", "flaky"), groupPod("d2", "flaky")}
	e := newTestEnvWithClock(t, nil, newFakeClock(), nopg, gangWorkload("short", 3), gangWorkload("flaky", 2),
		groupPod("a1", "missing"), groupPod("a2", "missing"), groupPod("b1", "nopg"),
		groupPod("c1", "short"), groupPod("c2", "short"), flaky[0], flaky[1])
	c := newStoreCollector()
	c.add(e.ctx, e.pl.store)
	registry := metrics.NewKubeRegistry()
	registry.CustomMustRegister(c)
	waitFor(t, "the informer to feed every pod to the store", func() bool {
		return e.pl.store.Stats().Groups == 4
	})

	for _, name := range []string{"a1", "a2"} {
		require.False(t, e.pl.PreEnqueue(e.ctx, groupPod(name, "missing")).IsSuccess())
	}
	require.False(t, e.pl.PreEnqueue(e.ctx, groupPod("b1", "nopg")).IsSuccess())
	require.False(t, e.pl.PreEnqueue(e.ctx, groupPod("c1", "short")).IsSuccess())
	require.False(t, e.pl.PreEnqueue(e.ctx, groupPod("c2", "short")).IsSuccess())
	// A rejected round: the gang backs off, and PreEnqueue holds its members.
	require.Equal(t, fwk.Wait, e.reserveAndPermit(t, flaky[0]).Code())
	e.pl.PostFilter(e.ctx, nil, flaky[1], nil)
	e.requireRejected(t, flaky[0], "found no node")
	e.unreserve(flaky[0])
	for _, p := range flaky {
		require.Equal(t, fwk.UnschedulableAndUnresolvable, e.pl.PreEnqueue(e.ctx, p).Code())
	}
	assert.Equal(t, map[string]float64{
		"waiting_for_workload": 2, "waiting_for_podgroup": 1, "waiting_for_members": 2, "backoff": 2, "cannot_fit": 0,
	}, gather(t, registry, "gangsched_pods_held"))
	assert.Equal(t, map[string]float64{"": 4}, gather(t, registry, "gangsched_groups_tracked"))

	// The Workload appears: its pods are handed back for activation.
	_, err := e.cs.SchedulingV1alpha1().Workloads("ns").Create(e.ctx, gangWorkload("missing", 2), metav1.CreateOptions{})
	require.NoError(t, err)
	waitFor(t, "the held pods of the new Workload to be released", func() bool {
		return gather(t, registry, "gangsched_pods_held")["waiting_for_workload"] == 0
	})
}

// TestStoreCollectorForgetsStoppedPlugins checks that the gauges sum over
// the live plugin instances only: a store is dropped when its plugin's
// context ends, as when a test's scheduler stops.
func TestStoreCollectorForgetsStoppedPlugins(t *testing.T) {
	c := newStoreCollector()
	registry := metrics.NewKubeRegistry()
	registry.CustomMustRegister(c)
	heldStore := func() *groupstate.Store {
		s := groupstate.New(groupstate.Backoff{Initial: time.Second, Max: time.Second})
		s.AddPod(groupPod("p", "missing"))
		s.Admit(groupPod("p", "missing"), func() groupstate.Policy { return groupstate.Policy{} })
		return s
	}
	ctx1, stop1 := context.WithCancel(context.Background())
	defer stop1()
	ctx2, stop2 := context.WithCancel(context.Background())
	defer stop2()
	c.add(ctx1, heldStore())
	c.add(ctx2, heldStore())
	assert.Equal(t, 2.0, gather(t, registry, "gangsched_pods_held")["waiting_for_workload"], "summed over the stores")
	assert.Equal(t, 2.0, gather(t, registry, "gangsched_groups_tracked")[""])
	stop1()
	waitFor(t, "the stopped plugin's store to be dropped", func() bool {
		return gather(t, registry, "gangsched_pods_held")["waiting_for_workload"] == 1
	})
	assert.Equal(t, 1.0, gather(t, registry, "gangsched_groups_tracked")[""])
}

// TestMetricsRegistered checks that the plugin's metrics are on the
// process's legacy registry, which the scheduler serves on /metrics, with
// every label value present from the start, and that they pass the
// Kubernetes metric lint.
func TestMetricsRegistered(t *testing.T) {
	newTestEnv(t, nil)
	// The handler the scheduler serves on /metrics.
	rec := httptest.NewRecorder()
	legacyregistry.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	var text strings.Builder
	found := map[string]bool{}
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		fields := strings.Fields(line)
		switch {
		case len(fields) >= 3 && fields[0] == "#" && strings.HasPrefix(fields[2], metricsSubsystem+"_"):
			found[fields[2]] = true
		case !strings.HasPrefix(line, metricsSubsystem+"_"):
			continue
		}
		text.WriteString(line + "\n")
	}
	assert.Equal(t, map[string]bool{
		"gangsched_gang_quorum_wait_seconds":  true,
		"gangsched_gangs_admitted_total":      true,
		"gangsched_gangs_rejected_total":      true,
		"gangsched_pods_held":                 true,
		"gangsched_releases_broken_total":     true,
		"gangsched_reservation_hints_total":   true,
		"gangsched_topology_no_domain_total":  true,
		"gangsched_groups_tracked":            true,
		"gangsched_preemption_attempts_total": true,
		"gangsched_preemption_victims_total":  true,
	}, found)
	assert.Len(t, gather(t, legacyregistry.DefaultGatherer, "gangsched_preemption_attempts_total"), len(preemptResults))
	assert.Len(t, gather(t, legacyregistry.DefaultGatherer, "gangsched_gangs_rejected_total"), len(rejectReasons))
	assert.Len(t, gather(t, legacyregistry.DefaultGatherer, "gangsched_pods_held"), len(heldReasons))
	problems, err := testutil.NewPromLinter(strings.NewReader(text.String())).Lint()
	require.NoError(t, err)
	assert.Empty(t, problems)
	assert.Contains(t, text.String(), "# HELP gangsched_gangs_rejected_total [ALPHA] ")
}
