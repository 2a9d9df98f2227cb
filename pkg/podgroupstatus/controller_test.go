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

package podgroupstatus

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/klog/v2/ktesting"
	testingclock "k8s.io/utils/clock/testing"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
)

const testDelay = time.Second

var gvr = podgroupv1alpha1.SchemeGroupVersionResource

// fixture runs a Controller against a fake dynamic client whose patches bump
// resourceVersions as an API server does, and a fake clock that the wait
// helpers step.
type fixture struct {
	c       *Controller
	client  *dynamicfake.FakeDynamicClient
	clock   *testingclock.FakeClock
	leading atomic.Bool

	mu sync.Mutex
	// pods are the member pods Pods returns, whatever the group.
	pods []*v1.Pod
	// cache, when set, is what PodGroup returns instead of the stored
	// object: an informer cache that lags behind.
	cache map[string]*podgroupv1alpha1.PodGroup
	// synced lists the keys handled, in order.
	synced []types.NamespacedName
}

func newFixture(t *testing.T, stored ...*podgroupv1alpha1.PodGroup) *fixture {
	t.Helper()
	var objs []runtime.Object
	for _, pg := range stored {
		u, err := podgroupv1alpha1.ToUnstructured(pg)
		require.NoError(t, err)
		objs = append(objs, u)
	}
	f := &fixture{
		client: dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
			map[schema.GroupVersionResource]string{gvr: podgroupv1alpha1.Kind + "List"}, objs...),
		clock: testingclock.NewFakeClock(t0),
	}
	f.leading.Store(true)
	var rv atomic.Int64
	rv.Store(100)
	f.client.PrependReactor("patch", gvr.Resource, func(a clienttesting.Action) (bool, runtime.Object, error) {
		_, obj, err := clienttesting.ObjectReaction(f.client.Tracker())(a)
		if err != nil {
			return true, nil, err
		}
		u := obj.(*unstructured.Unstructured)
		u.SetResourceVersion(strconv.FormatInt(rv.Add(1), 10))
		return true, u, f.client.Tracker().Update(gvr, u, a.GetNamespace())
	})
	f.c = New(Options{
		Client: f.client,
		Pods: func(namespace, podGroup string) ([]*v1.Pod, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.pods, nil
		},
		PodGroup: f.podGroup,
		Leading:  f.leading.Load,
		Clock:    f.clock,
		Delay:    testDelay,
	})
	f.c.synced = func(key types.NamespacedName) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.synced = append(f.synced, key)
	}
	return f
}

// podGroup reads the cache when the test set one, else the stored object: a
// cache that is always current.
func (f *fixture) podGroup(namespace, name string) (*podgroupv1alpha1.PodGroup, bool) {
	f.mu.Lock()
	cache := f.cache
	cached, ok := f.cache[name]
	f.mu.Unlock()
	if cache != nil {
		return cached, ok
	}
	return f.fromTracker(namespace, name)
}

// fromTracker returns the stored PodGroup.
func (f *fixture) fromTracker(namespace, name string) (*podgroupv1alpha1.PodGroup, bool) {
	obj, err := f.client.Tracker().Get(gvr, namespace, name)
	if err != nil {
		return nil, false
	}
	pg, err := podgroupv1alpha1.FromUnstructured(obj.(*unstructured.Unstructured))
	if err != nil {
		return nil, false
	}
	return pg, true
}

func (f *fixture) setPods(pods ...*v1.Pod) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pods = pods
}

func (f *fixture) setCache(pgs ...*podgroupv1alpha1.PodGroup) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cache = map[string]*podgroupv1alpha1.PodGroup{}
	for _, pg := range pgs {
		f.cache[pg.Name] = pg
	}
}

// start runs the controller with one worker, so that keys are handled in the
// order they become ready, until the test ends.
func (f *fixture) start(t *testing.T) context.Context {
	_, ctx := ktesting.NewTestContext(t)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.c.Run(ctx, 1)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return ctx
}

// waitSynced steps the clock until n keys in all have been handled.
func (f *fixture) waitSynced(t *testing.T, ctx context.Context, n int) {
	t.Helper()
	f.waitSyncedStepping(t, ctx, n, testDelay)
}

// waitSyncedStepping waits until n keys in all have been handled, stepping
// the clock by step (none when 0) while they are not.
func (f *fixture) waitSyncedStepping(t *testing.T, ctx context.Context, n int, step time.Duration) {
	t.Helper()
	err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		f.mu.Lock()
		got := len(f.synced)
		f.mu.Unlock()
		if got >= n {
			return true, nil
		}
		f.clock.Step(step)
		return false, nil
	})
	require.NoError(t, err, "waiting for %d syncs, got %v", n, f.syncedKeys())
}

func (f *fixture) syncedKeys() []types.NamespacedName {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]types.NamespacedName(nil), f.synced...)
}

// flush proves that nothing is left in the queue: a sentinel enqueued now is
// handled after anything already waiting, by the one worker.
func (f *fixture) flush(t *testing.T, ctx context.Context) {
	t.Helper()
	n := len(f.syncedKeys())
	f.c.Enqueue(ns, "sentinel")
	f.waitSynced(t, ctx, n+1)
	keys := f.syncedKeys()
	require.Len(t, keys, n+1, "a key was handled after the sentinel")
	require.Equal(t, key("sentinel"), keys[n], "a key was still queued before the sentinel")
}

// patches returns the patch actions the client received.
func (f *fixture) patches() []clienttesting.PatchAction {
	var out []clienttesting.PatchAction
	for _, a := range f.client.Actions() {
		if p, ok := a.(clienttesting.PatchAction); ok {
			out = append(out, p)
		}
	}
	return out
}

// stored returns the stored PodGroup's status as unstructured content.
func (f *fixture) stored(t *testing.T, name string) map[string]any {
	t.Helper()
	obj, err := f.client.Tracker().Get(gvr, ns, name)
	require.NoError(t, err)
	status, _, err := unstructured.NestedMap(obj.(*unstructured.Unstructured).Object, "status")
	require.NoError(t, err)
	return status
}

func key(name string) types.NamespacedName {
	return types.NamespacedName{Namespace: ns, Name: name}
}

// TestBurstCostsOneWrite: a gang of 50 binds and starts one pod at a time
// over half the delay, each pod event enqueueing its PodGroup; the status is
// written once, with the counts at the end of the burst.
func TestBurstCostsOneWrite(t *testing.T) {
	const size = 50
	f := newFixture(t, makePG("pg", size).obj())
	ctx := f.start(t)

	all := running("r", "pg", size)
	for i := range size {
		f.setPods(all[:i+1]...)
		f.c.Enqueue(ns, "pg")
		f.clock.Step(testDelay / (2 * size))
	}
	// Nothing is synced during the burst: a key added to the queue now,
	// with no delay, is handled first.
	f.c.queue.Add(key("sentinel"))
	f.waitSyncedStepping(t, ctx, 1, 0)
	require.Equal(t, []types.NamespacedName{key("sentinel")}, f.syncedKeys(), "synced during the burst")

	f.waitSynced(t, ctx, 2)
	f.flush(t, ctx)

	patches := f.patches()
	require.Len(t, patches, 1)
	p := patches[0]
	assert.Equal(t, "status", p.GetSubresource())
	assert.Equal(t, types.MergePatchType, p.GetPatchType())
	assert.Equal(t, ns, p.GetNamespace())
	assert.Equal(t, "pg", p.GetName())
	status := f.stored(t, "pg")
	start, err := time.Parse(time.RFC3339, status["scheduleStartTime"].(string))
	require.NoError(t, err)
	assert.WithinRange(t, start, t0.Add(testDelay), f.clock.Now(), "set when the burst was synced, a delay after it began")
	delete(status, "scheduleStartTime")
	assert.Equal(t, map[string]any{
		"phase":     "Running",
		"scheduled": int64(size),
		"running":   int64(size),
		"succeeded": int64(0),
		"failed":    int64(0),
	}, status)
}

func TestNoWrite(t *testing.T) {
	tests := []struct {
		name    string
		stored  []*podgroupv1alpha1.PodGroup
		cache   []*podgroupv1alpha1.PodGroup
		leading bool
	}{
		{
			name: "status unchanged",
			stored: []*podgroupv1alpha1.PodGroup{makePG("pg", 2).status(podgroupv1alpha1.PodGroupStatus{
				Phase: podgroupv1alpha1.PodGroupRunning, Scheduled: 2, Running: 2, ScheduleStartTime: at(-30),
			}).obj()},
			leading: true,
		},
		{
			name:    "not leading",
			stored:  []*podgroupv1alpha1.PodGroup{makePG("pg", 2).obj()},
			leading: false,
		},
		{
			name:    "PodGroup gone from the cache",
			stored:  []*podgroupv1alpha1.PodGroup{makePG("pg", 2).obj()},
			cache:   []*podgroupv1alpha1.PodGroup{},
			leading: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.stored...)
			f.leading.Store(tt.leading)
			if tt.cache != nil {
				f.setCache(tt.cache...)
			}
			f.setPods(running("r", "pg", 2)...)
			ctx := f.start(t)

			f.c.Enqueue(ns, "pg")
			f.waitSynced(t, ctx, 1)
			f.flush(t, ctx)
			assert.Empty(t, f.patches())
			assert.Zero(t, f.c.queue.NumRequeues(key("pg")))
		})
	}
}

func TestNotFoundForgets(t *testing.T) {
	f := newFixture(t) // nothing stored: the cache still has a deleted PodGroup
	f.setCache(makePG("pg", 1).obj())
	f.setPods(running("r", "pg", 1)...)
	ctx := f.start(t)

	f.c.Enqueue(ns, "pg")
	f.waitSynced(t, ctx, 1)
	f.flush(t, ctx)
	assert.Len(t, f.patches(), 1, "one attempt, no retry")
	assert.Zero(t, f.c.queue.NumRequeues(key("pg")))
}

func TestRetriesServerErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{name: "conflict", err: apierrors.NewConflict(gvr.GroupResource(), "pg", nil)},
		{name: "internal error", err: apierrors.NewInternalError(context.DeadlineExceeded)},
		{name: "throttled", err: apierrors.NewTooManyRequests("slow down", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, makePG("pg", 1).obj())
			var failed atomic.Bool
			f.client.PrependReactor("patch", gvr.Resource, func(clienttesting.Action) (bool, runtime.Object, error) {
				if failed.CompareAndSwap(false, true) {
					return true, nil, tt.err
				}
				return false, nil, nil
			})
			f.setPods(running("r", "pg", 1)...)
			ctx := f.start(t)

			f.c.Enqueue(ns, "pg")
			f.waitSynced(t, ctx, 2)
			f.flush(t, ctx)
			assert.Len(t, f.patches(), 2, "one failure, one retry")
			assert.Equal(t, "Running", f.stored(t, "pg")["phase"])
			assert.Zero(t, f.c.queue.NumRequeues(key("pg")), "forgotten after the retry succeeded")
		})
	}
}

func TestCountsFallingToZeroAreWritten(t *testing.T) {
	f := newFixture(t, makePG("pg", 2).status(podgroupv1alpha1.PodGroupStatus{
		Phase: podgroupv1alpha1.PodGroupRunning, OccupiedBy: "team/job", Scheduled: 2, Running: 2, ScheduleStartTime: at(-30),
	}).obj())
	f.setPods() // the pods were deleted
	ctx := f.start(t)

	f.c.Enqueue(ns, "pg")
	f.waitSynced(t, ctx, 1)
	require.Len(t, f.patches(), 1)
	assert.Equal(t, map[string]any{
		"phase":             "Pending",
		"scheduled":         int64(0),
		"running":           int64(0),
		"succeeded":         int64(0),
		"failed":            int64(0),
		"scheduleStartTime": at(-30).UTC().Format(time.RFC3339),
	}, f.stored(t, "pg"))
}

// TestLaggingCacheCostsNoRewrite: a sync that reads a PodGroup from before
// the controller's own write compares against what it wrote, and writes
// nothing until something else changes.
func TestLaggingCacheCostsNoRewrite(t *testing.T) {
	initial := makePG("pg", 2).obj()
	f := newFixture(t, initial)
	f.setCache(initial) // the informer has not seen any write
	f.setPods(running("r", "pg", 2)...)
	ctx := f.start(t)

	f.c.Enqueue(ns, "pg")
	f.waitSynced(t, ctx, 1)
	require.Len(t, f.patches(), 1)
	afterFirst := f.storedPodGroup(t)

	f.c.Enqueue(ns, "pg") // e.g. a pod's status was updated with no change we count
	f.waitSynced(t, ctx, 2)
	assert.Len(t, f.patches(), 1, "the cache lags; the written status is unchanged")

	f.setPods(makePod("r-0", "pg").bound().phase(v1.PodSucceeded).obj(), makePod("r-1", "pg").bound().phase(v1.PodRunning).obj())
	f.c.Enqueue(ns, "pg")
	f.waitSynced(t, ctx, 3)
	require.Len(t, f.patches(), 2, "a count changed")

	f.setCache(afterFirst) // the first write reaches the cache, not the second
	f.c.Enqueue(ns, "pg")
	f.waitSynced(t, ctx, 4)
	assert.Len(t, f.patches(), 2, "the cache shows a superseded write")

	current := f.storedPodGroup(t)
	f.setCache(current)
	f.c.Enqueue(ns, "pg")
	f.waitSynced(t, ctx, 5)
	assert.Len(t, f.patches(), 2, "the cache caught up")
	assert.Equal(t, int32(1), current.Status.Succeeded)

	f.setPods(running("r", "pg", 2)...) // stands for any change after the cache caught up
	f.c.Enqueue(ns, "pg")
	f.waitSynced(t, ctx, 6)
	assert.Len(t, f.patches(), 3, "the cache is the truth again")
}

// storedPodGroup returns the PodGroup as stored, bypassing any cache.
func (f *fixture) storedPodGroup(t *testing.T) *podgroupv1alpha1.PodGroup {
	t.Helper()
	pg, ok := f.fromTracker(ns, "pg")
	require.True(t, ok)
	return pg
}

func TestEnqueueAll(t *testing.T) {
	f := newFixture(t, makePG("a", 1).obj(), makePG("b", 1).obj())
	ctx := f.start(t)

	f.c.EnqueueAll(key("a"), key("b"))
	f.waitSynced(t, ctx, 2)
	f.flush(t, ctx)
	assert.ElementsMatch(t, []types.NamespacedName{key("a"), key("b"), key("sentinel")}, f.syncedKeys())
	assert.Len(t, f.patches(), 2, "each new PodGroup gets its first status")
}

func TestNewPanicsOnMissingOptions(t *testing.T) {
	full := Options{
		Client:   dynamicfake.NewSimpleDynamicClient(runtime.NewScheme()),
		Pods:     func(string, string) ([]*v1.Pod, error) { return nil, nil },
		PodGroup: func(string, string) (*podgroupv1alpha1.PodGroup, bool) { return nil, false },
		Leading:  func() bool { return true },
	}
	tests := []struct {
		name  string
		clear func(*Options)
	}{
		{name: "Client", clear: func(o *Options) { o.Client = nil }},
		{name: "Pods", clear: func(o *Options) { o.Pods = nil }},
		{name: "PodGroup", clear: func(o *Options) { o.PodGroup = nil }},
		{name: "Leading", clear: func(o *Options) { o.Leading = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := full
			tt.clear(&o)
			assert.PanicsWithValue(t, "podgroupstatus.New: Options."+tt.name+" is nil", func() { New(o) })
		})
	}
	c := New(full)
	assert.Equal(t, DefaultDelay, c.delay)
}
