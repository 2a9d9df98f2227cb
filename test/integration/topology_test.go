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
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	st "k8s.io/kubernetes/pkg/scheduler/testing"

	"github.com/gangsched/gangsched/pkg/gang"
)

// rackLabel is the node label key the topology tests ask for.
const rackLabel = "example.com/rack"

// createRackNodes creates perRack fake nodes of the given CPU in each of
// the named racks (label rackLabel), and returns the node names by rack.
func (e *env) createRackNodes(racks []string, perRack int, cpu string) map[string][]string {
	e.t.Helper()
	out := map[string][]string{}
	for _, rack := range racks {
		for i := 0; i < perRack; i++ {
			name := fmt.Sprintf("%s-%s-%d", e.ns, rack, i)
			e.createNode(name, cpu, map[string]string{rackLabel: rack})
			out[rack] = append(out[rack], name)
		}
	}
	return out
}

// createNode creates one fake node (no kubelet) with the given CPU and labels.
func (e *env) createNode(name, cpu string, labels map[string]string) {
	e.t.Helper()
	node := st.MakeNode().Name(name).Capacity(map[v1.ResourceName]string{
		v1.ResourceCPU: cpu, v1.ResourceMemory: "16Gi", v1.ResourcePods: "110",
	}).Obj()
	node.Labels = labels
	node.Status.Conditions = []v1.NodeCondition{{Type: v1.NodeReady, Status: v1.ConditionTrue}}
	_, err := e.cs.CoreV1().Nodes().Create(e.ctx, node, metav1.CreateOptions{})
	require.NoError(e.t, err)
	e.nodes = append(e.nodes, name)
}

// fillNode binds a plain pod of the given CPU to a node directly (no
// scheduler): room the gang must not count on.
func (e *env) fillNode(name, node, cpu string) {
	e.t.Helper()
	p := e.makePod(podSpec{name: name, cpu: cpu})
	p.Spec.NodeName = node
	e.createPodObjects(p)
}

// topologyWorkload is gangWorkload with the given annotations.
func topologyWorkload(name string, minCounts map[string]int32, annotations map[string]string) *schedulingv1alpha1.Workload {
	w := gangWorkload(name, minCounts)
	w.Annotations = annotations
	return w
}

// racksOf returns the racks the named pods are bound to, failing if one
// of them is not bound or is on a node outside every rack.
func (e *env) racksOf(podNames ...string) sets.Set[string] {
	e.t.Helper()
	racks := sets.New[string]()
	for _, n := range podNames {
		p, err := e.cs.CoreV1().Pods(e.ns).Get(e.ctx, n, metav1.GetOptions{})
		require.NoError(e.t, err)
		require.NotEmpty(e.t, p.Spec.NodeName, "pod %s is not bound", n)
		node, err := e.cs.CoreV1().Nodes().Get(e.ctx, p.Spec.NodeName, metav1.GetOptions{})
		require.NoError(e.t, err)
		rack, ok := node.Labels[rackLabel]
		require.True(e.t, ok, "pod %s is on node %s, which has no %s label", n, node.Name, rackLabel)
		racks.Insert(rack)
	}
	return racks
}

var fourRacks = []string{"rack-0", "rack-1", "rack-2", "rack-3"}

// TestTopologyGangInOneRack checks that a gang that asks for a required
// rack is placed in one rack, although default scoring would spread it,
// with the scheduler's gates off and on, and that its GangAdmitted Event
// names the rack.
func TestTopologyGangInOneRack(t *testing.T) {
	for _, gates := range []schedulerGates{gatesOff, gatesOn} {
		t.Run(gates.String(), func(t *testing.T) {
			e := newEnv(t, gates)
			e.createRackNodes(fourRacks, 4, "2")
			e.createWorkload(topologyWorkload("train", map[string]int32{"workers": 6}, map[string]string{gang.TopologyRequiredAnnotation: rackLabel}))
			pods := members("w", "train", "workers", "", 6, "1")
			e.createPods(pods...)
			e.waitScheduled(names(pods)...)
			racks := e.racksOf(names(pods)...)
			require.Equal(t, 1, racks.Len(), "racks %v", sets.List(racks))
			rack := sets.List(racks)[0]
			e.waitWorkloadEvent("train", v1.EventTypeNormal, "GangAdmitted",
				regexp.MustCompile(regexp.QuoteMeta(fmt.Sprintf("; its members bind in topology domain %s=%s", rackLabel, rack))+"$"))
		})
	}
}

// TestTopologyPreferredUsesFewestRacks checks that a gang that only
// prefers racks, and that no rack can hold, binds across as few racks as
// can hold it (two), although default scoring would spread it over all.
func TestTopologyPreferredUsesFewestRacks(t *testing.T) {
	e := newEnv(t, gatesOff)
	e.createRackNodes(fourRacks, 2, "2")
	e.createWorkload(topologyWorkload("train", map[string]int32{"workers": 6}, map[string]string{gang.TopologyPreferredAnnotation: rackLabel}))
	pods := members("w", "train", "workers", "", 6, "1")
	e.createPods(pods...)
	e.waitScheduled(names(pods)...)
	racks := e.racksOf(names(pods)...)
	assert.Equal(t, 2, racks.Len(), "6 pods in racks of 4 cpu: two racks, not %v", sets.List(racks))
}

// TestTopologyOnlyRackWithRoom fills three racks so that only one has room
// for the gang: that one is chosen.
func TestTopologyOnlyRackWithRoom(t *testing.T) {
	e := newEnv(t, gatesOff)
	nodes := e.createRackNodes(fourRacks, 4, "2")
	for _, rack := range []string{"rack-0", "rack-1", "rack-3"} {
		for i, n := range nodes[rack][:3] {
			e.fillNode(fmt.Sprintf("fill-%s-%d", rack, i), n, "2")
		}
	}
	e.createWorkload(topologyWorkload("train", map[string]int32{"workers": 6}, map[string]string{gang.TopologyRequiredAnnotation: rackLabel}))
	pods := members("w", "train", "workers", "", 6, "1")
	e.createPods(pods...)
	e.waitScheduled(names(pods)...)
	assert.Equal(t, sets.New("rack-2"), e.racksOf(names(pods)...))
}

// TestTopologyNoRackHasRoom checks that a gang that no rack can hold stays
// Pending with numbers and binds nothing, and is placed once a node adds
// room to a rack.
func TestTopologyNoRackHasRoom(t *testing.T) {
	e := newEnv(t, gatesOff)
	e.createRackNodes(fourRacks, 4, "1")
	e.createWorkload(topologyWorkload("train", map[string]int32{"workers": 5}, map[string]string{gang.TopologyRequiredAnnotation: rackLabel}))
	pods := members("w", "train", "workers", "", 5, "1")
	before := gangMetrics(t)
	e.createPods(pods...)
	e.waitPending(fmt.Sprintf("no %s domain has room for 5 pods of gang %s; the largest free room is rack-0, 4 pods", rackLabel, e.group("train", "workers", "")), names(pods)...)
	e.requireNoneBound(e.group("train", "workers", ""))
	assert.Positive(t, gangMetrics(t).since(before)["gangsched_topology_no_domain_total"], "attempts that found no domain are counted")

	// A node joins rack-1: the gang is retried and fits there.
	e.createNode(e.ns+"-rack-1-extra", "1", map[string]string{rackLabel: "rack-1"})
	e.waitScheduled(names(pods)...)
	assert.Equal(t, sets.New("rack-1"), e.racksOf(names(pods)...))
}

// TestTopologyReplicaKeysChooseTheirOwnRack checks that each gang instance
// (replica key) chooses its own rack: two instances that cannot share one.
func TestTopologyReplicaKeysChooseTheirOwnRack(t *testing.T) {
	e := newEnv(t, gatesOff)
	e.createRackNodes(fourRacks, 4, "2")
	e.createWorkload(topologyWorkload("train", map[string]int32{"workers": 6}, map[string]string{gang.TopologyRequiredAnnotation: rackLabel}))
	a := members("a", "train", "workers", "r1", 6, "1")
	b := members("b", "train", "workers", "r2", 6, "1")
	e.createPods(append(a, b...)...)
	e.waitScheduled(append(names(a), names(b)...)...)
	ra, rb := e.racksOf(names(a)...), e.racksOf(names(b)...)
	assert.Equal(t, 1, ra.Len(), "replica r1 in one rack")
	assert.Equal(t, 1, rb.Len(), "replica r2 in one rack")
}

// TestTopologyUnlabeledNodeNeverUsed checks that a node without the
// required label is never used, although it is the emptiest.
func TestTopologyUnlabeledNodeNeverUsed(t *testing.T) {
	e := newEnv(t, gatesOff)
	e.createRackNodes([]string{"rack-0"}, 4, "1")
	e.createNode(e.ns+"-unlabeled", "16", nil)
	e.createWorkload(topologyWorkload("train", map[string]int32{"workers": 4}, map[string]string{gang.TopologyRequiredAnnotation: rackLabel}))
	pods := members("w", "train", "workers", "", 4, "1")
	e.createPods(pods...)
	e.waitScheduled(names(pods)...)
	assert.Equal(t, sets.New("rack-0"), e.racksOf(names(pods)...))
}

// TestTopologyInvalidAnnotation checks that an invalid topology annotation
// is reported in an InvalidAnnotation Event, and that the gang stays
// Pending with a message naming the annotation, binding nothing.
func TestTopologyInvalidAnnotation(t *testing.T) {
	e := newEnv(t, gatesOff)
	e.createRackNodes(fourRacks, 1, "4")
	e.createWorkload(topologyWorkload("train", map[string]int32{"workers": 2}, map[string]string{gang.TopologyRequiredAnnotation: "not a key!"}))
	e.waitWorkloadEvent("train", v1.EventTypeWarning, "InvalidAnnotation", regexp.MustCompile(regexp.QuoteMeta(gang.TopologyRequiredAnnotation)))
	pods := members("w", "train", "workers", "", 2, "1")
	e.createPods(pods...)
	e.waitPending("annotation "+gang.TopologyRequiredAnnotation, names(pods)...)
	e.requireNoneBound(e.group("train", "workers", ""))
}
