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

package groupstate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	st "k8s.io/kubernetes/pkg/scheduler/testing"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
)

// labelledMember is a pod of the PodGroup pg.
func labelledMember(name, pg string) *v1.Pod {
	return st.MakePod().Namespace("ns").Name(name).UID("uid-" + name).Labels(map[string]string{podgroupv1alpha1.PodGroupLabel: pg}).Obj()
}

// TestLeaveGroup: a pod relabelled to another PodGroup counts in the new
// gang only, is not taken for deleted, and a release it was part of is
// broken, so the old gang never binds short.
func TestLeaveGroup(t *testing.T) {
	t.Run("moves its count", func(t *testing.T) {
		s, _ := newStore(testBackoff)
		a, b := gang.GroupKey{Source: gang.SourcePodGroup, Namespace: "ns", Workload: "a"}, gang.GroupKey{Source: gang.SourcePodGroup, Namespace: "ns", Workload: "b"}
		old := labelledMember("p", "a")
		s.AddPod(old)
		s.AddPod(labelledMember("q", "b"))
		moved := old.DeepCopy()
		moved.Labels[podgroupv1alpha1.PodGroupLabel] = "b"
		s.LeaveGroup(old)
		s.UpdatePod(moved)
		ga, _ := s.Group(a)
		gb, _ := s.Group(b)
		assert.Zero(t, ga.Members)
		assert.Equal(t, 2, gb.Members)
		v, _ := s.Admit(moved, func() Policy { return Policy{WorkloadFound: true, PodGroupFound: true, MinCount: 2} })
		assert.Equal(t, Admitted, v, "a moved pod is not a deleted one")
	})
	t.Run("breaks a release it was part of", func(t *testing.T) {
		s, pods := releasedRound(t)
		moved := pods[0].DeepCopy()
		moved.Spec.WorkloadRef = nil
		s.LeaveGroup(pods[0])
		s.UpdatePod(moved)
		b, ok := s.ArriveAtBind(pods[1])
		require.True(t, ok)
		assert.True(t, decided(b))
		assert.Equal(t, BarrierResult{Kind: BarrierBroken,
			Message: "gang ns/train/workers released at its quorum will not bind whole: member a left the gang before it could bind; binding none of it"},
			s.Passed(b, false), "the round lost a member: nobody binds")
	})
}
