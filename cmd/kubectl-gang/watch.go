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

package main

import (
	"context"
	"errors"
	"reflect"
	"time"

	v1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	corelisters "k8s.io/client-go/listers/core/v1"
	schedulinglisters "k8s.io/client-go/listers/scheduling/v1alpha1"
	"k8s.io/client-go/tools/cache"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gangview"
)

// watchGangs prints the gangs, then prints them again whenever Workloads,
// PodGroups or Pods change the rows, at most once per d.interval, until ctx
// ends.
//
// It does not watch Nodes (a cache of every node, for one column): the
// domains of a gang that asks a topology and has bound members are
// unknown (DomainsUnknown, <unknown> in the Domain column).
//
// It watches the sources of gangs the API server serves when it starts: a
// Workload API enabled, or a PodGroup CRD installed, later is not seen
// until the command is run again.
func watchGangs(ctx context.Context, cs *clients, ns string, p *printer, d deps) error {
	// Check the APIs first: an informer on a resource that is not served
	// would retry forever instead of saying why.
	var checked objects
	_, err := cs.scheduling.Workloads(ns).List(ctx, metav1.ListOptions{Limit: 1})
	workloadsServed, err := served(err, "Workloads", &checked)
	if err != nil {
		return err
	}
	podGroupAPI := cs.dynamic.Resource(podgroupv1alpha1.SchemeGroupVersionResource).Namespace(ns)
	podGroupsServed := false
	if podGroupsMayBeServed(cs) {
		_, err = podGroupAPI.List(ctx, metav1.ListOptions{Limit: 1})
		if podGroupsServed, err = served(err, "PodGroups", &checked); err != nil {
			return err
		}
	}
	if !workloadsServed && !podGroupsServed {
		if len(checked.forbidden) > 0 {
			return errors.Join(checked.forbidden...)
		}
		return errNoGangAPI
	}
	warnForbidden(d.streams.ErrOut, checked.forbidden)
	changed := make(chan struct{}, 1)
	notify := func() {
		select {
		case changed <- struct{}{}:
		default: // a change is already pending; one print covers both
		}
	}
	handler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { notify() },
		UpdateFunc: func(any, any) { notify() },
		DeleteFunc: func(any) { notify() },
	}
	var informers []cache.SharedIndexInformer
	start := func(inf cache.SharedIndexInformer) error {
		if _, err := inf.AddEventHandler(handler); err != nil {
			return err
		}
		informers = append(informers, inf)
		return nil
	}
	pods := newInformer(cs, &v1.Pod{}, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return cs.core.Pods(ns).List(ctx, opts)
	}, func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
		return cs.core.Pods(ns).Watch(ctx, opts)
	})
	if err := start(pods); err != nil {
		return err
	}
	var workloadLister schedulinglisters.WorkloadLister
	if workloadsServed {
		workloads := newInformer(cs, &schedulingv1alpha1.Workload{}, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			return cs.scheduling.Workloads(ns).List(ctx, opts)
		}, func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			return cs.scheduling.Workloads(ns).Watch(ctx, opts)
		})
		if err := start(workloads); err != nil {
			return err
		}
		workloadLister = schedulinglisters.NewWorkloadLister(workloads.GetIndexer())
	}
	var podGroupStore cache.Store
	if podGroupsServed {
		podGroups := newInformer(cs, &unstructured.Unstructured{}, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			return podGroupAPI.List(ctx, opts)
		}, func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			return podGroupAPI.Watch(ctx, opts)
		})
		if err := start(podGroups); err != nil {
			return err
		}
		podGroupStore = podGroups.GetStore()
	}
	synced := make([]cache.InformerSynced, len(informers))
	for i, inf := range informers {
		go inf.RunWithContext(ctx)
		synced[i] = inf.HasSynced
	}
	if !cache.WaitForCacheSync(ctx.Done(), synced...) {
		return nil // ctx ended
	}
	podLister := corelisters.NewPodLister(pods.GetIndexer())

	var last view
	for first := true; ; first = false {
		var objs objects
		if workloadLister != nil {
			if objs.workloads, err = workloadLister.List(labels.Everything()); err != nil {
				return err
			}
		}
		if podGroupStore != nil {
			if objs.podGroups, err = podGroupsOf(podGroupStore); err != nil {
				return err
			}
		}
		if objs.pods, err = podLister.List(labels.Everything()); err != nil {
			return err
		}
		v := view{
			rows:      filterRows(gangview.RowsWithPodGroups(objs.workloads, objs.podGroups, objs.pods), p.workload),
			ambiguous: ambiguousPods(objs.pods, p.workload),
		}
		gangview.AddDomains(v.rows, objs.workloads, objs.podGroups, nil)
		// Pod updates that change no row (a resourceVersion, a container
		// status) print nothing.
		if first || !reflect.DeepEqual(v, last) {
			warnAmbiguous(d.streams.ErrOut, v.ambiguous)
			if err := p.print(v.rows, d.now()); err != nil {
				return err
			}
			last = v
		}
		t := time.NewTimer(d.interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		}
	}
}

// view is what one print of watch mode shows.
type view struct {
	rows      []gangview.Row
	ambiguous []gangview.AmbiguousPod
}

// podGroupsOf reads the PodGroups of an informer's store.
func podGroupsOf(store cache.Store) ([]*podgroupv1alpha1.PodGroup, error) {
	items := store.List()
	podGroups := make([]*podgroupv1alpha1.PodGroup, 0, len(items))
	for _, obj := range items {
		u, ok := obj.(*unstructured.Unstructured)
		if !ok {
			continue
		}
		pg, err := podgroupv1alpha1.FromUnstructured(u)
		if err != nil {
			return nil, err
		}
		podGroups = append(podGroups, pg)
	}
	return podGroups, nil
}

// newInformer returns an informer over one resource, with cached objects
// slimmed.
func newInformer(cs *clients, example runtime.Object, list cache.ListWithContextFunc, watchFn cache.WatchFuncWithContext) cache.SharedIndexInformer {
	lw := cache.ToListWatcherWithWatchListSemantics(&cache.ListWatch{ListWithContextFunc: list, WatchFuncWithContext: watchFn}, cs.origin)
	inf := cache.NewSharedIndexInformer(lw, example, 0, cache.Indexers{})
	// Cannot fail: the informer has not started.
	_ = inf.SetTransform(slim)
	return inf
}

// slim drops what the view never reads from cached pods (containers,
// volumes, labels but the PodGroup's, managed fields, ...), so watching a
// large cluster stays small.
func slim(obj any) (any, error) {
	switch o := obj.(type) {
	case *v1.Pod:
		var podLabels map[string]string
		if pg, ok := o.Labels[podgroupv1alpha1.PodGroupLabel]; ok {
			podLabels = map[string]string{podgroupv1alpha1.PodGroupLabel: pg}
		}
		return &v1.Pod{
			ObjectMeta: metav1.ObjectMeta{
				Namespace: o.Namespace, Name: o.Name, UID: o.UID, ResourceVersion: o.ResourceVersion,
				CreationTimestamp: o.CreationTimestamp, DeletionTimestamp: o.DeletionTimestamp, Labels: podLabels,
			},
			Spec:   v1.PodSpec{WorkloadRef: o.Spec.WorkloadRef, NodeName: o.Spec.NodeName},
			Status: v1.PodStatus{Phase: o.Status.Phase, Conditions: o.Status.Conditions},
		}, nil
	case metav1.Object:
		o.SetManagedFields(nil)
	}
	return obj, nil
}
