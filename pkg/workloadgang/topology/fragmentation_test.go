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
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	st "k8s.io/kubernetes/pkg/scheduler/testing"

	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/workloadgang/internal/filtertest"
	"github.com/gangsched/gangsched/pkg/workloadgang/placement"
)

// TestFirstFitPolicy: the first-fit policy of the fragmentation run tries
// domains by value, where Choose (best fit) takes the one with the least
// room over.
func TestFirstFitPolicy(t *testing.T) {
	// rack-a has 8 free cores, rack-b 4.
	nodes := []*v1.Node{node("a-0", 4, rack, "rack-a"), node("a-1", 4, rack, "rack-a"), node("b-0", 4, rack, "rack-b")}
	ctx, fh, infos := filtertest.NewFramework(t, nodes, nil)
	m := member().Obj()
	q := placement.Question{Member: m, State: filtertest.Cycle(ctx, t, fh, m), Need: 4}
	for _, tc := range []struct {
		policy policy
		want   string
	}{{bestFitPolicy, "rack-b"}, {firstFitPolicy, "rack-a"}} {
		got, err := choose(ctx, fh, infos, q, gang.Topology{Required: rack}, tc.policy)
		require.NoError(t, err)
		assert.Equal(t, Chosen, got.Kind)
		assert.Equal(t, tc.want, got.Domain, "policy %d", tc.policy)
	}
	best, err := Choose(ctx, fh, infos, q, gang.Topology{Required: rack})
	require.NoError(t, err)
	assert.Equal(t, "rack-b", best.Domain, "Choose is best fit")
}

// The fragmentation run's cluster and load. Racks of fragRackNodes nodes
// of fragNodeCPU cores; each wave, the gangs due finish and then
// fragArrivals gangs arrive, each of fragSizes members (uniform) of 1 or 2
// cores, staying 1 to fragMaxLife waves. The largest gang (32 members of 2
// cores) fills an empty rack exactly, so every refusal is a rack that is
// not free enough, never a gang too big for any rack. The offered load is
// about the cluster's capacity, so that room runs short and fragmented.
const (
	fragRacks     = 40
	fragRackNodes = 8
	fragNodeCPU   = 8
	fragWaves     = 60
	fragArrivals  = 12
	fragMaxLife   = 18
)

var (
	fragSizes = []int{2, 4, 8, 16, 24, 32}
	fragSeeds = []uint64{1, 2, 3}
)

// arrival is one gang of the seeded sequence.
type arrival struct {
	id, size, cpu  int
	arrive, depart int // waves
}

// arrivals returns the seeded arrival sequence, the same for every policy.
func arrivals(seed uint64) []arrival {
	rng := rand.New(rand.NewPCG(seed, 0x9a96))
	var out []arrival
	for w := range fragWaves {
		for range fragArrivals {
			out = append(out, arrival{
				id: len(out), size: fragSizes[rng.IntN(len(fragSizes))], cpu: 1 + rng.IntN(2),
				arrive: w, depart: w + 1 + rng.IntN(fragMaxLife),
			})
		}
	}
	return out
}

// fragCounts is what one policy did with a sequence.
type fragCounts struct {
	// placed: gangs placed in one rack.
	placed int
	// refusedWithRoom: NoDomain although the free room of the whole
	// cluster (member slots by requests, summed over every node) held the
	// gang: refused for fragmentation across racks.
	refusedWithRoom int
	// refusedNoRoom: NoDomain, and not even the whole cluster held it.
	refusedNoRoom int
}

// fragment replays seq on a fresh cluster under policy p: the real choice
// (choose, the filters of filtertest), each placed gang's members put on
// its domain's nodes by placement.Simulate and added to the NodeInfos,
// and taken off again when the gang finishes.
func fragment(t *testing.T, seq []arrival, p policy) fragCounts {
	t.Helper()
	var nodes []*v1.Node
	for r := range fragRacks {
		for i := range fragRackNodes {
			nodes = append(nodes, node(fmt.Sprintf("r%02d-%d", r, i), fragNodeCPU, rack, fmt.Sprintf("rack-%02d", r)))
		}
	}
	ctx, fh, infos := filtertest.NewFramework(t, nodes, nil)
	logger := klog.FromContext(ctx)
	byName := map[string]fwk.NodeInfo{}
	for _, ni := range infos {
		byName[ni.Node().Name] = ni
	}
	members := map[int]*v1.Pod{}
	states := map[int]fwk.CycleState{}
	for _, cpu := range []int{1, 2} {
		members[cpu] = st.MakePod().Namespace("ns").Name(fmt.Sprintf("m-%d", cpu)).UID(fmt.Sprintf("m-%d", cpu)).
			Req(map[v1.ResourceName]string{v1.ResourceCPU: fmt.Sprint(cpu)}).Obj()
		states[cpu] = filtertest.Cycle(ctx, t, fh, members[cpu])
	}
	running := map[int][]*v1.Pod{} // arrival id -> its placed pods
	var out fragCounts
	next := 0
	for w := range fragWaves {
		for id, pods := range running {
			if seq[id].depart != w {
				continue
			}
			for _, pod := range pods {
				require.NoError(t, byName[pod.Spec.NodeName].RemovePod(logger, pod))
			}
			delete(running, id)
		}
		for ; next < len(seq) && seq[next].arrive == w; next++ {
			a := seq[next]
			q := placement.Question{Member: members[a.cpu], State: states[a.cpu], Need: a.size}
			c, err := choose(ctx, fh, infos, q, gang.Topology{Required: rack}, p)
			require.NoError(t, err)
			switch c.Kind {
			case Chosen:
				running[a.id] = place(ctx, t, fh, infos, c, q, a)
				out.placed++
			case NoDomain:
				if freeSlots(infos, a.cpu) >= a.size {
					out.refusedWithRoom++
				} else {
					out.refusedNoRoom++
				}
			default:
				t.Fatalf("gang %d: choice %v", a.id, c.Kind)
			}
		}
	}
	// Every gang finished: the accounting must leave the cluster empty.
	for id, pods := range running {
		for _, pod := range pods {
			require.NoError(t, byName[pod.Spec.NodeName].RemovePod(logger, pod), "gang %d", id)
		}
	}
	for _, ni := range infos {
		require.Zero(t, ni.GetRequested().GetMilliCPU(), "node %s not empty after every gang finished", ni.Node().Name)
	}
	return out
}

// place puts gang a's members on the chosen domain, where placement.Simulate
// puts them, and returns the pods added to the NodeInfos.
func place(ctx context.Context, t *testing.T, fh placement.Runner, infos []fwk.NodeInfo, c Choice, q placement.Question, a arrival) []*v1.Pod {
	t.Helper()
	var domain []fwk.NodeInfo
	racks := map[string]bool{}
	for _, ni := range infos {
		if c.Nodes.Has(ni.Node().Name) {
			domain = append(domain, ni)
			racks[ni.Node().Labels[rack]] = true
		}
	}
	require.Equal(t, map[string]bool{c.Domain: true}, racks, "gang %d: the chosen nodes are one rack", a.id)
	ans, err := placement.Simulate(ctx, fh, domain, q)
	require.NoError(t, err)
	require.Equal(t, placement.Fits, ans.Kind, "gang %d: the chosen domain holds it", a.id)
	var pods []*v1.Pod
	for _, ni := range domain {
		for i := range ans.Nodes[ni.Node().Name] {
			pod := running(fmt.Sprintf("g%d-%s-%d", a.id, ni.Node().Name, i), ni.Node().Name, a.cpu)
			pi, err := framework.NewPodInfo(pod)
			require.NoError(t, err)
			ni.AddPodInfo(pi)
			pods = append(pods, pod)
		}
	}
	require.Len(t, pods, a.size)
	return pods
}

// freeSlots is how many members of cpu cores the free room of every node
// holds, summed.
func freeSlots(infos []fwk.NodeInfo, cpu int) int {
	total := 0
	for _, ni := range infos {
		free := ni.GetAllocatable().GetMilliCPU() - ni.GetRequested().GetMilliCPU()
		total += int(free / int64(cpu*1000))
	}
	return total
}

// TestFragmentation replays seeded waves of gangs of mixed sizes arriving
// and finishing under a required rack topology, once with best fit (Choose)
// and once with first fit, and counts the gangs that found no rack although
// the cluster as a whole had room for them.
func TestFragmentation(t *testing.T) {
	var sumBest, sumFirst fragCounts
	for _, seed := range fragSeeds {
		seq := arrivals(seed)
		best := fragment(t, seq, bestFitPolicy)
		first := fragment(t, seq, firstFitPolicy)
		t.Logf("seed %d: %d gangs; best fit: %d placed, %d refused with room, %d refused without room; first fit: %d placed, %d refused with room, %d refused without room",
			seed, len(seq), best.placed, best.refusedWithRoom, best.refusedNoRoom, first.placed, first.refusedWithRoom, first.refusedNoRoom)
		for name, c := range map[string]fragCounts{"best fit": best, "first fit": first} {
			assert.Equal(t, len(seq), c.placed+c.refusedWithRoom+c.refusedNoRoom, "seed %d, %s: every gang counted once", seed, name)
			assert.Positive(t, c.placed, "seed %d, %s: gangs placed", seed, name)
		}
		// The load must make first fit fragment, or the comparison says
		// nothing.
		assert.Positive(t, first.refusedWithRoom, "seed %d: first fit refuses gangs for fragmentation", seed)
		assert.LessOrEqual(t, best.refusedWithRoom, first.refusedWithRoom, "seed %d: best fit refuses no more gangs with room than first fit", seed)
		for _, p := range []struct {
			sum *fragCounts
			c   fragCounts
		}{{&sumBest, best}, {&sumFirst, first}} {
			p.sum.placed += p.c.placed
			p.sum.refusedWithRoom += p.c.refusedWithRoom
			p.sum.refusedNoRoom += p.c.refusedNoRoom
		}
	}
	t.Logf("fragmentation: %d racks of %d nodes (%d cores each), %d waves of %d gangs (sizes %v, 1 or 2 cores per member, 1-%d waves each), seeds %v",
		fragRacks, fragRackNodes, fragNodeCPU, fragWaves, fragArrivals, fragSizes, fragMaxLife, fragSeeds)
	t.Logf("| policy | gangs placed | refused with room in the cluster | refused, cluster full |")
	t.Logf("|---|---|---|---|")
	t.Logf("| best fit | %d | %d | %d |", sumBest.placed, sumBest.refusedWithRoom, sumBest.refusedNoRoom)
	t.Logf("| first fit | %d | %d | %d |", sumFirst.placed, sumFirst.refusedWithRoom, sumFirst.refusedNoRoom)
	assert.Less(t, sumBest.refusedWithRoom, sumFirst.refusedWithRoom, "over the seeds, best fit refuses fewer gangs with room than first fit")
}
