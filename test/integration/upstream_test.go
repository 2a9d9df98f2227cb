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

	"github.com/gangsched/gangsched/pkg/gang"
)

// TestUpstreamGangScenarios runs the three scenarios of upstream's
// test/integration/scheduler/gang/gang_test.go (Kubernetes 1.35) against
// WorkloadGang, with the same shapes: one node of 4 CPU, a gang of three
// 1-CPU pods with minCount 3, and a 2-CPU blocker pod.
func TestUpstreamGangScenarios(t *testing.T) {
	gangPods := members("p", "workload", "pg", "", 3, "1")
	workload := gangWorkload("workload", map[string]int32{"pg": 3})
	blocker := podSpec{name: "blocker", cpu: "2"}
	scenarios := []struct {
		name string
		run  func(e *env)
	}{
		{
			name: "gang schedules when workload and resources are available",
			run: func(e *env) {
				e.createWorkload(workload)
				e.createPods(gangPods...)
				e.waitScheduled(names(gangPods)...)
			},
		},
		{
			name: "gang waits for quorum to start, then schedules",
			run: func(e *env) {
				e.createWorkload(workload)
				e.createPods(gangPods[:2]...)
				// Held at PreEnqueue: the plugin reports why.
				e.waitPending(gang.WaitingForPodsMessage(e.group("workload", "pg", ""), 2, 3), names(gangPods[:2])...)
				e.createPods(gangPods[2])
				e.waitScheduled(names(gangPods)...)
			},
		},
		{
			name: "gang waits for workload, then for resources, then schedules",
			run: func(e *env) {
				e.createPods(blocker)
				e.waitScheduled("blocker")
				e.createPods(gangPods...)
				e.waitPending(gang.WaitingForWorkloadMessage(e.group("workload", "pg", "").WorkloadKey()), names(gangPods)...)
				e.createWorkload(workload)
				// Permit timeout: the blocker leaves room for two of three.
				e.waitGangRejected(names(gangPods), 2)
				e.requireNoneBound(e.group("workload", "pg", ""))
				e.deletePods("blocker")
				e.waitScheduled(names(gangPods)...)
			},
		},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			forEachGates(t, func(t *testing.T, e *env) {
				e.createNodes(1, "4")
				sc.run(e)
			})
		})
	}
}
