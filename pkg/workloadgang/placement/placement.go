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

// Package placement answers one question for a whole gang at once: can
// every member the gang still needs be placed, on the scheduler's current
// snapshot, under given changes (pods treated as gone, nodes left out)?
//
// It runs the profile's real Filter plugins, as upstream's preemption does
// (pkg/scheduler/framework/preemption): the member's CycleState from its
// scheduling cycle is cloned once, every pod treated as gone is removed from
// a copy of its node and from the state through the PreFilter extensions,
// and copies of the member are added node by node, each through the
// extensions too, while the filters pass. One question costs O(nodes +
// pods treated as gone + members placed) filter and extension calls: work
// per gang round, not per member.
//
// The members of a gang are assumed alike: the member in the cycle stands
// for every member still needed. Placing copies node by node is exact for
// what a node holds on its own (resources, ports, node affinity, taints,
// volumes); it is not for constraints between pods across nodes
// (inter-pod affinity, topology spread), whose answer depends on the order
// of placement. For a member with such constraints the answer is Unknown,
// and callers must then act as if the gang may fit.
package placement

import (
	"context"
	"fmt"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework"
)

// Runner is what a question needs of the framework: its Filter plugins
// and their PreFilter extensions. fwk.Handle satisfies it.
type Runner interface {
	RunFilterPlugins(context.Context, fwk.CycleState, *v1.Pod, fwk.NodeInfo) *fwk.Status
	RunPreFilterExtensionAddPod(ctx context.Context, state fwk.CycleState, podToSchedule *v1.Pod, podInfoToAdd fwk.PodInfo, nodeInfo fwk.NodeInfo) *fwk.Status
	RunPreFilterExtensionRemovePod(ctx context.Context, state fwk.CycleState, podToSchedule *v1.Pod, podInfoToRemove fwk.PodInfo, nodeInfo fwk.NodeInfo) *fwk.Status
}

// Question is one whole-gang placement question.
type Question struct {
	// Member stands for every member still needed. Its scheduling cycle's
	// PreFilter must have run: State is that cycle's state (PostFilter
	// has it). State is cloned, never changed.
	Member *v1.Pod
	State  fwk.CycleState
	// Need is how many members must be placed.
	Need int
	// Gone reports the pods treated as absent; nil: none.
	Gone func(*v1.Pod) bool
	// UseNode reports the nodes the gang may use; nil: every node.
	UseNode func(*v1.Node) bool
}

// Kind is the kind of an Answer.
type Kind int

const (
	// Fits: every member needed can be placed at once.
	Fits Kind = iota
	// DoesNotFit: at most Answer.Placed of them can.
	DoesNotFit
	// Unknown: the member has constraints between pods across nodes that
	// placing copies node by node cannot judge (see the package comment).
	Unknown
)

func (k Kind) String() string {
	switch k {
	case Fits:
		return "Fits"
	case DoesNotFit:
		return "DoesNotFit"
	default:
		return "Unknown"
	}
}

// Answer is the answer to a Question.
type Answer struct {
	Kind Kind
	// Placed is how many members were placed: Need when Kind is Fits,
	// the most that fit when DoesNotFit.
	Placed int
	// Nodes are the nodes at least one member was placed on, and how many.
	Nodes map[string]int
	// Allocatable is the CPU and memory allocatable of Nodes, and Request
	// what one member requests: the numbers a message gives a user.
	Allocatable, Request Resources
}

// Resources are the CPU (millicores) and memory (bytes) a message names.
type Resources struct {
	MilliCPU int64
	Memory   int64
}

// String words resources as a user writes them: "4 cpu, 8Gi memory",
// leaving out memory when there is none.
func (r Resources) String() string {
	cpu := resource.NewMilliQuantity(r.MilliCPU, resource.DecimalSI).String() + " cpu"
	if r.Memory == 0 {
		return cpu
	}
	return cpu + ", " + resource.NewQuantity(r.Memory, resource.BinarySI).String() + " memory"
}

// Times returns r multiplied by n.
func (r Resources) Times(n int) Resources {
	return Resources{MilliCPU: r.MilliCPU * int64(n), Memory: r.Memory * int64(n)}
}

// Simulate answers q on nodes, a snapshot's NodeInfos, which it never
// changes.
func Simulate(ctx context.Context, runner Runner, nodes []fwk.NodeInfo, q Question) (Answer, error) {
	memberInfo, err := framework.NewPodInfo(q.Member)
	if err != nil {
		return Answer{}, fmt.Errorf("member %s: %w", klog.KObj(q.Member), err)
	}
	ans := Answer{Nodes: map[string]int{}, Request: requestOf(memberInfo)}
	if crossNode(q.Member) {
		ans.Kind = Unknown
		return ans, nil
	}
	if q.Need <= 0 {
		return ans, nil
	}
	logger := klog.FromContext(ctx)
	state := q.State.Clone()
	copies := 0
	for _, original := range nodes {
		node := original.Node()
		if node == nil || (q.UseNode != nil && !q.UseNode(node)) {
			continue
		}
		ni := original
		if q.Gone != nil {
			if ni, err = without(ctx, runner, state, q, original, logger); err != nil {
				return Answer{}, err
			}
		}
		placed := 0
		for ans.Placed < q.Need {
			if !runner.RunFilterPlugins(ctx, state, q.Member, ni).IsSuccess() {
				break
			}
			if ni == original {
				ni = original.Snapshot()
			}
			copies++
			cp := copyOf(q.Member, node.Name, copies)
			if err := add(ctx, runner, state, q.Member, cp, ni); err != nil {
				return Answer{}, err
			}
			placed++
			ans.Placed++
		}
		if placed > 0 {
			ans.Nodes[node.Name] = placed
			alloc := original.GetAllocatable()
			ans.Allocatable.MilliCPU += alloc.GetMilliCPU()
			ans.Allocatable.Memory += alloc.GetMemory()
		}
		if ans.Placed >= q.Need {
			return ans, nil
		}
	}
	ans.Kind = DoesNotFit
	return ans, nil
}

// without returns a copy of ni without the pods q treats as gone, taking
// them out of state too. It returns ni itself when none is gone.
func without(ctx context.Context, runner Runner, state fwk.CycleState, q Question, ni fwk.NodeInfo, logger klog.Logger) (fwk.NodeInfo, error) {
	out := ni
	for _, pi := range ni.GetPods() {
		if !q.Gone(pi.GetPod()) {
			continue
		}
		if out == ni {
			out = ni.Snapshot()
		}
		if err := out.RemovePod(logger, pi.GetPod()); err != nil {
			return nil, err
		}
		if st := runner.RunPreFilterExtensionRemovePod(ctx, state, q.Member, pi, out); !st.IsSuccess() {
			return nil, st.AsError()
		}
	}
	return out, nil
}

// add places a copy of the member on ni and in state.
func add(ctx context.Context, runner Runner, state fwk.CycleState, member, cp *v1.Pod, ni fwk.NodeInfo) error {
	pi, err := framework.NewPodInfo(cp)
	if err != nil {
		return err
	}
	ni.AddPodInfo(pi)
	if st := runner.RunPreFilterExtensionAddPod(ctx, state, member, pi, ni); !st.IsSuccess() {
		return st.AsError()
	}
	return nil
}

// copyOf returns a stand-in for the i-th member placed, bound to node. The
// copy is shallow: nothing it shares with member is changed.
func copyOf(member *v1.Pod, node string, i int) *v1.Pod {
	cp := *member
	cp.ObjectMeta.UID = types.UID(fmt.Sprintf("%s-placement-%d", member.UID, i))
	cp.ObjectMeta.Name = fmt.Sprintf("%s-placement-%d", member.Name, i)
	cp.Spec.NodeName = node
	return &cp
}

// crossNode reports whether a pod has constraints between pods across
// nodes, which Simulate cannot judge.
func crossNode(pod *v1.Pod) bool {
	if len(pod.Spec.TopologySpreadConstraints) > 0 {
		return true
	}
	a := pod.Spec.Affinity
	return a != nil && (a.PodAffinity != nil || a.PodAntiAffinity != nil)
}

// requestOf returns what a member requests, as NodeInfo counts it.
func requestOf(pi fwk.PodInfo) Resources {
	r := pi.CalculateResource().Resource
	return Resources{MilliCPU: r.GetMilliCPU(), Memory: r.GetMemory()}
}
