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
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/gangsched/gangsched/pkg/gang"
)

// The tests in this file cover what the store tells the plugin's metrics and
// Events: Stats, Round, and the quorum and timeout facts of Permit and
// Unreserve.

func TestStats(t *testing.T) {
	other := gang.WorkloadKey{Namespace: "ns", Name: "other"}
	otherMember := func(name string) *v1.Pod {
		p := member(name, "")
		p.Spec.WorkloadRef.Name = other.Name
		return p
	}
	tests := []struct {
		name string
		// run brings the store into the state to snapshot.
		run        func(s *Store)
		wantGroups int
		wantHeld   map[Verdict]int
	}{
		{
			name:     "empty",
			run:      func(*Store) {},
			wantHeld: map[Verdict]int{},
		},
		{
			name: "waiting for the Workload, and for a podGroup of another",
			run: func(s *Store) {
				s.Admit(member("a", ""), noWl)
				s.Admit(member("b", ""), noWl)
				s.Admit(otherMember("c"), noPG)
			},
			wantHeld: map[Verdict]int{WaitingForWorkload: 2, WaitingForPodGroup: 1},
		},
		{
			name: "the Workload appears without the podGroup",
			run: func(s *Store) {
				s.Admit(member("a", ""), noWl)
				s.Admit(member("b", ""), noWl)
				s.WorkloadChanged(trainKey, trainUID)
				s.Admit(member("a", ""), noPG)
			},
			wantHeld: map[Verdict]int{WaitingForPodGroup: 1},
		},
		{
			name: "the held pods are admitted or deleted",
			run: func(s *Store) {
				s.Admit(member("a", ""), noPG)
				s.Admit(member("b", ""), noPG)
				s.Admit(member("a", ""), basicPG)
				s.DeletePod(member("b", ""))
			},
			wantHeld: map[Verdict]int{},
		},
		{
			name: "gangs short of members and backing off",
			run: func(s *Store) {
				a, b := member("a", "0"), member("b", "0")
				s.AddPod(a)
				s.AddPod(b)
				s.Reserve(a)
				s.Permit(a, 2, trainUID, timeout)
				s.Unplaced(b, true)
				s.Admit(a, gangOf(2))
				s.Admit(b, gangOf(2))
				s.AddPod(member("c", "1"))
				s.Admit(member("c", "1"), gangOf(2))
			},
			wantGroups: 2,
			wantHeld:   map[Verdict]int{WaitingForBackoff: 2, WaitingForMembers: 1},
		},
		{
			name: "a gang that cannot fit, until the nodes change",
			run: func(s *Store) {
				a, b := member("a", "0"), member("b", "0")
				s.AddPod(a)
				s.AddPod(b)
				s.Admit(b, gangOf(2))
				s.CannotFit(b, "too big")
				s.Admit(a, gangOf(2))
				s.Admit(b, gangOf(2))
			},
			wantGroups: 1,
			wantHeld:   map[Verdict]int{WaitingForRoom: 2},
		},
		{
			name: "the nodes changed",
			run: func(s *Store) {
				a, b := member("a", "0"), member("b", "0")
				s.AddPod(a)
				s.AddPod(b)
				s.Admit(b, gangOf(2))
				s.CannotFit(b, "too big")
				s.Admit(a, gangOf(2))
				s.NodesChanged()
			},
			wantGroups: 1,
			wantHeld:   map[Verdict]int{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newStore(testBackoff)
			tc.run(s)
			st := s.Stats()
			assert.Equal(t, tc.wantGroups, st.Groups)
			assert.Equal(t, tc.wantHeld, nonZero(st.Held))
			groups, waiting := s.Len()
			assert.Equal(t, groups, st.Groups, "Stats and Len agree")
			assert.Equal(t, waiting, st.Held[WaitingForWorkload]+st.Held[WaitingForPodGroup], "Stats and Len agree")
			for wk := range s.workloadFound {
				assert.Contains(t, s.waitingForWorkload, wk, "workloadFound keeps only Workloads with held pods")
			}
		})
	}
}

func nonZero(m map[Verdict]int) map[Verdict]int {
	out := map[Verdict]int{}
	for v, n := range m {
		if n != 0 {
			out[v] = n
		}
	}
	return out
}

func TestPermitReportsTheQuorum(t *testing.T) {
	s, clk := newStore(testBackoff)
	a, b, c, d := member("a", ""), member("b", ""), member("c", ""), member("d", "")
	for _, p := range []*v1.Pod{a, b, c, d} {
		s.AddPod(p)
	}
	s.Reserve(a)
	first := s.Permit(a, 3, trainUID, timeout)
	assert.Equal(t, startTime, first.RoundStart, "the first member starts the round")
	assert.False(t, first.Admitted)
	round, ok := s.Round(workers)
	require.True(t, ok)
	assert.Equal(t, Round{Start: startTime, Progress: startTime, Waiting: 1, ReservedOrBound: 1, MinCount: 3}, round)

	s.Reserve(b)
	clk.SetTime(startTime.Add(time.Second))
	second := s.Permit(b, 3, trainUID, timeout)
	assert.True(t, second.RoundStart.IsZero(), "the second member joins the round")
	assert.False(t, second.Admitted)

	s.Reserve(c)
	clk.SetTime(startTime.Add(2500 * time.Millisecond))
	quorum := s.Permit(c, 3, trainUID, timeout)
	assert.True(t, quorum.Admitted)
	assert.Equal(t, 2500*time.Millisecond, quorum.QuorumWait, "from the first member's wait")
	_, ok = s.Round(workers)
	assert.False(t, ok, "no round waits once the quorum is met")

	s.Reserve(d)
	clk.SetTime(startTime.Add(3 * time.Second))
	extra := s.Permit(d, 3, trainUID, timeout)
	assert.Zero(t, extra.Wait)
	assert.False(t, extra.Admitted, "a member that joins a gang at quorum admits nothing")

	// The round comes through PreBind whole (d joined it), then loses two
	// members.
	for _, p := range []*v1.Pod{a, b, c, d} {
		_, ok := s.ArriveAtBind(p)
		require.True(t, ok, "%s is in the release", p.Name)
	}
	s.DeletePod(a)
	s.DeletePod(d)
	replacement := member("e", "")
	s.AddPod(replacement)
	s.Reserve(replacement)
	clk.SetTime(startTime.Add(4 * time.Second))
	again := s.Permit(replacement, 3, trainUID, timeout)
	assert.True(t, again.Admitted, "the gang is back at its quorum")
	assert.Zero(t, again.QuorumWait, "no member waited")
}

func TestUnreserveTellsATimeout(t *testing.T) {
	tests := []struct {
		name        string
		unreserveAt time.Duration
		wantCause   Cause
	}{
		{name: "before the deadline", unreserveAt: timeout - time.Millisecond, wantCause: CauseMemberUnreserved},
		{name: "at the deadline", unreserveAt: timeout, wantCause: CauseTimeout},
		{name: "after the deadline", unreserveAt: timeout + time.Second, wantCause: CauseTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, clk := newStore(testBackoff)
			a, b, c := member("a", ""), member("b", ""), member("c", "")
			for _, p := range []*v1.Pod{a, b, c} {
				s.AddPod(p)
			}
			s.Reserve(a)
			s.Permit(a, 3, trainUID, timeout)
			s.Reserve(b)
			clk.SetTime(startTime.Add(time.Second))
			s.Permit(b, 3, trainUID, timeout)
			clk.SetTime(startTime.Add(tc.unreserveAt))
			rej := s.Unreserve(a)
			assert.Equal(t, RoundRejected, rej.Kind)
			assert.Equal(t, []types.UID{b.UID}, rej.Reject)
			assert.Equal(t, tc.wantCause, rej.Cause)
			assert.Equal(t, RoundOutcome{}, s.Unreserve(b), "the round is already rejected")
		})
	}
}

func TestWaitingRoundsOnWorkload(t *testing.T) {
	s, _ := newStore(testBackoff)
	a0, b0, a1, c2 := member("a", "0"), member("b", "0"), member("a", "1"), member("c", "2")
	for _, p := range []*v1.Pod{a0, b0, a1, c2} {
		s.AddPod(p)
		s.Reserve(p)
	}
	s.Permit(a0, 3, trainUID, timeout)
	s.Permit(b0, 3, trainUID, timeout)
	s.Permit(a1, 2, trainUID, timeout)
	rounds := s.WaitingRoundsOnWorkload(trainKey)
	got := map[string][]types.UID{}
	for _, r := range rounds {
		assert.True(t, r.BackoffUntil.IsZero(), "a deleted Workload starts no backoff")
		got[r.Group.ReplicaKey] = r.Reject
	}
	assert.Len(t, got, 2, "one rejection per round; the group without one has none")
	assert.ElementsMatch(t, []types.UID{a0.UID, b0.UID}, got["0"])
	assert.Equal(t, []types.UID{a1.UID}, got["1"])
	assert.Empty(t, s.WaitingRoundsOnWorkload(trainKey), "the rounds are gone")
}
