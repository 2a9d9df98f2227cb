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
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	corev1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
)

// manifestObject is one YAML document of an example file.
type manifestObject struct {
	Source string // file:index, for messages
	Obj    *unstructured.Unstructured
}

// readManifests reads every YAML document of dir/*.yaml (files in name
// order, documents in file order), skipping empty documents, and sorts them
// stably so Namespaces come first and Pods last.
func readManifests(dir string) ([]manifestObject, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var objs []manifestObject
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(f, 4096)
		for i := 0; ; i++ {
			u := &unstructured.Unstructured{}
			err := dec.Decode(&u.Object)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("%s document %d: %w", file, i, err)
			}
			if len(u.Object) == 0 {
				continue
			}
			if u.GetKind() == "" || u.GetAPIVersion() == "" {
				f.Close()
				return nil, fmt.Errorf("%s document %d: missing apiVersion or kind", file, i)
			}
			objs = append(objs, manifestObject{Source: fmt.Sprintf("%s#%d", filepath.Base(file), i), Obj: u})
		}
		f.Close()
	}
	sort.SliceStable(objs, func(i, j int) bool { return kindRank(objs[i].Obj) < kindRank(objs[j].Obj) })
	return objs, nil
}

func kindRank(u *unstructured.Unstructured) int {
	switch u.GroupVersionKind().GroupKind().String() {
	case "Namespace":
		return 0
	case "Pod":
		return 2
	default:
		return 1
	}
}

// typedExamples converts the example Pods and Workloads to typed objects.
func typedExamples(objs []manifestObject) ([]*corev1.Pod, []*schedulingv1alpha1.Workload, error) {
	var pods []*corev1.Pod
	var workloads []*schedulingv1alpha1.Workload
	for _, m := range objs {
		gvk := m.Obj.GroupVersionKind()
		switch {
		case gvk.Group == "" && gvk.Kind == "Pod":
			pod := &corev1.Pod{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m.Obj.Object, pod); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", m.Source, err)
			}
			if pod.Namespace == "" {
				pod.Namespace = metav1.NamespaceDefault
			}
			pods = append(pods, pod)
		case gvk.Group == schedulingv1alpha1.GroupName && gvk.Kind == "Workload":
			wl := &schedulingv1alpha1.Workload{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m.Obj.Object, wl); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", m.Source, err)
			}
			if wl.Namespace == "" {
				wl.Namespace = metav1.NamespaceDefault
			}
			workloads = append(workloads, wl)
		}
	}
	return pods, workloads, nil
}

// applier creates manifest objects through the dynamic client, mapping kinds
// to resources with discovery.
type applier struct {
	dyn    dynamic.Interface
	mapper meta.RESTMapper
}

func newApplier(disc discovery.DiscoveryInterface, dyn dynamic.Interface) *applier {
	return &applier{dyn: dyn, mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc))}
}

// create creates one object; an existing object is left as it is. It
// returns "created" or "exists".
func (a *applier) create(ctx context.Context, m manifestObject) (string, error) {
	obj := m.Obj.DeepCopy()
	gvk := obj.GroupVersionKind()
	mapping, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return "", fmt.Errorf("%s: %s is not served by the apiserver: %w", m.Source, gvk, err)
	}
	var ri dynamic.ResourceInterface = a.dyn.Resource(mapping.Resource)
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		if obj.GetNamespace() == "" {
			obj.SetNamespace(metav1.NamespaceDefault)
		}
		ri = a.dyn.Resource(mapping.Resource).Namespace(obj.GetNamespace())
	}
	_, err = ri.Create(ctx, obj, metav1.CreateOptions{FieldManager: "gangsched-localup"})
	switch {
	case apierrors.IsAlreadyExists(err):
		return "exists", nil
	case err != nil:
		return "", fmt.Errorf("%s: create %s %s: %w", m.Source, gvk.Kind, objName(obj), err)
	}
	return "created", nil
}

func objName(u *unstructured.Unstructured) string {
	if u.GetNamespace() != "" {
		return u.GetNamespace() + "/" + u.GetName()
	}
	return u.GetName()
}
