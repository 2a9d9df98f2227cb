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
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/client-go/dynamic"

	"github.com/gangsched/gangsched/internal/controlplane"
	"github.com/gangsched/gangsched/pkg/gang"
)

// TestStartupNeedsAGangAPI: on an API server that serves neither gang API
// (the plain 1.35 defaults, no CRD), gangsched stops at startup and names
// both fixes, instead of hanging in informer cache sync. Once the PodGroup
// CRD is installed, the same configuration starts and schedules PodGroup
// gangs with no alpha gate at all.
func TestStartupNeedsAGangAPI(t *testing.T) {
	cp := controlplane.StartForTest(t, controlplane.Options{DisableWorkloadAPI: true})
	err := startScheduler(t, schedulerConfig(cp.Kubeconfig))
	require.Error(t, err)
	require.Contains(t, err.Error(), "--feature-gates=GenericWorkload=true")
	require.Contains(t, err.Error(), "--runtime-config=scheduling.k8s.io/v1alpha1=true")
	require.Contains(t, err.Error(), "kubectl apply -f manifests/crd/podgroups.yaml")

	require.NoError(t, installCRD(context.Background(), cp.Config))
	e := newBareEnv(t, cp)
	e.source = gang.SourcePodGroup
	e.dyn, err = dynamic.NewForConfig(cp.Config)
	require.NoError(t, err)
	require.NoError(t, startScheduler(t, schedulerConfig(cp.Kubeconfig)))
	e.createNodes(1, "4")
	e.createWorkload(gangWorkload("train", map[string]int32{"workers": 2}))
	pods := members("w", "train", "workers", "", 2, "1")
	e.createPods(pods...)
	e.waitScheduled(names(pods)...)
}
