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
)

const (
	workloadGroupVersion = "scheduling.k8s.io/v1alpha1"
	workloadResource     = "workloads"
	// apiCheckTimeout bounds how long startup retries a discovery call that
	// fails for a reason other than the API not being served.
	apiCheckTimeout = 30 * time.Second
)

// errWorkloadAPINotServed names the API server flags that enable the Workload
// API, so that an operator can act on it at once.
var errWorkloadAPINotServed = fmt.Errorf("%s needs the %s Workload API, which the API server does not serve: "+
	"start kube-apiserver with --feature-gates=GenericWorkload=true and --runtime-config=%s=true", Name, workloadGroupVersion, workloadGroupVersion)

// checkWorkloadAPI fails fast when the API server does not serve Workloads.
// Without it the scheduler would wait forever for the Workload informer to sync.
func checkWorkloadAPI(ctx context.Context, dc discovery.DiscoveryInterface) error {
	var lastErr error
	err := wait.PollUntilContextTimeout(ctx, time.Second, apiCheckTimeout, true, func(context.Context) (bool, error) {
		list, err := dc.ServerResourcesForGroupVersion(workloadGroupVersion)
		switch {
		case apierrors.IsNotFound(err):
			return false, errWorkloadAPINotServed
		case err != nil:
			lastErr = err
			klog.FromContext(ctx).V(2).Info("Checking the Workload API failed; retrying", "err", err)
			return false, nil
		}
		for _, r := range list.APIResources {
			if r.Name == workloadResource {
				return true, nil
			}
		}
		return false, errWorkloadAPINotServed
	})
	if wait.Interrupted(err) && lastErr != nil {
		return fmt.Errorf("checking that the API server serves %s Workloads: %w", workloadGroupVersion, lastErr)
	}
	return err
}
