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

package groupstate

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/gangsched/gangsched/pkg/gang"
)

// The fuzz universe: 2 Workloads x 2 podGroups x 2 replica keys = 8 groups,
// and 8 pod slots. One Store serves two scheduler names (two profiles);
// pods may name a third scheduler, or be created with scheduling gates. The first 3 bytes put each slot in a group (3 bits a
// slot), so one input can crowd every pod into one gang or spread them over
// competing gangs; the 4th picks the Store's hold (fuzzHolds). Then come
// pairs (op, arg): arg%fuzzPods picks a slot (the first slot from there on
// where the op applies), arg/fuzzPods a variant.
const (
	fuzzPods      = 8
	fuzzGroups    = 8
	fuzzHeaderLen = 4
	// fuzzMaxOps bounds a sequence, so an execution stays short.
	fuzzMaxOps = 160
)

// The model of the framework is no stronger than the framework
// (k8s.io/kubernetes v1.35 pkg/scheduler/framework/runtime,
// waiting_pods_map.go and framework.go; schedule_one.go):
//   - Reject of a waiting pod (our round rejections, the Permit timeout's
//	 timer, upstream preemption, which rejects a waiting victim instead of
//	 deleting it, and the queue's delete handler) only puts a status in
//	 the pod's channel. The pod stays in the waiting-pods map, visible to
//	 GetWaitingPod (the Store's stillWaiting), until its binding goroutine
//	 wakes in WaitOnPermit (opWake); its Unreserve runs after that, later
//	 still (opUnreserve). Preemption tells the Store nothing (opPreempt);
//	 a deletion reaches it through our informer handler, in any order
//	 with the rest.
//   - Allow on a pod already rejected does nothing (the channel holds the
//	 rejection), and Reject on a pod already allowed does nothing either.
//   - Binding goroutines and informer handlers interleave with the
//	 scheduling cycles and with each other in any order. The framework
//	 runs scheduling cycles one at a time; the model lets them interleave
//	 too (one pod's Permit between another's Reserve and Permit): it
//	 allows more orders than the framework, never fewer.
//
// So Permit may count a member that is already rejected and release a
// round one short. The released round's PreBind barrier (release.go) must
// then bind none of it: opBind checks every member of a released round
// against the model's release, and checks at every bind that the gang's
// committed members (bound, or certain to bind) make its quorum (see
// committed).

// fuzzHighPriority is the priority of the slots whose header bit is set.
const fuzzHighPriority = 1000

var (
	// fuzzBackoff caps at the third rejection (1s, 2s, 3s).
	fuzzBackoff = Backoff{Initial: time.Second, Max: 3 * time.Second}
	// fuzzTimeouts is each Workload's Permit timeout: a long one and one
	// shorter than a backoff, so rounds time out while others back off.
	fuzzTimeouts = [2]time.Duration{10 * time.Second, 2 * time.Second}
	// fuzzHolds is the Store's hold (WithHold) by the header's 4th byte:
	// shorter and longer than the Permit timeouts, and off.
	fuzzHolds = [4]time.Duration{3 * time.Second, 0, time.Second, 30 * time.Second}
	fuzzStart = time.Unix(1_000_000, 0)
	// fuzzSchedulers are the scheduler names pods use: the Store's two
	// profiles, and another scheduler.
	fuzzSchedulers = [3]string{"gangsched", "gangsched-gpu", "default-scheduler"}
	// fuzzCannotFit is the message of the fuzz's CannotFit verdicts.
	fuzzCannotFit = "cannot fit"
	fuzzKeys      = func() (keys [fuzzGroups]gang.GroupKey) {
		for gi := range keys {
			keys[gi] = gang.GroupKey{
				Namespace:  "ns",
				Workload:   fmt.Sprintf("w%d", gi>>2),
				PodGroup:   fmt.Sprintf("pg%d", gi>>1&1),
				ReplicaKey: []string{"", "r1"}[gi&1],
			}
		}
		return keys
	}()
)

// fuzzOp is one step of a sequence. Informer events and scheduler callbacks
// are separate steps, so that they interleave in every order.
type fuzzOp uint8

const (
	// opCreate creates a pod in the API (variant%4 == 3: already bound, as
	// a pod that bypasses the scheduler; variant>>2&1: with scheduling
	// gates; variant>>3%3: its scheduler, fuzzSchedulers); our informer
	// handler gets its events, and so does the scheduling queue for a pod
	// of the Store's schedulers once it has no gates.
	opCreate fuzzOp = iota
	// opHandler delivers the pod's next event to our informer handler.
	opHandler
	// opQueue delivers the pod's next event to the scheduling queue: an add
	// runs PreEnqueue (Admit), a delete drops the pod or rejects it at Permit.
	opQueue
	// opAdmit runs PreEnqueue again for a pod in the queue (activation,
	// backoff end or the unschedulable-pods flush).
	opAdmit
	// opPop starts a scheduling cycle for an admitted pod.
	opPop
	// opReserve: the cycle found a node and runs Reserve; odd variants: a
	// later Reserve plugin fails and Unreserve runs in the same cycle.
	opReserve
	// opUnplaced: the cycle found no node and runs PostFilter: NeedOf, the
	// fit check (variant bit 1 set: the gang cannot fit: CannotFit; else
	// FitChecked), then YieldCandidate; with a candidate the cycle waits for
	// opYield (the plugin simulates outside the lock), else Unplaced
	// (variant bit 0 clear: freed room could help the member).
	opUnplaced
	// opPermit runs Permit for a reserved pod.
	opPermit
	// opBind binds a pod that Permit allowed; odd variants: binding fails.
	opBind
	// opUnreserve runs the Unreserve that follows a rejection at Permit
	// (timeout, gang rejection, deletion) or a failed binding.
	opUnreserve
	// opDelete deletes a pod in the API; variant%3: 1 the informer first
	// sees it terminating, 2 failed.
	opDelete
	// opWorkload creates or updates a Workload (arg bits: Workload, which
	// podGroups exist, their minCounts 0..4) and runs WorkloadChanged.
	opWorkload
	// opWorkloadDelete deletes a Workload and runs WaitingRoundsOnWorkload
	// (odd variants: WaitingOnWorkload).
	opWorkloadDelete
	// opTick moves the clock forward by (arg%64+1)*100ms, firing the gang
	// backoff and hold timers and the Permit timeouts that fall due.
	opTick
	// opUngate removes a pod's scheduling gates in the API; for a pod
	// without gates that names another scheduler, that scheduler binds it.
	opUngate
	// opYield ends a PostFilter that has a yield candidate: variant bit 0
	// clear is the simulation's answer "the candidate's room could help":
	// Yield; if no round yielded, Unplaced.
	opYield
	// opNodesChanged: a node was added, removed or changed: NodesChanged.
	opNodesChanged
	// opWorkloadEvent delivers a Workload's next add or update event to the
	// plugin's handler (WorkloadChanged); the lister already has it.
	opWorkloadEvent
	// opPreempt: another pod's preemption (upstream DefaultPreemption)
	// chooses a member waiting at Permit as a victim and rejects it: the pod
	// is not deleted, the Store hears of it only at its Unreserve, and the
	// framework lists it as waiting until it wakes (opWake).
	opPreempt
	// opWake: the binding goroutine of a pod rejected at Permit wakes in
	// WaitOnPermit: the framework forgets it as waiting; its Unreserve is
	// still due.
	opWake
	numFuzzOps
)

var fuzzOpNames = [numFuzzOps]string{"Create", "Handler", "Queue", "Admit", "Pop", "Reserve", "Unplaced", "Permit", "Bind", "Unreserve", "Delete", "Workload", "WorkloadDelete", "Tick",
	"Ungate", "Yield", "NodesChanged", "WorkloadEvent", "Preempt", "Wake"}

// fuzzPhase is where the scheduler has a pod.
type fuzzPhase uint8

const (
	phNone      fuzzPhase = iota // not in the scheduler (not queued yet, gone, or created bound)
	phIdle                       // in the queue, not admitted by PreEnqueue
	phActive                     // admitted, waiting for a scheduling cycle
	phCycle                      // in a scheduling cycle, before Reserve or PostFilter
	phYielding                   // in PostFilter, its yield candidate being simulated
	phReserved                   // Reserve ran, Permit not yet
	phWaiting                    // waiting at Permit
	phBinding                    // allowed by Permit, binding
	phBarrier                    // came through Permit, waiting at PreBind for its released round
	phRejecting                  // rejected at Permit or binding failed: Unreserve is due
	phBound                      // bound: the scheduler is done with it
)

// fuzzEvent is a pod event for our informer handler.
type fuzzEvent struct {
	del      bool // a delete event; else an add or update
	node     bool // spec.nodeName is set
	deleting bool // deletionTimestamp is set
	failed   bool // status.phase is Failed
	gated    bool // spec.schedulingGates is not empty
}

// fuzzPod is one pod: its API state, what each informer handler has seen,
// where the scheduler has it, and the Store's bookkeeping for it as the model
// expects it.
type fuzzPod struct {
	// lostCounted: the pod was deleted once committed, and counted in its
	// group's lost members.
	lostCounted bool
	// bindFailed: the pod passed Permit and its binding failed. Its Unreserve
	// is due; until it runs it still counts, as it must: a released member's
	// failed bind is the documented partial case (README, TestBindingFailure),
	// which no Permit decision can undo.
	bindFailed bool

	slot, gen, gi int
	uid           types.UID
	name          string
	// sched is the scheduler's copy of the pod.
	sched *v1.Pod

	created, deleted bool // in the API
	node             bool // bound in the API
	createdBound     bool
	// schedGates: the pod has scheduling gates in the API; scheduler is
	// its index in fuzzSchedulers.
	schedGates bool
	scheduler  int
	// queued: the scheduling queue knows the pod (its add was queued).
	queued bool
	// candidate is the yield candidate of a pod in phYielding; helpable
	// is what its PostFilter found.
	candidate Candidate
	helpable  bool
	// handlerEvents and queueEvents are the events not yet delivered to
	// our informer handler and to the scheduling queue (true: add).
	handlerEvents []fuzzEvent
	queueEvents   []bool
	seen, gone    bool // our handler has delivered its add / its deletion
	unq           bool // the queue has delivered its delete

	ph fuzzPhase
	// timeout is when the pod's Permit wait ends (phWaiting).
	timeout time.Time
	// held is why PreEnqueue last held the pod; Admitted once nothing holds
	// it (it was admitted, or an event handed it back for activation).
	held Verdict

	member                                                            bool
	state                                                             memberState
	gated, waiting, rejected, backedOff, unplaced, waitingForWorkload bool
	// noRoom: held by Admit (or Permit) while its gang cannot fit.
	noRoom bool
	// rejectedAtPermit: rejected while it waited at Permit; the framework
	// lists it as waiting until its binding goroutine wakes (woken), before
	// its Unreserve (see waitingInFramework).
	rejectedAtPermit, woken bool
	// release is the released round the pod has not come through PreBind
	// of yet; barrier is the Store's view of it while the pod waits there
	// (phBarrier).
	release *fuzzRelease
	barrier Barrier
	// quorum is the minCount its Permit released the pod at; 0 outside a
	// gang.
	quorum int
	// unfit: a member whose last PostFilter found no node that room could
	// help, since it last reserved one and the nodes last changed.
	unfit bool
	// excluded: our handler saw the pod unbound with scheduling gates or
	// for another scheduler, so it does not count as a member.
	excluded exclusion
}

// fuzzRelease is a round released at its quorum, as the model sees it.
type fuzzRelease struct {
	// all are its members; missing are those not through PreBind yet.
	all     []*fuzzPod
	missing map[*fuzzPod]bool
	// broken: a member lost its reservation or was deleted before it came
	// through, or a member gave up waiting.
	broken bool
}

func (r *fuzzRelease) decided() bool { return r.broken || len(r.missing) == 0 }

// waitingInFramework is whether the framework lists the pod as waiting at
// Permit (GetWaitingPod): while it waits, and once rejected there until
// its binding goroutine wakes.
func waitingInFramework(p *fuzzPod) bool {
	return p.ph == phWaiting || p.ph == phRejecting && p.rejectedAtPermit && !p.woken
}

// breakRelease is the Store's breakRelease: the pod lost its reservation or
// was deleted before it came through its released round's PreBind.
func (p *fuzzPod) breakRelease() {
	r := p.release
	switch {
	case r == nil:
	case r.missing[p]:
		p.release = nil
		delete(r.missing, p)
		r.breakOff()
	case p.ph == phBarrier && !r.decided():
		// Through WaitOnPermit, waiting at PreBind for the others: it will
		// not bind either. Its wait goes on, and ends broken.
		r.breakOff()
	}
}

// breakOff breaks the release: none of it binds, so its members stop
// counting toward the quorum at once, not when their Unreserve runs.
func (r *fuzzRelease) breakOff() {
	if r.broken {
		return
	}
	r.broken = true
	for _, q := range r.all {
		if q.member && q.state == reserved {
			q.state = pending
		}
	}
}

// undecidedRelease returns group gi's released round that is not decided
// yet, if any.
func (h *fuzzHarness) undecidedRelease(gi int) *fuzzRelease {
	for _, q := range h.pods {
		if q.gi == gi && q.release != nil && !q.release.decided() {
			return q.release
		}
	}
	return nil
}

// committed reports whether a member will bind unless it is deleted or its
// bind fails: it is bound, or came through Permit outside any release, or
// its release has passed its barrier. A deleted pod does not count; the
// gang's lost count stands for the committed members deleted or whose bind
// failed (splits that no Store decision can prevent).
func committed(p *fuzzPod) bool {
	if !p.member || p.deleted {
		return false
	}
	return committedPhase(p)
}

// deletedUnseen reports a member deleted in the API that the scheduler,
// which has not seen the deletion yet, reserved or released anyway: its
// bind will fail, the documented partial case of a member lost mid-bind
// (TestBindingFailure), as for a member deleted once committed.
func deletedUnseen(p *fuzzPod) bool {
	return p.member && p.deleted && !p.lostCounted && committedPhase(p)
}

// committedPhase reports whether the pod's phase commits it to bind.
func committedPhase(p *fuzzPod) bool {
	switch {
	case p.node, p.state == bound:
		return true
	case p.ph == phReserved:
		// Only the model interleaves scheduling cycles: its Permit comes
		// next, within the same cycle in the framework.
		return true
	case p.ph == phBinding:
		return p.release == nil
	case p.ph == phBarrier:
		return p.release != nil && p.release.decided() && !p.release.broken
	}
	return false
}

// ours reports whether the Store's schedulers schedule the pod.
func (p *fuzzPod) ours() bool { return p.scheduler < 2 }

// inGroupState reports whether the model expects the pod's group to track it.
func (p *fuzzPod) inGroupState() bool {
	return p.member || p.gated || p.waiting || p.rejected || p.backedOff || p.unplaced || p.noRoom || p.excluded != 0
}

// hasState reports whether the model expects the Store to track the pod.
func (p *fuzzPod) hasState() bool {
	return p.inGroupState() || p.waitingForWorkload
}

// object returns the pod as an informer event carries it.
func (p *fuzzPod) object(ev fuzzEvent) *v1.Pod {
	pod := p.sched.DeepCopy()
	if ev.node {
		pod.Spec.NodeName = "node"
	}
	if ev.deleting {
		pod.DeletionTimestamp = &metav1.Time{Time: fuzzStart}
	}
	if ev.failed {
		pod.Status.Phase = v1.PodFailed
	}
	if ev.gated {
		pod.Spec.SchedulingGates = []v1.PodSchedulingGate{{Name: "example.com/gate"}}
	}
	return pod
}

// fuzzGroup is the model of a group's own fields; they are forgotten with
// the group once it tracks nothing.
type fuzzGroup struct {
	minCount int
	// arrival is when the gang's current attempt began (its first
	// admission since its last quorum); zero while none runs.
	arrival time.Time
	// workloadUID is the UID the group's state was built against.
	workloadUID types.UID
	// cannotFit and fitChecked are the gang's fit verdicts.
	cannotFit  string
	fitChecked bool
	// holdStart is when the current round began to hold.
	holdStart time.Time
	// lastYield is when a member of the gang last made a round yield.
	lastYield  time.Time
	rejections int
	// holdsExpired counts held rounds rejected by HoldExpired since the
	// gang last reached its quorum: each halves the hold budget.
	holdsExpired int
	backoffUntil time.Time
	deadline     time.Time
	roundStart   time.Time
	// progress is when a member last joined the waiting round.
	progress time.Time
	// holdChecked: a HoldExpired timer watches the held round.
	holdChecked bool
	// lost counts the members that were committed (see committed) when
	// they were deleted or their bind failed.
	lost int
}

// fuzzWorkload is a Workload in the API.
type fuzzWorkload struct {
	exists bool
	// uid changes when the Workload is created again.
	uid      types.UID
	pgExists [2]bool
	minCount [2]int
}

// fuzzTimer is a pending BackoffExpired call, as the plugin schedules one
// with time.AfterFunc for every rejected round, or (hold) a pending
// HoldExpired call for a held round.
type fuzzTimer struct {
	due  time.Time
	gi   int
	hold bool
}

// fuzzStep is a step as applied, for failure messages.
type fuzzStep struct {
	op      fuzzOp
	pod     string
	arg     byte
	comment string
}

// fuzzHarness applies a sequence to a Store and to the model.
type fuzzHarness struct {
	t *testing.T
	s *Store
	// prios are the pod priorities of the slots (header byte 3, bits 2-7):
	// 0 or fuzzHighPriority, so that gangs of one Workload may differ and
	// one gang's members may too.
	prios [fuzzPods]int32
	now   time.Time
	// clk is the Store's clock; it follows now.
	clk    *testingclock.FakeClock
	pods   [fuzzPods]*fuzzPod
	byUID  map[types.UID]*fuzzPod
	groups [fuzzGroups]fuzzGroup
	wls    [2]fuzzWorkload
	// wlFound: the Store last turned a pod of the Workload away for its
	// podGroup, not for the Workload (Stats).
	wlFound [2]bool
	hold    time.Duration
	timers  []fuzzTimer
	steps   []fuzzStep
	// wlEvents are each Workload's add and update events not yet delivered
	// to the plugin's handler: the UID each carries. The lister (policy)
	// already has the Workload, so Admit and Permit may see a new UID
	// first.
	wlEvents [2][]types.UID
	// wlGen numbers the Workloads created, for their UIDs.
	wlGen int
}

// fuzzHistory formats the steps applied so far; fmt calls String only when
// a check fails.
type fuzzHistory struct{ h *fuzzHarness }

func (f fuzzHistory) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "hold %s; groups:", f.h.hold)
	for _, p := range f.h.pods {
		fmt.Fprintf(&b, " p%d=%s", p.slot, fuzzKeys[p.gi])
	}
	b.WriteString("\nsteps:\n")
	for i, s := range f.h.steps {
		fmt.Fprintf(&b, "  %3d %-14s %-6s arg=%3d %s\n", i, fuzzOpNames[s.op], s.pod, s.arg, s.comment)
	}
	return b.String()
}

// FuzzStore drives a Store with informer events and scheduler callbacks in
// the orders a scheduler produces them, and checks it after every step
// against a reference model: the counts of every group, who is reserved,
// the verdicts, the members each call hands back or rejects, and safety
// (Admit and Permit never let a gang through short of minCount live
// members) and liveness (a pod held at PreEnqueue is handed back by the
// event that unblocks it). Every sequence ends by deleting every pod and
// letting every scheduling attempt and timer finish; then the Store must
// track nothing.
//
// The Store serves two scheduler names (two profiles); pods may name a third
// scheduler or be created with scheduling gates, and count as members only
// once ungated (or bound, by whichever scheduler): safety counts only
// members that can reach Permit. PostFilter runs as the plugin does: NeedOf,
// the fit check (CannotFit or FitChecked; the nodes change with
// opNodesChanged), and a two-phase yield whose simulated answer is an input
// and between whose phases other events come (a stale candidate yields
// nothing). Workloads are deleted and created again with a new UID, and
// their events reach the plugin's handler after the lister, so Admit and
// Permit may see a new UID first; the gang starts afresh either way.
// Arrival (Arrival), hold budgets and the members held for room (Stats,
// liveness) are checked against the model too.
//
// Callbacks come for a pod after our informer handler has delivered its
// deletion too: the queue has its own informer handler and may still hold
// the pod (Admit), and a scheduling cycle that popped the pod before the
// deletion runs on (Reserve, PostFilter, Permit, then Unreserve). The model
// expects them to record nothing (Admit's verdict is free, Unplaced rejects
// nothing, Permit says Deleted); before b97adab the Store kept state for the
// deleted pod on each of them (found by this fuzzer).
//
// A failure prints the steps applied, with what each call returned. To see
// them for a passing input, e.g. a seed:
// FUZZSTORE_TRACE=1 go test -run 'FuzzStore/seed#3' -v .
func FuzzStore(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add(seed)
	}
	f.Fuzz(runFuzzStore)
}

// runFuzzStore decodes and applies one sequence.
func runFuzzStore(t *testing.T, data []byte) {
	if len(data) < fuzzHeaderLen {
		return
	}
	h := newFuzzHarness(t, data[:fuzzHeaderLen])
	ops := data[fuzzHeaderLen:]
	for i := 0; i+1 < len(ops) && i/2 < fuzzMaxOps; i += 2 {
		h.step(fuzzOp(ops[i]%byte(numFuzzOps)), ops[i+1])
	}
	h.finish()
	if os.Getenv("FUZZSTORE_TRACE") != "" {
		t.Logf("%v", h.hist())
	}
}

func newFuzzHarness(t *testing.T, header []byte) *fuzzHarness {
	hold := fuzzHolds[header[3]%4]
	h := &fuzzHarness{t: t, hold: hold, now: fuzzStart, clk: testingclock.NewFakeClock(fuzzStart), byUID: map[types.UID]*fuzzPod{}}
	// The framework holds a member at Permit until it is allowed or
	// rejected (timeout, deletion, its round rejected).
	h.s = New(fuzzBackoff, WithHold(hold), WithClock(h.clk), WithStillWaiting(func(uid types.UID) bool {
		p, ok := h.byUID[uid]
		return ok && waitingInFramework(p)
	}), WithSchedulerNames(func(name string) bool { return name == fuzzSchedulers[0] || name == fuzzSchedulers[1] }))
	bits := uint32(header[0]) | uint32(header[1])<<8 | uint32(header[2])<<16
	for slot := range h.prios {
		h.prios[slot] = int32(header[3]>>(2+slot%6)&1) * fuzzHighPriority
	}
	for slot := range h.pods {
		h.pods[slot] = &fuzzPod{slot: slot, gi: int(bits>>(3*slot)) & 7}
	}
	return h
}

func (h *fuzzHarness) hist() fuzzHistory { return fuzzHistory{h} }

func (h *fuzzHarness) note(format string, args ...any) {
	s := &h.steps[len(h.steps)-1]
	s.comment += fmt.Sprintf(format, args...) + "; "
}

// find returns the first pod from slot on, wrapping, for which ok holds.
func (h *fuzzHarness) find(slot int, ok func(*fuzzPod) bool) *fuzzPod {
	for i := range h.pods {
		if p := h.pods[(slot+i)%fuzzPods]; ok(p) {
			return p
		}
	}
	return nil
}

// policy is what the plugin's Workload lookup finds for the pod now.
func (h *fuzzHarness) policy(p *fuzzPod) Policy {
	w := h.wls[p.gi>>2]
	pg := p.gi >> 1 & 1
	switch {
	case !w.exists:
		return Policy{}
	case !w.pgExists[pg]:
		return Policy{WorkloadFound: true}
	}
	return Policy{WorkloadFound: true, PodGroupFound: true, MinCount: w.minCount[pg], WorkloadUID: w.uid}
}

// isGang reports whether the plugin treats the pod as a gang member now (its
// gangOf finds a Workload with a gang podGroup).
func (h *fuzzHarness) isGang(p *fuzzPod) bool {
	pol := h.policy(p)
	return pol.WorkloadFound && pol.PodGroupFound && pol.MinCount > 0
}

// count returns the number of pods of group gi for which ok holds.
func (h *fuzzHarness) count(gi int, ok func(*fuzzPod) bool) int {
	n := 0
	for _, p := range h.pods {
		if p.gi == gi && ok(p) {
			n++
		}
	}
	return n
}

func isMember(p *fuzzPod) bool          { return p.member }
func isReservedOrBound(p *fuzzPod) bool { return p.member && p.state != pending }
func isWaiting(p *fuzzPod) bool         { return p.waiting }

// exists reports whether the model expects the Store to track group gi.
func (h *fuzzHarness) exists(gi int) bool {
	return h.count(gi, (*fuzzPod).inGroupState) > 0
}

// forget drops the fields of groups that track nothing, as the Store forgets
// such groups; a group created again starts afresh.
func (h *fuzzHarness) forget() {
	for gi := range h.groups {
		if !h.exists(gi) {
			h.groups[gi] = fuzzGroup{}
		}
	}
}

func uidsOf(pods []*v1.Pod) []string {
	out := make([]string, 0, len(pods))
	for _, p := range pods {
		out = append(out, string(p.UID))
	}
	sort.Strings(out)
	return out
}

func uidStrings(uids []types.UID) []string {
	out := make([]string, 0, len(uids))
	for _, u := range uids {
		out = append(out, string(u))
	}
	sort.Strings(out)
	return out
}

func fuzzUIDs(pods []*fuzzPod) []string {
	out := make([]string, 0, len(pods))
	for _, p := range pods {
		out = append(out, string(p.uid))
	}
	sort.Strings(out)
	return out
}

// handBack checks the pods a call handed back for activation against the
// model's, and marks them no longer held: PreEnqueue will judge them again.
func (h *fuzzHarness) handBack(call string, got []*v1.Pod, want []*fuzzPod) {
	if len(got) != 0 || len(want) != 0 {
		require.Equal(h.t, fuzzUIDs(want), uidsOf(got), "%s handed back other pods than expected\n%v", call, h.hist())
	}
	for _, pod := range got {
		h.byUID[pod.UID].held = Admitted
	}
	if len(got) > 0 {
		h.note("%s handed back %v", call, uidsOf(got))
	}
}

// take clears a set flag on the pods of group gi that have it and returns them.
func (h *fuzzHarness) take(gi int, flags ...func(*fuzzPod) *bool) []*fuzzPod {
	var out []*fuzzPod
	for _, p := range h.pods {
		if p.gi != gi {
			continue
		}
		taken := false
		for _, flag := range flags {
			if f := flag(p); *f {
				*f = false
				taken = true
			}
		}
		if taken {
			out = append(out, p)
		}
	}
	return out
}

func gatedFlag(p *fuzzPod) *bool     { return &p.gated }
func waitingFlag(p *fuzzPod) *bool   { return &p.waiting }
func rejectedFlag(p *fuzzPod) *bool  { return &p.rejected }
func backedOffFlag(p *fuzzPod) *bool { return &p.backedOff }
func unplacedFlag(p *fuzzPod) *bool  { return &p.unplaced }
func noRoomFlag(p *fuzzPod) *bool    { return &p.noRoom }

// expectedBackoff is the gang backoff after n rejected rounds: Initial,
// doubling, capped at Max.
func expectedBackoff(n int) time.Duration {
	d := fuzzBackoff.Initial << min(n-1, 16)
	return min(d, fuzzBackoff.Max)
}

// fuzzRejection is the rejection the model expects.
type fuzzRejection struct {
	gi     int
	reject []*fuzzPod
	until  time.Time
	cause  Cause
	// holdUntil is set for a held round: only Group and HoldUntil are.
	holdUntil time.Time
}

// rejectRound is the model of a rejected round: the waiting members are
// rejected and the gang backs off.
func (h *fuzzHarness) rejectRound(gi int, cause Cause) *fuzzRejection {
	g := &h.groups[gi]
	g.rejections++
	g.backoffUntil = h.now.Add(expectedBackoff(g.rejections))
	rej := h.takeRound(gi, cause)
	rej.until = g.backoffUntil
	return rej
}

// takeRound is the model of a round's end without backoff: the waiting
// members are rejected and stop counting toward the quorum.
func (h *fuzzHarness) takeRound(gi int, cause Cause) *fuzzRejection {
	g := &h.groups[gi]
	g.deadline = time.Time{}
	// The round no longer holds: a later round's hold budget runs from
	// when that round begins to hold.
	g.holdStart = time.Time{}
	rej := &fuzzRejection{gi: gi, cause: cause}
	for _, p := range h.take(gi, waitingFlag) {
		p.rejected = true
		// A rejected member stops counting toward the quorum now, not when
		// its Unreserve runs.
		if p.member && p.state == reserved {
			p.state = pending
		}
		rej.reject = append(rej.reject, p)
	}
	return rej
}

// preBind is the plugin's PreBind for a pod through Permit (phBinding), or
// waiting at it (phBarrier): it reports whether the pod goes on to bind.
// A member of a released round arrives at its barrier and, until every
// member came through, waits (phBarrier); later opBinds look again, and
// variant 3 gives up waiting (the barrier's deadline). A broken release
// fails the pod (Unreserve is due).
func (h *fuzzHarness) preBind(p *fuzzPod, variant int) bool {
	r := p.release
	if p.ph == phBinding {
		b, ok := h.s.ArriveAtBind(p.sched)
		h.note("ArriveAtBind: %v", ok)
		require.Equal(h.t, r != nil, ok, "ArriveAtBind: in a release\n%v", h.hist())
		if !ok {
			return true
		}
		delete(r.missing, p)
		p.release, p.barrier = nil, b
	} else if !r.decided() && variant%4 == 3 {
		h.note("PreBind gave up waiting")
		r.breakOff()
		got := h.s.Passed(p.barrier, true)
		require.Equal(h.t, BarrierBroken, got.Kind, "Passed(expired)\n%v", h.hist())
		p.ph, p.bindFailed = phRejecting, true
		return false
	}
	p.release = r
	select {
	case <-p.barrier.Done():
		require.True(h.t, r.decided(), "the Store decided a release the model did not\n%v", h.hist())
	default:
		require.False(h.t, r.decided(), "the Store did not decide a release the model did\n%v", h.hist())
		p.ph = phBarrier
		return false
	}
	got := h.s.Passed(p.barrier, false)
	p.release = nil
	if r.broken {
		h.note("PreBind: release broken")
		require.Equal(h.t, BarrierBroken, got.Kind, "Passed\n%v", h.hist())
		p.ph, p.bindFailed = phRejecting, true
		return false
	}
	require.Equal(h.t, BarrierPassed, got.Kind, "Passed\n%v", h.hist())
	return true
}

// rejectWaiting is the plugin rejecting members at Permit: the scheduler
// rejects those that still wait (the others are already rejected) and runs
// their Unreserve later, on their binding goroutines.
func (h *fuzzHarness) rejectWaiting(call string, uids []types.UID) {
	for _, uid := range uids {
		p := h.byUID[uid]
		switch p.ph {
		case phWaiting:
			p.ph, p.rejectedAtPermit = phRejecting, true
		case phRejecting:
		default:
			require.Failf(h.t, "rejected a pod that does not wait at Permit", "%s rejected %s in phase %d\n%v", call, p.name, p.ph, h.hist())
		}
	}
}

// checkRejection compares a RoundOutcome with the model's, and applies it
// as the plugin does: reject the round and schedule BackoffExpired.
func (h *fuzzHarness) checkRejection(call string, got RoundOutcome, want *fuzzRejection) {
	if want == nil {
		if got.Kind != NoChange || got.Group != (gang.GroupKey{}) || len(got.Reject) > 0 || !got.BackoffUntil.IsZero() || !got.HoldUntil.IsZero() || got.Cause != NoCause {
			require.Equal(h.t, RoundOutcome{}, got, "%s rejected a round; the model did not\n%v", call, h.hist())
		}
		return
	}
	require.Equal(h.t, fuzzKeys[want.gi], got.Group, "%s rejected the wrong gang\n%v", call, h.hist())
	if !want.holdUntil.IsZero() {
		require.Equal(h.t, RoundOutcome{Kind: RoundHeld, Group: fuzzKeys[want.gi], HoldUntil: want.holdUntil}, got, "%s: a held round\n%v", call, h.hist())
		h.timers = append(h.timers, fuzzTimer{due: got.HoldUntil, gi: want.gi, hold: true})
		h.note("%s round held until +%s", fuzzKeys[want.gi], got.HoldUntil.Sub(fuzzStart))
		return
	}
	require.Equal(h.t, RoundRejected, got.Kind, "%s: a rejection\n%v", call, h.hist())
	require.Zero(h.t, got.HoldUntil, "%s: a rejection with a hold\n%v", call, h.hist())
	require.Equal(h.t, want.cause.String(), got.Cause.String(), "%s: the cause\n%v", call, h.hist())
	require.Equal(h.t, want.until, got.BackoffUntil, "%s: backoff after %d rejections\n%v", call, h.groups[want.gi].rejections, h.hist())
	require.Equal(h.t, fuzzUIDs(want.reject), uidStrings(got.Reject), "%s rejected other members than the waiting round\n%v", call, h.hist())
	h.rejectWaiting(call, got.Reject)
	if got.BackoffUntil.IsZero() {
		h.note("rejected %s round of %d (%s), no backoff", fuzzKeys[want.gi], len(got.Reject), got.Cause)
		return
	}
	h.timers = append(h.timers, fuzzTimer{due: got.BackoffUntil, gi: want.gi})
	h.note("rejected %s round of %d (%s), backoff until +%s", fuzzKeys[want.gi], len(got.Reject), got.Cause, got.BackoffUntil.Sub(fuzzStart))
}

// leaveCycle puts a pod whose scheduling attempt ended back in the queue, or
// out of the scheduler if the queue has dropped it.
func (p *fuzzPod) leaveCycle() {
	if p.unq {
		p.ph = phNone
	} else {
		p.ph = phIdle
	}
}

// ---- informer side ----

func (h *fuzzHarness) create(p *fuzzPod, variant byte) {
	np := &fuzzPod{slot: p.slot, gi: p.gi, gen: p.gen + 1, created: true}
	np.name = fmt.Sprintf("p%d.%d", np.slot, np.gen)
	np.uid = types.UID("uid-" + np.name)
	np.createdBound = variant%4 == 3
	np.node = np.createdBound
	np.schedGates = variant>>2&1 == 1 && !np.createdBound
	np.scheduler = int(variant>>3) % len(fuzzSchedulers)
	prio := h.prios[np.slot]
	np.sched = &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: np.name, UID: np.uid},
		Spec: v1.PodSpec{SchedulerName: fuzzSchedulers[np.scheduler], Priority: &prio, WorkloadRef: &v1.WorkloadReference{
			Name: fuzzKeys[np.gi].Workload, PodGroup: fuzzKeys[np.gi].PodGroup, PodGroupReplicaKey: fuzzKeys[np.gi].ReplicaKey,
		}},
	}
	np.handlerEvents = []fuzzEvent{{node: np.createdBound, gated: np.schedGates}}
	// The queue attempts no pod with scheduling gates (the SchedulingGates
	// PreEnqueue plugin runs first), and only pods of its own profiles.
	if !np.createdBound && !np.schedGates && np.ours() {
		np.queueEvents = []bool{true}
		np.queued = true
	}
	h.pods[p.slot] = np
	h.byUID[np.uid] = np
	h.steps[len(h.steps)-1].pod = np.name
}

func canCreate(p *fuzzPod) bool {
	return !p.created || (p.deleted && p.gone && len(p.handlerEvents) == 0 && len(p.queueEvents) == 0 &&
		(p.ph == phNone || p.ph == phBound) && !p.hasState())
}

func (h *fuzzHarness) deletePod(p *fuzzPod, variant byte) {
	if committed(p) {
		h.groups[p.gi].lost++
		p.lostCounted = true
	}
	p.deleted = true
	switch variant % 3 {
	case 1:
		p.handlerEvents = append(p.handlerEvents, fuzzEvent{node: p.node, deleting: true, gated: p.schedGates})
	case 2:
		p.handlerEvents = append(p.handlerEvents, fuzzEvent{node: p.node, failed: true, gated: p.schedGates})
	}
	p.handlerEvents = append(p.handlerEvents, fuzzEvent{del: true, node: p.node, gated: p.schedGates})
	if p.queued {
		p.queueEvents = append(p.queueEvents, false)
	}
}

// ungate removes the pod's scheduling gates in the API: our handler sees an
// update, and the queue (for a pod of our profiles) attempts it from now.
// A pod without gates that names another scheduler is bound by it.
func (h *fuzzHarness) ungate(p *fuzzPod) {
	if !p.schedGates {
		h.note("bound by %s", fuzzSchedulers[p.scheduler])
		p.node = true
		p.handlerEvents = append(p.handlerEvents, fuzzEvent{node: true})
		return
	}
	h.note("ungated")
	p.schedGates = false
	p.handlerEvents = append(p.handlerEvents, fuzzEvent{node: p.node})
	if p.ours() && !p.node {
		p.queueEvents = append(p.queueEvents, true)
		p.queued = true
	}
}

// handlerSync delivers the pod's next event to our informer handler, which
// calls AddPod, UpdatePod or DeletePod, and TakeOldestUnplaced when a bound
// pod is deleted.
func (h *fuzzHarness) handlerSync(p *fuzzPod) {
	ev := p.handlerEvents[0]
	p.handlerEvents = p.handlerEvents[1:]
	obj := p.object(ev)
	switch {
	case ev.del:
		h.note("DeletePod")
		h.s.DeletePod(obj)
		p.breakRelease()
		h.modelDelete(p)
		if ev.node {
			got := h.s.TakeOldestUnplaced()
			h.handBack("TakeOldestUnplaced", got, h.modelTakeOldestUnplaced())
			h.forget()
		}
	case ev.deleting || ev.failed:
		h.note("UpdatePod(terminating)")
		got := h.s.UpdatePod(obj)
		p.breakRelease()
		require.Empty(h.t, got, "UpdatePod of a terminating pod handed back pods\n%v", h.hist())
		h.modelDelete(p)
	default:
		call := "AddPod"
		if p.seen {
			call = "UpdatePod"
		}
		h.note("%s(node=%v)", call, ev.node)
		var got []*v1.Pod
		if p.seen {
			got = h.s.UpdatePod(obj)
		} else {
			got = h.s.AddPod(obj)
		}
		p.seen = true
		g := &h.groups[p.gi]
		// An unbound pod with gates or for another scheduler does not
		// count, unless it already does (the scheduler reserved it first).
		if excluded := !ev.node && (ev.gated || !p.ours()); excluded && !p.member {
			p.excluded = otherScheduler
			if ev.gated {
				p.excluded = schedulingGated
			}
			h.handBack(call, got, nil)
			h.forget()
			return
		}
		p.excluded = 0
		switch {
		case !p.member && ev.node:
			p.member, p.state = true, bound
		case !p.member:
			p.member, p.state = true, pending
		case ev.node && p.state != bound:
			p.state = bound
			p.waiting = false
		}
		var want []*fuzzPod
		if g.minCount > 0 && h.count(p.gi, isMember) >= g.minCount {
			want = h.take(p.gi, gatedFlag)
		}
		h.handBack(call, got, want)
		h.forget()
	}
}

// stopWaitingForWorkload takes the pod out of the Store's pods waiting for
// a Workload; the Workload's entry goes with its last pod.
func (h *fuzzHarness) stopWaitingForWorkload(p *fuzzPod) {
	p.waitingForWorkload = false
	for _, q := range h.pods {
		if q.gi>>2 == p.gi>>2 && q.waitingForWorkload {
			return
		}
	}
	h.wlFound[p.gi>>2] = false
}

// modelDelete is DeletePod in the model: the pod is forgotten everywhere.
func (h *fuzzHarness) modelDelete(p *fuzzPod) {
	p.gone = true
	p.member, p.state = false, pending
	p.gated, p.waiting, p.rejected, p.backedOff, p.unplaced, p.noRoom, p.excluded = false, false, false, false, false, false, 0
	h.stopWaitingForWorkload(p)
	if h.count(p.gi, isWaiting) == 0 {
		h.groups[p.gi].deadline, h.groups[p.gi].holdStart = time.Time{}, time.Time{}
	}
	h.forget()
}

// priority is group gi's priority: the lowest of its members' (0 with none).
func (h *fuzzHarness) priority(gi int) int32 {
	first, lowest := true, int32(0)
	for _, p := range h.pods {
		if p.gi == gi && p.member && (first || h.prios[p.slot] < lowest) {
			first, lowest = false, h.prios[p.slot]
		}
	}
	return lowest
}

// ranksBefore orders gangs as the gang-aware queue sort does: higher
// priority first, then by arrival (none last), then by key.
func (h *fuzzHarness) ranksBefore(a, b int) bool {
	if pa, pb := h.priority(a), h.priority(b); pa != pb {
		return pa > pb
	}
	aa, ba := h.groups[a].arrival, h.groups[b].arrival
	if !aa.Equal(ba) {
		switch {
		case aa.IsZero():
			return false
		case ba.IsZero():
			return true
		}
		return aa.Before(ba)
	}
	return fuzzKeys[a].Compare(fuzzKeys[b]) < 0
}

// short is whether group gi is short of its quorum.
func (h *fuzzHarness) short(gi int) bool {
	g := h.groups[gi]
	return g.minCount > 0 && h.count(gi, isReservedOrBound) < g.minCount
}

// modelTakeOldestUnplaced hands back the unplaced members of the oldest gang
// that can use room now: short of its quorum, not backing off, not found
// unable to fit.
func (h *fuzzHarness) modelTakeOldestUnplaced() []*fuzzPod {
	oldest := -1
	for gi := range h.groups {
		g := h.groups[gi]
		if h.count(gi, func(p *fuzzPod) bool { return p.unplaced }) == 0 || !h.short(gi) || h.now.Before(g.backoffUntil) || g.cannotFit != "" {
			continue
		}
		if oldest < 0 || h.ranksBefore(gi, oldest) {
			oldest = gi
		}
	}
	if oldest < 0 {
		return nil
	}
	return h.take(oldest, unplacedFlag)
}

// queueSync delivers the pod's next event to the scheduling queue.
func (h *fuzzHarness) queueSync(p *fuzzPod) {
	add := p.queueEvents[0]
	p.queueEvents = p.queueEvents[1:]
	if add {
		p.ph = phIdle
		h.admit(p)
		return
	}
	p.unq = true
	switch p.ph {
	case phIdle, phActive:
		p.ph = phNone
	case phWaiting:
		// The queue's delete handler rejects a pod waiting at Permit.
		p.ph, p.rejectedAtPermit = phRejecting, true
	}
}

// ---- scheduler side, as the plugin calls the Store ----

// admit is PreEnqueue.
func (h *fuzzHarness) admit(p *fuzzPod) {
	pol := h.policy(p)
	lookups := 0
	v, members := h.s.Admit(p.sched, func() Policy { lookups++; return pol })
	if lookups != 1 {
		h.failf("Admit looked the Workload up %d times, want once", lookups)
	}
	h.note("Admit=%d members=%d", v, members)
	p.held = v
	if v == Admitted {
		p.ph = phActive
	}
	if p.gone {
		// Our handler has seen the pod deleted, the queue not yet: whatever
		// the verdict, nothing may be recorded for the pod (check compares
		// every count with the model's, which records nothing).
		return
	}

	g := &h.groups[p.gi]
	want, wantMembers := Admitted, 0
	switch {
	case !pol.WorkloadFound:
		p.waitingForWorkload = true
		h.wlFound[p.gi>>2] = false
		want = WaitingForWorkload
	case !pol.PodGroupFound:
		p.waitingForWorkload = true
		h.wlFound[p.gi>>2] = true
		want = WaitingForPodGroup
	default:
		h.stopWaitingForWorkload(p)
		if pol.MinCount == 0 {
			break
		}
		g.minCount = pol.MinCount
		if g.workloadUID != pol.WorkloadUID {
			h.resetAttempt(p.gi, pol.WorkloadUID)
		}
		wantMembers = h.count(p.gi, isMember)
		switch {
		case wantMembers < pol.MinCount:
			p.gated = true
			want = WaitingForMembers
		case g.cannotFit != "":
			p.gated = false
			p.noRoom = true
			want = WaitingForRoom
		case h.now.Before(g.backoffUntil):
			p.gated = false
			p.backedOff = true
			want = WaitingForBackoff
		default:
			p.gated = false
			if g.arrival.IsZero() {
				g.arrival = h.now
			}
		}
	}
	if v != want || members != wantMembers {
		require.Equal(h.t, [2]int{int(want), wantMembers}, [2]int{int(v), members}, "Admit verdict and member count\n%v", h.hist())
	}

	// Safety, from the model's members (live pods of our schedulers or
	// bound, and pods the scheduler reserved before our handler saw them),
	// not from the Store's.
	if v == Admitted && pol.MinCount > 0 {
		if !pol.WorkloadFound || !pol.PodGroupFound {
			h.failf("Admit admitted a gang pod without its Workload or podGroup")
		}
		if n := h.count(p.gi, func(q *fuzzPod) bool { return q.member && (q.node || q.state != pending || !q.schedGates && q.ours()) }); n < pol.MinCount {
			h.failf("Admit admitted a gang pod with %d live members that can reach Permit, short of minCount %d", n, pol.MinCount)
		}
		if h.now.Before(g.backoffUntil) {
			h.failf("Admit admitted a gang pod during its gang's backoff")
		}
		if g.cannotFit != "" {
			h.failf("Admit admitted a gang pod whose gang cannot fit")
		}
	}
	h.forget()
}

// resetAttempt is a new Workload UID in the model: the gang starts afresh,
// and its members held for the old attempt's backoff or room join the
// rejected ones.
func (h *fuzzHarness) resetAttempt(gi int, uid types.UID) {
	g := &h.groups[gi]
	h.note("%s: Workload UID %s -> %s", fuzzKeys[gi], g.workloadUID, uid)
	g.workloadUID = uid
	g.rejections, g.backoffUntil, g.arrival, g.holdStart, g.lastYield = 0, time.Time{}, time.Time{}, time.Time{}, time.Time{}
	g.holdsExpired = 0
	g.cannotFit, g.fitChecked = "", false
	for _, p := range h.pods {
		if p.gi == gi && (p.backedOff || p.noRoom) {
			p.backedOff, p.noRoom = false, false
			p.rejected = true
		}
	}
}

// reserve is Reserve: the plugin counts a gang member's reservation.
func (h *fuzzHarness) reserve(p *fuzzPod) {
	p.ph = phReserved
	if !h.isGang(p) {
		return
	}
	h.note("Reserve")
	h.s.Reserve(p.sched)
	if !p.gone {
		// A pod seen by the scheduler before our handler is a member too;
		// a pod whose deletion the Store has seen must not become one.
		p.member, p.state = true, reserved
	}
	p.rejected, p.unplaced, p.unfit = false, false, false
	h.forget()
}

// unreserve is Unreserve.
func (h *fuzzHarness) unreserve(p *fuzzPod) {
	p.bindFailed = false
	p.rejectedAtPermit, p.woken = false, false
	p.breakRelease()
	h.note("Unreserve")
	got := h.s.Unreserve(p.sched)
	var want *fuzzRejection
	func() {
		if !h.exists(p.gi) {
			return
		}
		g := &h.groups[p.gi]
		wasWaiting := p.waiting
		p.waiting = false
		if !p.member {
			if h.count(p.gi, isWaiting) == 0 {
				g.deadline, g.holdStart = time.Time{}, time.Time{}
			}
			return
		}
		p.rejected = true
		if p.state != reserved {
			// Its reservation stopped counting with its rejected round.
			return
		}
		p.state = pending
		if h.count(p.gi, isReservedOrBound) >= g.minCount {
			return
		}
		if h.count(p.gi, isWaiting) > 0 || wasWaiting {
			// A waiting member unreserved once the round's deadline has
			// passed was rejected by its Permit timeout.
			cause := CauseMemberUnreserved
			if wasWaiting && !g.deadline.IsZero() && !h.now.Before(g.deadline) {
				cause = CauseTimeout
			}
			want = h.rejectRound(p.gi, cause)
		}
	}()
	p.leaveCycle()
	h.checkRejection("Unreserve", got, want)
	h.forget()
}

// postFilter is PostFilter for a gang member that found no node, as the
// plugin runs it: NeedOf; for a gang short of quorum that needs all its
// members and was not found to fit, the fit check (cannotFit is its
// answer: CannotFit, else FitChecked); then YieldCandidate. With a
// candidate, the cycle waits in phYielding for opYield (the plugin checks
// the candidate by simulation outside the lock, while other events come);
// without one, Unplaced.
func (h *fuzzHarness) postFilter(p *fuzzPod, helpable, cannotFit bool) {
	if !h.isGang(p) {
		p.leaveCycle()
		return
	}
	key := fuzzKeys[p.gi]
	need := h.s.NeedOf(key)
	h.note("NeedOf=%+v", need)
	if want := h.modelNeed(p.gi); !needEqual(need, want) {
		require.Equal(h.t, want, need, "NeedOf\n%v", h.hist())
	}
	if need.Short && need.AllNeeded && !need.FitChecked {
		if cannotFit {
			p.leaveCycle()
			h.cannotFit(p)
			return
		}
		h.note("FitChecked")
		h.s.FitChecked(key)
		if h.exists(p.gi) {
			h.groups[p.gi].fitChecked = true
		}
	}
	c, ok := h.s.YieldCandidate(key)
	want, wantOK := h.modelYieldCandidate(p.gi)
	if ok != wantOK || ok && (c.Group != want.Group || !c.RoundStart.Equal(want.RoundStart) || !slicesEqual(uidsOf(c.Waiting), uidsOf(want.Waiting))) {
		require.Equal(h.t, [2]any{wantOK, want}, [2]any{ok, c}, "YieldCandidate\n%v", h.hist())
	}
	if ok {
		h.note("YieldCandidate %s (round of +%s)", c.Group, c.RoundStart.Sub(fuzzStart))
		p.ph, p.candidate, p.helpable = phYielding, c, helpable
		return
	}
	p.leaveCycle()
	h.unplaced(p, helpable)
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func needEqual(a, b Need) bool {
	if a.Short != b.Short || a.Members != b.Members || a.AllNeeded != b.AllNeeded || a.FitChecked != b.FitChecked || len(a.Bound) != len(b.Bound) {
		return false
	}
	for uid := range a.Bound {
		if _, ok := b.Bound[uid]; !ok {
			return false
		}
	}
	return true
}

// modelNeed is NeedOf in the model.
func (h *fuzzHarness) modelNeed(gi int) Need {
	if !h.exists(gi) || !h.short(gi) {
		return Need{}
	}
	g := h.groups[gi]
	n := Need{Short: true, AllNeeded: h.count(gi, isMember) <= g.minCount, FitChecked: g.fitChecked, Bound: map[types.UID]struct{}{}}
	for _, q := range h.pods {
		if q.gi == gi && q.member && q.state == bound {
			n.Bound[q.uid] = struct{}{}
		}
	}
	n.Members = g.minCount - len(n.Bound)
	return n
}

// modelYieldCandidate is YieldCandidate in the model: the youngest gang
// whose round waits and arrived after gi's gang, while gi's gang is short
// of its quorum and made no round yield within yieldInterval.
func (h *fuzzHarness) modelYieldCandidate(gi int) (Candidate, bool) {
	if !h.exists(gi) || !h.short(gi) || h.now.Sub(h.groups[gi].lastYield) < yieldInterval {
		return Candidate{}, false
	}
	youngest := -1
	for k := range h.groups {
		if k == gi || h.count(k, isWaiting) == 0 || !h.ranksBefore(gi, k) {
			continue
		}
		if youngest < 0 || h.ranksBefore(youngest, k) {
			youngest = k
		}
	}
	if youngest < 0 {
		return Candidate{}, false
	}
	c := Candidate{Group: fuzzKeys[youngest], RoundStart: h.groups[youngest].roundStart}
	for _, q := range h.pods {
		if q.gi == youngest && q.waiting {
			c.Waiting = append(c.Waiting, q.sched)
		}
	}
	return c, true
}

// yield ends a PostFilter with a candidate: helps is the simulation's
// answer. Yield rejects the candidate's round if it is still the one
// named; if no round yielded, the member is Unplaced.
func (h *fuzzHarness) yield(p *fuzzPod, helps bool) {
	c := p.candidate
	p.candidate = Candidate{}
	p.leaveCycle()
	if !helps {
		h.note("the candidate's room cannot help")
		h.unplaced(p, p.helpable)
		return
	}
	got := h.s.Yield(p.sched, c)
	var want *fuzzRejection
	vi := -1
	for gi, k := range fuzzKeys {
		if k == c.Group {
			vi = gi
		}
	}
	// Yield checks again, under the lock, what the plugin's simulation
	// took for granted: the round is the one named, the member's gang is
	// still short of its quorum, and it has not made a round yield within
	// yieldInterval meanwhile (two of its members may hold candidates).
	if !p.gone && h.count(vi, isWaiting) > 0 && h.groups[vi].roundStart.Equal(c.RoundStart) &&
		h.exists(p.gi) && h.short(p.gi) && h.now.Sub(h.groups[p.gi].lastYield) >= yieldInterval {
		p.unplaced = true
		h.groups[p.gi].lastYield = h.now
		want = h.rejectRound(vi, CauseYielded)
	}
	h.checkRejection("Yield", got, want)
	h.forget()
	if want == nil {
		h.note("stale candidate")
		h.unplaced(p, p.helpable)
	}
}

// cannotFit is CannotFit: the gang's round, if any, is rejected without
// backoff, and its members are held until the nodes change.
func (h *fuzzHarness) cannotFit(p *fuzzPod) {
	h.note("CannotFit")
	got, activated := h.s.CannotFit(p.sched, fuzzCannotFit)
	if p.gone {
		h.checkRejection("CannotFit after DeletePod", got, nil)
		h.handBack("CannotFit after DeletePod", activated, nil)
		return
	}
	g := &h.groups[p.gi]
	g.cannotFit, g.fitChecked, g.holdStart = fuzzCannotFit, false, time.Time{}
	p.rejected = true
	var want *fuzzRejection
	if h.count(p.gi, isWaiting) > 0 {
		want = h.takeRound(p.gi, CauseCannotFit)
	}
	h.checkRejection("CannotFit", got, want)
	// Members the queue holds for other reasons are handed back, for
	// PreEnqueue to hold them for room.
	h.handBack("CannotFit", activated, h.take(p.gi, rejectedFlag, unplacedFlag, backedOffFlag))
	h.forget()
}

// nodesChanged is the plugin's node event handler: NodesChanged forgets
// every fit verdict and hands back the members held for room.
func (h *fuzzHarness) nodesChanged() {
	got := h.s.NodesChanged()
	var want []*fuzzPod
	for gi := range h.groups {
		g := &h.groups[gi]
		if !h.exists(gi) {
			continue
		}
		g.fitChecked = false
		for _, p := range h.pods {
			if p.gi == gi {
				p.unfit = false
			}
		}
		if g.cannotFit == "" {
			continue
		}
		g.cannotFit = ""
		want = append(want, h.take(gi, noRoomFlag, rejectedFlag)...)
	}
	h.handBack("NodesChanged", got, want)
	h.forget()
}

// unplaced is Unplaced: a member of a gang short of its quorum that no
// younger gang yielded to.
func (h *fuzzHarness) unplaced(p *fuzzPod, helpable bool) {
	h.note("Unplaced(helpable=%v)", helpable)
	got := h.s.Unplaced(p.sched, helpable)
	if p.gone {
		// A deleted pod's PostFilter: nothing is recorded or rejected.
		h.checkRejection("Unplaced after DeletePod", got, nil)
		return
	}
	g := &h.groups[p.gi]
	if h.short(p.gi) && p.member && !helpable {
		p.unfit = true
	}
	var want *fuzzRejection
	switch {
	case !h.short(p.gi):
		// An extra member of a gang with its quorum: nothing changes.
	case p.member && !helpable && h.count(p.gi, func(q *fuzzPod) bool { return q.member && !q.unfit }) >= g.minCount:
		// An extra member that cannot fit: the others can make the quorum.
	case h.count(p.gi, isWaiting) == 0:
		p.unplaced = p.unplaced || helpable
	case helpable && h.holds(p.gi):
		p.unplaced = true
		if g.holdStart.IsZero() {
			g.holdStart = h.now
		}
		if !g.holdChecked {
			g.holdChecked = true
			want = &fuzzRejection{gi: p.gi, holdUntil: h.holdUntil(p.gi)}
		}
	default:
		p.rejected = true
		g.holdStart = time.Time{}
		want = h.rejectRound(p.gi, CauseMemberUnschedulable)
	}
	h.checkRejection("Unplaced", got, want)
	h.forget()
}

// holdBudget is how long in all group gi may hold one round: the hold
// halved with each held round that expired, none under a second.
func (h *fuzzHarness) holdBudget(gi int) time.Duration {
	if h.groups[gi].rejections <= 0 {
		return 0
	}
	b := h.hold >> min(h.groups[gi].holdsExpired, 62)
	if b < time.Second {
		return 0
	}
	return b
}

// holdUntil is when group gi's held round's hold runs out: the hold after
// the last member joined, or its budget after it began to hold.
func (h *fuzzHarness) holdUntil(gi int) time.Time {
	g := h.groups[gi]
	until := g.progress.Add(h.hold)
	if !g.holdStart.IsZero() {
		if end := g.holdStart.Add(h.holdBudget(gi)); end.Before(until) {
			until = end
		}
	}
	return until
}

// holds is whether group gi's round is held rather than rejected when a
// member finds no node: the gang is starving (rejected before) with a hold
// budget left, no round older than its own waits, and a member joined it
// within the hold.
func (h *fuzzHarness) holds(gi int) bool {
	g := h.groups[gi]
	if h.hold <= 0 || g.rejections == 0 || h.holdBudget(gi) == 0 || !h.now.Before(h.holdUntil(gi)) {
		return false
	}
	for k := range h.groups {
		if k != gi && h.count(k, isWaiting) > 0 && h.ranksBefore(k, gi) {
			return false
		}
	}
	return true
}

// holdExpired is the plugin's hold timer firing: HoldExpired, then another
// check, or the round's rejection.
func (h *fuzzHarness) holdExpired(gi int) {
	got := h.s.HoldExpired(fuzzKeys[gi])
	h.note("HoldExpired(%s) at +%s", fuzzKeys[gi], h.now.Sub(fuzzStart))
	var want *fuzzRejection
	g := &h.groups[gi]
	switch {
	case !h.exists(gi):
	case h.count(gi, isWaiting) == 0 || h.count(gi, isReservedOrBound) >= g.minCount:
		g.holdChecked = false
	case h.now.Before(h.holdUntil(gi)):
		want = &fuzzRejection{gi: gi, holdUntil: h.holdUntil(gi)}
	default:
		g.holdChecked = false
		g.holdStart = time.Time{}
		g.holdsExpired++
		want = h.rejectRound(gi, CauseHoldExpired)
	}
	h.checkRejection("HoldExpired", got, want)
	h.forget()
}

// permit is Permit.
func (h *fuzzHarness) permit(p *fuzzPod) {
	pol := h.policy(p)
	switch {
	case !pol.WorkloadFound || !pol.PodGroupFound:
		// The plugin rejects the pod; Unreserve runs in the same cycle.
		h.note("Permit: Workload or podGroup gone")
		h.unreserve(p)
		return
	case pol.MinCount == 0:
		p.ph = phBinding
		return
	}
	minCount := pol.MinCount
	wl := h.wls[p.gi>>2]
	res := h.s.Permit(p.sched, minCount, wl.uid, fuzzTimeouts[p.gi>>2])
	if p.gone {
		// A deleted pod's Permit: nothing is recorded, and the plugin
		// rejects the pod, so Unreserve runs in the same cycle.
		if res.Kind != PermitDeleted || res.Wait != 0 || res.Admitted || res.ReservedOrBound != 0 || len(res.Allow) > 0 || len(res.Activate) > 0 {
			require.Equal(h.t, PermitResult{Kind: PermitDeleted}, res, "Permit after DeletePod\n%v", h.hist())
		}
		h.note("Permit: deleted")
		h.unreserve(p)
		return
	}
	if res.Kind == PermitDeleted {
		h.failf("Permit says %s was deleted; our handler has not seen it go", p.name)
	}
	g := &h.groups[p.gi]
	g.minCount = minCount
	if g.workloadUID != wl.uid {
		h.resetAttempt(p.gi, wl.uid)
	}
	if g.arrival.IsZero() {
		g.arrival = h.now
	}
	// A round found past its deadline has timed out, whether or not its
	// members' Unreserve has run: it is rejected before the quorum count.
	var expired *fuzzRejection
	if h.count(p.gi, isWaiting) > 0 && !g.deadline.IsZero() && !h.now.Before(g.deadline) {
		expired = h.rejectRound(p.gi, CauseTimeout)
	}
	h.checkRejection("Permit (expired round)", res.Expired, expired)
	res.Expired = RoundOutcome{}
	// At the quorum, members the framework no longer holds at Permit are
	// dropped from the round and stop counting.
	if h.count(p.gi, isReservedOrBound) >= minCount {
		for _, q := range h.pods {
			if q.gi != p.gi || !q.waiting || waitingInFramework(q) {
				continue
			}
			q.waiting = false
			q.rejected = true
			if q.member && q.state == reserved {
				q.state = pending
			}
		}
		if h.count(p.gi, isWaiting) == 0 {
			g.deadline, g.holdStart = time.Time{}, time.Time{}
		}
	}
	rob := h.count(p.gi, isReservedOrBound)
	if rob != res.ReservedOrBound {
		h.failf("Permit counted %d reserved or bound, the model %d", res.ReservedOrBound, rob)
	}
	switch {
	case rob >= minCount:
		h.note("Permit: allow %d", len(res.Allow))
		// Safety: the quorum is made of members that are live (the model
		// never counts a pod whose deletion our handler has seen). Members
		// already rejected at Permit may count: the release's PreBind
		// barrier then binds none of the round (see opBind).
		quorum := h.count(p.gi, func(q *fuzzPod) bool { return isReservedOrBound(q) && !q.gone })
		if quorum < minCount {
			h.failf("Permit allowed a gang with %d reserved or bound live members, short of minCount %d", quorum, minCount)
		}
		want := PermitResult{Kind: PermitRelease, ReservedOrBound: rob, Admitted: h.count(p.gi, isWaiting) > 0 || rob-1 < minCount}
		if h.count(p.gi, isWaiting) > 0 {
			want.QuorumWait = h.now.Sub(g.roundStart)
		}
		if h.count(p.gi, isWaiting) > 0 {
			r := &fuzzRelease{missing: map[*fuzzPod]bool{p: true}}
			for _, q := range h.pods {
				if q.gi == p.gi && q.waiting {
					r.missing[q] = true
				}
			}
			for q := range r.missing {
				q.release = r
				q.quorum = minCount
				r.all = append(r.all, q)
			}
		} else if r := h.undecidedRelease(p.gi); r != nil {
			// The quorum counts the members of an undecided release: the
			// member binds if and only if they do.
			r.missing[p] = true
			r.all = append(r.all, p)
			p.release = r
		}
		p.quorum = minCount
		allow := h.take(p.gi, waitingFlag)
		g.deadline, g.rejections, g.backoffUntil, g.holdsExpired = time.Time{}, 0, time.Time{}, 0
		// The attempt succeeded: the next member to be admitted starts one.
		g.arrival, g.holdStart = time.Time{}, time.Time{}
		if res.Kind != want.Kind || res.Admitted != want.Admitted || res.QuorumWait != want.QuorumWait || res.Wait != 0 ||
			len(res.Activate) > 0 || !res.RoundStart.IsZero() {
			res.Allow = nil
			require.Equal(h.t, want, res, "Permit at quorum\n%v", h.hist())
		}
		if len(allow) > 0 || len(res.Allow) > 0 {
			require.Equal(h.t, fuzzUIDs(allow), uidStrings(res.Allow), "Permit released other members than the waiting round\n%v", h.hist())
		}
		p.ph = phBinding
		for _, uid := range res.Allow {
			switch q := h.byUID[uid]; q.ph {
			case phWaiting:
				q.ph = phBinding
			case phRejecting:
				// Already rejected (timeout, deletion): Allow has no effect.
			default:
				require.Failf(h.t, "released a pod that does not wait at Permit", "%s in phase %d\n%v", q.name, q.ph, h.hist())
			}
		}
	case g.cannotFit != "":
		h.note("Permit: cannot fit")
		p.noRoom = true
		if res.Kind != PermitCannotFit || res.Wait != 0 || res.Admitted || res.QuorumWait != 0 || !res.RoundStart.IsZero() || len(res.Allow) > 0 || len(res.Activate) > 0 {
			require.Equal(h.t, PermitResult{Kind: PermitCannotFit, ReservedOrBound: rob}, res, "Permit while the gang cannot fit\n%v", h.hist())
		}
		h.forget()
		// Permit returns Unschedulable: Unreserve runs in the same cycle.
		h.unreserve(p)
	case h.now.Before(g.backoffUntil):
		h.note("Permit: backing off")
		p.backedOff = true
		if res.Kind != PermitBackingOff || res.Wait != 0 || res.Admitted || res.QuorumWait != 0 || !res.RoundStart.IsZero() || len(res.Allow) > 0 || len(res.Activate) > 0 {
			require.Equal(h.t, PermitResult{Kind: PermitBackingOff, ReservedOrBound: rob}, res, "Permit during the backoff must back off, and only that\n%v", h.hist())
		}
		h.forget()
		// Permit returns Unschedulable: Unreserve runs in the same cycle.
		h.unreserve(p)
	default:
		var wantRoundStart time.Time
		if h.count(p.gi, isWaiting) == 0 || g.deadline.IsZero() {
			g.deadline = h.now.Add(fuzzTimeouts[p.gi>>2])
			g.roundStart, wantRoundStart = h.now, h.now
		}
		g.progress = h.now
		p.waiting = true
		// The round's deadline is set by its first member; a member that
		// joins at the last moment waits at least a second.
		wantWait := max(g.deadline.Sub(h.now), time.Second)
		activate := h.take(p.gi, rejectedFlag, unplacedFlag)
		h.note("Permit: wait %s", res.Wait)
		if !res.RoundStart.Equal(wantRoundStart) || res.Wait != wantWait || res.Kind != PermitWait || res.Admitted || res.QuorumWait != 0 || len(res.Allow) > 0 {
			res.Activate = nil
			require.Equal(h.t, PermitResult{Kind: PermitWait, ReservedOrBound: rob, Wait: wantWait, RoundStart: wantRoundStart}, res, "Permit: the member waits\n%v", h.hist())
		}
		h.handBack("Permit", res.Activate, activate)
		p.ph = phWaiting
		p.timeout = h.now.Add(res.Wait)
		h.forget()
	}
}

// backoffExpired is the plugin's backoff timer firing.
func (h *fuzzHarness) backoffExpired(gi int) {
	got := h.s.BackoffExpired(fuzzKeys[gi])
	var want []*fuzzPod
	if h.exists(gi) && !h.now.Before(h.groups[gi].backoffUntil) {
		want = h.take(gi, backedOffFlag, rejectedFlag, unplacedFlag)
	}
	h.note("BackoffExpired(%s) at +%s: %d", fuzzKeys[gi], h.now.Sub(fuzzStart), len(got))
	h.handBack("BackoffExpired", got, want)
	h.forget()
}

// advance moves the clock to `to`, firing the backoff timers and Permit
// timeouts that fall due, in time order.
func (h *fuzzHarness) advance(to time.Time) {
	for {
		var due time.Time
		found, timer, waiter := false, -1, (*fuzzPod)(nil)
		earlier := func(t time.Time) bool {
			if found && !t.Before(due) {
				return false
			}
			found, due = true, t
			return true
		}
		for i, tm := range h.timers {
			if earlier(tm.due) {
				timer = i
			}
		}
		for _, p := range h.pods {
			if p.ph == phWaiting && earlier(p.timeout) {
				timer, waiter = -1, p
			}
		}
		if !found || due.After(to) {
			break
		}
		if due.After(h.now) {
			h.now = due
			h.clk.SetTime(h.now)
		}
		if waiter != nil {
			h.note("%s timed out at Permit", waiter.name)
			waiter.ph, waiter.rejectedAtPermit = phRejecting, true
			continue
		}
		tm := h.timers[timer]
		h.timers = append(h.timers[:timer], h.timers[timer+1:]...)
		if tm.hold {
			h.holdExpired(tm.gi)
		} else {
			h.backoffExpired(tm.gi)
		}
	}
	if to.After(h.now) {
		h.now = to
		h.clk.SetTime(h.now)
	}
}

// ---- steps ----

func (h *fuzzHarness) step(op fuzzOp, arg byte) {
	slot, variant := int(arg%fuzzPods), arg/fuzzPods
	h.steps = append(h.steps, fuzzStep{op: op, arg: arg})
	record := func(p *fuzzPod) { h.steps[len(h.steps)-1].pod = p.name }
	switch op {
	case opCreate:
		p := h.find(slot, canCreate)
		if p == nil {
			h.steps = h.steps[:len(h.steps)-1] // nothing to do: keep the history short
			return
		}
		h.create(p, variant)
	case opHandler:
		p := h.find(slot, func(p *fuzzPod) bool { return len(p.handlerEvents) > 0 })
		if p == nil {
			h.steps = h.steps[:len(h.steps)-1] // nothing to do: keep the history short
			return
		}
		record(p)
		h.handlerSync(p)
	case opQueue:
		p := h.find(slot, func(p *fuzzPod) bool { return len(p.queueEvents) > 0 })
		if p == nil {
			h.steps = h.steps[:len(h.steps)-1] // nothing to do: keep the history short
			return
		}
		record(p)
		h.queueSync(p)
	case opAdmit:
		p := h.find(slot, func(p *fuzzPod) bool {
			return p.ph == phIdle && !p.unq
		})
		if p == nil {
			h.steps = h.steps[:len(h.steps)-1] // nothing to do: keep the history short
			return
		}
		record(p)
		h.admit(p)
	case opPop:
		p := h.find(slot, func(p *fuzzPod) bool { return p.ph == phActive })
		if p == nil {
			h.steps = h.steps[:len(h.steps)-1] // nothing to do: keep the history short
			return
		}
		record(p)
		p.ph = phCycle
	case opReserve:
		p := h.find(slot, func(p *fuzzPod) bool { return p.ph == phCycle })
		if p == nil {
			h.steps = h.steps[:len(h.steps)-1] // nothing to do: keep the history short
			return
		}
		record(p)
		h.reserve(p)
		if variant%2 == 1 {
			// A later Reserve plugin failed: Unreserve runs at once.
			h.unreserve(p)
		}
	case opUnplaced:
		p := h.find(slot, func(p *fuzzPod) bool { return p.ph == phCycle })
		if p == nil {
			h.steps = h.steps[:len(h.steps)-1] // nothing to do: keep the history short
			return
		}
		record(p)
		h.postFilter(p, variant&1 == 0, variant&2 != 0)
	case opYield:
		p := h.find(slot, func(p *fuzzPod) bool { return p.ph == phYielding })
		if p == nil {
			h.steps = h.steps[:len(h.steps)-1] // nothing to do: keep the history short
			return
		}
		record(p)
		h.yield(p, variant&1 == 0)
	case opUngate:
		p := h.find(slot, func(p *fuzzPod) bool { return p.created && !p.deleted && (p.schedGates || !p.ours() && !p.node) })
		if p == nil {
			h.steps = h.steps[:len(h.steps)-1] // nothing to do: keep the history short
			return
		}
		record(p)
		h.ungate(p)
	case opNodesChanged:
		h.nodesChanged()
	case opWorkloadEvent:
		wl := int(arg & 1)
		if len(h.wlEvents[wl]) == 0 {
			wl = 1 - wl
		}
		if len(h.wlEvents[wl]) == 0 {
			h.steps = h.steps[:len(h.steps)-1] // nothing to do: keep the history short
			return
		}
		h.workloadEvent(wl)
	case opPermit:
		p := h.find(slot, func(p *fuzzPod) bool { return p.ph == phReserved })
		if p == nil {
			h.steps = h.steps[:len(h.steps)-1] // nothing to do: keep the history short
			return
		}
		record(p)
		h.permit(p)
	case opBind:
		p := h.find(slot, func(p *fuzzPod) bool { return p.ph == phBinding || p.ph == phBarrier })
		if p == nil {
			h.steps = h.steps[:len(h.steps)-1] // nothing to do: keep the history short
			return
		}
		record(p)
		if !h.preBind(p, int(variant)) {
			return
		}
		if variant%2 == 1 || p.deleted {
			h.note("binding failed")
			// Past its PreBind barrier the member was committed; deleted
			// in the API before the scheduler saw it, it is lost mid-bind
			// (TestBindingFailure's partial case) all the same.
			if p.member && !p.lostCounted && (committed(p) || p.deleted) {
				h.groups[p.gi].lost++
				p.lostCounted = true
			}
			p.ph = phRejecting
			p.bindFailed = true
			return
		}
		h.note("bound")
		p.node = true
		p.handlerEvents = append(p.handlerEvents, fuzzEvent{node: true})
		p.ph = phBound
		// Safety: a gang never binds short of its quorum through a
		// decision of the Store. Bound members, and members certain to
		// bind, make it (with those lost to deletions and failed binds).
		if n := h.count(p.gi, committed) + h.groups[p.gi].lost + h.count(p.gi, deletedUnseen); p.member && n < p.quorum {
			h.failf("%s bound with %d committed members (%d lost), short of minCount %d", p.name, n, h.groups[p.gi].lost, p.quorum)
		}
	case opPreempt:
		p := h.find(slot, func(p *fuzzPod) bool { return p.ph == phWaiting })
		if p == nil {
			h.steps = h.steps[:len(h.steps)-1] // nothing to do: keep the history short
			return
		}
		record(p)
		h.note("preempted at Permit")
		p.ph, p.rejectedAtPermit = phRejecting, true
	case opWake:
		p := h.find(slot, func(p *fuzzPod) bool { return p.ph == phRejecting && p.rejectedAtPermit && !p.woken })
		if p == nil {
			h.steps = h.steps[:len(h.steps)-1] // nothing to do: keep the history short
			return
		}
		record(p)
		h.note("woken in WaitOnPermit")
		p.woken = true
	case opUnreserve:
		p := h.find(slot, func(p *fuzzPod) bool { return p.ph == phRejecting })
		if p == nil {
			h.steps = h.steps[:len(h.steps)-1] // nothing to do: keep the history short
			return
		}
		record(p)
		h.unreserve(p)
	case opDelete:
		p := h.find(slot, func(p *fuzzPod) bool { return p.created && !p.deleted })
		if p == nil {
			h.steps = h.steps[:len(h.steps)-1] // nothing to do: keep the history short
			return
		}
		record(p)
		h.deletePod(p, variant)
	case opWorkload:
		h.setWorkload(int(arg&1), arg>>1&1 == 1, arg>>2&1 == 1, int(arg>>3)%5, int(arg>>3)/5%5)
	case opWorkloadDelete:
		h.deleteWorkload(int(arg&1), arg>>1&1 == 1)
	case opTick:
		d := time.Duration(arg%64+1) * 100 * time.Millisecond
		h.note("+%s", d)
		h.advance(h.now.Add(d))
	}
	h.check()
}

// setWorkload creates or updates a Workload in the API: the lister has it
// at once, the plugin's handler gets its event later (opWorkloadEvent).
// A Workload created again gets a new UID.
func (h *fuzzHarness) setWorkload(wl int, pg0, pg1 bool, min0, min1 int) {
	w := &h.wls[wl]
	if !w.exists {
		h.wlGen++
		w.exists, w.uid = true, types.UID(fmt.Sprintf("uid-w%d-%d", wl, h.wlGen))
	}
	w.pgExists = [2]bool{pg0, pg1}
	w.minCount = [2]int{min0, min1}
	h.note("w%d %s pg0=%v/%d pg1=%v/%d", wl, w.uid, pg0, min0, pg1, min1)
	h.wlEvents[wl] = append(h.wlEvents[wl], w.uid)
}

// workloadEvent delivers a Workload's next add or update event to the
// plugin's handler, which calls WorkloadChanged with the event's UID.
func (h *fuzzHarness) workloadEvent(wl int) {
	uid := h.wlEvents[wl][0]
	h.wlEvents[wl] = h.wlEvents[wl][1:]
	h.wlFound[wl] = false
	h.note("WorkloadChanged(w%d, %s)", wl, uid)
	got := h.s.WorkloadChanged(gang.WorkloadKey{Namespace: "ns", Name: fmt.Sprintf("w%d", wl)}, uid)
	// Everything that waits on the Workload comes back, once: pods waiting
	// for it, gated members, and members sent back by a gang rejection; for
	// a new UID, the members held for the old one's backoff or room too.
	for gi := wl << 2; gi < (wl+1)<<2; gi++ {
		if h.exists(gi) && h.groups[gi].workloadUID != uid {
			h.resetAttempt(gi, uid)
		}
	}
	var want []*fuzzPod
	for _, p := range h.pods {
		if p.gi>>2 == wl && (p.waitingForWorkload || p.gated || p.rejected) {
			p.waitingForWorkload, p.gated, p.rejected = false, false, false
			want = append(want, p)
		}
	}
	// A pod both gated and waiting for its Workload comes back twice; the
	// plugin's activate keys pods by UID (podMap), so count each once.
	h.handBack("WorkloadChanged", uniquePods(got), want)
	h.forget()
}

// deleteWorkload deletes a Workload; the plugin's handler rejects its gangs'
// members waiting at Permit (WaitingRoundsOnWorkload, one round per gang;
// WaitingOnWorkload is the same, flattened).
func (h *fuzzHarness) deleteWorkload(wl int, flat bool) {
	if !h.wls[wl].exists {
		return
	}
	h.wls[wl] = fuzzWorkload{}
	h.note("delete w%d", wl)
	wk := gang.WorkloadKey{Namespace: "ns", Name: fmt.Sprintf("w%d", wl)}
	var rounds []RoundOutcome
	if flat {
		if uids := h.s.WaitingOnWorkload(wk); len(uids) > 0 {
			rounds = []RoundOutcome{{Reject: uids}}
		}
	} else {
		rounds = h.s.WaitingRoundsOnWorkload(wk)
	}
	var want []RoundOutcome
	for gi := wl << 2; gi < (wl+1)<<2; gi++ {
		taken := h.take(gi, waitingFlag)
		if len(taken) == 0 {
			continue
		}
		h.groups[gi].deadline, h.groups[gi].holdStart = time.Time{}, time.Time{}
		r := RoundOutcome{Kind: RoundRejected, Group: fuzzKeys[gi], Cause: CauseWorkloadDeleted}
		for _, p := range taken {
			p.rejected = true
			if p.member && p.state == reserved {
				p.state = pending
			}
			r.Reject = append(r.Reject, p.uid)
		}
		want = append(want, r)
	}
	if flat && len(want) > 0 {
		var all []types.UID
		for _, r := range want {
			all = append(all, r.Reject...)
		}
		want = []RoundOutcome{{Reject: all}}
	}
	// Compare as sets: rounds and members come in map order.
	norm := func(rs []RoundOutcome) []string {
		var out []string
		for _, r := range rs {
			require.Zero(h.t, r.BackoffUntil, "a Workload's deletion starts no backoff\n%v", h.hist())
			out = append(out, fmt.Sprintf("%s:%v", r.Group, uidStrings(r.Reject)))
		}
		sort.Strings(out)
		return out
	}
	require.Equal(h.t, norm(want), norm(rounds), "WaitingRoundsOnWorkload returned other rounds than those waiting\n%v", h.hist())
	for _, r := range rounds {
		h.rejectWaiting("WaitingRoundsOnWorkload", r.Reject)
	}
	h.forget()
}

// ---- checks ----

// failf fails the test with the history. The checks that run after every
// step test their condition first and only then call failf or require:
// require's t.Helper walks the stack, and arguments passed to a variadic
// function are boxed even when nothing fails, which would otherwise dominate
// an execution.
func (h *fuzzHarness) failf(format string, args ...any) {
	require.Failf(h.t, "FuzzStore check failed", format+"\n%v", append(args, h.hist())...)
}

// check compares the Store with the model after a step.
func (h *fuzzHarness) check() {
	t := h.t
	wantGroups, wantWaitingForWorkload := 0, 0
	for gi, key := range fuzzKeys {
		got, ok := h.s.Group(key)
		if got.ReservedOrBound < 0 || got.ReservedOrBound > got.Members || got.Gated < 0 || got.Waiting < 0 ||
			got.Rejected < 0 || got.BackedOff < 0 || got.Rejections < 0 || got.MinCount < 0 {
			h.failf("%s: a negative count, or more reserved or bound than members: %+v", key, got)
		}
		if !h.exists(gi) {
			if ok {
				h.failf("%s is tracked with nothing to track: %+v", key, got)
			}
			continue
		}
		wantGroups++
		g := h.groups[gi]
		want := GroupStatus{MinCount: g.minCount, Rejections: g.rejections, BackoffUntil: g.backoffUntil, CannotFit: g.cannotFit}
		for _, p := range h.pods {
			if p.gi != gi {
				continue
			}
			want.Members += b2i(p.member)
			want.ReservedOrBound += b2i(isReservedOrBound(p))
			want.Gated += b2i(p.gated)
			want.Waiting += b2i(p.waiting)
			want.Rejected += b2i(p.rejected)
			want.BackedOff += b2i(p.backedOff)
			want.SchedulingGated += b2i(p.excluded == schedulingGated)
			want.OtherScheduler += b2i(p.excluded == otherScheduler)
		}
		if !ok {
			h.failf("%s is not tracked; the model has %+v", key, want)
		}
		if got != want {
			require.Equal(t, want, got, "%s status\n%v", key, h.hist())
		}
		round, waiting := h.s.Round(key)
		if waiting != (want.Waiting > 0) {
			h.failf("%s: Round exists iff members wait; Round %v, waiting %d", key, waiting, want.Waiting)
		}
		if wantRound := (Round{Start: g.roundStart, Progress: g.progress, Waiting: want.Waiting, ReservedOrBound: want.ReservedOrBound, MinCount: g.minCount}); waiting && round != wantRound {
			require.Equal(t, wantRound, round, "%s: Round\n%v", key, h.hist())
		}
		arrival, arrived := h.s.Arrival(key)
		if arrived != !g.arrival.IsZero() || !arrival.Equal(g.arrival) {
			h.failf("%s: Arrival = %v, %v; the model has %v", key, arrival.Sub(fuzzStart), arrived, g.arrival.Sub(fuzzStart))
		}
		prio, known, rankArrival, _ := h.s.Rank(key)
		wantKnown := h.count(gi, isMember) > 0
		if known != wantKnown || prio != h.priority(gi) || !rankArrival.Equal(arrival) {
			h.failf("%s: Rank = priority %d (%v), arrival %v; the model has %d (%v), %v", key, prio, known, rankArrival.Sub(fuzzStart), h.priority(gi), wantKnown, g.arrival.Sub(fuzzStart))
		}
	}
	for _, p := range h.pods {
		wantWaitingForWorkload += b2i(p.waitingForWorkload)
	}
	groups, waiting := h.s.Len()
	if groups != wantGroups || waiting != wantWaitingForWorkload {
		h.failf("Len = %d groups, %d waiting for a Workload; the model has %d, %d",
			groups, waiting, wantGroups, wantWaitingForWorkload)
	}
	h.checkStats(wantGroups)

	for _, p := range h.pods {
		if !p.created {
			continue
		}
		got := h.s.Reserved(p.sched)
		if got && p.gone {
			h.failf("%s is reserved after DeletePod", p.name)
		}
		if got != (p.member && p.state == reserved) {
			h.failf("Reserved(%s) = %v; the model has member %v in state %d", p.name, got, p.member, p.state)
		}
		h.checkHeld(p)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkStats compares Stats with the model: the held pods by verdict.
func (h *fuzzHarness) checkStats(wantGroups int) {
	var want [WaitingForRoom + 1]int
	for _, p := range h.pods {
		switch {
		case p.waitingForWorkload && h.wlFound[p.gi>>2]:
			want[WaitingForPodGroup]++
		case p.waitingForWorkload:
			want[WaitingForWorkload]++
		}
		want[WaitingForMembers] += b2i(p.gated)
		want[WaitingForBackoff] += b2i(p.backedOff)
		want[WaitingForRoom] += b2i(p.noRoom)
	}
	st := h.s.Stats()
	var got [WaitingForRoom + 1]int
	ok := st.Groups == wantGroups
	for v, n := range st.Held {
		if v > Admitted && v <= WaitingForRoom {
			got[v] = n
		} else {
			ok = ok && n == 0
		}
	}
	if !ok || got != want {
		require.Equal(h.t, fmt.Sprint(wantGroups, want), fmt.Sprint(st.Groups, got), "Stats: groups, held by verdict\n%v (Held %v)", h.hist(), st.Held)
	}
}

// checkHeld checks liveness for a pod that PreEnqueue holds: the event that
// unblocks it must have handed it back. Pods that are gone need no wakeup.
func (h *fuzzHarness) checkHeld(p *fuzzPod) {
	if p.held == Admitted || p.ph != phIdle || p.unq || p.deleted || p.gone {
		return
	}
	if len(h.wlEvents[p.gi>>2]) > 0 {
		// The Workload's pending event (WorkloadChanged) hands it back.
		return
	}
	pol := h.policy(p)
	switch p.held {
	case WaitingForWorkload, WaitingForPodGroup:
		if pol.WorkloadFound && pol.PodGroupFound {
			h.failf("lost wakeup: %s waits for its Workload, which exists", p.name)
		}
	case WaitingForMembers:
		// Only AddPod raises the live member count, and it hands back the
		// gated members once the count reaches minCount.
		live := h.count(p.gi, func(q *fuzzPod) bool { return q.member && q.seen && !q.gone })
		if pol.MinCount > 0 && live >= pol.MinCount {
			h.failf("lost wakeup: %s waits for members; %d of %d exist", p.name, live, pol.MinCount)
		}
	case WaitingForBackoff:
		pending := false
		for _, tm := range h.timers {
			pending = pending || (tm.gi == p.gi && !tm.hold)
		}
		if !pending {
			h.failf("lost wakeup: %s waits for a backoff with no timer to end it", p.name)
		}
	case WaitingForRoom:
		// NodesChanged hands back the members held for room.
		if !p.noRoom && !(p.rejected && h.groups[p.gi].cannotFit != "") {
			h.failf("lost wakeup: %s waits for room; NodesChanged would not hand it back", p.name)
		}
	}
}

// finish deletes every pod, delivers every event, ends every scheduling
// attempt and fires every timer. Then the Store must track nothing: DeletePod
// forgets a pod everywhere, and a group with nothing left is forgotten
// (syncGroup); Unreserve after DeletePod only drops the pod's Permit wait.
func (h *fuzzHarness) finish() {
	h.steps = append(h.steps, fuzzStep{op: opDelete, pod: "all", comment: "end of sequence: delete everything; "})
	for _, p := range h.pods {
		if p.created && !p.deleted {
			h.deletePod(p, 0)
		}
	}
	for round := 0; ; round++ {
		require.Less(h.t, round, 100, "the end of the sequence does not settle\n%v", h.hist())
		progress := false
		for wl := range h.wlEvents {
			for len(h.wlEvents[wl]) > 0 {
				h.workloadEvent(wl)
				progress = true
			}
		}
		for _, p := range h.pods {
			for len(p.handlerEvents) > 0 {
				h.handlerSync(p)
				progress = true
			}
			for len(p.queueEvents) > 0 {
				h.queueSync(p)
				progress = true
			}
		}
		for _, p := range h.pods {
			switch p.ph {
			case phCycle:
				// The cycle fails before Reserve: the pod is gone.
				p.leaveCycle()
				progress = true
			case phYielding:
				h.yield(p, false)
				progress = true
			case phReserved, phBinding, phBarrier, phRejecting:
				// Permit or the binding fails for a deleted pod.
				h.unreserve(p)
				progress = true
			case phWaiting:
				h.advance(p.timeout)
				progress = true
			}
		}
		h.check()
		if !progress {
			break
		}
	}
	// Fire every timer; a hold check may schedule another.
	for round := 0; len(h.timers) > 0; round++ {
		require.Less(h.t, round, 100, "timers keep coming\n%v", h.hist())
		last := h.now
		for _, tm := range h.timers {
			if tm.due.After(last) {
				last = tm.due
			}
		}
		h.advance(last)
	}
	h.check()
	groups, waiting := h.s.Len()
	require.Zero(h.t, groups, "groups left once every pod is gone\n%v", h.hist())
	require.Zero(h.t, waiting, "pods waiting for a Workload left once every pod is gone\n%v", h.hist())
}

// ---- seeds ----

// fuzzSeed encodes a sequence: the group of each slot, then (op, arg) pairs.
func fuzzSeed(groups [fuzzPods]int, steps ...[2]byte) []byte {
	var bits uint32
	for slot, gi := range groups {
		bits |= uint32(gi&7) << (3 * slot)
	}
	// The 4th byte, 0, sets a 3s hold.
	out := []byte{byte(bits), byte(bits >> 8), byte(bits >> 16), 0}
	for _, s := range steps {
		out = append(out, s[0], s[1])
	}
	return out
}

// seedStep is one (op, arg) pair of a seed.
func seedStep(op fuzzOp, arg byte) [2]byte { return [2]byte{byte(op), arg} }

// seedWorkload is the arg of an opWorkload step: both podGroups exist, pg0
// a gang of min0, pg1 a basic group.
func seedWorkload(wl int, min0 int) byte {
	return byte(wl) | 1<<1 | 1<<2 | byte(min0)<<3
}

func fuzzSeeds() [][]byte {
	join := func(parts ...[][2]byte) [][2]byte {
		var out [][2]byte
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	each := func(op fuzzOp, slots ...byte) [][2]byte {
		var out [][2]byte
		for _, slot := range slots {
			out = append(out, seedStep(op, slot))
		}
		return out
	}
	oneGang := [fuzzPods]int{}
	twoGangs := [fuzzPods]int{0, 0, 0, 0, 4, 4, 4, 4}
	withBasic := [fuzzPods]int{0, 0, 2, 2, 0, 0, 0, 0}
	threeGangs := [fuzzPods]int{0, 0, 4, 4, 5, 5, 0, 0}
	// retry is a lone member's round timing out and the gang backing off.
	retry := [][2]byte{seedStep(opAdmit, 0), seedStep(opPop, 0), seedStep(opReserve, 0), seedStep(opPermit, 0), seedStep(opTick, 63),
		seedStep(opTick, 63), seedStep(opUnreserve, 0), seedStep(opTick, 63)}
	return [][]byte{
		// A gang of 3 forms, binds and goes.
		fuzzSeed(oneGang, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 3))}, each(opCreate, 0, 1, 2), each(opHandler, 0, 1, 2),
			seedAttempt(0), seedAttempt(1), seedAttempt(2), each(opBind, 0, 1, 2), each(opHandler, 0, 1, 2),
		)...),
		// Pods come before their Workload, and the queue judges them before
		// our handler sees them; the Workload and the last member hand the
		// held pods back.
		fuzzSeed(oneGang, join(
			each(opCreate, 0, 1), each(opQueue, 0, 1), [][2]byte{seedStep(opWorkload, seedWorkload(0, 2))},
			each(opAdmit, 0, 1), each(opHandler, 0, 1), each(opAdmit, 0, 1),
			[][2]byte{seedStep(opPop, 0), seedStep(opReserve, 0), seedStep(opPermit, 0), seedStep(opPop, 1), seedStep(opReserve, 1), seedStep(opPermit, 1)},
		)...),
		// A lone member times out at Permit; the gang backs off and Admit
		// holds both members until the backoff timer hands them back; then
		// the gang forms.
		fuzzSeed(oneGang, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 2))}, each(opCreate, 0, 1), each(opHandler, 0, 1), seedAttempt(0),
			[][2]byte{seedStep(opTick, 63), seedStep(opTick, 37), seedStep(opUnreserve, 0), seedStep(opQueue, 1), seedStep(opAdmit, 0), seedStep(opTick, 10)},
			each(opAdmit, 0, 1), [][2]byte{seedStep(opPop, 0), seedStep(opReserve, 0), seedStep(opPermit, 0), seedStep(opPop, 1), seedStep(opReserve, 1), seedStep(opPermit, 1)},
			each(opBind, 0, 1),
		)...),
		// A member is deleted while it waits at Permit; a replacement
		// completes the gang.
		fuzzSeed(oneGang, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 2))}, each(opCreate, 0, 1), each(opHandler, 0, 1), seedAttempt(0),
			[][2]byte{seedStep(opDelete, 0), seedStep(opHandler, 0), seedStep(opQueue, 0), seedStep(opUnreserve, 0), seedStep(opCreate, 0), seedStep(opHandler, 0)},
			seedAttempt(0), seedAttempt(1), each(opBind, 0, 1),
		)...),
		// Two gangs wait at Permit; a member of the older one finds no node
		// and the younger round yields. The older gang's Workload is
		// deleted (its waiting member is rejected) and created again.
		fuzzSeed(twoGangs, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 2)), seedStep(opTick, 5), seedStep(opWorkload, seedWorkload(1, 2))},
			each(opCreate, 0, 1, 4, 5), each(opHandler, 0, 1, 4, 5), seedAttempt(4), seedAttempt(0),
			[][2]byte{seedStep(opQueue, 1), seedStep(opPop, 1), seedStep(opUnplaced, 1), seedStep(opYield, 1), seedStep(opUnreserve, 4),
				seedStep(opWorkloadDelete, 0), seedStep(opUnreserve, 0), seedStep(opWorkload, seedWorkload(0, 2))},
		)...),
		// A member finds no node with no round waiting; a bound pod of a
		// basic group is deleted, and the room goes to the unplaced member.
		fuzzSeed(withBasic, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 2))}, each(opCreate, 0, 1, 2), each(opHandler, 0, 1, 2),
			[][2]byte{seedStep(opQueue, 0), seedStep(opPop, 0), seedStep(opUnplaced, 0)},
			seedAttempt(2), [][2]byte{seedStep(opBind, 2), seedStep(opHandler, 2), seedStep(opDelete, 2), seedStep(opHandler, 2)},
		)...),
		// A gang of 3: one member waits, one is in its cycle, the third
		// finds no node and the round is rejected; the member in its cycle
		// reaches Permit during the backoff and backs off.
		fuzzSeed(oneGang, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 3))}, each(opCreate, 0, 1, 2), each(opHandler, 0, 1, 2),
			seedAttempt(0), each(opQueue, 1, 2), each(opPop, 1, 2),
			[][2]byte{seedStep(opUnplaced, 2), seedStep(opReserve, 1), seedStep(opPermit, 1), seedStep(opUnreserve, 0), seedStep(opTick, 10)},
		)...),
		// The gang of seed 6 is rejected once, backs off, and tries again:
		// now starving, its round is held when a member finds no node, until
		// no member has joined it for the hold (3s).
		fuzzSeed(oneGang, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 3))}, each(opCreate, 0, 1, 2), each(opHandler, 0, 1, 2),
			seedAttempt(0), each(opQueue, 1, 2), [][2]byte{seedStep(opPop, 2), seedStep(opUnplaced, 2), seedStep(opUnreserve, 0), seedStep(opTick, 10)},
			each(opAdmit, 0, 1, 2), [][2]byte{seedStep(opPop, 0), seedStep(opReserve, 0), seedStep(opPermit, 0), seedStep(opPop, 2), seedStep(opUnplaced, 2)},
			[][2]byte{seedStep(opTick, 29), seedStep(opUnreserve, 0)},
		)...),
		// A lone member's round times out again and again: the backoff
		// grows to its cap.
		fuzzSeed(oneGang, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 2))}, each(opCreate, 0, 1), each(opHandler, 0, 1), each(opQueue, 0),
			retry, retry, retry, retry,
		)...),
		// Three gangs wait at Permit; a member of the oldest finds no node:
		// the youngest of the two younger rounds yields.
		fuzzSeed(threeGangs, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 2)), seedStep(opTick, 5), seedStep(opWorkload, 1|1<<1|1<<2|(2+5*2)<<3)},
			each(opCreate, 0, 1, 2, 3, 4, 5), each(opHandler, 0, 1, 2, 3, 4, 5), seedAttempt(2), seedAttempt(4), seedAttempt(0),
			[][2]byte{seedStep(opQueue, 1), seedStep(opPop, 1), seedStep(opUnplaced, 1), seedStep(opYield, 1)},
		)...),
		// A member's Permit wait times out; before its Unreserve runs,
		// another member reaches Permit: the framework still lists the
		// first as waiting, so the round is released counting it, and its
		// PreBind barrier binds neither (release.go).
		fuzzSeed(oneGang, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 2))}, each(opCreate, 0, 1), each(opHandler, 0, 1), each(opQueue, 0, 1),
			[][2]byte{seedStep(opPop, 0), seedStep(opReserve, 0), seedStep(opPermit, 0), seedStep(opTick, 63), seedStep(opTick, 63),
				seedStep(opPop, 1), seedStep(opReserve, 1), seedStep(opPermit, 1), seedStep(opUnreserve, 0), seedStep(opBind, 1)},
		)...),
		// A member waiting at Permit is deleted: the scheduling queue's
		// handler rejects it first (as preemption would), before our
		// handler or its Unreserve tells the Store; the other member's
		// Permit releases the round counting it. The released round's
		// PreBind barrier waits, then breaks at the Unreserve: nothing
		// binds.
		fuzzSeed(oneGang, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 2))}, each(opCreate, 0, 1), each(opHandler, 0, 1), each(opQueue, 0, 1),
			[][2]byte{seedStep(opPop, 0), seedStep(opReserve, 0), seedStep(opPermit, 0), seedStep(opDelete, 0), seedStep(opQueue, 0),
				seedStep(opPop, 1), seedStep(opReserve, 1), seedStep(opPermit, 1), seedStep(opBind, 1), seedStep(opUnreserve, 0),
				seedStep(opBind, 1)},
		)...),
		// The split race: a member waiting at Permit is preempted (the
		// framework rejects it and still lists it as waiting); a sibling
		// releases the round counting it and waits at its PreBind barrier;
		// a third member reaches Permit before the preempted one wakes. It
		// must not bind on the count of the undecided round. Then the same
		// once the preempted member woke and its Unreserve broke the round:
		// the sibling still waits to fail, and must not count either.
		fuzzSeed(oneGang, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 2))}, each(opCreate, 0, 1, 2), each(opHandler, 0, 1, 2), each(opQueue, 0, 1, 2),
			[][2]byte{seedStep(opPop, 0), seedStep(opReserve, 0), seedStep(opPermit, 0), seedStep(opPreempt, 0),
				seedStep(opPop, 1), seedStep(opReserve, 1), seedStep(opPermit, 1), seedStep(opBind, 1),
				seedStep(opPop, 2), seedStep(opReserve, 2), seedStep(opPermit, 2), seedStep(opBind, 2),
				seedStep(opWake, 0), seedStep(opUnreserve, 0), seedStep(opBind, 1), seedStep(opBind, 2), seedStep(opUnreserve, 1), seedStep(opUnreserve, 2)},
		)...),
		fuzzSeed(oneGang, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 2))}, each(opCreate, 0, 1, 2), each(opHandler, 0, 1, 2), each(opQueue, 0, 1, 2),
			[][2]byte{seedStep(opPop, 0), seedStep(opReserve, 0), seedStep(opPermit, 0), seedStep(opPreempt, 0),
				seedStep(opPop, 1), seedStep(opReserve, 1), seedStep(opPermit, 1), seedStep(opBind, 1),
				seedStep(opWake, 0), seedStep(opUnreserve, 0),
				seedStep(opPop, 2), seedStep(opReserve, 2), seedStep(opPermit, 2), seedStep(opBind, 2), seedStep(opBind, 1), seedStep(opUnreserve, 1)},
		)...),
		// A member rejected at Permit wakes (the framework forgets it as
		// waiting) before its Unreserve: the sibling that reaches Permit
		// then drops it from the round and waits.
		fuzzSeed(oneGang, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 2))}, each(opCreate, 0, 1), each(opHandler, 0, 1), each(opQueue, 0, 1),
			[][2]byte{seedStep(opPop, 0), seedStep(opReserve, 0), seedStep(opPermit, 0), seedStep(opPreempt, 0), seedStep(opWake, 0),
				seedStep(opPop, 1), seedStep(opReserve, 1), seedStep(opPermit, 1), seedStep(opUnreserve, 0)},
		)...),
		// A younger gang, rejected once, is starving; yet its round is not
		// held while an older gang's round waits: it is rejected.
		fuzzSeed(twoGangs, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 2)), seedStep(opTick, 5), seedStep(opWorkload, seedWorkload(1, 2))},
			each(opCreate, 0, 1, 4, 5), each(opHandler, 0, 1, 4, 5), each(opQueue, 0, 4, 5),
			[][2]byte{seedStep(opPop, 4), seedStep(opReserve, 4), seedStep(opPermit, 4), seedStep(opPop, 5), seedStep(opUnplaced, 5),
				seedStep(opUnreserve, 4), seedStep(opTick, 10), seedStep(opPop, 0), seedStep(opReserve, 0), seedStep(opPermit, 0)},
			each(opAdmit, 4, 5), [][2]byte{seedStep(opPop, 4), seedStep(opReserve, 4), seedStep(opPermit, 4), seedStep(opPop, 5), seedStep(opUnplaced, 5)},
		)...),
		// A starving gang's round holds; a member's failed Reserve ends it
		// (its Unreserve); after the backoff the gang's next round holds
		// again, on a budget halved (1.5s) from when that round holds.
		fuzzSeed(oneGang, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 3))}, each(opCreate, 0, 1, 2), each(opHandler, 0, 1, 2),
			seedAttempt(0), each(opQueue, 1, 2), [][2]byte{seedStep(opPop, 2), seedStep(opUnplaced, 2), seedStep(opUnreserve, 0), seedStep(opTick, 10)},
			each(opAdmit, 0, 1, 2), [][2]byte{seedStep(opPop, 0), seedStep(opReserve, 0), seedStep(opPermit, 0), seedStep(opPop, 2), seedStep(opUnplaced, 2)},
			[][2]byte{seedStep(opPop, 1), seedStep(opReserve, 1+8), seedStep(opUnreserve, 0), seedStep(opTick, 30)},
			each(opAdmit, 0, 1, 2), [][2]byte{seedStep(opPop, 0), seedStep(opReserve, 0), seedStep(opPermit, 0), seedStep(opPop, 2), seedStep(opUnplaced, 2)},
		)...),
		// A starving gang's held round loses its lone waiting member to a
		// deletion; a replacement joins and the gang's next round holds on
		// a budget from its own hold.
		fuzzSeed(oneGang, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 3))}, each(opCreate, 0, 1, 2), each(opHandler, 0, 1, 2),
			seedAttempt(0), each(opQueue, 1, 2), [][2]byte{seedStep(opPop, 2), seedStep(opUnplaced, 2), seedStep(opUnreserve, 0), seedStep(opTick, 10)},
			each(opAdmit, 0, 1, 2), [][2]byte{seedStep(opPop, 0), seedStep(opReserve, 0), seedStep(opPermit, 0), seedStep(opPop, 2), seedStep(opUnplaced, 2)},
			[][2]byte{seedStep(opTick, 9), seedStep(opDelete, 0), seedStep(opHandler, 0), seedStep(opQueue, 0), seedStep(opUnreserve, 0), seedStep(opCreate, 0), seedStep(opHandler, 0)},
			[][2]byte{seedStep(opAdmit, 2), seedStep(opPop, 1), seedStep(opReserve, 1), seedStep(opPermit, 1), seedStep(opPop, 2), seedStep(opUnplaced, 2), seedStep(opTick, 29)},
		)...),
		// Gated members and a pod of another scheduler do not count: the
		// gang of 3 waits for members until one is ungated; the other
		// scheduler's pod counts once that scheduler binds it.
		fuzzSeed(oneGang, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 3)), seedStep(opWorkloadEvent, 0)},
			[][2]byte{seedStep(opCreate, 0), seedStep(opCreate, 1+8*4), seedStep(opCreate, 2+8*16), seedStep(opCreate, 3+8*8)},
			each(opHandler, 0, 1, 2, 3), each(opQueue, 0, 3),
			[][2]byte{seedStep(opUngate, 1), seedStep(opHandler, 1), seedStep(opQueue, 1)}, each(opAdmit, 0, 3),
			[][2]byte{seedStep(opUngate, 2), seedStep(opHandler, 2)},
			seedAttempt(0), []([2]byte){seedStep(opPop, 1), seedStep(opReserve, 1), seedStep(opPermit, 1)},
		)...),
		// The gang cannot fit: its round is rejected without backoff, Admit
		// and Permit hold its members until the nodes change.
		fuzzSeed(oneGang, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 2)), seedStep(opWorkloadEvent, 0)}, each(opCreate, 0, 1), each(opHandler, 0, 1),
			seedAttempt(0), []([2]byte){seedStep(opQueue, 1), seedStep(opPop, 1), seedStep(opUnplaced, 1+8*2), seedStep(opUnreserve, 0)},
			each(opAdmit, 0, 1), []([2]byte){seedStep(opNodesChanged, 0)}, each(opAdmit, 0, 1), seedAttempt(0)[1:], []([2]byte){seedStep(opPop, 1), seedStep(opReserve, 1), seedStep(opPermit, 1)},
		)...),
		// The Workload is recreated while its gang backs off: the queue sees
		// the new UID before the plugin's handler does; the gang starts
		// afresh, and the event hands back the members held for the old one.
		fuzzSeed(oneGang, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 2)), seedStep(opWorkloadEvent, 0)}, each(opCreate, 0, 1, 2), each(opHandler, 0, 1, 2),
			seedAttempt(0), []([2]byte){seedStep(opUnreserve, 0+8)}, each(opQueue, 1, 2),
			[][2]byte{seedStep(opPop, 1), seedStep(opUnplaced, 1), seedStep(opUnreserve, 0), seedStep(opAdmit, 0), seedStep(opWorkloadDelete, 0), seedStep(opWorkload, seedWorkload(0, 2))},
			each(opAdmit, 1), []([2]byte){seedStep(opWorkloadEvent, 0)}, each(opAdmit, 0, 1), seedAttempt(0)[1:], []([2]byte){seedStep(opPop, 1), seedStep(opReserve, 1), seedStep(opPermit, 1)},
		)...),
		// Two gangs wait; the older gang's member finds no node and names
		// the younger round; another member completes the older gang while
		// the plugin simulates: it must not yield the younger round.
		fuzzSeed(twoGangs, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 2)), seedStep(opTick, 5), seedStep(opWorkload, seedWorkload(1, 2)), seedStep(opWorkloadEvent, 0), seedStep(opWorkloadEvent, 1)},
			each(opCreate, 0, 1, 2, 4, 5), each(opHandler, 0, 1, 2, 4, 5), seedAttempt(0), seedAttempt(4),
			[][2]byte{seedStep(opQueue, 1), seedStep(opPop, 1), seedStep(opUnplaced, 1)}, seedAttempt(2), []([2]byte){seedStep(opYield, 1)},
		)...),
		// Two members of the older gang find no node and name the rounds
		// of two younger gangs (the second started in between): only one
		// round yields within yieldInterval.
		fuzzSeed([fuzzPods]int{0, 0, 0, 4, 4, 5, 5, 0}, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 3)), seedStep(opTick, 5), seedStep(opWorkload, 1|1<<1|1<<2|(2+5*2)<<3), seedStep(opWorkloadEvent, 0), seedStep(opWorkloadEvent, 1)},
			each(opCreate, 0, 1, 2, 3, 4, 5, 6), each(opHandler, 0, 1, 2, 3, 4, 5, 6), seedAttempt(0), seedAttempt(3),
			[][2]byte{seedStep(opQueue, 1), seedStep(opPop, 1), seedStep(opUnplaced, 1), seedStep(opTick, 0)}, seedAttempt(5),
			[][2]byte{seedStep(opQueue, 2), seedStep(opPop, 2), seedStep(opUnplaced, 2), seedStep(opYield, 1), seedStep(opYield, 2)},
		)...),
		// Two gangs wait; the older gang's member finds no node and names
		// the younger round, which forms while the plugin simulates: Yield
		// changes nothing and the member is Unplaced. An extra member of
		// the complete gang then finds no node: nothing changes.
		fuzzSeed(twoGangs, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 2)), seedStep(opTick, 5), seedStep(opWorkload, seedWorkload(1, 2)), seedStep(opWorkloadEvent, 0), seedStep(opWorkloadEvent, 1)},
			each(opCreate, 0, 1, 4, 5, 6), each(opHandler, 0, 1, 4, 5, 6), seedAttempt(0), seedAttempt(4),
			[][2]byte{seedStep(opQueue, 1), seedStep(opPop, 1), seedStep(opUnplaced, 1)}, seedAttempt(5), []([2]byte){seedStep(opYield, 1)},
			[][2]byte{seedStep(opQueue, 6), seedStep(opPop, 6), seedStep(opUnplaced, 6)},
		)...),
		// A younger gang's round ends when its lone member times out; then a
		// member of the older gang finds no node: there is no younger round
		// left to yield, and the older gang has none to reject.
		fuzzSeed(twoGangs, join(
			[][2]byte{seedStep(opWorkload, seedWorkload(0, 2)), seedStep(opTick, 5), seedStep(opWorkload, seedWorkload(1, 2))},
			each(opCreate, 0, 1, 4, 5), each(opHandler, 0, 1, 4, 5), seedAttempt(4),
			[][2]byte{seedStep(opTick, 25), seedStep(opUnreserve, 4), seedStep(opQueue, 0), seedStep(opPop, 0), seedStep(opUnplaced, 0)},
		)...),
	}
}

// seedAttempt queues a pod and runs it through a scheduling cycle up to
// Permit.
func seedAttempt(slot byte) [][2]byte {
	return [][2]byte{seedStep(opQueue, slot), seedStep(opPop, slot), seedStep(opReserve, slot), seedStep(opPermit, slot)}
}
