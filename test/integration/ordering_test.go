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
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The tests in this file pin down who may hold room and who goes first
// (issue 10): a gang that cannot complete must neither hold room nor make
// younger gangs give theirs back; a gang is ordered by when its attempt
// started, not by an old Workload name; pods that cannot be scheduled by
// this scheduler do not count toward a quorum; and every profile of one
// scheduler sees the same gangs. All pods have the same priority.

// freeOneByOne deletes the named pods one at a time, every interval, as
// jobs finishing would: room frees gradually.
func (e *env) freeOneByOne(interval time.Duration, podNames ...string) {
	e.t.Helper()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for i, n := range podNames {
		if i > 0 {
			select {
			case <-e.ctx.Done():
				e.t.Fatal(e.ctx.Err())
			case <-tick.C:
			}
		}
		e.deletePods(n)
	}
}

// heldYoungerGang creates gang b (minCount 3, 1 cpu each) where one cpu is
// free, and waits until it holds: its first round was rejected (a member
// found no node), and its next round keeps its reserved member waiting at
// Permit while the others wait for room (bounded waiting). This is the
// round that an older gang's member finding no node makes yield. It
// returns b's pod names.
func (e *schedEnv) heldYoungerGang() []string {
	e.t.Helper()
	before := gangMetrics(e.t)
	e.createWorkload(gangWorkload("b", map[string]int32{"g": 3}))
	b := names(members("b", "b", "g", "", 3, "1"))
	e.createPods(members("b", "b", "g", "", 3, "1")...)
	e.waitMetrics("gang b's first round to be rejected", func(s samples) bool {
		return s.since(before)[rejectedSeries("member_unschedulable")] >= 1
	})
	// The rejected round's members leave the framework's waiting pods
	// shortly after the rejection is counted; the next round forms after the
	// gang's backoff (1 s).
	e.waitFor("gang b's rejected round to be gone", func() (bool, error) {
		return len(e.holdingRoomAtPermit(b)) == 0, nil
	})
	e.waitFor("gang b to hold a round at Permit", func() (bool, error) {
		return len(e.holdingRoomAtPermit(b)) > 0, nil
	})
	return b
}

// gangBHeldBehindPlainPods fills two one-cpu slots with plain pods, then
// makes gang b (minCount 3) hold a round at Permit with the last free slot
// (see heldYoungerGang). It returns the plain pods.
func (e *schedEnv) gangBHeldBehindPlainPods() []podSpec {
	e.t.Helper()
	plain := []podSpec{{name: "plain-0"}, {name: "plain-1"}}
	e.createPods(plain...)
	e.waitScheduled(names(plain)...)
	e.heldYoungerGang()
	return plain
}

// gangBBindsWholeWithoutYield frees the plain pods one every 0.5 s: gang b
// must bind whole within 10 s, and no round may yield meanwhile (to names
// the gang it must not yield to).
func (e *schedEnv) gangBBindsWholeWithoutYield(plain []podSpec, to string) {
	e.t.Helper()
	before := gangMetrics(e.t)
	start := time.Now()
	e.freeOneByOne(500*time.Millisecond, names(plain)...)
	e.waitWithin("gang b to bind whole", 10*time.Second, func() (bool, error) {
		return e.watcher.boundCount(e.group("b", "g", "")) >= 3, nil
	})
	e.t.Logf("gang b bound whole %s after the first pod was deleted", time.Since(start).Round(time.Millisecond))
	assert.Zero(e.t, gangMetrics(e.t).since(before)[rejectedSeries("yielded")], "rounds yielded to %s", to)
}

// TestExtraMemberOfACompleteGangDoesNotMakeOthersYield: defect "extra member
// of a complete gang". Gang A (minCount 2) has bound two members; its third
// member can never fit (it requests more cpu than any node has). A is
// complete: its extra member finding no node says nothing about A's
// progress, so it must not make a younger gang B give its room back. B
// holds one member at Permit, and the room for the other two frees one cpu
// every 0.5 s; B must bind whole, and no round may yield.
func TestExtraMemberOfACompleteGangDoesNotMakeOthersYield(t *testing.T) {
	e := newSchedEnv(t, schedulerConfig)
	e.createNodes(5, "1")
	e.createWorkload(gangWorkload("a", map[string]int32{"g": 2}))
	e.createPods(podSpec{name: "a-0", workload: "a", podGroup: "g"}, podSpec{name: "a-1", workload: "a", podGroup: "g"})
	e.waitScheduled("a-0", "a-1")
	e.createPods(podSpec{name: "a-extra", workload: "a", podGroup: "g", cpu: "4"})
	e.waitAttempted("a-extra")
	plain := e.gangBHeldBehindPlainPods()
	e.gangBBindsWholeWithoutYield(plain, "the complete gang a, whose extra member can never fit")
	_, msg := e.podMessage("a-extra")
	t.Logf("a-extra: %q", msg)
}

// TestUnresolvableMemberDoesNotMakeOthersYield: defect "unresolvable
// member". Gang A, older, is short of minCount for good: a member's
// nodeSelector matches no node. A can never complete, so its members
// finding no node must not make a younger gang B give its room back, and A
// must bind nothing nor hold room. B holds one member at Permit, and the
// room for the other two frees one cpu every 0.5 s; B must bind whole with
// no round yielded, and A's members must wait at Permit (hold room) in under
// 5 % of samples taken every 100 ms. Either both members of A are
// unresolvable, or one of them fits.
func TestUnresolvableMemberDoesNotMakeOthersYield(t *testing.T) {
	for _, fitting := range []int{0, 1} {
		t.Run(fmt.Sprintf("%d of 2 members fit a node", fitting), func(t *testing.T) {
			e := newSchedEnv(t, schedulerConfig)
			// Room for 3 one-cpu pods, plus slack for A's small member.
			e.createNodes(3, "1100m")
			e.createWorkload(gangWorkload("a", map[string]int32{"g": 2}))
			var a []string
			for i := 0; i < 2; i++ {
				pod := e.makePod(podSpec{name: fmt.Sprintf("a-%d", i), workload: "a", podGroup: "g", cpu: "100m"})
				if i >= fitting {
					pod.Spec.NodeSelector = map[string]string{"gangsched.io/test-pool": "nowhere"}
				}
				e.createPodObjects(pod)
				a = append(a, pod.Name)
			}
			e.waitAttempted(a[fitting:]...)
			stopSampling := e.sampleHolding(a)
			plain := e.gangBHeldBehindPlainPods()
			e.gangBBindsWholeWithoutYield(plain, "gang a, which can never complete")
			held := stopSampling()
			t.Logf("gang a %s", held)
			assert.Less(t, held.share(), 0.05, "share of samples in which gang a, which can never complete, held room at Permit")
			e.requireNoneBound(e.group("a", "g", ""))
			for _, n := range a {
				node, msg := e.podMessage(n)
				assert.Empty(t, node, "pod %s of gang a must stay Pending", n)
				t.Logf("%s: %q", n, msg)
			}
		})
	}
}

// TestGangLargerThanTheClusterHoldsNothing: defect "gang larger than the
// cluster". Gang G needs 10 cpu (minCount 10, 1 cpu each) on a cluster of
// 8 cpu: it can never fit, whatever else runs. Meanwhile plain pods of the
// same priority arrive (one every 200 ms, each deleted 1 s after it binds).
// G must not hold room that the plain pods then wait for: every plain pod
// binds, their median create-to-bind time is under 2 s, and after G's first
// failed attempt its pods wait at Permit (hold room) in under 5 % of the
// samples taken every 100 ms. G's pods say why: they cannot fit in the nodes
// they may use, with the numbers (10 members, 8 cpu).
func TestGangLargerThanTheClusterHoldsNothing(t *testing.T) {
	const (
		streamFor = 20 * time.Second
		every     = 200 * time.Millisecond
		runFor    = time.Second
	)
	if testing.Short() {
		t.Skip("streams plain pods for 20 s")
	}
	e := newSchedEnv(t, schedulerConfig)
	e.createNodes(4, "2")
	times := newBindTimes(t, e.env)
	e.createWorkload(gangWorkload("g", map[string]int32{"workers": 10}))
	g := names(members("g", "g", "workers", "", 10, "1"))
	e.createPods(members("g", "g", "workers", "", 10, "1")...)
	e.waitAttempted(g[0])

	type plainPod struct {
		name    string
		created time.Time
		deleted bool
	}
	var stream []*plainPod
	stopSampling := e.sampleHolding(g)
	create := time.NewTicker(every)
	defer create.Stop()
	end := time.Now().Add(streamFor)
	for time.Now().Before(end) {
		select {
		case <-e.ctx.Done():
			t.Fatal(e.ctx.Err())
		case <-create.C:
		}
		p := &plainPod{name: fmt.Sprintf("plain-%d", len(stream)), created: time.Now()}
		e.createPods(podSpec{name: p.name})
		stream = append(stream, p)
		for _, q := range stream {
			if at, ok := times.at(q.name); ok && !q.deleted && time.Since(at) >= runFor {
				e.deletePods(q.name)
				q.deleted = true
			}
		}
	}
	held := stopSampling()

	var latencies []time.Duration
	unbound := 0
	err := pollUntil(e.env, time.Now().Add(10*time.Second), func() bool {
		latencies, unbound = latencies[:0], 0
		for _, p := range stream {
			at, ok := times.at(p.name)
			if !ok {
				// Not bound yet: it has waited at least this long.
				unbound++
				at = time.Now()
			}
			latencies = append(latencies, at.Sub(p.created))
		}
		return unbound == 0
	})
	t.Logf("%d plain pods, %d never bound: median create-to-bind %s; gang g %s",
		len(stream), unbound, median(latencies).Round(time.Millisecond), held)
	assert.NoError(t, err, "%d of %d plain pods never bound (10 s after the last was created)", unbound, len(stream))
	assert.Less(t, median(latencies), 2*time.Second, "median create-to-bind time of the plain pods")
	assert.Less(t, held.share(), 0.05, "share of samples in which gang g, which can never fit, held room at Permit")
	e.requireNoneBound(e.group("g", "workers", ""))
	wrong := map[string]string{}
	for _, n := range g {
		_, msg := e.podMessage(n)
		if !strings.Contains(msg, "cannot fit in the nodes it may use") || !strings.Contains(msg, "10") || !strings.Contains(msg, "8") {
			wrong[n] = msg
		}
	}
	assert.Empty(t, wrong, "gang g's pods must say that it cannot fit in the nodes it may use (10 members, 8 cpu)")
}

// holdingRoomAtPermit returns those of the named pods that wait at Permit.
func (e *schedEnv) holdingRoomAtPermit(podNames []string) []string {
	waiting := e.waitingAtPermit()
	var out []string
	for _, n := range podNames {
		if waiting[n] {
			out = append(out, n)
		}
	}
	return out
}

// TestRecreatedWorkloadStartsFresh: defect "Workload recreated under the
// same name". A gang rejected three times in a row backs off for
// backoffMaxSeconds (4 s in the test config). Its Workload is then deleted
// and created again under the same name: a new Workload (new UID), whose
// gang has never been attempted. Given room at the same moment, it must
// bind at once (within 2 s), not when the old gang's backoff ends.
func TestRecreatedWorkloadStartsFresh(t *testing.T) {
	// The gang fits the node once the blocker is gone, so its rounds are
	// rejected for room (and back off), not judged unable to fit; holding
	// is off so that the rejections come at the pace of the backoff.
	e := newSchedEnv(t, func(kubeconfig string) string {
		return strings.Replace(schedulerConfig(kubeconfig), "backoffMaxSeconds: 4", "backoffMaxSeconds: 4\n      starvingGangHoldSeconds: 0", 1)
	}).env
	e.createNodes(1, "3")
	e.createPods(podSpec{name: "blocker", cpu: "2"})
	e.createWorkload(gangWorkload("train", map[string]int32{"workers": 3}))
	old, err := e.cs.SchedulingV1alpha1().Workloads(e.ns).Get(e.ctx, "train", metav1.GetOptions{})
	require.NoError(t, err)
	pods := members("w", "train", "workers", "", 3, "1")
	before := gangMetrics(t)
	e.createPods(pods...)
	// The third rejection starts a backoff of 4 s (1 s, 2 s, then 4 s).
	e.waitMetrics("the gang's third rejected round", func(s samples) bool {
		return rejectedTotal(s)-rejectedTotal(before) >= 3
	})
	_, msg := e.podMessage(pods[0].name)
	t.Logf("after 3 rejections, %s says %q", pods[0].name, msg)

	start := time.Now()
	e.deleteWorkload("train")
	e.createWorkload(gangWorkload("train", map[string]int32{"workers": 3}))
	e.deletePods("blocker")
	w, err := e.cs.SchedulingV1alpha1().Workloads(e.ns).Get(e.ctx, "train", metav1.GetOptions{})
	require.NoError(t, err)
	require.NotEqual(t, old.UID, w.UID, "the Workload must be a new object")

	const within = 2 * time.Second
	deadline := start.Add(within)
	err = pollUntil(e, deadline, func() bool { return e.watcher.boundCount(e.group("train", "workers", "")) >= 3 })
	elapsed := time.Since(start)
	if err != nil {
		// Report when it did bind, to show whose backoff it waited for.
		e.waitGangBound(e.group("train", "workers", ""), 3)
		elapsed = time.Since(start)
	}
	t.Logf("the recreated gang bound whole %s after its Workload was recreated with room", elapsed.Round(time.Millisecond))
	assert.NoError(t, err, "the recreated Workload's gang must bind within %s; it bound after %s (the old gang's backoff)", within, elapsed.Round(time.Millisecond))
}

// pollUntil polls cond until it holds or the deadline passes.
func pollUntil(e *env, deadline time.Time, cond func() bool) error {
	for {
		if cond() {
			return nil
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("not by the deadline")
		}
		select {
		case <-e.ctx.Done():
			return e.ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}

// TestReusedWorkloadNameDoesNotJumpTheQueue: defect "reused old Workload
// name". Workload old was created first, and had no pods. Gang b's Workload
// is created 2 s later, and its pods are tried and wait for room. Only then
// are pods created for old's gang: its attempt starts after b's. When room
// frees for exactly one gang, b, whose attempt started first, must bind
// first; an old Workload name is no ticket to the front of the queue.
func TestReusedWorkloadNameDoesNotJumpTheQueue(t *testing.T) {
	e := newEnv(t, gatesOff)
	e.createNodes(1, "2")
	// One pod holds all the room, so that deleting it frees room for one
	// gang at once.
	e.createPods(podSpec{name: "plain", cpu: "2"})
	e.waitScheduled("plain")

	e.createWorkload(gangWorkload("old", map[string]int32{"g": 2}))
	// Workload creation times have a resolution of one second: b's must be
	// later than old's.
	time.Sleep(2 * time.Second)
	e.createWorkload(gangWorkload("b", map[string]int32{"g": 2}))
	b := members("b", "b", "g", "", 2, "1")
	e.createPods(b...)
	e.waitAttempted(names(b)...)
	oldPods := members("old", "old", "g", "", 2, "1")
	e.createPods(oldPods...)
	e.waitAttempted(names(oldPods)...)

	e.deletePods("plain")
	var first string
	e.waitWithin("a gang to bind whole", 20*time.Second, func() (bool, error) {
		for _, w := range []string{"b", "old"} {
			if e.watcher.boundCount(e.group(w, "g", "")) >= 2 {
				first = w
				return true, nil
			}
		}
		return false, nil
	})
	assert.Equal(t, "b", first, "gang b, whose attempt started first, must bind first; gang %s did", first)
	e.requireNoneBound(e.group(map[string]string{"b": "old", "old": "b"}[first], "g", ""))
}

// TestGatedMembersDoNotCount: defect "gated members". Gang minCount 3 has
// three pods, one with a scheduling gate: it cannot be scheduled, so the
// gang is one short. Its two other members must not reserve room (nor wait
// at Permit, nor be nominated), and must say they wait for scheduling
// gates. Removing the gate lets the gang bind whole.
func TestGatedMembersDoNotCount(t *testing.T) {
	e := newSchedEnv(t, schedulerConfig)
	e.createNodes(1, "4")
	e.createWorkload(gangWorkload("train", map[string]int32{"workers": 3}))
	pods := members("w", "train", "workers", "", 3, "1")
	gated := e.makePod(pods[2])
	gated.Spec.SchedulingGates = []v1.PodSchedulingGate{{Name: "gangsched.io/test-hold"}}
	e.createPods(pods[:2]...)
	e.createPodObjects(gated)
	ungated := names(pods[:2])

	// Watch for reservations over more than a Permit timeout.
	var held []string
	deadline := time.Now().Add(permitTimeoutSeconds*time.Second + 2*time.Second)
	_ = pollUntil(e.env, deadline, func() bool {
		if h := e.holdingRoom(ungated...); len(h) > 0 && len(held) < 5 {
			held = append(held, strings.Join(h, ","))
		}
		return false
	})
	assert.Empty(t, held, "members of a gang one short (a gated member) must not hold room")
	e.requireNoneBound(e.group("train", "workers", ""))
	e.waitPendingWithin(5*time.Second, "scheduling gates", ungated...)

	p, err := e.cs.CoreV1().Pods(e.ns).Get(e.ctx, gated.Name, metav1.GetOptions{})
	require.NoError(t, err)
	p.Spec.SchedulingGates = nil
	_, err = e.cs.CoreV1().Pods(e.ns).Update(e.ctx, p, metav1.UpdateOptions{})
	require.NoError(t, err)
	e.waitWithin("the gang to bind whole once the gate is removed", 10*time.Second, func() (bool, error) {
		return e.watcher.boundCount(e.group("train", "workers", "")) >= 3, nil
	})
}

// TestAnotherSchedulersPodDoesNotCount: defect "another scheduler's pod".
// Gang minCount 2 has one pod for gangsched and one for another scheduler:
// gangsched can never complete it. Its pod must not reserve room (nor wait
// at Permit, nor be nominated), and must say that a member belongs to
// another scheduler.
func TestAnotherSchedulersPodDoesNotCount(t *testing.T) {
	e := newSchedEnv(t, schedulerConfig)
	e.createNodes(1, "4")
	e.createWorkload(gangWorkload("train", map[string]int32{"workers": 2}))
	e.createPods(podSpec{name: "ours", workload: "train", podGroup: "workers"},
		podSpec{name: "foreign", workload: "train", podGroup: "workers", schedulerName: "other-scheduler"})

	var held []string
	deadline := time.Now().Add(permitTimeoutSeconds*time.Second + 2*time.Second)
	_ = pollUntil(e.env, deadline, func() bool {
		if h := e.holdingRoom("ours"); len(h) > 0 && len(held) < 5 {
			held = append(held, strings.Join(h, ","))
		}
		return false
	})
	assert.Empty(t, held, "the only gangsched member of a gang that another scheduler's pod completes must not hold room")
	e.requireNoneBound(e.group("train", "workers", ""))
	e.waitPendingWithin(5*time.Second, "another scheduler", "ours")
}

// TestTwoProfilesShareOneGangState: defect "two profiles". One scheduler
// runs two profiles with WorkloadGang; each profile schedules one gang
// (minCount 4, 1 cpu each) on a full 8-cpu cluster, and one cpu frees
// every 300 ms. Gang ordering and bounded waiting only work if both
// profiles see both gangs: with one state per profile each gang takes part
// of the room and waits for the rest, and they can time out against each
// other. Both must bind whole within 15 s, with no round rejected by its
// timeout. Two profiles with different WorkloadGang args cannot share one
// state: the scheduler must refuse to start, naming both profiles.
func TestTwoProfilesShareOneGangState(t *testing.T) {
	t.Run("gangs of both profiles bind", func(t *testing.T) {
		e := newSchedEnv(t, twoProfileConfig(schedulerName, "gangsched-b", ""))
		e.createNodes(4, "2")
		var plain []podSpec
		for i := 0; i < 8; i++ {
			plain = append(plain, podSpec{name: fmt.Sprintf("plain-%d", i)})
		}
		e.createPods(plain...)
		e.waitScheduled(names(plain)...)

		e.createWorkload(gangWorkload("a", map[string]int32{"g": 4}))
		e.createWorkload(gangWorkload("b", map[string]int32{"g": 4}))
		a := members("a", "a", "g", "", 4, "1")
		b := members("b", "b", "g", "", 4, "1")
		for i := range b {
			b[i].schedulerName = "gangsched-b"
		}
		e.createPods(append(a, b...)...)
		e.waitAttempted(append(names(a), names(b)...)...)

		before := gangMetrics(t)
		start := time.Now()
		e.freeOneByOne(300*time.Millisecond, names(plain)...)
		e.waitWithin("both gangs to bind whole", 15*time.Second-time.Since(start), func() (bool, error) {
			return e.watcher.boundCount(e.group("a", "g", "")) >= 4 && e.watcher.boundCount(e.group("b", "g", "")) >= 4, nil
		})
		t.Logf("both gangs bound whole %s after the first pod was deleted", time.Since(start).Round(time.Millisecond))
		d := gangMetrics(t).since(before)
		assert.Zero(t, d[rejectedSeries("timeout")], "rounds rejected by their Permit timeout")
	})

	t.Run("different args are refused", func(t *testing.T) {
		cp := controlPlane(t)
		config := twoProfileConfig("gangsched-a", "gangsched-b", "      permitTimeoutSeconds: 60\n")(cp.Kubeconfig)
		_, err := startKeptScheduler(t, config)
		require.Error(t, err, "a scheduler whose profiles run WorkloadGang with different args must not start")
		assert.Contains(t, err.Error(), "gangsched-a")
		assert.Contains(t, err.Error(), "gangsched-b")
		t.Logf("startup error: %v", err)
	})
}
