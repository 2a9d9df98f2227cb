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

package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// WorkloadGangArgs holds the arguments used to configure the WorkloadGang
// plugin, as written in the args of a KubeSchedulerConfiguration
// pluginConfig entry named "WorkloadGang". Unset fields are defaulted by
// SetDefaults_WorkloadGangArgs.
type WorkloadGangArgs struct {
	metav1.TypeMeta `json:",inline"`

	// PermitTimeoutSeconds is how long, in seconds, a gang member that has
	// been reserved waits at the Permit extension point for the rest of its
	// gang before it is rejected and its reservation is released.
	// Valid range: 1 to 900 inclusive (the scheduler framework caps Permit
	// waits at 15 minutes). Defaults to 300.
	// +optional
	PermitTimeoutSeconds *int64 `json:"permitTimeoutSeconds,omitempty"`

	// BackoffInitialSeconds is the initial back-off, in seconds, applied to
	// a gang after it has been rejected (for example after a Permit
	// timeout). It is used by gang backoff, which never waits longer than
	// BackoffMaxSeconds.
	// Valid range: 1 to 600 inclusive. Defaults to 1.
	// +optional
	BackoffInitialSeconds *int64 `json:"backoffInitialSeconds,omitempty"`

	// BackoffMaxSeconds is the upper bound, in seconds, of the gang back-off
	// used by gang backoff.
	// Valid range: 1 to 3600 inclusive, and it must be greater than or equal
	// to backoffInitialSeconds. Defaults to 60.
	// +optional
	BackoffMaxSeconds *int64 `json:"backoffMaxSeconds,omitempty"`

	// StarvingGangHoldSeconds bounds how long the oldest starving gang keeps
	// the members it has reserved while it waits for room for the rest. A
	// gang starves once it has given its room back (its round was rejected)
	// and is the oldest gang with members waiting at Permit: instead of
	// giving its room back again to younger gangs and pods, it keeps it for
	// as long as members keep joining it, and gives it back once none has
	// joined for this many seconds (or at the Permit timeout). This bounds
	// how long a large gang waits behind a stream of smaller ones, while a
	// gang that can never fit holds what it reserved for at most this long
	// per attempt. 0 disables holding: every gang short of room is rejected
	// at once.
	// Valid range: 0 to 900 inclusive. Defaults to 30.
	// +optional
	StarvingGangHoldSeconds *int64 `json:"starvingGangHoldSeconds,omitempty"`
}
