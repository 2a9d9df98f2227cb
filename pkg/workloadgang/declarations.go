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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
)

// declaration is the API object that declares a gang (see gang.Source): a
// *schedulingv1alpha1.Workload or a *podgroupv1alpha1.PodGroup. Events
// about the gang are recorded on it, and its annotations carry the
// topology. The code that needs more (the quorum, the Permit timeout)
// switches on the type; the rest of the plugin does not know which API a
// gang came from.
type declaration interface {
	runtime.Object
	metav1.Object
}

// declarationKey returns the key of a declaration.
func declarationKey(d declaration) gang.WorkloadKey {
	k := gang.WorkloadKey{Namespace: d.GetNamespace(), Name: d.GetName()}
	if _, ok := d.(*podgroupv1alpha1.PodGroup); ok {
		k.Source = gang.SourcePodGroup
	}
	return k
}

// declarations holds the Workloads and PodGroups the plugin's informer
// handlers have seen, keyed by a comparable struct: a lookup allocates
// nothing, where a lister builds a "namespace/name" string on every call.
// PreEnqueue, queueing hints and every extension point read it for each
// gang member.
//
// The handlers update the index before they ask the store to release the
// pods waiting on the object (WorkloadChanged), so a pod that the store
// turned away because the index did not have the object yet is always
// handed back: the same ordering argument as for the lister it replaces.
type declarations struct {
	// mu guards byKey; reads far outnumber writes.
	mu    sync.RWMutex
	byKey map[gang.WorkloadKey]declaration
}

func newDeclarations() *declarations {
	return &declarations{byKey: map[gang.WorkloadKey]declaration{}}
}

// get returns the declaration, or nil when the index does not have it.
func (x *declarations) get(k gang.WorkloadKey) declaration {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.byKey[k]
}

// podGroup returns the PodGroup of the key, or nil.
func (x *declarations) podGroup(k gang.WorkloadKey) *podgroupv1alpha1.PodGroup {
	pg, _ := x.get(k).(*podgroupv1alpha1.PodGroup)
	return pg
}

// set records an added or updated declaration.
func (x *declarations) set(d declaration) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.byKey[declarationKey(d)] = d
}

// remove forgets a deleted declaration, unless a newer one of the same
// name replaced it meanwhile.
func (x *declarations) remove(d declaration) {
	x.mu.Lock()
	defer x.mu.Unlock()
	k := declarationKey(d)
	if cur, ok := x.byKey[k]; ok && cur.GetUID() == d.GetUID() {
		delete(x.byKey, k)
	}
}

// podGroupKeys returns the keys of every PodGroup in the index.
func (x *declarations) podGroupKeys() []gang.WorkloadKey {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var keys []gang.WorkloadKey
	for k := range x.byKey {
		if k.Source == gang.SourcePodGroup {
			keys = append(keys, k)
		}
	}
	return keys
}
