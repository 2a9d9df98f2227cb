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

// Package leadership tells plugins whether their scheduler process leads.
//
// With leader election, every replica of a scheduler runs its informers, and
// its scheduling queue runs PreEnqueue, but only the leader schedules. A
// plugin that writes to the API from PreEnqueue or from informer handlers
// (WorkloadGang reports why pods are held) must write only while its process
// leads, or every standby writes the same status. The scheduler framework
// does not tell plugins; the gangsched command does, through the context it
// gives the scheduler: a Tracker learns from the leader-election lock when
// the process first acquires the lease (the scheduler exits when it loses
// it), and plugins read it with FromContext. A scheduler built without the
// gangsched command has no Tracker in its context; its plugins learn that
// the process leads from its first scheduling cycle, which only a leader
// runs (ObserveSchedulingCycle).
package leadership

import (
	"context"
	"sync"

	"k8s.io/client-go/tools/leaderelection/resourcelock"
)

// Tracker records whether the process leads. The zero value does not lead.
type Tracker struct {
	once sync.Once
	// started is closed once the process leads.
	started chan struct{}
}

// NewTracker returns a Tracker that does not lead yet.
func NewTracker() *Tracker {
	return &Tracker{started: make(chan struct{})}
}

// Lead records that the process leads, for good: it acquired the lease, or
// runs without leader election.
func (t *Tracker) Lead() {
	t.once.Do(func() { close(t.started) })
}

// Started is closed once the process leads.
func (t *Tracker) Started() <-chan struct{} {
	return t.started
}

// Leading reports whether the process leads.
func (t *Tracker) Leading() bool {
	select {
	case <-t.started:
		return true
	default:
		return false
	}
}

// WrapLock returns lock, observed: a successful Create or Update of the
// leader record is made by this process's elector only when it acquires or
// renews the lease, so it marks the process as leading.
func (t *Tracker) WrapLock(lock resourcelock.Interface) resourcelock.Interface {
	return &observedLock{Interface: lock, tracker: t}
}

type observedLock struct {
	resourcelock.Interface
	tracker *Tracker
}

func (l *observedLock) Create(ctx context.Context, ler resourcelock.LeaderElectionRecord) error {
	err := l.Interface.Create(ctx, ler)
	l.observe(ler, err)
	return err
}

func (l *observedLock) Update(ctx context.Context, ler resourcelock.LeaderElectionRecord) error {
	err := l.Interface.Update(ctx, ler)
	l.observe(ler, err)
	return err
}

func (l *observedLock) observe(ler resourcelock.LeaderElectionRecord, err error) {
	if err == nil && ler.HolderIdentity == l.Identity() {
		l.tracker.Lead()
	}
}

type contextKey struct{}

// NewContext returns a context carrying t.
func NewContext(ctx context.Context, t *Tracker) context.Context {
	return context.WithValue(ctx, contextKey{}, t)
}

// FromContext returns the Tracker in ctx. A scheduler built without one
// (with app.NewSchedulerCommand rather than package command) gets a new
// Tracker that does not lead until ObserveSchedulingCycle: its plugins must
// then call FromContext once and share what it returns.
func FromContext(ctx context.Context) *Tracker {
	if t, ok := ctx.Value(contextKey{}).(*Tracker); ok {
		return t
	}
	return NewTracker()
}

// ObserveSchedulingCycle records that the scheduler runs a scheduling cycle
// (PreFilter to Permit): only the leader runs them, a standby's queue runs
// PreEnqueue and no more. So a plugin that may have been built without a
// Tracker in its context learns that its process leads, at the latest with
// its first pod; until then it writes nothing, which is the safe side.
func (t *Tracker) ObserveSchedulingCycle() {
	select {
	case <-t.started:
	default:
		t.Lead()
	}
}
