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
	"fmt"
	"sync"
	"sync/atomic"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"

	"github.com/gangsched/gangsched/pkg/apis/config"
	"github.com/gangsched/gangsched/pkg/workloadgang/groupstate"
)

// schedulerState is the gang state of one scheduler: one group store, one
// reporter, one set of informer handlers, shared by every profile that
// enables WorkloadGang and read by the queue sort. Gangs of different
// profiles compete for the same nodes and share one scheduling queue, so
// yield, the starvation hold ("only the oldest gang holds") and queue order
// must see them all: with a store per profile, gangs of two profiles could
// both hold and interleave until their timeouts.
//
// A scheduler's profiles share one informer factory and nothing else a
// plugin can see, so the factory identifies the scheduler: several
// schedulers in one process (tests) keep separate states.
type schedulerState struct {
	// mu guards gang and profile creation.
	mu sync.Mutex
	// gang is the first WorkloadGang instance, whose store, reporter,
	// events and handlers the other profiles' instances share; nil until
	// a profile enables WorkloadGang.
	gang *WorkloadGang
	// firstProfile is the profile that created gang, for error messages.
	firstProfile string
	// store is gang's store, for the queue sort (which can be created
	// first): nil until then.
	store atomic.Pointer[groupstate.Store]
	// profiles is the set of scheduler names of the profiles that enable
	// WorkloadGang: only their pods count as gang members. Replaced, never
	// changed, so that readers need no lock.
	profiles atomic.Pointer[map[string]struct{}]
}

// schedulerStates holds the state of every live scheduler of the process.
var schedulerStates = struct {
	sync.Mutex
	m map[informers.SharedInformerFactory]*schedulerState
}{m: map[informers.SharedInformerFactory]*schedulerState{}}

// stateFor returns the state of the scheduler whose informer factory is
// given, creating it; it is forgotten when ctx (the scheduler's) ends.
func stateFor(ctx context.Context, factory informers.SharedInformerFactory) *schedulerState {
	schedulerStates.Lock()
	defer schedulerStates.Unlock()
	if st, ok := schedulerStates.m[factory]; ok {
		return st
	}
	st := &schedulerState{}
	st.profiles.Store(&map[string]struct{}{})
	schedulerStates.m[factory] = st
	context.AfterFunc(ctx, func() {
		schedulerStates.Lock()
		defer schedulerStates.Unlock()
		if schedulerStates.m[factory] == st {
			delete(schedulerStates.m, factory)
		}
	})
	return st
}

// addProfile records that a profile enables WorkloadGang with args, and
// returns the instance whose shared parts its plugin uses (nil: it is the
// first; the caller builds them and calls setGang). Profiles of one
// scheduler must agree on the args: one store has one backoff and one
// hold, so differing args are refused at startup, naming both profiles.
func (st *schedulerState) addProfile(profile string, args config.WorkloadGangArgs) (*WorkloadGang, error) {
	old := *st.profiles.Load()
	next := make(map[string]struct{}, len(old)+1)
	for name := range old {
		next[name] = struct{}{}
	}
	next[profile] = struct{}{}
	st.profiles.Store(&next)
	if st.gang == nil {
		return nil, nil
	}
	if !sameArgs(st.gang.args, args) {
		return nil, fmt.Errorf("profiles %q and %q enable %s with different args (%+v and %+v): the profiles of one scheduler share one gang state, so give them the same args",
			st.firstProfile, profile, Name, st.gang.args, args)
	}
	return st.gang, nil
}

// sameArgs compares args, whatever their TypeMeta says.
func sameArgs(a, b config.WorkloadGangArgs) bool {
	a.TypeMeta, b.TypeMeta = metav1.TypeMeta{}, metav1.TypeMeta{}
	return a == b
}

// setGang records the first WorkloadGang instance of the scheduler.
func (st *schedulerState) setGang(profile string, pl *WorkloadGang) {
	st.gang = pl
	st.firstProfile = profile
	st.store.Store(pl.store)
}

// schedules reports whether a profile of the scheduler that enables
// WorkloadGang has the given scheduler name. Lock-free.
func (st *schedulerState) schedules(schedulerName string) bool {
	_, ok := (*st.profiles.Load())[schedulerName]
	return ok
}
