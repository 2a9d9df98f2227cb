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

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/workloadgang/groupstate"
	"github.com/gangsched/gangsched/pkg/workloadgang/placement"
)

// checkFit asks whether a gang could be placed on the nodes it may use if
// every pod but its bound members were gone: pod, a member that found no
// node, stands for the members still needed. It returns the message that
// says why not, with numbers, and false when it cannot. A question the
// simulation cannot answer (inter-pod constraints) counts as fitting: a
// gang is never held for room on a guess.
func (pl *WorkloadGang) checkFit(ctx context.Context, state fwk.CycleState, pod *v1.Pod, key gang.GroupKey, minCount int, need groupstate.Need, nodes []fwk.NodeInfo) (string, bool) {
	ans, err := placement.Simulate(ctx, pl.handle, nodes, placement.Question{
		Member: pod,
		State:  state,
		Need:   need.Members,
		Gone: func(p *v1.Pod) bool {
			if _, ok := need.Bound[p.UID]; ok {
				return false
			}
			return true
		},
	})
	if err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "Checking whether a gang can fit failed", "pod", klog.KObj(pod), "group", key)
		return "", true
	}
	if ans.Kind != placement.DoesNotFit {
		return "", true
	}
	msg := gang.CannotFitMessage(key, need.Members, ans.Request.String(), ans.Request.Times(need.Members).String(), len(ans.Nodes), ans.Placed, ans.Allocatable.String())
	if logger := klog.FromContext(ctx); logger.V(4).Enabled() {
		logger.V(4).Info("Gang cannot fit in the nodes it may use", "pod", klog.KObj(pod), "group", key, "minCount", minCount, "need", need.Members, "canHold", ans.Placed)
	}
	return msg, false
}

// roomHelps asks whether the room a candidate round reserved is room pod,
// a member of an older gang that found no node, could use: whether it fits
// on one of the candidate's nodes once the candidate's members are gone.
// Only then is the round worth rejecting.
func (pl *WorkloadGang) roomHelps(ctx context.Context, state fwk.CycleState, pod *v1.Pod, c groupstate.Candidate, nodes []fwk.NodeInfo) bool {
	gone := make(map[types.UID]struct{}, len(c.Waiting))
	onNodes := map[string]struct{}{}
	for _, p := range c.Waiting {
		gone[p.UID] = struct{}{}
		onNodes[p.Spec.NodeName] = struct{}{}
	}
	candidates := make([]fwk.NodeInfo, 0, len(onNodes))
	for _, ni := range nodes {
		if _, ok := onNodes[ni.Node().Name]; ok {
			candidates = append(candidates, ni)
		}
	}
	ans, err := placement.Simulate(ctx, pl.handle, candidates, placement.Question{
		Member: pod,
		State:  state,
		Need:   1,
		Gone: func(p *v1.Pod) bool {
			_, ok := gone[p.UID]
			return ok
		},
	})
	if err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "Checking whether a younger gang's room helps failed", "pod", klog.KObj(pod), "yielding", c.Group)
		return false
	}
	return ans.Kind != placement.DoesNotFit
}

// unresolvableEverywhere reports whether a pod's filters failed on every
// node for reasons no freed room can fix (UnschedulableAndUnresolvable: a
// node selector, a taint): then no other gang's room can help it.
func unresolvableEverywhere(statuses fwk.NodeToStatusReader, lister fwk.NodeInfoLister, nodes int) bool {
	if statuses == nil || nodes == 0 {
		return false
	}
	unresolvable, err := statuses.NodesForStatusCode(lister, fwk.UnschedulableAndUnresolvable)
	return err == nil && len(unresolvable) == nodes
}
