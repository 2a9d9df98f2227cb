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
	policy "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/types"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/gangsched/gangsched/pkg/workloadgang/placement"
)

// victimQuestion is what chooseVictims needs.
type victimQuestion struct {
	// member stands for every member still needed; state is its cycle's.
	member *v1.Pod
	state  fwk.CycleState
	// need is how many members must be placed.
	need int
	// unitOf returns the unit a pod may be preempted with, and false for
	// a pod that is no victim of this preemption.
	unitOf func(*v1.Pod) (*victimUnit, bool)
	// leaving reports the pods that leave anyway (terminating): their
	// room counts as free, and they are never victims.
	leaving func(*v1.Pod) bool
	// pdbs are the cluster's PodDisruptionBudgets: victim sets that
	// violate fewer are preferred.
	pdbs []*policy.PodDisruptionBudget
}

// eligible reports the pods that may be preempted.
func (q victimQuestion) eligible(p *v1.Pod) bool {
	_, ok := q.unit(p)
	return ok
}

// unit returns the unit of a pod that may be preempted.
func (q victimQuestion) unit(p *v1.Pod) (*victimUnit, bool) {
	if q.leaving != nil && q.leaving(p) {
		return nil, false
	}
	return q.unitOf(p)
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
	// victims are the pods to evict, by node, most important first; a
	// whole gang's members follow one another, wherever they run.
	victims []*v1.Pod
}

// nodeCandidate is a node where victims make room for k more members.
type nodeCandidate struct {
	ni fwk.NodeInfo
	// free is how many members fit on the node without a victim.
	free int
	k    int
	// units are the victims, most important first; cost what they cost.
	units []*victimUnit
	cost  victimCost
}

// chooseVictims chooses the victims that make room for q.need members, on
// the snapshot's nodes, which it never changes. It costs, per node with
// eligible victims, one placement question per victim unit on that node
// (the reprieve), plus three for the cluster: a preemption, not a hot
// path.
func chooseVictims(ctx context.Context, runner placement.Runner, nodes []fwk.NodeInfo, q victimQuestion) (victimChoice, error) {
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
		cand := nodeCandidate{ni: ni, free: f, k: k}
		if err := cand.reprieve(ctx, runner, q); err != nil {
			return victimChoice{}, err
		}
		candidates = append(candidates, cand)
	}
	slices.SortFunc(candidates, compareCandidates)
	chosen := map[unitID]struct{}{}
	for _, cand := range candidates {
		if rest == 0 {
			break
		}
		if cand.k > rest {
			// Fewer members on this node may need fewer victims.
			cand.k = rest
			if err := cand.reprieve(ctx, runner, q); err != nil {
				return victimChoice{}, err
			}
		}
		c.nodes[cand.ni.Node().Name] += cand.k
		for _, u := range cand.units {
			// A whole gang that runs on two chosen nodes is evicted once.
			if _, ok := chosen[u.id()]; ok {
				continue
			}
			chosen[u.id()] = struct{}{}
			c.victims = append(c.victims, u.pods...)
		}
		rest -= cand.k
	}
	if rest > 0 {
		// Unreachable while the nodes are judged one by one, as Simulate
		// judges them; say so rather than evict for a partial gang.
		return victimChoice{kind: placement.DoesNotFit, placed: q.need - rest, request: all.Request}, nil
	}
	return c, nil
}

// compareCandidates orders nodes as upstream's DefaultPreemption does:
// fewest PodDisruptionBudget violations, then the lowest priority of the
// most important victim, then the fewest victims per member placed, then
// the victims started latest; then by name. A whole gang counts with all
// its members, at its lowest priority.
func compareCandidates(a, b nodeCandidate) int {
	if c := cmp.Compare(a.cost.violations, b.cost.violations); c != 0 {
		return c
	}
	if c := cmp.Compare(a.cost.top, b.cost.top); c != 0 {
		return c
	}
	if c := cmp.Compare(a.cost.pods*b.k, b.cost.pods*a.k); c != 0 {
		return c
	}
	if c := b.cost.start.Compare(a.cost.start); c != 0 {
		return c
	}
	return cmp.Compare(a.ni.Node().Name, b.ni.Node().Name)
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

// reprieve sets the fewest victim units on the candidate's node that
// leave room for its free+k members, upstream's way: with every eligible
// unit gone they fit; then each unit is kept if they still fit beside it,
// those that would violate a PodDisruptionBudget first, each group most
// important first. A whole gang is judged by its members on this node,
// and evicted with all of them.
func (cand *nodeCandidate) reprieve(ctx context.Context, runner placement.Runner, q victimQuestion) error {
	target := cand.free + cand.k
	var potential []*victimUnit
	seen := map[unitID]struct{}{}
	gone := map[types.UID]struct{}{}
	for _, pi := range cand.ni.GetPods() {
		u, ok := q.unit(pi.GetPod())
		if !ok {
			continue
		}
		if _, ok := seen[u.id()]; ok {
			continue
		}
		seen[u.id()] = struct{}{}
		potential = append(potential, u)
		for _, p := range u.pods {
			gone[p.UID] = struct{}{}
		}
	}
	slices.SortStableFunc(potential, unitImportanceOrder)
	budget := newPDBBudget(q.pdbs)
	var violating, nonViolating []*victimUnit
	violations := map[unitID]int{}
	for _, u := range potential {
		if n := budget.take(u.pods); n > 0 {
			violating = append(violating, u)
			violations[u.id()] = n
		} else {
			nonViolating = append(nonViolating, u)
		}
	}
	isGone := q.gone(func(p *v1.Pod) bool {
		_, ok := gone[p.UID]
		return ok
	})
	var victims []*victimUnit
	violated := 0
	for _, u := range append(violating, nonViolating...) {
		for _, p := range u.pods {
			delete(gone, p.UID)
		}
		ans, err := placement.Simulate(ctx, runner, []fwk.NodeInfo{cand.ni}, placement.Question{Member: q.member, State: q.state, Need: target, Gone: isGone})
		if err != nil {
			return err
		}
		if ans.Kind != placement.Fits {
			for _, p := range u.pods {
				gone[p.UID] = struct{}{}
			}
			victims = append(victims, u)
			violated += violations[u.id()]
		}
	}
	slices.SortStableFunc(victims, unitImportanceOrder)
	cand.units, cand.cost = victims, costOf(victims, violated)
	return nil
}

// unitImportanceOrder is moreImportantUnit as a sort order.
func unitImportanceOrder(a, b *victimUnit) int {
	switch {
	case moreImportantUnit(a, b):
		return -1
	case moreImportantUnit(b, a):
		return 1
	}
	return 0
}
