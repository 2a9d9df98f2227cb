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
	"k8s.io/apimachinery/pkg/util/sets"
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
	// trainUID is the UID of Workload ns/train.
	trainUID = types.UID("uid-train")
	gangOf   = func(n int) func() Policy {
		return func() Policy {
			return Policy{WorkloadFound: true, PodGroupFound: true, MinCount: n, WorkloadUID: trainUID}
		}
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

// uniquePods drops repeated pods (by UID), keeping the first: the plugin's
// activation keys pods by UID, so a pod handed back twice counts once.
func uniquePods(pods []*v1.Pod) []*v1.Pod {
	seen := make(map[types.UID]bool, len(pods))
	out := pods[:0:0]
	for _, p := range pods {
		if !seen[p.UID] {
			seen[p.UID] = true
			out = append(out, p)
		}
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
	got := s.WorkloadChanged(trainKey, trainUID)
	assert.ElementsMatch(t, []string{"a", "b"}, names(got))
	assert.Empty(t, s.WorkloadChanged(trainKey, trainUID))
	assert.Empty(t, s.WorkloadChanged(gang.WorkloadKey{Namespace: "other", Name: "train"}, trainUID))
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
		res := s.Permit(p, 3, trainUID, timeout)
		require.Empty(t, res.Allow)
		// The round's deadline is set by its first member.
		assert.Equal(t, timeout-time.Duration(i)*time.Second, res.Wait)
		assert.Equal(t, i+1, res.ReservedOrBound)
	}
	s.Reserve(pods[2])
	clk.SetTime(startTime)
	res := s.Permit(pods[2], 3, trainUID, timeout)
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
	assert.Zero(t, s.Permit(extra, 3, trainUID, timeout).Wait)
}

func TestUnreserveRejectsTheWholeRound(t *testing.T) {
	s, clk := newStore(testBackoff)
	pods := []*v1.Pod{member("a", ""), member("b", ""), member("c", "")}
	for _, p := range pods {
		s.AddPod(p)
	}
	for _, p := range pods[:2] {
		s.Reserve(p)
		s.Permit(p, 3, trainUID, timeout)
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
	res := s.Permit(pods[2], 3, trainUID, timeout)
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
		require.NotZero(t, s.Permit(a, 2, trainUID, timeout).Wait)
		rej := s.Unreserve(a) // a's own timeout ends its lone round
		got = append(got, rej.BackoffUntil.Sub(now))
		now = rej.BackoffUntil
	}
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second}, got, "exponential, capped at Max")
	s.Reserve(a)
	clk.SetTime(now)
	s.Permit(a, 2, trainUID, timeout)
	s.Reserve(b)
	require.Zero(t, s.Permit(b, 2, trainUID, timeout).Wait)
	st, _ := s.Group(workers)
	assert.Zero(t, st.Rejections, "quorum resets the backoff")
}

func TestUnplacedMember(t *testing.T) {
	s, clk := newStore(testBackoff)
	a, b, c := member("a", ""), member("b", ""), member("c", "")
	for _, p := range []*v1.Pod{a, b, c} {
		s.AddPod(p)
		s.Admit(p, gangOf(3))
	}
	// c finds no node before anyone waits: it is remembered...
	assert.Empty(t, s.Unplaced(c, true).Reject, "no round to reject")
	s.Reserve(a)
	res := s.Permit(a, 3, trainUID, timeout)
	// ...and handed back by the first member to wait, to be tried again.
	assert.Equal(t, []string{"c"}, names(res.Activate))
	// Still no node: the round ends now, not at its timeout.
	rej := s.Unplaced(c, true)
	assert.Equal(t, []types.UID{a.UID}, rej.Reject)
	assert.Equal(t, startTime.Add(time.Second), rej.BackoffUntil)

	// b was admitted before the backoff began: it may not start a new round.
	s.Reserve(b)
	assert.Equal(t, PermitBackingOff, s.Permit(b, 3, trainUID, timeout).Kind)
	s.Unreserve(b)
	clk.SetTime(startTime.Add(time.Second))
	assert.ElementsMatch(t, []string{"a", "b", "c"}, names(s.BackoffExpired(workers)))
}

// TestUnplacedWhoIsRemembered: only a member of a gang short of its quorum
// that freed room could help is remembered (and tried again by the next
// member to wait or when room frees up); only such a member holds a round.
func TestUnplacedWhoIsRemembered(t *testing.T) {
	tests := []struct {
		name string
		// complete: the gang has its quorum (c is an extra member).
		complete bool
		helpable bool
		// waiting: a member of the gang waits at Permit (a second
		// rejected round, so that the gang is starving and may hold).
		waiting          bool
		wantRemembered   bool
		wantKind         OutcomeKind
		wantRejectedSelf bool
	}{
		{name: "short, no round, helpable: remembered", helpable: true, wantRemembered: true},
		{name: "short, no round, unhelpable: forgotten", helpable: false},
		{name: "extra member of a complete gang: forgotten", complete: true, helpable: true},
		{name: "extra member of a complete gang with a round elsewhere: no yield", complete: true, helpable: true, waiting: true},
		{name: "starving round, helpable: held", helpable: true, waiting: true, wantRemembered: true, wantKind: RoundHeld},
		{name: "starving round, unhelpable: rejected, never held", helpable: false, waiting: true, wantKind: RoundRejected, wantRejectedSelf: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, clk := newStore(testBackoff, WithHold(5*time.Second))
			a, b, c := member("a", ""), member("b", ""), member("c", "")
			for _, p := range []*v1.Pod{a, b, c} {
				s.AddPod(p)
			}
			if tc.complete {
				s.Reserve(a)
				require.Equal(t, PermitWait, s.Permit(a, 2, trainUID, timeout).Kind)
				s.Reserve(b)
				require.Equal(t, PermitRelease, s.Permit(b, 2, trainUID, timeout).Kind)
				if tc.waiting {
					// Another, younger gang has a round: an extra member
					// must not make it yield.
					y := member("y", "young")
					s.AddPod(y)
					s.AddPod(member("y2", "young"))
					clk.SetTime(startTime.Add(time.Second))
					s.Reserve(y)
					s.Permit(y, 2, trainUID, timeout)
					_, ok := s.YieldCandidate(workers)
					assert.False(t, ok, "a gang with its quorum yields nobody")
				}
				out := s.Unplaced(c, tc.helpable)
				assert.Equal(t, RoundOutcome{}, out)
				assert.Empty(t, s.TakeOldestUnplaced(), "an extra member is not remembered")
				st, _ := s.Group(workers)
				assert.Zero(t, st.Rejected)
				return
			}
			if tc.waiting {
				// One rejected round makes the gang starving.
				s.Reserve(a)
				s.Permit(a, 3, trainUID, timeout)
				rej := s.Unplaced(c, true)
				require.Equal(t, RoundRejected, rej.Kind)
				clk.SetTime(rej.BackoffUntil)
				s.BackoffExpired(workers)
				s.Reserve(a)
				s.Permit(a, 3, trainUID, timeout)
			} else {
				s.Admit(c, gangOf(3))
			}
			out := s.Unplaced(c, tc.helpable)
			assert.Equal(t, tc.wantKind, out.Kind)
			if tc.wantRejectedSelf {
				assert.Equal(t, []types.UID{a.UID}, out.Reject)
			}
			st, _ := s.Group(workers)
			if tc.wantKind == RoundHeld {
				assert.Equal(t, 1, st.Waiting, "the round holds its room")
			}
			if tc.wantRemembered {
				assert.Equal(t, []string{"c"}, names(s.TakeOldestUnplaced()))
			} else {
				assert.Empty(t, s.TakeOldestUnplaced())
			}
		})
	}
}

// TestUnfitExtraMemberKeepsTheRound: a gang with more members than minCount
// keeps its round when a member finds no node that room could help, while
// the others can still make the quorum; once they cannot, the round ends.
// The nodes changing, or the member reserving a node, forgets the verdict.
func TestUnfitExtraMemberKeepsTheRound(t *testing.T) {
	s, _ := newStore(testBackoff)
	a, b, c, d := member("a", ""), member("b", ""), member("c", ""), member("d", "")
	for _, p := range []*v1.Pod{a, b, c, d} {
		s.AddPod(p)
	}
	s.Reserve(a)
	require.Equal(t, PermitWait, s.Permit(a, 3, trainUID, timeout).Kind)

	assert.Equal(t, RoundOutcome{}, s.Unplaced(d, false), "a, b and c can still make minCount 3")
	s.NodesChanged()
	assert.Equal(t, RoundOutcome{}, s.Unplaced(c, false), "the nodes changed: d may fit now, so a, b and d can")
	out := s.Unplaced(d, false)
	assert.Equal(t, RoundRejected, out.Kind, "c and d cannot fit: a and b alone are short")
	assert.Equal(t, []types.UID{a.UID}, out.Reject)

	// A member that reserves a node is no longer unfit.
	s2, _ := newStore(testBackoff)
	for _, p := range []*v1.Pod{a, b, c, d} {
		s2.AddPod(p)
	}
	s2.Reserve(a)
	s2.Permit(a, 3, trainUID, timeout)
	assert.Equal(t, RoundOutcome{}, s2.Unplaced(c, false))
	s2.Reserve(c)
	require.Equal(t, PermitWait, s2.Permit(c, 3, trainUID, timeout).Kind)
	assert.Equal(t, RoundOutcome{}, s2.Unplaced(d, false), "a, b and c can still make minCount 3")
	assert.Equal(t, RoundRejected, s2.Unplaced(b, true).Kind, "a member room could help still ends the round")
}

func TestDeletedWaitingMemberKeepsTheRound(t *testing.T) {
	s, _ := newStore(testBackoff)
	pods := []*v1.Pod{member("a", ""), member("b", ""), member("c", "")}
	for _, p := range pods {
		s.AddPod(p)
	}
	for _, p := range pods[:2] {
		s.Reserve(p)
		s.Permit(p, 3, trainUID, timeout)
	}
	s.DeletePod(pods[0])
	assert.Empty(t, s.Unreserve(pods[0]).Reject, "a deleted member must not reject the others")
	replacement := member("a2", "")
	s.AddPod(replacement)
	s.Reserve(replacement)
	assert.NotZero(t, s.Permit(replacement, 3, trainUID, timeout).Wait, "b and the replacement make 2 of 3")
	s.Reserve(pods[2])
	res := s.Permit(pods[2], 3, trainUID, timeout)
	assert.Zero(t, res.Wait)
	assert.ElementsMatch(t, []types.UID{pods[1].UID, replacement.UID}, res.Allow)
}

func TestWaitingOnWorkload(t *testing.T) {
	s, _ := newStore(testBackoff)
	a, b := member("a", ""), member("b", "")
	s.AddPod(a)
	s.AddPod(b)
	s.Reserve(a)
	s.Permit(a, 2, trainUID, timeout)
	assert.Equal(t, []types.UID{a.UID}, s.WaitingOnWorkload(trainKey))
	assert.ElementsMatch(t, []string{"a"}, names(s.WorkloadChanged(trainKey, trainUID)), "recreating the Workload activates the rejected member")
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
			s.Permit(p, 10, trainUID, timeout)
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
					s.Permit(p, size, trainUID, timeout)
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

// yieldSetup has an older gang ("old", minCount 2) and a younger one
// ("young", minCount 2) each with one member waiting at Permit, the younger
// one a second later; o1 and y1 have not reached Permit.
func yieldSetup(t *testing.T) (s *Store, clk *testingclock.FakeClock, o0, o1, y0, y1 *v1.Pod) {
	s, clk = newStore(testBackoff)
	o0, o1 = member("o0", "old"), member("o1", "old")
	y0, y1 = member("y0", "young"), member("y1", "young")
	for _, p := range []*v1.Pod{o0, o1, y0, y1} {
		s.AddPod(p)
	}
	s.Reserve(o0)
	require.Equal(t, PermitWait, s.Permit(o0, 2, trainUID, timeout).Kind)
	clk.SetTime(startTime.Add(time.Second))
	s.Reserve(y0)
	require.Equal(t, PermitWait, s.Permit(y0, 2, trainUID, timeout).Kind)
	return s, clk, o0, o1, y0, y1
}

func TestYoungerGangYieldsToOlder(t *testing.T) {
	s, _, _, o1, y0, y1 := yieldSetup(t)
	// The older gang's member finds no node: the younger round is named...
	c, ok := s.YieldCandidate(replica("old"))
	require.True(t, ok)
	assert.Equal(t, replica("young"), c.Group)
	assert.Equal(t, startTime.Add(time.Second), c.RoundStart)
	assert.Equal(t, []string{"y0"}, names(c.Waiting))
	// ...and, its room found to help, gives it back.
	rej := s.Yield(o1, c)
	assert.Equal(t, RoundRejected, rej.Kind)
	assert.Equal(t, CauseYielded, rej.Cause)
	assert.Equal(t, replica("young"), rej.Group)
	assert.Equal(t, []types.UID{y0.UID}, rej.Reject)
	st, _ := s.Group(replica("old"))
	assert.Equal(t, 1, st.Waiting, "the older round keeps waiting")
	// The younger gang's member finds no node: no younger round to name.
	_, ok = s.YieldCandidate(replica("young"))
	assert.False(t, ok)
	assert.Empty(t, s.Unplaced(y1, true).Reject, "its own round is already gone")
	// The yielding member is remembered, to get the room it freed.
	assert.Equal(t, []string{"o1"}, names(s.TakeOldestUnplaced()))
}

// TestYieldRechecksTheRound: the plugin checks a candidate outside the lock;
// Yield changes nothing if the round it named is gone or was replaced, and a
// gang makes at most one round yield per yieldInterval.
// TestPriorityOutranksArrival: gangs are ranked by priority (the lowest of
// their members'), then arrival, as the queue sort ranks them: an older
// gang of lower priority makes no higher-priority round yield and does not
// hold while one waits; the higher-priority gang makes the older one yield.
func TestPriorityOutranksArrival(t *testing.T) {
	s, clk := newStore(testBackoff, WithHold(10*time.Second))
	lo0, lo1 := member("lo0", "old"), member("lo1", "old")
	hi0 := memberWrapper("hi0", "young").Priority(1000).Obj()
	hi1 := memberWrapper("hi1", "young").Priority(1000).Obj()
	for _, p := range []*v1.Pod{lo0, lo1, hi0, hi1} {
		s.AddPod(p)
	}
	prio, ok, _, _ := s.Rank(replica("young"))
	assert.True(t, ok)
	assert.Equal(t, int32(1000), prio)

	// The low-priority gang is older and has been rejected once (starving).
	s.Reserve(lo0)
	s.Permit(lo0, 2, trainUID, timeout)
	rej := s.Unplaced(lo1, true)
	require.Equal(t, RoundRejected, rej.Kind)
	clk.SetTime(rej.BackoffUntil)
	s.BackoffExpired(replica("old"))
	s.Reserve(lo0)
	require.Equal(t, PermitWait, s.Permit(lo0, 2, trainUID, timeout).Kind)
	clk.Step(time.Second)
	s.Reserve(hi0)
	require.Equal(t, PermitWait, s.Permit(hi0, 2, trainUID, timeout).Kind)

	_, ok = s.YieldCandidate(replica("old"))
	assert.False(t, ok, "the older low-priority gang makes no higher-priority round yield")
	out := s.Unplaced(lo1, true)
	assert.Equal(t, RoundRejected, out.Kind, "it does not hold while a higher-priority round waits")
	assert.Equal(t, []types.UID{lo0.UID}, out.Reject)

	clk.SetTime(out.BackoffUntil)
	s.BackoffExpired(replica("old"))
	s.Reserve(lo0)
	require.Equal(t, PermitWait, s.Permit(lo0, 2, trainUID, timeout).Kind)
	c, ok := s.YieldCandidate(replica("young"))
	require.True(t, ok, "the higher-priority gang makes the older one's round yield")
	assert.Equal(t, replica("old"), c.Group)

	// A member of lower priority lowers its gang's priority.
	s.AddPod(memberWrapper("hi2", "young").Priority(10).Obj())
	prio, _, _, _ = s.Rank(replica("young"))
	assert.Equal(t, int32(10), prio)
	s.DeletePod(memberWrapper("hi2", "young").Priority(10).Obj())
	prio, _, _, _ = s.Rank(replica("young"))
	assert.Equal(t, int32(1000), prio, "and its deletion restores it")
}

func TestYieldRechecksTheRound(t *testing.T) {
	tests := []struct {
		name string
		// between runs after YieldCandidate, before Yield.
		between  func(t *testing.T, s *Store, clk *testingclock.FakeClock, y0, y1 *v1.Pod)
		wantKind OutcomeKind
	}{
		{name: "round unchanged: yields", between: func(*testing.T, *Store, *testingclock.FakeClock, *v1.Pod, *v1.Pod) {}, wantKind: RoundRejected},
		{name: "round formed meanwhile", wantKind: NoChange, between: func(t *testing.T, s *Store, _ *testingclock.FakeClock, _, y1 *v1.Pod) {
			s.Reserve(y1)
			require.Equal(t, PermitRelease, s.Permit(y1, 2, trainUID, timeout).Kind)
		}},
		{name: "the member's gang reached its quorum meanwhile", wantKind: NoChange, between: func(t *testing.T, s *Store, _ *testingclock.FakeClock, _, _ *v1.Pod) {
			o2 := member("o2", "old")
			s.AddPod(o2)
			s.Reserve(o2)
			require.Equal(t, PermitRelease, s.Permit(o2, 2, trainUID, timeout).Kind)
		}},
		{name: "another member of the gang made a round yield meanwhile", wantKind: NoChange, between: func(t *testing.T, s *Store, _ *testingclock.FakeClock, _, _ *v1.Pod) {
			// A third, youngest gang's round; another member of the old
			// gang names it and makes it yield first.
			z0 := member("z0", "zz")
			s.AddPod(z0)
			s.AddPod(member("z1", "zz"))
			s.Reserve(z0)
			require.Equal(t, PermitWait, s.Permit(z0, 2, trainUID, timeout).Kind)
			c, ok := s.YieldCandidate(replica("old"))
			require.True(t, ok)
			require.Equal(t, replica("zz"), c.Group)
			require.Equal(t, RoundRejected, s.Yield(member("o3", "old"), c).Kind)
		}},
		{name: "round rejected and a new one started", wantKind: NoChange, between: func(t *testing.T, s *Store, clk *testingclock.FakeClock, y0, _ *v1.Pod) {
			rej := s.Unreserve(y0)
			require.Equal(t, RoundRejected, rej.Kind)
			clk.SetTime(rej.BackoffUntil)
			s.Reserve(y0)
			require.Equal(t, PermitWait, s.Permit(y0, 2, trainUID, timeout).Kind)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, clk, _, o1, y0, y1 := yieldSetup(t)
			c, ok := s.YieldCandidate(replica("old"))
			require.True(t, ok)
			tc.between(t, s, clk, y0, y1)
			out := s.Yield(o1, c)
			assert.Equal(t, tc.wantKind, out.Kind)
			if tc.wantKind == NoChange {
				assert.Equal(t, RoundOutcome{}, out)
				assert.NotContains(t, names(s.TakeOldestUnplaced()), "o1", "a stale candidate remembers nothing")
			}
		})
	}
}

func TestYieldIsRateLimited(t *testing.T) {
	s, clk, _, o1, _, _ := yieldSetup(t)
	c, ok := s.YieldCandidate(replica("old"))
	require.True(t, ok)
	require.Equal(t, RoundRejected, s.Yield(o1, c).Kind)
	// Another younger gang starts a round at once.
	z0 := member("z0", "zz")
	s.AddPod(z0)
	s.AddPod(member("z1", "zz"))
	s.Reserve(z0)
	require.Equal(t, PermitWait, s.Permit(z0, 2, trainUID, timeout).Kind)
	_, ok = s.YieldCandidate(replica("old"))
	assert.False(t, ok, "one yield per gang per second")
	clk.Step(yieldInterval - time.Millisecond)
	_, ok = s.YieldCandidate(replica("old"))
	assert.False(t, ok)
	clk.Step(time.Millisecond)
	c, ok = s.YieldCandidate(replica("old"))
	require.True(t, ok, "the interval has passed")
	assert.Equal(t, replica("zz"), c.Group)
}

// replica returns the workers group with the given replica key.
func replica(r string) gang.GroupKey {
	k := workers
	k.ReplicaKey = r
	return k
}

func TestTakeOldestUnplaced(t *testing.T) {
	s, clk := newStore(testBackoff)
	young, old := member("y", "young"), member("o", "old")
	done0, done1 := member("d0", "done"), member("d1", "done")
	off0, off1 := member("b0", "off"), member("b1", "off")
	for _, p := range []*v1.Pod{young, old, done0, done1, off0, off1} {
		s.AddPod(p)
	}
	assert.Empty(t, s.TakeOldestUnplaced())
	// Arrival is when Admit first admits a member of the gang; the gangs
	// that cannot use room now are the oldest.
	for _, p := range []*v1.Pod{done0, off0} {
		v, _ := s.Admit(p, gangOf(2))
		require.Equal(t, Admitted, v)
	}
	clk.Step(time.Second)
	s.Admit(old, gangOf(1))
	clk.Step(time.Second)
	s.Admit(young, gangOf(1))
	s.Unplaced(young, true)
	s.Unplaced(old, true)
	// A gang that reached its quorum after its member was remembered.
	s.Unplaced(done1, true)
	s.AddPod(onNode(done0))
	s.AddPod(onNode(member("d2", "done")))
	// A gang backing off.
	s.Reserve(off0)
	s.Permit(off0, 2, trainUID, timeout)
	require.Equal(t, RoundRejected, s.Unreserve(off0).Kind)
	s.Unplaced(off1, true)
	assert.Equal(t, []string{"o"}, names(s.TakeOldestUnplaced()), "the oldest gang that can use room first")
	assert.Equal(t, []string{"y"}, names(s.TakeOldestUnplaced()))
	assert.Empty(t, s.TakeOldestUnplaced(), "gangs at quorum or backing off are skipped")
	clk.SetTime(startTime.Add(time.Hour))
	assert.Equal(t, []string{"b1"}, names(s.TakeOldestUnplaced()), "once the backoff ends")
}

func TestArrivedBefore(t *testing.T) {
	a, b := replica("a"), replica("b")
	t0, t1 := startTime, startTime.Add(time.Second)
	tests := []struct {
		name                 string
		aArrival, bArrival   time.Time
		wantAFirst, wantBFst bool
	}{
		{name: "earlier first", aArrival: t1, bArrival: t0, wantBFst: true},
		{name: "tie: by key", aArrival: t0, bArrival: t0, wantAFirst: true},
		{name: "zero last", aArrival: time.Time{}, bArrival: t1, wantBFst: true},
		{name: "both zero: by key", wantAFirst: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.wantAFirst, arrivedBefore(a, tc.aArrival, b, tc.bArrival))
			assert.Equal(t, tc.wantBFst, arrivedBefore(b, tc.bArrival, a, tc.aArrival))
		})
	}
}

// TestStarvingGangHolds checks that the oldest gang that has already given
// its room back once keeps its round while members keep joining it, within
// its hold budget, and gives it back once none joins for the hold duration
// or the budget is spent.
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
			if tc.olderRound {
				o := member("o", "old")
				s.AddPod(o)
				s.AddPod(member("o2", "old"))
				s.Reserve(o)
				s.Permit(o, 2, trainUID, timeout)
			}
			now := startTime.Add(time.Second)
			clk.SetTime(now)
			if tc.rejectedBefore {
				s.Reserve(a)
				s.Permit(a, 3, trainUID, timeout)
				rej := s.Unplaced(c, true)
				require.Equal(t, []types.UID{a.UID}, rej.Reject)
				now = rej.BackoffUntil
				clk.SetTime(now)
				s.BackoffExpired(replica("big"))
			}
			s.Reserve(a)
			s.Permit(a, 3, trainUID, timeout)
			// The member finds no node 2s after a joined the round.
			clk.SetTime(now.Add(2 * time.Second))
			rej := s.Unplaced(c, true)
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
			assert.True(t, s.Unplaced(b, true).HoldUntil.IsZero(), "a check is already scheduled")

			// b joins later: the hold runs from then, within the budget
			// (the hold duration after the first rejection) from when the
			// round began to hold.
			s.Reserve(b)
			clk.SetTime(now.Add(3 * time.Second))
			res := s.Permit(b, 3, trainUID, timeout)
			assert.ElementsMatch(t, []string{"c"}, names(res.Activate), "the unplaced member is tried again")
			clk.SetTime(now.Add(hold))
			again := s.HoldExpired(replica("big"))
			assert.Equal(t, RoundHeld, again.Kind)
			assert.Equal(t, now.Add(2*time.Second+hold), again.HoldUntil, "progress extends the hold up to its budget")
			assert.Empty(t, again.Reject)

			// The budget is spent before the hold after b: the round gives
			// its room back.
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

// TestHoldBudgetHalves: each held round that expires halves the hold budget
// of the gang's next rounds; under a second, its rounds no longer hold.
func TestHoldBudgetHalves(t *testing.T) {
	const hold = 4 * time.Second
	s, clk := newStore(testBackoff, WithHold(hold))
	a, b := member("a", ""), member("b", "")
	s.AddPod(a)
	s.AddPod(b)
	var budgets []time.Duration
	for i := 0; i < 5; i++ {
		s.Reserve(a)
		require.Equal(t, PermitWait, s.Permit(a, 2, trainUID, timeout).Kind)
		out := s.Unplaced(b, true)
		if out.Kind == RoundHeld {
			budgets = append(budgets, out.HoldUntil.Sub(clk.Now()))
			clk.SetTime(out.HoldUntil)
			out = s.HoldExpired(workers)
			require.Equal(t, CauseHoldExpired, out.Cause)
		} else {
			require.Equal(t, CauseMemberUnschedulable, out.Cause, "round %d", i)
		}
		require.Equal(t, RoundRejected, out.Kind)
		clk.SetTime(out.BackoffUntil)
		s.BackoffExpired(workers)
	}
	assert.Equal(t, []time.Duration{hold, hold / 2, hold / 4}, budgets,
		"none for the first round (not starving yet), then halving until under a second")
	st, _ := s.Group(workers)
	assert.Equal(t, 5, st.Rejections)
}

// TestHoldBudgetRunsFromEachHold: a held round that ends otherwise than by
// its hold (here a member's Unreserve) leaves no hold start behind, so the
// gang's next round holds for its whole budget (found by FuzzStore); and
// only a hold that expires spends the budget, so that budget is the full
// hold.
func TestHoldBudgetRunsFromEachHold(t *testing.T) {
	const hold = 4 * time.Second
	s, clk := newStore(testBackoff, WithHold(hold))
	a, b, c := member("a", ""), member("b", ""), member("c", "")
	for _, p := range []*v1.Pod{a, b, c} {
		s.AddPod(p)
	}
	s.Reserve(a)
	s.Permit(a, 3, trainUID, timeout)
	rej := s.Unplaced(c, true)
	require.Equal(t, RoundRejected, rej.Kind)
	clk.SetTime(rej.BackoffUntil)
	s.Reserve(a)
	s.Permit(a, 3, trainUID, timeout)
	first := s.Unplaced(c, true)
	require.Equal(t, RoundHeld, first.Kind)
	clk.Step(time.Second)
	s.Reserve(b)
	rej = s.Unreserve(b) // a later Reserve plugin failed
	require.Equal(t, CauseMemberUnreserved, rej.Cause)
	clk.SetTime(rej.BackoffUntil)
	s.Reserve(a)
	s.Permit(a, 3, trainUID, timeout)
	start := clk.Now()
	assert.Equal(t, RoundOutcome{}, s.Unplaced(c, true), "held; the first hold's check is still scheduled")
	st, _ := s.Group(workers)
	assert.Equal(t, 1, st.Waiting, "the round holds")
	clk.SetTime(first.HoldUntil)
	again := s.HoldExpired(workers)
	assert.Equal(t, RoundHeld, again.Kind)
	assert.Equal(t, start.Add(hold), again.HoldUntil, "the budget runs from this round's hold, unspent by the Unreserve")
}

// TestHoldEndsWithTheRound checks that a hold check finds nothing to do once
// the held round has formed.
func TestHoldEndsWithTheRound(t *testing.T) {
	s, clk := newStore(testBackoff, WithHold(5*time.Second))
	a, b := member("a", ""), member("b", "")
	s.AddPod(a)
	s.AddPod(b)
	s.Reserve(a)
	s.Permit(a, 2, trainUID, timeout)
	rej := s.Unplaced(b, true)
	clk.SetTime(rej.BackoffUntil)
	s.BackoffExpired(workers)
	now := rej.BackoffUntil
	s.Reserve(a)
	clk.SetTime(now)
	s.Permit(a, 2, trainUID, timeout)
	held := s.Unplaced(b, true)
	require.False(t, held.HoldUntil.IsZero())
	s.Reserve(b)
	assert.Equal(t, []types.UID{a.UID}, s.Permit(b, 2, trainUID, timeout).Allow)
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
			assert.Equal(t, PermitDeleted, s.Permit(p, 2, trainUID, timeout).Kind)
		}},
		{name: "Unplaced", call: func(s *Store, p *v1.Pod) { s.Unplaced(p, true) }},
		{name: "Yield", call: func(s *Store, p *v1.Pod) {
			assert.Equal(t, RoundOutcome{}, s.Yield(p, Candidate{Group: replica("young")}))
		}},
		{name: "CannotFit", call: func(s *Store, p *v1.Pod) {
			out, activate := s.CannotFit(p, "too big")
			assert.Equal(t, RoundOutcome{}, out)
			assert.Empty(t, activate)
		}},
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
		s.Permit(a, 2, trainUID, timeout)
		// a's wait ends at the deadline; b reaches Permit before a's Unreserve.
		late := startTime.Add(timeout)
		s.Reserve(b)
		clk.SetTime(late)
		res := s.Permit(b, 2, trainUID, timeout)
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
		s.Permit(a, 2, trainUID, timeout)
		rej := s.Unplaced(c, true)
		require.Equal(t, []types.UID{a.UID}, rej.Reject)
		// b was admitted before the rejection; it reaches Permit before a's
		// Unreserve: the gang backs off, b is not released alone.
		s.Reserve(b)
		res := s.Permit(b, 2, trainUID, timeout)
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
	s.Permit(a, 2, trainUID, timeout)
	gone[a.UID] = true // the framework rejected a: it was deleted
	s.Reserve(b)
	res := s.Permit(b, 2, trainUID, timeout)
	assert.Empty(t, res.Allow, "b must not be released on a's count")
	assert.Positive(t, res.Wait, "b waits for another member")
	assert.Equal(t, RoundOutcome{}, s.Unreserve(a), "a's late Unreserve changes nothing")
	s.Reserve(c)
	assert.Equal(t, []types.UID{b.UID}, s.Permit(c, 2, trainUID, timeout).Allow, "b and c complete the gang")
}

// TestArrival: a gang's arrival is when Admit first admitted a member since
// the gang last reached its quorum; it is kept across rejected rounds and
// cleared when the gang reaches its quorum.
func TestArrival(t *testing.T) {
	s, clk := newStore(testBackoff)
	a, b := member("a", ""), member("b", "")
	s.AddPod(a)
	_, ok := s.Arrival(workers)
	assert.False(t, ok, "no attempt before an admission")
	v, _ := s.Admit(a, gangOf(2))
	require.Equal(t, WaitingForMembers, v)
	_, ok = s.Arrival(workers)
	assert.False(t, ok, "a gated member starts no attempt")
	s.AddPod(b)
	clk.SetTime(startTime.Add(time.Second))
	v, _ = s.Admit(a, gangOf(2))
	require.Equal(t, Admitted, v)
	arrival := startTime.Add(time.Second)
	clk.Step(time.Second)
	s.Admit(b, gangOf(2))
	got, ok := s.Arrival(workers)
	assert.True(t, ok)
	assert.Equal(t, arrival, got, "set at the first admission")

	s.Reserve(a)
	s.Permit(a, 2, trainUID, timeout)
	rej := s.Unplaced(b, true)
	require.Equal(t, RoundRejected, rej.Kind)
	clk.SetTime(rej.BackoffUntil)
	s.BackoffExpired(workers)
	s.Admit(a, gangOf(2))
	got, _ = s.Arrival(workers)
	assert.Equal(t, arrival, got, "kept across rejected rounds")

	s.Reserve(a)
	s.Permit(a, 2, trainUID, timeout)
	s.Reserve(b)
	require.Equal(t, PermitRelease, s.Permit(b, 2, trainUID, timeout).Kind)
	_, ok = s.Arrival(workers)
	assert.False(t, ok, "cleared when the gang reaches its quorum")

	// A replacement member starts a new attempt.
	s.DeletePod(a)
	c := member("c", "")
	s.AddPod(c)
	clk.Step(time.Minute)
	s.Admit(c, gangOf(2))
	got, _ = s.Arrival(workers)
	assert.Equal(t, clk.Now(), got)
}

// TestWorkloadRecreated: a Workload with a new UID is a new gang: its
// backoff, rejections and arrival are forgotten, and WorkloadChanged hands
// back the members held for the old Workload's backoff or room.
func TestWorkloadRecreated(t *testing.T) {
	newUID := types.UID("uid-train-2")
	recreated := func(n int) func() Policy {
		return func() Policy {
			return Policy{WorkloadFound: true, PodGroupFound: true, MinCount: n, WorkloadUID: newUID}
		}
	}
	tests := []struct {
		name string
		// hold puts the gang's members on hold for the old Workload.
		hold func(t *testing.T, s *Store, a, b *v1.Pod)
		// viaAdmit: the new Workload is seen by Admit before its event.
		viaAdmit bool
		wantBack []string
	}{
		{name: "backing off", wantBack: []string{"a", "b"}, hold: func(t *testing.T, s *Store, a, b *v1.Pod) {
			s.Reserve(a)
			s.Permit(a, 2, trainUID, timeout)
			require.Equal(t, RoundRejected, s.Unplaced(b, true).Kind)
			v, _ := s.Admit(a, gangOf(2))
			require.Equal(t, WaitingForBackoff, v)
		}},
		// CannotFit itself hands b back; a is then held for room.
		{name: "cannot fit", wantBack: []string{"a"}, hold: func(t *testing.T, s *Store, a, b *v1.Pod) {
			_, activate := s.CannotFit(b, "too big")
			require.Equal(t, []string{"b"}, names(activate))
			v, _ := s.Admit(a, gangOf(2))
			require.Equal(t, WaitingForRoom, v)
		}},
		{name: "backing off, new UID seen by Admit first", viaAdmit: true, wantBack: []string{"a", "b"}, hold: func(t *testing.T, s *Store, a, b *v1.Pod) {
			s.Reserve(a)
			s.Permit(a, 2, trainUID, timeout)
			require.Equal(t, RoundRejected, s.Unplaced(b, true).Kind)
			v, _ := s.Admit(a, gangOf(2))
			require.Equal(t, WaitingForBackoff, v)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, clk := newStore(testBackoff)
			a, b := member("a", ""), member("b", "")
			s.AddPod(a)
			s.AddPod(b)
			v, _ := s.Admit(b, gangOf(2))
			require.Equal(t, Admitted, v)
			tc.hold(t, s, a, b)
			clk.Step(time.Millisecond)
			if tc.viaAdmit {
				// The queue judges a against the new Workload before its
				// add event reaches the plugin.
				v, _ := s.Admit(a, recreated(2))
				assert.Equal(t, Admitted, v, "no backoff inherited")
			}
			assert.ElementsMatch(t, tc.wantBack, names(uniquePods(s.WorkloadChanged(trainKey, newUID))))
			st, _ := s.Group(workers)
			assert.Zero(t, st.Rejections)
			assert.Zero(t, st.BackoffUntil)
			assert.Empty(t, st.CannotFit)
			assert.Zero(t, st.BackedOff)
			if !tc.viaAdmit {
				_, ok := s.Arrival(workers)
				assert.False(t, ok, "the new gang has not arrived yet")
			}
			v, _ = s.Admit(a, recreated(2))
			assert.Equal(t, Admitted, v)
			got, _ := s.Arrival(workers)
			assert.Equal(t, clk.Now(), got, "arrival from the new gang's first admission")
			assert.Empty(t, s.WorkloadChanged(trainKey, newUID), "an update of the same Workload hands nothing back twice")
		})
	}
}

// TestMembersThisSchedulerCanSchedule: pods with scheduling gates or for
// another scheduler do not count as members until that changes; bound pods
// always count.
func TestMembersThisSchedulerCanSchedule(t *testing.T) {
	ours := func(name string) bool { return name == "gangsched" || name == "gangsched-b" }
	gated := func(name string) *v1.Pod {
		return memberWrapper(name, "").SchedulerName("gangsched").SchedulingGates([]string{"example.com/gate"}).Obj()
	}
	forScheduler := func(name, scheduler string) *v1.Pod {
		return memberWrapper(name, "").SchedulerName(scheduler).Obj()
	}
	tests := []struct {
		name         string
		existing     []*v1.Pod
		wantMembers  int
		wantVerdict  Verdict
		wantGated    int
		wantOtherSch int
	}{
		{name: "our two profiles count", existing: []*v1.Pod{forScheduler("a", "gangsched"), forScheduler("b", "gangsched-b")},
			wantMembers: 2, wantVerdict: Admitted},
		{name: "a gated pod does not count", existing: []*v1.Pod{forScheduler("a", "gangsched"), gated("b")},
			wantMembers: 1, wantVerdict: WaitingForMembers, wantGated: 1},
		{name: "another scheduler's pod does not count", existing: []*v1.Pod{forScheduler("a", "gangsched"), forScheduler("b", "default-scheduler")},
			wantMembers: 1, wantVerdict: WaitingForMembers, wantOtherSch: 1},
		{name: "another scheduler's bound pod counts", existing: []*v1.Pod{forScheduler("a", "gangsched"), onNode(forScheduler("b", "default-scheduler"))},
			wantMembers: 2, wantVerdict: Admitted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newStore(testBackoff, WithSchedulerNames(ours))
			for _, p := range tc.existing {
				assert.Empty(t, s.AddPod(p))
			}
			v, members := s.Admit(tc.existing[0], gangOf(2))
			assert.Equal(t, tc.wantVerdict, v)
			assert.Equal(t, tc.wantMembers, members)
			st, _ := s.Group(workers)
			assert.Equal(t, tc.wantGated, st.SchedulingGated)
			assert.Equal(t, tc.wantOtherSch, st.OtherScheduler)
		})
	}

	t.Run("ungated, the pod completes the gang", func(t *testing.T) {
		s, _ := newStore(testBackoff, WithSchedulerNames(ours))
		a, b := forScheduler("a", "gangsched"), gated("b")
		s.AddPod(a)
		s.AddPod(b)
		v, _ := s.Admit(a, gangOf(2))
		require.Equal(t, WaitingForMembers, v)
		ungated := b.DeepCopy()
		ungated.Spec.SchedulingGates = nil
		assert.Equal(t, []string{"a"}, names(s.UpdatePod(ungated)), "the gated member is handed back")
		st, _ := s.Group(workers)
		assert.Equal(t, 2, st.Members)
		assert.Zero(t, st.SchedulingGated)
	})
	t.Run("a member stays one", func(t *testing.T) {
		// A member does not stop counting when its pod changes scheduler
		// name (immutable once scheduled) or gains gates (the API
		// forbids adding them).
		s, _ := newStore(testBackoff, WithSchedulerNames(ours))
		a := forScheduler("a", "gangsched")
		s.AddPod(a)
		s.UpdatePod(forScheduler("a", "default-scheduler"))
		st, _ := s.Group(workers)
		assert.Equal(t, 1, st.Members)
	})
	t.Run("excluded pods are forgotten with their deletion", func(t *testing.T) {
		s, _ := newStore(testBackoff, WithSchedulerNames(ours))
		b, c := gated("b"), forScheduler("c", "default-scheduler")
		s.AddPod(b)
		s.AddPod(c)
		s.DeletePod(b)
		s.DeletePod(c)
		groups, _ := s.Len()
		assert.Zero(t, groups)
	})
}

// TestCannotFit: a gang that cannot fit the nodes it may use rejects its
// round without backoff and reserves nothing until the nodes change.
func TestCannotFit(t *testing.T) {
	s, clk := newStore(testBackoff)
	a, b, c := member("a", ""), member("b", ""), member("c", "")
	for _, p := range []*v1.Pod{a, b, c} {
		s.AddPod(p)
		s.Admit(p, gangOf(3))
	}
	need := s.NeedOf(workers)
	assert.Equal(t, Need{Short: true, Members: 3, AllNeeded: true, Bound: map[types.UID]struct{}{}}, need)
	s.Reserve(a)
	s.Permit(a, 3, trainUID, timeout)
	s.Reserve(b)
	// b was reserved before the verdict; c finds the gang cannot fit.
	out, activate := s.CannotFit(c, "3 pods of 8 CPU; the nodes have 2 of 8 CPU")
	assert.Equal(t, RoundOutcome{Kind: RoundRejected, Group: workers, Cause: CauseCannotFit, Reject: []types.UID{a.UID}}, out, "no backoff")
	assert.ElementsMatch(t, []string{"a", "c"}, names(activate), "the rejected members and c are handed back, for PreEnqueue to hold them for room")
	st, _ := s.Group(workers)
	assert.Equal(t, "3 pods of 8 CPU; the nodes have 2 of 8 CPU", st.CannotFit)
	assert.Zero(t, st.Rejections)
	res := s.Permit(b, 3, trainUID, timeout)
	assert.Equal(t, PermitCannotFit, res.Kind)
	s.Unreserve(b)
	s.Unreserve(a)
	for _, p := range []*v1.Pod{a, b, c} {
		v, _ := s.Admit(p, gangOf(3))
		assert.Equal(t, WaitingForRoom, v, p.Name)
	}
	assert.Equal(t, map[Verdict]int{WaitingForRoom: 3}, nonZero(s.Stats().Held))
	clk.Step(time.Hour)
	assert.ElementsMatch(t, []string{"a", "b", "c"}, names(s.NodesChanged()))
	assert.Empty(t, s.NodesChanged(), "handed back once")
	v, _ := s.Admit(a, gangOf(3))
	assert.Equal(t, Admitted, v)
}

// TestFitChecked: a gang found to fit is not checked again until the nodes
// change; only a gang short of its quorum, and without spare members, needs
// the check.
func TestFitChecked(t *testing.T) {
	s, _ := newStore(testBackoff)
	a, b, c := member("a", ""), member("b", ""), onNode(member("c", ""))
	s.AddPod(a)
	s.AddPod(b)
	s.AddPod(c)
	s.Admit(a, gangOf(3))
	s.FitChecked(workers)
	need := s.NeedOf(workers)
	assert.Equal(t, Need{Short: true, Members: 2, AllNeeded: true, FitChecked: true, Bound: map[types.UID]struct{}{c.UID: {}}}, need)
	s.NodesChanged()
	assert.False(t, s.NeedOf(workers).FitChecked, "the nodes changed")
	s.AddPod(member("d", ""))
	assert.False(t, s.NeedOf(workers).AllNeeded, "a spare member")
	s.Admit(a, gangOf(2))
	s.Reserve(a)
	s.Permit(a, 2, trainUID, timeout)
	assert.Equal(t, Need{}, s.NeedOf(workers), "the gang has its quorum")
}

func TestDomainLifecycle(t *testing.T) {
	rack := sets.New("n1", "n2")
	for _, tc := range []struct {
		name string
		// end ends the round in some way; pods[0] and pods[1] wait at Permit.
		end        func(s *Store, pods []*v1.Pod)
		wantDomain bool
	}{
		{name: "a waiting round keeps its domain", end: func(*Store, []*v1.Pod) {}, wantDomain: true},
		{name: "a round rejected by an Unreserve drops it", end: func(s *Store, pods []*v1.Pod) { s.Unreserve(pods[0]) }},
		{name: "a round rejected by an unplaced member drops it", end: func(s *Store, pods []*v1.Pod) { s.Unplaced(pods[2], true) }},
		{name: "a gang found unable to fit drops it", end: func(s *Store, pods []*v1.Pod) { s.CannotFit(pods[2], "no room") }},
		{name: "a round released at its quorum drops it", end: func(s *Store, pods []*v1.Pod) {
			s.Reserve(pods[2])
			s.Permit(pods[2], 3, trainUID, timeout)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newStore(testBackoff)
			pods := []*v1.Pod{member("a", ""), member("b", ""), member("c", "")}
			assert.False(t, s.SetDomain(workers, "rack-1", rack), "an untracked gang records nothing")
			for _, p := range pods {
				s.AddPod(p)
				s.Admit(p, gangOf(3))
			}
			require.True(t, s.SetDomain(workers, "rack-1", rack))
			for _, p := range pods[:2] {
				s.Reserve(p)
				s.Permit(p, 3, trainUID, timeout)
			}
			tc.end(s, pods)
			d, ok := s.Domain(workers)
			assert.Equal(t, tc.wantDomain, ok)
			if tc.wantDomain {
				assert.Equal(t, Domain{Name: "rack-1", Nodes: rack}, d)
			}
		})
	}
	t.Run("the release at the quorum names it", func(t *testing.T) {
		s, _ := newStore(testBackoff)
		a, b := member("a", ""), member("b", "")
		for _, p := range []*v1.Pod{a, b} {
			s.AddPod(p)
			s.Admit(p, gangOf(2))
		}
		require.True(t, s.SetDomain(workers, "rack-1", rack))
		s.Reserve(a)
		assert.Zero(t, s.Permit(a, 2, trainUID, timeout).Domain, "only the release names it")
		s.Reserve(b)
		res := s.Permit(b, 2, trainUID, timeout)
		require.True(t, res.Admitted)
		assert.Equal(t, Domain{Name: "rack-1", Nodes: rack}, res.Domain)
	})
	t.Run("no domain counts once per change of room", func(t *testing.T) {
		s, _ := newStore(testBackoff)
		a, b := member("a", ""), member("b", "")
		for _, p := range []*v1.Pod{a, b} {
			s.AddPod(p)
			s.Admit(p, gangOf(2))
		}
		assert.True(t, s.NoDomain(workers), "the gang's first member to find no domain")
		assert.False(t, s.NoDomain(workers), "its next member, same attempt")
		s.RoomChanged()
		assert.True(t, s.NoDomain(workers), "a bound pod was deleted: a new attempt")
		s.NodesChanged()
		assert.True(t, s.NoDomain(workers), "a node changed: a new attempt")
		assert.False(t, s.NoDomain(replica("other")), "an untracked gang counts nothing")
	})
	t.Run("a member unplaced while no round waits drops it", func(t *testing.T) {
		s, _ := newStore(testBackoff)
		p := member("a", "")
		s.AddPod(p)
		s.Admit(p, gangOf(2))
		require.True(t, s.SetDomain(workers, "rack-1", rack))
		s.Unplaced(p, false)
		_, ok := s.Domain(workers)
		assert.False(t, ok)
	})
	t.Run("replica keys choose their own domains", func(t *testing.T) {
		s, _ := newStore(testBackoff)
		a, b := member("a", "r1"), member("b", "r2")
		for _, p := range []*v1.Pod{a, b} {
			s.AddPod(p)
			s.Admit(p, gangOf(2))
		}
		k1, _ := gang.KeyForPod(a)
		k2, _ := gang.KeyForPod(b)
		require.True(t, s.SetDomain(k1, "rack-1", rack))
		_, ok := s.Domain(k2)
		assert.False(t, ok)
	})
}

// TestRoundTimedOut checks that a waiting round is timed out as a whole at
// its deadline, and only the round that started when the timer was set.
func TestRoundTimedOut(t *testing.T) {
	tests := []struct {
		name string
		// after is how long after the round's start the timer fires.
		after time.Duration
		// otherRound restarts the round before the timer fires.
		otherRound bool
		want       OutcomeKind
	}{
		{name: "before its deadline", after: timeout - time.Millisecond, want: NoChange},
		{name: "at its deadline", after: timeout, want: RoundRejected},
		{name: "a later round is not the timer's", after: timeout, otherRound: true, want: NoChange},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, clk := newStore(testBackoff)
			pods := []*v1.Pod{member("a", ""), member("b", ""), member("c", "")}
			for _, p := range pods {
				s.AddPod(p)
			}
			for _, p := range pods[:2] {
				s.Reserve(p)
				require.Equal(t, PermitWait, s.Permit(p, 3, trainUID, timeout).Kind)
			}
			start := startTime
			if tc.otherRound {
				// The round is rejected (a member lost its reservation) and
				// a new one starts later.
				s.Unreserve(pods[0])
				clk.SetTime(startTime.Add(5 * time.Second))
				s.Reserve(pods[1])
				s.Permit(pods[1], 3, trainUID, timeout)
			}
			clk.SetTime(start.Add(tc.after))
			out := s.RoundTimedOut(workers, start)
			require.Equal(t, tc.want, out.Kind)
			if tc.want == RoundRejected {
				assert.Equal(t, CauseTimeout, out.Cause)
				assert.ElementsMatch(t, []types.UID{pods[0].UID, pods[1].UID}, out.Reject)
				_, waiting := s.Round(workers)
				assert.False(t, waiting, "no member waits once the round timed out")
			}
		})
	}
}
