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
	"fmt"
	"sync"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/workloadgang/placement"
	"github.com/gangsched/gangsched/pkg/workloadgang/topology"
)

var _ fwk.PreFilterPlugin = &WorkloadGang{}
var _ fwk.FilterPlugin = &WorkloadGang{}
var _ fwk.SignPlugin = &WorkloadGang{}

// topologyStateKey is the cycle state key of a member's topology choice.
const topologyStateKey fwk.StateKey = Name + "/topology"

// simulatingKey marks a cycle state cloned for the choice's simulation:
// WorkloadGang's own Filter, which the simulation runs, does nothing there.
const simulatingKey fwk.StateKey = Name + "/simulating"

// topologyState is the domain choice of the first member of a gang round
// to reach Filter, made once (the Filters of one cycle run in parallel).
type topologyState struct {
	key  gang.GroupKey
	t    gang.Topology
	need int
	once sync.Once
	// set by once:
	nodes  sets.Set[string]
	status *fwk.Status
}

// Clone shares the choice: it is made once per cycle.
func (s *topologyState) Clone() fwk.StateData { return s }

type simulating struct{}

func (simulating) Clone() fwk.StateData { return simulating{} }

// PreFilter confines a gang member whose Workload asks a topology (issue 12)
// to the domain chosen for its gang's current round. A member that finds
// the domain recorded is confined to its nodes (PreFilterResult): a
// lookup. The first member of a round leaves the choice to its Filter
// (see Filter): the framework tells which Filter plugins to skip (those
// whose PreFilter returned Skip) only after the last PreFilter, and the
// simulation cannot run the Filters before then (VolumeBinding's Filter
// crashes on the state of a PreFilter that skipped). Invalid annotations
// leave the member unschedulable, reserving nothing: a gang that asked for
// a required topology is never placed without it.
func (pl *WorkloadGang) PreFilter(ctx context.Context, state fwk.CycleState, pod *v1.Pod, _ []fwk.NodeInfo) (*fwk.PreFilterResult, *fwk.Status) {
	key, w, _, status := pl.gangOf(pod)
	if status != nil || w == nil {
		// Permit reports a Workload gone since PreEnqueue; other pods are
		// not ours.
		return nil, fwk.NewStatus(fwk.Skip)
	}
	if pg, ok := w.(*podgroupv1alpha1.PodGroup); ok && len(pg.Spec.MinResources) > 0 {
		if st := pl.checkMinResources(ctx, key, pg); st != nil {
			return nil, st
		}
	}
	if !asksTopology(w.GetAnnotations()) {
		return nil, fwk.NewStatus(fwk.Skip)
	}
	t, err := gang.TopologyOf(w)
	if err != nil {
		return nil, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, err.Error())
	}
	if d, ok := pl.store.Domain(key); ok {
		klog.FromContext(ctx).V(5).Info("Gang member confined to its round's domain", "pod", klog.KObj(pod), "group", key, "domain", d.Name)
		return &fwk.PreFilterResult{NodeNames: d.Nodes}, nil
	}
	n := pl.store.NeedOf(key)
	if !n.Short {
		// An extra member of a gang that has its quorum is needed by no
		// round: there is no domain to choose for it.
		return nil, fwk.NewStatus(fwk.Skip)
	}
	state.Write(topologyStateKey, &topologyState{key: key, t: t, need: n.Members})
	return nil, nil
}

// SignPod keeps upstream's OpportunisticBatching (KEP-5598, beta and on in
// 1.35) working: a profile with a Filter plugin that does not sign turns it
// off for every pod. WorkloadGang's PreFilter and Filter change nothing for
// a pod outside a gang whose Workload asks a topology, so such a pod is
// signed with no fragment of ours. A member of such a gang is confined to
// its round's domain, chosen anew each round, so it is not signed: the
// framework then never reuses another pod's result for it.
func (pl *WorkloadGang) SignPod(_ context.Context, pod *v1.Pod) ([]fwk.SignFragment, *fwk.Status) {
	if _, w, _, _ := pl.gangOf(pod); w == nil || !asksTopology(w.GetAnnotations()) {
		return nil, nil
	}
	return nil, fwk.NewStatus(fwk.Unschedulable, "a gang member with a topology is confined to its round's domain")
}

// asksTopology reports whether a Workload's annotations ask a topology,
// valid or not.
func asksTopology(annotations map[string]string) bool {
	if _, ok := annotations[gang.TopologyRequiredAnnotation]; ok {
		return true
	}
	_, ok := annotations[gang.TopologyPreferredAnnotation]
	return ok
}

// PreFilterExtensions returns nil: the domain does not depend on the pods
// the scheduler adds or removes while it simulates preemption.
func (pl *WorkloadGang) PreFilterExtensions() fwk.PreFilterExtensions {
	return nil
}

// Filter admits a node if it is in the domain chosen for the member's
// gang round. The first call of the cycle chooses the domain for every
// member still needed (topology.Choose, best fit) and records it for the
// round; every other call, and every later member (PreFilter), only looks
// it up. No domain of a required key holding the gang leaves the member
// unschedulable on every node, reserving nothing, with the numbers.
func (pl *WorkloadGang) Filter(ctx context.Context, state fwk.CycleState, pod *v1.Pod, ni fwk.NodeInfo) *fwk.Status {
	if _, err := state.Read(simulatingKey); err == nil {
		return nil
	}
	data, err := state.Read(topologyStateKey)
	if err != nil {
		return nil
	}
	ts, ok := data.(*topologyState)
	if !ok {
		return nil
	}
	ts.once.Do(func() { pl.chooseDomain(ctx, state, pod, ts) })
	if ts.status != nil {
		// A copy per call: Filters of one cycle run in parallel, and the
		// framework writes the plugin's name into the status it returns.
		return copyStatus(ts.status)
	}
	if ts.nodes == nil {
		return nil
	}
	if _, in := ts.nodes[ni.Node().Name]; !in {
		return fwk.NewStatus(fwk.UnschedulableAndUnresolvable, fmt.Sprintf("node is outside the topology domain chosen for gang %s", ts.key))
	}
	return nil
}

// chooseDomain makes the choice of ts, once per cycle.
func (pl *WorkloadGang) chooseDomain(ctx context.Context, state fwk.CycleState, pod *v1.Pod, ts *topologyState) {
	logger := klog.FromContext(ctx)
	lister := pl.handle.SnapshotSharedLister()
	if lister == nil {
		return
	}
	nodes, err := lister.NodeInfos().List()
	if err != nil {
		ts.status = fwk.AsStatus(fmt.Errorf("listing nodes: %w", err))
		return
	}
	sim := state.Clone()
	sim.Write(simulatingKey, simulating{})
	c, err := topology.Choose(ctx, pl.handle, nodes, placement.Question{Member: pod, State: sim, Need: ts.need}, ts.t)
	if err != nil {
		ts.status = fwk.AsStatus(fmt.Errorf("choosing a topology domain for gang %s: %w", ts.key, err))
		return
	}
	switch c.Kind {
	case topology.Chosen, topology.Unknown:
		if len(c.Nodes) == 0 {
			ts.status = fwk.NewStatus(fwk.UnschedulableAndUnresolvable, gang.NoDomainMessage(ts.key, ts.t.Required, ts.need, c.Largest, c.LargestPlaced))
			return
		}
		pl.store.SetDomain(ts.key, c.Domain, c.Nodes)
		ts.nodes = c.Nodes
		if logger.V(4).Enabled() {
			logger.V(4).Info("Chose a topology domain for the gang's round", "pod", klog.KObj(pod), "group", ts.key, "kind", c.Kind, "domain", c.Domain, "preferred", c.Preferred, "nodes", len(c.Nodes), "need", ts.need)
		}
	case topology.NoDomain:
		if pl.store.NoDomain(ts.key) {
			topologyNoDomain.Inc()
		}
		msg := gang.NoDomainMessage(ts.key, ts.t.Required, ts.need, c.Largest, c.LargestPlaced)
		logger.V(4).Info("No topology domain holds the gang", "pod", klog.KObj(pod), "group", ts.key, "reason", msg)
		ts.status = fwk.NewStatus(fwk.UnschedulableAndUnresolvable, msg)
	case topology.InvalidPair:
		ts.status = fwk.NewStatus(fwk.UnschedulableAndUnresolvable, c.Err.Error())
	}
}

// copyStatus returns a status equal to s that the caller may change.
func copyStatus(s *fwk.Status) *fwk.Status {
	if s.Code() == fwk.Error {
		return fwk.AsStatus(s.AsError())
	}
	return fwk.NewStatus(s.Code(), s.Reasons()...)
}
