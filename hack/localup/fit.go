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

package main

import (
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
)

// groupKey identifies one scheduling group, as gang.KeyForPod names it: a
// Workload's podGroup (for a replicated podGroup, one replica key), or a
// PodGroup (Source gang.SourcePodGroup, its name in Workload). Its own
// String and Short render the demo's lines.
type groupKey gang.GroupKey

// String is namespace/workload/podGroup[/replicaKey], or namespace/name for
// a PodGroup.
func (g groupKey) String() string {
	if g.Source == gang.SourcePodGroup {
		return g.Namespace + "/" + g.Workload
	}
	return g.Namespace + "/" + g.Short()
}

// Short is workload/podGroup[/replicaKey], or "name (PodGroup)": the
// GROUP column, where a PodGroup's name alone would read as a Workload's.
func (g groupKey) Short() string {
	if g.Source == gang.SourcePodGroup {
		return g.Workload + " (PodGroup)"
	}
	s := g.Workload + "/" + g.PodGroup
	if g.ReplicaKey != "" {
		s += "/" + g.ReplicaKey
	}
	return s
}

// policyKey identifies a podGroup of a Workload (all replica keys share
// it), or a PodGroup (PodGroup empty).
type policyKey struct {
	Source                        gang.Source
	Namespace, Workload, PodGroup string
}

func (g groupKey) policyKey() policyKey {
	return policyKey{g.Source, g.Namespace, g.Workload, g.PodGroup}
}

// policy is a group's scheduling policy; MinCount > 0 means gang.
type policy struct{ MinCount int32 }

func (p policy) isGang() bool { return p.MinCount > 0 }

// groupOf returns the group of a pod: the one gang.KeyForPod gives, so the
// demo groups pods exactly as the scheduler does.
func groupOf(pod *corev1.Pod) (groupKey, bool) {
	k, ok := gang.KeyForPod(pod)
	return groupKey(k), ok
}

// policiesOf returns the podGroup policies declared by a Workload.
func policiesOf(wl *schedulingv1alpha1.Workload) map[policyKey]policy {
	out := map[policyKey]policy{}
	for _, pg := range wl.Spec.PodGroups {
		p := policy{}
		if pg.Policy.Gang != nil {
			p.MinCount = pg.Policy.Gang.MinCount
		}
		out[policyKey{gang.SourceWorkload, wl.Namespace, wl.Name, pg.Name}] = p
	}
	return out
}

// policyOfPodGroup returns a PodGroup's policy: always a gang, with the
// quorum the scheduler uses (minMember, at least 1).
func policyOfPodGroup(pg *podgroupv1alpha1.PodGroup) (policyKey, policy) {
	return policyKey{Source: gang.SourcePodGroup, Namespace: pg.Namespace, Workload: pg.Name},
		policy{MinCount: int32(gang.PodGroupMinCount(pg))}
}

// nodeCapacity is the allocatable of one fake node.
type nodeCapacity struct{ MilliCPU, Memory, Pods int64 }

// podRequests returns the CPU (milli) and memory (bytes) a pod requests:
// the sum over containers, or the largest init container if that is more.
func podRequests(pod *corev1.Pod) (milliCPU, memory int64) {
	for _, c := range pod.Spec.Containers {
		milliCPU += c.Resources.Requests.Cpu().MilliValue()
		memory += c.Resources.Requests.Memory().Value()
	}
	for _, c := range pod.Spec.InitContainers {
		milliCPU = max(milliCPU, c.Resources.Requests.Cpu().MilliValue())
		memory = max(memory, c.Resources.Requests.Memory().Value())
	}
	return milliCPU, memory
}

// expectedBindings estimates, for the example pods in manifest order, how
// many pods of each group should end up bound on the given empty nodes. It
// packs groups first-fit in order of first appearance: a gang whose first
// minCount (or more) members fit is committed, otherwise it is expected to
// stay wholly unbound; basic groups count each pod that fits. Pods for
// another scheduler, and groups without a known policy (no Workload or no
// such podGroup, or no PodGroup, in the examples) are expected to stay
// unbound.
//
// This is an estimate for the demo smoke test (make run --exit-after-demo),
// not a scheduler: examples should fit with room to spare. It ignores
// topology and a PodGroup's minResources, which the examples meet.
func expectedBindings(pods []*corev1.Pod, policies map[policyKey]policy, nodes []nodeCapacity, schedulerName string) map[groupKey]int {
	free := append([]nodeCapacity(nil), nodes...)
	var order []groupKey
	members := map[groupKey][]*corev1.Pod{}
	for _, pod := range pods {
		g, ok := groupOf(pod)
		if !ok || pod.Spec.SchedulerName != schedulerName {
			continue
		}
		if _, seen := members[g]; !seen {
			order = append(order, g)
		}
		members[g] = append(members[g], pod)
	}
	expected := map[groupKey]int{}
	for _, g := range order {
		p, known := policies[g.policyKey()]
		if !known {
			expected[g] = 0
			continue
		}
		group := append([]*corev1.Pod(nil), members[g]...)
		sort.SliceStable(group, func(i, j int) bool {
			ci, _ := podRequests(group[i])
			cj, _ := podRequests(group[j])
			return ci > cj
		})
		trial := append([]nodeCapacity(nil), free...)
		placed := 0
		for _, pod := range group {
			if place(trial, pod) {
				placed++
			}
		}
		if p.isGang() && placed < int(p.MinCount) {
			expected[g] = 0
			continue
		}
		free = trial
		expected[g] = placed
	}
	return expected
}

// place puts pod on the first node with room and reports whether it fit.
func place(nodes []nodeCapacity, pod *corev1.Pod) bool {
	cpu, mem := podRequests(pod)
	for i := range nodes {
		n := &nodes[i]
		if n.MilliCPU >= cpu && n.Memory >= mem && n.Pods >= 1 {
			n.MilliCPU -= cpu
			n.Memory -= mem
			n.Pods--
			return true
		}
	}
	return false
}

// groupSizes counts the pods of each group.
func groupSizes(pods []*corev1.Pod) map[groupKey]int {
	sizes := map[groupKey]int{}
	for _, pod := range pods {
		if g, ok := groupOf(pod); ok {
			sizes[g]++
		}
	}
	return sizes
}

// describeExpected renders expectations for the log, in a stable order.
func describeExpected(expected map[groupKey]int) []string {
	keys := make([]groupKey, 0, len(expected))
	for g := range expected {
		keys = append(keys, g)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	out := make([]string, 0, len(keys))
	for _, g := range keys {
		out = append(out, fmt.Sprintf("%s: %d", g, expected[g]))
	}
	return out
}
