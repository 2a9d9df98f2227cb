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

package validation

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gangsched/gangsched/pkg/apis/config"
)

// validArgs returns valid args (the defaults) with mutate applied.
func validArgs(mutate func(*config.WorkloadGangArgs)) *config.WorkloadGangArgs {
	args := &config.WorkloadGangArgs{
		PermitTimeoutSeconds:    300,
		BackoffInitialSeconds:   1,
		BackoffMaxSeconds:       60,
		StarvingGangHoldSeconds: 30,
	}
	if mutate != nil {
		mutate(args)
	}
	return args
}

func TestValidateWorkloadGangArgs(t *testing.T) {
	path := field.NewPath("pluginConfig").Index(0).Child("args")

	tests := []struct {
		name string
		args *config.WorkloadGangArgs
		// wantErrs are the messages of the expected field errors, in order;
		// empty means the args are valid.
		wantErrs []string
	}{
		{
			name: "defaults are valid",
			args: validArgs(nil),
		},
		{
			name: "lower bounds are valid",
			args: validArgs(func(a *config.WorkloadGangArgs) {
				a.PermitTimeoutSeconds, a.BackoffInitialSeconds, a.BackoffMaxSeconds = 1, 1, 1
			}),
		},
		{
			name: "upper bounds are valid",
			args: validArgs(func(a *config.WorkloadGangArgs) {
				a.PermitTimeoutSeconds, a.BackoffInitialSeconds, a.BackoffMaxSeconds = 900, 600, 3600
			}),
		},
		{
			name: "backoffMaxSeconds equal to backoffInitialSeconds is valid",
			args: validArgs(func(a *config.WorkloadGangArgs) {
				a.BackoffInitialSeconds, a.BackoffMaxSeconds = 30, 30
			}),
		},
		{
			name:     "permitTimeoutSeconds below range",
			args:     validArgs(func(a *config.WorkloadGangArgs) { a.PermitTimeoutSeconds = 0 }),
			wantErrs: []string{"pluginConfig[0].args.permitTimeoutSeconds: Invalid value: 0: must be in the range [1, 900]"},
		},
		{
			name:     "permitTimeoutSeconds negative",
			args:     validArgs(func(a *config.WorkloadGangArgs) { a.PermitTimeoutSeconds = -5 }),
			wantErrs: []string{"pluginConfig[0].args.permitTimeoutSeconds: Invalid value: -5: must be in the range [1, 900]"},
		},
		{
			name:     "permitTimeoutSeconds above range",
			args:     validArgs(func(a *config.WorkloadGangArgs) { a.PermitTimeoutSeconds = 901 }),
			wantErrs: []string{"pluginConfig[0].args.permitTimeoutSeconds: Invalid value: 901: must be in the range [1, 900]"},
		},
		{
			name:     "backoffInitialSeconds below range",
			args:     validArgs(func(a *config.WorkloadGangArgs) { a.BackoffInitialSeconds = 0 }),
			wantErrs: []string{"pluginConfig[0].args.backoffInitialSeconds: Invalid value: 0: must be in the range [1, 600]"},
		},
		{
			name: "backoffInitialSeconds above range",
			args: validArgs(func(a *config.WorkloadGangArgs) {
				a.BackoffInitialSeconds, a.BackoffMaxSeconds = 601, 3600
			}),
			wantErrs: []string{"pluginConfig[0].args.backoffInitialSeconds: Invalid value: 601: must be in the range [1, 600]"},
		},
		{
			name:     "backoffMaxSeconds below range",
			args:     validArgs(func(a *config.WorkloadGangArgs) { a.BackoffInitialSeconds, a.BackoffMaxSeconds = 1, 0 }),
			wantErrs: []string{"pluginConfig[0].args.backoffMaxSeconds: Invalid value: 0: must be in the range [1, 3600]"},
		},
		{
			name: "starvingGangHoldSeconds 0 disables holding",
			args: validArgs(func(a *config.WorkloadGangArgs) { a.StarvingGangHoldSeconds = 0 }),
		},
		{
			name:     "starvingGangHoldSeconds negative",
			args:     validArgs(func(a *config.WorkloadGangArgs) { a.StarvingGangHoldSeconds = -1 }),
			wantErrs: []string{"pluginConfig[0].args.starvingGangHoldSeconds: Invalid value: -1: must be in the range [0, 900]"},
		},
		{
			name:     "starvingGangHoldSeconds above range",
			args:     validArgs(func(a *config.WorkloadGangArgs) { a.StarvingGangHoldSeconds = 901 }),
			wantErrs: []string{"pluginConfig[0].args.starvingGangHoldSeconds: Invalid value: 901: must be in the range [0, 900]"},
		},
		{
			name:     "backoffMaxSeconds above range",
			args:     validArgs(func(a *config.WorkloadGangArgs) { a.BackoffMaxSeconds = 3601 }),
			wantErrs: []string{"pluginConfig[0].args.backoffMaxSeconds: Invalid value: 3601: must be in the range [1, 3600]"},
		},
		{
			name: "backoffMaxSeconds below backoffInitialSeconds",
			args: validArgs(func(a *config.WorkloadGangArgs) {
				a.BackoffInitialSeconds, a.BackoffMaxSeconds = 10, 9
			}),
			wantErrs: []string{"pluginConfig[0].args.backoffMaxSeconds: Invalid value: 9: must be greater than or equal to backoffInitialSeconds (10)"},
		},
		{
			name: "out-of-range backoffInitialSeconds is not also compared with backoffMaxSeconds",
			args: validArgs(func(a *config.WorkloadGangArgs) {
				a.BackoffInitialSeconds, a.BackoffMaxSeconds = 700, 60
			}),
			wantErrs: []string{"pluginConfig[0].args.backoffInitialSeconds: Invalid value: 700: must be in the range [1, 600]"},
		},
		{
			name: "all errors are reported together",
			args: &config.WorkloadGangArgs{
				PermitTimeoutSeconds:  1000,
				BackoffInitialSeconds: 0,
				BackoffMaxSeconds:     4000,
			},
			wantErrs: []string{
				"pluginConfig[0].args.permitTimeoutSeconds: Invalid value: 1000: must be in the range [1, 900]",
				"pluginConfig[0].args.backoffInitialSeconds: Invalid value: 0: must be in the range [1, 600]",
				"pluginConfig[0].args.backoffMaxSeconds: Invalid value: 4000: must be in the range [1, 3600]",
			},
		},
		{
			name:     "nil args",
			args:     nil,
			wantErrs: []string{"pluginConfig[0].args: Required value: WorkloadGangArgs must be set"},
		},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateWorkloadGangArgs(path, tc.args)
			if len(tc.wantErrs) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			agg, ok := err.(interface{ Errors() []error })
			require.True(t, ok, "error %T is not an aggregate", err)
			var got []string
			for _, e := range agg.Errors() {
				got = append(got, e.Error())
			}
			assert.Equal(t, tc.wantErrs, got)
		})
	}
}

func TestValidateWorkloadGangArgsNilPath(t *testing.T) {
	err := ValidateWorkloadGangArgs(nil, validArgs(func(a *config.WorkloadGangArgs) { a.PermitTimeoutSeconds = 0 }))
	require.EqualError(t, err, "permitTimeoutSeconds: Invalid value: 0: must be in the range [1, 900]")
}
