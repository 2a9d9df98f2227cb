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
	"math/rand"
	"sort"

	v1 "k8s.io/api/core/v1"
	policy "k8s.io/api/policy/v1"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"
	extenderv1 "k8s.io/kube-scheduler/extender/v1"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework/preemption"
	"k8s.io/kubernetes/pkg/scheduler/metrics"

	"github.com/gangsched/gangsched/pkg/gang"
)

// WorkloadGang preempts for the plain pods of its profiles too (issue 11),
// in place of DefaultPreemption, which the shipped configurations disable:
// DefaultPreemption would evict one member of a running gang. It runs
// upstream's preemption Evaluator (candidate nodes, dry runs in parallel,
// extenders, the choice of a node, DisruptionTarget and deletion, async
// preemption) with podPreemption as its Interface. podPreemption is
// upstream's DefaultPreemption with its default args and eligibility, but
// for the victims on a node: a member of an All gang is a victim only
// with every bound member of its gang (disruption.go), so a candidate's
// victims may run on other nodes too, and cost accordingly. A plain pod
// with no gang in its way preempts exactly as with DefaultPreemption.

// Upstream's DefaultPreemptionArgs defaults: how many nodes a preemption
// dry-runs at least, in percent of the nodes and absolutely.
const (
	minCandidateNodesPercentage = 10
	minCandidateNodesAbsolute   = 100
)

// podPreemption is the preemption.Interface of WorkloadGang's Evaluator.
type podPreemption struct {
	fh fwk.Handle
	// whole reports the gang of a pod that is a member of an All gang.
	whole func(*v1.Pod) (gang.GroupKey, bool)
}

var _ preemption.Interface = &podPreemption{}

// preemptPod runs upstream's preemption for a pod of no gang (or of a
// basic group), as DefaultPreemption's PostFilter does. The disruption
// index is built on first use, from the snapshot, for the dry runs.
func (pl *WorkloadGang) preemptPod(ctx context.Context, state fwk.CycleState, pod *v1.Pod, statuses fwk.NodeToStatusReader) (*fwk.PostFilterResult, *fwk.Status) {
	defer metrics.PreemptionAttempts.Inc()
	state.Write(disruptionStateKey, &disruptionState{build: func() *disruptionIndex {
		nodes, err := pl.handle.SnapshotSharedLister().NodeInfos().List()
		if err != nil {
			// No index: every gang member is spared.
			nodes = nil
		}
		return pl.disruptionIndex(nodes, nil)
	}})
	result, status := pl.evaluator.Preempt(ctx, state, pod, statuses)
	if msg := status.Message(); len(msg) > 0 {
		return result, fwk.NewStatus(status.Code(), "preemption: "+msg)
	}
	return result, status
}

// GetOffsetAndNumCandidates is upstream's, with the default args.
func (pp *podPreemption) GetOffsetAndNumCandidates(numNodes int32) (int32, int32) {
	n := numNodes * minCandidateNodesPercentage / 100
	n = max(n, minCandidateNodesAbsolute)
	n = min(n, numNodes)
	return rand.Int31n(numNodes), n
}

// CandidatesToVictimsMap is upstream's: one candidate per node.
func (pp *podPreemption) CandidatesToVictimsMap(candidates []preemption.Candidate) map[string]*extenderv1.Victims {
	m := make(map[string]*extenderv1.Victims, len(candidates))
	for _, c := range candidates {
		m[c.Name()] = c.Victims()
	}
	return m
}

// PodEligibleToPreemptOthers is upstream's: not with preemptionPolicy
// Never, nor while a victim of the pod's last preemption terminates on
// its nominated node (unless the filters now reject that node outright).
func (pp *podPreemption) PodEligibleToPreemptOthers(_ context.Context, pod *v1.Pod, nominatedNodeStatus *fwk.Status) (bool, string) {
	if pod.Spec.PreemptionPolicy != nil && *pod.Spec.PreemptionPolicy == v1.PreemptNever {
		return false, "not eligible due to preemptionPolicy=Never."
	}
	nominated := pod.Status.NominatedNodeName
	if nominated == "" {
		return true, ""
	}
	if nominatedNodeStatus.Code() == fwk.UnschedulableAndUnresolvable {
		return true, ""
	}
	if ni, _ := pp.fh.SnapshotSharedLister().NodeInfos().Get(nominated); ni != nil {
		priority := corev1helpers.PodPriority(pod)
		for _, pi := range ni.GetPods() {
			if corev1helpers.PodPriority(pi.GetPod()) < priority && terminatingByPreemption(pi.GetPod()) {
				return false, "not eligible due to a terminating pod on the nominated node."
			}
		}
	}
	return true, ""
}

// SelectVictimsOnNode is upstream's reprieve with victim units: every
// unit on the node of lower priority than the pod is removed; if the pod
// then fits, each unit is added back, those that would violate a
// PodDisruptionBudget first, each group most important first, and kept if
// the pod still fits. A unit not kept is evicted whole: a gang's members
// on other nodes are victims too, and count in the candidate's cost.
// Across nodes, the pod's constraints are judged with them in place.
func (pp *podPreemption) SelectVictimsOnNode(ctx context.Context, state fwk.CycleState, pod *v1.Pod, nodeInfo fwk.NodeInfo, pdbs []*policy.PodDisruptionBudget) ([]*v1.Pod, int, *fwk.Status) {
	logger := klog.FromContext(ctx)
	idx := disruptionOf(state)
	removePod := func(pi fwk.PodInfo) error {
		if err := nodeInfo.RemovePod(logger, pi.GetPod()); err != nil {
			return err
		}
		if status := pp.fh.RunPreFilterExtensionRemovePod(ctx, state, pod, pi, nodeInfo); !status.IsSuccess() {
			return status.AsError()
		}
		return nil
	}
	addPod := func(pi fwk.PodInfo) error {
		nodeInfo.AddPodInfo(pi)
		if status := pp.fh.RunPreFilterExtensionAddPod(ctx, state, pod, pi, nodeInfo); !status.IsSuccess() {
			return status.AsError()
		}
		return nil
	}
	// As upstream: remove every unit that may be preempted, and see
	// whether the pod fits without them.
	priority := corev1helpers.PodPriority(pod)
	var potential []*nodeUnit
	byID := map[unitID]*nodeUnit{}
	for _, pi := range nodeInfo.GetPods() {
		u, ok := idx.unitOf(pi.GetPod())
		if !ok || u.priority >= priority {
			continue
		}
		nu, ok := byID[u.id()]
		if !ok {
			nu = &nodeUnit{unit: u}
			byID[u.id()] = nu
			potential = append(potential, nu)
		}
		nu.local = append(nu.local, pi)
		if err := removePod(pi); err != nil {
			return nil, 0, fwk.AsStatus(err)
		}
	}
	if len(potential) == 0 {
		return nil, 0, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "No preemption victims found for incoming pod")
	}
	if status := pp.fh.RunFilterPluginsWithNominatedPods(ctx, state, pod, nodeInfo); !status.IsSuccess() {
		return nil, 0, status
	}
	sort.Slice(potential, func(i, j int) bool { return moreImportantUnit(potential[i].unit, potential[j].unit) })
	budget := newPDBBudget(pdbs)
	var violating, nonViolating []*nodeUnit
	for _, nu := range potential {
		if nu.violations = budget.take(nu.unit.pods); nu.violations > 0 {
			violating = append(violating, nu)
		} else {
			nonViolating = append(nonViolating, nu)
		}
	}
	var victims []*nodeUnit
	numViolating := 0
	reprieve := func(nu *nodeUnit) error {
		for _, pi := range nu.local {
			if err := addPod(pi); err != nil {
				return err
			}
		}
		if pp.fh.RunFilterPluginsWithNominatedPods(ctx, state, pod, nodeInfo).IsSuccess() {
			return nil
		}
		for _, pi := range nu.local {
			if err := removePod(pi); err != nil {
				return err
			}
		}
		victims = append(victims, nu)
		numViolating += nu.violations
		logger.V(5).Info("Pods are potential preemption victims on node", "pods", len(nu.unit.pods), "first", klog.KObj(nu.unit.pods[0]), "node", klog.KObj(nodeInfo.Node()))
		return nil
	}
	for _, nu := range append(violating, nonViolating...) {
		if err := reprieve(nu); err != nil {
			return nil, 0, fwk.AsStatus(err)
		}
	}
	if len(violating) != 0 && len(nonViolating) != 0 {
		sort.Slice(victims, func(i, j int) bool { return moreImportantUnit(victims[i].unit, victims[j].unit) })
	}
	var pods []*v1.Pod
	for _, nu := range victims {
		pods = append(pods, nu.unit.pods...)
	}
	return pods, numViolating, fwk.NewStatus(fwk.Success)
}

// nodeUnit is a victim unit as one node sees it.
type nodeUnit struct {
	unit *victimUnit
	// local are its pods on the node.
	local []fwk.PodInfo
	// violations are its pods that would violate a budget.
	violations int
}

// OrderedScoreFuncs returns nil, upstream's choice of a node, unless a
// candidate's victims hold a whole gang: then upstream's criteria, with
// every member of a whole gang counted at the gang's (lowest) priority.
func (pp *podPreemption) OrderedScoreFuncs(_ context.Context, nodesToVictims map[string]*extenderv1.Victims) []func(node string) int64 {
	costs := make(map[string]victimCost, len(nodesToVictims))
	wholeGang := false
	for node, v := range nodesToVictims {
		units := groupVictims(v.Pods, pp.whole)
		for _, u := range units {
			wholeGang = wholeGang || u.whole
		}
		costs[node] = costOf(units, int(v.NumPDBViolations))
	}
	if !wholeGang {
		return nil
	}
	return []func(string) int64{
		func(n string) int64 { return -int64(costs[n].violations) },
		func(n string) int64 { return -int64(costs[n].top) },
		func(n string) int64 { return -costs[n].sum },
		func(n string) int64 { return -int64(costs[n].pods) },
		func(n string) int64 { return costs[n].start.UnixNano() },
	}
}

// disruptionOf returns the index PostFilter left in the state; without
// one, an empty index, which spares every gang member.
func disruptionOf(state fwk.CycleState) *disruptionIndex {
	if d, err := state.Read(disruptionStateKey); err == nil {
		if s, ok := d.(*disruptionState); ok {
			return s.get()
		}
	}
	return newDisruptionIndex(nil, disruptionSource{group: func(gang.GroupKey) groupDisruption { return disruptNever }})
}

// terminatingByPreemption reports a pod being deleted by a scheduler's
// preemption.
func terminatingByPreemption(p *v1.Pod) bool {
	if p.DeletionTimestamp == nil {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == v1.DisruptionTarget {
			return c.Status == v1.ConditionTrue && c.Reason == v1.PodReasonPreemptionByScheduler
		}
	}
	return false
}
