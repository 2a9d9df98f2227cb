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
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/gangsched/gangsched/internal/controlplane"
	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
)

// The PodGroup source (issue 14) runs on its own control plane: a
// kube-apiserver with the plain 1.35 defaults (no GenericWorkload gate, no
// scheduling.k8s.io/v1alpha1), with the shipped PodGroup CRD installed.
var (
	podGroupCP     *controlplane.ControlPlane
	podGroupCPErr  error
	podGroupCPOnce sync.Once
)

// podGroupControlPlane returns the PodGroup control plane, started on
// first use; TestMain's cleanup stops it.
func podGroupControlPlane(t *testing.T) *controlplane.ControlPlane {
	t.Helper()
	binDir := controlplane.RequireBinaries(t)
	podGroupCPOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		podGroupCP, podGroupCPErr = controlplane.Start(ctx, controlplane.Options{BinDir: binDir, DisableWorkloadAPI: true})
		if podGroupCPErr == nil {
			podGroupCPErr = installCRD(ctx, podGroupCP.Config)
		}
	})
	require.NoError(t, podGroupCPErr, "starting the PodGroup control plane")
	return podGroupCP
}

// installCRD installs the shipped PodGroup CRD and waits until it is
// served.
func installCRD(ctx context.Context, cfg *rest.Config) error {
	return controlplane.InstallPodGroupCRD(ctx, cfg, filepath.Join("..", "..", controlplane.PodGroupCRDFile))
}

// sourcePodGroup is the third way forEachGates runs a scenario: the
// scheduler with its gates off on the PodGroup control plane, where the
// scenario's Workloads become PodGroups (see env.createWorkload).
const sourcePodGroup = "PodGroup API, no Workload API"

// newPodGroupEnv starts a scheduler on the PodGroup control plane, in a
// fresh namespace. The env translates the scenario's Workload steps into
// PodGroups: each gang podGroup p of Workload w is the PodGroup "w-p".
func newPodGroupEnv(t *testing.T) *env {
	t.Helper()
	cp := podGroupControlPlane(t)
	e := newBareEnv(t, cp)
	e.source = gang.SourcePodGroup
	var err error
	e.dyn, err = dynamic.NewForConfig(cp.Config)
	require.NoError(t, err)
	require.NoError(t, startScheduler(t, schedulerConfig(cp.Kubeconfig)))
	return e
}

// forEachSource runs a scenario with each source of gangs: Workloads (on
// the shared control plane) and PodGroups (on the PodGroup one).
func forEachSource(t *testing.T, scenario func(t *testing.T, e *env)) {
	t.Run("Workload API", func(t *testing.T) { scenario(t, newEnv(t, gatesOff)) })
	t.Run(sourcePodGroup, func(t *testing.T) { scenario(t, newPodGroupEnv(t)) })
}

// podGroupName is the PodGroup that stands for a Workload's podGroup.
func podGroupName(workload, podGroup string) string {
	return workload + "-" + podGroup
}

// podGroups is the env's PodGroup client.
func (e *env) podGroups() dynamic.ResourceInterface {
	return e.dyn.Resource(podgroupv1alpha1.SchemeGroupVersionResource).Namespace(e.ns)
}

// createPodGroups creates a PodGroup for each gang podGroup of w, with its
// minCount as minMember, w's Permit timeout annotation as
// scheduleTimeoutSeconds and w's other annotations; basic podGroups have
// no PodGroup (their pods are plain pods). It records which podGroups are
// basic, so that createPods leaves their pods unlabelled.
func (e *env) createPodGroups(w *schedulingv1alpha1.Workload) {
	e.t.Helper()
	for _, p := range w.Spec.PodGroups {
		if p.Policy.Gang == nil {
			e.basic[podGroupName(w.Name, p.Name)] = true
			continue
		}
		pg := &podgroupv1alpha1.PodGroup{
			ObjectMeta: metav1.ObjectMeta{Name: podGroupName(w.Name, p.Name), Namespace: e.ns, Annotations: map[string]string{}},
			Spec:       podgroupv1alpha1.PodGroupSpec{MinMember: p.Policy.Gang.MinCount},
		}
		for k, v := range w.Annotations {
			if k == gang.PermitTimeoutAnnotation {
				if n, err := strconv.Atoi(v); err == nil {
					s := int32(n)
					pg.Spec.ScheduleTimeoutSeconds = &s
				}
				continue
			}
			pg.Annotations[k] = v
		}
		e.createPodGroup(pg)
		e.podGroupsOf[w.Name] = append(e.podGroupsOf[w.Name], pg.Name)
	}
}

// createPodGroup creates a PodGroup in the env's namespace.
func (e *env) createPodGroup(pg *podgroupv1alpha1.PodGroup) {
	e.t.Helper()
	pg = pg.DeepCopy()
	pg.Namespace = e.ns
	u, err := podgroupv1alpha1.ToUnstructured(pg)
	require.NoError(e.t, err)
	_, err = e.podGroups().Create(e.ctx, u, metav1.CreateOptions{})
	require.NoError(e.t, err, "creating PodGroup %s", pg.Name)
}

// getPodGroup reads a PodGroup of the env's namespace.
func (e *env) getPodGroup(ctx context.Context, name string) (*podgroupv1alpha1.PodGroup, error) {
	u, err := e.podGroups().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	return podgroupv1alpha1.FromUnstructured(u)
}

// deletePodGroup deletes a PodGroup and waits until it is gone.
func (e *env) deletePodGroup(name string) {
	e.t.Helper()
	require.NoError(e.t, e.podGroups().Delete(e.ctx, name, metav1.DeleteOptions{}))
	e.waitFor("PodGroup "+name+" to be gone", func() (bool, error) {
		_, err := e.podGroups().Get(e.ctx, name, metav1.GetOptions{})
		return err != nil, nil
	})
}

// forEachSourceBare is forEachSource for scenarios that run their own
// schedulers (processes, several replicas): it gives each run a bare env
// (newBareEnv) and its control plane.
func forEachSourceBare(t *testing.T, scenario func(t *testing.T, e *env, cp *controlplane.ControlPlane)) {
	t.Run("Workload API", func(t *testing.T) {
		cp := controlPlane(t)
		scenario(t, newBareEnv(t, cp), cp)
	})
	t.Run(sourcePodGroup, func(t *testing.T) {
		cp := podGroupControlPlane(t)
		e := newBareEnv(t, cp)
		e.source = gang.SourcePodGroup
		var err error
		e.dyn, err = dynamic.NewForConfig(cp.Config)
		require.NoError(t, err)
		scenario(t, e, cp)
	})
}
