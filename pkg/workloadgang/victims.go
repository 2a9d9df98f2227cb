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
	"cmp"
	"context"
	"slices"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/util"

	"github.com/gangsched/gangsched/pkg/workloadgang/placement"
)

// victimQuestion is what chooseVictims needs.
type victimQuestion struct {
	// member stands for every member still needed; state is its cycle's.
	member *v1.Pod
	state  fwk.CycleState
	// need is how many members must be placed.
	need int
	// eligible reports the pods that may be preempted.
	eligible func(*v1.Pod) bool
	// leaving reports the pods that leave anyway (terminating): their
	// room counts as free, and they are never victims.
	leaving func(*v1.Pod) bool
}

// gone reports the pods treated as gone when victims in are gone too.
func (q victimQuestion) gone(in func(*v1.Pod) bool) func(*v1.Pod) bool {
	return func(p *v1.Pod) bool {
		return (q.leaving != nil && q.leaving(p)) || (in != nil && in(p))
	}
}

// terminating reports whether a pod is being deleted.
func terminating(p *v1.Pod) bool {
	return p.DeletionTimestamp != nil
}

// leaving reports whether a pod leaves anyway: it is being deleted, or it
// is a victim evicted lately, which the snapshot may still show running
// after the informer saw it go (the scheduler's cache and the plugin's
// handlers learn of a deletion in no fixed order). Choosing victims again
// in that window would evict one pod too many.
func (pl *WorkloadGang) leaving(p *v1.Pod) bool {
	return terminating(p) || pl.preemptions.evictedLately(p.UID)
}

// victimChoice is the answer of chooseVictims.
type victimChoice struct {
	// kind is Fits when victims (maybe none) make room for every member
	// needed, DoesNotFit when even all eligible victims gone do not, and
	// Unknown when the simulation cannot judge the member.
	kind placement.Kind
	// placed is how many members could be placed with every eligible
	// victim gone, for DoesNotFit; request is what one member requests.
	placed  int
	request placement.Resources
	// nodes are the members planned per node, with and without victims.
	nodes map[string]int
	// victims are the pods to evict, by node, most important first.
	victims []*v1.Pod
}

// nodeCandidate is a node where victims make room for k more members.
type nodeCandidate struct {
	ni fwk.NodeInfo
	// free is how many members fit on the node without a victim.
	free    int
	k       int
	victims []*v1.Pod
}

// chooseVictims chooses the victims that make room for q.need members, on
// the snapshot's nodes, which it never changes. It costs, per node with
// eligible victims, one placement question per victim on that node (the
// reprieve), plus three for the cluster: a preemption, not a hot path.
func chooseVictims(ctx context.Context, runner placement.Runner, nodes []fwk.NodeInfo, q victimQuestion) (victimChoice, error) {
	// A pod that leaves anyway is never a victim.
	eligible := q.eligible
	q.eligible = func(p *v1.Pod) bool { return eligible(p) && (q.leaving == nil || !q.leaving(p)) }
	all, err := placement.Simulate(ctx, runner, nodes, placement.Question{Member: q.member, State: q.state, Need: q.need, Gone: q.gone(q.eligible)})
	if err != nil {
		return victimChoice{}, err
	}
	c := victimChoice{kind: all.Kind, placed: all.Placed, request: all.Request, nodes: map[string]int{}}
	if all.Kind != placement.Fits {
		return c, nil
	}
	free, err := placement.Simulate(ctx, runner, nodes, placement.Question{Member: q.member, State: q.state, Need: q.need, Gone: q.gone(nil)})
	if err != nil {
		return victimChoice{}, err
	}
	for n, k := range free.Nodes {
		c.nodes[n] = k
	}
	rest := q.need - free.Placed
	if rest <= 0 {
		return c, nil
	}
	var candidates []nodeCandidate
	for _, ni := range nodes {
		if ni.Node() == nil || !hasEligible(ni, q.eligible) {
			continue
		}
		f := c.nodes[ni.Node().Name]
		most, err := placement.Simulate(ctx, runner, []fwk.NodeInfo{ni}, placement.Question{Member: q.member, State: q.state, Need: f + rest, Gone: q.gone(q.eligible)})
		if err != nil {
			return victimChoice{}, err
		}
		k := most.Placed - f
		if k <= 0 {
			continue
		}
		victims, err := reprieve(ctx, runner, ni, q, f+k)
		if err != nil {
			return victimChoice{}, err
		}
		candidates = append(candidates, nodeCandidate{ni: ni, free: f, k: k, victims: victims})
	}
	slices.SortFunc(candidates, compareCandidates)
	for _, cand := range candidates {
		if rest == 0 {
			break
		}
		if cand.k > rest {
			// Fewer members on this node may need fewer victims.
			cand.k = rest
			if cand.victims, err = reprieve(ctx, runner, cand.ni, q, cand.free+cand.k); err != nil {
				return victimChoice{}, err
			}
		}
		c.nodes[cand.ni.Node().Name] += cand.k
		c.victims = append(c.victims, cand.victims...)
		rest -= cand.k
	}
	if rest > 0 {
		// Unreachable while the nodes are judged one by one, as Simulate
		// judges them; say so rather than evict for a partial gang.
		return victimChoice{kind: placement.DoesNotFit, placed: q.need - rest, request: all.Request}, nil
	}
	return c, nil
}

// compareCandidates orders nodes by victims per member placed, then by
// the priority of their most important victim, then by fewer victims,
// then by name.
func compareCandidates(a, b nodeCandidate) int {
	if c := cmp.Compare(len(a.victims)*b.k, len(b.victims)*a.k); c != 0 {
		return c
	}
	if c := cmp.Compare(topPriority(a.victims), topPriority(b.victims)); c != 0 {
		return c
	}
	if c := cmp.Compare(len(a.victims), len(b.victims)); c != 0 {
		return c
	}
	return cmp.Compare(a.ni.Node().Name, b.ni.Node().Name)
}

// topPriority is the highest priority among victims sorted most important
// first.
func topPriority(victims []*v1.Pod) int32 {
	if len(victims) == 0 {
		return 0
	}
	return corev1helpers.PodPriority(victims[0])
}

// hasEligible reports whether a node runs a pod that may be preempted.
func hasEligible(ni fwk.NodeInfo, eligible func(*v1.Pod) bool) bool {
	for _, pi := range ni.GetPods() {
		if eligible(pi.GetPod()) {
			return true
		}
	}
	return false
}

// reprieve returns the fewest victims on one node that leave room for
// target members, upstream's way: with every eligible pod gone they fit;
// then each pod, most important first, is kept if they still fit beside
// it.
func reprieve(ctx context.Context, runner placement.Runner, ni fwk.NodeInfo, q victimQuestion, target int) ([]*v1.Pod, error) {
	var potential []*v1.Pod
	gone := map[types.UID]struct{}{}
	for _, pi := range ni.GetPods() {
		if p := pi.GetPod(); q.eligible(p) {
			potential = append(potential, p)
			gone[p.UID] = struct{}{}
		}
	}
	slices.SortStableFunc(potential, func(a, b *v1.Pod) int {
		switch {
		case util.MoreImportantPod(a, b):
			return -1
		case util.MoreImportantPod(b, a):
			return 1
		}
		return 0
	})
	isGone := q.gone(func(p *v1.Pod) bool {
		_, ok := gone[p.UID]
		return ok
	})
	var victims []*v1.Pod
	for _, p := range potential {
		delete(gone, p.UID)
		ans, err := placement.Simulate(ctx, runner, []fwk.NodeInfo{ni}, placement.Question{Member: q.member, State: q.state, Need: target, Gone: isGone})
		if err != nil {
			return nil, err
		}
		if ans.Kind != placement.Fits {
			gone[p.UID] = struct{}{}
			victims = append(victims, p)
		}
	}
	return victims, nil
}
