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

package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	v1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"

	"github.com/gangsched/gangsched/internal/controlplane"
	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
)

// TestSchedulerRestartMidGang SIGKILLs gangsched while one gang waits at
// Permit and another is held at PreEnqueue, and starts a new process. The
// new scheduler knows nothing of the old one's rounds: it rebuilds them from
// the API (the dead scheduler's nominations are still on the pods) and
// neither gang binds until it is complete, then each binds whole.
func TestSchedulerRestartMidGang(t *testing.T) {
	forEachSourceBare(t, func(t *testing.T, e *env, cp *controlplane.ControlPlane) {
		cfg := processConfig(t, cp.Kubeconfig, leaderElectionOff)
		old := startSchedulerProcess(t, "gangsched-old", cfg)
		g := e.createPendingGangs()
		e.waitHolding(old, holdingPendingGangs)
		old.kill(t)

		restarted := startSchedulerProcess(t, "gangsched-new", cfg)
		e.waitHolding(restarted, holdingPendingGangs)
		g.requireNoneBound(e)
		e.completePendingGangs(g)
	})
}

// TestLeaderFailoverMidGang runs two gangsched processes that elect a leader
// on one Lease, SIGKILLs the leader while a gang waits at Permit and another
// is held at PreEnqueue, and checks that the other process takes the Lease,
// picks both gangs up, and binds each whole once it is complete.
func TestLeaderFailoverMidGang(t *testing.T) {
	forEachSourceBare(t, func(t *testing.T, e *env, cp *controlplane.ControlPlane) {
		cfg := processConfig(t, cp.Kubeconfig, leaderElectionOn(e.ns))
		// Started alone, the first process is the leader; its identity (host
		// name and a random UID) is known from the Lease.
		leader := startSchedulerProcess(t, "gangsched-a", cfg)
		var leaderID string
		e.waitFor("the first process to take the Lease", func() (bool, error) {
			id, err := e.leaseHolder()
			leaderID = id
			return id != "", err
		})
		follower := startSchedulerProcess(t, "gangsched-b", cfg)

		g := e.createPendingGangs()
		e.waitHolding(leader, holdingPendingGangs)
		holder, err := e.leaseHolder()
		require.NoError(t, err)
		require.Equal(t, leaderID, holder, "the follower must not take a Lease that is renewed")
		leader.kill(t)

		e.waitFor("the follower to take the Lease", func() (bool, error) {
			id, err := e.leaseHolder()
			return id != "" && id != leaderID, err
		})
		e.waitHolding(follower, holdingPendingGangs)
		g.requireNoneBound(e)
		e.completePendingGangs(g)
	})
}

// TestStandbyWritesNothing runs gangsched as a standby, while another
// holder keeps the Lease: like kube-scheduler, a standby must not act on
// pods, even to say why it holds one. Once the Lease is free it leads and
// reports why the pod is held.
func TestStandbyWritesNothing(t *testing.T) {
	forEachSourceBare(t, func(t *testing.T, e *env, cp *controlplane.ControlPlane) {
		now := metav1.NewMicroTime(time.Now())
		_, err := e.cs.CoordinationV1().Leases(e.ns).Create(e.ctx, &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: leaseName},
			Spec: coordinationv1.LeaseSpec{
				HolderIdentity:       ptr.To("another-scheduler"),
				LeaseDurationSeconds: ptr.To(int32(3600)),
				AcquireTime:          &now,
				RenewTime:            &now,
			},
		}, metav1.CreateOptions{})
		require.NoError(t, err)
		standby := startSchedulerProcess(t, "gangsched-standby", processConfig(t, cp.Kubeconfig, leaderElectionOn(e.ns)))

		e.createNodes(1, "4")
		e.createWorkload(gangWorkload("small", map[string]int32{"workers": 2}))
		e.createPods(podSpec{name: "s-0", workload: "small", podGroup: "workers"})
		// The standby's queue holds the pod at PreEnqueue. A leader reports it
		// after the plugin's report delay of a second: the standby must not
		// have done so three seconds later (an absence can only be watched for
		// a while).
		e.waitState(standby, schedulerState{Held: 1})
		err = wait.PollUntilContextTimeout(e.ctx, pollInterval, 3*time.Second, true, func(ctx context.Context) (bool, error) {
			p, err := e.cs.CoreV1().Pods(e.ns).Get(ctx, "s-0", metav1.GetOptions{})
			if err != nil {
				// The poll's own deadline can cut a Get short (client rate
				// limiter): that is not a write.
				return false, nil
			}
			if scheduledCondition(p) != nil {
				return true, nil
			}
			if e.source == gang.SourcePodGroup {
				// Nor the status of a PodGroup.
				pg, err := e.getPodGroup(ctx, podGroupName("small", "workers"))
				return err == nil && pg.Status.Phase != "", nil
			}
			return false, nil
		})
		require.True(t, wait.Interrupted(err), "a standby must not write the PodScheduled condition of a pod, nor a PodGroup's status (err %v)", err)

		require.NoError(t, e.cs.CoordinationV1().Leases(e.ns).Delete(e.ctx, leaseName, metav1.DeleteOptions{}))
		e.waitFor("the standby to take the Lease", func() (bool, error) {
			id, err := e.leaseHolder()
			return id != "" && id != "another-scheduler", err
		})
		e.waitPending(gang.WaitingForPodsMessage(e.group("small", "workers", ""), 1, 2), "s-0")
		if e.source == gang.SourcePodGroup {
			e.waitPodGroupStatus(podGroupName("small", "workers"), "Pending, written by the new leader", func(s podgroupv1alpha1.PodGroupStatus) bool {
				return s.Phase == podgroupv1alpha1.PodGroupPending
			})
		}
	})
}

// TestAPIServerRestartWithPendingGangs restarts kube-apiserver (etcd stays
// up) while a gang waits at Permit and another is held at PreEnqueue. The
// scheduler keeps its state across the outage, reconnects its informers and
// binds both gangs whole once they are completed after the restart. It runs
// on a control plane of its own, so the outage disturbs no other test.
func TestAPIServerRestartWithPendingGangs(t *testing.T) {
	cp := controlplane.StartForTest(t, controlplane.Options{
		// Without it, kube-apiserver waits on the scheduler's open watches
		// at shutdown until StopAPIServer kills it, 10s later.
		ExtraAPIServerFlags: []string{"--shutdown-watch-termination-grace-period=2s"},
	})
	e := newBareEnv(t, cp)
	require.NoError(t, startScheduler(t, schedulerConfig(cp.Kubeconfig)))
	g := e.createPendingGangs()
	e.waitRoundHeld(e.group("train", "workers", ""), 2, 3, names(g.atPermit)...)

	require.NoError(t, cp.RestartAPIServer(e.ctx))
	g.requireNoneBound(e)
	e.completePendingGangs(g)
}

// TestWorkloadDeletedWhileMembersWaitAtPermit deletes a gang's Workload
// while two of its members wait at Permit for the third, which has no room
// (a blocker pod takes it, so the round holds; see blockRoom). The waiting
// members are rejected: without their Workload they must not bind, and they
// stay Pending saying so. Once the Workload is recreated, the gang binds
// whole.
func TestWorkloadDeletedWhileMembersWaitAtPermit(t *testing.T) {
	forEachSource(t, func(t *testing.T, e *env) {
		e.createNodes(1, "4")
		e.blockRoom("blocker", "2")
		e.createWorkload(longPermitWorkload("train", 3))
		pods := members("w", "train", "workers", "", 3, "1")
		e.createPods(pods...)
		waiting := e.waitRoundHeld(e.group("train", "workers", ""), 2, 3, names(pods)...)

		e.deleteWorkload("train")
		wk := e.group("train", "workers", "").WorkloadKey()
		e.waitPending(wk.Source.Kind()+" "+wk.String()+" was deleted", waiting...)
		// Rejected, they give back the nominations of their round: no room is
		// held for a gang that cannot bind.
		e.waitForPods("not nominated", waiting, func(p *v1.Pod) bool { return p.Status.NominatedNodeName == "" })
		// The member that found no room is held too, and room for it while the
		// Workload is missing binds nothing.
		e.waitPending(gang.WaitingForWorkloadMessage(wk), without(names(pods), waiting...)...)
		e.deletePods("blocker")
		e.requireNoneBound(e.group("train", "workers", ""))

		e.createWorkload(longPermitWorkload("train", 3))
		e.waitScheduled(names(pods)...)
		e.waitGangBound(e.group("train", "workers", ""), 3)
	})
}

// TestMemberDeletedWhileOthersWaitAtPermit deletes one member of a gang
// while others wait at Permit. The gang has four pods for a minCount of 3,
// on a node where a blocker pod leaves room for two: two members wait at
// Permit (the round holds, see blockRoom) and two found no node. The quorum
// is counted again without the deleted member: the members that remain do
// not bind short of minCount, and once there is room again a replacement
// pod binds with the gang.
func TestMemberDeletedWhileOthersWaitAtPermit(t *testing.T) {
	for _, tc := range []struct {
		name string
		// reserved says whether the deleted member is one that waits at
		// Permit (else one that found no node).
		reserved bool
	}{
		{
			// Three members remain, one of them reserved. The deleted
			// member's room goes to a member that found no node: the
			// second reservation. If the deleted member's reservation
			// still counted, it would be the third, and two members would
			// bind, a gang of two.
			name:     "a member waiting at Permit",
			reserved: true,
		},
		{
			// The two reservations stand, three members remain: the round
			// goes on waiting.
			name:     "a member not yet reserved",
			reserved: false,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachSource(t, func(t *testing.T, e *env) {
				key := e.group("train", "workers", "")
				e.createNodes(1, "8")
				e.blockRoom("blocker", "6")
				e.createWorkload(longPermitWorkload("train", 3))
				specs := members("w", "train", "workers", "", 4, "1")
				e.createPods(specs...)
				pods := names(specs)
				held := e.waitRoundHeld(key, 2, 3, pods...)

				deleted := without(pods, held...)[0]
				if tc.reserved {
					deleted = held[0]
				}
				e.deletePods(deleted)
				remaining := without(pods, deleted)
				// Nothing binds short of minCount: two of the three remaining
				// members wait at Permit.
				waiting := e.waitSomeAtPermit(2, remaining...)
				if !tc.reserved {
					require.ElementsMatch(t, held, waiting, "the round goes on with its two reservations")
				}
				e.requireNoneBound(key)

				e.createPods(podSpec{name: "w-4", workload: "train", podGroup: "workers", cpu: "1"})
				e.deletePods("blocker")
				e.waitScheduled(append(remaining, "w-4")...)
				e.waitGangBound(key, 3)
			})
		})
	}
}

// TestBindingFailure covers a member that cannot be bound once its gang is
// released at Permit.
//
// Permit is the last point where a scheduler plugin holds a gang. Once the
// quorum is met every member is released, and each is bound by its own API
// call: there is no atomic bind of several pods. If the API server refuses
// one member's binding, the others are already bound, or are bound a moment
// later; nothing can take a binding back. So the gang is partially bound
// until the refused member binds: the API allows it and neither the plugin
// nor any other scheduler plugin can prevent it. The refused member is
// retried with the pod backoff; the plugin counts the bound members toward
// its quorum, so it passes Permit alone and binds as soon as the API server
// accepts its binding.
//
// A deleted node does not make a binding fail: the API server does not check
// that a binding's node exists. A member reserved on a node that is deleted
// while its gang waits is bound to that node when the gang completes. With
// no kubelet and no pod garbage collector in this test it stays bound there;
// in a cluster the pod garbage collector deletes it, and the gang runs short
// of that member until its controller replaces it (see
// TestTerminatedMembersDoNotCount for how a replacement joins).
func TestBindingFailure(t *testing.T) {
	t.Run("binding refused by the API server", func(t *testing.T) {
		e := newEnv(t, gatesOff)
		e.createNodes(1, "4")
		e.refuseBindings("w-1", "probe")
		e.createWorkload(longPermitWorkload("train", 3))
		pods := members("w", "train", "workers", "", 3, "1")
		e.createPods(pods...)

		// The documented limitation: two members bound, one refused.
		e.waitScheduled("w-0", "w-2")
		e.waitFor("w-1's binding to be refused", func() (bool, error) {
			p, err := e.cs.CoreV1().Pods(e.ns).Get(e.ctx, "w-1", metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			c := scheduledCondition(p)
			return p.Spec.NodeName == "" && c != nil && c.Status == v1.ConditionFalse && strings.Contains(c.Message, "binding refused by the test"), nil
		})
		require.Equal(t, 2, e.watcher.boundCount(e.group("train", "workers", "")), "the gang is bound below its minCount until w-1 binds")

		e.allowBindings()
		e.waitScheduled("w-1")
		e.waitGangBound(e.group("train", "workers", ""), 3)
	})

	t.Run("node deleted while the gang waits at Permit", func(t *testing.T) {
		e := newEnv(t, gatesOff)
		// One member per node: deleting a node takes exactly one
		// reservation. Two blockers leave room for two members, so the
		// round holds (see blockRoom); the three nodes that remain after
		// the deletion can still hold the gang, so it is not judged
		// unable to fit.
		e.createNodes(4, "1")
		e.blockRoom("blocker-0", "1")
		e.blockRoom("blocker-1", "1")
		e.createWorkload(longPermitWorkload("train", 3))
		pods := members("w", "train", "workers", "", 3, "1")
		e.createPods(pods...)
		waiting := e.waitRoundHeld(e.group("train", "workers", ""), 2, 3, names(pods)...)
		victim := waiting[1]
		p, err := e.cs.CoreV1().Pods(e.ns).Get(e.ctx, victim, metav1.GetOptions{})
		require.NoError(t, err)
		deleted := p.Status.NominatedNodeName
		require.NoError(t, e.cs.CoreV1().Nodes().Delete(e.ctx, deleted, metav1.DeleteOptions{}))

		e.deletePods("blocker-0")
		e.waitScheduled(names(pods)...)
		e.waitGangBound(e.group("train", "workers", ""), 3)
		p, err = e.cs.CoreV1().Pods(e.ns).Get(e.ctx, victim, metav1.GetOptions{})
		require.NoError(t, err)
		require.Equal(t, deleted, p.Spec.NodeName, "%s is bound to the node reserved for it, though it was deleted", victim)
	})
}

// TestTerminatedMembersDoNotCount checks that Succeeded and Failed members
// count neither as members nor toward the quorum.
//
// A replacement pod joins a gang by naming the same group in
// spec.workloadRef (Workload, podGroup and replica key). While the gang runs,
// its bound live members count toward the quorum, so a replacement for one
// failed member passes Permit alone and binds at once. Once every member has
// terminated the gang starts afresh: its new pods are held until minCount of
// them exist, and bind together.
func TestTerminatedMembersDoNotCount(t *testing.T) {
	forEachSource(t, func(t *testing.T, e *env) {
		e.createNodes(1, "3")
		e.createWorkload(gangWorkload("train", map[string]int32{"workers": 3}))
		key := e.group("train", "workers", "")
		first := members("w", "train", "workers", "", 3, "1")
		e.createPods(first...)
		e.waitScheduled(names(first)...)

		// One member fails while the others run: its replacement binds alone,
		// on the room the failed member gave back.
		e.setPhase("w-0", v1.PodFailed)
		e.createPods(podSpec{name: "r-0", workload: "train", podGroup: "workers", cpu: "1"})
		e.waitScheduled("r-0")

		// Every member terminates: three terminated members, and two new pods
		// are two members, one short of minCount.
		for _, n := range []string{"w-1", "w-2", "r-0"} {
			e.setPhase(n, v1.PodSucceeded)
		}
		again := members("n", "train", "workers", "", 3, "1")
		e.createPods(again[:2]...)
		e.waitPending(gang.WaitingForPodsMessage(key, 2, 3), names(again[:2])...)
		require.Equal(t, 4, e.watcher.boundCount(key), "none of the new pods may bind before the third exists")
		e.createPods(again[2])
		e.waitScheduled(names(again)...)
	})
}

// pendingGangs are the two gangs that the process and API server fault tests
// leave pending across the fault: one waits at Permit, one at PreEnqueue.
type pendingGangs struct {
	// atPermit is a gang of minCount 3: a blocker pod leaves room for two
	// of its members, so from its second attempt two wait at Permit (the
	// round holds, see blockRoom) for the third, which finds no node.
	atPermit []podSpec
	// atPreEnqueue is a gang of minCount 2 with one member, held at PreEnqueue.
	atPreEnqueue []podSpec
}

// pendingBlocker is the plain pod that takes the room of atPermit's third
// member: 6 of the node's 8 cpu.
const pendingBlocker = "blocker"

// createPendingGangs creates a node with room for both gangs, the blocker
// that takes all but two cpu of it, and the gangs.
func (e *env) createPendingGangs() pendingGangs {
	e.t.Helper()
	e.createNodes(1, "8")
	e.blockRoom(pendingBlocker, "6")
	e.createWorkload(longPermitWorkload("train", 3))
	e.createWorkload(gangWorkload("small", map[string]int32{"workers": 2}))
	g := pendingGangs{
		atPermit:     members("w", "train", "workers", "", 3, "1"),
		atPreEnqueue: members("s", "small", "workers", "", 2, "1"),
	}
	e.createPods(g.atPermit...)
	e.createPods(g.atPreEnqueue[0])
	e.waitPending(gang.WaitingForPodsMessage(e.group("small", "workers", ""), 1, 2), g.atPreEnqueue[0].name)
	return g
}

// holdingPendingGangs is how a scheduler holds the pending gangs: two
// members in their binding cycle (waiting at Permit), the member with no
// room unschedulable in the queue, the member short of its gang held out of
// the queue, nothing else.
var holdingPendingGangs = schedulerState{Binding: 2, Unschedulable: 1, Held: 1}

func (g pendingGangs) requireNoneBound(e *env) {
	e.t.Helper()
	e.requireNoneBound(e.group("train", "workers", ""))
	e.requireNoneBound(e.group("small", "workers", ""))
}

// completePendingGangs gives atPermit's third member its room (deletes the
// blocker), creates the missing member of atPreEnqueue, and waits for both
// gangs to bind whole.
func (e *env) completePendingGangs(g pendingGangs) {
	e.t.Helper()
	e.deletePods(pendingBlocker)
	e.createPods(g.atPreEnqueue[1])
	e.waitScheduled(names(g.atPermit)...)
	e.waitScheduled(names(g.atPreEnqueue)...)
	e.waitGangBound(e.group("train", "workers", ""), 3)
	e.waitGangBound(e.group("small", "workers", ""), 2)
}

// longPermitWorkload is a gang Workload whose members wait at Permit for 900
// seconds, the most the annotation allows: far longer than any test, so a
// round ends only by the test's own steps.
func longPermitWorkload(name string, minCount int32) *schedulingv1alpha1.Workload {
	w := gangWorkload(name, map[string]int32{"workers": minCount})
	w.Annotations = map[string]string{gang.PermitTimeoutAnnotation: "900"}
	return w
}

// setPhase sets a pod's status.phase, as its kubelet would when it ends.
func (e *env) setPhase(name string, phase v1.PodPhase) {
	e.t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		p, err := e.cs.CoreV1().Pods(e.ns).Get(e.ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		p.Status.Phase = phase
		_, err = e.cs.CoreV1().Pods(e.ns).UpdateStatus(e.ctx, p, metav1.UpdateOptions{})
		return err
	})
	require.NoError(e.t, err, "setting pod %s %s", name, phase)
}

// waitsAtPermit says whether a pod waits at Permit in a stalled round.
// WorkloadGang publishes the node of each member of a round that has gone
// 5 s without a new member as its nominatedNodeName (reservation hints;
// gangsched turns upstream's NominatedNodeNameForExpectation off), so an
// unbound, nominated pod that was never rejected waits at Permit.
func waitsAtPermit(p *v1.Pod) bool {
	return p.Spec.NodeName == "" && p.Status.NominatedNodeName != ""
}

// refuseBindings makes the API server refuse to bind the named pods of the
// test's namespace, with a ValidatingAdmissionPolicy on pods/binding, and
// waits until it does: a dry-run binding of a pod named "probe", which must
// be among the names, is refused.
func (e *env) refuseBindings(podNames ...string) {
	e.t.Helper()
	name := e.ns + "-refuse-binding"
	list := ""
	for i, n := range podNames {
		if i > 0 {
			list += ", "
		}
		list += fmt.Sprintf("%q", n)
	}
	policy := &admissionregistrationv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: ptr.To(admissionregistrationv1.Fail),
			MatchConstraints: &admissionregistrationv1.MatchResources{
				ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
					RuleWithOperations: admissionregistrationv1.RuleWithOperations{
						Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
						Rule: admissionregistrationv1.Rule{
							APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods/binding"},
						},
					},
				}},
			},
			Validations: []admissionregistrationv1.Validation{{
				Expression: fmt.Sprintf("!(object.metadata.namespace == %q && object.metadata.name in [%s])", e.ns, list),
				Message:    "binding refused by the test",
			}},
		},
	}
	binding := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        name,
			ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny},
		},
	}
	admission := e.cs.AdmissionregistrationV1()
	_, err := admission.ValidatingAdmissionPolicies().Create(e.ctx, policy, metav1.CreateOptions{})
	require.NoError(e.t, err)
	e.t.Cleanup(func() {
		_ = admission.ValidatingAdmissionPolicies().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	_, err = admission.ValidatingAdmissionPolicyBindings().Create(e.ctx, binding, metav1.CreateOptions{})
	require.NoError(e.t, err)
	e.t.Cleanup(func() {
		_ = admission.ValidatingAdmissionPolicyBindings().Delete(context.Background(), name, metav1.DeleteOptions{})
	})

	e.createPods(podSpec{name: "probe", schedulerName: "no-scheduler"})
	probe := &v1.Binding{
		ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: "probe"},
		Target:     v1.ObjectReference{Kind: "Node", Name: "any"},
	}
	e.waitFor("the API server to refuse bindings", func() (bool, error) {
		err := e.cs.CoreV1().Pods(e.ns).Bind(e.ctx, probe, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return apierrors.IsForbidden(err) || apierrors.IsInvalid(err), nil
	})
}

// allowBindings lifts refuseBindings.
func (e *env) allowBindings() {
	e.t.Helper()
	name := e.ns + "-refuse-binding"
	require.NoError(e.t, e.cs.AdmissionregistrationV1().ValidatingAdmissionPolicyBindings().Delete(e.ctx, name, metav1.DeleteOptions{}))
}
