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
	"time"

	v1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/util"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
)

// EventsToRegister returns the events that may make a pod held by this
// plugin schedulable. The scheduler delivers the Workload events only when its
// GenericWorkload gate is on, and unscheduled Pod/Add events only when its
// GangScheduling gate is on; the plugin's own informer handlers
// (registerEventHandlers) activate the same pods in every case, so these
// hints only save a wait when the gates are on.
func (pl *WorkloadGang) EventsToRegister(_ context.Context) ([]fwk.ClusterEventWithHint, error) {
	return []fwk.ClusterEventWithHint{
		// A new pod may be the member that completes a gang's count.
		{Event: fwk.ClusterEvent{Resource: fwk.Pod, ActionType: fwk.Add}, QueueingHintFn: pl.isSchedulableAfterPodAdded},
		// The workloadRef is immutable, a PodGroup label is not: a pod
		// relabelled to another gang must be judged against it, and may
		// complete its new gang's count.
		{Event: fwk.ClusterEvent{Resource: fwk.Pod, ActionType: fwk.UpdatePodLabel}, QueueingHintFn: pl.isSchedulableAfterPodRelabelled},
		// A Workload that appears, or is recreated with the missing podGroup
		// or another minCount, may unblock its pods; an update only when
		// it changes what the gang depends on (gangChanged).
		{Event: fwk.ClusterEvent{Resource: fwk.Workload, ActionType: fwk.Add | fwk.Update}, QueueingHintFn: pl.isSchedulableAfterWorkloadChange},
		// A deleted assigned pod frees room in its node's domain: a gang
		// that no topology domain could hold (PreFilter) may fit now.
		{Event: fwk.ClusterEvent{Resource: fwk.Pod, ActionType: fwk.Delete}, QueueingHintFn: pl.isSchedulableAfterPodDeleted},
		// A new node, or one that offers more, may make a domain large
		// enough for a gang that none could hold.
		{Event: fwk.ClusterEvent{Resource: fwk.Node, ActionType: fwk.Add | fwk.Update}, QueueingHintFn: pl.isSchedulableAfterNodeChange},
	}, nil
}

// waitsForRoom reports whether PreFilter may reject a pod for want of free
// room: its gang's Workload or PodGroup carries a topology annotation
// (valid or not), or its PodGroup asks minResources. Only such pods wait
// for room to free in some domain, or in the cluster. O(1).
func (pl *WorkloadGang) waitsForRoom(pod *v1.Pod) bool {
	key, ok := gang.KeyForPod(pod)
	if !ok {
		return false
	}
	d := pl.decls.get(key.WorkloadKey())
	if d == nil {
		return false
	}
	if pg, ok := d.(*podgroupv1alpha1.PodGroup); ok && len(pg.Spec.MinResources) > 0 {
		return true
	}
	return asksTopology(d.GetAnnotations())
}

// isSchedulableAfterPodDeleted queues a gang member that asks a topology
// when an assigned pod is deleted: the room it frees may make a domain
// large enough for the gang. Unassigned pods free nothing.
func (pl *WorkloadGang) isSchedulableAfterPodDeleted(logger klog.Logger, pod *v1.Pod, oldObj, newObj interface{}) (fwk.QueueingHint, error) {
	deleted, _, err := util.As[*v1.Pod](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	if deleted == nil || deleted.Spec.NodeName == "" || !pl.waitsForRoom(pod) {
		logger.V(5).Info("deleted pod frees no room the pod's gang waits for", "pod", klog.KObj(pod), "deletedPod", klog.KObj(deleted))
		return fwk.QueueSkip, nil
	}
	logger.V(5).Info("deleted assigned pod frees room in a topology domain", "pod", klog.KObj(pod), "deletedPod", klog.KObj(deleted))
	return fwk.Queue, nil
}

// isSchedulableAfterNodeChange queues a gang member that asks a topology
// when a node is added, or changes what it offers (nodeOffersChanged): the
// node may join a domain, or give it room.
func (pl *WorkloadGang) isSchedulableAfterNodeChange(logger klog.Logger, pod *v1.Pod, oldObj, newObj interface{}) (fwk.QueueingHint, error) {
	old, n, err := util.As[*v1.Node](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	if !pl.waitsForRoom(pod) || (old != nil && !nodeOffersChanged(old, n)) {
		logger.V(5).Info("node change gives no topology domain room", "pod", klog.KObj(pod), "node", klog.KObj(n))
		return fwk.QueueSkip, nil
	}
	logger.V(5).Info("node change may give a topology domain room", "pod", klog.KObj(pod), "node", klog.KObj(n))
	return fwk.Queue, nil
}

// isSchedulableAfterPodAdded queues a pod when a pod of its own group was
// added and the group now has minCount members. O(1): one map lookup.
func (pl *WorkloadGang) isSchedulableAfterPodAdded(logger klog.Logger, pod *v1.Pod, oldObj, newObj interface{}) (fwk.QueueingHint, error) {
	_, added, err := util.As[*v1.Pod](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	key, ok := gang.KeyForPod(pod)
	addedKey, addedOK := gang.KeyForPod(added)
	if !ok || !addedOK || key != addedKey {
		logger.V(5).Info("added pod is not in the pod's group", "pod", klog.KObj(pod), "addedPod", klog.KObj(added))
		return fwk.QueueSkip, nil
	}
	st, tracked := pl.store.Group(key)
	if tracked && st.MinCount > 0 && st.Members < st.MinCount {
		logger.V(5).Info("added pod joins the pod's gang, still short of minCount", "pod", klog.KObj(pod), "addedPod", klog.KObj(added), "members", st.Members, "minCount", st.MinCount)
		return fwk.QueueSkip, nil
	}
	logger.V(5).Info("added pod joins the pod's group, which may now be complete", "pod", klog.KObj(pod), "addedPod", klog.KObj(added))
	return fwk.Queue, nil
}

// isSchedulableAfterPodRelabelled queues a pod whose own PodGroup label
// changed (PreEnqueue judges it against its new gang), and a pod whose
// gang another pod was relabelled into. O(1).
func (pl *WorkloadGang) isSchedulableAfterPodRelabelled(logger klog.Logger, pod *v1.Pod, oldObj, newObj interface{}) (fwk.QueueingHint, error) {
	old, updated, err := util.As[*v1.Pod](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	if old == nil || !groupChanged(old, updated) {
		logger.V(5).Info("label change moves no pod between gangs", "pod", klog.KObj(pod), "updatedPod", klog.KObj(updated))
		return fwk.QueueSkip, nil
	}
	if updated.UID == pod.UID {
		logger.V(5).Info("the pod changed gangs", "pod", klog.KObj(pod))
		return fwk.Queue, nil
	}
	key, ok := gang.KeyForPod(pod)
	newKey, newOK := gang.KeyForPod(updated)
	if !ok || !newOK || key != newKey {
		logger.V(5).Info("relabelled pod did not join the pod's gang", "pod", klog.KObj(pod), "updatedPod", klog.KObj(updated))
		return fwk.QueueSkip, nil
	}
	logger.V(5).Info("relabelled pod joined the pod's gang", "pod", klog.KObj(pod), "updatedPod", klog.KObj(updated))
	return fwk.Queue, nil
}

// isSchedulableAfterWorkloadChange queues a pod when its own Workload was
// added, or updated in something its gang depends on (gangChanged).
func (pl *WorkloadGang) isSchedulableAfterWorkloadChange(logger klog.Logger, pod *v1.Pod, oldObj, newObj interface{}) (fwk.QueueingHint, error) {
	old, w, err := util.As[*schedulingv1alpha1.Workload](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	key, ok := gang.KeyForPod(pod)
	if !ok || key.Source != gang.SourceWorkload || key.Namespace != w.Namespace || key.Workload != w.Name {
		logger.V(5).Info("changed Workload is not the pod's", "pod", klog.KObj(pod), "workload", klog.KObj(w))
		return fwk.QueueSkip, nil
	}
	if old != nil && !gangChanged(old, w) {
		logger.V(5).Info("the pod's Workload changed in nothing its gang depends on", "pod", klog.KObj(pod), "workload", klog.KObj(w))
		return fwk.QueueSkip, nil
	}
	logger.V(5).Info("the pod's Workload changed, which may make it schedulable", "pod", klog.KObj(pod), "workload", klog.KObj(w))
	return fwk.Queue, nil
}

// registerEventHandlers feeds the group state from the scheduler's shared
// pod and Workload informers, and activates the pods that an event unblocks.
// Activation goes through Handle.Activate, which runs PreEnqueue again under
// the queue's lock; together with the store lock this guarantees that the
// last member's arrival is never missed, whichever of our handler and the
// scheduler's queue handler runs first.
func (pl *WorkloadGang) registerEventHandlers(ctx context.Context) error {
	logger := klog.FromContext(ctx)
	informers := pl.handle.SharedInformerFactory()
	_, err := informers.Core().V1().Pods().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj interface{}) {
			if pod, ok := obj.(*v1.Pod); ok {
				pl.activate(logger, pl.store.AddPod(pod))
			}
		},
		UpdateFunc: func(oldObj, newObj interface{}) {
			pod, ok := newObj.(*v1.Pod)
			if !ok {
				return
			}
			if old, ok := oldObj.(*v1.Pod); ok && groupChanged(old, pod) {
				// Only a PodGroup label can change: a workloadRef is
				// immutable.
				// PreEnqueue judges the pod again, against its new gang:
				// the queue does not on a label change.
				logger.V(4).Info("Pod changed gangs", "pod", klog.KObj(pod))
				pl.store.LeaveGroup(old)
				pl.activate(logger, append(pl.store.UpdatePod(pod), pod))
				return
			}
			pl.activate(logger, pl.store.UpdatePod(pod))
		},
		DeleteFunc: func(obj interface{}) {
			if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = tomb.Obj
			}
			if pod, ok := obj.(*v1.Pod); ok {
				pl.store.DeletePod(pod)
				pl.reporter.forget(pod)
				// A preemption victim's room is for the gang that
				// preempted it.
				pl.activate(logger, pl.preemptions.victimGone(pod.UID))
				if pod.Spec.NodeName != "" {
					// Room freed up: the oldest gang that found none goes
					// first, before its pod backoff lets younger pods take it.
					pl.store.RoomChanged()
					pl.activate(logger, pl.store.TakeOldestUnplaced())
				}
			}
		},
	})
	if err != nil {
		return err
	}
	if err := pl.registerDeclarationHandlers(ctx); err != nil {
		return err
	}
	_, err = informers.Core().V1().Nodes().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(interface{}) { pl.onNodesChanged(logger) },
		DeleteFunc: func(interface{}) { pl.onNodesChanged(logger) },
		UpdateFunc: func(oldObj, newObj interface{}) {
			old, okOld := oldObj.(*v1.Node)
			n, okNew := newObj.(*v1.Node)
			if !okOld || !okNew || nodeOffersChanged(old, n) {
				pl.onNodesChanged(logger)
			}
		},
	})
	return err
}

// registerDeclarationHandlers feeds the declaration index from the
// Workload informer (the scheduler's shared one) and the PodGroup informer
// (the plugin's own), whichever of the two APIs the API server serves.
func (pl *WorkloadGang) registerDeclarationHandlers(ctx context.Context) error {
	if pl.apis.PodGroups {
		if err := pl.startPodGroups(ctx); err != nil {
			return err
		}
	}
	if !pl.apis.Workloads {
		return nil
	}
	_, err := pl.handle.SharedInformerFactory().Scheduling().V1alpha1().Workloads().Informer().AddEventHandler(pl.declarationHandler(ctx, nil))
	return err
}

// groupChanged reports whether an update moved a pod to another gang, or
// into or out of one: its PodGroup label changed.
func groupChanged(old, pod *v1.Pod) bool {
	oldKey, oldOK := gang.KeyForPod(old)
	key, ok := gang.KeyForPod(pod)
	return oldOK != ok || oldKey != key
}

// declarationHandler keeps the declaration index, and the pods that wait
// on it, in step with an informer of Workloads or of PodGroups. then, when
// set, runs after each event with its object (the PodGroup status
// controller learns of changes so).
func (pl *WorkloadGang) declarationHandler(ctx context.Context, then func(declaration)) cache.ResourceEventHandler {
	logger := klog.FromContext(ctx)
	after := func(d declaration) {
		if then != nil {
			then(d)
		}
	}
	return cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj interface{}) {
			if d, ok := asDeclaration(obj); ok {
				pl.decls.set(d)
				pl.checkAnnotations(nil, d)
				pl.onWorkloadChange(logger, d)
				after(d)
			}
		},
		UpdateFunc: func(oldObj, newObj interface{}) {
			d, ok := asDeclaration(newObj)
			if !ok {
				return
			}
			old, _ := asDeclaration(oldObj)
			pl.decls.set(d)
			pl.checkAnnotations(old, d)
			if old == nil || gangChanged(old, d) {
				pl.onWorkloadChange(logger, d)
			}
			after(d)
		},
		DeleteFunc: func(obj interface{}) {
			if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = tomb.Obj
			}
			if d, ok := asDeclaration(obj); ok {
				pl.decls.remove(d)
				pl.onWorkloadDelete(ctx, d)
				after(d)
			}
		},
	}
}

// asDeclaration returns an informer's object as a declaration: a Workload
// or a PodGroup the informer could decode (one it could not stays
// unstructured, and is ignored: its pods wait for it, and say so).
func asDeclaration(obj interface{}) (declaration, bool) {
	switch d := obj.(type) {
	case *schedulingv1alpha1.Workload:
		return d, true
	case *podgroupv1alpha1.PodGroup:
		return d, true
	}
	return nil, false
}

// nodeOffersChanged reports whether a Node update changes what a gang may
// find on it: its allocatable resources, labels (node affinity, topology),
// taints or schedulability. Status heartbeats and conditions do not count.
func nodeOffersChanged(old, n *v1.Node) bool {
	return !apiequality.Semantic.DeepEqual(old.Status.Allocatable, n.Status.Allocatable) ||
		!apiequality.Semantic.DeepEqual(old.Labels, n.Labels) ||
		!apiequality.Semantic.DeepEqual(old.Spec.Taints, n.Spec.Taints) ||
		old.Spec.Unschedulable != n.Spec.Unschedulable
}

// nodeSettleDelay is how long after a node event the fit verdicts are
// forgotten a second time. The scheduler's cache learns of the node from
// its own handler, in no fixed order with ours: a member activated by the
// first call can still be judged on a snapshot without the node, and be
// held again for a verdict the node has already made stale.
const nodeSettleDelay = 2 * time.Second

// onNodesChanged forgets the fit verdicts that rest on the nodes, and
// activates the gangs held because they could not fit; and again once the
// scheduler's cache has the change (nodeSettleDelay), at most one timer at
// a time however many nodes change.
func (pl *WorkloadGang) onNodesChanged(logger klog.Logger) {
	pl.activate(logger, pl.store.NodesChanged())
	if !pl.nodesSettling.CompareAndSwap(false, true) {
		return
	}
	pl.clock.AfterFunc(nodeSettleDelay, func() {
		pl.nodesSettling.Store(false)
		pl.activate(logger, pl.store.NodesChanged())
	})
}

// gangChanged reports whether an update of a Workload or PodGroup changes
// something its gangs depend on, so that pods waiting on it must be judged
// again:
//   - the UID: a relist collapses a delete and a recreate into one update,
//     and the new Workload may have the missing podGroup or another
//     minCount;
//   - a Workload's spec.podGroups: immutable in the API, compared to be
//     safe should that ever change;
//   - a PodGroup's minMember and minResources (its scheduleTimeoutSeconds,
//     like the Workload's Permit timeout annotation, applies to the next
//     round only);
//   - the topology annotations: a fixed invalid value, or another key, may
//     let a gang that PreFilter turned away be placed.
//
// The Permit timeout annotation (gang.PermitTimeoutAnnotation) applies to
// the next round only, read by Permit, and checkAnnotations reports invalid
// values whatever this returns. Labels and the other metadata matter to
// nothing.
func gangChanged(old, d declaration) bool {
	if old.GetUID() != d.GetUID() || topologyAnnotationsChanged(old, d) {
		return true
	}
	switch o := d.(type) {
	case *schedulingv1alpha1.Workload:
		ow, ok := old.(*schedulingv1alpha1.Workload)
		return !ok || !apiequality.Semantic.DeepEqual(ow.Spec.PodGroups, o.Spec.PodGroups)
	case *podgroupv1alpha1.PodGroup:
		opg, ok := old.(*podgroupv1alpha1.PodGroup)
		return !ok || opg.Spec.MinMember != o.Spec.MinMember || !apiequality.Semantic.DeepEqual(opg.Spec.MinResources, o.Spec.MinResources)
	}
	return true
}

// topologyAnnotationsChanged reports whether the topology annotations of a
// Workload or PodGroup changed: a fixed invalid annotation, or another key,
// may let a gang held at PreFilter be placed.
func topologyAnnotationsChanged(old, d declaration) bool {
	oa, a := old.GetAnnotations(), d.GetAnnotations()
	return oa[gang.TopologyRequiredAnnotation] != a[gang.TopologyRequiredAnnotation] ||
		oa[gang.TopologyPreferredAnnotation] != a[gang.TopologyPreferredAnnotation]
}

// checkAnnotations reports an invalid gangsched annotation on a Workload
// or PodGroup (Permit timeout, topology, disruption mode), or an invalid
// PodGroup spec.scheduleTimeoutSeconds, in an
// Event on it, once per change of the value, from the leader only. old is
// nil for an added object.
func (pl *WorkloadGang) checkAnnotations(old, w declaration) {
	if !pl.leader.Leading() {
		return
	}
	r := pl.handle.EventRecorder()
	if r == nil {
		return
	}
	switch o := w.(type) {
	case *schedulingv1alpha1.Workload:
		if old == nil || old.GetAnnotations()[gang.PermitTimeoutAnnotation] != o.Annotations[gang.PermitTimeoutAnnotation] {
			if _, set, err := gang.PermitTimeoutOverride(o); set && err != nil {
				r.Eventf(o, nil, v1.EventTypeWarning, "InvalidAnnotation", "Scheduling",
					"%v; using the scheduler's permitTimeoutSeconds (%d)", err, pl.args.PermitTimeoutSeconds)
			}
		}
	case *podgroupv1alpha1.PodGroup:
		opg, _ := old.(*podgroupv1alpha1.PodGroup)
		if opg == nil || !ptrEqual(opg.Spec.ScheduleTimeoutSeconds, o.Spec.ScheduleTimeoutSeconds) {
			if _, set, err := gang.PodGroupTimeout(o); set && err != nil {
				r.Eventf(o, nil, v1.EventTypeWarning, "InvalidSpec", "Scheduling",
					"%v; using the scheduler's permitTimeoutSeconds (%d)", err, pl.args.PermitTimeoutSeconds)
			}
		}
	}
	if old == nil || topologyAnnotationsChanged(old, w) {
		if _, err := gang.TopologyOf(w); err != nil {
			r.Eventf(w, nil, v1.EventTypeWarning, "InvalidAnnotation", "Scheduling",
				"%v; its gangs are not placed until it is fixed", err)
		}
	}
	if old == nil || old.GetAnnotations()[gang.DisruptionModeAnnotation] != w.GetAnnotations()[gang.DisruptionModeAnnotation] {
		if _, err := gang.DisruptionModeOf(w); err != nil {
			r.Eventf(w, nil, v1.EventTypeWarning, "InvalidAnnotation", "Scheduling",
				"%v; its running gangs are preempted whole (%s) until it is fixed", err, gang.DisruptionAll)
		}
	}
}

// checkPriorities reports, from the leader, a gang whose members have
// different priorities in a Warning Event MixedPriorities on its Workload
// (at most one per gang per event interval): the gang ranks by the lowest,
// in queue order, yield and hold alike. Reserve calls it: a lock and no
// allocation unless the priorities differ.
func (pl *WorkloadGang) checkPriorities(key gang.GroupKey) {
	if !pl.leader.Leading() {
		return
	}
	lowest, highest, ok := pl.store.Priorities(key)
	if !ok || lowest == highest {
		return
	}
	pl.events.record(pl.workload(key), key, v1.EventTypeWarning, reasonMixedPriorities,
		gang.MixedPrioritiesMessage(key, lowest, highest))
}

// onWorkloadChange activates every pod that waits on the Workload (or
// PodGroup), so that PreEnqueue judges it again against the new one.
func (pl *WorkloadGang) onWorkloadChange(logger klog.Logger, w declaration) {
	pods := pl.store.WorkloadChanged(declarationKey(w), w.GetUID())
	logger.V(5).Info("Gang declaration changed", "kind", declarationKey(w).Source.Kind(), "object", klog.KObj(w), "activated", len(pods))
	pl.activate(logger, pods)
}

// onWorkloadDelete rejects the members of the Workload's (or PodGroup's)
// gangs that wait at Permit: without it they must not bind. PreEnqueue
// then holds them until it is recreated.
func (pl *WorkloadGang) onWorkloadDelete(ctx context.Context, w declaration) {
	rounds := pl.store.WaitingRoundsOnWorkload(declarationKey(w))
	klog.FromContext(ctx).V(4).Info("Gang declaration deleted; rejecting members waiting at Permit", "kind", declarationKey(w).Source.Kind(), "object", klog.KObj(w), "rounds", len(rounds))
	for _, r := range rounds {
		pl.act(ctx, r, nil, w)
	}
}

// activate moves pods that a state change unblocked back into the active queue.
func (pl *WorkloadGang) activate(logger klog.Logger, pods []*v1.Pod) {
	if len(pods) == 0 {
		return
	}
	logger.V(5).Info("Activating pods unblocked by a gang state change", "pods", len(pods))
	pl.handle.Activate(logger, podMap(pods))
}
