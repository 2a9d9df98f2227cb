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
	"context"
	"math"
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	policy "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	extenderv1 "k8s.io/kube-scheduler/extender/v1"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/backend/cache"
	st "k8s.io/kubernetes/pkg/scheduler/testing"

	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/workloadgang/internal/filtertest"
)

// member returns a running pod of gang workload (podGroup pg).
func member(name, workload, node, cpu string, priority int32) *v1.Pod {
	p := running(name, node, cpu, priority)
	p.Spec.WorkloadRef = &v1.WorkloadReference{Name: workload, PodGroup: "pg"}
	return p
}

// groupKind returns a disruptionSource whose groups are disrupted as
// kinds says, by Workload name (never when absent).
func groupKind(kinds map[string]groupDisruption) disruptionSource {
	return disruptionSource{group: func(k gang.GroupKey) groupDisruption { return kinds[k.Workload] }, leaving: terminating}
}

// podNames returns the names of pods, sorted.
func podNames(pods []*v1.Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Name)
	}
	sort.Strings(out)
	return out
}

// blockingPDB is a PodDisruptionBudget of namespace ns that allows no
// disruption of the pods labelled app=app.
func blockingPDB(app string) *policy.PodDisruptionBudget {
	return &policy.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: app},
		Spec:       policy.PodDisruptionBudgetSpec{MinAvailable: ptrTo(intstr.FromInt32(1)), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}},
		Status:     policy.PodDisruptionBudgetStatus{DisruptionsAllowed: 0},
	}
}

func ptrTo[T any](v T) *T { return &v }

// labelled labels a pod app=app.
func labelled(p *v1.Pod, app string) *v1.Pod {
	p.Labels = map[string]string{"app": app}
	return p
}

func TestVictimUnits(t *testing.T) {
	basic := st.MakeWorkload().Name("basic").Namespace("ns").PodGroup(st.MakePodGroup().Name("pg").BasicPolicy().Obj()).Obj()
	single := gangWorkload("single", 2)
	single.Annotations = map[string]string{gang.DisruptionModeAnnotation: string(gang.DisruptionSingle)}
	invalid := gangWorkload("invalid", 2)
	invalid.Annotations = map[string]string{gang.DisruptionModeAnnotation: "sometimes"}
	busy := []*v1.Pod{member("busy-0", "busy", "node-0", "1", 0), member("busy-1", "busy", "node-1", "1", 0), groupPod("busy-2", "busy"), groupPod("busy-3", "busy")}
	env := newTestEnv(t, nil, gangWorkload("train", 2), gangWorkload("other", 2), gangWorkload("busy", 4), single, invalid, basic,
		busy[0], busy[1], busy[2], busy[3])
	waitFor(t, "the Workloads in the declaration index", func() bool {
		for _, n := range []string{"train", "other", "busy", "single", "invalid", "basic"} {
			if env.pl.decls.get(gang.WorkloadKey{Namespace: "ns", Name: n}) == nil {
				return false
			}
		}
		st, _ := env.pl.store.Group(gang.GroupKey{Namespace: "ns", Workload: "busy", PodGroup: "pg"})
		return st.Members == 4
	})
	// busy-2 waits at Permit: busy is in flight.
	require.Equal(t, fwk.Wait, env.reserveAndPermit(t, busy[2]).Code())
	assumed := busy[2].DeepCopy()
	assumed.Spec.NodeName = "node-1"

	pods := []*v1.Pod{
		running("plain", "node-0", "1", 0), running("peer", "node-0", "1", 100),
		member("other-0", "other", "node-0", "1", 0), member("other-1", "other", "node-1", "1", 200),
		member("invalid-0", "invalid", "node-0", "1", 0), member("invalid-1", "invalid", "node-1", "1", 0),
		member("single-0", "single", "node-0", "1", 0), member("single-1", "single", "node-1", "1", 0),
		member("basic-0", "basic", "node-0", "1", 0), member("train-0", "train", "node-0", "1", 0),
		member("lost-0", "lost", "node-0", "1", 0), terminatingPod(member("other-2", "other", "node-1", "1", 0)),
		busy[0], busy[1], assumed,
	}
	nodes, err := cache.NewSnapshot(pods, cpuNodes(2, "32")).NodeInfos().List()
	require.NoError(t, err)
	unitOf := env.pl.victimUnits(nodes, gang.GroupKey{Namespace: "ns", Workload: "train", PodGroup: "pg"}, 100)
	byName := map[string]*v1.Pod{}
	for _, p := range pods {
		byName[p.Name] = p
	}
	tests := []struct {
		pod string
		// wantPods are the unit's pods; none: no victim.
		wantPods     []string
		wantPriority int32
	}{
		{pod: "plain", wantPods: []string{"plain"}},
		{pod: "peer"},
		{pod: "other-0", wantPods: []string{"other-0", "other-1"}},
		{pod: "other-1", wantPods: []string{"other-0", "other-1"}},
		{pod: "other-2"},
		{pod: "invalid-0", wantPods: []string{"invalid-0", "invalid-1"}},
		{pod: "single-0", wantPods: []string{"single-0"}},
		{pod: "basic-0", wantPods: []string{"basic-0"}},
		{pod: "train-0"},
		{pod: "lost-0"},
		{pod: "busy-0"},
		{pod: "busy-1"},
	}
	for _, tc := range tests {
		t.Run(tc.pod, func(t *testing.T) {
			u, ok := unitOf(byName[tc.pod])
			if tc.wantPods == nil {
				assert.False(t, ok, "no victim")
				return
			}
			require.True(t, ok)
			assert.Equal(t, tc.wantPods, podNames(u.pods))
			assert.Equal(t, tc.wantPriority, u.priority, "a gang's priority is its lowest member's")
		})
	}
}

func TestSelectVictimsOnNode(t *testing.T) {
	preemptor := st.MakePod().Namespace("ns").Name("p").UID("p").Priority(100).Req(map[v1.ResourceName]string{v1.ResourceCPU: "2"}).Obj()
	tests := []struct {
		name  string
		pods  []*v1.Pod
		kinds map[string]groupDisruption
		pdbs  []*policy.PodDisruptionBudget
		// wantVictims on node-0, sorted; nil with wantCode: no candidate.
		wantVictims    []string
		wantViolations int
		wantCode       fwk.Code
	}{
		{
			name:        "plain pods: upstream's reprieve, most important first",
			pods:        []*v1.Pod{running("p10", "node-0", "2", 10), running("p5", "node-0", "1", 5), running("p1", "node-0", "1", 1)},
			wantVictims: []string{"p1", "p5"},
		},
		{
			name:        "a member of an All gang takes its gang along, on other nodes too",
			pods:        []*v1.Pod{member("g-0", "g", "node-0", "3", 0), running("x", "node-0", "1", 50), member("g-1", "g", "node-1", "1", 200)},
			kinds:       map[string]groupDisruption{"g": disruptWhole},
			wantVictims: []string{"g-0", "g-1"},
		},
		{
			name:        "a member of a Single gang goes alone",
			pods:        []*v1.Pod{member("g-0", "g", "node-0", "3", 0), running("x", "node-0", "1", 50), member("g-1", "g", "node-1", "1", 0)},
			kinds:       map[string]groupDisruption{"g": disruptSingle},
			wantVictims: []string{"g-0"},
		},
		{
			name:     "a gang that may not be disrupted is no victim",
			pods:     []*v1.Pod{member("g-0", "g", "node-0", "3", 0), running("x", "node-0", "1", 50), member("g-1", "g", "node-1", "1", 0)},
			kinds:    map[string]groupDisruption{"g": disruptNever},
			wantCode: fwk.Unschedulable,
		},
		{
			name:     "a gang whose lowest priority is not lower is no victim",
			pods:     []*v1.Pod{member("g-0", "g", "node-0", "4", 100), member("g-1", "g", "node-1", "1", 100)},
			kinds:    map[string]groupDisruption{"g": disruptWhole},
			wantCode: fwk.UnschedulableAndUnresolvable,
		},
		{
			name:        "a whole gang kept when a plain pod suffices",
			pods:        []*v1.Pod{member("g-0", "g", "node-0", "1", 50), running("x", "node-0", "3", 0), member("g-1", "g", "node-1", "1", 50)},
			kinds:       map[string]groupDisruption{"g": disruptWhole},
			wantVictims: []string{"x"},
		},
		{
			name:        "the victim that violates a PodDisruptionBudget is reprieved first",
			pods:        []*v1.Pod{labelled(running("guarded", "node-0", "2", 0), "a"), running("free", "node-0", "2", 0)},
			pdbs:        []*policy.PodDisruptionBudget{blockingPDB("a")},
			wantVictims: []string{"free"},
		},
		{
			name:           "a violation is counted when it cannot be helped",
			pods:           []*v1.Pod{labelled(running("guarded", "node-0", "4", 0), "a")},
			pdbs:           []*policy.PodDisruptionBudget{blockingPDB("a")},
			wantVictims:    []string{"guarded"},
			wantViolations: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, fh, infos := filtertest.NewFramework(t, cpuNodes(2, "4"), tc.pods)
			state := filtertest.Cycle(ctx, t, fh, preemptor)
			state.Write(disruptionStateKey, &disruptionState{build: func() *disruptionIndex {
				return newDisruptionIndex(infos, groupKind(tc.kinds))
			}})
			pp := &podPreemption{fh: fh}
			// The snapshot lists its nodes in no fixed order.
			node0 := infos[slices.IndexFunc(infos, func(ni fwk.NodeInfo) bool { return ni.Node().Name == "node-0" })]
			victims, violations, status := pp.SelectVictimsOnNode(ctx, state.Clone(), preemptor, node0.Snapshot(), tc.pdbs)
			if tc.wantVictims == nil {
				assert.Equal(t, tc.wantCode, status.Code(), status.Message())
				assert.Empty(t, victims)
				return
			}
			require.True(t, status.IsSuccess(), status.Message())
			assert.Equal(t, tc.wantVictims, podNames(victims))
			assert.Equal(t, tc.wantViolations, violations)
		})
	}
}

// pickNode chooses among candidates as upstream's pickOneNodeForPreemption
// does with the given score functions.
func pickNode(nodes []string, funcs []func(string) int64) string {
	for _, f := range funcs {
		var best []string
		top := int64(math.MinInt64)
		for _, n := range nodes {
			switch s := f(n); {
			case s > top:
				top, best = s, []string{n}
			case s == top:
				best = append(best, n)
			}
		}
		if nodes = best; len(nodes) == 1 {
			break
		}
	}
	return nodes[0]
}

func TestOrderedScoreFuncs(t *testing.T) {
	whole := func(p *v1.Pod) (gang.GroupKey, bool) {
		k, ok := gang.KeyForPod(p)
		return k, ok
	}
	tests := []struct {
		name    string
		victims map[string]*extenderv1.Victims
		// wantNil: upstream's own choice applies.
		wantNil  bool
		wantNode string
	}{
		{
			name: "no gang among the victims: upstream's choice",
			victims: map[string]*extenderv1.Victims{
				"a": {Pods: []*v1.Pod{running("x", "a", "1", 10)}},
				"b": {Pods: []*v1.Pod{running("y", "b", "1", 5)}},
			},
			wantNil: true,
		},
		{
			name: "a gang counts at its lowest priority",
			victims: map[string]*extenderv1.Victims{
				"a": {Pods: []*v1.Pod{running("x", "a", "1", 10)}},
				"b": {Pods: []*v1.Pod{member("g-1", "g", "c", "1", 200), member("g-0", "g", "b", "1", 0)}},
			},
			wantNode: "b",
		},
		{
			name: "a gang counts with all its members",
			victims: map[string]*extenderv1.Victims{
				"a": {Pods: []*v1.Pod{running("x", "a", "1", 0), running("y", "a", "1", 0)}},
				"b": {Pods: []*v1.Pod{member("g-0", "g", "b", "1", 0), member("g-1", "g", "c", "1", 0), member("g-2", "g", "c", "1", 0)}},
			},
			wantNode: "a",
		},
		{
			name: "fewest PodDisruptionBudget violations first",
			victims: map[string]*extenderv1.Victims{
				"a": {Pods: []*v1.Pod{running("x", "a", "1", 0)}, NumPDBViolations: 1},
				"b": {Pods: []*v1.Pod{member("g-0", "g", "b", "1", 0), member("g-1", "g", "c", "1", 0)}},
			},
			wantNode: "b",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pp := &podPreemption{whole: whole}
			funcs := pp.OrderedScoreFuncs(context.Background(), tc.victims)
			if tc.wantNil {
				assert.Nil(t, funcs)
				return
			}
			require.NotNil(t, funcs)
			nodes := make([]string, 0, len(tc.victims))
			for n := range tc.victims {
				nodes = append(nodes, n)
			}
			sort.Strings(nodes)
			assert.Equal(t, tc.wantNode, pickNode(nodes, funcs))
		})
	}
}

func TestCostOf(t *testing.T) {
	later := metav1.NewTime(started.Add(3600e9))
	young := running("young", "n", "1", 5)
	young.Status.StartTime = &later
	g := &victimUnit{key: gang.GroupKey{Workload: "g"}, whole: true}
	g.add(member("g-0", "g", "n", "1", 7))
	g.add(member("g-1", "g", "n", "1", 3))
	tests := []struct {
		name  string
		units []*victimUnit
		want  victimCost
	}{
		{
			name:  "pods count at their priority",
			units: []*victimUnit{singlePod(running("a", "n", "1", 5)), singlePod(young)},
			want:  victimCost{top: 5, sum: 10 + 2*(math.MaxInt32+1), pods: 2, start: started.Time},
		},
		{
			name:  "a gang's members count at its lowest priority",
			units: []*victimUnit{g, singlePod(young)},
			want:  victimCost{violations: 2, top: 5, sum: 2*3 + 5 + 3*(math.MaxInt32+1), pods: 3, start: later.Time},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, costOf(tc.units, tc.want.violations))
		})
	}
}
