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
	"math"
	"math/rand"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gangsched/gangsched/pkg/gang"
)

// soakDurationEnv overrides how long TestMixedStreamSoak streams (a Go
// duration), so that CI can run it within its budget.
const soakDurationEnv = "GANGSCHED_SOAK_DURATION"

// soakJob is one job of the mixed stream: a gang, or a plain pod. It must
// bind (need) within soakBindDeadline of its creation, then runs for runFor
// and is deleted.
type soakJob struct {
	// kind is plain, small, extra (a gang with an impossible extra
	// member) or reuse (a generation of the reused Workload's gang).
	kind string
	// key is the job's gang group; zero for a plain pod.
	key gang.GroupKey
	// pods are all the job's pods; need are those that must bind.
	pods, need []string
	created    time.Time
	// bound is when the last pod of need was seen bound.
	bound  time.Time
	runFor time.Duration
	// failed says why the job was given up, if it was.
	failed string
	done   bool
}

// soakBindDeadline bounds the wait of every feasible job for its pods to
// bind, from its creation.
const soakBindDeadline = 30 * time.Second

// TestMixedStreamSoak runs a mixed stream on the real control plane for
// several minutes (issue 10), on 8 nodes of 4 cpu, with one scheduler:
//   - small gangs (minCount 2 to 4, 1 cpu members) and plain 1-cpu pods,
//     each created, bound, run for 1 to 2 s and deleted;
//   - a gang larger than the cluster (40 members of 1 cpu, 32 cpu in all),
//     present for the whole run: it must bind nothing, and its pods must
//     wait at Permit (hold room) in under 5 % of samples taken every 100 ms;
//   - an old Workload name reused: the gang of Workload "reuse" binds, runs
//     and is deleted, then new pods come for the same Workload and gang,
//     again and again. Of each new generation, all members but the last are
//     created first: they must not bind before the last one exists;
//   - gangs with an impossible extra member: minCount 2, two 1-cpu members
//     and, created with them, a third that requests more cpu than a node
//     has. The two must bind; the third never.
//
// Every feasible gang must bind whole within 30 s of its creation, every
// plain pod too, and no gang may bind below its minCount (the binding
// watcher of every env checks the last at cleanup). The stream lasts 3
// minutes, or $GANGSCHED_SOAK_DURATION. Skipped with -short.
func TestMixedStreamSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak test")
	}
	streamFor := 3 * time.Minute
	if v := os.Getenv(soakDurationEnv); v != "" {
		d, err := time.ParseDuration(v)
		require.NoError(t, err, "$%s", soakDurationEnv)
		streamFor = d
	}
	const (
		tick = 150 * time.Millisecond
		// A plain pod every tick, a small gang every 2 ticks (3.3/s, 3
		// members on average), a gang with an impossible extra member
		// every 60 ticks: with runs of 1.5 s on average, about 25 of the
		// 32 cpu are busy, and at peaks gangs wait for room.
		smallGangEvery = 2
		extraEvery     = 60
		// A new generation of the reused Workload's gang starts every
		// 100 ticks if the last one is gone; its last member comes
		// reuseLastAfter ticks (1.05 s) after the others.
		reuseEvery     = 100
		reuseLastAfter = 7
		reuseMinCount  = 3
		bigMembers     = 40
		// seed makes the stream's sizes and run times the same every run.
		seed = 10
	)
	e := newSchedEnv(t, schedulerConfig)
	e.createNodes(8, "4")
	times := newBindTimes(t, e.env)
	rng := rand.New(rand.NewSource(seed))

	e.createWorkload(gangWorkload("big", map[string]int32{"workers": bigMembers}))
	big := members("big", "big", "workers", "", bigMembers, "1")
	e.createPods(big...)
	e.waitAttempted(big[0].name)
	e.createWorkload(gangWorkload("small", map[string]int32{"g2": 2, "g3": 3, "g4": 4}))
	e.createWorkload(gangWorkload("extra", map[string]int32{"g": 2}))
	e.createWorkload(gangWorkload("reuse", map[string]int32{"g": reuseMinCount}))
	reuseKey := e.group("reuse", "g", "")

	var jobs, live []*soakJob
	// extraMessage is what the first impossible extra member said.
	var extraMessage string
	start := func(j *soakJob) {
		j.created = time.Now()
		j.runFor = time.Second + time.Duration(rng.Int63n(int64(time.Second)))
		jobs = append(jobs, j)
		live = append(live, j)
	}
	// advance notes which jobs bound, deletes those that ran their time or
	// missed their deadline, and drops them from live.
	advance := func() {
		now := time.Now()
		kept := live[:0]
		for _, j := range live {
			if j.bound.IsZero() {
				var last time.Time
				for _, n := range j.need {
					at, ok := times.at(n)
					if !ok {
						last = time.Time{}
						break
					}
					if at.After(last) {
						last = at
					}
				}
				j.bound = last
			}
			switch {
			case j.bound.IsZero() && now.Sub(j.created) > soakBindDeadline:
				bound := 0
				for _, n := range j.need {
					if _, ok := times.at(n); ok {
						bound++
					}
				}
				j.failed = fmt.Sprintf("%d of %d pods bound after %s", bound, len(j.need), soakBindDeadline)
			case j.bound.IsZero() || now.Sub(j.bound) < j.runFor:
				kept = append(kept, j)
				continue
			}
			if j.kind == "extra" && extraMessage == "" {
				_, extraMessage = e.podMessage(j.pods[len(j.pods)-1])
			}
			e.deletePods(j.pods...)
			j.done = true
		}
		live = kept
	}

	// The reused Workload's gang: the generation whose last member is
	// still to come, and the pods of the generation that runs.
	var (
		reuseFirst  []podSpec
		reuseLast   podSpec
		reuseLastAt int
		reuseJob    *soakJob
		reuseGens   int
		reuseEarly  []string
	)
	stopSampling := e.sampleHolding(names(big))
	pace := time.NewTicker(tick)
	defer pace.Stop()
	end := time.Now().Add(streamFor)
	for i := 0; time.Now().Before(end); i++ {
		select {
		case <-e.ctx.Done():
			t.Fatal(e.ctx.Err())
		case <-pace.C:
		}
		advance()

		p := podSpec{name: fmt.Sprintf("plain-%d", i)}
		e.createPods(p)
		start(&soakJob{kind: "plain", pods: []string{p.name}, need: []string{p.name}})

		if i%smallGangEvery == 0 {
			n := 2 + rng.Intn(3)
			pg := fmt.Sprintf("g%d", n)
			pods := members(fmt.Sprintf("small-%d", i), "small", pg, fmt.Sprint(i), n, "1")
			e.createPods(pods...)
			start(&soakJob{kind: "small", key: e.group("small", pg, fmt.Sprint(i)), pods: names(pods), need: names(pods)})
		}

		if i%extraEvery == extraEvery/2 {
			key := fmt.Sprint(i)
			pods := members(fmt.Sprintf("extra-%d", i), "extra", "g", key, 2, "1")
			impossible := podSpec{name: fmt.Sprintf("extra-%d-impossible", i), workload: "extra", podGroup: "g", replicaKey: key, cpu: "5"}
			e.createPods(append(pods, impossible)...)
			start(&soakJob{kind: "extra", key: e.group("extra", "g", key), pods: append(names(pods), impossible.name), need: names(pods)})
		}

		switch {
		case reuseFirst != nil && i >= reuseLastAt:
			// The first members had the time to bind alone, if the
			// gang's past completion let them.
			for _, p := range reuseFirst {
				if _, ok := times.at(p.name); ok {
					reuseEarly = append(reuseEarly, p.name)
				}
			}
			e.createPods(reuseLast)
			reuseJob = &soakJob{kind: "reuse", key: reuseKey, pods: append(names(reuseFirst), reuseLast.name)}
			reuseJob.need = reuseJob.pods
			start(reuseJob)
			reuseFirst = nil
		case reuseFirst == nil && i%reuseEvery == 0 && (reuseJob == nil || reuseJob.done):
			pods := members(fmt.Sprintf("reuse-%d", reuseGens), "reuse", "g", "", reuseMinCount, "1")
			reuseGens++
			reuseFirst, reuseLast = pods[:reuseMinCount-1], pods[reuseMinCount-1]
			reuseLastAt = i + reuseLastAfter
			// The previous generation's pods must be gone, not only
			// deleted, for the gang to be the same group anew.
			if reuseJob != nil {
				e.waitPodsGone(reuseJob.pods)
			}
			e.createPods(reuseFirst...)
		}
	}
	held := stopSampling()
	// The stream has stopped: let every job bind or miss its deadline, run
	// and be deleted.
	drainUntil := time.Now().Add(soakBindDeadline + 5*time.Second)
	err := pollUntil(e.env, drainUntil, func() bool {
		advance()
		return len(live) == 0
	})
	require.NoError(t, err, "%d jobs still live after the stream", len(live))

	counts := map[string]int{}
	var failed, impossibleBound []string
	var smallLatencies []time.Duration
	for _, j := range jobs {
		if j.failed != "" {
			failed = append(failed, fmt.Sprintf("%s %v (group %v): %s", j.kind, j.pods, j.key, j.failed))
			continue
		}
		counts[j.kind]++
		if j.kind == "small" {
			smallLatencies = append(smallLatencies, j.bound.Sub(j.created))
		}
		if j.kind == "extra" {
			if _, ok := times.at(j.pods[len(j.pods)-1]); ok {
				impossibleBound = append(impossibleBound, j.pods[len(j.pods)-1])
			}
		}
	}
	total := map[string]int{}
	for _, j := range jobs {
		total[j.kind]++
	}
	_, bigMessage := e.podMessage(big[0].name)
	t.Logf("stream of %s: bound whole %d of %d small gangs, %d of %d plain pods, %d of %d gangs with an impossible extra member, %d of %d generations of the reused Workload",
		streamFor, counts["small"], total["small"], counts["plain"], total["plain"], counts["extra"], total["extra"], counts["reuse"], total["reuse"])
	t.Logf("small gangs create-to-bind: median %s, p99 %s, max %s",
		median(smallLatencies).Round(time.Millisecond), percentile(smallLatencies, 0.99).Round(time.Millisecond), percentile(smallLatencies, 1).Round(time.Millisecond))
	t.Logf("gang big (larger than the cluster) %s", held)
	t.Logf("big-0: %q", bigMessage)
	t.Logf("an impossible extra member: %q", extraMessage)

	assert.Empty(t, failed, "feasible jobs that did not bind within %s", soakBindDeadline)
	assert.Empty(t, reuseEarly, "members of the reused Workload's gang bound before their gang had minCount pods")
	assert.Empty(t, impossibleBound, "members that request more cpu than a node has bound")
	assert.Less(t, held.share(), 0.05, "share of samples in which gang big, which can never fit, held room at Permit")
	e.requireNoneBound(e.group("big", "workers", ""))
}

// percentile returns the q-quantile (0 < q <= 1) of ds, nearest rank.
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(i, 0)]
}
