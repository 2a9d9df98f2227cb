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

	"github.com/gangsched/gangsched/pkg/apis/config"
)

func newTestScheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	scheme := runtime.NewScheme()
	require.NoError(t, config.AddToScheme(scheme))
	require.NoError(t, AddToScheme(scheme))
	return scheme
}

func TestConvertWorkloadGangArgs(t *testing.T) {
	tests := []struct {
		name      string
		versioned *WorkloadGangArgs
		internal  *config.WorkloadGangArgs
	}{
		{
			name: "defaults",
			versioned: &WorkloadGangArgs{
				PermitTimeoutSeconds:    ptr.To[int64](300),
				BackoffInitialSeconds:   ptr.To[int64](1),
				BackoffMaxSeconds:       ptr.To[int64](60),
				StarvingGangHoldSeconds: ptr.To[int64](30),
			},
			internal: &config.WorkloadGangArgs{
				PermitTimeoutSeconds:    300,
				BackoffInitialSeconds:   1,
				BackoffMaxSeconds:       60,
				StarvingGangHoldSeconds: 30,
			},
		},
		{
			name: "custom values",
			versioned: &WorkloadGangArgs{
				PermitTimeoutSeconds:    ptr.To[int64](30),
				BackoffInitialSeconds:   ptr.To[int64](5),
				BackoffMaxSeconds:       ptr.To[int64](120),
				StarvingGangHoldSeconds: ptr.To[int64](0),
			},
			internal: &config.WorkloadGangArgs{
				PermitTimeoutSeconds:    30,
				BackoffInitialSeconds:   5,
				BackoffMaxSeconds:       120,
				StarvingGangHoldSeconds: 0,
			},
		},
	}

	scheme := newTestScheme(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Run("v1 to internal", func(t *testing.T) {
				got, err := scheme.ConvertToVersion(tc.versioned.DeepCopy(), config.SchemeGroupVersion)
				require.NoError(t, err)
				assert.Equal(t, tc.internal, got)
			})
			t.Run("internal to v1", func(t *testing.T) {
				got, err := scheme.ConvertToVersion(tc.internal.DeepCopy(), SchemeGroupVersion)
				require.NoError(t, err)
				want := tc.versioned.DeepCopy()
				want.SetGroupVersionKind(SchemeGroupVersion.WithKind("WorkloadGangArgs"))
				assert.Equal(t, want, got)
			})
		})
	}
}

func TestAddToSchemeRegistersKinds(t *testing.T) {
	scheme := newTestScheme(t)
	tests := []struct {
		name string
		obj  runtime.Object
		want string
	}{
		{name: "internal", obj: &config.WorkloadGangArgs{}, want: "kubescheduler.config.k8s.io/__internal, Kind=WorkloadGangArgs"},
		{name: "v1", obj: &WorkloadGangArgs{}, want: "kubescheduler.config.k8s.io/v1, Kind=WorkloadGangArgs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gvks, _, err := scheme.ObjectKinds(tc.obj)
			require.NoError(t, err)
			require.Len(t, gvks, 1)
			assert.Equal(t, tc.want, gvks[0].String())
		})
	}
}

func TestDeepCopyWorkloadGangArgs(t *testing.T) {
	in := &WorkloadGangArgs{
		PermitTimeoutSeconds:    ptr.To[int64](30),
		BackoffInitialSeconds:   ptr.To[int64](2),
		BackoffMaxSeconds:       ptr.To[int64](90),
		StarvingGangHoldSeconds: ptr.To[int64](20),
	}
	out, ok := in.DeepCopyObject().(*WorkloadGangArgs)
	require.True(t, ok)
	require.Equal(t, in, out)

	*out.PermitTimeoutSeconds, *out.BackoffInitialSeconds, *out.BackoffMaxSeconds, *out.StarvingGangHoldSeconds = 1, 1, 1, 1
	assert.Equal(t, int64(30), *in.PermitTimeoutSeconds)
	assert.Equal(t, int64(2), *in.BackoffInitialSeconds)
	assert.Equal(t, int64(90), *in.BackoffMaxSeconds)
	assert.Equal(t, int64(20), *in.StarvingGangHoldSeconds)
}
