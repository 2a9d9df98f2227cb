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
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/gangsched/gangsched/pkg/gang"
)

// SortName is the name of the gang-aware queue sort plugin.
const SortName = "WorkloadGangSort"

// WorkloadGangSort is a QueueSort plugin that keeps the members of one gang
// together in the scheduling queue: pods are ordered by priority, then by
// arrival, where a gang member's arrival is when its gang's current attempt
// began (see groupstate.Store.Arrival: the first admission of a member since
// the gang last reached its quorum) and a plain pod's is when it was queued.
// Members of the oldest gang are attempted back to back, so competing gangs
// do not interleave their reservations, and a large gang is not starved by
// younger gangs or pods: it goes first whenever its members are in the
// queue. Its rank is earned by waiting: a Workload's age or name gives none.
//
// A scheduler has one queue: every profile must use the same QueueSort
// plugin, so enable it (and disable PrioritySort) in every profile.
type WorkloadGangSort struct {
	// state is the scheduler's gang state, whose store knows each gang's
	// arrival; its store is nil until WorkloadGang is created.
	state *schedulerState
}

var _ fwk.QueueSortPlugin = &WorkloadGangSort{}

// NewSort initializes the gang-aware queue sort plugin.
func NewSort(ctx context.Context, _ runtime.Object, fh fwk.Handle) (fwk.Plugin, error) {
	return &WorkloadGangSort{state: stateFor(ctx, fh.SharedInformerFactory())}, nil
}

// Name returns the name of the plugin.
func (pl *WorkloadGangSort) Name() string {
	return SortName
}

// Less orders pods by priority (a gang member's is its gang's: the lowest
// of its members'), then arrival, then gang, then (members of one gang)
// creation and name, then queue time: the order
// the Store's yield and hold compare gangs by. It runs under the queue's
// lock on every comparison: it reads memory only and allocates nothing.
func (pl *WorkloadGangSort) Less(a, b fwk.QueuedPodInfo) bool {
	keyA, prioA, arrivalA := pl.rank(a)
	keyB, prioB, arrivalB := pl.rank(b)
	if prioA != prioB {
		return prioA > prioB
	}
	if !arrivalA.Equal(arrivalB) {
		return arrivalA.Before(arrivalB)
	}
	if c := keyA.Compare(keyB); c != 0 {
		// Same arrival, different gangs: a fixed order keeps each gang's
		// members together.
		return c < 0
	}
	if keyA != (gang.GroupKey{}) {
		// Members of one gang, in a fixed order (creation, then name): a
		// gang short of room reserves the same members and finds no node
		// for the same one, round after round, so each member keeps the
		// same message, and costs no new status write or Event per round.
		podA, podB := a.GetPodInfo().GetPod(), b.GetPodInfo().GetPod()
		if !podA.CreationTimestamp.Equal(&podB.CreationTimestamp) {
			return podA.CreationTimestamp.Before(&podB.CreationTimestamp)
		}
		if podA.Name != podB.Name {
			return podA.Name < podB.Name
		}
	}
	return a.GetTimestamp().Before(b.GetTimestamp())
}

// rank returns a pod's gang, priority and arrival time: for a gang member
// the Store tracks, its gang's priority and attempt start (when one runs);
// else its own priority and when it was queued.
func (pl *WorkloadGangSort) rank(p fwk.QueuedPodInfo) (gang.GroupKey, int32, time.Time) {
	pod := p.GetPodInfo().GetPod()
	prio, arrival := corev1helpers.PodPriority(pod), p.GetTimestamp()
	key, ok := gang.KeyForPod(pod)
	if !ok {
		return key, prio, arrival
	}
	if store := pl.state.store.Load(); store != nil {
		gp, known, t, arrived := store.Rank(key)
		if known {
			prio = gp
		}
		if arrived {
			arrival = t
		}
	}
	return key, prio, arrival
}
