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
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	corelisters "k8s.io/client-go/listers/core/v1"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	apipod "k8s.io/kubernetes/pkg/api/v1/pod"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/util"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/workloadgang/groupstate"
	"github.com/gangsched/gangsched/pkg/workloadgang/placement"
)

// A gang preempts as a whole (issue 11). When a member of a gang short of
// its quorum finds no node, WorkloadGang, not DefaultPreemption, decides
// whether pods of lower priority make way: for every member the gang still
// needs at once, or for none. Evicting victims for one member while the
// gang as a whole cannot fit would disrupt running pods for nothing.
//
// Victims are running pods of lower priority than the gang (its lowest
// member's) that belong to no gang: a member of a bound gang is never a
// victim, since evicting it would split a running gang. The first question
// is whether the gang fits with every victim gone; if not, nothing is
// evicted. Otherwise members go first where they fit without a victim, then
// on the nodes that cost the fewest victims per member placed, and on each
// such node the victims are cut down as upstream's DefaultPreemption does:
// all are removed, then each, most important first, is kept if the members
// planned on the node still fit beside it.

// preemptionTimeout bounds the API calls of one eviction; they run off the
// scheduling goroutine, after the cycle's context is gone.
const preemptionTimeout = 30 * time.Second

// preemptKind is the kind of a preemptOutcome.
type preemptKind int

const (
	// notPreempting: preemption does not apply (the gang asks a topology,
	// its members have constraints across nodes, or room is free without a
	// victim); the member goes on as one that found no node.
	notPreempting preemptKind = iota
	// preempted: victims are being evicted; the member is nominated to
	// node.
	preempted
	// cannotFitByPreempting: the gang does not fit even with every victim
	// gone; nothing is evicted.
	cannotFitByPreempting
	// preemptionNotAllowed: the member's preemptionPolicy is Never.
	preemptionNotAllowed
	// waitingForVictims: the gang's last preemption still has victims
	// running; the member is nominated to node, if one is planned for it.
	waitingForVictims
)

// The values of the result label of gangsched_preemption_attempts_total, by
// kind; notPreempting counts nothing.
var preemptResults = map[preemptKind]string{
	preempted:             "preempted",
	cannotFitByPreempting: "cannot_fit",
	preemptionNotAllowed:  "not_allowed",
	waitingForVictims:     "waiting_for_victims",
}

// preemptOutcome is what preempt decided for a member that found no node.
type preemptOutcome struct {
	kind preemptKind
	// node is the node the member is nominated to; "" for none.
	node string
	// msg is the member's status message (not for preempted).
	msg string
}

// preempt decides whether a member of a gang short of its quorum, which
// found no node, preempts for its gang, and starts the evictions if it
// does. need is what the gang still needs; nodes the snapshot's.
func (pl *WorkloadGang) preempt(ctx context.Context, state fwk.CycleState, pod *v1.Pod, key gang.GroupKey, w declaration, need groupstate.Need, nodes []fwk.NodeInfo) preemptOutcome {
	logger := klog.FromContext(ctx)
	if n, ok := pl.preemptions.pending(key, pl.podLister); ok {
		node := pl.preemptions.nominate(key, pod)
		pl.preemptions.wait(key, pod)
		return preemptOutcome{kind: waitingForVictims, node: node, msg: gang.WaitingForVictimsMessage(key, n)}
	}
	if asksTopology(w.GetAnnotations()) {
		// A topology confines the gang to a domain chosen per round; the
		// victims would have to be chosen within it. Not in this version.
		return preemptOutcome{}
	}
	if pg, ok := w.(*podgroupv1alpha1.PodGroup); ok && len(pg.Spec.MinResources) > 0 {
		// minResources are judged at PreFilter on free room; victims
		// are not chosen for them in this version.
		return preemptOutcome{}
	}
	if pod.Spec.PreemptionPolicy != nil && *pod.Spec.PreemptionPolicy == v1.PreemptNever {
		return preemptOutcome{kind: preemptionNotAllowed, msg: gang.PreemptionNeverMessage(key)}
	}
	priority := corev1helpers.PodPriority(pod)
	if lowest, _, ok := pl.store.Priorities(key); ok {
		priority = lowest
	}
	// The members reserved in a waiting round keep their room: only the
	// members still missing are placed.
	members := need.Members
	if r, ok := pl.store.Round(key); ok {
		members = r.MinCount - r.ReservedOrBound
	}
	eligible := pl.victimFilter(key, priority)
	running := func(p *v1.Pod) bool { return eligible(p) && !pl.leaving(p) }
	if !slices.ContainsFunc(nodes, func(ni fwk.NodeInfo) bool { return hasEligible(ni, running) }) {
		// No pod of lower priority runs: the gang waits for room as any
		// gang of its priority does.
		return preemptOutcome{}
	}
	c, err := chooseVictims(ctx, pl.handle, nodes, victimQuestion{
		member:   pod,
		state:    state,
		need:     members,
		eligible: eligible,
		leaving:  pl.leaving,
	})
	if err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "Choosing preemption victims for a gang failed", "pod", klog.KObj(pod), "group", key)
		return preemptOutcome{}
	}
	switch c.kind {
	case placement.Unknown:
		return preemptOutcome{}
	case placement.DoesNotFit:
		logger.V(4).Info("Gang cannot fit even by preempting every lower-priority pod", "pod", klog.KObj(pod), "group", key, "need", members, "canHold", c.placed)
		return preemptOutcome{kind: cannotFitByPreempting, msg: gang.CannotFitByPreemptingMessage(key, members, c.request.String(), c.placed)}
	}
	if len(c.victims) == 0 {
		// The room is free, or being freed by terminating pods (the
		// victims of the gang's last preemption, still in the snapshot
		// after the informer saw them go), or held by nominated pods:
		// nothing to evict.
		return preemptOutcome{}
	}
	node := mostPlanned(c.nodes)
	pl.preemptions.start(key, c.victims, c.nodes, pl.clock.Now())
	pl.preemptions.assign(key, pod, node)
	pl.preemptions.wait(key, pod)
	pl.nominateMembers(logger, key, pod)
	victimNodes := map[string]struct{}{}
	for _, v := range c.victims {
		victimNodes[v.Spec.NodeName] = struct{}{}
	}
	logger.V(2).Info("Gang preempts", "pod", klog.KObj(pod), "group", key, "victims", len(c.victims), "nodes", len(victimNodes), "plan", c.nodes)
	pl.events.record(pl.workload(key), key, v1.EventTypeNormal, reasonPreempting, gang.PreemptingMessage(key, len(c.victims), len(victimNodes)))
	preemptionVictims.Add(float64(len(c.victims)))
	pl.evictAsync(ctx, key, pod, c.victims)
	return preemptOutcome{kind: preempted, node: node}
}

// actOnPreemption turns a preemptOutcome into the member's PostFilter
// result, counting it. A member that preempted, or waits for its gang's
// victims, leaves its gang's waiting round standing: the room it needs is
// being freed, and the victims' deletion activates it.
func (pl *WorkloadGang) actOnPreemption(ctx context.Context, pod *v1.Pod, out preemptOutcome) (*fwk.PostFilterResult, *fwk.Status) {
	preemptionAttempts.WithLabelValues(preemptResults[out.kind]).Inc()
	var result *fwk.PostFilterResult
	if out.node != "" {
		result = framework.NewPostFilterResultWithNominatedNode(out.node)
	}
	switch out.kind {
	case preempted:
		return result, fwk.NewStatus(fwk.Success)
	case waitingForVictims:
		return result, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, out.msg)
	}
	// cannotFitByPreempting, preemptionNotAllowed: a member that found no
	// node, as without preemption.
	pl.act(ctx, pl.store.Unplaced(pod, true), pod, nil)
	return nil, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, out.msg)
}

// victimFilter returns which pods may be preempted for gang key of the
// given priority: running pods (bound, not terminating, not waiting at
// Permit) of lower priority, of no gang. A pod of a gang whose declaration
// is not in the cache counts as a gang's: a guess must not split a gang.
func (pl *WorkloadGang) victimFilter(key gang.GroupKey, priority int32) func(*v1.Pod) bool {
	return func(p *v1.Pod) bool {
		if p.Spec.NodeName == "" || !gang.IsLiveMember(p) || corev1helpers.PodPriority(p) >= priority || gang.Ambiguous(p) {
			return false
		}
		if pl.handle.GetWaitingPod(p.UID) != nil {
			return false
		}
		if k, ok := gang.KeyForPod(p); ok {
			if k == key {
				return false
			}
			if policy, _ := pl.lookupPolicy(k); !policy.PodGroupFound || policy.MinCount > 0 {
				return false
			}
		}
		return true
	}
}

// podLister returns the scheduler's pod lister.
func (pl *WorkloadGang) podLister() corelisters.PodLister {
	return pl.handle.SharedInformerFactory().Core().V1().Pods().Lister()
}

// nominateMembers nominates, in the scheduler's memory, the gang's other
// pending members to the nodes planned for them, so that pods of lower
// priority do not take the room being freed. A member that fails its
// next cycle loses the nomination and is nominated again by preempt.
func (pl *WorkloadGang) nominateMembers(logger klog.Logger, key gang.GroupKey, preemptor *v1.Pod) {
	// The scheduler's pod informer has no namespace index: a namespaced
	// list would scan every pod too, and log a warning. Once per
	// preemption.
	pods, err := pl.podLister().List(labels.Everything())
	if err != nil {
		return
	}
	for _, p := range pods {
		if p.Namespace != key.Namespace || p.UID == preemptor.UID || p.Spec.NodeName != "" || !gang.IsLiveMember(p) {
			continue
		}
		if k, ok := gang.KeyForPod(p); !ok || k != key {
			continue
		}
		node := pl.preemptions.nominate(key, p)
		if node == "" {
			return
		}
		pi, err := framework.NewPodInfo(p)
		if err != nil {
			continue
		}
		pl.handle.AddNominatedPod(logger, pi, &fwk.NominatingInfo{NominatedNodeName: node, NominatingMode: fwk.ModeOverride})
	}
}

// evictAsync evicts the victims off the scheduling goroutine, in parallel,
// as upstream does: each gets the DisruptionTarget condition, then is
// deleted with its own grace period, and records the Preempted Event. A
// victim that could not be evicted is forgotten, so the gang does not wait
// for it.
func (pl *WorkloadGang) evictAsync(ctx context.Context, key gang.GroupKey, preemptor *v1.Pod, victims []*v1.Pod) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), preemptionTimeout)
	go func() {
		defer cancel()
		pl.handle.Parallelizer().Until(ctx, len(victims), func(i int) {
			if err := pl.evict(ctx, key, preemptor, victims[i]); err != nil {
				utilruntime.HandleErrorWithContext(ctx, err, "Evicting a preemption victim failed", "victim", klog.KObj(victims[i]), "preemptor", klog.KObj(preemptor), "group", key)
				pl.activate(klog.FromContext(ctx), pl.preemptions.evictionFailed(victims[i].UID))
			}
		}, Name)
	}()
}

// evict preempts one victim; a victim already gone is no error.
func (pl *WorkloadGang) evict(ctx context.Context, key gang.GroupKey, preemptor, victim *v1.Pod) error {
	if victim.DeletionTimestamp != nil {
		return nil
	}
	cs := pl.handle.ClientSet()
	condition := &v1.PodCondition{
		Type:               v1.DisruptionTarget,
		ObservedGeneration: apipod.CalculatePodConditionObservedGeneration(&victim.Status, victim.Generation, v1.DisruptionTarget),
		Status:             v1.ConditionTrue,
		Reason:             v1.PodReasonPreemptionByScheduler,
		Message:            gang.DisruptionTargetMessage(preemptor.Spec.SchedulerName, key),
	}
	status := victim.Status.DeepCopy()
	if apipod.UpdatePodCondition(status, condition) {
		if err := util.PatchPodStatus(ctx, cs, victim.Name, victim.Namespace, &victim.Status, status); err != nil {
			if apierrors.IsNotFound(err) {
				return nil
			}
			return fmt.Errorf("adding the DisruptionTarget condition: %w", err)
		}
	}
	uid := victim.UID
	if err := cs.CoreV1().Pods(victim.Namespace).Delete(ctx, victim.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}}); err != nil {
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return nil
		}
		return fmt.Errorf("deleting: %w", err)
	}
	klog.FromContext(ctx).V(2).Info("Gang preempted a victim", "victim", klog.KObj(victim), "preemptor", klog.KObj(preemptor), "group", key, "node", victim.Spec.NodeName)
	pl.handle.EventRecorder().Eventf(victim, preemptor, v1.EventTypeNormal, "Preempted", "Preempting", "%s", gang.PreemptedMessage(key, preemptor.Name, victim.Spec.NodeName))
	return nil
}

// mostPlanned returns the node with the most members planned, by name on
// a tie.
func mostPlanned(plan map[string]int) string {
	best, most := "", 0
	for n, k := range plan {
		if k > most || (k == most && n < best) {
			best, most = n, k
		}
	}
	return best
}

// victimQuestion is what chooseVictims needs.
type victimQuestion struct {
	// member stands for every member still needed; state is its cycle's.
	member *v1.Pod
	state  fwk.CycleState
	// need is how many members must be placed.
	need int
	// eligible reports the pods that may be preempted.
	eligible func(*v1.Pod) bool
	// leaving reports the pods that leave anyway (terminating): their
	// room counts as free, and they are never victims.
	leaving func(*v1.Pod) bool
}

// gone reports the pods treated as gone when victims in are gone too.
func (q victimQuestion) gone(in func(*v1.Pod) bool) func(*v1.Pod) bool {
	return func(p *v1.Pod) bool {
		return (q.leaving != nil && q.leaving(p)) || (in != nil && in(p))
	}
}

// terminating reports whether a pod is being deleted.
func terminating(p *v1.Pod) bool {
	return p.DeletionTimestamp != nil
}

// leaving reports whether a pod leaves anyway: it is being deleted, or it
// is a victim evicted lately, which the snapshot may still show running
// after the informer saw it go (the scheduler's cache and the plugin's
// handlers learn of a deletion in no fixed order). Choosing victims again
// in that window would evict one pod too many.
func (pl *WorkloadGang) leaving(p *v1.Pod) bool {
	return terminating(p) || pl.preemptions.evictedLately(p.UID)
}

// victimChoice is the answer of chooseVictims.
type victimChoice struct {
	// kind is Fits when victims (maybe none) make room for every member
	// needed, DoesNotFit when even all eligible victims gone do not, and
	// Unknown when the simulation cannot judge the member.
	kind placement.Kind
	// placed is how many members could be placed with every eligible
	// victim gone, for DoesNotFit; request is what one member requests.
	placed  int
	request placement.Resources
	// nodes are the members planned per node, with and without victims.
	nodes map[string]int
	// victims are the pods to evict, by node, most important first.
	victims []*v1.Pod
}

// nodeCandidate is a node where victims make room for k more members.
type nodeCandidate struct {
	ni fwk.NodeInfo
	// free is how many members fit on the node without a victim.
	free    int
	k       int
	victims []*v1.Pod
}

// chooseVictims chooses the victims that make room for q.need members, on
// the snapshot's nodes, which it never changes. It costs, per node with
// eligible victims, one placement question per victim on that node (the
// reprieve), plus three for the cluster: a preemption, not a hot path.
func chooseVictims(ctx context.Context, runner placement.Runner, nodes []fwk.NodeInfo, q victimQuestion) (victimChoice, error) {
	// A pod that leaves anyway is never a victim.
	eligible := q.eligible
	q.eligible = func(p *v1.Pod) bool { return eligible(p) && (q.leaving == nil || !q.leaving(p)) }
	all, err := placement.Simulate(ctx, runner, nodes, placement.Question{Member: q.member, State: q.state, Need: q.need, Gone: q.gone(q.eligible)})
	if err != nil {
		return victimChoice{}, err
	}
	c := victimChoice{kind: all.Kind, placed: all.Placed, request: all.Request, nodes: map[string]int{}}
	if all.Kind != placement.Fits {
		return c, nil
	}
	free, err := placement.Simulate(ctx, runner, nodes, placement.Question{Member: q.member, State: q.state, Need: q.need, Gone: q.gone(nil)})
	if err != nil {
		return victimChoice{}, err
	}
	for n, k := range free.Nodes {
		c.nodes[n] = k
	}
	rest := q.need - free.Placed
	if rest <= 0 {
		return c, nil
	}
	var candidates []nodeCandidate
	for _, ni := range nodes {
		if ni.Node() == nil || !hasEligible(ni, q.eligible) {
			continue
		}
		f := c.nodes[ni.Node().Name]
		most, err := placement.Simulate(ctx, runner, []fwk.NodeInfo{ni}, placement.Question{Member: q.member, State: q.state, Need: f + rest, Gone: q.gone(q.eligible)})
		if err != nil {
			return victimChoice{}, err
		}
		k := most.Placed - f
		if k <= 0 {
			continue
		}
		victims, err := reprieve(ctx, runner, ni, q, f+k)
		if err != nil {
			return victimChoice{}, err
		}
		candidates = append(candidates, nodeCandidate{ni: ni, free: f, k: k, victims: victims})
	}
	slices.SortFunc(candidates, compareCandidates)
	for _, cand := range candidates {
		if rest == 0 {
			break
		}
		if cand.k > rest {
			// Fewer members on this node may need fewer victims.
			cand.k = rest
			if cand.victims, err = reprieve(ctx, runner, cand.ni, q, cand.free+cand.k); err != nil {
				return victimChoice{}, err
			}
		}
		c.nodes[cand.ni.Node().Name] += cand.k
		c.victims = append(c.victims, cand.victims...)
		rest -= cand.k
	}
	if rest > 0 {
		// Unreachable while the nodes are judged one by one, as Simulate
		// judges them; say so rather than evict for a partial gang.
		return victimChoice{kind: placement.DoesNotFit, placed: q.need - rest, request: all.Request}, nil
	}
	return c, nil
}

// compareCandidates orders nodes by victims per member placed, then by
// the priority of their most important victim, then by fewer victims,
// then by name.
func compareCandidates(a, b nodeCandidate) int {
	if c := cmp.Compare(len(a.victims)*b.k, len(b.victims)*a.k); c != 0 {
		return c
	}
	if c := cmp.Compare(topPriority(a.victims), topPriority(b.victims)); c != 0 {
		return c
	}
	if c := cmp.Compare(len(a.victims), len(b.victims)); c != 0 {
		return c
	}
	return cmp.Compare(a.ni.Node().Name, b.ni.Node().Name)
}

// topPriority is the highest priority among victims sorted most important
// first.
func topPriority(victims []*v1.Pod) int32 {
	if len(victims) == 0 {
		return 0
	}
	return corev1helpers.PodPriority(victims[0])
}

// hasEligible reports whether a node runs a pod that may be preempted.
func hasEligible(ni fwk.NodeInfo, eligible func(*v1.Pod) bool) bool {
	for _, pi := range ni.GetPods() {
		if eligible(pi.GetPod()) {
			return true
		}
	}
	return false
}

// reprieve returns the fewest victims on one node that leave room for
// target members, upstream's way: with every eligible pod gone they fit;
// then each pod, most important first, is kept if they still fit beside
// it.
func reprieve(ctx context.Context, runner placement.Runner, ni fwk.NodeInfo, q victimQuestion, target int) ([]*v1.Pod, error) {
	var potential []*v1.Pod
	gone := map[types.UID]struct{}{}
	for _, pi := range ni.GetPods() {
		if p := pi.GetPod(); q.eligible(p) {
			potential = append(potential, p)
			gone[p.UID] = struct{}{}
		}
	}
	slices.SortStableFunc(potential, func(a, b *v1.Pod) int {
		switch {
		case util.MoreImportantPod(a, b):
			return -1
		case util.MoreImportantPod(b, a):
			return 1
		}
		return 0
	})
	isGone := q.gone(func(p *v1.Pod) bool {
		_, ok := gone[p.UID]
		return ok
	})
	var victims []*v1.Pod
	for _, p := range potential {
		delete(gone, p.UID)
		ans, err := placement.Simulate(ctx, runner, []fwk.NodeInfo{ni}, placement.Question{Member: q.member, State: q.state, Need: target, Gone: isGone})
		if err != nil {
			return nil, err
		}
		if ans.Kind != placement.Fits {
			gone[p.UID] = struct{}{}
			victims = append(victims, p)
		}
	}
	return victims, nil
}

// evictedMemory is how long a victim counts as leaving after its eviction
// began, whatever the snapshot shows.
const evictedMemory = time.Minute

// preemptions remembers, per gang, the victims of its last preemption
// that still run and the nodes planned for its members. It is fed by
// PostFilter and by the pod informer's deletions; its own lock guards it.
type preemptions struct {
	mu sync.Mutex
	// byGang holds the gangs with victims still running.
	byGang map[gang.GroupKey]*gangPreemption
	// gangOf indexes the victims by UID.
	gangOf map[types.UID]gang.GroupKey
	// evicted holds every victim whose eviction began within
	// evictedMemory, and when; pruned by start.
	evicted map[types.UID]time.Time
	// now is when the last preemption started: evictedLately's clock,
	// so that it needs none of its own.
	now time.Time
}

// gangPreemption is one gang's last preemption.
type gangPreemption struct {
	// victims are the victims not yet seen deleted.
	victims map[types.UID]types.NamespacedName
	// slots are the members planned per node, less those nominated there.
	slots map[string]int
	// nominated maps members to the node chosen for them.
	nominated map[types.UID]string
	// waiting are the members that found no node meanwhile: a victim's
	// deletion activates them.
	waiting map[types.UID]*v1.Pod
}

func newPreemptions() *preemptions {
	return &preemptions{byGang: map[gang.GroupKey]*gangPreemption{}, gangOf: map[types.UID]gang.GroupKey{}, evicted: map[types.UID]time.Time{}}
}

// start records a gang's preemption, at now: its victims and its plan.
func (p *preemptions) start(key gang.GroupKey, victims []*v1.Pod, plan map[string]int, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.forgetLocked(key)
	p.now = now
	for uid, t := range p.evicted {
		if now.Sub(t) >= evictedMemory {
			delete(p.evicted, uid)
		}
	}
	gp := &gangPreemption{
		victims:   make(map[types.UID]types.NamespacedName, len(victims)),
		slots:     make(map[string]int, len(plan)),
		nominated: map[types.UID]string{},
		waiting:   map[types.UID]*v1.Pod{},
	}
	for _, v := range victims {
		gp.victims[v.UID] = types.NamespacedName{Namespace: v.Namespace, Name: v.Name}
		p.gangOf[v.UID] = key
		p.evicted[v.UID] = now
	}
	for n, k := range plan {
		gp.slots[n] = k
	}
	p.byGang[key] = gp
}

// pending returns how many victims of the gang's last preemption still
// exist, and false when none does (the record is then forgotten). A victim
// the lister no longer has was deleted before its event reached us.
func (p *preemptions) pending(key gang.GroupKey, lister func() corelisters.PodLister) (int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	gp, ok := p.byGang[key]
	if !ok {
		return 0, false
	}
	for uid, name := range gp.victims {
		if pod, err := lister().Pods(name.Namespace).Get(name.Name); err != nil || pod.UID != uid {
			delete(gp.victims, uid)
			delete(p.gangOf, uid)
		}
	}
	if len(gp.victims) == 0 {
		p.forgetLocked(key)
		return 0, false
	}
	return len(gp.victims), true
}

// assign nominates a member to a node of the plan.
func (p *preemptions) assign(key gang.GroupKey, pod *v1.Pod, node string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if gp, ok := p.byGang[key]; ok && gp.slots[node] > 0 {
		gp.slots[node]--
		gp.nominated[pod.UID] = node
	}
}

// nominate returns the node planned for a member: the one it was given, or
// one with a free slot; "" when none is left.
func (p *preemptions) nominate(key gang.GroupKey, pod *v1.Pod) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	gp, ok := p.byGang[key]
	if !ok {
		return ""
	}
	if n, ok := gp.nominated[pod.UID]; ok {
		return n
	}
	node := mostPlanned(gp.slots)
	if node == "" || gp.slots[node] == 0 {
		return ""
	}
	gp.slots[node]--
	gp.nominated[pod.UID] = node
	return node
}

// wait records a member to activate when a victim of its gang goes.
func (p *preemptions) wait(key gang.GroupKey, pod *v1.Pod) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if gp, ok := p.byGang[key]; ok {
		gp.waiting[pod.UID] = pod
	}
}

// victimGone forgets a deleted pod if it was a victim, and returns the
// members of its gang to activate: the room it freed is theirs. O(1) for a
// pod that was no victim.
func (p *preemptions) victimGone(uid types.UID) []*v1.Pod {
	p.mu.Lock()
	defer p.mu.Unlock()
	key, ok := p.gangOf[uid]
	if !ok {
		return nil
	}
	delete(p.gangOf, uid)
	gp, ok := p.byGang[key]
	if !ok {
		return nil
	}
	delete(gp.victims, uid)
	pods := make([]*v1.Pod, 0, len(gp.waiting))
	for _, m := range gp.waiting {
		pods = append(pods, m)
	}
	if len(gp.victims) == 0 {
		p.forgetLocked(key)
	}
	return pods
}

// evictedLately reports whether a pod is a victim whose eviction began
// within evictedMemory of the last preemption.
func (p *preemptions) evictedLately(uid types.UID) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.evicted[uid]
	return ok && p.now.Sub(t) < evictedMemory
}

// evictionFailed forgets a victim that could not be evicted: it runs on,
// and its gang must not wait for it. It returns the members to activate,
// as victimGone does.
func (p *preemptions) evictionFailed(uid types.UID) []*v1.Pod {
	p.mu.Lock()
	delete(p.evicted, uid)
	p.mu.Unlock()
	return p.victimGone(uid)
}

// forgetLocked forgets a gang's preemption. Callers hold p.mu.
func (p *preemptions) forgetLocked(key gang.GroupKey) {
	gp, ok := p.byGang[key]
	if !ok {
		return
	}
	for uid := range gp.victims {
		delete(p.gangOf, uid)
	}
	delete(p.byGang, key)
}
