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
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// fakeNode returns a Node object with no kubelet behind it: allocatable and
// capacity set at create time, and a Ready condition.
func fakeNode(name string, cpu, memory resource.Quantity, pods int64) *corev1.Node {
	resources := corev1.ResourceList{
		corev1.ResourceCPU:    cpu,
		corev1.ResourceMemory: memory,
		corev1.ResourcePods:   *resource.NewQuantity(pods, resource.DecimalSI),
	}
	now := metav1.Now()
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name: name,
			Labels: map[string]string{
				"kubernetes.io/hostname": name,
				"kubernetes.io/os":       "linux",
				"kubernetes.io/arch":     "amd64",
				"gangsched.io/fake-node": "true",
			},
		},
		Status: corev1.NodeStatus{
			Capacity:    resources,
			Allocatable: resources.DeepCopy(),
			Conditions: []corev1.NodeCondition{{
				Type:               corev1.NodeReady,
				Status:             corev1.ConditionTrue,
				Reason:             "FakeNode",
				Message:            "fake node created by hack/localup; no kubelet",
				LastHeartbeatTime:  now,
				LastTransitionTime: now,
			}},
			Phase: corev1.NodeRunning,
		},
	}
}

// rackLabel is the node label of the fake racks, which the topology
// example (manifests/examples/topology.yaml) asks for.
const rackLabel = "example.com/rack"

// createNodes creates count fake nodes named node-0, node-1, ..., perRack
// of them in each rack (label rackLabel: rack-0, rack-1, ...; none when
// perRack is 0). It returns their allocatable and their labels by name.
func createNodes(ctx context.Context, client kubernetes.Interface, count, perRack int, cpu, memory resource.Quantity, pods int64) ([]nodeCapacity, map[string]map[string]string, error) {
	caps := make([]nodeCapacity, 0, count)
	labels := make(map[string]map[string]string, count)
	for i := 0; i < count; i++ {
		node := fakeNode(fmt.Sprintf("node-%d", i), cpu, memory, pods)
		if perRack > 0 {
			node.Labels[rackLabel] = fmt.Sprintf("rack-%d", i/perRack)
		}
		created, err := client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
		if err != nil {
			return nil, nil, fmt.Errorf("create node %s: %w", node.Name, err)
		}
		alloc := created.Status.Allocatable
		if alloc.Cpu().IsZero() {
			return nil, nil, fmt.Errorf("node %s was created without status.allocatable", node.Name)
		}
		caps = append(caps, nodeCapacity{MilliCPU: alloc.Cpu().MilliValue(), Memory: alloc.Memory().Value(), Pods: alloc.Pods().Value()})
		labels[created.Name] = created.Labels
	}
	return caps, labels, nil
}

// describeRacks lists the racks and their nodes: "rack-0: node-0,node-1".
func describeRacks(nodeLabels map[string]map[string]string) []string {
	racks := map[string][]string{}
	for name, l := range nodeLabels {
		if r, ok := l[rackLabel]; ok {
			racks[r] = append(racks[r], name)
		}
	}
	out := make([]string, 0, len(racks))
	for r, nodes := range racks {
		sort.Strings(nodes)
		out = append(out, r+": "+strings.Join(nodes, ","))
	}
	sort.Strings(out)
	return out
}
