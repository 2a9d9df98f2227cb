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
	"k8s.io/component-base/featuregate"
	"k8s.io/kubernetes/pkg/features"
)

// DefaultFeatureGates are gangsched's defaults for the kube-scheduler
// feature gates where they differ from upstream's. --feature-gates
// overrides each of them.
//
// NominatedNodeNameForExpectation (beta, on upstream) makes the binding
// cycle PATCH status.nominatedNodeName of every pod that will wait at
// Permit, so that external components (the cluster autoscaler) see where a
// reserved pod is about to bind. Every gang member but the last waits at
// Permit, so it costs a gang one API write per member (3 writes per bound
// member instead of a plain pod's 2) and 25-40 % of the gang scheduling
// rate on an API server that is the bottleneck. gangsched turns it off;
// docs/performance.md ("The nomination write") has the measured cost of
// turning it back on with
// --feature-gates=NominatedNodeNameForExpectation=true and what the hint is
// for.
var DefaultFeatureGates = map[featuregate.Feature]bool{
	features.NominatedNodeNameForExpectation: false,
}

// DefaultFeatureGateMap is DefaultFeatureGates keyed by name, for
// featuregate.MutableFeatureGate.SetFromMap.
func DefaultFeatureGateMap() map[string]bool {
	m := make(map[string]bool, len(DefaultFeatureGates))
	for f, on := range DefaultFeatureGates {
		m[string(f)] = on
	}
	return m
}
