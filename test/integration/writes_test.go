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
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeCounts are the API server's write requests (apiserver_request_total
// with verb POST, PUT, PATCH or DELETE) by "VERB resource[/subresource]".
type writeCounts map[string]float64

// apiWrites reads the API server's own request counters from its /metrics.
func (e *env) apiWrites() writeCounts {
	e.t.Helper()
	raw, err := e.cs.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(e.ctx)
	require.NoError(e.t, err)
	const prefix = "apiserver_request_total{"
	out := writeCounts{}
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		end := strings.LastIndex(line, "}")
		labels := metricLabels(line[len(prefix):end])
		switch labels["verb"] {
		case "POST", "PUT", "PATCH", "DELETE":
		default:
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(line[end+1:]), 64)
		require.NoError(e.t, err, "metric line %q", line)
		key := labels["verb"] + " " + labels["resource"]
		if sub := labels["subresource"]; sub != "" {
			key += "/" + sub
		}
		out[key] += v
	}
	return out
}

// metricLabels parses `a="x",b="y"` (values with \" and \\ escapes).
func metricLabels(s string) map[string]string {
	out := map[string]string{}
	for len(s) > 0 {
		eq := strings.Index(s, "=\"")
		if eq < 0 {
			break
		}
		name := strings.TrimLeft(s[:eq], ",")
		s = s[eq+2:]
		var v strings.Builder
		i := 0
		for ; i < len(s) && s[i] != '"'; i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
			}
			v.WriteByte(s[i])
		}
		out[name] = v.String()
		if i+1 > len(s) {
			break
		}
		s = s[i+1:]
	}
	return out
}

// schedulerWrites keeps the writes the scheduler makes for pods it binds:
// bindings, pod status patches (conditions, nominatedNodeName) and Events;
// not the test's own pod and Workload creations and deletions.
func (w writeCounts) schedulerWrites(before writeCounts) writeCounts {
	out := writeCounts{}
	for k, v := range w {
		if d := v - before[k]; d > 0 && (strings.Contains(k, "pods/binding") || strings.Contains(k, "pods/status") || strings.HasSuffix(k, " events")) {
			out[k] = d
		}
	}
	return out
}

func (w writeCounts) total() float64 {
	var n float64
	for _, v := range w {
		n += v
	}
	return n
}

func (w writeCounts) String() string {
	keys := make([]string, 0, len(w))
	for k := range w {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %.0f", k, w[k])
	}
	return strings.Join(parts, ", ")
}

// settledWrites waits until the scheduler's writes since before stop
// changing (Events are written asynchronously) and returns them.
func (e *env) settledWrites(before writeCounts) writeCounts {
	e.t.Helper()
	last := e.apiWrites().schedulerWrites(before)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(time.Second)
		now := e.apiWrites().schedulerWrites(before)
		if now.total() == last.total() {
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
// (it runs WorkloadGang's PreBind barrier): about 3 in all. The budget
// leaves 0.1 per member for Events aggregation, so that any new write per
// member (a status report, a nomination cleared) fails here.
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

	perPlain, perMember := plainWrites.total()/n, gangWrites.total()/n
	t.Logf("writes per plain pod: %.2f (%v)", perPlain, plainWrites)
	t.Logf("writes per gang member: %.2f (%v); %.2fx a plain pod's", perMember, gangWrites, perMember/perPlain)
	assert.InDelta(t, 2.0, perPlain, 0.1, "a plain pod: its binding and its Scheduled Event")
	assert.LessOrEqual(t, perMember, perPlain+1.1, "a gang member: a plain pod's writes, its nominatedNodeName, and one per round")
}
