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
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/events"
	fwk "k8s.io/kube-scheduler/framework"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/gangsched/gangsched/pkg/gang"
)

func TestGangEventsRateLimits(t *testing.T) {
	a := gang.GroupKey{Namespace: "ns", Workload: "a", PodGroup: "pg"}
	b := gang.GroupKey{Namespace: "ns", Workload: "b", PodGroup: "pg"}
	c := gang.GroupKey{Namespace: "ns", Workload: "c", PodGroup: "pg"}
	type step struct {
		after  time.Duration
		group  gang.GroupKey
		reason string
		want   bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{
			name: "one Event per gang and reason per interval",
			steps: []step{
				{group: a, reason: reasonGangRejected, want: true},
				{group: a, reason: reasonGangRejected, want: false},
				{after: 9 * time.Second, group: a, reason: reasonGangRejected, want: false},
				{group: a, reason: reasonGangAdmitted, want: true},
				{group: b, reason: reasonGangRejected, want: true},
				{after: time.Second, group: a, reason: reasonGangRejected, want: true},
			},
		},
		{
			name: "a global cap over all gangs",
			steps: []step{
				{group: a, reason: reasonGangWaiting, want: true},
				{group: b, reason: reasonGangWaiting, want: true},
				{group: c, reason: reasonGangWaiting, want: false},
				// A dropped Event does not count against its gang.
				{after: time.Second, group: c, reason: reasonGangWaiting, want: true},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := testingclock.NewFakePassiveClock(time.Unix(1000, 0))
			recorder := events.NewFakeRecorder(10)
			e := newGangEvents(recorder, clk, 10*time.Second, 1, 2)
			w := gangWorkload("a", 2)
			for i, s := range tc.steps {
				clk.SetTime(clk.Now().Add(s.after))
				got := e.record(w, s.group, v1.EventTypeNormal, s.reason, fmt.Sprintf("step %d", i))
				assert.Equal(t, s.want, got, "step %d: %s %s", i, s.group, s.reason)
				if got {
					assert.Equal(t, fmt.Sprintf("Normal %s step %d", s.reason, i), <-recorder.Events)
				}
			}
		})
	}
}

// TestGangEventsForgetStaleGangs checks that the per-gang limiter keeps only
// the gangs it still limits: its memory follows the gangs of the last
// interval, not every gang ever seen.
func TestGangEventsForgetStaleGangs(t *testing.T) {
	clk := testingclock.NewFakePassiveClock(time.Unix(1000, 0))
	e := newGangEvents(&events.FakeRecorder{}, clk, 10*time.Second, 1e6, 1e6)
	w := gangWorkload("w", 2)
	record := func(prefix string, n int) {
		for i := 0; i < n; i++ {
			key := gang.GroupKey{Namespace: "ns", Workload: "w", PodGroup: "pg", ReplicaKey: fmt.Sprintf("%s%d", prefix, i)}
			require.True(t, e.record(w, key, v1.EventTypeNormal, reasonGangAdmitted, "admitted"))
		}
	}
	record("old", 300)
	clk.SetTime(clk.Now().Add(11 * time.Second))
	record("new", 300)
	assert.Len(t, e.last, 300, "the entries of the first interval are gone")
}

func TestGangWaitingOncePerRound(t *testing.T) {
	p1, p2, p3 := groupPod("p1", "train"), groupPod("p2", "train"), groupPod("p3", "train")
	clk := newFakeClock()
	e := newTestEnvWithClock(t, nil, clk, gangWorkload("train", 3), p1, p2, p3)
	// The test records the Event itself, not the plugin's timer.
	e.pl.events.waitingDelay = time.Hour
	key := keyOf(p1)

	require.Equal(t, fwk.Wait, e.reserveAndPermit(t, p1).Code())
	round, ok := e.pl.store.Round(key)
	require.True(t, ok)
	assert.False(t, e.pl.recordWaitingRound(key, round.Start.Add(-time.Second)), "an earlier round has ended")
	clk.Step(time.Second)
	require.Equal(t, fwk.Wait, e.reserveAndPermit(t, p2).Code())
	require.True(t, e.pl.recordWaitingRound(key, round.Start), "the round still waits")
	assert.Equal(t, "Normal GangWaiting gang ns/train/pg waiting for quorum: 2/3 reserved or bound", <-e.recorder.Events)

	require.True(t, e.reserveAndPermit(t, p3).IsSuccess())
	assert.False(t, e.pl.recordWaitingRound(key, round.Start), "the round reached its quorum")
}
