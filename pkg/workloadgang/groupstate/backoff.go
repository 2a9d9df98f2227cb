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
	"time"

	v1 "k8s.io/api/core/v1"

	"github.com/gangsched/gangsched/pkg/gang"
)

// Backoff is how long a gang waits after a rejected round before its next
// attempt: Initial after the first rejection, doubling with each further
// one, never more than Max. A gang that reaches its quorum starts afresh.
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
}

// duration returns the backoff after the given number of rejections (>= 1).
func (b Backoff) duration(rejections int) time.Duration {
	d := b.Initial
	for i := 1; i < rejections && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// rejectRound rejects the waiting round and starts the backoff. Callers
// hold Store.mu.
func (g *group) rejectRound(key gang.GroupKey, b Backoff, now time.Time, cause Cause) RoundOutcome {
	g.rejections++
	g.backoffUntil = now.Add(b.duration(g.rejections))
	return RoundOutcome{Kind: RoundRejected, Group: key, Cause: cause, Reject: g.takeWaitingAsRejected(), BackoffUntil: g.backoffUntil}
}

// BackoffExpired hands back, once the gang's backoff has ended, the members
// that Admit held during it and those the rejection sent back, for the
// caller to activate.
func (s *Store) BackoffExpired(key gang.GroupKey) []*v1.Pod {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[key]
	if !ok || s.clock.Now().Before(g.backoffUntil) {
		return nil
	}
	pods := takeAll(&g.backedOff, &g.rejected, &g.unplaced)
	s.syncGroup(key, g)
	return pods
}
