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
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gangsched/gangsched/internal/apimetrics"
)

// apiWrites reads the API server's write counters.
func (e *env) apiWrites() apimetrics.Writes {
	e.t.Helper()
	w, err := apimetrics.Read(e.ctx, e.cs)
	require.NoError(e.t, err)
	return w
}

// settledWrites waits until the scheduler's writes since before stop
// changing (Events are written asynchronously) and returns them.
func (e *env) settledWrites(before apimetrics.Writes) apimetrics.Writes {
	e.t.Helper()
	last := e.apiWrites().Scheduler(before)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(time.Second)
		now := e.apiWrites().Scheduler(before)
		if now.Total() == last.Total() {
			return now
		}
		last = now
	}
	e.t.Fatalf("the scheduler's writes kept changing for 30s: %v", last)
	return nil
}

// TestGangWriteBudget holds the scheduler's API writes per bound gang
// member, happy path, to their budget, with the API server's own request
// counters (issue 13): 50 plain pods, then a gang of 50 on the same nodes.
// A plain pod costs its binding and its Scheduled Event (2 writes). A gang
// member costs the same, plus its share of the gang's GangAdmitted Event:
// 2.02. The budget is 1.05x a plain pod's. It holds because gangsched turns
// the scheduler gate NominatedNodeNameForExpectation off
// (command.DefaultFeatureGates, applied to this process in TestMain): with
// the gate on, the framework writes the nominatedNodeName of every member
// that waits at Permit, and of the member that releases the round (it runs
// WorkloadGang's PreBind barrier), 3.02 per member. Any new write per
// member (a status report, a nomination, a cleared nomination) exceeds the
// budget.
func TestGangWriteBudget(t *testing.T) {
	const n = 50
	e := newEnv(t, gatesOff)
	e.createNodes(5, "32")

	before := e.apiWrites()
	plain := members("plain", "", "", "", n, "100m")
	e.createPods(plain...)
	e.waitScheduled(names(plain)...)
	plainWrites := e.settledWrites(before)
	e.deletePods(names(plain)...)
	e.waitPodsGone(names(plain))

	before = e.apiWrites()
	e.createWorkload(gangWorkload("train", map[string]int32{"workers": n}))
	pods := members("w", "train", "workers", "", n, "100m")
	e.createPods(pods...)
	e.waitGangBound(e.group("train", "workers", ""), n)
	gangWrites := e.settledWrites(before)

	perPlain, perMember := plainWrites.Total()/n, gangWrites.Total()/n
	t.Logf("writes per plain pod: %.2f (%v)", perPlain, plainWrites)
	t.Logf("writes per gang member: %.2f (%v); %.2fx a plain pod's", perMember, gangWrites, perMember/perPlain)
	assert.InDelta(t, 2.0, perPlain, 0.1, "a plain pod: its binding and its Scheduled Event")
	assert.LessOrEqual(t, perMember, 1.05*perPlain, "a gang member: a plain pod's writes and its share of one GangAdmitted Event")
}

// TestStalledRoundPublishesItsReservations checks the reservation hints
// that stand in for upstream's nomination write (issue 13): a gang of 3
// with room for 2 holds its round (900 s Permit timeout). Its two waiting
// members show the nodes they are reserved on (status.nominatedNodeName),
// written once each however long the round waits, so that an autoscaler
// sees those nodes as used; and once room frees, the gang binds whole on
// them.
func TestStalledRoundPublishesItsReservations(t *testing.T) {
	const hints = "gangsched_reservation_hints_total"
	e := newEnv(t, gatesOff)
	e.createNodes(3, "1")
	e.blockRoom("blocker", "1")
	before := gangMetrics(t)
	e.createWorkload(longPermitWorkload("train", 3))
	pods := members("w", "train", "workers", "", 3, "1")
	e.createPods(pods...)
	key := e.group("train", "workers", "")
	waiting := e.waitRoundHeld(key, 2, 3, names(pods)...)

	reserved := map[string]string{}
	for _, name := range waiting {
		p, err := e.cs.CoreV1().Pods(e.ns).Get(e.ctx, name, metav1.GetOptions{})
		require.NoError(t, err)
		reserved[name] = p.Status.NominatedNodeName
	}
	// The hints are written once: the round waits on, and nothing more is
	// written for it (a bounded look of 6 s).
	for end := time.Now().Add(6 * time.Second); time.Now().Before(end); time.Sleep(500 * time.Millisecond) {
		require.Equal(t, 2.0, gangMetrics(t).since(before)[hints], "one hint per waiting member")
	}

	e.deletePods("blocker")
	e.waitGangBound(key, 3)
	for name, node := range reserved {
		p, err := e.cs.CoreV1().Pods(e.ns).Get(e.ctx, name, metav1.GetOptions{})
		require.NoError(t, err)
		assert.Equal(t, node, p.Spec.NodeName, "%s binds to the node its hint named", name)
	}
}
