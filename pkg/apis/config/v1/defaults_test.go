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
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

func TestSetDefaultsWorkloadGangArgs(t *testing.T) {
	tests := []struct {
		name string
		in   *WorkloadGangArgs
		want *WorkloadGangArgs
	}{
		{
			name: "all fields unset get the defaults",
			in:   &WorkloadGangArgs{},
			want: &WorkloadGangArgs{
				PermitTimeoutSeconds:    ptr.To[int64](300),
				BackoffInitialSeconds:   ptr.To[int64](1),
				BackoffMaxSeconds:       ptr.To[int64](60),
				StarvingGangHoldSeconds: ptr.To[int64](30),
			},
		},
		{
			name: "explicit values are kept",
			in: &WorkloadGangArgs{
				PermitTimeoutSeconds:    ptr.To[int64](30),
				BackoffInitialSeconds:   ptr.To[int64](5),
				BackoffMaxSeconds:       ptr.To[int64](120),
				StarvingGangHoldSeconds: ptr.To[int64](10),
			},
			want: &WorkloadGangArgs{
				PermitTimeoutSeconds:    ptr.To[int64](30),
				BackoffInitialSeconds:   ptr.To[int64](5),
				BackoffMaxSeconds:       ptr.To[int64](120),
				StarvingGangHoldSeconds: ptr.To[int64](10),
			},
		},
		{
			name: "explicit zero values are kept, for validation to reject",
			in: &WorkloadGangArgs{
				PermitTimeoutSeconds:    ptr.To[int64](0),
				BackoffInitialSeconds:   ptr.To[int64](0),
				BackoffMaxSeconds:       ptr.To[int64](0),
				StarvingGangHoldSeconds: ptr.To[int64](0),
			},
			want: &WorkloadGangArgs{
				PermitTimeoutSeconds:    ptr.To[int64](0),
				BackoffInitialSeconds:   ptr.To[int64](0),
				BackoffMaxSeconds:       ptr.To[int64](0),
				StarvingGangHoldSeconds: ptr.To[int64](0),
			},
		},
		{
			name: "only permitTimeoutSeconds set",
			in:   &WorkloadGangArgs{PermitTimeoutSeconds: ptr.To[int64](30)},
			want: &WorkloadGangArgs{
				PermitTimeoutSeconds:    ptr.To[int64](30),
				BackoffInitialSeconds:   ptr.To[int64](1),
				BackoffMaxSeconds:       ptr.To[int64](60),
				StarvingGangHoldSeconds: ptr.To[int64](30),
			},
		},
		{
			name: "only backoff fields set",
			in: &WorkloadGangArgs{
				BackoffInitialSeconds: ptr.To[int64](2),
				BackoffMaxSeconds:     ptr.To[int64](600),
			},
			want: &WorkloadGangArgs{
				PermitTimeoutSeconds:    ptr.To[int64](300),
				BackoffInitialSeconds:   ptr.To[int64](2),
				BackoffMaxSeconds:       ptr.To[int64](600),
				StarvingGangHoldSeconds: ptr.To[int64](30),
			},
		},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Run("SetDefaults", func(t *testing.T) {
				got := tc.in.DeepCopy()
				SetDefaults_WorkloadGangArgs(got)
				assert.Equal(t, tc.want, got)
			})
			t.Run("scheme", func(t *testing.T) {
				// The defaulter must be registered by AddToScheme, since
				// that is how the kube-scheduler applies it.
				scheme := runtime.NewScheme()
				require.NoError(t, AddToScheme(scheme))
				got := tc.in.DeepCopy()
				scheme.Default(got)
				assert.Equal(t, tc.want, got)
			})
		})
	}
}
