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

package podgroupstatus

import (
	"sync"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
)

// writes remembers the status this process last wrote to each PodGroup,
// until the informer cache shows it. Without it, a sync that runs after a
// write but before the write's watch event reaches the cache would compare
// against the old status and write the same status again: two writes for one
// change. resourceVersions are opaque, so "has the cache seen the write" is
// answered by identity: the versions a write superseded are stale, the
// version it produced is current, and any other version is someone else's
// newer write, after which the cache is the truth again.
type writes struct {
	mu    sync.Mutex
	byKey map[types.NamespacedName]write
}

// write is one status written to a PodGroup.
type write struct {
	uid    types.UID
	status podgroupv1alpha1.PodGroupStatus
	// current is the resourceVersion the write produced.
	current string
	// stale holds the resourceVersions the write superseded: a cached
	// PodGroup at one of them has not seen the write.
	stale sets.Set[string]
}

func newWrites() *writes {
	return &writes{byKey: map[types.NamespacedName]write{}}
}

// baseline returns the status to compute from and compare against for the
// cached pg: the one last written when the cache has not seen it yet, else
// the cache's own (and the record is dropped, its job done).
func (w *writes) baseline(key types.NamespacedName, pg *podgroupv1alpha1.PodGroup) podgroupv1alpha1.PodGroupStatus {
	w.mu.Lock()
	defer w.mu.Unlock()
	rec, ok := w.byKey[key]
	if ok && rec.uid == pg.UID && rec.stale.Has(pg.ResourceVersion) {
		return rec.status
	}
	delete(w.byKey, key)
	return pg.Status
}

// record notes that status was written to the cached pg, producing
// resourceVersion written. An earlier write that the cache has not shown yet
// is superseded too, with the versions it superseded: a cache that shows it
// is still behind.
func (w *writes) record(key types.NamespacedName, pg *podgroupv1alpha1.PodGroup, status podgroupv1alpha1.PodGroupStatus, written string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	stale := sets.New(pg.ResourceVersion)
	if rec, ok := w.byKey[key]; ok && rec.uid == pg.UID {
		stale = stale.Union(rec.stale).Insert(rec.current)
	}
	if written == "" || stale.Has(written) {
		// The server did not say which version it wrote (or reused one):
		// nothing tells the cache's old copy from the new, so trust the
		// cache.
		delete(w.byKey, key)
		return
	}
	w.byKey[key] = write{uid: pg.UID, status: status, current: written, stale: stale}
}

// forget drops what is known of a PodGroup that is gone.
func (w *writes) forget(key types.NamespacedName) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.byKey, key)
}
