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
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/gangsched/gangsched/pkg/gang"
)

// Domain is the topology domain chosen for a gang's current round: every
// member of the round is placed on its nodes.
type Domain struct {
	// Name is the value of the required topology label shared by the
	// nodes; empty when only a preferred key was asked.
	Name string
	// Nodes are the names of the nodes the round may use.
	Nodes sets.Set[string]
}

// SetDomain records the domain chosen for the current round of a gang, so
// that the round's other members look it up instead of choosing again. It
// reports false, recording nothing, when the Store does not track the gang
// (the member was deleted meanwhile). The domain is forgotten when the
// round ends: rejected, released at its quorum, or when a member finds no
// node inside it (Unplaced), so the next attempt may choose another.
func (s *Store) SetDomain(key gang.GroupKey, name string, nodes sets.Set[string]) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[key]
	if !ok {
		return false
	}
	g.domain = &Domain{Name: name, Nodes: nodes}
	return true
}

// Domain returns the domain chosen for the current round of a gang, if
// any. The node set is shared, not copied: callers must not change it.
func (s *Store) Domain(key gang.GroupKey) (Domain, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[key]
	if !ok || g.domain == nil {
		return Domain{}, false
	}
	return *g.domain, true
}

// NoDomain records that a member of a gang found no topology domain with
// room for the gang, and reports whether this is the gang's first such
// finding since room last changed (a bound pod deleted, a node changed:
// RoomChanged, NodesChanged): the gang's attempt, whose members all retry
// on that change, counts once however many of its members find no domain.
func (s *Store) NoDomain(key gang.GroupKey) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[key]
	if !ok || g.noDomainEpoch == s.roomEpoch {
		return false
	}
	g.noDomainEpoch = s.roomEpoch
	return true
}

// RoomChanged records that room may have freed up (a bound pod was
// deleted): gangs that found no domain try again as a new attempt.
func (s *Store) RoomChanged() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.roomEpoch++
}
