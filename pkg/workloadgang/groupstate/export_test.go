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
	"k8s.io/apimachinery/pkg/types"

	"github.com/gangsched/gangsched/pkg/gang"
)

// Test-only views of the Store: the plugin needs neither.

// WaitingOnWorkload returns the UIDs of members of the Workload's gangs that
// wait at Permit, and forgets their round; used to reject them when the
// Workload is deleted. The rejected members are remembered for activation.
func (s *Store) WaitingOnWorkload(wk gang.WorkloadKey) []types.UID {
	var uids []types.UID
	for _, r := range s.WaitingRoundsOnWorkload(wk) {
		uids = append(uids, r.Reject...)
	}
	return uids
}

// Len returns the number of tracked groups and of pods waiting for a Workload.
func (s *Store) Len() (groups, waitingForWorkload int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, set := range s.waitingForWorkload {
		waitingForWorkload += len(set)
	}
	return len(s.groups), waitingForWorkload
}
