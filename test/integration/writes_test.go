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
// member costs those and, for every member that waits at Permit, the
// nominatedNodeName the framework writes (NominatedNodeNameForExpectation,
// on by default in 1.35), plus one for the member that releases the round
// (it runs WorkloadGang's PreBind barrier), and the gang's GangAdmitted
// Event: 3.02 in all. The budget (a plain pod's + 1.3) leaves room for a
// few retries, and still fails on any new write per member (a status
// report, a nomination cleared: +1).
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
	assert.LessOrEqual(t, perMember, perPlain+1.3, "a gang member: a plain pod's writes, its nominatedNodeName, and one per round")
}
