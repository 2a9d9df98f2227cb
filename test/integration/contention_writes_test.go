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
// that keeps failing to the issue 13 budget: one status write and one
// event per member per distinct reason, however many rounds are rejected.
// A gang of 4 one-cpu members on 4 one-cpu nodes, one of them taken by a
// blocker: every round reserves 3 members and is rejected (a member finds
// no node, then the held round times out after the tests' 3 s Permit
// timeout), the gang backs off (1-4 s) and tries again, for 20 s.
//
// The budget counts the status writes that set a pod's PodScheduled
// condition (the framework's and the pending reporter's) and the Events
// about the pods. Events repeat as a series: the events.k8s.io recorder
// writes an isomorphic Event once, then patches its series once, then
// counts locally; so 2 event writes per distinct message. The
// reservation hints of stalled rounds (a nominatedNodeName and its
// clearing per member per held round) are counted apart: they are what
// lets an autoscaler see nodes held for a waiting gang.
func TestGangWritesUnderContention(t *testing.T) {
	const rounds = 20 * time.Second
	e := newEnv(t, gatesOff)
	e.createNodes(4, "1")
	e.blockRoom("blocker", "1")
	log := e.watchMessages()
	e.createWorkload(gangWorkload("train", map[string]int32{"workers": 4}))
	pods := members("w", "train", "workers", "", 4, "1")
	beforeHints := gangMetrics(t)
	before := e.apiWrites()
	e.createPods(pods...)
	// A bounded look at a gang that cannot bind while the blocker runs.
	ctx, cancel := context.WithTimeout(e.ctx, rounds)
	defer cancel()
	<-ctx.Done()
	e.requireNoneBound(e.group("train", "workers", ""))
	writes := e.settledWrites(before)
	hints := gangMetrics(t).since(beforeHints)["gangsched_reservation_hints_total"]
	rejected := gangMetrics(t).since(beforeHints)

	distinct, hist := log.distinct()
	reasons := 0
	for _, p := range pods {
		reasons += distinct[p.name]
	}
	var status, events float64
	for k, v := range writes {
		switch {
		case strings.HasSuffix(k, " pods/status"):
			status += v
		case strings.HasSuffix(k, " events"):
			events += v
		}
	}
	// Each hint is written once and cleared once.
	statusForReasons := status - 2*hints
	names := make([]string, 0, len(hist))
	for n := range hist {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t.Logf("%s showed %d distinct messages: %q", n, distinct[n], hist[n])
	}
	var roundsRejected float64
	for k, v := range rejected {
		if strings.HasPrefix(k, "gangsched_gangs_rejected_total") {
			roundsRejected += v
		}
	}
	t.Logf("in %s: %.0f rounds rejected; writes %v; reservation hints %.0f; distinct reasons over the 4 members %d", rounds, roundsRejected, writes, hints, reasons)
	t.Logf("per member: status writes %.2f (%.2f for reasons), events %.2f", status/4, statusForReasons/4, events/4)
	require.GreaterOrEqual(t, roundsRejected, 3.0, "the test must reject several rounds to say anything")
	assert.LessOrEqual(t, statusForReasons, float64(reasons), "one status write per member per distinct reason")
	assert.LessOrEqual(t, events, float64(2*reasons), "one event (and its series) per member per distinct reason")
}
