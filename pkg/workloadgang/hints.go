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
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/leadership"
	"github.com/gangsched/gangsched/pkg/workloadgang/groupstate"
)

// reservationHintDelay is how long a waiting round must go without a new
// member before its members' reservations are published.
const reservationHintDelay = 5 * time.Second

// reservationHints publishes where the members of a stalled round are
// reserved, as their status.nominatedNodeName.
//
// Upstream's NominatedNodeNameForExpectation writes that for every pod that
// waits at Permit, so that external components (the cluster autoscaler) do
// not take away a node that holds reserved pods: one API write per gang
// member, a third of a gang's writes. gangsched turns the gate off
// (command.DefaultFeatureGates) and writes the hint only where it is worth
// its cost: for the members of a round that has gone reservationHintDelay
// without a new member. A round that fills in one burst (the happy path)
// is bound within moments, as a plain pod is, and costs nothing; a round
// held for room is published once, with a write per member. Upstream does
// not write the hint for pods that bind at once either ("the pod will be
// soon bound anyway").
//
// A member that loses its reservation after its hint was written has it
// cleared by the pending reporter (clearNomination), as with upstream's.
type reservationHints struct {
	ctx       context.Context
	clock     clock.WithDelayedExecution
	leader    *leadership.Tracker
	client    clientset.Interface
	podLister corelisters.PodLister
	store     *groupstate.Store
	// stillWaiting reports whether a pod waits at Permit in the framework.
	stillWaiting func(types.UID) bool
	// cleared takes back the hint of a member that stopped waiting while
	// its hint was being written.
	cleared func(*v1.Pod)

	// mu guards checking.
	mu sync.Mutex
	// checking holds the groups with a check scheduled: one timer per
	// waiting round, not one per member.
	checking map[gang.GroupKey]struct{}
}

// watch makes sure a check of the group's waiting round is scheduled. Called
// by Permit for every member that waits; O(1).
func (h *reservationHints) watch(key gang.GroupKey) {
	h.mu.Lock()
	if _, ok := h.checking[key]; ok {
		h.mu.Unlock()
		return
	}
	h.checking[key] = struct{}{}
	h.mu.Unlock()
	h.after(reservationHintDelay, key)
}

// after schedules a check of the group in d. The check runs on its own
// goroutine: a fake clock runs timer functions under its lock.
func (h *reservationHints) after(d time.Duration, key gang.GroupKey) {
	h.clock.AfterFunc(d, func() { go h.check(key) })
}

// check publishes the group's waiting round if it has stalled, or looks
// again when it would have.
func (h *reservationHints) check(key gang.GroupKey) {
	r, ok := h.store.Round(key)
	if ok {
		if idle := h.clock.Since(r.Progress); idle < reservationHintDelay {
			h.after(reservationHintDelay-idle, key)
			return
		}
	}
	h.mu.Lock()
	delete(h.checking, key)
	h.mu.Unlock()
	if !ok || !h.leader.Leading() {
		return
	}
	h.publish(key)
}

// publish writes the nominatedNodeName of every member of the group's
// waiting round that does not show it yet.
func (h *reservationHints) publish(key gang.GroupKey) {
	logger := klog.FromContext(h.ctx)
	written := 0
	for _, assumed := range h.store.WaitingPods(key) {
		ok, err := h.publishOne(assumed)
		if err != nil {
			if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
				// The pod changed (bound, rejected, deleted): the hint is moot.
				continue
			}
			utilruntime.HandleErrorWithContext(h.ctx, err, "Failed to publish a gang member's reservation", "pod", klog.KObj(assumed))
			continue
		}
		if ok {
			written++
		}
	}
	if written > 0 {
		reservationHintsWritten.Add(float64(written))
		logger.V(4).Info("Published the reservations of a stalled gang round", "group", key, "pods", written)
	}
}

// publishOne writes one waiting member's node as its nominatedNodeName. The
// update carries the cached resourceVersion, so it never overwrites a
// binding or a newer status. It reports whether it wrote.
func (h *reservationHints) publishOne(assumed *v1.Pod) (bool, error) {
	node := assumed.Spec.NodeName
	if node == "" || !h.stillWaiting(assumed.UID) {
		return false, nil
	}
	cached, err := h.podLister.Pods(assumed.Namespace).Get(assumed.Name)
	if err != nil {
		return false, err
	}
	if cached.UID != assumed.UID || cached.Spec.NodeName != "" || cached.Status.NominatedNodeName == node {
		return false, nil
	}
	updated := cached.DeepCopy()
	updated.Status.NominatedNodeName = node
	if _, err := h.client.CoreV1().Pods(updated.Namespace).UpdateStatus(h.ctx, updated, metav1.UpdateOptions{}); err != nil {
		return false, err
	}
	if !h.stillWaiting(assumed.UID) {
		// Rejected while the hint was on its way: its Unreserve may have
		// found no hint to clear.
		h.cleared(assumed)
	}
	return true, nil
}
