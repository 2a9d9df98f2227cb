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
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientset "k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	podutil "k8s.io/kubernetes/pkg/api/v1/pod"

	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/leadership"
	"github.com/gangsched/gangsched/pkg/workloadgang/groupstate"
)

const (
	// reportDelay is how long a pod must stay held at PreEnqueue before its
	// reason is written. Members of a gang created in one burst are held only
	// until the last one arrives, and never cost an API call.
	reportDelay = time.Second
	// reporterQPS and reporterBurst bound the reporter's own API client, so
	// reporting never takes request tokens from the scheduler's bindings.
	reporterQPS   = 20
	reporterBurst = 40
	// nominationDelay lets the scheduler's own status patch for a rejected
	// pod land before clearNomination checks it.
	nominationDelay = 500 * time.Millisecond
)

// pendingReporter tells users why a pod is held at PreEnqueue. The scheduler
// writes nothing for such pods, so without it a pod held for its Workload
// would be Pending with no reason. It sets the pod's PodScheduled condition
// (status False, reason Unschedulable) and records a FailedScheduling event,
// from a work queue: PreEnqueue only stores the message, in O(1).
type pendingReporter struct {
	// leader tells when the process leads: a standby writes nothing.
	leader    *leadership.Tracker
	client    clientset.Interface
	podLister corelisters.PodLister
	recorder  events.EventRecorder
	queue     workqueue.TypedRateLimitingInterface[types.NamespacedName]

	// message words a reason at write time, from the live group state, so
	// that a count written a second after PreEnqueue is current.
	message func(heldReason) string

	// reserved tells whether a pod holds a reservation now, in which case a
	// nominatedNodeName on it is current and must stay.
	reserved func(*v1.Pod) bool

	// mu guards pending and staleNominations.
	mu sync.Mutex
	// pending holds the latest reason to report per held pod.
	pending map[types.NamespacedName]pendingReason
	// staleNominations holds gang members that lost their reservation, whose
	// nominatedNodeName must be cleared (see clearNomination).
	staleNominations map[types.NamespacedName]types.UID
	// written holds, per pod, the last reason written for it: a pod gets
	// one status write and one event per distinct reason (its verdict),
	// however often it is held for it again (a gang rejected five times
	// backs off five times) and however its counts or countdown change.
	// Forgotten when the pod is deleted.
	written map[types.NamespacedName]writtenReason
}

// writtenReason is the reason last written for a pod.
type writtenReason struct {
	uid     types.UID
	verdict groupstate.Verdict
}

// heldReason is why PreEnqueue holds a pod.
type heldReason struct {
	verdict  groupstate.Verdict
	key      gang.GroupKey
	minCount int
	// fixed is the message of a verdict that does not depend on the
	// group's state (groupstate.Ambiguous: the pod is in no group).
	fixed string
}

type pendingReason struct {
	uid    types.UID
	reason heldReason
}

// newPendingReporter starts a reporter that stops with ctx.
func newPendingReporter(ctx context.Context, fh fwk.Handle, leader *leadership.Tracker, message func(heldReason) string, reserved func(*v1.Pod) bool) *pendingReporter {
	r := &pendingReporter{
		leader:           leader,
		message:          message,
		reserved:         reserved,
		staleNominations: map[types.NamespacedName]types.UID{},
		written:          map[types.NamespacedName]writtenReason{},
		client:           reporterClient(fh),
		podLister:        fh.SharedInformerFactory().Core().V1().Pods().Lister(),
		recorder:         fh.EventRecorder(),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[types.NamespacedName](),
			workqueue.TypedRateLimitingQueueConfig[types.NamespacedName]{Name: "workloadgang-pending-reporter"},
		),
		pending: map[types.NamespacedName]pendingReason{},
	}
	go r.run(ctx)
	return r
}

// reporterClient returns a client with its own rate limiter when the
// scheduler's kubeconfig is known, else the scheduler's client.
func reporterClient(fh fwk.Handle) clientset.Interface {
	if cfg := fh.KubeConfig(); cfg != nil {
		c := rest.CopyConfig(cfg)
		c.QPS, c.Burst, c.RateLimiter = reporterQPS, reporterBurst, nil
		if cs, err := clientset.NewForConfig(c); err == nil {
			return cs
		}
	}
	return fh.ClientSet()
}

// report records why pod is held; the write happens later, off the hot path.
func (r *pendingReporter) report(pod *v1.Pod, reason heldReason) {
	key := types.NamespacedName{Namespace: pod.Namespace, Name: pod.Name}
	r.mu.Lock()
	old, ok := r.pending[key]
	r.pending[key] = pendingReason{uid: pod.UID, reason: reason}
	r.mu.Unlock()
	if !ok || old.reason != reason {
		r.queue.AddAfter(key, reportDelay)
	}
}

// clear drops a pending report: the pod was admitted.
func (r *pendingReporter) clear(pod *v1.Pod) {
	key := types.NamespacedName{Namespace: pod.Namespace, Name: pod.Name}
	r.mu.Lock()
	delete(r.pending, key)
	r.mu.Unlock()
}

// forget drops everything known of a deleted pod.
func (r *pendingReporter) forget(pod *v1.Pod) {
	key := types.NamespacedName{Namespace: pod.Namespace, Name: pod.Name}
	r.mu.Lock()
	delete(r.pending, key)
	if r.written[key].uid == pod.UID {
		delete(r.written, key)
	}
	r.mu.Unlock()
}

// clearNomination makes sure a gang member that lost its reservation keeps
// no nominatedNodeName. In 1.35, with NominatedNodeNameForExpectation (on by
// default), a pod waiting at Permit is nominated to its node; when it is
// rejected the scheduler's own attempt to clear the nomination can be
// skipped as a no-op against a stale copy of the pod, and the stale
// nomination then keeps the node for a pod that does not hold it: every
// other gang finds it full. The write waits a moment for the scheduler's own.
func (r *pendingReporter) clearNomination(pod *v1.Pod) {
	key := types.NamespacedName{Namespace: pod.Namespace, Name: pod.Name}
	r.mu.Lock()
	r.staleNominations[key] = pod.UID
	r.mu.Unlock()
	r.queue.AddAfter(key, nominationDelay)
}

// run writes the queued reports while the scheduler process leads. A
// standby's queue runs PreEnqueue too, but it must not write: its reports
// wait in the queue (one entry per pod) until it takes over.
func (r *pendingReporter) run(ctx context.Context) {
	go func() {
		<-ctx.Done()
		r.queue.ShutDown()
	}()
	select {
	case <-ctx.Done():
		return
	case <-r.leader.Started():
	}
	for r.processNext(ctx) {
	}
}

func (r *pendingReporter) processNext(ctx context.Context) bool {
	key, quit := r.queue.Get()
	if quit {
		return false
	}
	defer r.queue.Done(key)
	if err := r.write(ctx, key); err != nil {
		if apierrors.IsConflict(err) {
			// The pod changed under us; judge it again from the cache.
			r.queue.AddRateLimited(key)
			return true
		}
		utilruntime.HandleErrorWithContext(ctx, err, "Failed to report why a pod is held", "pod", key)
	}
	r.queue.Forget(key)
	return true
}

// write sets the pod's PodScheduled condition to the held reason, if the pod
// is still held and does not already say so. The update carries the cached
// resourceVersion, so it never overwrites a binding that raced with it.
func (r *pendingReporter) write(ctx context.Context, key types.NamespacedName) error {
	r.mu.Lock()
	held, ok := r.pending[key]
	staleUID, stale := r.staleNominations[key]
	delete(r.staleNominations, key)
	last := r.written[key]
	r.mu.Unlock()
	if stale {
		if err := r.clearStaleNomination(ctx, key, staleUID); err != nil {
			return err
		}
	}
	if !ok || last == (writtenReason{uid: held.uid, verdict: held.reason.verdict}) {
		return nil
	}
	msg := r.message(held.reason)
	pod, err := r.unboundPod(key, held.uid)
	if pod == nil {
		return err
	}
	_, cond := podutil.GetPodCondition(&pod.Status, v1.PodScheduled)
	if cond != nil && cond.Status == v1.ConditionFalse && cond.Message == msg {
		return nil
	}
	updated := pod.DeepCopy()
	podutil.UpdatePodCondition(&updated.Status, &v1.PodCondition{
		Type:               v1.PodScheduled,
		Status:             v1.ConditionFalse,
		Reason:             v1.PodReasonUnschedulable,
		Message:            msg,
		LastTransitionTime: metav1.Now(),
	})
	if _, err := r.client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{}); err != nil {
		return err
	}
	r.mu.Lock()
	r.written[key] = writtenReason{uid: held.uid, verdict: held.reason.verdict}
	r.mu.Unlock()
	klog.FromContext(ctx).V(4).Info("Reported why pod is held", "pod", klog.KObj(pod), "reason", msg)
	if r.recorder != nil {
		r.recorder.Eventf(pod, nil, v1.EventTypeWarning, "FailedScheduling", "Scheduling", "%s", msg)
	}
	return nil
}

// clearStaleNomination clears the nominatedNodeName of an unbound gang member
// that holds no reservation. The update carries the cached resourceVersion,
// so it never overwrites a newer nomination.
func (r *pendingReporter) clearStaleNomination(ctx context.Context, key types.NamespacedName, uid types.UID) error {
	pod, err := r.unboundPod(key, uid)
	if pod == nil {
		return err
	}
	if pod.Status.NominatedNodeName == "" || r.reserved(pod) {
		return nil
	}
	updated := pod.DeepCopy()
	updated.Status.NominatedNodeName = ""
	if _, err := r.client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{}); err != nil {
		if apierrors.IsConflict(err) {
			// Judge it again from the cache.
			r.mu.Lock()
			r.staleNominations[key] = uid
			r.mu.Unlock()
		}
		return err
	}
	klog.FromContext(ctx).V(4).Info("Cleared the stale nomination of a rejected gang member", "pod", klog.KObj(pod), "node", pod.Status.NominatedNodeName)
	return nil
}

// unboundPod returns the cached pod of the given UID while it is unbound; nil
// once it is gone, replaced by a pod of the same name, or bound.
func (r *pendingReporter) unboundPod(key types.NamespacedName, uid types.UID) (*v1.Pod, error) {
	pod, err := r.podLister.Pods(key.Namespace).Get(key.Name)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if pod.UID != uid || pod.Spec.NodeName != "" {
		return nil, nil
	}
	return pod, nil
}
