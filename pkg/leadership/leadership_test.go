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

package leadership

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
)

// fakeLock is a leader-election lock whose writes fail with err.
type fakeLock struct {
	resourcelock.Interface
	err error
}

func (f *fakeLock) Create(context.Context, resourcelock.LeaderElectionRecord) error { return f.err }
func (f *fakeLock) Update(context.Context, resourcelock.LeaderElectionRecord) error { return f.err }
func (f *fakeLock) Identity() string                                                { return "me" }

func TestWrapLock(t *testing.T) {
	tests := []struct {
		name        string
		write       func(resourcelock.Interface) error
		refuse      bool
		wantLeading bool
	}{
		{
			name:        "acquired by create",
			write:       func(l resourcelock.Interface) error { return l.Create(context.Background(), record("me")) },
			wantLeading: true,
		},
		{
			name:        "acquired by update",
			write:       func(l resourcelock.Interface) error { return l.Update(context.Background(), record("me")) },
			wantLeading: true,
		},
		{
			name:   "write refused",
			refuse: true,
			write:  func(l resourcelock.Interface) error { return l.Update(context.Background(), record("me")) },
		},
		{
			name:  "release on cancel writes another holder",
			write: func(l resourcelock.Interface) error { return l.Update(context.Background(), record("")) },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := NewTracker()
			lock := &fakeLock{}
			if tc.refuse {
				lock.err = errors.New("conflict")
			}
			_ = tc.write(tr.WrapLock(lock))
			assert.Equal(t, tc.wantLeading, tr.Leading())
			select {
			case <-tr.Started():
				assert.True(t, tc.wantLeading, "Started closed without leading")
			default:
				assert.False(t, tc.wantLeading, "Started still open while leading")
			}
		})
	}
}

func record(holder string) resourcelock.LeaderElectionRecord {
	return resourcelock.LeaderElectionRecord{HolderIdentity: holder}
}

func TestFromContext(t *testing.T) {
	inferred := FromContext(context.Background())
	assert.False(t, inferred.Leading(), "no tracker: a standby must not write before it is known to lead")
	inferred.ObserveSchedulingCycle()
	assert.True(t, inferred.Leading(), "a scheduling cycle runs only in the leader")
	select {
	case <-inferred.Started():
	default:
		t.Error("Started not closed after a scheduling cycle")
	}
	tr := NewTracker()
	ctx := NewContext(context.Background(), tr)
	assert.False(t, FromContext(ctx).Leading())
	tr.Lead()
	tr.Lead() // idempotent
	assert.True(t, FromContext(ctx).Leading())
}
