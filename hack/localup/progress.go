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

package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	corev1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
)

// podInfo is what the progress view knows about one pod of a group (with a
// workloadRef, or the PodGroup label).
type podInfo struct {
	Key     string // namespace/name
	Group   groupKey
	Node    string
	Pending string // PodScheduled message while unbound
	Created time.Time
	BoundAt time.Time
}

func (p *podInfo) status() string {
	if p.Node != "" {
		return p.Node
	}
	return "Pending: " + p.Pending
}

// tracker turns pod, Workload and PodGroup events into a human-readable progress log:
// one line per pod state change, and one line when a group becomes fully
// bound. It is safe for concurrent use.
type tracker struct {
	mu        sync.Mutex
	out       io.Writer
	start     time.Time
	now       func() time.Time
	pods      map[string]*podInfo
	policies  map[policyKey]policy
	createdAt map[string]time.Time // pods this program created, by key
	announced map[groupKey]int     // group size at its last "bound" line
	minSize   map[groupKey]int     // no "bound" line before a group has this many pods
	changed   chan struct{}
}

func newTracker(out io.Writer, now func() time.Time) *tracker {
	return &tracker{
		out:       out,
		start:     now(),
		now:       now,
		pods:      map[string]*podInfo{},
		policies:  map[policyKey]policy{},
		createdAt: map[string]time.Time{},
		announced: map[groupKey]int{},
		minSize:   map[groupKey]int{},
		changed:   make(chan struct{}, 1),
	}
}

// Changed receives a value after any state change (coalesced).
func (t *tracker) Changed() <-chan struct{} { return t.changed }

func (t *tracker) notify() {
	select {
	case t.changed <- struct{}{}:
	default:
	}
}

func (t *tracker) printf(format string, args ...any) {
	elapsed := t.now().Sub(t.start).Seconds()
	fmt.Fprintf(t.out, "[%6.1fs] %s\n", elapsed, fmt.Sprintf(format, args...))
}

// resetClock restarts the elapsed-time clock of the printed lines.
func (t *tracker) resetClock() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.start = t.now()
}

// expectGroupSizes sets how many pods each group will have, so that a group
// is not reported bound while its pods are still being created.
func (t *tracker) expectGroupSizes(sizes map[groupKey]int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for g, n := range sizes {
		t.minSize[g] = n
	}
}

// markCreated records when this program is about to create a pod (it is
// more precise than creationTimestamp), for group timings.
func (t *tracker) markCreated(key string, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.createdAt[key] = at
	if p, ok := t.pods[key]; ok {
		p.Created = at
	}
}

// setWorkload records the podGroup policies of a Workload.
func (t *tracker) setWorkload(wl *schedulingv1alpha1.Workload) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, p := range policiesOf(wl) {
		t.policies[k] = p
	}
	t.notify()
}

// deleteWorkload forgets a Workload's policies.
func (t *tracker) deleteWorkload(namespace, name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k := range t.policies {
		if k.Source == gang.SourceWorkload && k.Namespace == namespace && k.Workload == name {
			delete(t.policies, k)
		}
	}
	t.notify()
}

// setPodGroup records the policy of a PodGroup.
func (t *tracker) setPodGroup(pg *podgroupv1alpha1.PodGroup) {
	t.mu.Lock()
	defer t.mu.Unlock()
	k, p := policyOfPodGroup(pg)
	t.policies[k] = p
	t.notify()
}

// deletePodGroup forgets a PodGroup's policy.
func (t *tracker) deletePodGroup(namespace, name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.policies, policyKey{Source: gang.SourcePodGroup, Namespace: namespace, Workload: name})
	t.notify()
}

// pendingMessage is the PodScheduled condition's message, or a placeholder.
func pendingMessage(pod *corev1.Pod) string {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status != corev1.ConditionTrue {
			msg := strings.Join(strings.Fields(c.Message), " ")
			if msg == "" {
				msg = c.Reason
			}
			if msg != "" {
				return msg
			}
		}
	}
	return "not scheduled yet"
}

// updatePod records a pod's state and prints what changed.
func (t *tracker) updatePod(pod *corev1.Pod) {
	g, ok := groupOf(pod)
	if !ok {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	key := pod.Namespace + "/" + pod.Name
	info, existed := t.pods[key]
	if !existed {
		created := pod.CreationTimestamp.Time
		if at, ok := t.createdAt[key]; ok {
			created = at
		}
		info = &podInfo{Key: key, Group: g, Created: created}
		t.pods[key] = info
	}
	before := info.status()
	info.Node = pod.Spec.NodeName
	info.Pending = ""
	if info.Node == "" {
		info.Pending = pendingMessage(pod)
		info.BoundAt = time.Time{}
	} else if info.BoundAt.IsZero() {
		info.BoundAt = t.now()
	}
	if existed && before == info.status() {
		return
	}
	t.printf("%-36s %-24s %s", key, g.Short(), info.status())
	t.checkGroup(g)
	t.notify()
}

// deletePod forgets a pod.
func (t *tracker) deletePod(namespace, name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	key := namespace + "/" + name
	info, ok := t.pods[key]
	if !ok {
		return
	}
	delete(t.pods, key)
	t.printf("%-36s %-24s deleted", key, info.Group.Short())
	t.notify()
}

// groupCounts returns (bound, total) for a group. Caller holds t.mu.
func (t *tracker) groupCounts(g groupKey) (bound, total int) {
	for _, p := range t.pods {
		if p.Group == g {
			total++
			if p.Node != "" {
				bound++
			}
		}
	}
	return bound, total
}

// checkGroup prints a line when every pod of a group is bound. Caller holds t.mu.
func (t *tracker) checkGroup(g groupKey) {
	bound, total := t.groupCounts(g)
	if total == 0 || bound != total || total < t.minSize[g] || t.announced[g] == total {
		return
	}
	t.announced[g] = total
	var firstCreated, firstBound, lastBound time.Time
	for _, p := range t.pods {
		if p.Group != g {
			continue
		}
		if firstCreated.IsZero() || p.Created.Before(firstCreated) {
			firstCreated = p.Created
		}
		if firstBound.IsZero() || p.BoundAt.Before(firstBound) {
			firstBound = p.BoundAt
		}
		if p.BoundAt.After(lastBound) {
			lastBound = p.BoundAt
		}
	}
	p, known := t.policies[g.policyKey()]
	switch {
	case known && p.isGang():
		quorum := "minCount"
		if g.Source == gang.SourcePodGroup {
			quorum = "PodGroup minMember"
		}
		t.printf("gang %s bound %d/%d together in %s (%s %d; binds seen within %s)",
			g, bound, total, fmtDuration(lastBound.Sub(firstCreated)), quorum, p.MinCount, fmtDuration(lastBound.Sub(firstBound)))
	case known:
		t.printf("group %s (basic) bound %d/%d in %s", g, bound, total, fmtDuration(lastBound.Sub(firstCreated)))
	default:
		t.printf("group %s bound %d/%d in %s", g, bound, total, fmtDuration(lastBound.Sub(firstCreated)))
	}
}

func fmtDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

// demoStatus reports whether every group reached its expected number of
// bound pods, and describes the groups that did not.
func (t *tracker) demoStatus(expected map[groupKey]int) (done bool, waiting []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for g, want := range expected {
		if want == 0 {
			continue
		}
		if bound, total := t.groupCounts(g); bound < want {
			waiting = append(waiting, fmt.Sprintf("%s: %d/%d bound, want %d", g, bound, total, want))
		}
	}
	sort.Strings(waiting)
	return len(waiting) == 0, waiting
}

// gangViolations lists gangs with some but fewer than minCount pods bound.
func (t *tracker) gangViolations() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	seen := map[groupKey]bool{}
	var out []string
	for _, p := range t.pods {
		g := p.Group
		if seen[g] {
			continue
		}
		seen[g] = true
		pol, ok := t.policies[g.policyKey()]
		if !ok || !pol.isGang() {
			continue
		}
		if bound, total := t.groupCounts(g); bound > 0 && bound < int(pol.MinCount) {
			out = append(out, fmt.Sprintf("gang %s has %d/%d pods bound, below minCount %d", g, bound, total, pol.MinCount))
		}
	}
	sort.Strings(out)
	return out
}

// table renders every tracked pod, sorted by group then name.
func (t *tracker) table() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	pods := make([]*podInfo, 0, len(t.pods))
	for _, p := range t.pods {
		pods = append(pods, p)
	}
	sort.Slice(pods, func(i, j int) bool {
		if a, b := pods[i].Group.String(), pods[j].Group.String(); a != b {
			return a < b
		}
		return pods[i].Key < pods[j].Key
	})
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "POD\tGROUP\tNODE / STATUS")
	for _, p := range pods {
		fmt.Fprintf(w, "%s\t%s\t%s\n", p.Key, p.Group.Short(), p.status())
	}
	_ = w.Flush()
	return b.String()
}

// topologyPlacement checks the groups of the Workloads and PodGroups that
// ask a required topology (gangsched.io/topology-required; required holds
// the label key by declaring object): placed says, for each group with
// bound pods all in one domain, which one; spread names each group whose
// bound pods are in several domains, or on a node without the label.
func (t *tracker) topologyPlacement(required map[gang.WorkloadKey]string, nodeLabels map[string]map[string]string) (placed, spread []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	domains := map[groupKey]map[string]bool{}
	for _, p := range t.pods {
		key, ok := required[gang.GroupKey(p.Group).WorkloadKey()]
		if !ok || p.Node == "" {
			continue
		}
		if domains[p.Group] == nil {
			domains[p.Group] = map[string]bool{}
		}
		v, ok := nodeLabels[p.Node][key]
		if !ok {
			v = "(node " + p.Node + " without the label)"
		}
		domains[p.Group][v] = true
	}
	for g, ds := range domains {
		key := required[gang.GroupKey(g).WorkloadKey()]
		names := make([]string, 0, len(ds))
		for d := range ds {
			names = append(names, d)
		}
		sort.Strings(names)
		if len(names) == 1 && !strings.HasPrefix(names[0], "(node ") {
			placed = append(placed, fmt.Sprintf("gang %s: every bound member in %s=%s", g, key, names[0]))
			continue
		}
		spread = append(spread, fmt.Sprintf("gang %s asks %s but its bound members are in %s", g, key, strings.Join(names, ", ")))
	}
	sort.Strings(placed)
	sort.Strings(spread)
	return placed, spread
}
