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
	v1 "k8s.io/api/core/v1"
	policy "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// pdbBudget counts PodDisruptionBudget violations the way upstream's
// DefaultPreemption does (filterPodsWithPDBViolation, unexported there):
// each victim takes one disruption from every budget of its namespace
// whose selector matches it, unless the budget already counts it among
// its disrupted pods; a victim that drives a budget below zero violates
// it. Victims are taken in the order given, so the most important ones,
// taken first, are the ones found violating.
type pdbBudget struct {
	pdbs      []*policy.PodDisruptionBudget
	selectors []labels.Selector
	allowed   []int32
}

func newPDBBudget(pdbs []*policy.PodDisruptionBudget) *pdbBudget {
	b := &pdbBudget{pdbs: pdbs, selectors: make([]labels.Selector, len(pdbs)), allowed: make([]int32, len(pdbs))}
	for i, pdb := range pdbs {
		b.allowed[i] = pdb.Status.DisruptionsAllowed
		if s, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector); err == nil {
			// An invalid selector matches no pod.
			b.selectors[i] = s
		}
	}
	return b
}

// take takes the victims' disruptions and returns how many of them
// violate a budget.
func (b *pdbBudget) take(victims []*v1.Pod) int {
	n := 0
	for _, p := range victims {
		if b.takeOne(p) {
			n++
		}
	}
	return n
}

// takeOne takes one victim's disruptions and reports whether it violates
// a budget.
func (b *pdbBudget) takeOne(p *v1.Pod) bool {
	// A pod with no labels matches no budget.
	if len(p.Labels) == 0 {
		return false
	}
	violated := false
	for i, pdb := range b.pdbs {
		s := b.selectors[i]
		if pdb.Namespace != p.Namespace || s == nil || s.Empty() || !s.Matches(labels.Set(p.Labels)) {
			continue
		}
		// A pod the budget already counts as disrupted takes nothing more.
		if _, ok := pdb.Status.DisruptedPods[p.Name]; ok {
			continue
		}
		b.allowed[i]--
		if b.allowed[i] < 0 {
			violated = true
		}
	}
	return violated
}
