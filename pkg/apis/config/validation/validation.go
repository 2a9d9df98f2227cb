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

// Package validation validates the internal WorkloadGang plugin args.
package validation

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gangsched/gangsched/pkg/apis/config"
)

// Inclusive bounds of the WorkloadGangArgs fields.
const (
	minPermitTimeoutSeconds = 1
	// maxPermitTimeoutSeconds is 15 minutes, the longest wait the scheduler
	// framework allows a Permit plugin to request.
	maxPermitTimeoutSeconds = 900

	minBackoffInitialSeconds = 1
	maxBackoffInitialSeconds = 600

	minBackoffMaxSeconds = 1
	maxBackoffMaxSeconds = 3600

	minStarvingGangHoldSeconds = 0
	// maxStarvingGangHoldSeconds matches maxPermitTimeoutSeconds: a round
	// never outlives its Permit timeout anyway.
	maxStarvingGangHoldSeconds = 900
)

// ValidateWorkloadGangArgs validates the (defaulted, internal) args of the
// WorkloadGang plugin. path is the location of the args in the enclosing
// configuration, e.g. field.NewPath("pluginConfig").Index(0).Child("args");
// it may be nil. All problems are reported together as a field error
// aggregate, each naming its field path, e.g.
//
//	pluginConfig[0].args.permitTimeoutSeconds: Invalid value: 0: must be in the range [1, 900]
//
// It returns nil when the args are valid.
func ValidateWorkloadGangArgs(path *field.Path, args *config.WorkloadGangArgs) error {
	var errs field.ErrorList
	if args == nil {
		errs = append(errs, field.Required(path, "WorkloadGangArgs must be set"))
		return errs.ToAggregate()
	}

	errs = append(errs, validateRange(path.Child("permitTimeoutSeconds"), args.PermitTimeoutSeconds,
		minPermitTimeoutSeconds, maxPermitTimeoutSeconds)...)
	backoffErrs := validateRange(path.Child("backoffInitialSeconds"), args.BackoffInitialSeconds,
		minBackoffInitialSeconds, maxBackoffInitialSeconds)
	backoffErrs = append(backoffErrs, validateRange(path.Child("backoffMaxSeconds"), args.BackoffMaxSeconds,
		minBackoffMaxSeconds, maxBackoffMaxSeconds)...)
	errs = append(errs, backoffErrs...)
	errs = append(errs, validateRange(path.Child("starvingGangHoldSeconds"), args.StarvingGangHoldSeconds,
		minStarvingGangHoldSeconds, maxStarvingGangHoldSeconds)...)
	// The relation between the backoff bounds is only meaningful, and only
	// reported, when each of them is in range.
	if len(backoffErrs) == 0 && args.BackoffMaxSeconds < args.BackoffInitialSeconds {
		errs = append(errs, field.Invalid(path.Child("backoffMaxSeconds"), args.BackoffMaxSeconds,
			fmt.Sprintf("must be greater than or equal to backoffInitialSeconds (%d)", args.BackoffInitialSeconds)))
	}
	return errs.ToAggregate()
}

// validateRange reports an Invalid error at fldPath unless lo <= value <= hi.
func validateRange(fldPath *field.Path, value, lo, hi int64) field.ErrorList {
	if value < lo || value > hi {
		return field.ErrorList{field.Invalid(fldPath, value, fmt.Sprintf("must be in the range [%d, %d]", lo, hi))}
	}
	return nil
}
