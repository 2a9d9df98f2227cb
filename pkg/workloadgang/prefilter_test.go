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
	"testing"

	"github.com/stretchr/testify/assert"
	v1 "k8s.io/api/core/v1"
	fwk "k8s.io/kube-scheduler/framework"
	st "k8s.io/kubernetes/pkg/scheduler/testing"

	"github.com/gangsched/gangsched/pkg/gang"
)

// TestSignPod: only members of a gang whose Workload asks a topology are
// kept out of OpportunisticBatching; every other pod is signed with nothing
// of ours, so that WorkloadGang's Filter does not turn batching off.
func TestSignPod(t *testing.T) {
	rack := gangWorkload("rack", 2)
	rack.Annotations = map[string]string{gang.TopologyRequiredAnnotation: "example.com/rack"}
	preferred := gangWorkload("pref", 2)
	preferred.Annotations = map[string]string{gang.TopologyPreferredAnnotation: "example.com/rack"}
	invalid := gangWorkload("bad", 2)
	invalid.Annotations = map[string]string{gang.TopologyRequiredAnnotation: "not a label key"}
	env := newTestEnv(t, nil, gangWorkload("train", 2), rack, preferred, invalid)
	tests := []struct {
		name     string
		pod      *v1.Pod
		wantCode fwk.Code
	}{
		{name: "plain pod", pod: st.MakePod().Namespace("ns").Name("plain").Obj(), wantCode: fwk.Success},
		{name: "gang member without topology", pod: groupPod("a", "train"), wantCode: fwk.Success},
		{name: "member of a Workload not seen yet", pod: groupPod("b", "unknown"), wantCode: fwk.Success},
		{name: "required topology", pod: groupPod("c", "rack"), wantCode: fwk.Unschedulable},
		{name: "preferred topology", pod: groupPod("d", "pref"), wantCode: fwk.Unschedulable},
		{name: "invalid topology annotation", pod: groupPod("e", "bad"), wantCode: fwk.Unschedulable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			frags, status := env.pl.SignPod(env.ctx, tc.pod)
			assert.Equal(t, tc.wantCode, status.Code(), status.Message())
			assert.Empty(t, frags, "WorkloadGang adds no fragment of its own")
		})
	}
}
