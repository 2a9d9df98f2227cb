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

package workloadgang

import (
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/scheduler/framework"
)

// The hot paths of a gang member through the plugin, with -benchmem:
//
//	go test -run xxx -bench 'Benchmark(Less|PreEnqueue|Permit|Reserve)' -benchmem ./pkg/workloadgang/
//
// Less, PreEnqueue of a member of an existing group, Reserve and Permit of
// a member of a gang at its quorum allocate nothing (asserted by
// TestHotPathsDoNotAllocate). A member that waits at Permit allocates its
// status message, which the framework keeps.

// benchEnv is a gang of two bound members and one more, all in the cache.
func benchEnv(tb testing.TB) (*testEnv, *v1.Pod) {
	t, ok := tb.(*testing.T)
	if !ok {
		t = &testing.T{}
	}
	bound1, bound2 := groupPod("b1", "train"), groupPod("b2", "train")
	bound1.Spec.NodeName, bound2.Spec.NodeName = "node", "node"
	extra := groupPod("x", "train")
	env := newTestEnv(t, nil, gangWorkload("train", 2), bound1, bound2, extra)
	if !env.pl.PreEnqueue(env.ctx, extra).IsSuccess() {
		tb.Fatal("extra member not admitted")
	}
	// Logging as in production, at the default verbosity: V(4) and up
	// disabled (the test logger logs everything).
	env.ctx = klog.NewContext(env.ctx, klog.Background())
	return env, extra
}

func BenchmarkPreEnqueue(b *testing.B) {
	env, pod := benchEnv(b)
	b.ReportAllocs()
	for b.Loop() {
		env.pl.PreEnqueue(env.ctx, pod)
	}
}

func BenchmarkReservePermit(b *testing.B) {
	env, pod := benchEnv(b)
	state := framework.NewCycleState()
	b.ReportAllocs()
	for b.Loop() {
		env.pl.Reserve(env.ctx, state, pod, "node")
		env.pl.Permit(env.ctx, state, pod, "node")
	}
}

// TestHotPathsDoNotAllocate holds the hot paths to zero allocations.
func TestHotPathsDoNotAllocate(t *testing.T) {
	env, pod := benchEnv(t)
	state := framework.NewCycleState()
	sortPl, err := NewSort(env.ctx, nil, env.fh)
	if err != nil {
		t.Fatal(err)
	}
	less := sortPl.(*WorkloadGangSort).Less
	a, b := queued(groupPod("b1", "train"), env.pl.clock.Now()), queued(pod, env.pl.clock.Now())
	// In the order of a scheduling cycle: the extra member is reserved
	// before its Permit, so that Permit finds the gang at its quorum
	// already. (Run first, Permit would count the member as completing the
	// quorum and record GangAdmitted: not the path measured here.)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"Less", func() { less(a, b) }},
		{"PreEnqueue", func() { env.pl.PreEnqueue(env.ctx, pod) }},
		{"Reserve", func() { env.pl.Reserve(env.ctx, state, pod, "node") }},
		{"Permit", func() { env.pl.Permit(env.ctx, state, pod, "node") }},
	} {
		if n := testing.AllocsPerRun(100, tc.f); n != 0 {
			t.Errorf("%s allocates %v times per call, want 0", tc.name, n)
		}
	}
}
