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
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// TopologyRequiredAnnotation on a Workload names a node label key: every
// member of a gang instance of its gang podGroups runs on nodes that share
// one value of that label (one domain). Nodes without the label are never
// used for those gangs.
const TopologyRequiredAnnotation = "gangsched.io/topology-required"

// TopologyPreferredAnnotation on a Workload names a node label key: each gang
// instance is placed in as few domains of that key as possible. With
// TopologyRequiredAnnotation, it must be the finer key (racks in a zone).
const TopologyPreferredAnnotation = "gangsched.io/topology-preferred"

// Topology is what a Workload's topology annotations ask of its gangs. An
// empty key asks nothing.
type Topology struct {
	Required  string
	Preferred string
}

// IsZero reports whether t asks nothing.
func (t Topology) IsZero() bool {
	return t.Required == "" && t.Preferred == ""
}

// TopologyOf reads the topology annotations of a Workload or PodGroup. It returns an error
// naming each invalid annotation and its value: a value that is not a label
// key, or the same key as both required and preferred. Whether a preferred
// key is coarser than the required one depends on the nodes, so the
// placement (pkg/workloadgang/topology) checks it. On error, the gangs of
// the Workload must not be placed at all: placing them without a required
// topology they asked for is never right.
func TopologyOf(w metav1.Object) (Topology, error) {
	var t Topology
	var errs []string
	for _, a := range []struct {
		name string
		key  *string
	}{{TopologyRequiredAnnotation, &t.Required}, {TopologyPreferredAnnotation, &t.Preferred}} {
		v, ok := w.GetAnnotations()[a.name]
		if !ok {
			continue
		}
		if msgs := validation.IsQualifiedName(v); len(msgs) > 0 {
			errs = append(errs, invalidAnnotation(a.name, v, "must be a node label key: "+strings.Join(msgs, "; ")))
			continue
		}
		*a.key = v
	}
	if len(errs) == 0 && t.Required != "" && t.Required == t.Preferred {
		errs = append(errs, invalidAnnotation(TopologyPreferredAnnotation, t.Preferred,
			fmt.Sprintf("it is the same key as %s; a preferred key must be finer than the required one", TopologyRequiredAnnotation)))
	}
	if len(errs) > 0 {
		return Topology{}, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return t, nil
}

// CoarserPairError says that the nodes show t's preferred key to be coarser
// than its required key: preferred domain holds the nodes of the required
// domains a and b, and each required domain lies inside one preferred domain.
func CoarserPairError(t Topology, preferred, a, b string) error {
	return fmt.Errorf("%s", invalidAnnotation(TopologyPreferredAnnotation, t.Preferred, fmt.Sprintf(
		"it is coarser than %s=%q: its domain %s holds nodes of the domains %s and %s; a preferred key must be finer than the required one",
		TopologyRequiredAnnotation, t.Required, preferred, a, b)))
}

func invalidAnnotation(name, value, reason string) string {
	return fmt.Sprintf("annotation %s=%q is invalid: %s", name, value, reason)
}

// NoDomainMessage says that no domain of a required topology key has room
// for the need members a gang still needs, and names the domain with the
// most room (largest, where largestPods members fit). An empty largest means
// that no node has the label.
func NoDomainMessage(k GroupKey, key string, need int, largest string, largestPods int) string {
	msg := fmt.Sprintf("no %s domain has room for %d pods of gang %s", key, need, k)
	switch {
	case largest == "":
		return msg + fmt.Sprintf("; no node has the label %s", key)
	case largestPods == 0:
		return msg + "; no domain has room for one pod"
	default:
		return msg + fmt.Sprintf("; the largest free room is %s, %d pods", largest, largestPods)
	}
}
