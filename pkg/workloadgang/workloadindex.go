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
	"sync"

	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"

	"github.com/gangsched/gangsched/pkg/gang"
)

// workloadIndex holds the Workloads the plugin's informer handler has seen,
// keyed by a comparable struct: a lookup allocates nothing, where the
// lister's builds a "namespace/name" string on every call. PreEnqueue,
// queueing hints and every extension point read it for each gang member.
//
// The handler updates the index before it asks the store to release the
// pods waiting on the Workload (WorkloadChanged), so a pod that the store
// turned away because the index did not have the Workload yet is always
// handed back: the same ordering argument as for the lister it replaces.
type workloadIndex struct {
	// mu guards workloads; reads far outnumber writes.
	mu        sync.RWMutex
	workloads map[gang.WorkloadKey]*schedulingv1alpha1.Workload
}

func newWorkloadIndex() *workloadIndex {
	return &workloadIndex{workloads: map[gang.WorkloadKey]*schedulingv1alpha1.Workload{}}
}

// get returns the Workload, or nil when the index does not have it.
func (x *workloadIndex) get(k gang.WorkloadKey) *schedulingv1alpha1.Workload {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.workloads[k]
}

// set records an added or updated Workload.
func (x *workloadIndex) set(w *schedulingv1alpha1.Workload) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.workloads[gang.WorkloadKey{Namespace: w.Namespace, Name: w.Name}] = w
}

// remove forgets a deleted Workload, unless a newer one of the same name
// replaced it meanwhile.
func (x *workloadIndex) remove(w *schedulingv1alpha1.Workload) {
	x.mu.Lock()
	defer x.mu.Unlock()
	k := gang.WorkloadKey{Namespace: w.Namespace, Name: w.Name}
	if cur, ok := x.workloads[k]; ok && cur.UID == w.UID {
		delete(x.workloads, k)
	}
}
