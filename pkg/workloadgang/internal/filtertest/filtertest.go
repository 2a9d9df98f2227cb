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

// Package filtertest builds, for tests, a real scheduler framework that
// runs the in-tree filters a gang member meets on most clusters (resources,
// node affinity, taints) on a snapshot of nodes and pods: what the
// placement simulation and the topology choice run against.
package filtertest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/klog/v2"
	"k8s.io/klog/v2/ktesting"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/apis/config"
	"k8s.io/kubernetes/pkg/scheduler/backend/cache"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/defaultbinder"
	plfeature "k8s.io/kubernetes/pkg/scheduler/framework/plugins/feature"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/nodeaffinity"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/noderesources"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/queuesort"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/tainttoleration"
	frameworkruntime "k8s.io/kubernetes/pkg/scheduler/framework/runtime"
	tf "k8s.io/kubernetes/pkg/scheduler/testing/framework"
)

// withArgs adapts an in-tree plugin factory and gives it args.
func withArgs[T fwk.Plugin](args runtime.Object, f frameworkruntime.PluginFactoryWithFts[T]) frameworkruntime.PluginFactory {
	return func(ctx context.Context, _ runtime.Object, fh fwk.Handle) (fwk.Plugin, error) {
		return f(ctx, args, fh, plfeature.Features{})
	}
}

// NewFramework returns the framework, on a snapshot of nodes and pods, and
// the snapshot's NodeInfos. The caller's TestMain must register the
// scheduler's metrics (k8s.io/kubernetes/pkg/scheduler/metrics.Register).
func NewFramework(tb testing.TB, nodes []*v1.Node, pods []*v1.Pod) (context.Context, framework.Framework, []fwk.NodeInfo) {
	tb.Helper()
	_, ctx := ktesting.NewTestContext(tb)
	snapshot := cache.NewSnapshot(pods, nodes)
	fh, err := tf.NewFramework(ctx, []tf.RegisterPluginFunc{
		tf.RegisterQueueSortPlugin(queuesort.Name, queuesort.New),
		tf.RegisterBindPlugin(defaultbinder.Name, defaultbinder.New),
		tf.RegisterPluginAsExtensions(noderesources.Name, withArgs(&config.NodeResourcesFitArgs{
			ScoringStrategy: &config.ScoringStrategy{Type: config.LeastAllocated, Resources: []config.ResourceSpec{{Name: "cpu", Weight: 1}}},
		}, noderesources.NewFit), "PreFilter", "Filter"),
		tf.RegisterPluginAsExtensions(nodeaffinity.Name, withArgs(&config.NodeAffinityArgs{}, nodeaffinity.New), "PreFilter", "Filter"),
		tf.RegisterPluginAsExtensions(tainttoleration.Name, withArgs(nil, tainttoleration.New), "Filter"),
	}, "", frameworkruntime.WithSnapshotSharedLister(snapshot), frameworkruntime.WithPodNominator(noNominations{}))
	require.NoError(tb, err)
	infos, err := snapshot.NodeInfos().List()
	require.NoError(tb, err)
	return ctx, fh, infos
}

// Cycle runs the member's PreFilter, as its scheduling cycle did before
// PostFilter, and returns the state.
func Cycle(ctx context.Context, tb testing.TB, fh framework.Framework, member *v1.Pod) fwk.CycleState {
	tb.Helper()
	state := framework.NewCycleState()
	_, status, _ := fh.RunPreFilterPlugins(ctx, state, member)
	require.True(tb, status.IsSuccess() || status.IsSkip(), "PreFilter: %v", status)
	return state
}

// noNominations is a PodNominator with no nominated pod: the filters a
// preemption dry run calls with nominated pods see none.
type noNominations struct{}

func (noNominations) AddNominatedPod(klog.Logger, fwk.PodInfo, *fwk.NominatingInfo) {}
func (noNominations) DeleteNominatedPodIfExists(*v1.Pod)                            {}
func (noNominations) UpdateNominatedPod(klog.Logger, *v1.Pod, fwk.PodInfo)          {}
func (noNominations) NominatedPodsForNode(string) []fwk.PodInfo                     { return nil }
