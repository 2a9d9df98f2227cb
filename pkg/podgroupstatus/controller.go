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
	"fmt"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
)

// DefaultDelay is the coalescing delay when Options.Delay is not positive:
// long enough to take in the bind and start events of a gang created at once,
// short enough that a user reads a current phase.
const DefaultDelay = time.Second

// Options are what a Controller needs from the process that runs it.
type Options struct {
	// Client writes status: a merge patch on the status subresource of
	// podgroupv1alpha1.SchemeGroupVersionResource.
	Client dynamic.Interface
	// Pods returns the pods labelled as members of a PodGroup, from a cache.
	// Pods that pkg/gang does not place in the group are ignored.
	Pods func(namespace, podGroup string) ([]*v1.Pod, error)
	// PodGroup returns a PodGroup from a cache, and false once it is gone.
	PodGroup func(namespace, name string) (*podgroupv1alpha1.PodGroup, bool)
	// Leading reports whether the process leads: a standby writes nothing.
	Leading func() bool
	// Clock is the time source of the queue and of scheduleStartTime; the
	// real clock when nil.
	Clock clock.WithTicker
	// Delay is how long after an event a PodGroup is synced; events within
	// it are coalesced into one sync. DefaultDelay when not positive.
	Delay time.Duration
}

// Controller keeps the status of PodGroups. Create it with New, feed it with
// Enqueue from informer handlers, and run it with Run.
type Controller struct {
	client   dynamic.Interface
	pods     func(namespace, podGroup string) ([]*v1.Pod, error)
	podGroup func(namespace, name string) (*podgroupv1alpha1.PodGroup, bool)
	leading  func() bool
	clock    clock.PassiveClock
	delay    time.Duration
	queue    workqueue.TypedRateLimitingInterface[types.NamespacedName]
	writes   *writes

	// synced, when set (by tests), is called after each queue item is
	// handled, whatever the outcome.
	synced func(types.NamespacedName)
}

// New returns a Controller. Client, Pods, PodGroup and Leading are required:
// a nil one is a wiring mistake, and New panics at startup rather than at the
// first event.
func New(o Options) *Controller {
	switch {
	case o.Client == nil:
		panic("podgroupstatus.New: Options.Client is nil")
	case o.Pods == nil:
		panic("podgroupstatus.New: Options.Pods is nil")
	case o.PodGroup == nil:
		panic("podgroupstatus.New: Options.PodGroup is nil")
	case o.Leading == nil:
		panic("podgroupstatus.New: Options.Leading is nil")
	}
	if o.Clock == nil {
		o.Clock = clock.RealClock{}
	}
	if o.Delay <= 0 {
		o.Delay = DefaultDelay
	}
	return &Controller{
		client:   o.Client,
		pods:     o.Pods,
		podGroup: o.PodGroup,
		leading:  o.Leading,
		clock:    o.Clock,
		delay:    o.Delay,
		writes:   newWrites(),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[types.NamespacedName](),
			workqueue.TypedRateLimitingQueueConfig[types.NamespacedName]{Name: "podgroupstatus", Clock: o.Clock},
		),
	}
}

// Enqueue schedules a sync of a PodGroup after the coalescing delay. A
// PodGroup already waiting keeps its earlier time, so a burst of events costs
// one sync. It does not block (unless a thousand calls wait to be taken in at
// once) and is a no-op once Run has returned.
func (c *Controller) Enqueue(namespace, name string) {
	c.queue.AddAfter(types.NamespacedName{Namespace: namespace, Name: name}, c.delay)
}

// EnqueueAll schedules a sync of each PodGroup. Call it with every cached
// PodGroup when the process becomes the leader: a standby drops what it is
// given, so the PodGroups that changed before it led are synced only then.
func (c *Controller) EnqueueAll(keys ...types.NamespacedName) {
	for _, key := range keys {
		c.queue.AddAfter(key, c.delay)
	}
}

// Run syncs PodGroups with the given number of workers (at least one) until
// ctx ends, then stops its queue. Call it once.
func (c *Controller) Run(ctx context.Context, workers int) {
	defer utilruntime.HandleCrashWithContext(ctx)
	logger := klog.FromContext(ctx)
	logger.Info("Starting PodGroup status controller", "workers", max(workers, 1), "delay", c.delay)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			for c.processNext(ctx) {
			}
		})
	}
	<-ctx.Done()
	c.queue.ShutDown()
	wg.Wait()
	logger.Info("Stopped PodGroup status controller")
}

// processNext handles one queue item; false once the queue is shut down.
func (c *Controller) processNext(ctx context.Context) bool {
	key, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(key)
	if c.synced != nil {
		defer c.synced(key)
	}
	if !c.leading() {
		// The new leader syncs every PodGroup when it takes over
		// (EnqueueAll), so nothing is lost by dropping this.
		c.queue.Forget(key)
		return true
	}
	err := c.sync(ctx, key)
	switch {
	case err == nil:
		c.queue.Forget(key)
	case apierrors.IsNotFound(err):
		// Deleted between the cache read and the write; its delete event
		// has nothing to sync either.
		c.writes.forget(key)
		c.queue.Forget(key)
	default:
		// Conflicts, server errors, throttling: try again, backing off.
		// The next attempt reads the cache afresh.
		utilruntime.HandleErrorWithContext(ctx, err, "Failed to sync PodGroup status", "podGroup", klog.KRef(key.Namespace, key.Name))
		c.queue.AddRateLimited(key)
	}
	return true
}

// sync computes a PodGroup's status from its cached members, and writes it
// when it differs from the stored one.
func (c *Controller) sync(ctx context.Context, key types.NamespacedName) error {
	logger := klog.FromContext(ctx)
	pg, ok := c.podGroup(key.Namespace, key.Name)
	if !ok {
		c.writes.forget(key)
		return nil
	}
	pods, err := c.pods(key.Namespace, key.Name)
	if err != nil {
		return fmt.Errorf("listing the members of PodGroup %s: %w", key, err)
	}
	view := *pg
	view.Status = c.writes.baseline(key, pg)
	status := Compute(&view, pods, metav1.NewTime(c.clock.Now()))
	if Equal(status, view.Status) {
		return nil
	}
	patch, err := statusPatch(status)
	if err != nil {
		return fmt.Errorf("encoding the status of PodGroup %s: %w", key, err)
	}
	out, err := c.client.Resource(podgroupv1alpha1.SchemeGroupVersionResource).Namespace(key.Namespace).
		Patch(ctx, key.Name, types.MergePatchType, patch, metav1.PatchOptions{}, "status")
	if err != nil {
		return err
	}
	var written string
	if out != nil {
		written = out.GetResourceVersion()
	}
	c.writes.record(key, pg, status, written)
	logger.V(4).Info("Wrote PodGroup status", "podGroup", klog.KObj(pg), "phase", status.Phase,
		"scheduled", status.Scheduled, "running", status.Running, "succeeded", status.Succeeded, "failed", status.Failed)
	return nil
}
