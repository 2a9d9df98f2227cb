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
	"sort"
	"strings"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	resourcehelper "k8s.io/component-helpers/resource"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
)

// checkMinResources honours a PodGroup's spec.minResources as Coscheduling
// documents it: a member of a gang short of its quorum is not attempted
// while the free room of the nodes (allocatable minus requested, summed
// over the nodes) cannot hold the gang's minResources. Room held by the
// gang's own placed members (reserved or bound) counts as the gang's. It
// returns nil when the room is there, else an UnschedulableAndUnresolvable
// status naming both, in numbers; the pod is retried when a pod is deleted
// or a node changes (waitsForRoom).
//
// O(nodes + pods) per call, paid only by members of PodGroups that set
// minResources; it reads the cycle's snapshot.
func (pl *WorkloadGang) checkMinResources(ctx context.Context, key gang.GroupKey, pg *podgroupv1alpha1.PodGroup) *fwk.Status {
	if !pl.store.NeedOf(key).Short {
		return nil
	}
	lister := pl.handle.SnapshotSharedLister()
	if lister == nil {
		return nil
	}
	nodes, err := lister.NodeInfos().List()
	if err != nil {
		return fwk.AsStatus(fmt.Errorf("listing nodes: %w", err))
	}
	free, own := freeRoom(nodes, key)
	short := false
	for name, want := range pg.Spec.MinResources {
		have := free[name]
		have.Add(own[name])
		if have.Cmp(want) < 0 {
			short = true
			break
		}
	}
	if !short {
		return nil
	}
	msg := gang.MinResourcesMessage(key, formatResources(pg.Spec.MinResources, nil), formatResources(pg.Spec.MinResources, func(n v1.ResourceName) resource.Quantity {
		q := free[n]
		q.Add(own[n])
		return q
	}))
	klog.FromContext(ctx).V(4).Info("PodGroup's minResources exceed the nodes' free room", "group", key, "reason", msg)
	return fwk.NewStatus(fwk.UnschedulableAndUnresolvable, msg)
}

// freeRoom sums, over the nodes, the room not requested by any pod (free),
// and the requests of the pods of the gang key placed on them (own).
func freeRoom(nodes []fwk.NodeInfo, key gang.GroupKey) (free, own v1.ResourceList) {
	free, own = v1.ResourceList{}, v1.ResourceList{}
	add := func(l v1.ResourceList, n v1.ResourceName, q resource.Quantity) {
		cur := l[n]
		cur.Add(q)
		l[n] = cur
	}
	for _, ni := range nodes {
		a, r := ni.GetAllocatable(), ni.GetRequested()
		add(free, v1.ResourceCPU, *resource.NewMilliQuantity(max(0, a.GetMilliCPU()-r.GetMilliCPU()), resource.DecimalSI))
		add(free, v1.ResourceMemory, *resource.NewQuantity(max(0, a.GetMemory()-r.GetMemory()), resource.BinarySI))
		add(free, v1.ResourceEphemeralStorage, *resource.NewQuantity(max(0, a.GetEphemeralStorage()-r.GetEphemeralStorage()), resource.BinarySI))
		add(free, v1.ResourcePods, *resource.NewQuantity(int64(max(0, a.GetAllowedPodNumber()-len(ni.GetPods()))), resource.DecimalSI))
		for n, v := range a.GetScalarResources() {
			add(free, n, *resource.NewQuantity(max(0, v-r.GetScalarResources()[n]), resource.DecimalSI))
		}
		for _, pi := range ni.GetPods() {
			if k, ok := gang.KeyForPod(pi.GetPod()); !ok || k != key {
				continue
			}
			for n, q := range resourcehelper.PodRequests(pi.GetPod(), resourcehelper.PodResourcesOptions{}) {
				add(own, n, q)
			}
			add(own, v1.ResourcePods, *resource.NewQuantity(1, resource.DecimalSI))
		}
	}
	return free, own
}

// formatResources writes the resources named in names as "cpu=8, memory=16Gi",
// sorted by name, with the values of get (nil: of names itself).
func formatResources(names v1.ResourceList, get func(v1.ResourceName) resource.Quantity) string {
	keys := make([]string, 0, len(names))
	for n := range names {
		keys = append(keys, string(n))
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		q := names[v1.ResourceName(k)]
		if get != nil {
			q = get(v1.ResourceName(k))
		}
		parts[i] = k + "=" + q.String()
	}
	return strings.Join(parts, ", ")
}
