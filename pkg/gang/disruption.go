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

package gang

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DisruptionModeAnnotation on a Workload or PodGroup says how preemption
// may disrupt the running members of its gangs: DisruptionAll (the
// default) or DisruptionSingle. Pods of basic podGroups belong to no gang
// and are always disrupted one by one.
const DisruptionModeAnnotation = "gangsched.io/disruption-mode"

// DisruptionMode is how preemption may disrupt a running gang.
type DisruptionMode string

const (
	// DisruptionAll: a member of a bound gang is a preemption victim only
	// together with every other bound member of its gang, wherever they
	// run. A gang runs whole or not at all.
	DisruptionAll DisruptionMode = "All"
	// DisruptionSingle: members may be preempted one by one, like plain
	// pods; for elastic jobs that survive the loss of a worker.
	DisruptionSingle DisruptionMode = "Single"
)

// DisruptionModeOf reads the DisruptionModeAnnotation of a Workload or
// PodGroup. An absent annotation means DisruptionAll; an invalid one
// means DisruptionAll too, with an error naming it, to report.
func DisruptionModeOf(w metav1.Object) (DisruptionMode, error) {
	v, ok := w.GetAnnotations()[DisruptionModeAnnotation]
	if !ok {
		return DisruptionAll, nil
	}
	switch m := DisruptionMode(v); m {
	case DisruptionAll, DisruptionSingle:
		return m, nil
	}
	return DisruptionAll, fmt.Errorf("%s", invalidAnnotation(DisruptionModeAnnotation, v,
		fmt.Sprintf("must be %s or %s", DisruptionAll, DisruptionSingle)))
}
