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
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/klog/v2"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
)

const (
	workloadGroupVersion = "scheduling.k8s.io/v1alpha1"
	workloadResource     = "workloads"
	// apiCheckTimeout bounds how long startup retries a discovery call that
	// fails for a reason other than the API not being served.
	apiCheckTimeout = 30 * time.Second
)

// servedAPIs are the gang APIs the API server serves (see gang.Source).
type servedAPIs struct {
	// Workloads: the 1.35 alpha scheduling.k8s.io/v1alpha1 Workload API.
	Workloads bool
	// PodGroups: the scheduler-plugins scheduling.x-k8s.io/v1alpha1
	// PodGroup CRD.
	PodGroups bool
}

// errNoGangAPI names both ways to give gangsched a gang API, so that an
// operator can act on it at once.
var errNoGangAPI = fmt.Errorf("%s needs a gang API, and the API server serves neither: "+
	"%s Workloads (start kube-apiserver with --feature-gates=GenericWorkload=true and --runtime-config=%s=true) "+
	"nor %s PodGroups (install the CRD: kubectl apply -f manifests/crd/podgroups.yaml)",
	Name, workloadGroupVersion, workloadGroupVersion, podgroupv1alpha1.SchemeGroupVersion)

// checkGangAPIs finds which gang APIs the API server serves, and fails fast
// when it serves neither: an informer on an API that is not served would
// never sync and the scheduler would hang. The check runs once, at
// startup: a CRD installed later is used after a restart.
func checkGangAPIs(ctx context.Context, dc discovery.DiscoveryInterface) (servedAPIs, error) {
	var apis servedAPIs
	var err error
	if apis.Workloads, err = serves(ctx, dc, workloadGroupVersion, workloadResource); err != nil {
		return apis, err
	}
	if apis.PodGroups, err = serves(ctx, dc, podgroupv1alpha1.SchemeGroupVersion.String(), podgroupv1alpha1.Resource); err != nil {
		return apis, err
	}
	if !apis.Workloads && !apis.PodGroups {
		return apis, errNoGangAPI
	}
	klog.FromContext(ctx).Info("Gang APIs served", "workloads", apis.Workloads, "podGroups", apis.PodGroups)
	return apis, nil
}

// serves reports whether the API server serves resource in groupVersion,
// retrying discovery calls that fail for another reason.
func serves(ctx context.Context, dc discovery.DiscoveryInterface, groupVersion, resource string) (bool, error) {
	var lastErr error
	found := false
	err := wait.PollUntilContextTimeout(ctx, time.Second, apiCheckTimeout, true, func(context.Context) (bool, error) {
		list, err := dc.ServerResourcesForGroupVersion(groupVersion)
		switch {
		case apierrors.IsNotFound(err):
			return true, nil
		case err != nil:
			lastErr = err
			klog.FromContext(ctx).V(2).Info("Discovering a gang API failed; retrying", "groupVersion", groupVersion, "err", err)
			return false, nil
		}
		for _, r := range list.APIResources {
			if r.Name == resource {
				found = true
			}
		}
		return true, nil
	})
	if wait.Interrupted(err) && lastErr != nil {
		return false, fmt.Errorf("checking that the API server serves %s %s: %w", groupVersion, resource, lastErr)
	}
	return found, err
}
