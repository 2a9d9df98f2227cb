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
	"reflect"
	"time"

	v1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	corelisters "k8s.io/client-go/listers/core/v1"
	schedulinglisters "k8s.io/client-go/listers/scheduling/v1alpha1"
	"k8s.io/client-go/tools/cache"

	"github.com/gangsched/gangsched/pkg/gangview"
)

// watchGangs prints the gangs, then prints them again whenever Workloads or
// Pods change the rows, at most once per d.interval, until ctx ends.
//
// It does not watch Nodes (a cache of every node, for one column): the
// domains of a gang that asks a topology and has bound members are
// unknown (DomainsUnknown, <unknown> in the Domain column).
func watchGangs(ctx context.Context, cs *clients, ns string, p *printer, d deps) error {
	// Check the API first: an informer on a resource that is not served
	// would retry forever instead of saying why.
	if _, err := cs.scheduling.Workloads(ns).List(ctx, metav1.ListOptions{Limit: 1}); err != nil {
		return workloadListError(err)
	}
	changed := make(chan struct{}, 1)
	notify := func() {
		select {
		case changed <- struct{}{}:
		default: // a change is already pending; one print covers both
		}
	}
	pods := newInformer(cs, &v1.Pod{}, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return cs.core.Pods(ns).List(ctx, opts)
	}, func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
		return cs.core.Pods(ns).Watch(ctx, opts)
	})
	workloads := newInformer(cs, &schedulingv1alpha1.Workload{}, func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return cs.scheduling.Workloads(ns).List(ctx, opts)
	}, func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
		return cs.scheduling.Workloads(ns).Watch(ctx, opts)
	})
	handler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { notify() },
		UpdateFunc: func(any, any) { notify() },
		DeleteFunc: func(any) { notify() },
	}
	for _, inf := range []cache.SharedIndexInformer{pods, workloads} {
		if _, err := inf.AddEventHandler(handler); err != nil {
			return err
		}
		go inf.RunWithContext(ctx)
	}
	if !cache.WaitForCacheSync(ctx.Done(), pods.HasSynced, workloads.HasSynced) {
		return nil // ctx ended
	}
	podLister := corelisters.NewPodLister(pods.GetIndexer())
	workloadLister := schedulinglisters.NewWorkloadLister(workloads.GetIndexer())

	var last []gangview.Row
	for first := true; ; first = false {
		workloads, err := workloadLister.List(labels.Everything())
		if err != nil {
			return err
		}
		pods, err := podLister.List(labels.Everything())
		if err != nil {
			return err
		}
		rows := filterRows(gangview.Rows(workloads, pods), p.workload)
		gangview.AddDomains(rows, workloads, nil)
		// Pod updates that change no row (a resourceVersion, a container
		// status) print nothing.
		if first || !reflect.DeepEqual(rows, last) {
			if err := p.print(rows, d.now()); err != nil {
				return err
			}
			last = rows
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
// volumes, managed fields, ...), so watching a large cluster stays small.
func slim(obj any) (any, error) {
	switch o := obj.(type) {
	case *v1.Pod:
		return &v1.Pod{
			ObjectMeta: metav1.ObjectMeta{
				Namespace: o.Namespace, Name: o.Name, UID: o.UID, ResourceVersion: o.ResourceVersion,
				CreationTimestamp: o.CreationTimestamp, DeletionTimestamp: o.DeletionTimestamp,
			},
			Spec:   v1.PodSpec{WorkloadRef: o.Spec.WorkloadRef, NodeName: o.Spec.NodeName},
			Status: v1.PodStatus{Phase: o.Status.Phase, Conditions: o.Status.Conditions},
		}, nil
	case metav1.Object:
		o.SetManagedFields(nil)
	}
	return obj, nil
}
