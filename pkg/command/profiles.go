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

package command

import (
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"
	schedconfig "k8s.io/kubernetes/pkg/scheduler/apis/config"
	"k8s.io/kubernetes/pkg/scheduler/profile"

	"github.com/gangsched/gangsched/pkg/workloadgang"
)

// CheckProfiles refuses profiles that enable WorkloadGang and also run
// DefaultPreemption at PostFilter. WorkloadGang preempts for every pod of
// its profiles (gangs as a whole, plain pods through upstream's preemption
// Evaluator) and disrupts running gangs only as a whole; DefaultPreemption
// would evict a single member of a running gang for a plain pod, and, run
// before WorkloadGang, victims for one gang member at a time. The shipped
// configs disable it (plugins.multiPoint.disabled). The error names the
// field path of the profile.
//
// configured are the profiles as configured (for the field paths), built
// the frameworks made from them (for the plugins each extension point
// really runs, multiPoint expanded).
func CheckProfiles(configured []schedconfig.KubeSchedulerProfile, built profile.Map) error {
	var errs field.ErrorList
	for i, p := range configured {
		fw, ok := built[p.SchedulerName]
		if !ok {
			continue
		}
		plugins := fw.ListPlugins()
		if plugins == nil || !slices.Contains(names(plugins.Permit), workloadgang.Name) {
			continue
		}
		postFilter := names(plugins.PostFilter)
		if slices.Contains(postFilter, defaultPreemption) {
			path := field.NewPath("profiles").Index(i).Child("plugins", "multiPoint", "disabled")
			errs = append(errs, field.Invalid(path, postFilter, fmt.Sprintf(
				"profile %q runs %s beside %s at PostFilter, so running gangs could lose single members to preemption; disable %s under plugins.multiPoint.disabled: %s preempts for every pod of the profile (see manifests/scheduler-config.yaml)",
				p.SchedulerName, defaultPreemption, workloadgang.Name, defaultPreemption, workloadgang.Name)))
		}
	}
	return errs.ToAggregate()
}

// defaultPreemption is the in-tree preemption plugin's name.
const defaultPreemption = "DefaultPreemption"

// names returns the names of a plugin set's enabled plugins, in order.
func names(set schedconfig.PluginSet) []string {
	out := make([]string, 0, len(set.Enabled))
	for _, p := range set.Enabled {
		out = append(out, p.Name)
	}
	return out
}
