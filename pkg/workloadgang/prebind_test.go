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
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework"
)

// TestPreemptedWaitingMemberNeverSplitsTheGang reproduces, with the
// framework's own waiting-pods map, the split race of issue 11: a member
// waiting at Permit is rejected by a preemptor (upstream preemption calls
// Reject on a waiting victim), and the last member reaches Permit before
// the rejected member's Unreserve: the rejected member is still in the
// waiting map, so the round is released counting it. Allowing it does not
// undo its rejection; without the PreBind barrier the two others would
// bind, one short of minCount 3. With it, neither binds.
func TestPreemptedWaitingMemberNeverSplitsTheGang(t *testing.T) {
	a, b, c := groupPod("a", "train"), groupPod("b", "train"), groupPod("c", "train")
	env := newTestEnv(t, nil, gangWorkload("train", 3), a, b, c)
	for _, p := range []*v1.Pod{a, b, c} {
		require.True(t, env.pl.PreEnqueue(env.ctx, p).IsSuccess())
	}
	state := framework.NewCycleState()
	permit := func(p *v1.Pod) *fwk.Status {
		require.True(t, env.fh.RunReservePluginsReserve(env.ctx, state, p, "node").IsSuccess())
		return env.fh.RunPermitPlugins(env.ctx, state, p, "node")
	}
	require.Equal(t, fwk.Wait, permit(a).Code())
	require.Equal(t, fwk.Wait, permit(b).Code())
	require.True(t, env.pl.PreBindPreFlight(env.ctx, state, a, "node").IsSuccess(), "a waiting member runs PreBind")

	// The preemptor rejects a; its binding goroutine has not woken yet.
	env.fh.GetWaitingPod(a.UID).Reject("DefaultPreemption", "preempted")
	require.NotNil(t, env.fh.GetWaitingPod(a.UID), "the framework still lists a until its WaitOnPermit returns")
	require.True(t, permit(c).IsSuccess(), "c completes the quorum, counting a")
	require.True(t, env.pl.PreBindPreFlight(env.ctx, state, c, "node").IsSuccess(), "the releasing member runs PreBind")

	// The binding cycles: a finds its rejection and is unreserved; b and c
	// come through Permit and must not bind.
	require.True(t, env.fh.WaitOnPermit(env.ctx, b).IsSuccess())
	assert.Equal(t, fwk.Unschedulable, env.fh.WaitOnPermit(env.ctx, a).Code())
	preBound := make(chan *fwk.Status, 1)
	go func() { preBound <- env.pl.PreBind(env.ctx, state, b, "node") }()
	env.fh.RunReservePluginsUnreserve(env.ctx, state, a, "node")
	for name, st := range map[string]*fwk.Status{"b": <-preBound, "c": env.pl.PreBind(env.ctx, state, c, "node")} {
		assert.Equal(t, fwk.Unschedulable, st.Code(), "%s must not bind: %v", name, st)
		assert.Contains(t, st.Message(), "gang ns/train/pg released at its quorum will not bind whole: member a lost its reservation before it could bind")
	}
}

// TestReleasedRoundBindsWhenAllComeThrough: without a rejection, every
// member of a released round passes PreBind; other pods skip it.
func TestReleasedRoundBindsWhenAllComeThrough(t *testing.T) {
	a, b := groupPod("a", "train"), groupPod("b", "train")
	env := newTestEnv(t, nil, gangWorkload("train", 2), a, b)
	state := framework.NewCycleState()
	for _, p := range []*v1.Pod{a, b} {
		require.True(t, env.pl.PreEnqueue(env.ctx, p).IsSuccess())
	}
	require.True(t, env.fh.RunReservePluginsReserve(env.ctx, state, a, "node").IsSuccess())
	require.Equal(t, fwk.Wait, env.fh.RunPermitPlugins(env.ctx, state, a, "node").Code())
	require.True(t, env.fh.RunReservePluginsReserve(env.ctx, state, b, "node").IsSuccess())
	require.True(t, env.fh.RunPermitPlugins(env.ctx, state, b, "node").IsSuccess())
	require.True(t, env.fh.WaitOnPermit(env.ctx, a).IsSuccess())
	done := make(chan *fwk.Status, 1)
	go func() { done <- env.pl.PreBind(env.ctx, state, a, "node") }()
	assert.True(t, env.pl.PreBind(env.ctx, state, b, "node").IsSuccess())
	assert.True(t, (<-done).IsSuccess())

	plain := groupPod("x", "")
	plain.Spec.WorkloadRef = nil
	assert.True(t, env.pl.PreBindPreFlight(env.ctx, state, plain, "node").IsSkip(), "a plain pod skips PreBind")
	assert.True(t, env.pl.PreBindPreFlight(env.ctx, state, a, "node").IsSkip(), "a member through its barrier skips PreBind")
}
