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

package workloadgang

import (
	"context"
	"fmt"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/clock"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/podgroupstatus"
)

const (
	// podGroupIndex indexes labelled pods by "namespace/podgroup".
	podGroupIndex = "gangsched.io/pod-group"
	// podGroupStatusWorkers write PodGroup statuses in parallel.
	podGroupStatusWorkers = 2
)

// startPodGroups feeds the declaration index from a PodGroup informer, and
// starts the controller that keeps PodGroup.status. The scheduler's
// informer factory knows no CRDs, so the plugin runs its own: one dynamic
// informer on PodGroups (converted to typed objects as they arrive), and
// one on the pods that carry the PodGroup label, for the status (the
// scheduler's own pod informer drops pods that have terminated, which
// status counts). Both have synced when it returns, so no labelled pod is
// judged before its PodGroup is known.
func (pl *WorkloadGang) startPodGroups(ctx context.Context) error {
	dc, err := dynamic.NewForConfig(pl.handle.KubeConfig())
	if err != nil {
		return fmt.Errorf("building a client for PodGroups: %w", err)
	}
	if err := checkPodGroupAccess(ctx, dc); err != nil {
		return err
	}
	pgFactory := dynamicinformer.NewDynamicSharedInformerFactory(dc, 0)
	pgInformer := pgFactory.ForResource(podgroupv1alpha1.SchemeGroupVersionResource).Informer()
	if err := pgInformer.SetTransform(toPodGroup); err != nil {
		return err
	}
	podFactory := informers.NewSharedInformerFactoryWithOptions(pl.handle.ClientSet(), 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = podgroupv1alpha1.PodGroupLabel }))
	podInformer := podFactory.Core().V1().Pods().Informer()
	if err := podInformer.AddIndexers(cache.Indexers{podGroupIndex: podGroupOfPod}); err != nil {
		return err
	}
	pl.podGroupStatus = podgroupstatus.New(podgroupstatus.Options{
		Client: dc,
		Pods: func(namespace, name string) ([]*v1.Pod, error) {
			objs, err := podInformer.GetIndexer().ByIndex(podGroupIndex, namespace+"/"+name)
			if err != nil {
				return nil, err
			}
			pods := make([]*v1.Pod, 0, len(objs))
			for _, o := range objs {
				if p, ok := o.(*v1.Pod); ok {
					pods = append(pods, p)
				}
			}
			return pods, nil
		},
		PodGroup: func(namespace, name string) (*podgroupv1alpha1.PodGroup, bool) {
			pg := pl.decls.podGroup(gang.WorkloadKey{Source: gang.SourcePodGroup, Namespace: namespace, Name: name})
			return pg, pg != nil
		},
		Leading: pl.leader.Leading,
		Clock:   tickerClock(pl.clock),
		Delay:   podgroupstatus.DefaultDelay,
	})
	enqueuePod := func(obj interface{}) {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		if p, ok := obj.(*v1.Pod); ok {
			if k, ok := gang.KeyForPod(p); ok && k.Source == gang.SourcePodGroup {
				pl.podGroupStatus.Enqueue(k.Namespace, k.Workload)
			}
		}
	}
	if _, err := podInformer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: enqueuePod,
		UpdateFunc: func(oldObj, newObj interface{}) {
			// A relabelled pod changes the counts of both groups.
			enqueuePod(oldObj)
			enqueuePod(newObj)
		},
		DeleteFunc: enqueuePod,
	}); err != nil {
		return err
	}
	if _, err := pgInformer.AddEventHandler(pl.declarationHandler(ctx, func(d declaration) {
		pl.podGroupStatus.Enqueue(d.GetNamespace(), d.GetName())
	})); err != nil {
		return err
	}
	pgFactory.Start(ctx.Done())
	podFactory.Start(ctx.Done())
	syncCtx, cancel := context.WithTimeout(ctx, apiCheckTimeout)
	defer cancel()
	if !cache.WaitForCacheSync(syncCtx.Done(), pgInformer.HasSynced, podInformer.HasSynced) {
		return fmt.Errorf("the PodGroup informers did not sync within %s: %w", apiCheckTimeout, context.Cause(syncCtx))
	}
	go pl.podGroupStatus.Run(ctx, podGroupStatusWorkers)
	go func() {
		// A standby writes no status; the new leader catches up on every
		// PodGroup at once.
		select {
		case <-pl.leader.Started():
		case <-ctx.Done():
			return
		}
		var keys []types.NamespacedName
		for _, k := range pl.decls.podGroupKeys() {
			keys = append(keys, types.NamespacedName{Namespace: k.Namespace, Name: k.Name})
		}
		pl.podGroupStatus.EnqueueAll(keys...)
	}()
	return nil
}

// checkPodGroupAccess fails fast when the scheduler may not list
// PodGroups: its informer would never sync, and the pods of every PodGroup
// would wait for ever. The error names the RBAC that grants them.
func checkPodGroupAccess(ctx context.Context, dc dynamic.Interface) error {
	_, err := dc.Resource(podgroupv1alpha1.SchemeGroupVersionResource).List(ctx, metav1.ListOptions{Limit: 1})
	switch {
	case apierrors.IsForbidden(err):
		return fmt.Errorf("the API server serves %s PodGroups, but %s may not list them: grant get, list and watch on podgroups and patch on podgroups/status "+
			"(manifests/install/rbac.yaml; for the drop-in kube-scheduler, manifests/dropin/podgroups-rbac.yaml): %w",
			podgroupv1alpha1.SchemeGroupVersion, Name, err)
	case err != nil:
		return fmt.Errorf("listing PodGroups: %w", err)
	}
	return nil
}

// toPodGroup converts a PodGroup from the dynamic informer into the typed
// object the plugin keeps (and drops what it does not read).
func toPodGroup(obj interface{}) (interface{}, error) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return obj, nil
	}
	pg, err := podgroupv1alpha1.FromUnstructured(u)
	if err != nil {
		// A PodGroup that does not decode (a CRD other than the one we
		// know) is kept out of the index: its pods wait for it, and say so.
		utilruntime.HandleError(err)
		return obj, nil
	}
	return pg, nil
}

// podGroupOfPod indexes a labelled pod by "namespace/podgroup".
func podGroupOfPod(obj interface{}) ([]string, error) {
	p, ok := obj.(*v1.Pod)
	if !ok {
		return nil, nil
	}
	k, ok := gang.KeyForPod(p)
	if !ok || k.Source != gang.SourcePodGroup {
		return nil, nil
	}
	return []string{k.Namespace + "/" + k.Workload}, nil
}

// tickerClock returns clk when it can make tickers (the real clock and
// the tests' fake ones can), else the real clock.
func tickerClock(clk clock.WithDelayedExecution) clock.WithTicker {
	if t, ok := clk.(clock.WithTicker); ok {
		return t
	}
	return clock.RealClock{}
}

// ptrEqual reports whether two optional values are equal.
func ptrEqual[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
