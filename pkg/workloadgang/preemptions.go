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
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	corelisters "k8s.io/client-go/listers/core/v1"

	"github.com/gangsched/gangsched/pkg/gang"
)

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
