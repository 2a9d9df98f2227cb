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

	"k8s.io/apimachinery/pkg/runtime"
	schedulinglisters "k8s.io/client-go/listers/scheduling/v1alpha1"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/gangsched/gangsched/pkg/gang"
)

// SortName is the name of the gang-aware queue sort plugin.
const SortName = "WorkloadGangSort"

// WorkloadGangSort is a QueueSort plugin that keeps the members of one gang
// together in the scheduling queue: pods are ordered by priority, then by
// arrival, where a gang member's arrival is its Workload's creation time and
// a plain pod's is when it was queued. Members of the oldest gang are
// attempted back to back, so competing gangs do not interleave their
// reservations, and a large gang is not starved by younger gangs or pods: it
// goes first whenever its members are in the queue.
//
// A scheduler has one queue: every profile must use the same QueueSort
// plugin, so enable it (and disable PrioritySort) in every profile.
type WorkloadGangSort struct {
	workloadLister schedulinglisters.WorkloadLister
}

var _ fwk.QueueSortPlugin = &WorkloadGangSort{}

// NewSort initializes the gang-aware queue sort plugin.
func NewSort(_ context.Context, _ runtime.Object, fh fwk.Handle) (fwk.Plugin, error) {
	return &WorkloadGangSort{
		workloadLister: fh.SharedInformerFactory().Scheduling().V1alpha1().Workloads().Lister(),
	}, nil
}

// Name returns the name of the plugin.
func (pl *WorkloadGangSort) Name() string {
	return SortName
}

// Less orders pods by priority, then arrival, then gang, then queue time.
func (pl *WorkloadGangSort) Less(a, b fwk.QueuedPodInfo) bool {
	podA, podB := a.GetPodInfo().GetPod(), b.GetPodInfo().GetPod()
	if pa, pb := corev1helpers.PodPriority(podA), corev1helpers.PodPriority(podB); pa != pb {
		return pa > pb
	}
	keyA, arrivalA := pl.arrival(a)
	keyB, arrivalB := pl.arrival(b)
	if !arrivalA.Equal(arrivalB) {
		return arrivalA.Before(arrivalB)
	}
	if keyA != keyB {
		// Same arrival, different gangs (creation times have one-second
		// resolution): a fixed order keeps each gang's members together.
		return keyA.String() < keyB.String()
	}
	return a.GetTimestamp().Before(b.GetTimestamp())
}

// arrival returns a pod's gang and its arrival time: its Workload's creation
// time for a member of an existing Workload, else when it was queued. It reads
// the informer cache only.
func (pl *WorkloadGangSort) arrival(p fwk.QueuedPodInfo) (gang.GroupKey, time.Time) {
	pod := p.GetPodInfo().GetPod()
	key, ok := gang.KeyForPod(pod)
	if !ok {
		return key, p.GetTimestamp()
	}
	w, err := pl.workloadLister.Workloads(key.Namespace).Get(key.Workload)
	if err != nil {
		return key, p.GetTimestamp()
	}
	return key, w.CreationTimestamp.Time
}
