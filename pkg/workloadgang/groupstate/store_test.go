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
	"math/rand"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	st "k8s.io/kubernetes/pkg/scheduler/testing"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/gangsched/gangsched/pkg/gang"
)

// member builds a pod of group ns/train/workers with the given replica key.
func member(name, replicaKey string) *v1.Pod {
	return memberWrapper(name, replicaKey).Obj()
}

// memberWrapper is member as a builder, for pods that need more.
func memberWrapper(name, replicaKey string) *st.PodWrapper {
	return st.MakePod().Namespace("ns").Name(name).UID("uid-" + name + "-" + replicaKey).
		WorkloadRef(&v1.WorkloadReference{Name: "train", PodGroup: "workers", PodGroupReplicaKey: replicaKey})
}

func onNode(p *v1.Pod) *v1.Pod {
	p = p.DeepCopy()
	p.Spec.NodeName = "node"
	return p
}

// newStore returns a Store on a fake clock set to startTime.
func newStore(b Backoff, opts ...Option) (*Store, *testingclock.FakeClock) {
	clk := testingclock.NewFakeClock(startTime)
	return New(b, append(opts, WithClock(clk))...), clk
}

var (
	workers  = gang.GroupKey{Namespace: "ns", Workload: "train", PodGroup: "workers"}
	trainKey = gang.WorkloadKey{Namespace: "ns", Name: "train"}
	gangOf   = func(n int) func() Policy {
		return func() Policy { return Policy{WorkloadFound: true, PodGroupFound: true, MinCount: n} }
	}
	noWl        = func() Policy { return Policy{} }
	noPG        = func() Policy { return Policy{WorkloadFound: true} }
	basicPG     = func() Policy { return Policy{WorkloadFound: true, PodGroupFound: true} }
	timeout     = 10 * time.Second
	testBackoff = Backoff{Initial: time.Second, Max: 4 * time.Second}
	startTime   = time.Unix(1000, 0)
)

func names(pods []*v1.Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Name)
	}
	return out
}

func TestAdmit(t *testing.T) {
	tests := []struct {
		name        string
		existing    []*v1.Pod
		pod         *v1.Pod
		lookup      func() Policy
		wantVerdict Verdict
		wantMembers int
	}{
		{name: "pod without workloadRef", pod: &v1.Pod{}, lookup: noWl, wantVerdict: Admitted},
		{name: "missing Workload", pod: member("a", ""), lookup: noWl, wantVerdict: WaitingForWorkload},
		{name: "missing podGroup", pod: member("a", ""), lookup: noPG, wantVerdict: WaitingForPodGroup},
		{name: "basic policy", pod: member("a", ""), lookup: basicPG, wantVerdict: Admitted},
		{
			name: "gang short of minCount", existing: []*v1.Pod{member("a", ""), member("b", "")},
			pod: member("a", ""), lookup: gangOf(3), wantVerdict: WaitingForMembers, wantMembers: 2,
		},
		{
			name: "gang with minCount members", existing: []*v1.Pod{member("a", ""), member("b", ""), member("c", "")},
			pod: member("a", ""), lookup: gangOf(3), wantVerdict: Admitted, wantMembers: 3,
		},
		{
			name: "another replica key does not count", existing: []*v1.Pod{member("a", "0"), member("b", "1"), member("c", "1")},
			pod: member("a", "0"), lookup: gangOf(2), wantVerdict: WaitingForMembers, wantMembers: 1,
		},
		{
			name: "bound members count", existing: []*v1.Pod{onNode(member("a", "")), member("b", "")},
			pod: member("b", ""), lookup: gangOf(2), wantVerdict: Admitted, wantMembers: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newStore(testBackoff)
			for _, p := range tc.existing {
				s.AddPod(p)
			}
			v, members := s.Admit(tc.pod, tc.lookup)
			assert.Equal(t, tc.wantVerdict, v)
			assert.Equal(t, tc.wantMembers, members)
		})
	}
}

func TestLastMemberActivatesGatedMembers(t *testing.T) {
	s, _ := newStore(testBackoff)
	a, b, c := member("a", ""), member("b", ""), member("c", "")
	s.AddPod(a)
	s.AddPod(b)
	// The queue judged b and c before our informer handler saw c.
	v, _ := s.Admit(b, gangOf(3))
	require.Equal(t, WaitingForMembers, v)
	v, _ = s.Admit(c, gangOf(3))
	require.Equal(t, WaitingForMembers, v)
	got := s.AddPod(c)
	assert.ElementsMatch(t, []string{"b", "c"}, names(got), "the last member's arrival must hand back every gated member")
	assert.Empty(t, s.AddPod(a), "the gated set is handed back once")
	v, _ = s.Admit(a, gangOf(3))
	assert.Equal(t, Admitted, v)
}

func TestWorkloadChangedHandsBackWaiters(t *testing.T) {
	s, _ := newStore(testBackoff)
	a, b := member("a", ""), member("b", "")
	s.AddPod(a)
	s.AddPod(b)
	v, _ := s.Admit(a, noWl)
	require.Equal(t, WaitingForWorkload, v)
	v, _ = s.Admit(b, gangOf(3))
	require.Equal(t, WaitingForMembers, v)
	got := s.WorkloadChanged(trainKey)
	assert.ElementsMatch(t, []string{"a", "b"}, names(got))
	assert.Empty(t, s.WorkloadChanged(trainKey))
	assert.Empty(t, s.WorkloadChanged(gang.WorkloadKey{Namespace: "other", Name: "train"}))
	_, waiting := s.Len()
	assert.Zero(t, waiting)
}

func TestPermitReleasesTheGangTogether(t *testing.T) {
	s, clk := newStore(testBackoff)
	pods := []*v1.Pod{member("a", ""), member("b", ""), member("c", "")}
	for _, p := range pods {
		s.AddPod(p)
	}
	for i, p := range pods[:2] {
		s.Reserve(p)
		clk.SetTime(startTime.Add(time.Duration(i) * time.Second))
		res := s.Permit(p, 3, startTime, timeout)
		require.Empty(t, res.Allow)
		// The round's deadline is set by its first member.
		assert.Equal(t, timeout-time.Duration(i)*time.Second, res.Wait)
		assert.Equal(t, i+1, res.ReservedOrBound)
	}
	s.Reserve(pods[2])
	clk.SetTime(startTime)
	res := s.Permit(pods[2], 3, startTime, timeout)
	assert.Zero(t, res.Wait)
	assert.ElementsMatch(t, []types.UID{pods[0].UID, pods[1].UID}, res.Allow)
	st, _ := s.Group(workers)
	assert.Equal(t, GroupStatus{Members: 3, ReservedOrBound: 3, MinCount: 3}, st)

	// Binding keeps the quorum; a late extra member passes at once.
	for _, p := range pods {
		s.UpdatePod(onNode(p))
	}
	extra := member("d", "")
	s.AddPod(extra)
	s.Reserve(extra)
	assert.Zero(t, s.Permit(extra, 3, startTime, timeout).Wait)
}

func TestUnreserveRejectsTheWholeRound(t *testing.T) {
	s, clk := newStore(testBackoff)
	pods := []*v1.Pod{member("a", ""), member("b", ""), member("c", "")}
	for _, p := range pods {
		s.AddPod(p)
	}
	for _, p := range pods[:2] {
		s.Reserve(p)
		s.Permit(p, 3, startTime, timeout)
	}
	// a times out: b must not keep its capacity until its own timeout.
	rej := s.Unreserve(pods[0])
	assert.Equal(t, []types.UID{pods[1].UID}, rej.Reject)
	assert.Equal(t, startTime.Add(time.Second), rej.BackoffUntil)
	st, _ := s.Group(workers)
	assert.Equal(t, GroupStatus{Members: 3, ReservedOrBound: 0, MinCount: 3, Rejected: 2, Rejections: 1, BackoffUntil: startTime.Add(time.Second)}, st,
		"b's reservation stops counting when its round is rejected, before its own Unreserve")
	assert.Empty(t, s.Unreserve(pods[1]).Reject, "the round is already rejected")
	st, _ = s.Group(workers)
	assert.Equal(t, 0, st.ReservedOrBound)

	// The gang backs off: members are held until the backoff ends, then
	// handed back together with the rejected ones.
	v, _ := s.Admit(pods[2], gangOf(3))
	assert.Equal(t, WaitingForBackoff, v)
	assert.Empty(t, s.BackoffExpired(workers), "backoff still running")
	clk.SetTime(startTime.Add(time.Second))
	assert.ElementsMatch(t, []string{"a", "b", "c"}, names(s.BackoffExpired(workers)))
	v, _ = s.Admit(pods[2], gangOf(3))
	assert.Equal(t, Admitted, v)

	// The next member to make progress activates members rejected meanwhile.
	later := startTime.Add(time.Second)
	clk.SetTime(later)
	s.Unreserve(pods[0])
	s.Reserve(pods[2])
	res := s.Permit(pods[2], 3, startTime, timeout)
	assert.ElementsMatch(t, []string{"a"}, names(res.Activate))
}

func TestBackoffGrowsAndResets(t *testing.T) {
	s, clk := newStore(testBackoff)
	a, b := member("a", ""), member("b", "")
	s.AddPod(a)
	s.AddPod(b)
	now := startTime
	var got []time.Duration
	for i := 0; i < 4; i++ {
		s.Reserve(a)
		clk.SetTime(now)
		require.NotZero(t, s.Permit(a, 2, startTime, timeout).Wait)
		rej := s.Unreserve(a) // a's own timeout ends its lone round
		got = append(got, rej.BackoffUntil.Sub(now))
		now = rej.BackoffUntil
	}
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second}, got, "exponential, capped at Max")
	s.Reserve(a)
	clk.SetTime(now)
	s.Permit(a, 2, startTime, timeout)
	s.Reserve(b)
	require.Zero(t, s.Permit(b, 2, startTime, timeout).Wait)
	st, _ := s.Group(workers)
	assert.Zero(t, st.Rejections, "quorum resets the backoff")
}

func TestUnplacedMember(t *testing.T) {
	s, clk := newStore(testBackoff)
	a, b, c := member("a", ""), member("b", ""), member("c", "")
	for _, p := range []*v1.Pod{a, b, c} {
		s.AddPod(p)
	}
	// c finds no node before anyone waits: it is remembered...
	assert.Empty(t, s.Unplaced(c, startTime).Reject, "no round to reject")
	s.Reserve(a)
	res := s.Permit(a, 3, startTime, timeout)
	// ...and handed back by the first member to wait, to be tried again.
	assert.Equal(t, []string{"c"}, names(res.Activate))
	// Still no node: the round ends now, not at its timeout.
	rej := s.Unplaced(c, startTime)
	assert.Equal(t, []types.UID{a.UID}, rej.Reject)
	assert.Equal(t, startTime.Add(time.Second), rej.BackoffUntil)

	// b was admitted before the backoff began: it may not start a new round.
	s.Reserve(b)
	assert.Equal(t, PermitBackingOff, s.Permit(b, 3, startTime, timeout).Kind)
	s.Unreserve(b)
	clk.SetTime(startTime.Add(time.Second))
	assert.ElementsMatch(t, []string{"a", "b", "c"}, names(s.BackoffExpired(workers)))
}

func TestDeletedWaitingMemberKeepsTheRound(t *testing.T) {
	s, _ := newStore(testBackoff)
	pods := []*v1.Pod{member("a", ""), member("b", ""), member("c", "")}
	for _, p := range pods {
		s.AddPod(p)
	}
	for _, p := range pods[:2] {
		s.Reserve(p)
		s.Permit(p, 3, startTime, timeout)
	}
	s.DeletePod(pods[0])
	assert.Empty(t, s.Unreserve(pods[0]).Reject, "a deleted member must not reject the others")
	replacement := member("a2", "")
	s.AddPod(replacement)
	s.Reserve(replacement)
	assert.NotZero(t, s.Permit(replacement, 3, startTime, timeout).Wait, "b and the replacement make 2 of 3")
	s.Reserve(pods[2])
	res := s.Permit(pods[2], 3, startTime, timeout)
	assert.Zero(t, res.Wait)
	assert.ElementsMatch(t, []types.UID{pods[1].UID, replacement.UID}, res.Allow)
}

func TestWaitingOnWorkload(t *testing.T) {
	s, _ := newStore(testBackoff)
	a, b := member("a", ""), member("b", "")
	s.AddPod(a)
	s.AddPod(b)
	s.Reserve(a)
	s.Permit(a, 2, startTime, timeout)
	assert.Equal(t, []types.UID{a.UID}, s.WaitingOnWorkload(trainKey))
	assert.ElementsMatch(t, []string{"a"}, names(s.WorkloadChanged(trainKey)), "recreating the Workload activates the rejected member")
}

func TestTerminatedAndDeletingPodsDoNotCount(t *testing.T) {
	s, _ := newStore(testBackoff)
	done := memberWrapper("a", "").Phase(v1.PodSucceeded).Obj()
	deleting := memberWrapper("b", "").Terminating().Obj()
	live := member("c", "")
	s.AddPod(live)
	s.AddPod(done)
	s.AddPod(deleting)
	st, _ := s.Group(workers)
	assert.Equal(t, 1, st.Members)
	s.UpdatePod(func() *v1.Pod { p := live.DeepCopy(); p.Status.Phase = v1.PodFailed; return p }())
	groups, _ := s.Len()
	assert.Zero(t, groups, "a group with no live pods is forgotten")
}

func TestNothingLeaksOnceAllPodsAreGone(t *testing.T) {
	s, _ := newStore(testBackoff)
	var pods []*v1.Pod
	for i := 0; i < 20; i++ {
		p := member(fmt.Sprint(i), fmt.Sprint(i%4))
		pods = append(pods, p)
		s.AddPod(p)
		s.Admit(p, gangOf(10))
		if i%2 == 0 {
			s.Reserve(p)
			s.Permit(p, 10, startTime, timeout)
		}
	}
	for i, p := range pods {
		if i%3 == 0 {
			s.Unreserve(p)
		}
		s.DeletePod(p)
	}
	groups, waiting := s.Len()
	assert.Zero(t, groups)
	assert.Zero(t, waiting)
}

// TestSiblingsAlwaysMeet races the informer side (AddPod) against the queue
// side (Admit) for many gangs and checks that every member turned away is
// handed back once its gang is complete: no gang waits forever.
func TestSiblingsAlwaysMeet(t *testing.T) {
	const gangs, size = 50, 8
	s, _ := newStore(testBackoff)
	var mu sync.Mutex
	admitted := map[types.UID]bool{}
	var handedBack []*v1.Pod
	var wg sync.WaitGroup
	for g := 0; g < gangs; g++ {
		for i := 0; i < size; i++ {
			p := member(fmt.Sprint(i), fmt.Sprint(g))
			wg.Add(2)
			go func() {
				defer wg.Done()
				back := s.AddPod(p)
				mu.Lock()
				handedBack = append(handedBack, back...)
				mu.Unlock()
			}()
			go func() {
				defer wg.Done()
				if rand.Intn(2) == 0 {
					runtime.Gosched() // vary the interleaving
				}
				if v, _ := s.Admit(p, gangOf(size)); v == Admitted {
					mu.Lock()
					admitted[p.UID] = true
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	for _, p := range handedBack {
		v, _ := s.Admit(p, gangOf(size))
		require.Equal(t, Admitted, v)
		admitted[p.UID] = true
	}
	assert.Len(t, admitted, gangs*size, "every member must be admitted directly or handed back")
}

// BenchmarkGangLifecycle measures the per-pod cost of a whole gang's life:
// add, admit, reserve, permit, bind, delete. It must stay flat in gang size.
func BenchmarkGangLifecycle(b *testing.B) {
	for _, size := range []int{10, 1000, 5000} {
		b.Run(fmt.Sprintf("gang=%d", size), func(b *testing.B) {
			pods := make([]*v1.Pod, size)
			for i := range pods {
				pods[i] = member(fmt.Sprint(i), "")
			}
			b.ResetTimer()
			for n := 0; n < b.N; n++ {
				s, _ := newStore(testBackoff)
				for _, p := range pods {
					s.AddPod(p)
					s.Admit(p, gangOf(size))
				}
				for _, p := range pods {
					s.Reserve(p)
					s.Permit(p, size, startTime, timeout)
				}
				for _, p := range pods {
					s.UpdatePod(onNode(p))
				}
				for _, p := range pods {
					s.DeletePod(p)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*size), "ns/pod")
		})
	}
}

func TestYoungerGangYieldsToOlder(t *testing.T) {
	s, _ := newStore(testBackoff)
	old0, old1 := member("o0", "old"), member("o1", "old")
	young0 := member("y0", "young")
	for _, p := range []*v1.Pod{old0, old1, young0, member("y1", "young")} {
		s.AddPod(p)
	}
	s.Reserve(old0)
	s.Permit(old0, 2, startTime, timeout)
	s.Reserve(young0)
	s.Permit(young0, 2, startTime.Add(time.Second), timeout)
	// The older gang's member finds no node: the younger round gives its room.
	rej := s.Unplaced(old1, startTime)
	assert.Equal(t, replica("young"), rej.Group)
	assert.Equal(t, []types.UID{young0.UID}, rej.Reject)
	st, _ := s.Group(replica("old"))
	assert.Equal(t, 1, st.Waiting, "the older round keeps waiting")
	// The younger gang's member finds no node: no younger round; its own
	// round is empty, so nothing is rejected.
	assert.Empty(t, s.Unplaced(member("y1", "young"), startTime.Add(time.Second)).Reject)
}

// replica returns the workers group with the given replica key.
func replica(r string) gang.GroupKey {
	k := workers
	k.ReplicaKey = r
	return k
}

func TestTakeOldestUnplaced(t *testing.T) {
	s, _ := newStore(testBackoff)
	young, old := member("y", "young"), member("o", "old")
	s.AddPod(young)
	s.AddPod(old)
	assert.Empty(t, s.TakeOldestUnplaced())
	s.Unplaced(young, startTime.Add(time.Second))
	s.Unplaced(old, startTime)
	assert.Equal(t, []string{"o"}, names(s.TakeOldestUnplaced()), "the oldest gang first")
	assert.Equal(t, []string{"y"}, names(s.TakeOldestUnplaced()))
	assert.Empty(t, s.TakeOldestUnplaced())
}

// TestStarvingGangHolds checks that the oldest gang that has already given
// its room back once keeps its round while members keep joining it, and
// gives it back once none joins for the hold duration.
func TestStarvingGangHolds(t *testing.T) {
	const hold = 5 * time.Second
	tests := []struct {
		name string
		hold time.Duration
		// rejectedBefore: the gang already had a round rejected.
		rejectedBefore bool
		// olderRound: an older gang has a round waiting.
		olderRound bool
		wantHeld   bool
	}{
		{name: "starving oldest gang holds", hold: hold, rejectedBefore: true, wantHeld: true},
		{name: "first round is rejected at once", hold: hold},
		{name: "an older round waits: the younger gang gives its room back", hold: hold, rejectedBefore: true, olderRound: true},
		{name: "holding disabled", rejectedBefore: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, clk := newStore(testBackoff, WithHold(tc.hold))
			a, b, c := member("a", "big"), member("b", "big"), member("c", "big")
			for _, p := range []*v1.Pod{a, b, c} {
				s.AddPod(p)
			}
			now := startTime
			arrival := startTime.Add(time.Second)
			if tc.olderRound {
				o := member("o", "old")
				s.AddPod(o)
				s.AddPod(member("o2", "old"))
				s.Reserve(o)
				clk.SetTime(now)
				s.Permit(o, 2, startTime, timeout)
			}
			if tc.rejectedBefore {
				s.Reserve(a)
				s.Permit(a, 3, arrival, timeout)
				rej := s.Unplaced(c, arrival)
				require.Equal(t, []types.UID{a.UID}, rej.Reject)
				now = rej.BackoffUntil
				clk.SetTime(now)
				s.BackoffExpired(replica("big"))
			}
			s.Reserve(a)
			s.Permit(a, 3, arrival, timeout)
			rej := s.Unplaced(c, arrival)
			st, _ := s.Group(replica("big"))
			if !tc.wantHeld {
				assert.Equal(t, []types.UID{a.UID}, rej.Reject, "the round gives its room back")
				assert.Zero(t, st.Waiting)
				return
			}
			assert.Equal(t, RoundHeld, rej.Kind)
			assert.Empty(t, rej.Reject)
			assert.Equal(t, now.Add(hold), rej.HoldUntil, "one check, a hold after the last member joined")
			assert.Equal(t, 1, st.Waiting, "the round holds its room")
			assert.True(t, s.Unplaced(b, arrival).HoldUntil.IsZero(), "a check is already scheduled")

			// b joins later: the hold runs from then.
			s.Reserve(b)
			clk.SetTime(now.Add(2 * time.Second))
			res := s.Permit(b, 3, arrival, timeout)
			assert.ElementsMatch(t, []string{"c"}, names(res.Activate), "the unplaced member is tried again")
			clk.SetTime(now.Add(hold))
			again := s.HoldExpired(replica("big"))
			assert.Equal(t, now.Add(2*time.Second+hold), again.HoldUntil, "progress extends the hold")
			assert.Empty(t, again.Reject)

			// No member joins for the hold: the round gives its room back.
			clk.SetTime(again.HoldUntil)
			last := s.HoldExpired(replica("big"))
			assert.Equal(t, CauseHoldExpired, last.Cause)
			assert.ElementsMatch(t, []types.UID{a.UID, b.UID}, last.Reject)
			assert.False(t, last.BackoffUntil.IsZero())
			clk.SetTime(last.BackoffUntil)
			assert.True(t, s.HoldExpired(replica("big")).HoldUntil.IsZero(), "nothing left to check")
		})
	}
}

// TestHoldEndsWithTheRound checks that a hold check finds nothing to do once
// the held round has formed.
func TestHoldEndsWithTheRound(t *testing.T) {
	s, clk := newStore(testBackoff, WithHold(5*time.Second))
	a, b := member("a", ""), member("b", "")
	s.AddPod(a)
	s.AddPod(b)
	s.Reserve(a)
	s.Permit(a, 2, startTime, timeout)
	rej := s.Unplaced(b, startTime)
	clk.SetTime(rej.BackoffUntil)
	s.BackoffExpired(workers)
	now := rej.BackoffUntil
	s.Reserve(a)
	clk.SetTime(now)
	s.Permit(a, 2, startTime, timeout)
	held := s.Unplaced(b, startTime)
	require.False(t, held.HoldUntil.IsZero())
	s.Reserve(b)
	assert.Equal(t, []types.UID{a.UID}, s.Permit(b, 2, startTime, timeout).Allow)
	clk.SetTime(held.HoldUntil)
	assert.Equal(t, RoundOutcome{}, s.HoldExpired(workers))
}

// TestLateCallsForADeletedPod checks that scheduler callbacks that arrive
// after the pod's delete event (its cycle was under way) leave no state.
func TestLateCallsForADeletedPod(t *testing.T) {
	tests := []struct {
		name string
		call func(s *Store, p *v1.Pod)
	}{
		{name: "Admit", call: func(s *Store, p *v1.Pod) { s.Admit(p, gangOf(2)) }},
		{name: "Reserve", call: func(s *Store, p *v1.Pod) { s.Reserve(p) }},
		{name: "Permit", call: func(s *Store, p *v1.Pod) {
			assert.Equal(t, PermitDeleted, s.Permit(p, 2, startTime, timeout).Kind)
		}},
		{name: "Unplaced", call: func(s *Store, p *v1.Pod) { s.Unplaced(p, startTime) }},
		{name: "Unreserve", call: func(s *Store, p *v1.Pod) { s.Unreserve(p) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newStore(testBackoff)
			a := member("a", "")
			s.AddPod(a)
			s.DeletePod(a)
			tc.call(s, a)
			groups, waiting := s.Len()
			assert.Zero(t, groups, "no group left")
			assert.Zero(t, waiting)
			assert.False(t, s.Reserved(a))
		})
	}
}

func TestTombstonesForgetTheOldest(t *testing.T) {
	var ts tombstones
	for i := 0; i < goneCapacity+10; i++ {
		ts.add(types.UID(fmt.Sprint(i)))
	}
	assert.Len(t, ts.set, goneCapacity)
	assert.False(t, ts.has("0"))
	assert.False(t, ts.has("9"))
	assert.True(t, ts.has("10"))
	assert.True(t, ts.has(types.UID(fmt.Sprint(goneCapacity+9))))
}

// TestRejectedMembersDoNotCountBeforeTheirUnreserve: the framework rejects a
// waiting member (timeout, or its round rejected) at once, but its Unreserve
// reaches the Store later, from its binding goroutine. A member reaching
// Permit in between must not be released on the rejected members' count:
// that would bind a gang short of minCount (found by FuzzStore).
func TestRejectedMembersDoNotCountBeforeTheirUnreserve(t *testing.T) {
	t.Run("round timed out", func(t *testing.T) {
		s, clk := newStore(testBackoff)
		a, b := member("a", ""), member("b", "")
		s.AddPod(a)
		s.AddPod(b)
		s.Reserve(a)
		s.Permit(a, 2, startTime, timeout)
		// a's wait ends at the deadline; b reaches Permit before a's Unreserve.
		late := startTime.Add(timeout)
		s.Reserve(b)
		clk.SetTime(late)
		res := s.Permit(b, 2, startTime, timeout)
		assert.Empty(t, res.Allow)
		assert.Equal(t, PermitBackingOff, res.Kind, "the timed-out round starts the gang's backoff")
		assert.Equal(t, []types.UID{a.UID}, res.Expired.Reject)
		assert.Equal(t, RoundRejected, res.Expired.Kind)
		assert.Equal(t, CauseTimeout, res.Expired.Cause)
		assert.Equal(t, RoundOutcome{}, s.Unreserve(a), "a's late Unreserve changes nothing")
		st, _ := s.Group(workers)
		assert.Equal(t, 1, st.ReservedOrBound, "only b")
	})
	t.Run("round rejected", func(t *testing.T) {
		s, _ := newStore(testBackoff)
		a, b, c := member("a", ""), member("b", ""), member("c", "")
		for _, p := range []*v1.Pod{a, b, c} {
			s.AddPod(p)
		}
		s.Reserve(a)
		s.Permit(a, 2, startTime, timeout)
		rej := s.Unplaced(c, startTime)
		require.Equal(t, []types.UID{a.UID}, rej.Reject)
		// b was admitted before the rejection; it reaches Permit before a's
		// Unreserve: the gang backs off, b is not released alone.
		s.Reserve(b)
		res := s.Permit(b, 2, startTime, timeout)
		assert.Empty(t, res.Allow)
		assert.Equal(t, PermitBackingOff, res.Kind)
	})
}

// TestPermitDropsMembersNoLongerWaiting: a member the framework no longer
// holds at Permit (deleted or preempted, its Unreserve and delete event not
// yet seen) must not complete the quorum for the others.
func TestPermitDropsMembersNoLongerWaiting(t *testing.T) {
	gone := map[types.UID]bool{}
	s, _ := newStore(testBackoff, WithStillWaiting(func(uid types.UID) bool { return !gone[uid] }))
	a, b, c := member("a", ""), member("b", ""), member("c", "")
	for _, p := range []*v1.Pod{a, b, c} {
		s.AddPod(p)
	}
	s.Reserve(a)
	s.Permit(a, 2, startTime, timeout)
	gone[a.UID] = true // the framework rejected a: it was deleted
	s.Reserve(b)
	res := s.Permit(b, 2, startTime, timeout)
	assert.Empty(t, res.Allow, "b must not be released on a's count")
	assert.Positive(t, res.Wait, "b waits for another member")
	assert.Equal(t, RoundOutcome{}, s.Unreserve(a), "a's late Unreserve changes nothing")
	s.Reserve(c)
	assert.Equal(t, []types.UID{b.UID}, s.Permit(c, 2, startTime, timeout).Allow, "b and c complete the gang")
}
