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

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
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

// examples are the typed objects of the example manifests that the demo
// reasons about: the pods, and the Workloads and PodGroups that declare
// their groups.
type examples struct {
	pods      []*corev1.Pod
	workloads []*schedulingv1alpha1.Workload
	podGroups []*podgroupv1alpha1.PodGroup
}

// policies returns the group policies the Workloads and PodGroups declare.
func (e examples) policies() map[policyKey]policy {
	out := map[policyKey]policy{}
	for _, wl := range e.workloads {
		for k, p := range policiesOf(wl) {
			out[k] = p
		}
	}
	for _, pg := range e.podGroups {
		k, p := policyOfPodGroup(pg)
		out[k] = p
	}
	return out
}

// requiredTopologies returns the node label key that each Workload or
// PodGroup of the examples asks its gangs to share
// (gangsched.io/topology-required), by the key of the declaring object.
func (e examples) requiredTopologies() map[gang.WorkloadKey]string {
	out := map[gang.WorkloadKey]string{}
	add := func(k gang.WorkloadKey, obj metav1.Object) {
		if tp, err := gang.TopologyOf(obj); err == nil && tp.Required != "" {
			out[k] = tp.Required
		}
	}
	for _, wl := range e.workloads {
		add(gang.WorkloadKey{Source: gang.SourceWorkload, Namespace: wl.Namespace, Name: wl.Name}, wl)
	}
	for _, pg := range e.podGroups {
		add(gang.WorkloadKey{Source: gang.SourcePodGroup, Namespace: pg.Namespace, Name: pg.Name}, pg)
	}
	return out
}

// typedExamples converts the example Pods, Workloads and PodGroups to typed
// objects.
func typedExamples(objs []manifestObject) (examples, error) {
	var ex examples
	for _, m := range objs {
		gvk := m.Obj.GroupVersionKind()
		switch {
		case gvk.Group == "" && gvk.Kind == "Pod":
			pod := &corev1.Pod{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m.Obj.Object, pod); err != nil {
				return examples{}, fmt.Errorf("%s: %w", m.Source, err)
			}
			if pod.Namespace == "" {
				pod.Namespace = metav1.NamespaceDefault
			}
			ex.pods = append(ex.pods, pod)
		case gvk.Group == schedulingv1alpha1.GroupName && gvk.Kind == "Workload":
			wl := &schedulingv1alpha1.Workload{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m.Obj.Object, wl); err != nil {
				return examples{}, fmt.Errorf("%s: %w", m.Source, err)
			}
			if wl.Namespace == "" {
				wl.Namespace = metav1.NamespaceDefault
			}
			ex.workloads = append(ex.workloads, wl)
		case gvk.Group == podgroupv1alpha1.GroupName && gvk.Kind == podgroupv1alpha1.Kind:
			pg, err := podgroupv1alpha1.FromUnstructured(m.Obj)
			if err != nil {
				return examples{}, fmt.Errorf("%s: %w", m.Source, err)
			}
			if pg.Namespace == "" {
				pg.Namespace = metav1.NamespaceDefault
			}
			ex.podGroups = append(ex.podGroups, pg)
		}
	}
	return ex, nil
}

// applier creates manifest objects through the dynamic client, mapping kinds
// to resources with discovery. Discovery is read once and cached; a kind it
// does not know (a CRD installed since) makes it read discovery again.
type applier struct {
	dyn    dynamic.Interface
	mapper *restmapper.DeferredDiscoveryRESTMapper
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
	if meta.IsNoMatchError(err) {
		// The memory cache counts as fresh once filled, so the mapper does
		// not look again by itself.
		a.mapper.Reset()
		mapping, err = a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
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
