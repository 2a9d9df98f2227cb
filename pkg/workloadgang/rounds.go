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

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/klog/v2"

	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/workloadgang/groupstate"
)

// act carries out what the store decided about a gang's waiting round,
// whichever extension point, timer or informer event the decision came
// from: it is the one place that turns a groupstate.RoundOutcome into
// rejections, metrics, Events and timers. pod is the member whose call led
// to the decision (nil from a timer or a Workload event); w is the gang's
// Workload or PodGroup when the caller holds it (the deleted one, which the
// cache no longer has), else nil and it is read from the cache.
func (pl *WorkloadGang) act(ctx context.Context, out groupstate.RoundOutcome, pod *v1.Pod, w declaration) {
	switch out.Kind {
	case groupstate.NoChange:
	case groupstate.RoundHeld:
		klog.FromContext(ctx).V(4).Info("The starving gang holds its waiting members", logPairs(out, pod, "until", out.HoldUntil)...)
		pl.checkHold(ctx, out)
	case groupstate.RoundRejected:
		klog.FromContext(ctx).V(4).Info("Rejecting a gang's waiting members", logPairs(out, pod, "cause", out.Cause, "rejected", len(out.Reject))...)
		pl.rejectRound(ctx, out, pod, w)
	}
}

// rejectRound rejects the members of a rejected round still waiting at
// Permit, counts and reports the rejection, and activates the gang's
// members when its backoff ends.
func (pl *WorkloadGang) rejectRound(ctx context.Context, out groupstate.RoundOutcome, pod *v1.Pod, w declaration) {
	key := out.Group
	label, reason, ok := pl.rejectionReason(out, pod)
	if !ok {
		utilruntime.HandleErrorWithContext(ctx, nil, "Unknown cause of a rejected gang round", "group", key, "cause", out.Cause)
	}
	msg := gang.GangRejectedMessage(key, reason)
	switch out.Cause {
	case groupstate.CauseWorkloadDeleted:
		// Members are told the bare reason: they are not retried as a
		// whole until the Workload is recreated.
		pl.rejectWaiting(out.Reject, reason)
	case groupstate.CauseCannotFit:
		// Nor until the nodes change; the reason says so, and names the gang.
		msg = reason
		pl.rejectWaiting(out.Reject, reason)
	default:
		pl.rejectWaiting(out.Reject, msg)
	}
	if ok {
		gangsRejected.WithLabelValues(label).Inc()
	}
	if w == nil {
		w = pl.workload(key)
	}
	pl.reportRejected(w, key, msg)
	if out.BackoffUntil.IsZero() {
		// No backoff (CauseWorkloadDeleted): the Workload's return
		// activates the members.
		return
	}
	logger := klog.FromContext(ctx)
	pl.clock.AfterFunc(out.BackoffUntil.Sub(pl.clock.Now()), func() {
		pl.activate(logger, pl.store.BackoffExpired(key))
	})
}

// rejectionReason maps the cause of a rejected round to the reason label
// of gangsched_gangs_rejected_total and to the reason in the message its
// members and the GangRejected Event carry. ok is false for an unknown
// cause.
func (pl *WorkloadGang) rejectionReason(out groupstate.RoundOutcome, pod *v1.Pod) (label, reason string, ok bool) {
	switch out.Cause {
	case groupstate.CauseTimeout:
		return rejectedTimeout, gang.PermitTimeoutReason(pl.permitTimeout(pl.workload(out.Group))), true
	case groupstate.CauseMemberUnschedulable:
		return rejectedMemberUnschedulable, fmt.Sprintf("member %s found no node", podName(pod)), true
	case groupstate.CauseMemberUnreserved:
		return rejectedMemberUnreserved, fmt.Sprintf("member %s lost its reservation before the gang reached minCount", podName(pod)), true
	case groupstate.CauseYielded:
		// pod is the older gang's member that found no node.
		older, _ := gang.KeyForPod(pod)
		return rejectedYielded, fmt.Sprintf("yielding to the older gang %s", older), true
	case groupstate.CauseHoldExpired:
		return rejectedHoldExpired, fmt.Sprintf("no more members found room within %ds", pl.args.StarvingGangHoldSeconds), true
	case groupstate.CauseCannotFit:
		st, _ := pl.store.Group(out.Group)
		return rejectedCannotFit, st.CannotFit, true
	case groupstate.CauseWorkloadDeleted:
		wk := out.Group.WorkloadKey()
		return rejectedWorkloadDeleted, wk.Source.Kind() + " " + wk.String() + " was deleted", true
	}
	return "", out.Cause.String(), false
}

// checkHold checks a held round when its hold may run out: HoldExpired
// rejects it if no member joined it meanwhile, or holds it longer.
func (pl *WorkloadGang) checkHold(ctx context.Context, held groupstate.RoundOutcome) {
	pl.clock.AfterFunc(held.HoldUntil.Sub(pl.clock.Now()), func() {
		pl.act(ctx, pl.store.HoldExpired(held.Group), nil, nil)
	})
}

// rejectWaiting rejects the given pods if they still wait at Permit.
func (pl *WorkloadGang) rejectWaiting(uids []types.UID, msg string) {
	for _, uid := range uids {
		if wp := pl.handle.GetWaitingPod(uid); wp != nil {
			wp.Reject(Name, msg)
		}
	}
}

// logPairs are the key/value pairs that log an outcome.
func logPairs(out groupstate.RoundOutcome, pod *v1.Pod, kv ...any) []any {
	pairs := append([]any{"group", out.Group}, kv...)
	if pod != nil {
		pairs = append(pairs, "pod", klog.KObj(pod))
	}
	return pairs
}

// podName is the pod's name; "" for none.
func podName(pod *v1.Pod) string {
	if pod == nil {
		return ""
	}
	return pod.Name
}
