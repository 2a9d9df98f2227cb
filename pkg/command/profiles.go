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

// CheckProfiles refuses profiles that enable WorkloadGang but would let a
// gang member reach DefaultPreemption before WorkloadGang at PostFilter: it would
// then evict victims for one member at a time, while the gang as a whole
// may still not fit (and, with gang preemption, would preempt twice). The
// upstream configuration API cannot say "WorkloadGang first", and
// multiPoint appends WorkloadGang after the default PostFilter plugins, so
// a profile must list it under plugins.postFilter.enabled itself, as the
// shipped configs do. The error names the field path of the profile.
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
		path := field.NewPath("profiles").Index(i).Child("plugins", "postFilter", "enabled")
		postFilter := names(plugins.PostFilter)
		preemption := slices.Index(postFilter, defaultPreemption)
		if preemption < 0 {
			continue
		}
		if gang := slices.Index(postFilter, workloadgang.Name); gang < 0 || gang > preemption {
			errs = append(errs, field.Invalid(path, postFilter, fmt.Sprintf(
				"profile %q runs %s before %s at PostFilter, so gang members would preempt one pod at a time; list %s before it under plugins.postFilter.enabled (see manifests/scheduler-config.yaml)",
				p.SchedulerName, defaultPreemption, workloadgang.Name, workloadgang.Name)))
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
