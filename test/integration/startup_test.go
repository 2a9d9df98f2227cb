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

package integration

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gangsched/gangsched/internal/controlplane"
)

// TestStartupFailsWithoutWorkloadAPI proves that against an API server that
// does not serve scheduling.k8s.io/v1alpha1, gangsched stops at startup and
// names the flags to fix, instead of hanging in informer cache sync.
func TestStartupFailsWithoutWorkloadAPI(t *testing.T) {
	cp := controlplane.StartForTest(t, controlplane.Options{DisableWorkloadAPI: true})
	err := startScheduler(t, schedulerConfig(cp.Kubeconfig))
	require.Error(t, err)
	require.Contains(t, err.Error(), "--feature-gates=GenericWorkload=true")
	require.Contains(t, err.Error(), "--runtime-config=scheduling.k8s.io/v1alpha1=true")
}
