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
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/leadership"
	"github.com/gangsched/gangsched/pkg/workloadgang/groupstate"
)

// TestReservationHints checks which waiting members get their reservation
// published, and when: only once their round has gone
// reservationHintDelay without a new member, once each, and never for a
// member that no longer waits or already shows its node.
func TestReservationHints(t *testing.T) {
	const minCount = 4
	tests := []struct {
		name string
		// joins are the offsets at which members a, b, c wait at Permit.
		joins []time.Duration
		// notWaiting are members the framework no longer holds.
		notWaiting sets.Set[string]
		// nominated are members whose API object shows their node already.
		nominated sets.Set[string]
		standby   bool
		// at is when the hints are looked at.
		at        time.Duration
		wantNodes map[string]string
	}{
		{
			name:      "a round that keeps filling is not published",
			joins:     []time.Duration{0, time.Second, 2 * time.Second},
			at:        3 * time.Second,
			wantNodes: map[string]string{},
		},
		{
			name:      "a stalled round is published, every member on its node",
			joins:     []time.Duration{0, time.Second, 2 * time.Second},
			at:        2*time.Second + reservationHintDelay,
			wantNodes: map[string]string{"a": "node-a", "b": "node-b", "c": "node-c"},
		},
		{
			name:       "a member the framework no longer holds is not published",
			joins:      []time.Duration{0, 0, 0},
			notWaiting: sets.New("b"),
			at:         reservationHintDelay,
			wantNodes:  map[string]string{"a": "node-a", "c": "node-c"},
		},
		{
			name:      "a member that shows its node already costs no write",
			joins:     []time.Duration{0, 0, 0},
			nominated: sets.New("a"),
			at:        reservationHintDelay,
			wantNodes: map[string]string{"b": "node-b", "c": "node-c"},
		},
		{
			name:      "a standby writes nothing",
			joins:     []time.Duration{0, 0, 0},
			standby:   true,
			at:        reservationHintDelay,
			wantNodes: map[string]string{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			start := time.Unix(1000, 0)
			clk := testingclock.NewFakeClock(start)
			store := groupstate.New(groupstate.Backoff{Initial: time.Second, Max: time.Second}, groupstate.WithClock(clk))
			client := fake.NewClientset()
			factory := informers.NewSharedInformerFactory(client, 0)
			podInformer := factory.Core().V1().Pods()
			leader := leadership.NewTracker()
			if !tc.standby {
				leader.Lead()
			}
			h := &reservationHints{
				ctx: ctx, clock: clk, leader: leader, store: store, client: client,
				podLister:    podInformer.Lister(),
				stillWaiting: func(uid types.UID) bool { return !tc.notWaiting.Has(string(uid)) },
				cleared:      func(*v1.Pod) {},
				checking:     map[gang.GroupKey]struct{}{},
			}
			var key gang.GroupKey
			for _, name := range []string{"a", "b", "c", "d"} {
				p := groupPod(name, "train")
				if tc.nominated.Has(name) {
					p.Status.NominatedNodeName = "node-" + name
				}
				_, err := client.CoreV1().Pods("ns").Create(ctx, p, metav1.CreateOptions{})
				require.NoError(t, err)
				require.NoError(t, podInformer.Informer().GetIndexer().Add(p))
				store.AddPod(p)
				key, _ = gang.KeyForPod(p)
			}
			client.ClearActions()
			for i, at := range tc.joins {
				clk.SetTime(start.Add(at))
				assumed := groupPod(string(rune('a'+i)), "train")
				assumed.Spec.NodeName = "node-" + assumed.Name
				store.Reserve(assumed)
				require.Equal(t, groupstate.PermitWait, store.Permit(assumed, minCount, "train", time.Hour).Kind)
				h.watch(key)
			}
			clk.SetTime(start.Add(tc.at))
			got := map[string]string{}
			if len(tc.wantNodes) > 0 {
				require.Eventually(t, func() bool { return len(statusWrites(client)) == len(tc.wantNodes) }, 5*time.Second, 10*time.Millisecond)
			} else {
				// Nothing may be written: let any due check run, then look.
				require.Eventually(t, func() bool { return !clk.HasWaiters() || tc.at < tc.joins[len(tc.joins)-1]+reservationHintDelay }, 5*time.Second, 10*time.Millisecond)
				time.Sleep(50 * time.Millisecond)
			}
			for _, p := range statusWrites(client) {
				got[p.Name] = p.Status.NominatedNodeName
			}
			assert.Equal(t, tc.wantNodes, got)
		})
	}
}

// statusWrites returns the pods written through pods/status.
func statusWrites(client *fake.Clientset) []*v1.Pod {
	var out []*v1.Pod
	for _, a := range client.Actions() {
		if u, ok := a.(k8stesting.UpdateAction); ok && a.GetSubresource() == "status" {
			out = append(out, u.GetObject().(*v1.Pod))
		}
	}
	return out
}
