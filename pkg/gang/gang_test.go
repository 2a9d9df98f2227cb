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
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestIsLiveMember(t *testing.T) {
	now := metav1.Now()
	tests := []struct {
		name  string
		phase v1.PodPhase
		del   *metav1.Time
		want  bool
	}{
		{name: "pending", phase: v1.PodPending, want: true},
		{name: "running", phase: v1.PodRunning, want: true},
		{name: "no phase yet", want: true},
		{name: "succeeded", phase: v1.PodSucceeded, want: false},
		{name: "failed", phase: v1.PodFailed, want: false},
		{name: "terminating", phase: v1.PodRunning, del: &now, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := &v1.Pod{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: tt.del}, Status: v1.PodStatus{Phase: tt.phase}}
			assert.Equal(t, tt.want, IsLiveMember(pod))
		})
	}
}

// TestWaitingForPodsPhrase keeps the short phrase in step with the message.
func TestWaitingForPodsPhrase(t *testing.T) {
	k := GroupKey{Namespace: "ns", Workload: "w", PodGroup: "pg", ReplicaKey: "1"}
	for _, c := range []struct{ have, minCount int }{{0, 1}, {2, 4}, {999, 1000}} {
		msg := WaitingForPodsMessage(k, c.have, c.minCount)
		assert.Equal(t, strings.Replace(msg, " of gang "+k.String(), "", 1), WaitingForPodsPhrase(c.have, c.minCount))
	}
}

func TestIsWaitingForPodsMessage(t *testing.T) {
	k := GroupKey{Namespace: "ns", Workload: "w", PodGroup: "pg"}
	keyed := GroupKey{Namespace: "ns", Workload: "w", PodGroup: "pg", ReplicaKey: "0"}
	tests := []struct {
		name string
		key  GroupKey
		msg  string
		want bool
	}{
		{name: "own message", key: k, msg: WaitingForPodsMessage(k, 2, 4), want: true},
		{name: "no members yet", key: k, msg: WaitingForPodsMessage(k, 0, 1000), want: true},
		{name: "replica key", key: keyed, msg: WaitingForPodsMessage(keyed, 1, 3), want: true},
		{name: "another replica of the group", key: k, msg: WaitingForPodsMessage(keyed, 1, 3), want: false},
		{name: "another gang", key: k, msg: WaitingForPodsMessage(GroupKey{Namespace: "ns", Workload: "w", PodGroup: "pg2"}, 1, 3), want: false},
		{name: "trailing text", key: k, msg: WaitingForPodsMessage(k, 2, 4) + "; more", want: false},
		{name: "gated pods", key: k, msg: WaitingForPodsMessage(k, 2, 4) + NotSchedulableSuffix(1, 0), want: true},
		{name: "pods of another scheduler", key: k, msg: WaitingForPodsMessage(k, 2, 4) + NotSchedulableSuffix(0, 3), want: true},
		{name: "both", key: k, msg: WaitingForPodsMessage(k, 2, 4) + NotSchedulableSuffix(2, 3), want: true},
		{name: "suffix with trailing text", key: k, msg: WaitingForPodsMessage(k, 2, 4) + NotSchedulableSuffix(1, 0) + " and more", want: false},
		{name: "counts that do not add up", key: k, msg: "waiting for 5 more pods of gang ns/w/pg (2/4)", want: false},
		{name: "waiting for the Workload", key: k, msg: WaitingForWorkloadMessage(k.WorkloadKey()), want: false},
		{name: "quorum at Permit", key: k, msg: WaitingForQuorumMessage(k, 2, 4), want: false},
		{name: "empty", key: k, msg: "", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, IsWaitingForPodsMessage(tt.key, tt.msg))
		})
	}
}

func TestIsWaitingForVictimsMessage(t *testing.T) {
	k := GroupKey{Namespace: "ns", Workload: "w", PodGroup: "pg"}
	tests := []struct {
		name string
		msg  string
		want bool
	}{
		{name: "own message", msg: WaitingForVictimsMessage(k, 4), want: true},
		{name: "wrapped by the framework", msg: "0/4 nodes are available: 4 Insufficient cpu. " + WaitingForVictimsMessage(k, 2), want: true},
		{name: "another gang", msg: WaitingForVictimsMessage(GroupKey{Namespace: "ns", Workload: "w", PodGroup: "pg2"}, 4), want: false},
		{name: "another message of the gang", msg: CannotFitByPreemptingMessage(k, 4, "cpu=1", 2), want: false},
		{name: "empty", msg: "", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, IsWaitingForVictimsMessage(k, tt.msg))
		})
	}
}

func TestGangEventMessages(t *testing.T) {
	k := GroupKey{Namespace: "ns", Workload: "w", PodGroup: "pg", ReplicaKey: "1"}
	tests := []struct {
		name string
		got  string
		want string
	}{
		{name: "waiting", got: GangWaitingMessage(k, 2, 4), want: "gang ns/w/pg[1] waiting for quorum: 2/4 reserved or bound"},
		{name: "admitted after a wait", got: GangAdmittedMessage(k, 4, 4, 1234567*time.Microsecond, ""), want: "gang ns/w/pg[1] reached quorum: 4/4 reserved or bound after 1.235s; its members bind"},
		{name: "admitted at once", got: GangAdmittedMessage(k, 1, 1, 0, ""), want: "gang ns/w/pg[1] reached quorum: 1/1 reserved or bound; its members bind"},
		{name: "admitted in a domain", got: GangAdmittedMessage(k, 2, 2, 0, "example.com/rack=rack-3"), want: "gang ns/w/pg[1] reached quorum: 2/2 reserved or bound; its members bind in topology domain example.com/rack=rack-3"},
		{name: "gated", got: WaitingForPodsMessage(k, 2, 4) + NotSchedulableSuffix(1, 0), want: "waiting for 2 more pods of gang ns/w/pg[1] (2/4); 1 have scheduling gates"},
		{name: "another scheduler", got: WaitingForPodsMessage(k, 2, 4) + NotSchedulableSuffix(0, 1), want: "waiting for 2 more pods of gang ns/w/pg[1] (2/4); 1 are for another scheduler"},
		{
			name: "cannot fit",
			got:  CannotFitMessage(k, 10, "1 cpu, 1Gi memory", "10 cpu, 10Gi memory", 4, 8, "8 cpu, 32Gi memory"),
			want: "gang ns/w/pg[1] cannot fit in the nodes it may use even with every other pod gone: 10 more members need 10 cpu, 10Gi memory; the 4 nodes it may use (8 cpu, 32Gi memory allocatable) hold at most 8 of them; waiting for the nodes to change",
		},
		{
			name: "no node can hold a member",
			got:  CannotFitMessage(k, 2, "100m cpu", "200m cpu", 0, 0, "0 cpu"),
			want: "gang ns/w/pg[1] cannot fit in the nodes it may use even with every other pod gone: no node it may use can hold one of its 2 more members (100m cpu each); waiting for the nodes to change",
		},
		{name: "timed out", got: GangRejectedMessage(k, PermitTimeoutReason(30*time.Second)), want: "gang ns/w/pg[1] rejected: the Permit timeout (30s) passed before minCount members were reserved or bound; it will be retried as a whole"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.got)
		})
	}
}

func TestGroupKeyCompare(t *testing.T) {
	keys := []GroupKey{
		{Namespace: "a", Workload: "w", PodGroup: "pg"},
		{Namespace: "a", Workload: "w", PodGroup: "pg", ReplicaKey: "0"},
		{Namespace: "a", Workload: "w", PodGroup: "pg2"},
		{Namespace: "a", Workload: "w2", PodGroup: "a"},
		{Namespace: "b", Workload: "a", PodGroup: "a"},
		{Source: SourcePodGroup, Namespace: "a", Workload: "z"},
	}
	for i, a := range keys {
		for j, b := range keys {
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			assert.Equal(t, want, a.Compare(b), "%v vs %v", a, b)
		}
	}
	assert.Zero(t, testing.AllocsPerRun(100, func() { keys[0].Compare(keys[1]) }))
}
