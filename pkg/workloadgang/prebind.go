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
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/workloadgang/groupstate"
)

var _ fwk.PreBindPlugin = &WorkloadGang{}

// releaseBarrierTimeout bounds how long a member of a released round waits
// at PreBind for the others to come through Permit. They were released
// together and normally arrive within milliseconds; PreBind plugins that run
// before ours (VolumeBinding waits for volumes for up to 10 minutes by
// default) can delay some, so the bound is theirs. A member that cannot come
// through calls Unreserve, which decides the barrier at once.
const releaseBarrierTimeout = 10 * time.Minute

// PreBindPreFlight asks for PreBind for the members of a round released at
// its quorum (see groupstate/release.go), and skips every other pod. It
// adds no API write for members that waited at Permit (the framework writes
// their nominatedNodeName anyway); the member that released the round gets
// that write too.
func (pl *WorkloadGang) PreBindPreFlight(_ context.Context, _ fwk.CycleState, pod *v1.Pod, _ string) *fwk.Status {
	if _, ok := gang.KeyForPod(pod); !ok {
		return fwk.NewStatus(fwk.Skip)
	}
	if pl.handle.GetWaitingPod(pod.UID) != nil || pl.store.InRelease(pod) {
		return nil
	}
	return fwk.NewStatus(fwk.Skip)
}

// PreBind binds a member of a released round only once every member of
// the round has come through Permit: a member the framework rejected after
// it was counted (preempted, deleted) makes every member fail here, so the
// round binds whole or not at all, and they are scheduled again.
func (pl *WorkloadGang) PreBind(ctx context.Context, _ fwk.CycleState, pod *v1.Pod, _ string) *fwk.Status {
	b, ok := pl.store.ArriveAtBind(pod)
	if !ok {
		return nil
	}
	expired := false
	timer := pl.clock.NewTimer(releaseBarrierTimeout)
	defer timer.Stop()
	select {
	case <-b.Done():
	case <-timer.C():
		expired = true
	case <-ctx.Done():
		expired = true
	}
	res := pl.store.Passed(b, expired)
	if res.Kind == groupstate.BarrierBroken {
		releasesBroken.Inc()
		klog.FromContext(ctx).V(2).Info("Released gang round will not bind whole", "pod", klog.KObj(pod), "reason", res.Message)
		return fwk.NewStatus(fwk.Unschedulable, res.Message)
	}
	return nil
}
