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
)

// groupKey identifies one scheduling group: a Workload's podGroup, and for
// replicated podGroups one replica key.
type groupKey struct {
	Namespace  string
	Workload   string
	PodGroup   string
	ReplicaKey string
}

// String is namespace/workload/podGroup[/replicaKey].
func (g groupKey) String() string { return g.Namespace + "/" + g.Short() }

// Short is workload/podGroup[/replicaKey].
func (g groupKey) Short() string {
	s := g.Workload + "/" + g.PodGroup
	if g.ReplicaKey != "" {
		s += "/" + g.ReplicaKey
	}
	return s
}

// policyKey identifies a podGroup of a Workload (all replica keys share it).
type policyKey struct{ Namespace, Workload, PodGroup string }

func (g groupKey) policyKey() policyKey { return policyKey{g.Namespace, g.Workload, g.PodGroup} }

// policy is a podGroup's scheduling policy; MinCount > 0 means gang.
type policy struct{ MinCount int32 }

func (p policy) isGang() bool { return p.MinCount > 0 }

// groupOf returns the group of a pod with spec.workloadRef.
func groupOf(pod *corev1.Pod) (groupKey, bool) {
	ref := pod.Spec.WorkloadRef
	if ref == nil {
		return groupKey{}, false
	}
	return groupKey{Namespace: pod.Namespace, Workload: ref.Name, PodGroup: ref.PodGroup, ReplicaKey: ref.PodGroupReplicaKey}, true
}

// policiesOf returns the podGroup policies declared by a Workload.
func policiesOf(wl *schedulingv1alpha1.Workload) map[policyKey]policy {
	out := map[policyKey]policy{}
	for _, pg := range wl.Spec.PodGroups {
		p := policy{}
		if pg.Policy.Gang != nil {
			p.MinCount = pg.Policy.Gang.MinCount
		}
		out[policyKey{wl.Namespace, wl.Name, pg.Name}] = p
	}
	return out
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
// such podGroup in the examples) are expected to stay unbound.
//
// This is an estimate for the demo smoke test (make run --exit-after-demo),
// not a scheduler: examples should fit with room to spare.
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
