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
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

const (
	// DefaultPermitTimeoutSeconds is the default of
	// WorkloadGangArgs.PermitTimeoutSeconds.
	DefaultPermitTimeoutSeconds int64 = 300
	// DefaultBackoffInitialSeconds is the default of
	// WorkloadGangArgs.BackoffInitialSeconds.
	DefaultBackoffInitialSeconds int64 = 1
	// DefaultBackoffMaxSeconds is the default of
	// WorkloadGangArgs.BackoffMaxSeconds.
	DefaultBackoffMaxSeconds int64 = 60
	// DefaultStarvingGangHoldSeconds is the default of
	// WorkloadGangArgs.StarvingGangHoldSeconds.
	DefaultStarvingGangHoldSeconds int64 = 30
)

// addDefaultingFuncs registers the generated defaulters, which call the
// SetDefaults_* functions of this package, with the given scheme.
func addDefaultingFuncs(scheme *runtime.Scheme) error {
	return RegisterDefaults(scheme)
}

// SetDefaults_WorkloadGangArgs sets the defaults of the unset fields of a
// WorkloadGangArgs: PermitTimeoutSeconds 300, BackoffInitialSeconds 1,
// BackoffMaxSeconds 60 and StarvingGangHoldSeconds 30. Fields that are already set are kept as they are.
func SetDefaults_WorkloadGangArgs(obj *WorkloadGangArgs) {
	if obj.PermitTimeoutSeconds == nil {
		obj.PermitTimeoutSeconds = ptr.To(DefaultPermitTimeoutSeconds)
	}
	if obj.BackoffInitialSeconds == nil {
		obj.BackoffInitialSeconds = ptr.To(DefaultBackoffInitialSeconds)
	}
	if obj.BackoffMaxSeconds == nil {
		obj.BackoffMaxSeconds = ptr.To(DefaultBackoffMaxSeconds)
	}
	if obj.StarvingGangHoldSeconds == nil {
		obj.StarvingGangHoldSeconds = ptr.To(DefaultStarvingGangHoldSeconds)
	}
}
