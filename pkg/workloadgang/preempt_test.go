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
	"fmt"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	policy "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	st "k8s.io/kubernetes/pkg/scheduler/testing"

	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/workloadgang/internal/filtertest"
	"github.com/gangsched/gangsched/pkg/workloadgang/placement"
)

// cpuNodes returns n nodes with the given CPU.
func cpuNodes(n int, cpu string) []*v1.Node {
	var out []*v1.Node
	for i := range n {
		out = append(out, st.MakeNode().Name(fmt.Sprintf("node-%d", i)).
			Capacity(map[v1.ResourceName]string{v1.ResourceCPU: cpu, v1.ResourceMemory: "8Gi", v1.ResourcePods: "110"}).Obj())
	}
	return out
}

// started is the start time of every running pod: pods of one priority
// then rank by their order on the node.
var started = metav1.Unix(1_700_000_000, 0)

// running returns a pod bound to node, requesting cpu, of the given priority.
func running(name, node, cpu string, priority int32) *v1.Pod {
	p := st.MakePod().Namespace("ns").Name(name).UID(name).Node(node).Priority(priority).
		Req(map[v1.ResourceName]string{v1.ResourceCPU: cpu}).Obj()
	p.Status.StartTime = &started
	return p
}

// terminatingPod marks a pod as being deleted.
func terminatingPod(p *v1.Pod) *v1.Pod {
	now := metav1.Now()
	p.DeletionTimestamp = &now
	return p
}

// fill returns count pods of 1 cpu and priority 0 on node, named prefix-i.
func fill(prefix, node string, count int) []*v1.Pod {
	var pods []*v1.Pod
	for i := range count {
		pods = append(pods, running(fmt.Sprintf("%s-%d", prefix, i), node, "1", 0))
	}
	return pods
}

func TestChooseVictims(t *testing.T) {
	preemptor := st.MakePod().Namespace("ns").Name("m").UID("m").Priority(100).Req(map[v1.ResourceName]string{v1.ResourceCPU: "1"}).Obj()
	tests := []struct {
		name        string
		nodes       []*v1.Node
		pods        []*v1.Pod
		need        int
		wantKind    placement.Kind
		wantPlaced  int
		wantNodes   map[string]int
		wantVictims []string
		// kinds say how the gangs, by Workload name, are disrupted.
		kinds map[string]groupDisruption
		pdbs  []*policy.PodDisruptionBudget
	}{
		{
			name:  "full nodes: the fewest victims, on one node",
			nodes: cpuNodes(2, "4"), pods: append(fill("a", "node-0", 4), fill("b", "node-1", 4)...), need: 4,
			wantKind: placement.Fits, wantNodes: map[string]int{"node-0": 4}, wantVictims: []string{"a-0", "a-1", "a-2", "a-3"},
		},
		{
			name:  "free room first, victims for the rest",
			nodes: cpuNodes(2, "4"), pods: append(fill("a", "node-0", 2), fill("b", "node-1", 4)...), need: 4,
			wantKind: placement.Fits, wantNodes: map[string]int{"node-0": 4}, wantVictims: []string{"a-0", "a-1"},
		},
		{
			name:  "no victim when the room is free",
			nodes: cpuNodes(2, "4"), pods: fill("a", "node-0", 4), need: 4,
			wantKind: placement.Fits, wantNodes: map[string]int{"node-1": 4},
		},
		{
			name:  "the node with the fewest victims per member",
			nodes: cpuNodes(2, "4"), pods: append([]*v1.Pod{running("big", "node-1", "4", 0)}, fill("a", "node-0", 4)...), need: 4,
			wantKind: placement.Fits, wantNodes: map[string]int{"node-1": 4}, wantVictims: []string{"big"},
		},
		{
			name:  "members split across nodes; the last node gives up only what is needed",
			nodes: cpuNodes(2, "2"), pods: append(fill("a", "node-0", 2), fill("b", "node-1", 2)...), need: 3,
			wantKind: placement.Fits, wantNodes: map[string]int{"node-0": 2, "node-1": 1}, wantVictims: []string{"a-0", "a-1", "b-1"},
		},
		{
			name:  "the more important pods are reprieved first",
			nodes: cpuNodes(1, "4"),
			pods:  []*v1.Pod{running("p10", "node-0", "2", 10), running("p5", "node-0", "1", 5), running("p1", "node-0", "1", 1)},
			need:  2, wantKind: placement.Fits, wantNodes: map[string]int{"node-0": 2}, wantVictims: []string{"p1", "p5"},
		},
		{
			name:  "the room of terminating pods counts as free: no second preemption while victims go",
			nodes: cpuNodes(2, "4"), pods: append([]*v1.Pod{terminatingPod(running("gone", "node-0", "1", 0))}, fill("b", "node-1", 4)...), need: 4,
			wantKind: placement.Fits, wantNodes: map[string]int{"node-0": 4},
		},
		{
			name:  "pods of equal or higher priority are never victims",
			nodes: cpuNodes(1, "4"), pods: []*v1.Pod{running("high", "node-0", "3", 100), running("low", "node-0", "1", 0)}, need: 2,
			wantKind: placement.DoesNotFit, wantPlaced: 1,
		},
		{
			name:  "a Single gang may be split when that is cheapest",
			nodes: cpuNodes(2, "4"), kinds: map[string]groupDisruption{"g": disruptSingle},
			pods: []*v1.Pod{member("g-0", "g", "node-0", "3", 1), running("a-0", "node-0", "1", 1),
				member("g-1", "g", "node-1", "1", 1), running("b-0", "node-1", "1", 1), running("b-1", "node-1", "1", 1), running("b-2", "node-1", "1", 1)},
			need: 3, wantKind: placement.Fits, wantNodes: map[string]int{"node-0": 3}, wantVictims: []string{"g-0"},
		},
		{
			name:  "the cheapest choice would split an All gang: the whole gang goes",
			nodes: cpuNodes(2, "4"), kinds: map[string]groupDisruption{"g": disruptWhole},
			pods: []*v1.Pod{member("g-0", "g", "node-0", "3", 1), running("a-0", "node-0", "1", 1),
				member("g-1", "g", "node-1", "1", 1), running("b-0", "node-1", "1", 1), running("b-1", "node-1", "1", 1), running("b-2", "node-1", "1", 1)},
			need: 3, wantKind: placement.Fits, wantNodes: map[string]int{"node-0": 3}, wantVictims: []string{"g-0", "g-1"},
		},
		{
			name:  "an All gang of higher priority than another set: the other set goes",
			nodes: cpuNodes(2, "4"), kinds: map[string]groupDisruption{"g": disruptWhole},
			pods: []*v1.Pod{member("g-0", "g", "node-0", "3", 5), running("a-0", "node-0", "1", 1),
				member("g-1", "g", "node-1", "1", 5), running("b-0", "node-1", "1", 1), running("b-1", "node-1", "1", 1), running("b-2", "node-1", "1", 1)},
			need: 3, wantKind: placement.Fits, wantNodes: map[string]int{"node-1": 3}, wantVictims: []string{"b-0", "b-1", "b-2"},
		},
		{
			name:  "the victims that violate no PodDisruptionBudget",
			nodes: cpuNodes(2, "4"), pdbs: []*policy.PodDisruptionBudget{blockingPDB("a")},
			pods: append([]*v1.Pod{labelled(running("a-0", "node-0", "1", 0), "a"), labelled(running("a-1", "node-0", "1", 0), "a"),
				labelled(running("a-2", "node-0", "1", 0), "a"), labelled(running("a-3", "node-0", "1", 0), "a")}, fill("b", "node-1", 4)...),
			need: 4, wantKind: placement.Fits, wantNodes: map[string]int{"node-1": 4}, wantVictims: []string{"b-0", "b-1", "b-2", "b-3"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, fh, infos := filtertest.NewFramework(t, tc.nodes, tc.pods)
			idx := newDisruptionIndex(infos, groupKind(tc.kinds))
			lower := func(p *v1.Pod) (*victimUnit, bool) {
				u, ok := idx.unitOf(p)
				if !ok || p.Spec.NodeName == "" || u.priority >= 100 {
					return nil, false
				}
				return u, true
			}
			c, err := chooseVictims(ctx, fh, infos, victimQuestion{
				member: preemptor, state: filtertest.Cycle(ctx, t, fh, preemptor), need: tc.need, unitOf: lower, leaving: terminating, pdbs: tc.pdbs,
			})
			require.NoError(t, err)
			assert.Equal(t, tc.wantKind, c.kind)
			if tc.wantKind == placement.DoesNotFit {
				assert.Equal(t, tc.wantPlaced, c.placed)
				assert.Empty(t, c.victims)
				return
			}
			assert.Equal(t, tc.wantNodes, c.nodes)
			var got []string
			for _, v := range c.victims {
				got = append(got, v.Name)
			}
			sort.Strings(got)
			assert.Equal(t, tc.wantVictims, got)
		})
	}
}

// listerOf returns a pod lister holding pods.
func listerOf(pods ...*v1.Pod) func() corelisters.PodLister {
	idx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	for _, p := range pods {
		_ = idx.Add(p)
	}
	return func() corelisters.PodLister { return corelisters.NewPodLister(idx) }
}

func TestPreemptionsRecord(t *testing.T) {
	key := gang.GroupKey{Namespace: "ns", Workload: "train", PodGroup: "pg"}
	v1a, v1b := running("a", "node-0", "1", 0), running("b", "node-0", "1", 0)
	m1, m2, m3 := groupPod("m1", "train"), groupPod("m2", "train"), groupPod("m3", "train")

	p := newPreemptions()
	_, waits := p.pending(key, listerOf(v1a, v1b))
	require.False(t, waits, "no preemption yet")

	p.start(key, []*v1.Pod{v1a, v1b}, map[string]int{"node-0": 2}, started.Time)
	assert.True(t, p.evictedLately(v1a.UID), "a victim counts as leaving")
	assert.False(t, p.evictedLately(m1.UID))
	p.assign(key, m1, "node-0")
	p.wait(key, m1)
	assert.Equal(t, "node-0", p.nominate(key, m1), "the preemptor keeps its node")
	assert.Equal(t, "node-0", p.nominate(key, m2), "a slot is left for a second member")
	assert.Empty(t, p.nominate(key, m3), "no slot left")
	n, waits := p.pending(key, listerOf(v1a, v1b))
	require.True(t, waits)
	assert.Equal(t, 2, n)

	assert.Empty(t, p.victimGone(types.UID("unrelated")))
	assert.Equal(t, []*v1.Pod{m1}, p.victimGone(v1a.UID), "a victim's deletion activates the waiting members")
	n, waits = p.pending(key, listerOf(v1b))
	require.True(t, waits)
	assert.Equal(t, 1, n, "victims are counted once")

	// b was deleted before its event came: the lister tells.
	_, waits = p.pending(key, listerOf())
	assert.False(t, waits, "no victim left: the gang may preempt again")
	assert.Empty(t, p.gangOf)
	assert.Empty(t, p.byGang)
	assert.True(t, p.evictedLately(v1b.UID), "a victim still counts as leaving after its deletion: the snapshot may lag")
	p.start(gang.GroupKey{Namespace: "ns", Workload: "other", PodGroup: "pg"}, nil, nil, started.Add(evictedMemory))
	assert.False(t, p.evictedLately(v1b.UID), "until evictedMemory passes")
}
