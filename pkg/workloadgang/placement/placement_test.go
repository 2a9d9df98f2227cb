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

package placement

import (
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	"k8s.io/kubernetes/pkg/scheduler/metrics"
	st "k8s.io/kubernetes/pkg/scheduler/testing"

	"github.com/gangsched/gangsched/pkg/workloadgang/internal/filtertest"
)

func TestMain(m *testing.M) {
	// The framework records extension point metrics, which must exist.
	metrics.Register()
	os.Exit(m.Run())
}

func nodes(n int, cpu string) []*v1.Node {
	var out []*v1.Node
	for i := range n {
		out = append(out, st.MakeNode().Name(fmt.Sprintf("node-%d", i)).Label("rack", fmt.Sprintf("rack-%d", i%2)).
			Capacity(map[v1.ResourceName]string{v1.ResourceCPU: cpu, v1.ResourceMemory: "8Gi", v1.ResourcePods: "110"}).Obj())
	}
	return out
}

func member() *st.PodWrapper {
	return st.MakePod().Namespace("ns").Name("m").UID("m").Req(map[v1.ResourceName]string{v1.ResourceCPU: "1", v1.ResourceMemory: "1Gi"})
}

// others fills each node with a plain pod requesting cpu.
func others(nodes []*v1.Node, cpu string) []*v1.Pod {
	var pods []*v1.Pod
	for i, n := range nodes {
		pods = append(pods, st.MakePod().Namespace("ns").Name(fmt.Sprintf("other-%d", i)).UID(fmt.Sprintf("other-%d", i)).
			Node(n.Name).Req(map[v1.ResourceName]string{v1.ResourceCPU: cpu}).Obj())
	}
	return pods
}

func TestSimulate(t *testing.T) {
	isOther := func(p *v1.Pod) bool { return p.Name != "m" && len(p.Name) > 5 && p.Name[:5] == "other" }
	tainted := nodes(3, "4")
	tainted[0].Spec.Taints = []v1.Taint{{Key: "dedicated", Value: "x", Effect: v1.TaintEffectNoSchedule}}
	tests := []struct {
		name       string
		nodes      []*v1.Node
		pods       []*v1.Pod
		member     *v1.Pod
		need       int
		gone       func(*v1.Pod) bool
		useNode    func(*v1.Node) bool
		wantKind   Kind
		wantPlaced int
		wantNodes  int
		wantAlloc  Resources
	}{
		{
			name:  "empty cluster holds the gang",
			nodes: nodes(3, "4"), member: member().Obj(), need: 10,
			wantKind: Fits, wantPlaced: 10, wantNodes: 3, wantAlloc: Resources{MilliCPU: 12000, Memory: 3 * 8 << 30},
		},
		{
			name:  "gang larger than the cluster",
			nodes: nodes(3, "4"), member: member().Obj(), need: 13,
			wantKind: DoesNotFit, wantPlaced: 12, wantNodes: 3, wantAlloc: Resources{MilliCPU: 12000, Memory: 3 * 8 << 30},
		},
		{
			name:  "full cluster holds nothing",
			nodes: nodes(3, "4"), pods: others(nodes(3, "4"), "4"), member: member().Obj(), need: 1,
			wantKind: DoesNotFit, wantPlaced: 0,
		},
		{
			name:  "full cluster holds the gang once the others are gone",
			nodes: nodes(3, "4"), pods: others(nodes(3, "4"), "3"), member: member().Obj(), need: 12, gone: isOther,
			wantKind: Fits, wantPlaced: 12, wantNodes: 3, wantAlloc: Resources{MilliCPU: 12000, Memory: 3 * 8 << 30},
		},
		{
			name:  "partly full cluster counts what is free",
			nodes: nodes(3, "4"), pods: others(nodes(3, "4"), "3"), member: member().Obj(), need: 4,
			wantKind: DoesNotFit, wantPlaced: 3, wantNodes: 3, wantAlloc: Resources{MilliCPU: 12000, Memory: 3 * 8 << 30},
		},
		{
			name:  "nodeSelector limits the nodes it may use",
			nodes: nodes(3, "4"), member: member().NodeSelector(map[string]string{"rack": "rack-1"}).Obj(), need: 5,
			wantKind: DoesNotFit, wantPlaced: 4, wantNodes: 1, wantAlloc: Resources{MilliCPU: 4000, Memory: 8 << 30},
		},
		{
			name:  "a taint it does not tolerate leaves the node out",
			nodes: tainted, member: member().Obj(), need: 9,
			wantKind: DoesNotFit, wantPlaced: 8, wantNodes: 2, wantAlloc: Resources{MilliCPU: 8000, Memory: 2 * 8 << 30},
		},
		{
			name:  "UseNode keeps to one domain",
			nodes: nodes(4, "4"), member: member().Obj(), need: 8, useNode: func(n *v1.Node) bool { return n.Labels["rack"] == "rack-0" },
			wantKind: Fits, wantPlaced: 8, wantNodes: 2, wantAlloc: Resources{MilliCPU: 8000, Memory: 2 * 8 << 30},
		},
		{
			name:  "inter-pod anti-affinity cannot be judged",
			nodes: nodes(3, "4"), member: member().PodAntiAffinityExists("app", "kubernetes.io/hostname", st.PodAntiAffinityWithRequiredReq).Obj(), need: 2,
			wantKind: Unknown,
		},
		{
			name:  "nothing needed fits",
			nodes: nodes(1, "1"), pods: others(nodes(1, "1"), "1"), member: member().Obj(), need: 0,
			wantKind: Fits,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, fh, infos := filtertest.NewFramework(t, tc.nodes, tc.pods)
			before := make([]int64, len(infos))
			for i, ni := range infos {
				before[i] = ni.GetRequested().GetMilliCPU()
			}
			ans, err := Simulate(ctx, fh, infos, Question{
				Member: tc.member, State: filtertest.Cycle(ctx, t, fh, tc.member), Need: tc.need, Gone: tc.gone, UseNode: tc.useNode,
			})
			require.NoError(t, err)
			assert.Equal(t, tc.wantKind, ans.Kind)
			assert.Equal(t, tc.wantPlaced, ans.Placed)
			if tc.wantKind != Unknown {
				assert.Len(t, ans.Nodes, tc.wantNodes)
				assert.Equal(t, tc.wantAlloc, ans.Allocatable)
				assert.Equal(t, Resources{MilliCPU: 1000, Memory: 1 << 30}, ans.Request)
			}
			for i, ni := range infos {
				assert.Equal(t, before[i], ni.GetRequested().GetMilliCPU(), "snapshot of %s changed", ni.Node().Name)
			}
		})
	}
}

func TestResourcesString(t *testing.T) {
	assert.Equal(t, "40 cpu, 40Gi memory", Resources{MilliCPU: 1000, Memory: 1 << 30}.Times(40).String())
	assert.Equal(t, "500m cpu", Resources{MilliCPU: 500}.String())
}

// BenchmarkSimulate measures one question on a cluster of 1,000 nodes, a
// tenth of them with room: the cost of a gang round's placement check.
func BenchmarkSimulate(b *testing.B) {
	for _, need := range []int{8, 100, 1000} {
		b.Run(fmt.Sprintf("nodes=1000/need=%d", need), func(b *testing.B) {
			t := &testing.T{}
			all := nodes(1000, "8")
			var pods []*v1.Pod
			for i, p := range others(all, "8") {
				if i%10 != 0 {
					pods = append(pods, p)
				}
			}
			ctx, fh, infos := filtertest.NewFramework(t, all, pods)
			m := member().Obj()
			state := filtertest.Cycle(ctx, t, fh, m)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := Simulate(ctx, fh, infos, Question{Member: m, State: state, Need: need}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
