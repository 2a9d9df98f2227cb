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

package integration

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/gangsched/gangsched/pkg/gang"
)

// The helpers in this file serve faults_test.go: a gang round that waits at
// Permit for as long as a test needs, built on a member that counts toward
// the quorum but has no room yet.
//
// Members that cannot reach Permit (scheduling gates, another scheduler)
// do not count, so a gang one such member short is held at PreEnqueue and
// nothing waits at Permit. What keeps a round waiting is a member with no
// room: a plain blocker pod takes its room. The gang's first round is then
// rejected at once (a member found no node) and backs off; from its second
// attempt it is the oldest gang that has been rejected, and it holds its
// reserved members at Permit until the blocker is deleted, or for
// starvingGangHoldSeconds (30 s in the test config; the Permit timeout of
// longPermitWorkload is longer) with no member finding room: a test acts
// on the round within that time.

// blockRoom creates a plain pod of the given cpu and waits until it is
// bound: it takes the room a gang member would need.
func (e *env) blockRoom(name, cpu string) {
	e.t.Helper()
	e.createPods(podSpec{name: name, cpu: cpu})
	e.waitScheduled(name)
}

// waitRoundHeld waits until a round of reserved members of the group has
// waited at Permit for a second (the GangWaiting Event on its Workload,
// which a round rejected at once never gets), then until reservedOrBound of
// the named pods wait at Permit, and returns them. Which members found room
// is up to the scheduler's queue, so the test learns it here. The members
// of a gang's first round wait at Permit only for a moment before the round
// is rejected; waiting for the Event first makes sure that the test acts on
// the round that holds.
func (e *env) waitRoundHeld(key gang.GroupKey, reservedOrBound, minCount int, podNames ...string) []string {
	e.t.Helper()
	want := gang.GangWaitingMessage(key, reservedOrBound, minCount)
	selector := fmt.Sprintf("involvedObject.kind=%s,involvedObject.name=%s,reason=GangWaiting", key.Source.Kind(), key.Workload)
	e.waitFor(fmt.Sprintf("a GangWaiting Event %q", want), func() (bool, error) {
		list, err := e.cs.CoreV1().Events(e.ns).List(e.ctx, metav1.ListOptions{FieldSelector: selector})
		if err != nil {
			return false, err
		}
		for _, ev := range list.Items {
			if ev.Message == want {
				return true, nil
			}
		}
		return false, nil
	})
	return e.waitSomeAtPermit(reservedOrBound, podNames...)
}

// waitSomeAtPermit waits until exactly n of the named pods wait at Permit
// (see waitAtPermit) and returns them.
func (e *env) waitSomeAtPermit(n int, podNames ...string) []string {
	e.t.Helper()
	var waiting []string
	e.waitFor(fmt.Sprintf("%d of pods %v to wait at Permit", n, podNames), func() (bool, error) {
		waiting = waiting[:0]
		for _, name := range podNames {
			p, err := e.cs.CoreV1().Pods(e.ns).Get(e.ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			if waitsAtPermit(p) {
				waiting = append(waiting, name)
			}
		}
		return len(waiting) == n, nil
	})
	return waiting
}

// without returns the names that are not in drop, in order.
func without(all []string, drop ...string) []string {
	var out []string
	for _, n := range all {
		if !slices.Contains(drop, n) {
			out = append(out, n)
		}
	}
	return out
}

// gangRejections returns how many rounds a scheduler process rejected for
// the reason (a gangsched_gangs_rejected_total label), from its /metrics.
func (s *schedulerProcess) gangRejections(e *env, reason string) (int, error) {
	body, err := s.get(e.ctx, "/metrics")
	if err != nil {
		return 0, err
	}
	series := fmt.Sprintf("gangsched_gangs_rejected_total{reason=%q} ", reason)
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series); ok {
			f, err := strconv.ParseFloat(v, 64)
			return int(f), err
		}
	}
	return 0, nil
}

// waitHolding waits until a scheduler process holds a round at Permit: it
// has rejected a round whose member found no node (the gang's first
// attempt), and its pods stand as want says (the later round waits).
func (e *env) waitHolding(s *schedulerProcess, want schedulerState) {
	e.t.Helper()
	var got schedulerState
	var rejected int
	var lastErr error
	err := wait.PollUntilContextTimeout(e.ctx, pollInterval, waitTimeout, true, func(ctx context.Context) (bool, error) {
		if rejected, lastErr = s.gangRejections(e, "member_unschedulable"); lastErr != nil || rejected == 0 {
			return false, nil
		}
		got, lastErr = s.state(ctx)
		return lastErr == nil && got == want, nil
	})
	require.NoError(e.t, err, "waiting for %s to hold a round at Permit, %+v after a rejected round; last seen %+v after %d rejected rounds (error %v)",
		s.name, want, got, rejected, lastErr)
}
