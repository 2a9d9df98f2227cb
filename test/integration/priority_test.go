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
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gangsched/gangsched/pkg/gang"
)

// The tests in this file pin down gang priority (issue 11) on a real
// control plane: a gang's priority is the lowest of its members', and the
// queue order, yield and the starving gang's hold compare gangs by
// priority, then arrival. Two gangs that each need the whole cluster wait
// behind plain blocker pods, and the room frees one blocker at a time, as
// jobs finishing would: the gang that ranks first must bind whole first,
// and the other only once the first is gone (the binding watcher fails any
// gang that binds in part).
//
// Every gang member's priority class has preemptionPolicy Never: a gang
// may not evict the blockers, so what is tested is the order, not
// preemption. The gangs have a long Permit timeout, as the shipped
// configuration does (300 s): with the tests' 3 s, a round that reserved
// the first freed room times out before the last blocker is gone when
// room frees slowly (a blocker every 2 s), its gang backs off, and the
// other gang takes the room and completes first, whatever the ranks: a
// round keeps room no longer than its Permit timeout, by design, and a
// cluster running the shipped configuration does not see that race.

const (
	// prioritySlots is the cluster's room: one-cpu nodes, each taken by a
	// blocker, and the size of each gang, which needs them all.
	prioritySlots = 4
	// priorityPermitTimeout is the gangs' Permit timeout annotation: the
	// shipped default.
	priorityPermitTimeout = "300"
)

// prioritySpacings are the intervals between two blocker deletions: room
// that frees at once (a gang's first round is still backing off when the
// last blocker goes), and room that frees slowly (the gang that ranks
// first holds its round while the rest frees).
var prioritySpacings = []time.Duration{300 * time.Millisecond, time.Second, 2 * time.Second}

// priorityClasses are the priority classes of a test, by role, all with
// preemptionPolicy Never.
type priorityClasses struct {
	low, mid, high string
}

// createPriorityClasses creates the test's priority classes: low, mid and
// high (100, 500, 1000); the blockers have none (priority 0).
func (e *env) createPriorityClasses() priorityClasses {
	e.t.Helper()
	return priorityClasses{
		low:  e.createPriorityClass("low", 100, v1.PreemptNever),
		mid:  e.createPriorityClass("mid", 500, v1.PreemptNever),
		high: e.createPriorityClass("high", 1000, v1.PreemptNever),
	}
}

// raceGang is one of the two gangs of a priority race: a Workload (or
// PodGroup) whose podGroup "workers" is a gang of prioritySlots one-cpu
// members, each member given the next of classes in turn.
type raceGang struct {
	workload string
	classes  []string
}

// sameClass returns the classes of a gang whose members all have class.
func sameClass(class string) []string {
	out := make([]string, prioritySlots)
	for i := range out {
		out[i] = class
	}
	return out
}

// create creates the gang's Workload (long Permit timeout) and members and
// waits until the scheduler has tried one of them and found it no node: its
// attempt has begun, so a gang created after it is younger.
func (g raceGang) create(e *env) []string {
	e.t.Helper()
	w := gangWorkload(g.workload, map[string]int32{"workers": prioritySlots})
	w.Annotations = map[string]string{gang.PermitTimeoutAnnotation: priorityPermitTimeout}
	e.createWorkload(w)
	pods := members(g.workload, g.workload, "workers", "", prioritySlots, "1")
	for i := range pods {
		pods[i].priorityClassName = g.classes[i]
	}
	e.createPods(pods...)
	podNames := names(pods)
	e.waitFor(fmt.Sprintf("gang %s to be tried", g.workload), func() (bool, error) {
		return e.anyUnschedulable(podNames)
	})
	return podNames
}

// raceOutcome is which gang of a race bound whole first, and how long
// after the first blocker was deleted.
type raceOutcome struct {
	first string
	after time.Duration
}

// racePriorities runs one race on the env's prioritySlots one-cpu nodes:
// a blocker takes each; older is created, then younger; the blockers are
// deleted one every spacing. It waits until one gang has bound whole,
// checks that the other has bound nothing, deletes the first one's pods
// and waits until the other binds whole; then it deletes its pods too, so
// that the next race starts on empty nodes. It returns which gang bound
// first.
func (e *env) racePriorities(i int, spacing time.Duration, older, younger raceGang) raceOutcome {
	e.t.Helper()
	blockers := make([]podSpec, prioritySlots)
	for j := range blockers {
		blockers[j] = podSpec{name: fmt.Sprintf("blocker-%d-%d", i, j)}
	}
	e.createPods(blockers...)
	e.waitScheduled(names(blockers)...)

	gangs := []raceGang{older, younger}
	podsOf := map[string][]string{}
	for _, g := range gangs {
		podsOf[g.workload] = g.create(e)
	}

	start := time.Now()
	e.freeOneByOne(spacing, names(blockers)...)
	var out raceOutcome
	e.waitFor(fmt.Sprintf("gang %s or %s to bind whole", older.workload, younger.workload), func() (bool, error) {
		for _, g := range gangs {
			if e.watcher.boundCount(e.group(g.workload, "workers", "")) >= prioritySlots {
				out = raceOutcome{first: g.workload, after: time.Since(start)}
				return true, nil
			}
		}
		return false, nil
	})
	second := older.workload
	if out.first == older.workload {
		second = younger.workload
	}
	// The first gang holds every node, so the other cannot bind until it
	// is gone: a pod of the other seen bound would be part of a gang.
	e.requireNoneBound(e.group(second, "workers", ""))

	e.deletePods(podsOf[out.first]...)
	e.waitGangBound(e.group(second, "workers", ""), prioritySlots)
	e.deletePods(podsOf[second]...)
	e.waitFor(fmt.Sprintf("the pods of race %d to be gone", i), func() (bool, error) {
		pods, err := e.cs.CoreV1().Pods(e.ns).List(e.ctx, metav1.ListOptions{})
		return err == nil && len(pods.Items) == 0, err
	})
	return out
}

// TestHigherPriorityGangCompletesFirst races an older gang of low priority
// against a younger gang of high priority for room that frees one node at
// a time, at each spacing of prioritySpacings: the high-priority gang must
// bind whole first, however long the low-priority one has waited and
// however fast the room frees. Its control, the same race between two gangs
// of one priority, must go to the older gang (arrival order): the test tells
// the orders apart. Every race runs on the same scheduler and nodes, each
// with gangs of its own.
func TestHigherPriorityGangCompletesFirst(t *testing.T) {
	forEachSource(t, func(t *testing.T, e *env) {
		pc := e.createPriorityClasses()
		e.createNodes(prioritySlots, "1")
		i := 0
		for _, spacing := range prioritySpacings {
			for _, tc := range []struct {
				name           string
				older, younger string
				// wantOlderFirst is whether the older gang must bind first.
				wantOlderFirst bool
			}{
				{name: "younger gang of higher priority", older: pc.low, younger: pc.high, wantOlderFirst: false},
				{name: "gangs of one priority", older: pc.high, younger: pc.high, wantOlderFirst: true},
			} {
				older := raceGang{workload: fmt.Sprintf("old-%d", i), classes: sameClass(tc.older)}
				younger := raceGang{workload: fmt.Sprintf("new-%d", i), classes: sameClass(tc.younger)}
				want := younger.workload
				if tc.wantOlderFirst {
					want = older.workload
				}
				got := e.racePriorities(i, spacing, older, younger)
				t.Logf("%s, a blocker deleted every %s: %s bound whole first, %s after the first deletion",
					tc.name, spacing, got.first, got.after.Round(time.Millisecond))
				assert.Equal(t, want, got.first, "%s, a blocker deleted every %s: the gang to bind whole first", tc.name, spacing)
				i++
			}
		}
	})
}

// TestMixedPrioritiesUseTheLowest gives an older gang members of low and of
// high priority, and races it against a younger gang of a priority between
// the two: the mixed gang ranks by its lowest, so the younger gang binds
// whole first (ranked by its highest, or by arrival, the mixed gang would
// win). The mixed gang's Workload (or PodGroup) gets a Warning Event
// MixedPriorities naming both priorities; the other gang's gets none.
func TestMixedPrioritiesUseTheLowest(t *testing.T) {
	forEachSource(t, func(t *testing.T, e *env) {
		pc := e.createPriorityClasses()
		e.createNodes(prioritySlots, "1")
		mixed := raceGang{workload: "mixed", classes: []string{pc.high, pc.low, pc.high, pc.low}}
		mid := raceGang{workload: "mid", classes: sameClass(pc.mid)}

		got := e.racePriorities(0, time.Second, mixed, mid)
		t.Logf("%s bound whole first, %s after the first deletion", got.first, got.after.Round(time.Millisecond))
		assert.Equal(t, mid.workload, got.first, "the gang to bind whole first")

		key := e.group(mixed.workload, "workers", "")
		e.waitEvent(key.Source.Kind(), key.Workload, v1.EventTypeWarning, "MixedPriorities",
			regexp.MustCompile("^"+regexp.QuoteMeta(gang.MixedPrioritiesMessage(key, 100, 1000))+"$"))
		midKey := e.group(mid.workload, "workers", "")
		require.Empty(t, e.eventMessages(midKey, "MixedPriorities"), "gang %s has members of one priority", midKey)
	})
}

// eventMessages lists the messages of the Events of a reason on a gang's
// Workload (or PodGroup).
func (e *env) eventMessages(key gang.GroupKey, reason string) []string {
	e.t.Helper()
	list, err := e.cs.CoreV1().Events(e.ns).List(e.ctx, metav1.ListOptions{
		FieldSelector: fmt.Sprintf("involvedObject.kind=%s,involvedObject.name=%s,reason=%s", key.Source.Kind(), key.Workload, reason),
	})
	require.NoError(e.t, err)
	var msgs []string
	for _, ev := range list.Items {
		msgs = append(msgs, ev.Message)
	}
	return msgs
}
