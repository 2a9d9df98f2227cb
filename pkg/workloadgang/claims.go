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
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	resourcehelper "k8s.io/component-helpers/resource"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework"

	"github.com/gangsched/gangsched/pkg/gang"
)

// Room a deleted pod frees goes to the starving gang that holds its round.
//
// The holding gang's members that found no node are activated when a bound
// pod is deleted (TakeOldestUnplaced), but the scheduling queue moves the
// pods that wait for the same room at the same moment, and whichever pops
// first takes it: on a busy node pool a stream of pods of the same priority
// wins often enough to starve the gang while its round holds what it has.
// So WorkloadGang nominates, in the scheduler's memory only (no API write),
// as many of those members as the deleted pod's requests can hold to the
// node it ran on. The framework counts nominated pods of equal or higher
// priority on a node when it filters any other pod, so the freed room
// waits for them; pods of higher priority still take it.
//
// A claim ends when its member reserves a node (the framework forgets the
// nomination), finds no node (PostFilter clears it), is held back at
// PreEnqueue, when the gang's round is rejected, or when the pod is deleted.

// roomClaims are the members nominated by claimFreedRoom, by UID.
type roomClaims struct {
	// n is len(pods), for the hot paths' lock-free exit.
	n  atomic.Int32
	mu sync.Mutex
	// pods guarded by mu.
	pods map[types.UID]claim
}

// claim is one nominated member.
type claim struct {
	pod *v1.Pod
	key gang.GroupKey
}

func newRoomClaims() *roomClaims {
	return &roomClaims{pods: map[types.UID]claim{}}
}

func (c *roomClaims) add(pod *v1.Pod, key gang.GroupKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pods[pod.UID] = claim{pod: pod, key: key}
	c.n.Store(int32(len(c.pods)))
}

// take ends the claim of one pod, reporting whether it had one.
func (c *roomClaims) take(uid types.UID) (*v1.Pod, bool) {
	if c.n.Load() == 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cl, ok := c.pods[uid]
	if ok {
		delete(c.pods, uid)
		c.n.Store(int32(len(c.pods)))
	}
	return cl.pod, ok
}

// takeGroup ends the claims of a gang's members and returns them.
func (c *roomClaims) takeGroup(key gang.GroupKey) []*v1.Pod {
	if c.n.Load() == 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*v1.Pod
	for uid, cl := range c.pods {
		if cl.key == key {
			out = append(out, cl.pod)
			delete(c.pods, uid)
		}
	}
	c.n.Store(int32(len(c.pods)))
	return out
}

// claimFreedRoom nominates, to the node a deleted pod ran on, the members
// of the holding gang (members: what TakeOldestUnplaced handed back) that
// the deleted pod's requests can hold, in name order. Only a gang whose
// round waits at Permit (it holds) claims room.
func (pl *WorkloadGang) claimFreedRoom(logger klog.Logger, deleted *v1.Pod, members []*v1.Pod) {
	if len(members) == 0 || deleted.Spec.NodeName == "" {
		return
	}
	key, ok := gang.KeyForPod(members[0])
	if !ok {
		return
	}
	if st, ok := pl.store.Group(key); !ok || st.Waiting == 0 {
		return
	}
	freed := resourcehelper.PodRequests(deleted, resourcehelper.PodResourcesOptions{})
	sorted := slices.Clone(members)
	slices.SortFunc(sorted, func(a, b *v1.Pod) int { return strings.Compare(a.Name, b.Name) })
	claimed := 0
	for _, m := range sorted {
		req := resourcehelper.PodRequests(m, resourcehelper.PodResourcesOptions{})
		if !fitsIn(req, freed) {
			continue
		}
		for name, q := range req {
			left := freed[name]
			left.Sub(q)
			freed[name] = left
		}
		pi, err := framework.NewPodInfo(m)
		if err != nil {
			continue
		}
		pl.handle.AddNominatedPod(logger, pi, &fwk.NominatingInfo{NominatingMode: fwk.ModeOverride, NominatedNodeName: deleted.Spec.NodeName})
		pl.claims.add(m, key)
		claimed++
	}
	if claimed > 0 {
		logger.V(4).Info("Claimed freed room for the holding gang", "group", key, "node", deleted.Spec.NodeName, "deleted", klog.KObj(deleted), "members", claimed)
	}
}

// fitsIn reports whether every resource of req is within free.
func fitsIn(req, free v1.ResourceList) bool {
	for name, q := range req {
		f, ok := free[name]
		if !ok || q.Cmp(f) > 0 {
			if q.IsZero() {
				continue
			}
			return false
		}
	}
	return true
}

// unclaim ends a member's claim, if it has one, and forgets its nomination.
func (pl *WorkloadGang) unclaim(pod *v1.Pod) {
	if p, ok := pl.claims.take(pod.UID); ok {
		pl.handle.DeleteNominatedPodIfExists(p)
	}
}

// unclaimGroup ends the claims of a gang whose round ended.
func (pl *WorkloadGang) unclaimGroup(key gang.GroupKey) {
	for _, p := range pl.claims.takeGroup(key) {
		pl.handle.DeleteNominatedPodIfExists(p)
	}
}
