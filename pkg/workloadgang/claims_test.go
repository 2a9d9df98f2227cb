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
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	st "k8s.io/kubernetes/pkg/scheduler/testing"
)

// fakeNominator is the scheduling queue's nominator as the plugin sees it:
// which pod is nominated to which node.
type fakeNominator struct {
	mu    sync.Mutex
	nodes map[types.UID]string
}

func newFakeNominator() *fakeNominator { return &fakeNominator{nodes: map[types.UID]string{}} }

func (n *fakeNominator) AddNominatedPod(_ klog.Logger, pi fwk.PodInfo, ni *fwk.NominatingInfo) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if ni.Mode() == fwk.ModeOverride && ni.NominatedNodeName != "" {
		n.nodes[pi.GetPod().UID] = ni.NominatedNodeName
	} else if ni.Mode() == fwk.ModeOverride {
		delete(n.nodes, pi.GetPod().UID)
	}
}

func (n *fakeNominator) DeleteNominatedPodIfExists(pod *v1.Pod) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.nodes, pod.UID)
}

func (n *fakeNominator) UpdateNominatedPod(klog.Logger, *v1.Pod, fwk.PodInfo) {}

func (n *fakeNominator) NominatedPodsForNode(string) []fwk.PodInfo { return nil }

func (n *fakeNominator) nominated() map[types.UID]string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := map[types.UID]string{}
	for k, v := range n.nodes {
		out[k] = v
	}
	return out
}

func cpuPod(p *v1.Pod, cpu string) *v1.Pod {
	p.Spec.Containers = []v1.Container{{Name: "c", Resources: v1.ResourceRequirements{Requests: v1.ResourceList{v1.ResourceCPU: resource.MustParse(cpu)}}}}
	return p
}

// TestClaimFreedRoom: the room a deleted pod frees is claimed for the
// members of a gang that holds a round, as many as the deleted pod's
// requests hold; the claims end when a member reserves a node, finds none,
// or when its gang's round is rejected.
func TestClaimFreedRoom(t *testing.T) {
	deleted := cpuPod(st.MakePod().Namespace("ns").Name("plain").UID("plain").Node("n1").Obj(), "1500m")
	// setup returns a gang of 3 whose member a waits at Permit.
	setup := func(t *testing.T) (*testEnv, fwk.CycleState, klog.Logger, []*v1.Pod) {
		pods := []*v1.Pod{cpuPod(groupPod("a", "train"), "1"), cpuPod(groupPod("b", "train"), "1"), cpuPod(groupPod("c", "train"), "1")}
		env := newTestEnv(t, nil, gangWorkload("train", 3), pods[0], pods[1], pods[2])
		for _, p := range pods {
			require.True(t, env.pl.PreEnqueue(env.ctx, p).IsSuccess())
		}
		logger := klog.FromContext(env.ctx)
		env.pl.claimFreedRoom(logger, deleted, pods[1:])
		require.Empty(t, env.nominator.nominated(), "no round waits: nothing is claimed")
		state := framework.NewCycleState()
		require.True(t, env.fh.RunReservePluginsReserve(env.ctx, state, pods[0], "n0").IsSuccess())
		require.Equal(t, fwk.Wait, env.fh.RunPermitPlugins(env.ctx, state, pods[0], "n0").Code())
		return env, state, logger, pods
	}
	t.Run("claimed as the freed room holds; a reservation or a rejected round ends it", func(t *testing.T) {
		env, state, logger, pods := setup(t)
		a, b, c := pods[0], pods[1], pods[2]
		env.pl.claimFreedRoom(logger, deleted, []*v1.Pod{c, b})
		assert.Equal(t, map[types.UID]string{b.UID: "n1"}, env.nominator.nominated(), "1.5 cpu freed: one member, in name order")
		require.True(t, env.fh.RunReservePluginsReserve(env.ctx, state, b, "n1").IsSuccess())
		_, claimed := env.pl.claims.take(b.UID)
		assert.False(t, claimed, "the framework forgot the nomination when it assumed b")

		env.pl.claimFreedRoom(logger, deleted, []*v1.Pod{c})
		require.Contains(t, env.nominator.nominated(), c.UID)
		env.fh.RunReservePluginsUnreserve(env.ctx, state, a, "n0")
		assert.NotContains(t, env.nominator.nominated(), c.UID, "the round was rejected")
	})
	t.Run("a claimed member that finds no node", func(t *testing.T) {
		env, state, logger, pods := setup(t)
		b := pods[1]
		env.pl.claimFreedRoom(logger, deleted, []*v1.Pod{b})
		require.Contains(t, env.nominator.nominated(), b.UID)
		res, _ := env.pl.PostFilter(env.ctx, state, b, nil)
		require.NotNil(t, res)
		assert.Equal(t, fwk.ModeOverride, res.NominatingInfo.Mode())
		assert.Empty(t, res.NominatingInfo.NominatedNodeName, "the framework forgets the nomination")
		res, _ = env.pl.PostFilter(env.ctx, state, b, nil)
		assert.Nil(t, res, "no claim, no result")
	})
}
