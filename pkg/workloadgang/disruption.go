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
	"slices"
	"sync"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/util"

	"github.com/gangsched/gangsched/pkg/gang"
)

// Running gangs are disrupted as a unit (issue 11). Whatever preempts (a
// gang through preempt.go, a plain pod through podpreemption.go), a member
// of a bound gang whose disruption mode is All is a victim only together
// with every other bound member of its gang, wherever they run: the gang
// is one victimUnit, of its lowest member's priority. Members of a Single
// gang, and pods of basic groups, are units of one pod, like plain pods.
//
// A gang with a member reserved but not bound (waiting at Permit, or
// released and binding) is never a victim: part of it could not be
// stopped, and evicting the rest would leave a partial gang. A pod whose
// gang's declaration is unknown is never a victim either: a guess must not
// split a gang.

// groupDisruption is how the running pods of one group may be disrupted.
type groupDisruption int

const (
	// disruptNever: no pod of the group is a victim (its declaration is
	// unknown, the gang is in flight, or it is the preemptor's own gang).
	disruptNever groupDisruption = iota
	// disruptPlain: the group is basic; its pods are plain pods.
	disruptPlain
	// disruptSingle: a Single gang; its bound members go one by one.
	disruptSingle
	// disruptWhole: an All gang; its bound members go together.
	disruptWhole
)

// victimUnit is what a preemption evicts together: one pod, or every
// bound member of an All gang.
type victimUnit struct {
	// key names the gang of a whole unit.
	key   gang.GroupKey
	whole bool
	// pods are the unit's pods, wherever they run, most important first.
	pods []*v1.Pod
	// priority is its lowest pod's: a gang ranks by its lowest member.
	priority int32
	// start is its earliest pod's start.
	start *metav1.Time
}

// unitID identifies a unit: a gang, or a pod.
type unitID struct {
	key gang.GroupKey
	uid types.UID
}

func (u *victimUnit) id() unitID {
	if u.whole {
		return unitID{key: u.key}
	}
	return unitID{uid: u.pods[0].UID}
}

// singlePod is the unit of one pod.
func singlePod(p *v1.Pod) *victimUnit {
	return &victimUnit{pods: []*v1.Pod{p}, priority: corev1helpers.PodPriority(p), start: util.GetPodStartTime(p)}
}

// moreImportantUnit orders units as upstream orders victims: higher
// priority first, then the earlier started. For units of one pod it is
// util.MoreImportantPod.
func moreImportantUnit(a, b *victimUnit) bool {
	if !a.whole && !b.whole {
		return util.MoreImportantPod(a.pods[0], b.pods[0])
	}
	if a.priority != b.priority {
		return a.priority > b.priority
	}
	return a.start.Before(b.start)
}

// disruptionSource is what a disruptionIndex asks about groups and pods.
type disruptionSource struct {
	// group says how a group's pods may be disrupted, from its
	// declaration alone.
	group func(gang.GroupKey) groupDisruption
	// inFlight reports a gang with a round waiting at Permit.
	inFlight func(gang.GroupKey) bool
	// reserved reports a pod reserved but not bound (waiting at Permit, or
	// binding).
	reserved func(*v1.Pod) bool
	// leaving reports a pod that leaves anyway: it belongs to no unit.
	leaving func(*v1.Pod) bool
}

// disruptionIndex groups, for one preemption, the running members of the
// gangs on a snapshot's nodes into units. Built once, then read only (by
// parallel dry runs).
type disruptionIndex struct {
	src    disruptionSource
	groups map[gang.GroupKey]*groupEntry
}

// groupEntry is one group of the index.
type groupEntry struct {
	kind groupDisruption
	// unit holds the bound members of a disruptWhole gang, and members
	// their UIDs.
	unit    *victimUnit
	members map[types.UID]struct{}
}

// newDisruptionIndex indexes the gang members on nodes. O(pods on nodes).
func newDisruptionIndex(nodes []fwk.NodeInfo, src disruptionSource) *disruptionIndex {
	x := &disruptionIndex{src: src, groups: map[gang.GroupKey]*groupEntry{}}
	for _, ni := range nodes {
		for _, pi := range ni.GetPods() {
			p := pi.GetPod()
			key, ok := gang.KeyForPod(p)
			if !ok {
				continue
			}
			e, ok := x.groups[key]
			if !ok {
				e = &groupEntry{kind: src.group(key)}
				if e.kind == disruptWhole && src.inFlight != nil && src.inFlight(key) {
					e.kind = disruptNever
				}
				if e.kind == disruptWhole {
					e.unit, e.members = &victimUnit{key: key, whole: true}, map[types.UID]struct{}{}
				}
				x.groups[key] = e
			}
			if e.kind != disruptWhole {
				continue
			}
			if src.reserved != nil && src.reserved(p) {
				e.kind, e.unit, e.members = disruptNever, nil, nil
				continue
			}
			if !gang.IsLiveMember(p) || (src.leaving != nil && src.leaving(p)) {
				continue
			}
			e.unit.add(p)
			e.members[p.UID] = struct{}{}
		}
	}
	for _, e := range x.groups {
		if e.unit != nil {
			slices.SortStableFunc(e.unit.pods, func(a, b *v1.Pod) int { return importanceOrder(a, b) })
		}
	}
	return x
}

// add adds a bound member to a whole unit.
func (u *victimUnit) add(p *v1.Pod) {
	priority, start := corev1helpers.PodPriority(p), util.GetPodStartTime(p)
	if len(u.pods) == 0 || priority < u.priority {
		u.priority = priority
	}
	if len(u.pods) == 0 || start.Before(u.start) {
		u.start = start
	}
	u.pods = append(u.pods, p)
}

// unitOf returns the unit a pod would be evicted with, and false when it
// is never a victim. The caller judges the unit's priority against the
// preemptor's.
func (x *disruptionIndex) unitOf(p *v1.Pod) (*victimUnit, bool) {
	if gang.Ambiguous(p) {
		return nil, false
	}
	key, ok := gang.KeyForPod(p)
	if !ok {
		return singlePod(p), true
	}
	e, ok := x.groups[key]
	if !ok {
		// A pod off the indexed nodes: judge its group alone.
		e = &groupEntry{kind: x.src.group(key)}
	}
	switch e.kind {
	case disruptPlain:
		return singlePod(p), true
	case disruptSingle:
		if x.src.reserved != nil && x.src.reserved(p) {
			return nil, false
		}
		return singlePod(p), true
	case disruptWhole:
		if _, ok := e.members[p.UID]; !ok {
			// Not indexed, terminating or leaving: not a member the
			// unit evicts.
			return nil, false
		}
		return e.unit, true
	}
	return nil, false
}

// importanceOrder is util.MoreImportantPod as a sort order.
func importanceOrder(a, b *v1.Pod) int {
	switch {
	case util.MoreImportantPod(a, b):
		return -1
	case util.MoreImportantPod(b, a):
		return 1
	}
	return 0
}

// disruptionStateKey is where PostFilter keeps its disruptionIndex for
// the parallel dry runs of upstream's preemption Evaluator.
const disruptionStateKey fwk.StateKey = Name + "/disruption"

// disruptionState builds the index on first use: a preemptor that is not
// eligible, or finds no node worth a dry run, never pays for it.
type disruptionState struct {
	once  sync.Once
	build func() *disruptionIndex
	index *disruptionIndex
}

// Clone shares the state: the index is read only once built.
func (s *disruptionState) Clone() fwk.StateData { return s }

func (s *disruptionState) get() *disruptionIndex {
	s.once.Do(func() { s.index = s.build() })
	return s.index
}

// disruptionIndex indexes the gang members on nodes for one preemption;
// self, when not nil, is the preempting gang, never its own victim.
func (pl *WorkloadGang) disruptionIndex(nodes []fwk.NodeInfo, self *gang.GroupKey) *disruptionIndex {
	return newDisruptionIndex(nodes, disruptionSource{
		group: func(key gang.GroupKey) groupDisruption {
			if self != nil && key == *self {
				return disruptNever
			}
			return pl.disruptionKind(key)
		},
		inFlight: func(key gang.GroupKey) bool {
			_, ok := pl.store.Round(key)
			return ok
		},
		reserved: func(p *v1.Pod) bool {
			return pl.handle.GetWaitingPod(p.UID) != nil || pl.store.Reserved(p)
		},
		leaving: pl.leaving,
	})
}

// disruptionKind says how a group's running pods may be disrupted, from
// its declaration: never when it is unknown, as plain pods for a basic
// group, else by the gang's DisruptionModeAnnotation (an invalid value
// means All; checkAnnotations reports it).
func (pl *WorkloadGang) disruptionKind(key gang.GroupKey) groupDisruption {
	policy, d := pl.lookupPolicy(key)
	switch {
	case !policy.PodGroupFound:
		return disruptNever
	case policy.MinCount == 0:
		return disruptPlain
	}
	if mode, _ := gang.DisruptionModeOf(d); mode == gang.DisruptionSingle {
		return disruptSingle
	}
	return disruptWhole
}

// wholeGangOf reports the gang of a member of an All gang.
func (pl *WorkloadGang) wholeGangOf(p *v1.Pod) (gang.GroupKey, bool) {
	key, ok := gang.KeyForPod(p)
	if !ok || gang.Ambiguous(p) {
		return key, false
	}
	return key, pl.disruptionKind(key) == disruptWhole
}
