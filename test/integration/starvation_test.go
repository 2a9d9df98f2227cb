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
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestBigGangIsNotStarvedByAStreamOfSmallJobs fills a 4-slot cluster with
// two 2-pod jobs, then creates a 4-pod gang and, once a second (the stream's
// arrival rate), finishes the oldest job that is running (deletes its pods)
// and submits a new 2-pod job. Every job that is finished frees room for
// half the big gang, and a new, younger job wants that room at once.
// Without bounded waiting, the big gang reserves the freed half, finds no
// room for the rest, gives it back, and the new job takes it: forever. With
// it, the big gang, the oldest gang that already gave its room back once,
// keeps what it reserved while room keeps freeing up, and binds whole when
// the next job finishes. Jobs are small gangs, or plain pods.
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
			e := newEnv(t, gatesOff)
			e.createNodes(4, "1")
			// The first two jobs run before the big gang exists; the jobs
			// submitted after it belong to a younger Workload.
			e.createWorkload(gangWorkload("early", map[string]int32{"job": 2}))
			var running [][]string
			submit := func(workload string, i int) {
				var job []podSpec
				if gangJobs {
					job = members(fmt.Sprintf("job%d", i), workload, "job", fmt.Sprint(i), 2, "1")
				} else {
					job = []podSpec{{name: fmt.Sprintf("job%d-0", i)}, {name: fmt.Sprintf("job%d-1", i)}}
				}
				e.createPods(job...)
				running = append(running, names(job))
			}
			submit("early", 0)
			submit("early", 1)
			e.waitScheduled(append(running[0], running[1]...)...)

			e.createWorkload(gangWorkload("big", map[string]int32{"workers": 4}))
			e.createPods(members("big", "big", "workers", "", 4, "1")...)
			e.createWorkload(gangWorkload("stream", map[string]int32{"job": 2}))
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
				// Finish the oldest job that runs.
				for j, job := range running {
					if e.allBound(job) {
						e.deletePods(job...)
						running = append(running[:j], running[j+1:]...)
						break
					}
				}
				submit("stream", i)
			}
		})
	}
}

// allBound reports whether every named pod has a node.
func (e *env) allBound(podNames []string) bool {
	e.t.Helper()
	for _, n := range podNames {
		p, err := e.cs.CoreV1().Pods(e.ns).Get(e.ctx, n, metav1.GetOptions{})
		require.NoError(e.t, err)
		if p.Spec.NodeName == "" {
			return false
		}
	}
	return true
}
