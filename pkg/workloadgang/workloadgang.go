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

// Package workloadgang implements WorkloadGang, a kube-scheduler plugin that
// schedules the pods of a gang podGroup of a scheduling.k8s.io/v1alpha1
// Workload all or nothing.
//
// PreEnqueue keeps a pod out of the scheduling queue while its Workload or
// podGroup is missing, and keeps a gang member out until minCount pods of its
// group exist. Reserve and Permit hold reserved members until minCount of
// them are reserved or bound, then release them together. When one member of
// a waiting round loses its reservation (the Permit timeout, or any later
// failure) the whole round is rejected, so a gang never holds capacity for
// nothing, and the gang backs off before its next attempt.
package workloadgang

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	v1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	policylisters "k8s.io/client-go/listers/policy/v1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/features"
	"k8s.io/kubernetes/pkg/scheduler/framework/preemption"
	"k8s.io/utils/clock"

	"github.com/gangsched/gangsched/pkg/apis/config"
	"github.com/gangsched/gangsched/pkg/apis/config/validation"
	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/leadership"
	"github.com/gangsched/gangsched/pkg/podgroupstatus"
	"github.com/gangsched/gangsched/pkg/workloadgang/groupstate"
)

// Name is the name of the plugin used in the plugin registry and configurations.
const Name = "WorkloadGang"

// WorkloadGang is a plugin that schedules the members of a gang podGroup all
// or nothing. Its group state is fed by its own pod and Workload informer
// handlers, so it works whether or not the scheduler's GenericWorkload and
// GangScheduling feature gates are enabled.
type WorkloadGang struct {
	handle fwk.Handle
	args   config.WorkloadGangArgs
	// decls holds the Workloads and PodGroups seen by the plugin's informer
	// handlers, shared by every profile (see declarations).
	decls *declarations
	// apis are the gang APIs the API server serves, found at startup.
	apis servedAPIs
	// podGroupStatus keeps PodGroup.status; nil without the PodGroup API.
	podGroupStatus *podgroupstatus.Controller
	store          *groupstate.Store
	reporter       *pendingReporter
	// hints publishes the reservations of stalled rounds (see hints.go).
	hints *reservationHints
	// events records gang progress Events on Workloads.
	events *gangEvents
	// preemptions remembers each gang's last preemption (see preempt.go).
	preemptions *preemptions
	// evaluator is upstream's preemption machinery, with which the plugin
	// preempts for the plain pods of its profile (see podpreemption.go).
	evaluator *preemption.Evaluator
	// pdbLister lists the PodDisruptionBudgets a gang's victims should
	// not violate.
	pdbLister policylisters.PodDisruptionBudgetLister
	// leader tells whether the scheduler process leads: a standby writes
	// nothing to the API (see package leadership).
	leader *leadership.Tracker
	// nodesSettling is set while the second node-event re-check is
	// scheduled (see onNodesChanged).
	nodesSettling atomic.Bool
	// clock is the plugin's one source of time: for its decisions (the
	// store reads it too), its timers and its Events' rate limits.
	clock clock.WithDelayedExecution
}

var _ fwk.PreEnqueuePlugin = &WorkloadGang{}
var _ fwk.EnqueueExtensions = &WorkloadGang{}
var _ fwk.PostFilterPlugin = &WorkloadGang{}
var _ fwk.ReservePlugin = &WorkloadGang{}
var _ fwk.PermitPlugin = &WorkloadGang{}

// New initializes the plugin. It fails when the args are invalid or when the
// API server does not serve the Workload API, instead of letting the
// scheduler hang on an informer that can never sync.
func New(ctx context.Context, obj runtime.Object, fh fwk.Handle) (fwk.Plugin, error) {
	return newWithClock(ctx, obj, fh, clock.RealClock{})
}

// newWithClock is New with the given clock; tests pass a fake one.
//
// Every profile of a scheduler that enables WorkloadGang shares one gang
// state (see schedulerState): the first instance builds it, the others
// share it, so gangs of different profiles are ordered, yield and hold as
// one.
func newWithClock(ctx context.Context, obj runtime.Object, fh fwk.Handle, clk clock.WithDelayedExecution) (*WorkloadGang, error) {
	args, err := getArgs(obj)
	if err != nil {
		return nil, err
	}
	apis, err := checkGangAPIs(ctx, fh.ClientSet().Discovery())
	if err != nil {
		return nil, err
	}
	informers := fh.SharedInformerFactory()
	st := stateFor(ctx, informers)
	st.mu.Lock()
	defer st.mu.Unlock()
	first, err := st.addProfile(fh.ProfileName(), args)
	if err != nil {
		return nil, err
	}
	pl := &WorkloadGang{
		handle:    fh,
		args:      args,
		apis:      apis,
		clock:     clk,
		pdbLister: informers.Policy().V1().PodDisruptionBudgets().Lister(),
	}
	pl.evaluator = preemption.NewEvaluator(Name, fh, &podPreemption{fh: fh, whole: pl.wholeGangOf},
		utilfeature.DefaultFeatureGate.Enabled(features.SchedulerAsyncPreemption))
	if first != nil {
		pl.store, pl.reporter, pl.events, pl.leader, pl.decls, pl.podGroupStatus = first.store, first.reporter, first.events, first.leader, first.decls, first.podGroupStatus
		pl.preemptions, pl.hints = first.preemptions, first.hints
		return pl, nil
	}
	pl.decls = newDeclarations()
	pl.preemptions = newPreemptions()
	pl.store = groupstate.New(groupstate.Backoff{
		Initial: time.Duration(args.BackoffInitialSeconds) * time.Second,
		Max:     time.Duration(args.BackoffMaxSeconds) * time.Second,
	}, groupstate.WithHold(time.Duration(args.StarvingGangHoldSeconds)*time.Second),
		groupstate.WithStillWaiting(func(uid types.UID) bool { return fh.GetWaitingPod(uid) != nil }),
		groupstate.WithSchedulerNames(st.schedules),
		groupstate.WithClock(clk))
	pl.leader = leadership.FromContext(ctx)
	pl.reporter = newPendingReporter(ctx, fh, pl.leader, pl.heldMessage, pl.store.Reserved)
	pl.hints = &reservationHints{
		ctx: ctx, clock: clk, leader: pl.leader, store: pl.store,
		client: pl.reporter.client, podLister: pl.reporter.podLister,
		stillWaiting: func(uid types.UID) bool { return fh.GetWaitingPod(uid) != nil },
		cleared:      pl.reporter.clearNomination,
		checking:     map[gang.GroupKey]struct{}{},
	}
	pl.events = newGangEvents(fh.EventRecorder(), clk, gangEventInterval, gangEventQPS, gangEventBurst)
	registerMetrics()
	liveStores.add(ctx, pl.store)
	if err := pl.registerEventHandlers(ctx); err != nil {
		return nil, fmt.Errorf("registering %s event handlers: %w", Name, err)
	}
	st.setGang(fh.ProfileName(), pl)
	return pl, nil
}

// getArgs type-asserts, defaults and validates the plugin args. A nil
// configuration means the defaults.
func getArgs(obj runtime.Object) (config.WorkloadGangArgs, error) {
	if obj == nil {
		return defaultArgs(), nil
	}
	args, ok := obj.(*config.WorkloadGangArgs)
	if !ok {
		return config.WorkloadGangArgs{}, fmt.Errorf("got args of type %T, want *WorkloadGangArgs", obj)
	}
	if err := validation.ValidateWorkloadGangArgs(nil, args); err != nil {
		return config.WorkloadGangArgs{}, err
	}
	return *args, nil
}

// Name returns the name of the plugin.
func (pl *WorkloadGang) Name() string {
	return Name
}

// PreEnqueue admits a pod to the scheduling queue once its Workload and
// podGroup exist and, for a gang, once minCount pods of its group exist. The
// pod that is turned away is remembered, and the event that unblocks it
// (the Workload appearing, the last member being created) activates it.
func (pl *WorkloadGang) PreEnqueue(ctx context.Context, pod *v1.Pod) *fwk.Status {
	if pl.evaluator.IsPodRunningPreemption(pod.UID) {
		// As DefaultPreemption's PreEnqueue: a pod whose victims are being
		// evicted off the scheduling goroutine waits for them. Only pods
		// that preempt through the Evaluator (not gang members) are found.
		return fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "waiting for the preemption for this pod to be finished")
	}
	key, ok := gang.KeyForPod(pod)
	if !ok {
		if gang.Ambiguous(pod) {
			return pl.holdAmbiguous(ctx, pod)
		}
		return nil
	}
	var policy groupstate.Policy
	verdict, _ := pl.store.Admit(pod, func() groupstate.Policy {
		policy, _ = pl.lookupPolicy(key)
		return policy
	})
	if verdict == groupstate.Admitted {
		pl.reporter.clear(pod)
		return nil
	}
	reason := heldReason{verdict: verdict, key: key, minCount: policy.MinCount}
	msg := pl.heldMessage(reason)
	if logger := klog.FromContext(ctx); logger.V(4).Enabled() {
		logger.V(4).Info("Pod held at PreEnqueue", "pod", klog.KObj(pod), "group", key, "reason", msg)
	}
	pl.reporter.report(pod, reason)
	return fwk.NewStatus(fwk.UnschedulableAndUnresolvable, msg)
}

// holdAmbiguous holds a pod that names both a Workload and a PodGroup: it
// belongs to no gang, and binding it alone could split the gang it was
// meant for. Its spec and labels do not change, so it waits to be recreated.
func (pl *WorkloadGang) holdAmbiguous(ctx context.Context, pod *v1.Pod) *fwk.Status {
	msg := gang.AmbiguousMessage(pod)
	klog.FromContext(ctx).V(4).Info("Pod held at PreEnqueue", "pod", klog.KObj(pod), "reason", msg)
	pl.reporter.report(pod, heldReason{verdict: groupstate.Ambiguous, fixed: msg})
	return fwk.NewStatus(fwk.UnschedulableAndUnresolvable, msg)
}

// heldMessage words why a pod is held, from the group's current state.
func (pl *WorkloadGang) heldMessage(r heldReason) string {
	if r.verdict == groupstate.Ambiguous {
		return r.fixed
	}
	st, _ := pl.store.Group(r.key)
	return pl.reasonMessage(r, st)
}

// reasonMessage words why a pod is held, given its group's state.
func (pl *WorkloadGang) reasonMessage(r heldReason, st groupstate.GroupStatus) string {
	switch r.verdict {
	case groupstate.WaitingForWorkload:
		return gang.WaitingForWorkloadMessage(r.key.WorkloadKey())
	case groupstate.WaitingForPodGroup:
		return gang.MissingPodGroupMessage(r.key.WorkloadKey(), r.key.PodGroup)
	case groupstate.WaitingForBackoff:
		return gang.BackoffMessage(r.key, st.Rejections, st.BackoffUntil.Sub(pl.clock.Now()))
	case groupstate.WaitingForRoom:
		if st.CannotFit != "" {
			return st.CannotFit
		}
		// The nodes changed since: the pod is about to be judged again.
		return gang.WaitingForPodsMessage(r.key, st.Members, r.minCount)
	default:
		return gang.WaitingForPodsMessage(r.key, st.Members, r.minCount) + gang.NotSchedulableSuffix(st.SchedulingGated, st.OtherScheduler)
	}
}

// PostFilter runs when a pod found no node. For a member of a gang short of
// its quorum, in order:
//   - if the gang cannot fit in the nodes it may use even with every other
//     pod gone (checked once until the nodes change, when every pod of the
//     gang is needed), its waiting round is rejected and its members are
//     held at PreEnqueue, reserving nothing, until the nodes change;
//   - else, if a younger gang's round waits at Permit on room this member
//     could use (the placement simulation says so), that round yields;
//   - else the gang preempts as a whole (see preempt.go): it waits while
//     victims of its last preemption still run; else, unless the member's
//     preemptionPolicy is Never, victims of lower priority are evicted if
//     and only if every member still needed then fits, and the member is
//     nominated to its planned node;
//   - else its own gang's waiting round is rejected at once (it cannot
//     complete this round and must not hold its room until the timeout),
//     or held if the gang is starving (see groupstate.Store.Unplaced).
//
// A member that no freed room can help (unresolvable on every node) never
// makes another gang yield, preempts nor holds a round; an extra member of
// a gang that has its quorum is a pod like any other, but does not preempt.
// Gang members never preempt one by one: evicting victims for one member
// is wrong while the gang as a whole may still not fit.
//
// Any other pod (of no gang, or of a basic group) preempts as with
// upstream's DefaultPreemption, through its Evaluator, except that a
// running All gang is a victim only as a whole (see podpreemption.go).
// Startup refuses profiles that also run DefaultPreemption (package
// command): it would evict single members of running gangs.
func (pl *WorkloadGang) PostFilter(ctx context.Context, state fwk.CycleState, pod *v1.Pod, statuses fwk.NodeToStatusReader) (*fwk.PostFilterResult, *fwk.Status) {
	pl.leader.ObserveSchedulingCycle()
	key, w, minCount, _ := pl.gangOf(pod)
	// Outside a scheduling cycle (unit tests) there is nothing to simulate
	// on: no fit verdict, no preemption, and the younger gang's room is
	// assumed to help.
	lister := pl.handle.SnapshotSharedLister()
	canSimulate := state != nil && lister != nil
	if w == nil {
		if !canSimulate {
			return nil, fwk.NewStatus(fwk.Unschedulable)
		}
		return pl.preemptPod(ctx, state, pod, statuses)
	}
	need := pl.store.NeedOf(key)
	if !need.Short {
		return nil, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "gang members do not preempt")
	}
	var nodes []fwk.NodeInfo
	if canSimulate {
		var err error
		if nodes, err = lister.NodeInfos().List(); err != nil {
			return nil, fwk.AsStatus(fmt.Errorf("listing nodes: %w", err))
		}
	}
	if canSimulate && !need.FitChecked && need.AllNeeded {
		if msg, fits := pl.checkFit(ctx, state, pod, key, minCount, need, nodes); !fits {
			out, held := pl.store.CannotFit(pod, msg)
			pl.act(ctx, out, pod, w)
			pl.activate(klog.FromContext(ctx), held)
			return nil, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, msg)
		}
		pl.store.FitChecked(key)
	}
	helpable := !canSimulate || !unresolvableEverywhere(statuses, lister.NodeInfos(), len(nodes))
	if helpable {
		if c, ok := pl.store.YieldCandidate(key); ok && (!canSimulate || pl.roomHelps(ctx, state, pod, c, nodes)) {
			pl.act(ctx, pl.store.Yield(pod, c), pod, nil)
			return nil, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "gang members do not preempt")
		}
	}
	if canSimulate && helpable {
		if out := pl.preempt(ctx, state, pod, key, w, need, nodes); out.kind != notPreempting {
			return pl.actOnPreemption(ctx, pod, out)
		}
	}
	pl.act(ctx, pl.store.Unplaced(pod, helpable), pod, nil)
	return nil, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "gang members do not preempt")
}

// Reserve counts a gang member's reservation toward its group's quorum.
func (pl *WorkloadGang) Reserve(ctx context.Context, _ fwk.CycleState, pod *v1.Pod, _ string) *fwk.Status {
	pl.leader.ObserveSchedulingCycle()
	if key, w, _, _ := pl.gangOf(pod); w != nil {
		pl.store.Reserve(pod)
		pl.checkPriorities(key)
	}
	return nil
}

// Unreserve takes back a member's reservation. If the member belonged to a
// round of members waiting at Permit that can no longer reach minCount, the
// whole round is rejected now rather than at its timeout.
func (pl *WorkloadGang) Unreserve(ctx context.Context, _ fwk.CycleState, pod *v1.Pod, _ string) {
	if _, ok := gang.KeyForPod(pod); !ok {
		return
	}
	out := pl.store.Unreserve(pod)
	pl.reporter.clearNomination(pod)
	pl.act(ctx, out, pod, nil)
}

// Permit holds a reserved gang member until minCount members of its group
// are reserved or bound, then releases every waiting member together.
func (pl *WorkloadGang) Permit(ctx context.Context, _ fwk.CycleState, pod *v1.Pod, _ string) (*fwk.Status, time.Duration) {
	key, w, minCount, status := pl.gangOf(pod)
	if status != nil {
		return status, 0
	}
	if w == nil {
		return nil, 0
	}
	logger := klog.FromContext(ctx)
	res := pl.store.Permit(pod, minCount, w.GetUID(), pl.permitTimeout(w))
	if res.Kind == groupstate.PermitDeleted {
		return fwk.NewStatus(fwk.Unschedulable, "pod was deleted"), 0
	}
	// The gang's previous round, found timed out, is rejected whatever
	// becomes of this member.
	pl.act(ctx, res.Expired, pod, nil)
	switch res.Kind {
	case groupstate.PermitCannotFit:
		st, _ := pl.store.Group(key)
		return fwk.NewStatus(fwk.Unschedulable, st.CannotFit), 0
	case groupstate.PermitBackingOff:
		st, _ := pl.store.Group(key)
		return fwk.NewStatus(fwk.Unschedulable, gang.BackoffMessage(key, st.Rejections, st.BackoffUntil.Sub(pl.clock.Now()))), 0
	case groupstate.PermitWait:
		if len(res.Activate) > 0 {
			pl.handle.Activate(logger, podMap(res.Activate))
		}
		if logger.V(4).Enabled() {
			logger.V(4).Info("Gang member waits for quorum", "pod", klog.KObj(pod), "group", key, "reservedOrBound", res.ReservedOrBound, "minCount", minCount, "activated", len(res.Activate))
		}
		if !res.RoundStart.IsZero() {
			pl.reportWaitingRound(key, res.RoundStart)
			pl.timeRoundOut(ctx, key, res.RoundStart, res.Wait)
		}
		pl.hints.watch(key)
		// The framework's timer is a backstop: the round times out first,
		// as a whole, with one message (timeRoundOut).
		return fwk.NewStatus(fwk.Wait, gang.WaitingForQuorumMessage(key, res.ReservedOrBound, minCount)), res.Wait + permitBackstop
	}
	// PermitRelease: this member binds, and the waiting ones with it.
	if logger.V(4).Enabled() {
		logger.V(4).Info("Gang reached quorum; releasing waiting members", "pod", klog.KObj(pod), "group", key, "reservedOrBound", res.ReservedOrBound, "released", len(res.Allow))
	}
	for _, uid := range res.Allow {
		if wp := pl.handle.GetWaitingPod(uid); wp != nil {
			wp.Allow(Name)
		}
	}
	if res.Admitted {
		gangsAdmitted.Inc()
		quorumWaitSeconds.Observe(res.QuorumWait.Seconds())
		pl.reportAdmitted(w, key, res.ReservedOrBound, minCount, res.QuorumWait, res.Domain)
	}
	return nil, 0
}

// permitBackstop is how much longer than its round the framework holds a
// member at Permit: WorkloadGang rejects the round at its deadline itself.
const permitBackstop = 2 * time.Second

// timeRoundOut rejects the round that started at start when its deadline,
// wait from now, has passed without its quorum: every member is rejected
// with the same message, round after round (groupstate.RoundTimedOut).
func (pl *WorkloadGang) timeRoundOut(ctx context.Context, key gang.GroupKey, start time.Time, wait time.Duration) {
	pl.clock.AfterFunc(wait, func() {
		// Off the clock's goroutine: a fake clock runs this under its lock.
		go pl.act(ctx, pl.store.RoundTimedOut(key, start), nil, nil)
	})
}

// gangOf returns the gang a pod belongs to: its group, its Workload and its
// minCount. The Workload is nil for a pod outside any gang (no workloadRef,
// or a basic group). The status is non-nil when the pod's Workload or
// podGroup has gone since PreEnqueue admitted it.
func (pl *WorkloadGang) gangOf(pod *v1.Pod) (gang.GroupKey, declaration, int, *fwk.Status) {
	key, ok := gang.KeyForPod(pod)
	if !ok {
		return key, nil, 0, nil
	}
	policy, w := pl.lookupPolicy(key)
	switch {
	case !policy.WorkloadFound:
		return key, nil, 0, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, gang.WaitingForWorkloadMessage(key.WorkloadKey()))
	case !policy.PodGroupFound:
		return key, nil, 0, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, gang.MissingPodGroupMessage(key.WorkloadKey(), key.PodGroup))
	case policy.MinCount == 0:
		return key, nil, 0, nil
	}
	return key, w, policy.MinCount, nil
}

// lookupPolicy reads a group's policy, and the object that declares it
// (its Workload or PodGroup), from the declaration index (in memory,
// allocation-free). The declaration is nil when it does not exist.
func (pl *WorkloadGang) lookupPolicy(key gang.GroupKey) (groupstate.Policy, declaration) {
	d := pl.decls.get(key.WorkloadKey())
	switch o := d.(type) {
	case *schedulingv1alpha1.Workload:
		pg, ok := gang.FindPodGroup(o, key.PodGroup)
		if !ok {
			return groupstate.Policy{WorkloadFound: true}, d
		}
		minCount, _ := gang.MinCount(pg)
		return groupstate.Policy{WorkloadFound: true, PodGroupFound: true, MinCount: minCount, WorkloadUID: o.UID}, d
	case *podgroupv1alpha1.PodGroup:
		// A PodGroup is one gang: found, it is the group.
		return groupstate.Policy{WorkloadFound: true, PodGroupFound: true, MinCount: gang.PodGroupMinCount(o), WorkloadUID: o.UID}, d
	}
	return groupstate.Policy{}, nil
}

// permitTimeout is a gang's Permit timeout: its Workload's annotation or its
// PodGroup's spec.scheduleTimeoutSeconds when valid, else the plugin's
// permitTimeoutSeconds. Invalid values are reported once per change by the
// informer handlers (checkAnnotations).
func (pl *WorkloadGang) permitTimeout(d declaration) time.Duration {
	var (
		t   time.Duration
		set bool
		err error
	)
	switch o := d.(type) {
	case *schedulingv1alpha1.Workload:
		t, set, err = gang.PermitTimeoutOverride(o)
	case *podgroupv1alpha1.PodGroup:
		t, set, err = gang.PodGroupTimeout(o)
	}
	if set && err == nil {
		return t
	}
	return time.Duration(pl.args.PermitTimeoutSeconds) * time.Second
}

// podMap shapes pods for Handle.Activate.
func podMap(pods []*v1.Pod) map[string]*v1.Pod {
	m := make(map[string]*v1.Pod, len(pods))
	for _, p := range pods {
		m[string(p.UID)] = p
	}
	return m
}
