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

	v1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/workloadgang/placement"
	"github.com/gangsched/gangsched/pkg/workloadgang/topology"
)

var _ fwk.PreFilterPlugin = &WorkloadGang{}

// PreFilter confines a gang member whose Workload asks a topology (issue 12)
// to the domain chosen for its gang's current round. The first member of a
// round chooses the domain for every member still needed (topology.Choose,
// best fit) and records it; the others look it up, so the choice is work
// per round, not per member. A required topology that no domain can hold,
// or invalid annotations, leave the member unschedulable, reserving
// nothing: a gang that asked for a required topology is never placed
// without it.
//
// WorkloadGang is enabled through multiPoint after the default plugins, so
// its PreFilter runs after the in-tree ones and the cycle state the
// simulation clones is complete.
func (pl *WorkloadGang) PreFilter(ctx context.Context, state fwk.CycleState, pod *v1.Pod, _ []fwk.NodeInfo) (*fwk.PreFilterResult, *fwk.Status) {
	key, w, _, status := pl.gangOf(pod)
	if status != nil || w == nil {
		// Permit reports a Workload gone since PreEnqueue; other pods are
		// not ours.
		return nil, nil
	}
	if _, req := w.Annotations[gang.TopologyRequiredAnnotation]; !req {
		if _, pref := w.Annotations[gang.TopologyPreferredAnnotation]; !pref {
			return nil, nil
		}
	}
	t, err := gang.TopologyOf(w)
	if err != nil {
		return nil, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, err.Error())
	}
	logger := klog.FromContext(ctx)
	if d, ok := pl.store.Domain(key); ok {
		logger.V(5).Info("Gang member confined to its round's domain", "pod", klog.KObj(pod), "group", key, "domain", d.Name)
		return &fwk.PreFilterResult{NodeNames: d.Nodes}, nil
	}
	lister := pl.handle.SnapshotSharedLister()
	if lister == nil {
		return nil, nil
	}
	nodes, err := lister.NodeInfos().List()
	if err != nil {
		return nil, fwk.AsStatus(fmt.Errorf("listing nodes: %w", err))
	}
	n := pl.store.NeedOf(key)
	if !n.Short {
		// An extra member of a gang that has its quorum is needed by no
		// round: there is no domain to choose for it.
		return nil, nil
	}
	need := n.Members
	c, err := topology.Choose(ctx, pl.handle, nodes, placement.Question{Member: pod, State: state, Need: need}, t)
	if err != nil {
		return nil, fwk.AsStatus(fmt.Errorf("choosing a topology domain for gang %s: %w", key, err))
	}
	switch c.Kind {
	case topology.Chosen, topology.Unknown:
		if len(c.Nodes) == 0 {
			return nil, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, gang.NoDomainMessage(key, t.Required, need, c.Largest, c.LargestPlaced))
		}
		pl.store.SetDomain(key, c.Domain, c.Nodes)
		if logger.V(4).Enabled() {
			logger.V(4).Info("Chose a topology domain for the gang's round", "pod", klog.KObj(pod), "group", key, "kind", c.Kind, "domain", c.Domain, "preferred", c.Preferred, "nodes", len(c.Nodes), "need", need)
		}
		return &fwk.PreFilterResult{NodeNames: c.Nodes}, nil
	case topology.NoDomain:
		msg := gang.NoDomainMessage(key, t.Required, need, c.Largest, c.LargestPlaced)
		logger.V(4).Info("No topology domain holds the gang", "pod", klog.KObj(pod), "group", key, "reason", msg)
		return nil, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, msg)
	case topology.InvalidPair:
		return nil, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, c.Err.Error())
	}
	return nil, nil
}

// PreFilterExtensions returns nil: the domain does not depend on the pods
// the scheduler adds or removes while it simulates preemption.
func (pl *WorkloadGang) PreFilterExtensions() fwk.PreFilterExtensions {
	return nil
}
