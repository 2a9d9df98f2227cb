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
	"slices"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	corelisters "k8s.io/client-go/listers/core/v1"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	apipod "k8s.io/kubernetes/pkg/api/v1/pod"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/util"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/workloadgang/groupstate"
	"github.com/gangsched/gangsched/pkg/workloadgang/placement"
)

// A gang preempts as a whole (issue 11). When a member of a gang short of
// its quorum finds no node, WorkloadGang, not DefaultPreemption, decides
// whether pods of lower priority make way: for every member the gang still
// needs at once, or for none. Evicting victims for one member while the
// gang as a whole cannot fit would disrupt running pods for nothing.
//
// Victims are running pods of lower priority than the gang (its lowest
// member's): plain pods, and running gangs as units (disruption.go): a
// member of a bound gang whose disruption mode is All is a victim only
// with all its gang's bound members, at the gang's lowest priority. The
// first question is whether the gang fits with every victim gone; if not,
// nothing is evicted. Otherwise members go first where they fit without a
// victim, then on the nodes ranked as upstream ranks them (fewest
// PodDisruptionBudget violations, lowest top priority, fewest victims per
// member placed, latest started: compareCandidates), and on each such node
// the victims are cut down as upstream's DefaultPreemption does: all are
// removed, then each unit, those violating a budget first, most important
// first, is kept if the members planned on the node still fit beside it.

// preemptionTimeout bounds the API calls of one eviction; they run off the
// scheduling goroutine, after the cycle's context is gone.
const preemptionTimeout = 30 * time.Second

// preemptKind is the kind of a preemptOutcome.
type preemptKind int

const (
	// notPreempting: preemption does not apply (the gang asks a topology,
	// its members have constraints across nodes, or room is free without a
	// victim); the member goes on as one that found no node.
	notPreempting preemptKind = iota
	// preempted: victims are being evicted; the member is nominated to
	// node.
	preempted
	// cannotFitByPreempting: the gang does not fit even with every victim
	// gone; nothing is evicted.
	cannotFitByPreempting
	// preemptionNotAllowed: the member's preemptionPolicy is Never.
	preemptionNotAllowed
	// waitingForVictims: the gang's last preemption still has victims
	// running; the member is nominated to node, if one is planned for it.
	waitingForVictims
)

// The values of the result label of gangsched_preemption_attempts_total, by
// kind; notPreempting counts nothing.
var preemptResults = map[preemptKind]string{
	preempted:             "preempted",
	cannotFitByPreempting: "cannot_fit",
	preemptionNotAllowed:  "not_allowed",
	waitingForVictims:     "waiting_for_victims",
}

// preemptOutcome is what preempt decided for a member that found no node.
type preemptOutcome struct {
	kind preemptKind
	// node is the node the member is nominated to; "" for none.
	node string
	// msg is the member's status message (not for preempted).
	msg string
}

// preempt decides whether a member of a gang short of its quorum, which
// found no node, preempts for its gang, and starts the evictions if it
// does. need is what the gang still needs; nodes the snapshot's.
func (pl *WorkloadGang) preempt(ctx context.Context, state fwk.CycleState, pod *v1.Pod, key gang.GroupKey, w declaration, need groupstate.Need, nodes []fwk.NodeInfo) preemptOutcome {
	logger := klog.FromContext(ctx)
	if n, ok := pl.preemptions.pending(key, pl.podLister); ok {
		node := pl.preemptions.nominate(key, pod)
		pl.preemptions.wait(key, pod)
		return preemptOutcome{kind: waitingForVictims, node: node, msg: gang.WaitingForVictimsMessage(key, n)}
	}
	if asksTopology(w.GetAnnotations()) {
		// A topology confines the gang to a domain chosen per round; the
		// victims would have to be chosen within it. Not in this version.
		return preemptOutcome{}
	}
	if pg, ok := w.(*podgroupv1alpha1.PodGroup); ok && len(pg.Spec.MinResources) > 0 {
		// minResources are judged at PreFilter on free room; victims
		// are not chosen for them in this version.
		return preemptOutcome{}
	}
	if pod.Spec.PreemptionPolicy != nil && *pod.Spec.PreemptionPolicy == v1.PreemptNever {
		return preemptOutcome{kind: preemptionNotAllowed, msg: gang.PreemptionNeverMessage(key)}
	}
	priority := corev1helpers.PodPriority(pod)
	if lowest, _, ok := pl.store.Priorities(key); ok {
		priority = lowest
	}
	// The members reserved in a waiting round keep their room: only the
	// members still missing are placed.
	members := need.Members
	if r, ok := pl.store.Round(key); ok {
		members = r.MinCount - r.ReservedOrBound
	}
	unitOf := pl.victimUnits(nodes, key, priority)
	running := func(p *v1.Pod) bool {
		_, ok := unitOf(p)
		return ok && !pl.leaving(p)
	}
	if !slices.ContainsFunc(nodes, func(ni fwk.NodeInfo) bool { return hasEligible(ni, running) }) {
		// No pod of lower priority runs: the gang waits for room as any
		// gang of its priority does.
		return preemptOutcome{}
	}
	pdbs, err := pl.pdbLister.List(labels.Everything())
	if err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "Listing PodDisruptionBudgets failed", "pod", klog.KObj(pod), "group", key)
		return preemptOutcome{}
	}
	c, err := chooseVictims(ctx, pl.handle, nodes, victimQuestion{
		member:  pod,
		state:   state,
		need:    members,
		unitOf:  unitOf,
		leaving: pl.leaving,
		pdbs:    pdbs,
	})
	if err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "Choosing preemption victims for a gang failed", "pod", klog.KObj(pod), "group", key)
		return preemptOutcome{}
	}
	switch c.kind {
	case placement.Unknown:
		return preemptOutcome{}
	case placement.DoesNotFit:
		logger.V(4).Info("Gang cannot fit even by preempting every lower-priority pod", "pod", klog.KObj(pod), "group", key, "need", members, "canHold", c.placed)
		return preemptOutcome{kind: cannotFitByPreempting, msg: gang.CannotFitByPreemptingMessage(key, members, c.request.String(), c.placed)}
	}
	if len(c.victims) == 0 {
		// The room is free, or being freed by terminating pods (the
		// victims of the gang's last preemption, still in the snapshot
		// after the informer saw them go), or held by nominated pods:
		// nothing to evict.
		return preemptOutcome{}
	}
	node := mostPlanned(c.nodes)
	pl.preemptions.start(key, c.victims, c.nodes, pl.clock.Now())
	pl.preemptions.assign(key, pod, node)
	pl.preemptions.wait(key, pod)
	pl.nominateMembers(logger, key, pod)
	victimNodes := map[string]struct{}{}
	for _, v := range c.victims {
		victimNodes[v.Spec.NodeName] = struct{}{}
	}
	logger.V(2).Info("Gang preempts", "pod", klog.KObj(pod), "group", key, "victims", len(c.victims), "nodes", len(victimNodes), "plan", c.nodes)
	pl.events.record(pl.workload(key), key, v1.EventTypeNormal, reasonPreempting, gang.PreemptingMessage(key, len(c.victims), len(victimNodes)))
	preemptionVictims.Add(float64(len(c.victims)))
	pl.evictAsync(ctx, key, pod, c.victims)
	return preemptOutcome{kind: preempted, node: node}
}

// actOnPreemption turns a preemptOutcome into the member's PostFilter
// result, counting it. A member that preempted, or waits for its gang's
// victims, leaves its gang's waiting round standing: the room it needs is
// being freed, and the victims' deletion activates it.
func (pl *WorkloadGang) actOnPreemption(ctx context.Context, pod *v1.Pod, out preemptOutcome) (*fwk.PostFilterResult, *fwk.Status) {
	preemptionAttempts.WithLabelValues(preemptResults[out.kind]).Inc()
	var result *fwk.PostFilterResult
	if out.node != "" {
		result = framework.NewPostFilterResultWithNominatedNode(out.node)
	}
	switch out.kind {
	case preempted:
		return result, fwk.NewStatus(fwk.Success)
	case waitingForVictims:
		return result, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, out.msg)
	}
	// cannotFitByPreempting, preemptionNotAllowed: a member that found no
	// node, as without preemption.
	pl.act(ctx, pl.store.Unplaced(pod, true), pod, nil)
	return nil, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, out.msg)
}

// victimUnits returns, for gang key of the given priority, the unit each
// pod on nodes may be preempted with (see disruption.go): a running pod
// (bound, not terminating, not waiting at Permit) of lower priority, of no
// gang, of a basic group or of a Single gang; or a bound All gang, other
// than key, whose lowest priority is lower, with all its bound members.
func (pl *WorkloadGang) victimUnits(nodes []fwk.NodeInfo, key gang.GroupKey, priority int32) func(*v1.Pod) (*victimUnit, bool) {
	idx := pl.disruptionIndex(nodes, &key)
	return func(p *v1.Pod) (*victimUnit, bool) {
		u, ok := idx.unitOf(p)
		if !ok || u.priority >= priority {
			return nil, false
		}
		if !u.whole && (p.Spec.NodeName == "" || !gang.IsLiveMember(p) || pl.handle.GetWaitingPod(p.UID) != nil) {
			return nil, false
		}
		return u, true
	}
}

// podLister returns the scheduler's pod lister.
func (pl *WorkloadGang) podLister() corelisters.PodLister {
	return pl.handle.SharedInformerFactory().Core().V1().Pods().Lister()
}

// nominateMembers nominates, in the scheduler's memory, the gang's other
// pending members to the nodes planned for them, so that pods of lower
// priority do not take the room being freed. A member that fails its
// next cycle loses the nomination and is nominated again by preempt.
func (pl *WorkloadGang) nominateMembers(logger klog.Logger, key gang.GroupKey, preemptor *v1.Pod) {
	// The scheduler's pod informer has no namespace index: a namespaced
	// list would scan every pod too, and log a warning. Once per
	// preemption.
	pods, err := pl.podLister().List(labels.Everything())
	if err != nil {
		return
	}
	for _, p := range pods {
		if p.Namespace != key.Namespace || p.UID == preemptor.UID || p.Spec.NodeName != "" || !gang.IsLiveMember(p) {
			continue
		}
		if k, ok := gang.KeyForPod(p); !ok || k != key {
			continue
		}
		node := pl.preemptions.nominate(key, p)
		if node == "" {
			return
		}
		pi, err := framework.NewPodInfo(p)
		if err != nil {
			continue
		}
		pl.handle.AddNominatedPod(logger, pi, &fwk.NominatingInfo{NominatedNodeName: node, NominatingMode: fwk.ModeOverride})
	}
}

// evictAsync evicts the victims off the scheduling goroutine, in parallel,
// as upstream does: each gets the DisruptionTarget condition, then is
// deleted with its own grace period, and records the Preempted Event. A
// victim that could not be evicted is forgotten, so the gang does not wait
// for it.
func (pl *WorkloadGang) evictAsync(ctx context.Context, key gang.GroupKey, preemptor *v1.Pod, victims []*v1.Pod) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), preemptionTimeout)
	go func() {
		defer cancel()
		pl.handle.Parallelizer().Until(ctx, len(victims), func(i int) {
			if err := pl.evict(ctx, key, preemptor, victims[i]); err != nil {
				utilruntime.HandleErrorWithContext(ctx, err, "Evicting a preemption victim failed", "victim", klog.KObj(victims[i]), "preemptor", klog.KObj(preemptor), "group", key)
				pl.activate(klog.FromContext(ctx), pl.preemptions.evictionFailed(victims[i].UID))
			}
		}, Name)
	}()
}

// evict preempts one victim; a victim already gone is no error.
func (pl *WorkloadGang) evict(ctx context.Context, key gang.GroupKey, preemptor, victim *v1.Pod) error {
	if victim.DeletionTimestamp != nil {
		return nil
	}
	cs := pl.handle.ClientSet()
	condition := &v1.PodCondition{
		Type:               v1.DisruptionTarget,
		ObservedGeneration: apipod.CalculatePodConditionObservedGeneration(&victim.Status, victim.Generation, v1.DisruptionTarget),
		Status:             v1.ConditionTrue,
		Reason:             v1.PodReasonPreemptionByScheduler,
		Message:            gang.DisruptionTargetMessage(preemptor.Spec.SchedulerName, key),
	}
	status := victim.Status.DeepCopy()
	if apipod.UpdatePodCondition(status, condition) {
		if err := util.PatchPodStatus(ctx, cs, victim.Name, victim.Namespace, &victim.Status, status); err != nil {
			if apierrors.IsNotFound(err) {
				return nil
			}
			return fmt.Errorf("adding the DisruptionTarget condition: %w", err)
		}
	}
	uid := victim.UID
	if err := cs.CoreV1().Pods(victim.Namespace).Delete(ctx, victim.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}}); err != nil {
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return nil
		}
		return fmt.Errorf("deleting: %w", err)
	}
	klog.FromContext(ctx).V(2).Info("Gang preempted a victim", "victim", klog.KObj(victim), "preemptor", klog.KObj(preemptor), "group", key, "node", victim.Spec.NodeName)
	pl.handle.EventRecorder().Eventf(victim, preemptor, v1.EventTypeNormal, "Preempted", "Preempting", "%s", gang.PreemptedMessage(key, preemptor.Name, victim.Spec.NodeName))
	return nil
}

// mostPlanned returns the node with the most members planned, by name on
// a tie.
func mostPlanned(plan map[string]int) string {
	best, most := "", 0
	for n, k := range plan {
		if k > most || (k == most && n < best) {
			best, most = n, k
		}
	}
	return best
}
