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

package controlplane

import (
	"context"
	"fmt"
	"os"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
)

// PodGroupCRDFile is the shipped PodGroup CRD, relative to the repository
// root.
const PodGroupCRDFile = "manifests/crd/podgroups.yaml"

var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// ReadCRD reads the one CustomResourceDefinition of a manifest file.
func ReadCRD(path string) (*unstructured.Unstructured, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	crd := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(data, &crd.Object); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if gk := crd.GroupVersionKind().GroupKind(); gk != (schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}) {
		return nil, fmt.Errorf("%s: got %s, want one CustomResourceDefinition", path, gk)
	}
	return crd, nil
}

// InstallPodGroupCRD creates the PodGroup CRD of the manifest at path (one
// that exists already is kept) and waits until PodGroups are listed and
// discovery names them: gangsched looks for the PodGroup API once, through
// discovery, when it starts, so callers install the CRD before it starts.
// Local runs (make run), integration tests and the benchmark share it.
func InstallPodGroupCRD(ctx context.Context, cfg *rest.Config, path string) error {
	crd, err := ReadCRD(path)
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return err
	}
	if _, err := dyn.Resource(crdResource).Create(ctx, crd, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating CRD %s: %w", crd.GetName(), err)
	}
	var lastErr error
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		lastErr = podGroupsServed(ctx, dyn, disc)
		return lastErr == nil, nil
	})
	if err != nil {
		return fmt.Errorf("PodGroups not served after creating CRD %s: %w (last: %v)", crd.GetName(), err, lastErr)
	}
	return nil
}

// podGroupsServed reports, as an error, what is not ready yet: a list of
// PodGroups, or their resource in discovery (which the API server updates
// after the CRD is established).
func podGroupsServed(ctx context.Context, dyn dynamic.Interface, disc discovery.DiscoveryInterface) error {
	gvr := podgroupv1alpha1.SchemeGroupVersionResource
	if _, err := dyn.Resource(gvr).Namespace(metav1.NamespaceDefault).List(ctx, metav1.ListOptions{Limit: 1}); err != nil {
		return err
	}
	list, err := disc.ServerResourcesForGroupVersion(gvr.GroupVersion().String())
	if err != nil {
		return err
	}
	for _, r := range list.APIResources {
		if r.Name == gvr.Resource {
			return nil
		}
	}
	return fmt.Errorf("discovery of %s lacks %s", gvr.GroupVersion(), gvr.Resource)
}
