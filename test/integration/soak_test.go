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
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
)

// TestChurnLeavesNothingBehind creates and deletes 1,000 gangs in waves:
// per wave one Workload with 50 replica keys, 40 complete gangs of 2 that
// bind and 10 that stay held at PreEnqueue for their second member, then
// every pod and the Workload are deleted. After each wave the plugin must
// track no group and hold no pod (its gauges, read from the registry the
// scheduler serves on /metrics), and after the soak the process's goroutines
// and heap must be back near where they were after the first wave. Skipped
// with -short.
func TestChurnLeavesNothingBehind(t *testing.T) {
	if testing.Short() {
		t.Skip("soak test")
	}
	const (
		waves    = 20
		complete = 40
		held     = 10
	)
	e := newEnv(t, gatesOff)
	e.createNodes(4, "100")
	var baseGoroutines int
	var baseHeap uint64
	for wave := 0; wave < waves; wave++ {
		name := fmt.Sprintf("wave%d", wave)
		e.createWorkload(gangWorkload(name, map[string]int32{"g": 2}))
		var bound, all []string
		for k := 0; k < complete+held; k++ {
			n := 2
			if k >= complete {
				n = 1
			}
			pods := members(fmt.Sprintf("%s-%d", name, k), name, "g", fmt.Sprint(k), n, "10m")
			e.createPods(pods...)
			all = append(all, names(pods)...)
			if k < complete {
				bound = append(bound, names(pods)...)
			}
		}
		e.waitScheduled(bound...)
		e.waitMetrics(fmt.Sprintf("%d pods of wave %d held", held, wave), func(s samples) bool {
			return s[heldSeries("waiting_for_members")] == held
		})
		e.deletePods(all...)
		e.deleteWorkload(name)
		e.waitPodsGone(all)
		e.waitMetrics(fmt.Sprintf("no group tracked after wave %d", wave), func(s samples) bool {
			return s["gangsched_groups_tracked"] == 0 && s[heldSeries("waiting_for_members")] == 0 &&
				s[heldSeries("waiting_for_workload")] == 0 && s[heldSeries("waiting_for_podgroup")] == 0
		})
		if wave == 0 {
			baseGoroutines, baseHeap = goroutinesAndHeap()
		}
	}
	// Goroutines and heap settle: informers, watches and timers of the
	// waves end. The slack covers the API client's connection churn.
	var goroutines int
	var heap uint64
	e.waitFor("goroutines back to their level after the first wave", func() (bool, error) {
		goroutines, heap = goroutinesAndHeap()
		return goroutines <= baseGoroutines+20, nil
	})
	t.Logf("after %d gangs: goroutines %d (after the first wave %d), heap %.1f MiB (after the first wave %.1f MiB)",
		waves*(complete+held), goroutines, baseGoroutines, float64(heap)/(1<<20), float64(baseHeap)/(1<<20))
	require.Less(t, heap, baseHeap+64<<20, "heap grew by more than 64 MiB over the soak")
}

// goroutinesAndHeap returns the process's goroutine count and its heap in use
// after a garbage collection.
func goroutinesAndHeap() (int, uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return runtime.NumGoroutine(), m.HeapAlloc
}

// waitPodsGone waits until none of the named pods exists.
func (e *env) waitPodsGone(podNames []string) {
	e.t.Helper()
	want := sets.New(podNames...)
	e.waitFor(fmt.Sprintf("%d pods to be gone", len(podNames)), func() (bool, error) {
		list, err := e.cs.CoreV1().Pods(e.ns).List(e.ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for _, p := range list.Items {
			if want.Has(p.Name) {
				return false, nil
			}
		}
		return true, nil
	})
}
