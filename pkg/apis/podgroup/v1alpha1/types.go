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

// Package v1alpha1 holds the PodGroup API of kubernetes-sigs/scheduler-plugins
// (scheduling.x-k8s.io/v1alpha1), written from its published schema so that
// gangsched reads and writes the objects that Kubeflow Trainer, the training
// operator and the MPI operator create, without depending on that module.
//
// Only what gangsched reads or writes is declared; the API server keeps the
// rest (a client never sends fields it did not read: status is written with
// a merge patch of the fields below).
package v1alpha1

import (
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

const (
	// GroupName is the API group of PodGroups.
	GroupName = "scheduling.x-k8s.io"
	// Kind is the kind of a PodGroup.
	Kind = "PodGroup"
	// Resource is the plural resource name of PodGroups.
	Resource = "podgroups"
	// PodGroupLabel on a pod names the PodGroup, in the pod's namespace,
	// that the pod belongs to.
	PodGroupLabel = GroupName + "/pod-group"
)

// SchemeGroupVersion is the group version of PodGroups.
var SchemeGroupVersion = schema.GroupVersion{Group: GroupName, Version: "v1alpha1"}

// SchemeGroupVersionResource is the resource of PodGroups, for dynamic clients.
var SchemeGroupVersionResource = SchemeGroupVersion.WithResource(Resource)

// PodGroupPhase is the phase of a PodGroup, as scheduler-plugins' controller
// defines it.
type PodGroupPhase string

const (
	// PodGroupPending: fewer than minMember members are bound.
	PodGroupPending PodGroupPhase = "Pending"
	// PodGroupScheduling: at least minMember members are bound, fewer than
	// minMember run (or have succeeded).
	PodGroupScheduling PodGroupPhase = "Scheduling"
	// PodGroupRunning: at least minMember members run or have succeeded.
	PodGroupRunning PodGroupPhase = "Running"
	// PodGroupFinished: at least minMember members have succeeded.
	PodGroupFinished PodGroupPhase = "Finished"
	// PodGroupFailed: a member failed, and the members that ran number at
	// least minMember.
	PodGroupFailed PodGroupPhase = "Failed"
)

// PodGroup declares a gang: the pods labelled with its name, in its
// namespace.
type PodGroup struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   PodGroupSpec   `json:"spec,omitempty"`
	Status PodGroupStatus `json:"status,omitempty"`
}

// PodGroupSpec is what a PodGroup asks of the scheduler.
type PodGroupSpec struct {
	// MinMember is the gang's quorum: no member binds until this many can.
	MinMember int32 `json:"minMember,omitempty"`
	// MinResources, when set, is the room the gang needs in all: it is not
	// attempted while the cluster's free room cannot hold it.
	MinResources v1.ResourceList `json:"minResources,omitempty"`
	// ScheduleTimeoutSeconds is the gang's Permit timeout; the scheduler's
	// own when unset.
	ScheduleTimeoutSeconds *int32 `json:"scheduleTimeoutSeconds,omitempty"`
}

// PodGroupStatus is the state of a PodGroup, kept by the scheduler's leader.
type PodGroupStatus struct {
	Phase PodGroupPhase `json:"phase,omitempty"`
	// OccupiedBy names the owners of the members, "namespace/name" joined
	// by commas, as scheduler-plugins' controller writes it.
	OccupiedBy string `json:"occupiedBy,omitempty"`
	// Scheduled is the number of members bound to a node.
	Scheduled int32 `json:"scheduled,omitempty"`
	// Running is the number of members in phase Running.
	Running int32 `json:"running,omitempty"`
	// Succeeded is the number of members in phase Succeeded.
	Succeeded int32 `json:"succeeded,omitempty"`
	// Failed is the number of members in phase Failed.
	Failed int32 `json:"failed,omitempty"`
	// ScheduleStartTime is when the gang first had minMember members.
	ScheduleStartTime metav1.Time `json:"scheduleStartTime,omitempty"`
}

// PodGroupList is a list of PodGroups.
type PodGroupList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	Items []PodGroup `json:"items"`
}
