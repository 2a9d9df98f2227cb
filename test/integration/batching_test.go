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

package integration

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/component-base/metrics/legacyregistry"
)

// batchHints reads scheduler_batch_attempts_total{result="hint_used"} of
// the test scheduler's profile: how many pods upstream's
// OpportunisticBatching placed on a node hinted by the previous pod's
// result, skipping Filter and Score on the others.
func batchHints(t *testing.T) float64 {
	t.Helper()
	families, err := legacyregistry.DefaultGatherer.Gather()
	require.NoError(t, err)
	var n float64
	for _, f := range families {
		if f.GetName() != "scheduler_batch_attempts_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["profile"] == schedulerName && labels["result"] == "hint_used" {
				n += m.GetCounter().GetValue()
			}
		}
	}
	return n
}

// TestOpportunisticBatchingStaysOn checks that WorkloadGang, which has a
// PreFilter and a Filter (topology), keeps upstream's OpportunisticBatching
// (beta, on in 1.35) working: a Filter plugin that does not sign pods turns
// it off for every pod. Upstream's own PodTopologySpread signs no pod while
// it has default constraints, the system defaults included, so batching
// serves only profiles that set its defaultingType to List with none
// (docs/performance.md); this test runs the shipped profile so configured.
// Nodes hold one pod each, the case batching serves: plain pods and
// members of a gang without topology must use its hints.
func TestOpportunisticBatchingStaysOn(t *testing.T) {
	noDefaultSpread := func(kubeconfig string) string {
		return schedulerConfigWith(kubeconfig, schedulerProfile(schedulerName, testArgs)+
			"  - name: PodTopologySpread\n    args:\n      defaultingType: List\n")
	}
	e := newSchedEnv(t, noDefaultSpread)
	e.createNodes(12, "1")

	before := batchHints(t)
	plain := members("plain", "", "", "", 12, "1")
	e.createPods(plain...)
	e.waitScheduled(names(plain)...)
	plainHints := batchHints(t) - before
	assert.Positive(t, plainHints, "plain pods placed on a batching hint")

	e.deletePods(names(plain)...)
	e.waitPodsGone(names(plain))
	before = batchHints(t)
	e.createWorkload(gangWorkload("train", map[string]int32{"workers": 12}))
	pods := members("w", "train", "workers", "", 12, "1")
	e.createPods(pods...)
	e.waitGangBound(e.group("train", "workers", ""), 12)
	gangHints := batchHints(t) - before
	assert.Positive(t, gangHints, "gang members placed on a batching hint")
	t.Logf("batching hints used: %v of 12 plain pods, %v of 12 gang members", plainHints, gangHints)
}
