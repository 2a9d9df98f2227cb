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

package topology

import (
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/kubernetes/pkg/scheduler/metrics"
	st "k8s.io/kubernetes/pkg/scheduler/testing"

	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/workloadgang/internal/filtertest"
	"github.com/gangsched/gangsched/pkg/workloadgang/placement"
)

func TestMain(m *testing.M) {
	// The framework records extension point metrics, which must exist.
	metrics.Register()
	os.Exit(m.Run())
}

const (
	rack   = "example.com/rack"
	zone   = "topology.kubernetes.io/zone"
	region = "topology.kubernetes.io/region"
)

// node returns a node with cpu cores and the labels given as key, value
// pairs.
func node(name string, cpu int, labels ...string) *v1.Node {
	w := st.MakeNode().Name(name).Capacity(map[v1.ResourceName]string{
		v1.ResourceCPU: fmt.Sprint(cpu), v1.ResourceMemory: "64Gi", v1.ResourcePods: "110",
	})
	for i := 0; i+1 < len(labels); i += 2 {
		w = w.Label(labels[i], labels[i+1])
	}
	return w.Obj()
}

// running returns a pod using cpu cores on a node: room in use, or
// reserved by the scheduler's cache, as the snapshot shows both.
func running(name, nodeName string, cpu int) *v1.Pod {
	return st.MakePod().Namespace("ns").Name(name).UID(name).Node(nodeName).
		Req(map[v1.ResourceName]string{v1.ResourceCPU: fmt.Sprint(cpu)}).Obj()
}

// member requests one core.
func member() *st.PodWrapper {
	return st.MakePod().Namespace("ns").Name("m").UID("m").Req(map[v1.ResourceName]string{v1.ResourceCPU: "1"})
}

func TestDomains(t *testing.T) {
	_, _, infos := filtertest.NewFramework(t, []*v1.Node{
		node("a-0", 4, rack, "rack-a"), node("b-0", 4, rack, "rack-b"), node("a-1", 4, rack, "rack-a"), node("bare", 4),
	}, nil)
	got := map[string][]string{}
	for v, ns := range Domains(infos, rack) {
		for _, ni := range ns {
			got[v] = append(got[v], ni.Node().Name)
		}
		slices.Sort(got[v])
	}
	assert.Equal(t, map[string][]string{"rack-a": {"a-0", "a-1"}, "rack-b": {"b-0"}}, got)
}

func TestChoose(t *testing.T) {
	required := gang.Topology{Required: rack}
	preferred := gang.Topology{Preferred: rack}
	both := gang.Topology{Required: zone, Preferred: rack}
	// Three racks of 8, 4 and 12 free cores.
	racks := []*v1.Node{
		node("a-0", 4, rack, "rack-a"), node("a-1", 4, rack, "rack-a"),
		node("b-0", 4, rack, "rack-b"),
		node("c-0", 4, rack, "rack-c"), node("c-1", 4, rack, "rack-c"), node("c-2", 4, rack, "rack-c"),
	}
	// Zone z1 holds racks r1 and r2 (4 cores each), z2 racks r3 (4) and r4 (8).
	zones := []*v1.Node{
		node("r1-0", 4, zone, "z1", rack, "r1"), node("r2-0", 4, zone, "z1", rack, "r2"),
		node("r3-0", 4, zone, "z2", rack, "r3"), node("r4-0", 4, zone, "z2", rack, "r4"), node("r4-1", 4, zone, "z2", rack, "r4"),
	}
	tests := []struct {
		name          string
		nodes         []*v1.Node
		pods          []*v1.Pod
		member        *v1.Pod
		need          int
		topology      gang.Topology
		gone          func(*v1.Pod) bool
		wantKind      Kind
		wantDomain    string
		wantPreferred []string
		wantNodes     []string
		wantLargest   string
		wantPlaced    int
		wantErr       string
	}{
		{
			name:  "no topology: anywhere",
			nodes: racks, member: member().Obj(), need: 4,
			wantKind: Anywhere,
		},
		{
			name:  "best fit: the rack the gang fills exactly",
			nodes: racks, member: member().Obj(), need: 4, topology: required,
			wantKind: Chosen, wantDomain: "rack-b", wantNodes: []string{"b-0"},
		},
		{
			name:  "best fit: the rack with the least room over",
			nodes: racks, member: member().Obj(), need: 5, topology: required,
			wantKind: Chosen, wantDomain: "rack-a", wantNodes: []string{"a-0", "a-1"},
		},
		{
			name:  "best fit: a gang only the biggest rack holds",
			nodes: racks, member: member().Obj(), need: 9, topology: required,
			wantKind: Chosen, wantDomain: "rack-c", wantNodes: []string{"c-0", "c-1", "c-2"},
		},
		{
			name: "ties go to the smallest domain value",
			nodes: []*v1.Node{
				node("y-0", 4, rack, "rack-y"), node("x-0", 4, rack, "rack-x"), node("z-0", 4, rack, "rack-z"),
			},
			member: member().Obj(), need: 3, topology: required,
			wantKind: Chosen, wantDomain: "rack-x", wantNodes: []string{"x-0"},
		},
		{
			name:   "required: nodes without the label are never used",
			nodes:  []*v1.Node{node("a-0", 4, rack, "rack-a"), node("bare", 64)},
			member: member().Obj(), need: 4, topology: required,
			wantKind: Chosen, wantDomain: "rack-a", wantNodes: []string{"a-0"},
		},
		{
			name:   "required: a big unlabelled node does not make room",
			nodes:  []*v1.Node{node("a-0", 4, rack, "rack-a"), node("bare", 64)},
			member: member().Obj(), need: 6, topology: required,
			wantKind: NoDomain, wantLargest: "rack-a", wantPlaced: 4,
		},
		{
			name:  "room in use or reserved is counted",
			nodes: racks, pods: []*v1.Pod{running("p-a0", "a-0", 3), running("p-a1", "a-1", 3)},
			member: member().Obj(), need: 2, topology: required,
			wantKind: Chosen, wantDomain: "rack-a", wantNodes: []string{"a-0", "a-1"},
		},
		{
			name:  "a rack whose room is in use does not hold the gang",
			nodes: racks, pods: []*v1.Pod{running("p-a0", "a-0", 3), running("p-a1", "a-1", 3)},
			member: member().Obj(), need: 3, topology: required,
			wantKind: Chosen, wantDomain: "rack-b", wantNodes: []string{"b-0"},
		},
		{
			name:  "pods treated as gone give their room back",
			nodes: racks, pods: []*v1.Pod{running("p-c0", "c-0", 4), running("p-c1", "c-1", 4), running("p-c2", "c-2", 4)},
			gone:   func(p *v1.Pod) bool { return p.Name == "p-c0" || p.Name == "p-c1" || p.Name == "p-c2" },
			member: member().Obj(), need: 10, topology: required,
			wantKind: Chosen, wantDomain: "rack-c", wantNodes: []string{"c-0", "c-1", "c-2"},
		},
		{
			name:   "the member's own constraints: its nodeSelector",
			nodes:  append([]*v1.Node{node("d-0", 4, rack, "rack-d", "disk", "ssd")}, racks...),
			member: member().NodeSelector(map[string]string{"disk": "ssd"}).Obj(), need: 3, topology: required,
			wantKind: Chosen, wantDomain: "rack-d", wantNodes: []string{"d-0"},
		},
		{
			name:  "no domain has room: the largest is named",
			nodes: racks, pods: []*v1.Pod{running("p-a0", "a-0", 4), running("p-c0", "c-0", 4), running("p-c1", "c-1", 1)},
			member: member().Obj(), need: 8, topology: required,
			wantKind: NoDomain, wantLargest: "rack-c", wantPlaced: 7,
		},
		{
			name:  "no domain has room: largest ties go to the smallest value",
			nodes: racks, pods: []*v1.Pod{running("p-a0", "a-0", 4), running("p-c0", "c-0", 4), running("p-c1", "c-1", 4)},
			member: member().Obj(), need: 5, topology: required,
			wantKind: NoDomain, wantLargest: "rack-a", wantPlaced: 4,
		},
		{
			name:   "no node has the label",
			nodes:  []*v1.Node{node("bare", 64)},
			member: member().Obj(), need: 1, topology: required,
			wantKind: NoDomain,
		},
		{
			name:  "preferred: one rack holds the gang, best fit",
			nodes: racks, member: member().Obj(), need: 6, topology: preferred,
			wantKind: Chosen, wantPreferred: []string{"rack-a"}, wantNodes: []string{"a-0", "a-1"},
		},
		{
			name:  "preferred: no rack holds it, fewest racks, largest first",
			nodes: racks, member: member().Obj(), need: 14, topology: preferred,
			wantKind: Chosen, wantPreferred: []string{"rack-c", "rack-a"}, wantNodes: []string{"a-0", "a-1", "c-0", "c-1", "c-2"},
		},
		{
			name:  "preferred: every rack, then the nodes without the label",
			nodes: append([]*v1.Node{node("bare", 4)}, racks...), member: member().Obj(), need: 26, topology: preferred,
			wantKind: Chosen, wantPreferred: []string{"rack-c", "rack-a", "rack-b"},
			wantNodes: []string{"a-0", "a-1", "b-0", "bare", "c-0", "c-1", "c-2"},
		},
		{
			name:  "preferred: not even every node holds the gang",
			nodes: racks, member: member().Obj(), need: 25, topology: preferred,
			wantKind: Anywhere,
		},
		{
			name:  "required zone, preferred rack: best-fit zone, one rack in it",
			nodes: zones, member: member().Obj(), need: 3, topology: both,
			wantKind: Chosen, wantDomain: "z1", wantPreferred: []string{"r1"}, wantNodes: []string{"r1-0"},
		},
		{
			name:  "required zone, preferred rack: fewest racks in the zone",
			nodes: zones, member: member().Obj(), need: 7, topology: both,
			wantKind: Chosen, wantDomain: "z1", wantPreferred: []string{"r1", "r2"}, wantNodes: []string{"r1-0", "r2-0"},
		},
		{
			name:  "required zone, preferred rack: only the bigger zone holds it",
			nodes: zones, member: member().Obj(), need: 10, topology: both,
			wantKind: Chosen, wantDomain: "z2", wantPreferred: []string{"r4", "r3"}, wantNodes: []string{"r3-0", "r4-0", "r4-1"},
		},
		{
			name: "invalid pair: preferred region holds two zones",
			nodes: []*v1.Node{
				node("n-0", 4, zone, "z1", region, "west"), node("n-1", 4, zone, "z2", region, "west"), node("n-2", 4, zone, "z3", region, "east"),
			},
			member: member().Obj(), need: 1, topology: gang.Topology{Required: zone, Preferred: region},
			wantKind: InvalidPair,
			wantErr:  `annotation gangsched.io/topology-preferred="topology.kubernetes.io/region" is invalid: it is coarser than gangsched.io/topology-required="topology.kubernetes.io/zone": its domain west holds nodes of the domains z1 and z2`,
		},
		{
			name:   "valid pair: one rack per zone",
			nodes:  []*v1.Node{node("n-0", 4, zone, "z1", rack, "r1"), node("n-1", 4, zone, "z2", rack, "r2")},
			member: member().Obj(), need: 2, topology: both,
			wantKind: Chosen, wantDomain: "z1", wantPreferred: []string{"r1"}, wantNodes: []string{"n-0"},
		},
		{
			name: "valid pair: rack names reused across zones",
			nodes: []*v1.Node{
				node("n-0", 4, zone, "z1", rack, "r1"), node("n-1", 4, zone, "z1", rack, "r2"),
				node("n-2", 4, zone, "z2", rack, "r1"), node("n-3", 4, zone, "z2", rack, "r2"),
			},
			member: member().Obj(), need: 5, topology: both,
			wantKind: Chosen, wantDomain: "z1", wantPreferred: []string{"r1", "r2"}, wantNodes: []string{"n-0", "n-1"},
		},
		{
			name:   "pod anti-affinity under required: unjudged, the domain with most nodes that pass",
			nodes:  racks,
			pods:   []*v1.Pod{running("p-c0", "c-0", 4), running("p-c1", "c-1", 4)},
			member: member().PodAntiAffinityExists("app", "kubernetes.io/hostname", st.PodAntiAffinityWithRequiredReq).Obj(), need: 2, topology: required,
			wantKind: Unknown, wantDomain: "rack-a", wantNodes: []string{"a-0", "a-1"},
		},
		{
			name:   "pod anti-affinity under preferred alone: anywhere",
			nodes:  racks,
			member: member().PodAntiAffinityExists("app", "kubernetes.io/hostname", st.PodAntiAffinityWithRequiredReq).Obj(), need: 2, topology: preferred,
			wantKind: Anywhere,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, fh, infos := filtertest.NewFramework(t, tc.nodes, tc.pods)
			q := placement.Question{Member: tc.member, State: filtertest.Cycle(ctx, t, fh, tc.member), Need: tc.need, Gone: tc.gone}
			got, err := Choose(ctx, fh, infos, q, tc.topology)
			require.NoError(t, err)
			assert.Equal(t, tc.wantKind, got.Kind, "kind")
			assert.Equal(t, tc.wantDomain, got.Domain, "domain")
			assert.Equal(t, tc.wantPreferred, got.Preferred, "preferred domains")
			if tc.wantNodes == nil {
				assert.Empty(t, got.Nodes, "nodes")
			} else {
				assert.Equal(t, tc.wantNodes, sets.List(got.Nodes), "nodes")
			}
			assert.Equal(t, tc.wantLargest, got.Largest, "largest")
			assert.Equal(t, tc.wantPlaced, got.LargestPlaced, "largest placed")
			if tc.wantErr == "" {
				assert.NoError(t, got.Err)
			} else if assert.Error(t, got.Err) {
				assert.Contains(t, got.Err.Error(), tc.wantErr)
			}
		})
	}
}

// TestNoDomainMessageFromChoice words a NoDomain choice as the issue does.
func TestNoDomainMessageFromChoice(t *testing.T) {
	nodes := []*v1.Node{node("r2-0", 2, rack, "rack-2"), node("r3-0", 4, rack, "rack-3"), node("r3-1", 1, rack, "rack-3")}
	ctx, fh, infos := filtertest.NewFramework(t, nodes, nil)
	m := member().Obj()
	got, err := Choose(ctx, fh, infos, placement.Question{Member: m, State: filtertest.Cycle(ctx, t, fh, m), Need: 8}, gang.Topology{Required: rack})
	require.NoError(t, err)
	require.Equal(t, NoDomain, got.Kind)
	k := gang.GroupKey{Namespace: "ns", Workload: "w", PodGroup: "pg"}
	assert.Equal(t, "no example.com/rack domain has room for 8 pods of gang ns/w/pg; the largest free room is rack-3, 5 pods",
		gang.NoDomainMessage(k, rack, 8, got.Largest, got.LargestPlaced))
}

// TestReplicasChooseIndependently: each replica key is its own gang and
// makes its own choice; the room the first reserved is in the snapshot the
// second sees.
func TestReplicasChooseIndependently(t *testing.T) {
	nodes := []*v1.Node{node("a-0", 4, rack, "rack-a"), node("b-0", 4, rack, "rack-b")}
	m := member().Obj()
	ctx, fh, infos := filtertest.NewFramework(t, nodes, nil)
	first, err := Choose(ctx, fh, infos, placement.Question{Member: m, State: filtertest.Cycle(ctx, t, fh, m), Need: 4}, gang.Topology{Required: rack})
	require.NoError(t, err)
	assert.Equal(t, Chosen, first.Kind)
	assert.Equal(t, "rack-a", first.Domain)

	var reserved []*v1.Pod
	for i := range 4 {
		reserved = append(reserved, running(fmt.Sprintf("replica-0-%d", i), "a-0", 1))
	}
	ctx, fh, infos = filtertest.NewFramework(t, nodes, reserved)
	second, err := Choose(ctx, fh, infos, placement.Question{Member: m, State: filtertest.Cycle(ctx, t, fh, m), Need: 4}, gang.Topology{Required: rack})
	require.NoError(t, err)
	assert.Equal(t, Chosen, second.Kind)
	assert.Equal(t, "rack-b", second.Domain)
}

// TestChooseLeavesSnapshot: choosing never changes the snapshot.
func TestChooseLeavesSnapshot(t *testing.T) {
	nodes := []*v1.Node{node("a-0", 4, rack, "rack-a"), node("b-0", 8, rack, "rack-b"), node("bare", 4)}
	ctx, fh, infos := filtertest.NewFramework(t, nodes, []*v1.Pod{running("p", "a-0", 1)})
	before := map[string]int64{}
	for _, ni := range infos {
		before[ni.Node().Name] = ni.GetRequested().GetMilliCPU()
	}
	m := member().Obj()
	for _, topo := range []gang.Topology{{Required: rack}, {Preferred: rack}} {
		_, err := Choose(ctx, fh, infos, placement.Question{Member: m, State: filtertest.Cycle(ctx, t, fh, m), Need: 14}, topo)
		require.NoError(t, err)
	}
	for _, ni := range infos {
		assert.Equal(t, before[ni.Node().Name], ni.GetRequested().GetMilliCPU(), "snapshot of %s changed", ni.Node().Name)
	}
}

// BenchmarkChoose measures one choice of a rack for a gang on 1,000 nodes
// in 50 racks of 20, each node with 8 cores of which 0 to 7 are in use: the
// cost a gang round adds when it starts.
func BenchmarkChoose(b *testing.B) {
	var nodes []*v1.Node
	var pods []*v1.Pod
	for i := range 1000 {
		name := fmt.Sprintf("node-%d", i)
		nodes = append(nodes, node(name, 8, rack, fmt.Sprintf("rack-%02d", i%50)))
		if used := (i * 7 / 50) % 8; used > 0 {
			pods = append(pods, running("used-"+name, name, used))
		}
	}
	ctx, fh, infos := filtertest.NewFramework(b, nodes, pods)
	m := member().Obj()
	state := filtertest.Cycle(ctx, b, fh, m)
	for _, need := range []int{8, 16, 32} {
		for _, topo := range []gang.Topology{{Required: rack}, {Preferred: rack}} {
			kind := "required"
			if topo.Required == "" {
				kind = "preferred"
			}
			b.Run(fmt.Sprintf("nodes=1000/racks=50/%s/gang=%d", kind, need), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					c, err := Choose(ctx, fh, infos, placement.Question{Member: m, State: state, Need: need}, topo)
					if err != nil || c.Kind != Chosen {
						b.Fatalf("Choose: %v, %v", c.Kind, err)
					}
				}
			})
		}
	}
}
