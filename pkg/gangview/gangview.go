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
	"encoding/json"
	"fmt"
	"slices"

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
	// StatePreempting: the gang preempted lower-priority pods and waits for
	// them to terminate (a pending member's message says how many).
	StatePreempting State = "Preempting"
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
	statusPreempting      = "preempting"
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
