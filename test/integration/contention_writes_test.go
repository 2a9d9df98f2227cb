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
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/gangsched/gangsched/internal/apimetrics"
)

// messageLog records, per pod, the PodScheduled messages it showed, in
// order, from a watch: what a user reading the pod saw.
type messageLog struct {
	mu   sync.Mutex
	seen map[string][]string
}

func (e *env) watchMessages() *messageLog {
	e.t.Helper()
	w, err := e.cs.CoreV1().Pods(e.ns).Watch(e.ctx, metav1.ListOptions{})
	require.NoError(e.t, err)
	e.t.Cleanup(w.Stop)
	l := &messageLog{seen: map[string][]string{}}
	go func() {
		for ev := range w.ResultChan() {
			p, ok := ev.Object.(*v1.Pod)
			if !ok || ev.Type == watch.Deleted {
				continue
			}
			c := scheduledCondition(p)
			if c == nil || c.Status != v1.ConditionFalse {
				continue
			}
			l.mu.Lock()
			if s := l.seen[p.Name]; len(s) == 0 || s[len(s)-1] != c.Message {
				l.seen[p.Name] = append(s, c.Message)
			}
			l.mu.Unlock()
		}
	}()
	return l
}

// distinct returns the number of distinct messages each pod showed, and
// every pod's history.
func (l *messageLog) distinct() (map[string]int, map[string][]string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, hist := map[string]int{}, map[string][]string{}
	for pod, msgs := range l.seen {
		set := map[string]bool{}
		for _, m := range msgs {
			set[m] = true
		}
		n[pod] = len(set)
		hist[pod] = append([]string(nil), msgs...)
	}
	return n, hist
}

// TestGangWritesUnderContention holds the scheduler's writes for a gang
// that keeps failing to the issue 13 budget: a status write and an Event
// per member per distinct reason, however many rounds are rejected. A gang
// of 4 one-cpu members on 4 one-cpu nodes, one of them taken by a blocker:
// every round reserves 3 members and is rejected (a member finds no node,
// then the held round times out after the tests' 3 s Permit timeout), the
// gang backs off (1-4 s) and tries again.
//
// The first window (15 s) may write each member's reasons: its messages,
// counted from a watch, plus one status write per member whose held-pod
// report (backoff) came between two attempts of the same reason. The
// second window (15 s, several more rounds) may write nothing: each
// member's message is the same round after round (WorkloadGang times its
// rounds out itself, with one message, and a gang's members reserve in a
// fixed order, so the same one finds no node), so the framework skips the
// status write, and its events.k8s.io recorder counts an isomorphic Event
// into its series (it writes the series once, then every 30 minutes): the
// second window may only start the series of Events first recorded in
// the first.
func TestGangWritesUnderContention(t *testing.T) {
	const window = 15 * time.Second
	e := newEnv(t, gatesOff)
	e.createNodes(4, "1")
	e.blockRoom("blocker", "1")
	log := e.watchMessages()
	e.createWorkload(gangWorkload("train", map[string]int32{"workers": 4}))
	pods := members("w", "train", "workers", "", 4, "1")
	metrics0, writes0 := gangMetrics(t), e.apiWrites()
	e.createPods(pods...)

	// Two bounded looks at a gang that cannot bind while the blocker runs.
	look := func() (apimetrics.Writes, float64, samples) {
		ctx, cancel := context.WithTimeout(e.ctx, window)
		defer cancel()
		<-ctx.Done()
		e.requireNoneBound(e.group("train", "workers", ""))
		m := gangMetrics(t)
		return e.apiWrites(), rounds(m.since(metrics0)), m
	}
	writes1, rounds1, _ := look()
	writes2, rounds2, metrics2 := look()
	first, second := writes1.Scheduler(writes0), writes2.Scheduler(writes1)
	hints := metrics2.since(metrics0)["gangsched_reservation_hints_total"]

	distinct, hist := log.distinct()
	reasons := 0
	for _, p := range pods {
		reasons += distinct[p.name]
	}
	names := make([]string, 0, len(hist))
	for n := range hist {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t.Logf("%s showed %d distinct messages: %q", n, distinct[n], hist[n])
	}
	status1, events1 := split(first)
	status2, _ := split(second)
	t.Logf("first %s: %.0f rounds rejected, writes %v (per member: %.2f status, %.2f events); reservation hints %.0f", window, rounds1, first, status1/4, events1/4, hints)
	t.Logf("second %s: %.0f more rounds rejected, writes %v", window, rounds2-rounds1, second)
	require.GreaterOrEqual(t, rounds1, 2.0, "the first window must reject rounds to say anything")
	require.GreaterOrEqual(t, rounds2-rounds1, 2.0, "the second window must reject more rounds to say anything")
	assert.Zero(t, hints, "rounds that time out after 3 s are not published (5 s hint delay)")
	assert.LessOrEqual(t, status1, float64(reasons+len(pods)), "status writes: each member's distinct reasons, and one per member after its held-pod report")
	assert.Zero(t, status2, "no status write for a reason already written, however many more rounds")
	assert.Zero(t, second["POST events"], "no new Event for a reason already recorded, however many more rounds")
	total := writes2.Scheduler(writes0)
	assert.LessOrEqual(t, total["PATCH events"], total["POST events"], "an Event repeated is written into its series once (then every 30 minutes)")
}

// rounds is the number of rounds rejected, for any reason.
func rounds(d samples) float64 {
	var n float64
	for k, v := range d {
		if strings.HasPrefix(k, "gangsched_gangs_rejected_total") {
			n += v
		}
	}
	return n
}

// split sums a scheduler's writes into pod status writes and Events.
func split(w apimetrics.Writes) (status, events float64) {
	for k, v := range w {
		switch {
		case strings.HasSuffix(k, " pods/status"):
			status += v
		case strings.HasSuffix(k, " events"):
			events += v
		}
	}
	return status, events
}
