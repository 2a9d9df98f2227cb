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

// Package topology chooses, when a gang's round starts, the nodes the whole
// round may use under its Workload's topology annotations (gang.Topology):
// one domain of a required node label key, and as few domains of a
// preferred key as possible.
//
// A domain is the set of nodes that share one value of the key; a node
// without the label is in no domain. Whether a domain holds the gang is a
// placement.Simulate question on the domain's nodes, so it counts what is
// in use and reserved on each node and every filter of the profile.
//
// The rules:
//
//   - Room is counted in members. Whether a domain holds the gang, and how
//     many members a domain that does not hold it has room for, are
//     placement.Simulate's answers on the domain's nodes, filters and all.
//   - Room over is what a domain that holds the gang has left after it, in
//     free member slots counted from requests alone: on each node, how
//     many more copies of the member its allocatable CPU, memory,
//     ephemeral storage, extended resources and pod count leave room for
//     (what is in use and reserved taken off, what the question treats as
//     gone given back), summed over the domain, minus the members needed.
//     Requests alone, because room a filter keeps from this member (a
//     taint, a selector) is still room for other gangs; and cheap: O(nodes)
//     arithmetic, so a choice simulates only the domains it tries, in
//     order of room over, until one holds the gang.
//   - Best fit: of the domains that hold the gang, the one with the least
//     room over, so big domains stay free for big gangs; ties go to the
//     smallest domain value.
//   - Required: the best-fit domain, or NoDomain naming the domain with the
//     most room by Simulate (ties: smallest value). Nodes without the label
//     are never used.
//   - Preferred alone: the best-fit domain; when none holds the gang alone,
//     domains by most room first (ties: smallest value) until they hold it,
//     then the nodes without the label. When not even every node together
//     holds the gang, the preference is dropped (Anywhere): a preference
//     never stops a round, and the gang's placement check reports the
//     shortfall.
//   - Both: the required key chooses the domain (best fit), then the
//     preferred key chooses nodes inside it as above.
//   - A preferred key is coarser than the required one, an invalid pair,
//     when the nodes show that each required domain lies inside one
//     preferred domain and some preferred domain holds nodes of two required
//     domains (zone inside region). Nodes without both labels are not
//     looked at. A pair whose domains coincide (one rack per zone) is valid:
//     the preference is then merely idle.
package topology

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework"

	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/workloadgang/placement"
)

// Kind is the kind of a Choice.
type Kind int

const (
	// Anywhere: the round may use every node. The Workload asks no
	// topology; or it asks a preferred key alone, and either the member
	// has constraints between pods across nodes (placement.Unknown) or not
	// even every node together holds the gang.
	Anywhere Kind = iota
	// Chosen: every member needed fits on Choice.Nodes; the round places
	// its members there.
	Chosen
	// NoDomain: no domain of the required key holds the gang;
	// Choice.Largest and Choice.LargestPlaced name the one with the most
	// room, for gang.NoDomainMessage.
	NoDomain
	// Unknown: the member has constraints between pods across nodes, so
	// whether a domain holds the gang cannot be judged (placement.Unknown).
	// A required topology is kept all the same: Choice.Domain and
	// Choice.Nodes name the required domain with the most nodes on which
	// one member passes the filters (ties: smallest value).
	Unknown
	// InvalidPair: the nodes show the preferred key to be coarser than the
	// required one; Choice.Err says so, naming the annotation and its
	// value. The gang must not be placed.
	InvalidPair
)

func (k Kind) String() string {
	switch k {
	case Anywhere:
		return "Anywhere"
	case Chosen:
		return "Chosen"
	case NoDomain:
		return "NoDomain"
	case Unknown:
		return "Unknown"
	case InvalidPair:
		return "InvalidPair"
	default:
		return fmt.Sprintf("Kind(%d)", int(k))
	}
}

// Choice is the nodes a gang's round may use. Each field says for which
// kinds it is set; it is zero for the others.
type Choice struct {
	Kind Kind
	// Domain is the required domain chosen (Chosen, Unknown), empty when
	// the Workload asks no required key.
	Domain string
	// Preferred are the preferred domains Nodes lie in, fewest possible,
	// in the order chosen (Chosen, when the Workload asks a preferred key).
	// Nodes may also hold nodes without the preferred label: see the
	// package comment.
	Preferred []string
	// Nodes are the names of the nodes the round may use (Chosen, Unknown).
	Nodes sets.Set[string]
	// Largest is the required domain with the most room and LargestPlaced
	// how many members it holds (NoDomain). Largest is empty when no node
	// has the required label.
	Largest       string
	LargestPlaced int
	// Err says why the annotations are an invalid pair (InvalidPair).
	Err error
}

// Domains groups nodes by their value of the label key; nodes without the
// label are in no domain.
func Domains(nodes []fwk.NodeInfo, key string) map[string][]fwk.NodeInfo {
	out := map[string][]fwk.NodeInfo{}
	for _, ni := range nodes {
		n := ni.Node()
		if n == nil {
			continue
		}
		if v, ok := n.Labels[key]; ok {
			out[v] = append(out[v], ni)
		}
	}
	return out
}

// Choose chooses the nodes for every member q.Need of a gang round on
// nodes, a snapshot's NodeInfos, under t (see the package comment for the
// rules). q is a placement question: its Member and State are the member
// in its cycle, Gone and UseNode apply within every domain. An error is an
// unexpected failure of the filters; an invalid pair is a Choice.
func Choose(ctx context.Context, runner placement.Runner, nodes []fwk.NodeInfo, q placement.Question, t gang.Topology) (Choice, error) {
	return choose(ctx, runner, nodes, q, t, bestFitPolicy)
}

// policy is the order in which a choice tries the domains that may hold
// the gang. Choose uses best fit; first fit is for tests that compare the
// two (fragmentation).
type policy int

const (
	// bestFitPolicy: the domain with the least room over first (see the
	// package comment).
	bestFitPolicy policy = iota
	// firstFitPolicy: domains in order of value, the first that holds the
	// gang.
	firstFitPolicy
)

// choose is Choose under policy p.
func choose(ctx context.Context, runner placement.Runner, nodes []fwk.NodeInfo, q placement.Question, t gang.Topology, p policy) (Choice, error) {
	if t.IsZero() || q.Need <= 0 {
		return Choice{Kind: Anywhere}, nil
	}
	if t.Required != "" && t.Preferred != "" {
		if err := checkPair(nodes, t); err != nil {
			return Choice{Kind: InvalidPair, Err: err}, nil
		}
	}
	// Simulate judges the member before it looks at a node or the need.
	probe := q
	probe.Need = 0
	ans, err := placement.Simulate(ctx, runner, nil, probe)
	if err != nil {
		return Choice{}, err
	}
	if ans.Kind == placement.Unknown {
		if t.Required == "" {
			return Choice{Kind: Anywhere}, nil
		}
		return chooseUnjudged(ctx, runner, nodes, q, t.Required), nil
	}
	mi, err := framework.NewPodInfo(q.Member)
	if err != nil {
		return Choice{}, fmt.Errorf("member %s: %w", klog.KObj(q.Member), err)
	}
	c := chooser{runner: runner, q: q, request: mi.CalculateResource().Resource, policy: p}
	if t.Required == "" {
		return c.prefer(ctx, nodes, t.Preferred)
	}
	ds, _ := split(nodes, t.Required)
	best, err := c.bestFit(ctx, ds)
	if err != nil {
		return Choice{}, err
	}
	if best < 0 {
		largest, err := c.largest(ctx, ds)
		if err != nil {
			return Choice{}, err
		}
		if largest < 0 {
			return Choice{Kind: NoDomain}, nil
		}
		return Choice{Kind: NoDomain, Largest: ds[largest].value, LargestPlaced: ds[largest].placed}, nil
	}
	d := ds[best]
	if t.Preferred != "" {
		inside, err := c.prefer(ctx, d.nodes, t.Preferred)
		if err != nil {
			return Choice{}, err
		}
		// The domain holds the gang, so its preferred domains and its
		// nodes without the preferred label do too; Anywhere cannot come
		// back, and would mean the whole required domain anyway.
		if inside.Kind == Chosen {
			inside.Domain = d.value
			return inside, nil
		}
	}
	return Choice{Kind: Chosen, Domain: d.value, Nodes: names(d.nodes)}, nil
}

// domain is one domain's nodes and the room counted on them.
type domain struct {
	value string
	nodes []fwk.NodeInfo
	// free is the member slots counted from requests (see the package
	// comment), an upper bound of placed.
	free int
	// placed is how many members Simulate placed, when counted: exact
	// when fewer than the need.
	placed  int
	counted bool
}

// split returns the domains of key on nodes, by value, and the nodes
// without the label.
func split(nodes []fwk.NodeInfo, key string) ([]domain, []fwk.NodeInfo) {
	byValue := map[string]int{}
	var ds []domain
	var rest []fwk.NodeInfo
	for _, ni := range nodes {
		n := ni.Node()
		if n == nil {
			continue
		}
		v, ok := n.Labels[key]
		if !ok {
			rest = append(rest, ni)
			continue
		}
		i, ok := byValue[v]
		if !ok {
			i = len(ds)
			byValue[v] = i
			ds = append(ds, domain{value: v})
		}
		ds[i].nodes = append(ds[i].nodes, ni)
	}
	slices.SortFunc(ds, func(a, b domain) int { return cmp.Compare(a.value, b.value) })
	return ds, rest
}

// chooser is one Choose call's question and the member's requests.
type chooser struct {
	runner  placement.Runner
	q       placement.Question
	request fwk.Resource
	policy  policy
}

// bestFit returns the index of the best-fit domain, -1 when none holds the
// gang. Domains are tried in order of room over, so the first that holds
// the gang is the best; the free slots bound what Simulate can place, so a
// domain with fewer free slots than the need is never tried. Under
// firstFitPolicy, domains are tried in order of value instead.
func (c *chooser) bestFit(ctx context.Context, ds []domain) (int, error) {
	var order []int
	for i := range ds {
		ds[i].free = c.free(ds[i].nodes)
		if ds[i].free >= c.q.Need {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		if c.policy == firstFitPolicy {
			return cmp.Compare(ds[a].value, ds[b].value)
		}
		return cmp.Or(cmp.Compare(ds[a].free, ds[b].free), cmp.Compare(ds[a].value, ds[b].value))
	})
	for _, i := range order {
		if err := c.count(ctx, &ds[i]); err != nil {
			return -1, err
		}
		if ds[i].placed >= c.q.Need {
			return i, nil
		}
	}
	return -1, nil
}

// largest counts the room of every domain, none of which holds the gang,
// and returns the index of the one with the most (ties: smallest value; -1:
// no domain).
func (c *chooser) largest(ctx context.Context, ds []domain) (int, error) {
	largest := -1
	for i := range ds {
		if err := c.count(ctx, &ds[i]); err != nil {
			return -1, err
		}
		if largest < 0 || ds[i].placed > ds[largest].placed {
			largest = i
		}
	}
	return largest, nil
}

// count sets how many members d holds, up to the need.
func (c *chooser) count(ctx context.Context, d *domain) error {
	if d.counted {
		return nil
	}
	if d.free == 0 {
		// Nothing fits by requests alone, so no copy would be placed.
		d.counted = true
		return nil
	}
	n, err := c.room(ctx, d.nodes, c.q.Need)
	if err != nil {
		return err
	}
	d.placed, d.counted = n, true
	return nil
}

// prefer chooses as few domains of key on nodes as hold the gang.
func (c *chooser) prefer(ctx context.Context, nodes []fwk.NodeInfo, key string) (Choice, error) {
	ds, rest := split(nodes, key)
	best, err := c.bestFit(ctx, ds)
	if err != nil {
		return Choice{}, err
	}
	if best >= 0 {
		return Choice{Kind: Chosen, Preferred: []string{ds[best].value}, Nodes: names(ds[best].nodes)}, nil
	}
	// No domain holds the gang alone: count each, largest first.
	if _, err := c.largest(ctx, ds); err != nil {
		return Choice{}, err
	}
	slices.SortStableFunc(ds, func(a, b domain) int { return cmp.Compare(b.placed, a.placed) })
	out := Choice{Kind: Chosen, Nodes: sets.New[string]()}
	placed := 0
	for _, d := range ds {
		if placed >= c.q.Need || d.placed == 0 {
			break
		}
		placed += d.placed
		out.Preferred = append(out.Preferred, d.value)
		for _, ni := range d.nodes {
			out.Nodes.Insert(ni.Node().Name)
		}
	}
	if placed < c.q.Need && len(rest) > 0 {
		n, err := c.room(ctx, rest, c.q.Need-placed)
		if err != nil {
			return Choice{}, err
		}
		placed += n
		for _, ni := range rest {
			out.Nodes.Insert(ni.Node().Name)
		}
	}
	if placed < c.q.Need {
		return Choice{Kind: Anywhere}, nil
	}
	return out, nil
}

// room returns how many members nodes hold, at most limit.
func (c *chooser) room(ctx context.Context, nodes []fwk.NodeInfo, limit int) (int, error) {
	q := c.q
	q.Need = limit
	ans, err := placement.Simulate(ctx, c.runner, nodes, q)
	if err != nil {
		return 0, err
	}
	return ans.Placed, nil
}

// free returns the member slots of nodes counted from requests alone.
func (c *chooser) free(nodes []fwk.NodeInfo) int {
	total := 0
	for _, ni := range nodes {
		if c.q.UseNode != nil && !c.q.UseNode(ni.Node()) {
			continue
		}
		total += c.slots(ni)
	}
	return total
}

// slots returns how many copies of the member fit in what ni's allocatable
// leaves free, by requests and pod count.
func (c *chooser) slots(ni fwk.NodeInfo) int {
	alloc, used := ni.GetAllocatable(), ni.GetRequested()
	cpu, mem, eph := alloc.GetMilliCPU()-used.GetMilliCPU(), alloc.GetMemory()-used.GetMemory(), alloc.GetEphemeralStorage()-used.GetEphemeralStorage()
	pods := alloc.GetAllowedPodNumber() - len(ni.GetPods())
	var scalar map[v1.ResourceName]int64
	if c.q.Gone != nil {
		for _, pi := range ni.GetPods() {
			if !c.q.Gone(pi.GetPod()) {
				continue
			}
			r := pi.CalculateResource().Resource
			cpu, mem, eph, pods = cpu+r.GetMilliCPU(), mem+r.GetMemory(), eph+r.GetEphemeralStorage(), pods+1
			for name, v := range r.GetScalarResources() {
				if scalar == nil {
					scalar = map[v1.ResourceName]int64{}
				}
				scalar[name] += v
			}
		}
	}
	n := int64(max(pods, 0))
	fit := func(free, req int64) {
		if req > 0 {
			n = min(n, max(free, 0)/req)
		}
	}
	fit(cpu, c.request.GetMilliCPU())
	fit(mem, c.request.GetMemory())
	fit(eph, c.request.GetEphemeralStorage())
	for name, req := range c.request.GetScalarResources() {
		fit(alloc.GetScalarResources()[name]-used.GetScalarResources()[name]+scalar[name], req)
	}
	return int(n)
}

// chooseUnjudged keeps a member that placement cannot judge to one domain
// of key: the one with the most nodes on which one member passes the
// filters. What q treats as gone is not looked at.
func chooseUnjudged(ctx context.Context, runner placement.Runner, nodes []fwk.NodeInfo, q placement.Question, key string) Choice {
	ds, _ := split(nodes, key)
	if len(ds) == 0 {
		return Choice{Kind: NoDomain}
	}
	state := q.State.Clone()
	best := 0
	for i := range ds {
		for _, ni := range ds[i].nodes {
			if q.UseNode != nil && !q.UseNode(ni.Node()) {
				continue
			}
			if runner.RunFilterPlugins(ctx, state, q.Member, ni).IsSuccess() {
				ds[i].placed++
			}
		}
		if ds[i].placed > ds[best].placed {
			best = i
		}
	}
	if ds[best].placed == 0 {
		return Choice{Kind: NoDomain, Largest: ds[best].value}
	}
	return Choice{Kind: Unknown, Domain: ds[best].value, Nodes: names(ds[best].nodes)}
}

// checkPair returns an error when the nodes show t's preferred key to be
// coarser than its required key (see the package comment).
func checkPair(nodes []fwk.NodeInfo, t gang.Topology) error {
	inside := map[string]string{}          // required value -> its preferred value
	holds := map[string]sets.Set[string]{} // preferred value -> required values
	for _, ni := range nodes {
		n := ni.Node()
		if n == nil {
			continue
		}
		r, okR := n.Labels[t.Required]
		p, okP := n.Labels[t.Preferred]
		if !okR || !okP {
			continue
		}
		if prev, ok := inside[r]; ok && prev != p {
			// A required domain spans preferred domains: the preferred key
			// is not coarser.
			return nil
		}
		inside[r] = p
		if holds[p] == nil {
			holds[p] = sets.New[string]()
		}
		holds[p].Insert(r)
	}
	for _, p := range sets.List(sets.KeySet(holds)) {
		if rs := sets.List(holds[p]); len(rs) > 1 {
			return gang.CoarserPairError(t, p, rs[0], rs[1])
		}
	}
	return nil
}

// names returns the names of nodes.
func names(nodes []fwk.NodeInfo) sets.Set[string] {
	s := sets.New[string]()
	for _, ni := range nodes {
		s.Insert(ni.Node().Name)
	}
	return s
}
