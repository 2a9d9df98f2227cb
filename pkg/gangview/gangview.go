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

// Package gangview computes what kubectl-gang shows: one row per gang
// instance, from the Pods and the objects that declare gangs (the Source):
// a podGroup of a Workload (namespace, Workload, podGroup, replica key), or
// a scheduler-plugins PodGroup (namespace, PodGroup).
//
// For the gangs whose Workload asks a topology, AddDomains adds the domains
// (node label values) their bound members run in, from the Nodes.
//
// It counts members the way the scheduler does (gang.IsLiveMember) and words
// a gang's state with the pkg/gang messages, so the CLI and the scheduler's
// pod conditions agree. What the scheduler keeps in memory (which members
// hold a reservation at Permit) is not observable from the API; for it the
// view relies on the PodScheduled condition the scheduler writes on pending
// members.
package gangview

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	v1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
)

// Source is the API that declares a row's gang. Its zero value is a
// Workload's podGroup, as gang.Source's is; its JSON form is the kind of the
// declaring object, "Workload" or "PodGroup".
//
// It is a struct, not a number, so that every encoder of a row calls
// MarshalJSON: the unstructured converter that -o custom-columns and
// --sort-by read rows through writes a number field's value as it is.
type Source struct {
	api gang.Source
}

var (
	// SourceWorkload: a podGroup of a scheduling.k8s.io/v1alpha1 Workload.
	SourceWorkload = Source{gang.SourceWorkload}
	// SourcePodGroup: a scheduler-plugins scheduling.x-k8s.io/v1alpha1
	// PodGroup.
	SourcePodGroup = Source{gang.SourcePodGroup}
)

// API returns the source as pkg/gang names it.
func (s Source) API() gang.Source {
	return s.api
}

// String returns the kind of the object that declares the gang.
func (s Source) String() string {
	return s.api.Kind()
}

// MarshalJSON writes the kind: scripts read "PodGroup", not a number.
func (s Source) MarshalJSON() ([]byte, error) {
	return json.Marshal(s.String())
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Source) UnmarshalJSON(b []byte) error {
	var kind string
	if err := json.Unmarshal(b, &kind); err != nil {
		return err
	}
	switch kind {
	case SourceWorkload.String():
		*s = SourceWorkload
	case SourcePodGroup.String():
		*s = SourcePodGroup
	default:
		return fmt.Errorf("unknown gang source %q: want %s or %s", kind, SourceWorkload, SourcePodGroup)
	}
	return nil
}

// Policy is a podGroup's scheduling policy as shown in a row.
type Policy string

const (
	// PolicyGang is an all-or-nothing group with a minCount.
	PolicyGang Policy = "gang"
	// PolicyBasic is a group whose pods schedule one by one.
	PolicyBasic Policy = "basic"
	// PolicyUnknown is shown while the Workload or its podGroup (or the
	// PodGroup) is missing.
	PolicyUnknown Policy = ""
)

// State is where a gang instance stands, for scripts (the Status phrase is
// for people).
type State string

const (
	// StateWorkloadMissing: pods reference a Workload that does not exist,
	// or join a PodGroup that does not exist (Source says which); the
	// scheduler holds them. gang.WaitingForWorkloadMessage words both.
	StateWorkloadMissing State = "WorkloadMissing"
	// StatePodGroupMissing: the Workload exists without the pods' podGroup;
	// the scheduler holds them until the Workload is recreated with it.
	StatePodGroupMissing State = "PodGroupMissing"
	// StateWaitingForPods: a gang has fewer live members than its minCount;
	// the scheduler holds them until the rest are created.
	StateWaitingForPods State = "WaitingForPods"
	// StateNoPods: a basic podGroup without pods.
	StateNoPods State = "NoPods"
	// StateScheduling: the scheduler is placing the members and none of the
	// pending ones reports a failure.
	StateScheduling State = "Scheduling"
	// StateUnschedulable: as StateScheduling, but a pending member's
	// PodScheduled condition says why its last attempt failed (Message).
	StateUnschedulable State = "Unschedulable"
	// StateRunning: a gang has at least minCount members bound, or every
	// member of a basic group is bound.
	StateRunning State = "Running"
)

// Short status phrases. The counted one comes from gang.WaitingForPodsPhrase.
const (
	statusWorkloadMissing = "waiting for Workload"
	statusPodGroupAbsent  = "waiting for PodGroup"
	statusPodGroupMissing = "Workload has no podGroup"
	statusNoPods          = "no pods"
	statusScheduling      = "scheduling"
	statusUnschedulable   = "unschedulable"
	statusRunning         = "running"
)

// Row is one gang instance. Its JSON form is kubectl-gang's -o json/yaml
// output; fields are only ever added.
type Row struct {
	Namespace string `json:"namespace"`
	// Source is the API that declares the gang.
	Source Source `json:"source"`
	// Workload is the Workload the members reference; empty for a PodGroup.
	Workload string `json:"workload"`
	// PodGroup is the podGroup of the Workload, or the name of the PodGroup
	// the members join.
	PodGroup string `json:"podGroup"`
	// ReplicaKey is the members' podGroupReplicaKey; empty for a PodGroup.
	ReplicaKey string `json:"replicaKey"`
	// Policy is empty while the Workload or its podGroup (or the PodGroup)
	// is missing; a PodGroup is always a gang.
	Policy Policy `json:"policy"`
	// MinCount is the gang's minCount; 0 unless Policy is gang.
	MinCount int `json:"minCount"`
	// Pods counts the live members: not being deleted, not Succeeded or Failed.
	Pods int `json:"pods"`
	// Bound counts the live members with a node.
	Bound int `json:"bound"`
	// State is where the gang stands.
	State State `json:"state"`
	// Status is a short phrase for a table column.
	Status string `json:"status"`
	// Message says what the gang waits for in the scheduler's words: the
	// message the scheduler writes for held pods, or the latest failure a
	// pending member's PodScheduled condition reports.
	Message string `json:"message,omitempty"`
	// Created is the Workload's (or PodGroup's) creation time, or the
	// oldest member's while it is missing.
	Created metav1.Time `json:"created"`
	// PodGroupPhase is the PodGroup's status.phase, as the PodGroup reports
	// it (the scheduler-plugins controller writes it; the view's State does
	// not depend on it). Empty for a Workload, or a missing PodGroup.
	PodGroupPhase podgroupv1alpha1.PodGroupPhase `json:"podGroupPhase,omitempty"`
	// Nodes lists, sorted, the nodes of the bound members.
	Nodes []string `json:"nodes,omitempty"`
	// PendingPods lists, sorted, the members without a node.
	PendingPods []string `json:"pendingPods,omitempty"`
	// TopologyKey is the node label key whose domains the gang is placed in
	// (the Workload's topology-required key, else its topology-preferred
	// one); empty when the gang asks none, its annotations are invalid, or
	// it is not a gang. Set by AddDomains.
	TopologyKey string `json:"topologyKey,omitempty"`
	// Domains lists, sorted and distinct, the TopologyKey label values of
	// the nodes of the bound members (Nodes); a node without the label adds
	// none. Set by AddDomains.
	Domains []string `json:"domains,omitempty"`
	// DomainsUnknown says that the gang asks a topology and has bound
	// members but the nodes could not be read, so Domains is empty for lack
	// of knowledge, not of domains.
	DomainsUnknown bool `json:"domainsUnknown,omitempty"`
}

// Key returns the gang instance the row shows. The key of a PodGroup holds
// its name in Workload, as gang.KeyForPod's does.
func (r *Row) Key() gang.GroupKey {
	if r.Source == SourcePodGroup {
		return gang.GroupKey{Source: gang.SourcePodGroup, Namespace: r.Namespace, Workload: r.PodGroup}
	}
	return gang.GroupKey{Namespace: r.Namespace, Workload: r.Workload, PodGroup: r.PodGroup, ReplicaKey: r.ReplicaKey}
}

// rowFor returns the names of a row of group key.
func rowFor(key gang.GroupKey) Row {
	if key.Source == gang.SourcePodGroup {
		return Row{Namespace: key.Namespace, Source: SourcePodGroup, PodGroup: key.Workload}
	}
	return Row{Namespace: key.Namespace, Workload: key.Workload, PodGroup: key.PodGroup, ReplicaKey: key.ReplicaKey}
}

// List is the -o json/yaml document: a versioned list of rows. It is the
// CLI's own format, not an object any API server serves.
//
// *List is a runtime.Object so that the printers of k8s.io/cli-runtime (json,
// yaml, jsonpath, go-template) take it as they take a kubectl list. It keeps
// its own apiVersion and kind fields rather than embedding metav1.TypeMeta:
// TypeMeta would print kind before apiVersion and reorder the documents
// scripts already read.
type List struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Items      []Row  `json:"items"`
}

var _ runtime.Object = &List{}

const (
	// ListAPIVersion versions List's schema.
	ListAPIVersion = "gangsched.io/v1alpha1"
	// ListKind is List's kind.
	ListKind = "GangList"
)

// NewList wraps rows in a List; items is never null.
func NewList(rows []Row) *List {
	if rows == nil {
		rows = []Row{}
	}
	return &List{APIVersion: ListAPIVersion, Kind: ListKind, Items: rows}
}

// GetObjectKind returns the list itself: it carries its apiVersion and kind.
func (l *List) GetObjectKind() schema.ObjectKind { return l }

// GroupVersionKind returns the list's apiVersion and kind.
func (l *List) GroupVersionKind() schema.GroupVersionKind {
	return schema.FromAPIVersionAndKind(l.APIVersion, l.Kind)
}

// SetGroupVersionKind sets the list's apiVersion and kind.
func (l *List) SetGroupVersionKind(gvk schema.GroupVersionKind) {
	l.APIVersion, l.Kind = gvk.ToAPIVersionAndKind()
}

// DeepCopyObject returns a copy that shares nothing with l.
func (l *List) DeepCopyObject() runtime.Object {
	if l == nil {
		return nil
	}
	out := &List{APIVersion: l.APIVersion, Kind: l.Kind}
	if l.Items != nil {
		out.Items = make([]Row, len(l.Items))
		for i := range l.Items {
			out.Items[i] = l.Items[i].DeepCopy()
		}
	}
	return out
}

// DeepCopy returns a copy of r that shares no slice with it.
func (r *Row) DeepCopy() Row {
	out := *r
	out.Created = *r.Created.DeepCopy()
	out.Nodes = slices.Clone(r.Nodes)
	out.PendingPods = slices.Clone(r.PendingPods)
	out.Domains = slices.Clone(r.Domains)
	return out
}

// TopologyKey returns the node label key whose domains the gangs of w are
// placed in: the required key if set, else the preferred one. It returns ""
// when w asks no topology or its annotations are invalid (the scheduler
// then places none of its gangs; the Workload's InvalidAnnotation Event and
// the members' message say why).
func TopologyKey(w metav1.Object) string {
	t, err := gang.TopologyOf(w)
	if err != nil {
		return ""
	}
	return cmp.Or(t.Required, t.Preferred)
}

// NeedsNodes reports whether AddDomains would read the labels of a node for
// rows: some row is a gang whose Workload or PodGroup asks a topology and
// has a bound member. Callers read the nodes only then.
func NeedsNodes(rows []Row, workloads []*schedulingv1alpha1.Workload, podGroups []*podgroupv1alpha1.PodGroup) bool {
	keys := topologyKeys(workloads, podGroups)
	return slices.ContainsFunc(rows, func(r Row) bool {
		return len(r.Nodes) > 0 && rowTopologyKey(&r, keys) != ""
	})
}

// AddDomains sets the TopologyKey, Domains and DomainsUnknown of each row
// (those of rows that are not gangs, or whose Workload asks no topology,
// are cleared). nodeLabels maps a node's name to its labels; nil means that
// the nodes could not be read, and every gang that asks a topology and has
// a bound member then says DomainsUnknown. A node missing from a non-nil
// nodeLabels has no label.
func AddDomains(rows []Row, workloads []*schedulingv1alpha1.Workload, podGroups []*podgroupv1alpha1.PodGroup, nodeLabels map[string]map[string]string) {
	keys := topologyKeys(workloads, podGroups)
	for i := range rows {
		r := &rows[i]
		r.TopologyKey = rowTopologyKey(r, keys)
		r.Domains, r.DomainsUnknown = nil, false
		if r.TopologyKey == "" || len(r.Nodes) == 0 {
			continue
		}
		if nodeLabels == nil {
			r.DomainsUnknown = true
			continue
		}
		for _, n := range r.Nodes {
			if v, ok := nodeLabels[n][r.TopologyKey]; ok {
				r.Domains = append(r.Domains, v)
			}
		}
		slices.Sort(r.Domains)
		r.Domains = slices.Compact(r.Domains)
	}
}

// topologyKeys returns the topology key of each Workload that asks one.
func topologyKeys(workloads []*schedulingv1alpha1.Workload, podGroups []*podgroupv1alpha1.PodGroup) map[gang.WorkloadKey]string {
	keys := map[gang.WorkloadKey]string{}
	for _, w := range workloads {
		if k := TopologyKey(w); k != "" {
			keys[gang.WorkloadKey{Namespace: w.Namespace, Name: w.Name}] = k
		}
	}
	for _, pg := range podGroups {
		if k := TopologyKey(pg); k != "" {
			keys[gang.WorkloadKey{Source: gang.SourcePodGroup, Namespace: pg.Namespace, Name: pg.Name}] = k
		}
	}
	return keys
}

// rowTopologyKey is the topology key of a row: only gangs are placed in
// domains (a basic podGroup's pods schedule one by one, wherever they fit).
func rowTopologyKey(r *Row, keys map[gang.WorkloadKey]string) string {
	if r.Policy != PolicyGang {
		return ""
	}
	return keys[r.Key().WorkloadKey()]
}

// builder accumulates one gang instance while the pods are scanned.
type builder struct {
	row       Row
	oldestPod time.Time
	nodes     map[string]struct{}
	// msg is the latest non-held message of a pending member, and when it
	// was written; name breaks ties so the result does not depend on order.
	msg     string
	msgTime time.Time
	msgPod  string
}

// Rows returns the rows of the Workloads' gangs, as RowsWithPodGroups
// does, leaving out the pods that join a PodGroup: the view of a cluster
// without PodGroups.
func Rows(workloads []*schedulingv1alpha1.Workload, pods []*v1.Pod) []Row {
	return rows(workloads, nil, false, pods)
}

// RowsWithPodGroups returns one row per gang instance, of both sources,
// sorted by namespace, source (Workloads first), Workload, podGroup (or
// PodGroup) and replica key:
//   - every group instance with live members, whether or not the object
//     that declares it exists (the "why is my pod Pending" case);
//   - every podGroup of a Workload that has no live member, with replica
//     key "" and no pods;
//   - every PodGroup that has no live member.
//
// Pods of no gang are ignored, as are the Ambiguous ones (AmbiguousPods
// lists those). podGroups nil means no PodGroup exists (the API server
// does not serve them): the pods that join one wait for it.
func RowsWithPodGroups(workloads []*schedulingv1alpha1.Workload, podGroups []*podgroupv1alpha1.PodGroup, pods []*v1.Pod) []Row {
	return rows(workloads, podGroups, true, pods)
}

// rows computes the rows of the gangs of Workloads and, withPodGroups, of
// PodGroups.
func rows(workloads []*schedulingv1alpha1.Workload, podGroups []*podgroupv1alpha1.PodGroup, withPodGroups bool, pods []*v1.Pod) []Row {
	byKey := make(map[gang.WorkloadKey]*schedulingv1alpha1.Workload, len(workloads))
	for _, w := range workloads {
		byKey[gang.WorkloadKey{Namespace: w.Namespace, Name: w.Name}] = w
	}
	pgByKey := make(map[gang.WorkloadKey]*podgroupv1alpha1.PodGroup, len(podGroups))
	for _, pg := range podGroups {
		pgByKey[gang.WorkloadKey{Source: gang.SourcePodGroup, Namespace: pg.Namespace, Name: pg.Name}] = pg
	}
	groups := map[gang.GroupKey]*builder{}
	// withMembers records the (namespace, Workload, podGroup) and the
	// PodGroups that have members.
	withMembers := map[gang.GroupKey]struct{}{}
	for _, pod := range pods {
		key, ok := gang.KeyForPod(pod)
		if !ok || !gang.IsLiveMember(pod) || (key.Source == gang.SourcePodGroup && !withPodGroups) {
			continue
		}
		b := groups[key]
		if b == nil {
			b = &builder{row: rowFor(key), nodes: map[string]struct{}{}}
			groups[key] = b
			withMembers[gang.GroupKey{Source: key.Source, Namespace: key.Namespace, Workload: key.Workload, PodGroup: key.PodGroup}] = struct{}{}
		}
		b.addPod(key, pod)
	}
	for _, w := range workloads {
		for _, pg := range w.Spec.PodGroups {
			key := gang.GroupKey{Namespace: w.Namespace, Workload: w.Name, PodGroup: pg.Name}
			if _, ok := withMembers[key]; ok {
				continue
			}
			groups[key] = &builder{row: rowFor(key)}
		}
	}
	for _, pg := range podGroups {
		key := gang.GroupKey{Source: gang.SourcePodGroup, Namespace: pg.Namespace, Workload: pg.Name}
		if _, ok := withMembers[key]; ok {
			continue
		}
		groups[key] = &builder{row: rowFor(key)}
	}
	rows := make([]Row, 0, len(groups))
	for key, b := range groups {
		if key.Source == gang.SourcePodGroup {
			rows = append(rows, b.finishPodGroup(key, pgByKey[key.WorkloadKey()]))
			continue
		}
		rows = append(rows, b.finish(key, byKey[key.WorkloadKey()]))
	}
	slices.SortFunc(rows, func(a, b Row) int {
		return cmp.Or(
			cmp.Compare(a.Namespace, b.Namespace),
			cmp.Compare(a.Source.api, b.Source.api),
			cmp.Compare(a.Workload, b.Workload),
			cmp.Compare(a.PodGroup, b.PodGroup),
			cmp.Compare(a.ReplicaKey, b.ReplicaKey),
		)
	})
	return rows
}

// AmbiguousPod is a live pod that names both a Workload and a PodGroup
// (gang.Ambiguous): it counts in no gang, and the scheduler holds it.
type AmbiguousPod struct {
	Namespace string
	Name      string
	// Workload is the Workload of its spec.workloadRef.
	Workload string
	// PodGroup is the PodGroup of its label.
	PodGroup string
	// Message says so, in the scheduler's words (gang.AmbiguousMessage).
	Message string
}

// AmbiguousPods returns the live Ambiguous pods, sorted by namespace and
// name. No row counts them, so a view shows them apart.
func AmbiguousPods(pods []*v1.Pod) []AmbiguousPod {
	var out []AmbiguousPod
	for _, pod := range pods {
		if !gang.Ambiguous(pod) || !gang.IsLiveMember(pod) {
			continue
		}
		out = append(out, AmbiguousPod{
			Namespace: pod.Namespace, Name: pod.Name,
			Workload: pod.Spec.WorkloadRef.Name, PodGroup: pod.Labels[podgroupv1alpha1.PodGroupLabel],
			Message: gang.AmbiguousMessage(pod),
		})
	}
	slices.SortFunc(out, func(a, b AmbiguousPod) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// addPod counts a live member of the group.
func (b *builder) addPod(key gang.GroupKey, pod *v1.Pod) {
	b.row.Pods++
	if t := pod.CreationTimestamp.Time; b.oldestPod.IsZero() || t.Before(b.oldestPod) {
		b.oldestPod = t
	}
	if pod.Spec.NodeName != "" {
		b.row.Bound++
		b.nodes[pod.Spec.NodeName] = struct{}{}
		return
	}
	b.row.PendingPods = append(b.row.PendingPods, pod.Name)
	c := scheduledCondition(pod)
	if c == nil || c.Status != v1.ConditionFalse || c.Message == "" || isHeldMessage(key, c.Message) {
		return
	}
	t := c.LastTransitionTime.Time
	if b.msg == "" || t.After(b.msgTime) || (t.Equal(b.msgTime) && pod.Name < b.msgPod) {
		b.msg, b.msgTime, b.msgPod = c.Message, t, pod.Name
	}
}

// isHeldMessage reports whether msg is one the scheduler writes for a pod it
// holds at PreEnqueue. The view derives those from the current objects
// instead: a held pod keeps its message after it is released (until the
// scheduler writes another), and its counts are those of the moment it was
// written.
func isHeldMessage(key gang.GroupKey, msg string) bool {
	return msg == gang.WaitingForWorkloadMessage(key.WorkloadKey()) ||
		msg == gang.MissingPodGroupMessage(key.WorkloadKey(), key.PodGroup) ||
		gang.IsWaitingForPodsMessage(key, msg)
}

// members returns the row with its member lists sorted, aged by the oldest
// member.
func (b *builder) members() Row {
	r := b.row
	slices.Sort(r.PendingPods)
	for n := range b.nodes {
		r.Nodes = append(r.Nodes, n)
	}
	slices.Sort(r.Nodes)
	r.Created = metav1.NewTime(b.oldestPod)
	return r
}

// finishPodGroup fills in the policy and state of a PodGroup's gang, given
// the PodGroup (nil if missing).
func (b *builder) finishPodGroup(key gang.GroupKey, pg *podgroupv1alpha1.PodGroup) Row {
	r := b.members()
	if pg == nil {
		r.State, r.Status, r.Message = StateWorkloadMissing, statusPodGroupAbsent, gang.WaitingForWorkloadMessage(key.WorkloadKey())
		return r
	}
	r.Created = pg.CreationTimestamp
	r.PodGroupPhase = pg.Status.Phase
	r.Message = b.msg
	b.gangState(&r, key, gang.PodGroupMinCount(pg))
	return r
}

// finish fills in the policy and state of a Workload's group, given the
// Workload (nil if missing).
func (b *builder) finish(key gang.GroupKey, w *schedulingv1alpha1.Workload) Row {
	r := b.members()
	if w == nil {
		r.State, r.Status, r.Message = StateWorkloadMissing, statusWorkloadMissing, gang.WaitingForWorkloadMessage(key.WorkloadKey())
		return r
	}
	r.Created = w.CreationTimestamp
	pg, ok := gang.FindPodGroup(w, key.PodGroup)
	if !ok {
		r.State, r.Status, r.Message = StatePodGroupMissing, statusPodGroupMissing, gang.MissingPodGroupMessage(key.WorkloadKey(), key.PodGroup)
		return r
	}
	r.Message = b.msg
	minCount, isGang := gang.MinCount(pg)
	if !isGang {
		r.Policy = PolicyBasic
		switch {
		case r.Pods == 0:
			r.State, r.Status = StateNoPods, statusNoPods
		case r.Bound == r.Pods:
			r.State, r.Status = StateRunning, statusRunning
		default:
			r.State, r.Status = b.placing()
		}
		return r
	}
	b.gangState(&r, key, minCount)
	return r
}

// gangState sets the policy and state of a gang of minCount whose object
// exists.
func (b *builder) gangState(r *Row, key gang.GroupKey, minCount int) {
	r.Policy, r.MinCount = PolicyGang, minCount
	switch {
	case r.Pods < minCount:
		r.State, r.Status, r.Message = StateWaitingForPods, gang.WaitingForPodsPhrase(r.Pods, minCount), gang.WaitingForPodsMessage(key, r.Pods, minCount)
	case r.Bound >= minCount:
		r.State, r.Status = StateRunning, statusRunning
	default:
		r.State, r.Status = b.placing()
	}
}

// placing is the state of a group whose members are being placed: whether a
// pending member reports a failure.
func (b *builder) placing() (State, string) {
	if b.msg != "" {
		return StateUnschedulable, statusUnschedulable
	}
	return StateScheduling, statusScheduling
}

func scheduledCondition(pod *v1.Pod) *v1.PodCondition {
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == v1.PodScheduled {
			return &pod.Status.Conditions[i]
		}
	}
	return nil
}
