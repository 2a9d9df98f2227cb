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
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gangsched/gangsched/pkg/gang"
)

// TestBigGangIsNotStarvedByAStreamOfSmallJobs fills a 4-slot cluster with
// two 2-pod jobs, then creates a 4-pod gang and, once a second (the stream's
// arrival rate), finishes the running pods of the oldest job that has any
// (deletes them) and submits a new 2-pod job. Every job that finishes frees
// room for half the big gang, and a new, younger job wants that room at
// once. Without bounded waiting, the big gang reserves the freed half,
// finds no room for the rest, gives it back, and the new job takes it:
// forever. With it, the big gang, the oldest gang that already gave its
// room back once, keeps what it reserved while room keeps freeing up, and
// claims the room each finished pod frees (an in-memory nomination) so that
// the stream's pods of the same priority cannot take it first; it binds
// whole within a few jobs. Jobs are small gangs, or plain pods.
func TestBigGangIsNotStarvedByAStreamOfSmallJobs(t *testing.T) {
	// maxJobs bounds the stream: the big gang must bind before this many
	// jobs have been submitted after it.
	const maxJobs = 20
	for _, gangJobs := range []bool{true, false} {
		name := "plain pods"
		if gangJobs {
			name = "small gangs"
		}
		t.Run(name, func(t *testing.T) {
			forEachSource(t, func(t *testing.T, e *env) {
				e.createNodes(4, "1")
				// The first two jobs run before the big gang exists; the jobs
				// submitted after it are younger gangs. Each small gang is a
				// Workload (or PodGroup) of its own.
				var running [][]string
				submit := func(i int) {
					var job []podSpec
					if gangJobs {
						w := fmt.Sprintf("job%d", i)
						e.createWorkload(gangWorkload(w, map[string]int32{"job": 2}))
						job = members(w, w, "job", "", 2, "1")
					} else {
						job = []podSpec{{name: fmt.Sprintf("job%d-0", i)}, {name: fmt.Sprintf("job%d-1", i)}}
					}
					e.createPods(job...)
					running = append(running, names(job))
				}
				submit(0)
				submit(1)
				e.waitScheduled(append(running[0], running[1]...)...)

				// The shipped Permit timeout (300 s), not the tests' 3 s: the
				// hold keeps what the big gang reserved while its members race
				// the stream's pods for each freed slot; a 3 s round ends
				// before it wins two slots on a loaded machine, which is not
				// what a cluster running the shipped config sees.
				bigWorkload := gangWorkload("big", map[string]int32{"workers": 4})
				bigWorkload.Annotations = map[string]string{gang.PermitTimeoutAnnotation: "300"}
				e.createWorkload(bigWorkload)
				e.createPods(members("big", "big", "workers", "", 4, "1")...)
				big := e.group("big", "workers", "")

				tick := time.NewTicker(time.Second)
				defer tick.Stop()
				for i := 2; e.watcher.boundCount(big) < 4; i++ {
					require.Less(t, i, 2+maxJobs, "the big gang was starved: %d jobs submitted after it", maxJobs)
					select {
					case <-e.ctx.Done():
						t.Fatal(e.ctx.Err())
					case <-tick.C:
					}
					// The oldest job with running pods finishes them: a plain
					// pod runs and ends on its own, bound with its job's other
					// pod or not (a small gang's pods are bound all or none).
					for j, job := range running {
						if bound := e.boundOf(job); len(bound) > 0 {
							e.deletePods(bound...)
							if len(bound) == len(job) {
								running = append(running[:j], running[j+1:]...)
							} else {
								running[j] = unbound(job, bound)
							}
							break
						}
					}
					submit(i)
				}
			})
		})
	}
}

// boundOf returns the named pods that have a node.
func (e *env) boundOf(podNames []string) []string {
	e.t.Helper()
	var bound []string
	for _, n := range podNames {
		p, err := e.cs.CoreV1().Pods(e.ns).Get(e.ctx, n, metav1.GetOptions{})
		require.NoError(e.t, err)
		if p.Spec.NodeName != "" {
			bound = append(bound, n)
		}
	}
	return bound
}

// unbound returns the names of job that are not in bound.
func unbound(job, bound []string) []string {
	var out []string
	for _, n := range job {
		if !slices.Contains(bound, n) {
			out = append(out, n)
		}
	}
	return out
}
