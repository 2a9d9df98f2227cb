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
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/events"
	"k8s.io/klog/v2"
	"k8s.io/klog/v2/ktesting"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/defaultbinder"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/queuesort"
	frameworkruntime "k8s.io/kubernetes/pkg/scheduler/framework/runtime"
	"k8s.io/kubernetes/pkg/scheduler/metrics"
	st "k8s.io/kubernetes/pkg/scheduler/testing"
	tf "k8s.io/kubernetes/pkg/scheduler/testing/framework"
	"k8s.io/utils/clock"

	"github.com/gangsched/gangsched/pkg/apis/config"
	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/leadership"
)

func TestMain(m *testing.M) {
	// The framework records extension point metrics, which must exist.
	metrics.Register()
	os.Exit(m.Run())
}

// fakeActivator records the pods the plugin activates.
type fakeActivator struct {
	mu        sync.Mutex
	activated map[string]bool
}

func (a *fakeActivator) Activate(_ klog.Logger, pods map[string]*v1.Pod) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, p := range pods {
		a.activated[p.Name] = true
	}
}

func (a *fakeActivator) reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	clear(a.activated)
}

func (a *fakeActivator) has(names ...string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, n := range names {
		if !a.activated[n] {
			return false
		}
	}
	return true
}

// testEnv is a real scheduler framework running WorkloadGang on a fake clientset.
type testEnv struct {
	ctx       context.Context
	cs        *fake.Clientset
	fh        framework.Framework
	pl        *WorkloadGang
	activator *fakeActivator
	recorder  *events.FakeRecorder
}

var workloadAPI = []*metav1.APIResourceList{{
	GroupVersion: "scheduling.k8s.io/v1alpha1",
	APIResources: []metav1.APIResource{{Name: "workloads", Namespaced: true, Kind: "Workload"}},
}}

func newTestEnv(t *testing.T, args *config.WorkloadGangArgs, objs ...runtime.Object) *testEnv {
	t.Helper()
	return newTestEnvWithClock(t, args, clock.RealClock{}, objs...)
}

// newTestEnvWithClock is newTestEnv with the plugin on the given clock.
// The scheduler leads, as with leader election off in the gangsched
// command.
func newTestEnvWithClock(t *testing.T, args *config.WorkloadGangArgs, clk clock.WithDelayedExecution, objs ...runtime.Object) *testEnv {
	t.Helper()
	leader := leadership.NewTracker()
	leader.Lead()
	return newTestEnvLed(t, args, clk, leader, objs...)
}

// newTestEnvLed is newTestEnvWithClock with the given leadership tracker in
// the plugin's context; nil: none, as in a scheduler built with upstream's
// app.NewSchedulerCommand.
func newTestEnvLed(t *testing.T, args *config.WorkloadGangArgs, clk clock.WithDelayedExecution, leader *leadership.Tracker, objs ...runtime.Object) *testEnv {
	t.Helper()
	_, ctx := ktesting.NewTestContext(t)
	ctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	if leader != nil {
		ctx = leadership.NewContext(ctx, leader)
	}
	cs := fake.NewClientset(objs...)
	cs.Resources = workloadAPI
	informerFactory := informers.NewSharedInformerFactory(cs, 0)
	activator := &fakeActivator{activated: map[string]bool{}}
	recorder := events.NewFakeRecorder(100)
	var pl *WorkloadGang
	newPlugin := func(ctx context.Context, _ runtime.Object, fh fwk.Handle) (fwk.Plugin, error) {
		var obj runtime.Object
		if args != nil {
			obj = args
		}
		p, err := newWithClock(ctx, obj, fh, clk)
		if err != nil {
			return nil, err
		}
		pl = p
		return p, nil
	}
	fh, err := tf.NewFramework(ctx, []tf.RegisterPluginFunc{
		tf.RegisterQueueSortPlugin(queuesort.Name, queuesort.New),
		tf.RegisterBindPlugin(defaultbinder.Name, defaultbinder.New),
		tf.RegisterPluginAsExtensions(Name, newPlugin, "Reserve", "Permit"),
	}, testProfile,
		frameworkruntime.WithClientSet(cs),
		frameworkruntime.WithInformerFactory(informerFactory),
		frameworkruntime.WithPodActivator(activator),
		frameworkruntime.WithEventRecorder(recorder),
		frameworkruntime.WithWaitingPods(frameworkruntime.NewWaitingPodsMap()),
	)
	require.NoError(t, err)
	informerFactory.Start(ctx.Done())
	informerFactory.WaitForCacheSync(ctx.Done())
	require.NotNil(t, pl)
	return &testEnv{ctx: ctx, cs: cs, fh: fh, pl: pl, activator: activator, recorder: recorder}
}

// testProfile is the profile of the test framework; pods built by the
// scheduler's test wrappers name no scheduler, so the profile has no name
// either: they are this scheduler's pods.
const testProfile = ""

func gangWorkload(name string, minCount int32) *schedulingv1alpha1.Workload {
	return st.MakeWorkload().Name(name).Namespace("ns").PodGroup(st.MakePodGroup().Name("pg").MinCount(minCount).Obj()).Obj()
}

func groupPod(name, workload string) *v1.Pod {
	return st.MakePod().Namespace("ns").Name(name).UID(name).WorkloadRef(&v1.WorkloadReference{Name: workload, PodGroup: "pg"}).Obj()
}

func TestPreEnqueue(t *testing.T) {
	basic := st.MakeWorkload().Name("basic").Namespace("ns").PodGroup(st.MakePodGroup().Name("pg").BasicPolicy().Obj()).Obj()
	otherPG := st.MakeWorkload().Name("other").Namespace("ns").PodGroup(st.MakePodGroup().Name("x").MinCount(1).Obj()).Obj()
	tests := []struct {
		name       string
		objs       []runtime.Object
		pod        *v1.Pod
		wantCode   fwk.Code
		wantReason string
	}{
		{
			name:     "pod without workloadRef",
			pod:      st.MakePod().Namespace("ns").Name("plain").Obj(),
			wantCode: fwk.Success,
		},
		{
			name:       "Workload missing",
			pod:        groupPod("p1", "train"),
			wantCode:   fwk.UnschedulableAndUnresolvable,
			wantReason: "waiting for Workload ns/train",
		},
		{
			name:       "podGroup missing",
			objs:       []runtime.Object{otherPG},
			pod:        groupPod("p1", "other"),
			wantCode:   fwk.UnschedulableAndUnresolvable,
			wantReason: "Workload ns/other has no podGroup pg; recreate the Workload with it",
		},
		{
			name:     "basic policy",
			objs:     []runtime.Object{basic},
			pod:      groupPod("p1", "basic"),
			wantCode: fwk.Success,
		},
		{
			name:       "gang short of minCount",
			objs:       []runtime.Object{gangWorkload("train", 3), groupPod("p1", "train"), groupPod("p2", "train")},
			pod:        groupPod("p1", "train"),
			wantCode:   fwk.UnschedulableAndUnresolvable,
			wantReason: "waiting for 1 more pods of gang ns/train/pg (2/3)",
		},
		{
			name:     "gang with minCount pods",
			objs:     []runtime.Object{gangWorkload("train", 2), groupPod("p1", "train"), groupPod("p2", "train")},
			pod:      groupPod("p1", "train"),
			wantCode: fwk.Success,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t, nil, tc.objs...)
			status := env.pl.PreEnqueue(env.ctx, tc.pod)
			assert.Equal(t, tc.wantCode, status.Code())
			if tc.wantReason != "" {
				assert.Equal(t, []string{tc.wantReason}, status.Reasons())
			}
		})
	}
}

// waitFor polls a condition with a deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 10*time.Millisecond, wait.ForeverTestTimeout, true,
		func(context.Context) (bool, error) { return cond(), nil })
	require.NoError(t, err, "waiting for %s", what)
}

func TestEventsActivateHeldPods(t *testing.T) {
	t.Run("Workload created", func(t *testing.T) {
		env := newTestEnv(t, nil, groupPod("p1", "train"))
		require.Equal(t, fwk.UnschedulableAndUnresolvable, env.pl.PreEnqueue(env.ctx, groupPod("p1", "train")).Code())
		_, err := env.cs.SchedulingV1alpha1().Workloads("ns").Create(env.ctx, gangWorkload("train", 1), metav1.CreateOptions{})
		require.NoError(t, err)
		waitFor(t, "p1 to be activated", func() bool { return env.activator.has("p1") })
		assert.True(t, env.pl.PreEnqueue(env.ctx, groupPod("p1", "train")).IsSuccess())
	})
	t.Run("last member created", func(t *testing.T) {
		env := newTestEnv(t, nil, gangWorkload("train", 3), groupPod("p1", "train"), groupPod("p2", "train"))
		require.Equal(t, fwk.UnschedulableAndUnresolvable, env.pl.PreEnqueue(env.ctx, groupPod("p1", "train")).Code())
		require.Equal(t, fwk.UnschedulableAndUnresolvable, env.pl.PreEnqueue(env.ctx, groupPod("p2", "train")).Code())
		_, err := env.cs.CoreV1().Pods("ns").Create(env.ctx, groupPod("p3", "train"), metav1.CreateOptions{})
		require.NoError(t, err)
		waitFor(t, "p1 and p2 to be activated", func() bool { return env.activator.has("p1", "p2") })
	})
}

// reserveAndPermit runs a pod through Reserve and Permit as the scheduling
// cycle does.
func (e *testEnv) reserveAndPermit(t *testing.T, pod *v1.Pod) *fwk.Status {
	t.Helper()
	state := framework.NewCycleState()
	require.True(t, e.fh.RunReservePluginsReserve(e.ctx, state, pod, "node").IsSuccess())
	return e.fh.RunPermitPlugins(e.ctx, state, pod, "node")
}

func TestPermitReleasesGangTogether(t *testing.T) {
	pods := []*v1.Pod{groupPod("p1", "train"), groupPod("p2", "train"), groupPod("p3", "train")}
	env := newTestEnv(t, nil, gangWorkload("train", 3), pods[0], pods[1], pods[2])
	for _, p := range pods[:2] {
		status := env.reserveAndPermit(t, p)
		require.Equal(t, fwk.Wait, status.Code(), status.Message())
	}
	require.NotNil(t, env.fh.GetWaitingPod(pods[0].UID))
	require.True(t, env.reserveAndPermit(t, pods[2]).IsSuccess())
	for _, p := range pods[:2] {
		assert.True(t, env.fh.WaitOnPermit(env.ctx, p).IsSuccess(), "%s must be released with the gang", p.Name)
	}
}

func TestPermitTimeoutRejectsWholeGang(t *testing.T) {
	pods := []*v1.Pod{groupPod("p1", "train"), groupPod("p2", "train"), groupPod("p3", "train")}
	env := newTestEnv(t, &config.WorkloadGangArgs{PermitTimeoutSeconds: 1, BackoffInitialSeconds: 1, BackoffMaxSeconds: 1},
		gangWorkload("train", 3), pods[0], pods[1], pods[2])
	for _, p := range pods[:2] {
		require.Equal(t, fwk.Wait, env.reserveAndPermit(t, p).Code())
	}
	// Both members wait in the same round; whichever times out first takes
	// the other with it, as the scheduler's binding cycle would on Unreserve.
	results := make(chan *fwk.Status, 2)
	for _, p := range pods[:2] {
		go func() {
			s := env.fh.WaitOnPermit(env.ctx, p)
			if !s.IsSuccess() {
				env.fh.RunReservePluginsUnreserve(env.ctx, framework.NewCycleState(), p, "node")
			}
			results <- s
		}()
	}
	for range pods[:2] {
		s := <-results
		assert.True(t, s.IsRejected(), "got %v", s)
	}
	st, _ := env.pl.store.Group(keyOf(pods[0]))
	assert.Zero(t, st.ReservedOrBound, "no reservation may be left")
	assert.Equal(t, 2, st.Rejected)
}

func TestUnreserveRejectsWaitingMembers(t *testing.T) {
	pods := []*v1.Pod{groupPod("p1", "train"), groupPod("p2", "train"), groupPod("p3", "train")}
	env := newTestEnv(t, nil, gangWorkload("train", 3), pods[0], pods[1], pods[2])
	for _, p := range pods[:2] {
		require.Equal(t, fwk.Wait, env.reserveAndPermit(t, p).Code())
	}
	env.fh.RunReservePluginsUnreserve(env.ctx, framework.NewCycleState(), pods[0], "node")
	s := env.fh.WaitOnPermit(env.ctx, pods[1])
	require.True(t, s.IsRejected())
	assert.Contains(t, s.Message(), "gang ns/train/pg rejected: member p1 lost its reservation")
}

func TestWorkloadDeletedRejectsWaitingMembers(t *testing.T) {
	pods := []*v1.Pod{groupPod("p1", "train"), groupPod("p2", "train")}
	env := newTestEnv(t, nil, gangWorkload("train", 2), pods[0], pods[1])
	require.Equal(t, fwk.Wait, env.reserveAndPermit(t, pods[0]).Code())
	require.NoError(t, env.cs.SchedulingV1alpha1().Workloads("ns").Delete(env.ctx, "train", metav1.DeleteOptions{}))
	s := env.fh.WaitOnPermit(env.ctx, pods[0])
	require.True(t, s.IsRejected())
	assert.Contains(t, s.Message(), "Workload ns/train was deleted")
}

func TestQueueingHints(t *testing.T) {
	env := newTestEnv(t, nil, gangWorkload("train", 2), groupPod("p1", "train"))
	logger := klog.FromContext(env.ctx)
	waitFor(t, "p1 to be tracked", func() bool {
		st, ok := env.pl.store.Group(keyOf(groupPod("p1", "train")))
		return ok && st.Members == 1
	})
	require.False(t, env.pl.PreEnqueue(env.ctx, groupPod("p1", "train")).IsSuccess())

	otherKey := st.MakePod().Namespace("ns").Name("x").WorkloadRef(&v1.WorkloadReference{Name: "train", PodGroup: "pg", PodGroupReplicaKey: "1"}).Obj()
	tests := []struct {
		name  string
		hint  func() (fwk.QueueingHint, error)
		want  fwk.QueueingHint
		setup func()
	}{
		{
			name: "pod of another replica key added",
			hint: func() (fwk.QueueingHint, error) {
				return env.pl.isSchedulableAfterPodAdded(logger, groupPod("p1", "train"), nil, otherKey)
			},
			want: fwk.QueueSkip,
		},
		{
			name: "plain pod added",
			hint: func() (fwk.QueueingHint, error) {
				return env.pl.isSchedulableAfterPodAdded(logger, groupPod("p1", "train"), nil, st.MakePod().Name("plain").Obj())
			},
			want: fwk.QueueSkip,
		},
		{
			name: "member added, gang still short",
			hint: func() (fwk.QueueingHint, error) {
				return env.pl.isSchedulableAfterPodAdded(logger, groupPod("p1", "train"), nil, groupPod("p1", "train"))
			},
			want: fwk.QueueSkip,
		},
		{
			name: "member added, gang complete",
			setup: func() {
				env.pl.store.AddPod(groupPod("p2", "train"))
			},
			hint: func() (fwk.QueueingHint, error) {
				return env.pl.isSchedulableAfterPodAdded(logger, groupPod("p1", "train"), nil, groupPod("p2", "train"))
			},
			want: fwk.Queue,
		},
		{
			name: "own Workload added",
			hint: func() (fwk.QueueingHint, error) {
				return env.pl.isSchedulableAfterWorkloadChange(logger, groupPod("p1", "train"), nil, gangWorkload("train", 2))
			},
			want: fwk.Queue,
		},
		{
			name: "another Workload added",
			hint: func() (fwk.QueueingHint, error) {
				return env.pl.isSchedulableAfterWorkloadChange(logger, groupPod("p1", "train"), nil, gangWorkload("other", 2))
			},
			want: fwk.QueueSkip,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
			}
			got, err := tc.hint()
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestReporterWritesHeldReason(t *testing.T) {
	env := newTestEnv(t, nil, groupPod("p1", "train"))
	require.False(t, env.pl.PreEnqueue(env.ctx, groupPod("p1", "train")).IsSuccess())
	waitFor(t, "the PodScheduled condition", func() bool {
		p, err := env.cs.CoreV1().Pods("ns").Get(env.ctx, "p1", metav1.GetOptions{})
		if err != nil {
			return false
		}
		for _, c := range p.Status.Conditions {
			if c.Type == v1.PodScheduled && c.Status == v1.ConditionFalse && c.Message == "waiting for Workload ns/train" {
				return true
			}
		}
		return false
	})
	assert.Equal(t, "Warning FailedScheduling waiting for Workload ns/train", <-env.recorder.Events)
}

// TestInferredLeadership: a plugin built without a leadership tracker in
// its context (a scheduler built with upstream's app.NewSchedulerCommand)
// writes nothing until the process runs a scheduling cycle, which only the
// leader does: a standby's queue runs PreEnqueue, never Reserve.
func TestInferredLeadership(t *testing.T) {
	env := newTestEnvLed(t, nil, clock.RealClock{}, nil, groupPod("p1", "train"), groupPod("plain", "train"))
	require.False(t, env.pl.PreEnqueue(env.ctx, groupPod("p1", "train")).IsSuccess())
	condition := func() bool {
		p, err := env.cs.CoreV1().Pods("ns").Get(env.ctx, "p1", metav1.GetOptions{})
		return err == nil && len(p.Status.Conditions) > 0
	}
	// Twice the report delay: a leader would have written by then.
	time.Sleep(2 * reportDelay)
	require.False(t, condition(), "a scheduler not known to lead wrote a pod condition")
	require.Empty(t, env.recorder.Events)

	env.pl.Reserve(env.ctx, framework.NewCycleState(), st.MakePod().Namespace("ns").Name("plain").Obj(), "node")
	waitFor(t, "the PodScheduled condition, once a scheduling cycle ran", condition)
}

func TestNewRejectsBadInput(t *testing.T) {
	tests := []struct {
		name    string
		args    runtime.Object
		noAPI   bool
		wantErr string
	}{
		{name: "args of the wrong type", args: &v1.Pod{}, wantErr: "got args of type *v1.Pod, want *WorkloadGangArgs"},
		{name: "invalid args", args: &config.WorkloadGangArgs{PermitTimeoutSeconds: 0, BackoffInitialSeconds: 1, BackoffMaxSeconds: 1}, wantErr: "permitTimeoutSeconds"},
		{name: "Workload API not served", noAPI: true, wantErr: "--runtime-config=scheduling.k8s.io/v1alpha1=true"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ctx := ktesting.NewTestContext(t)
			cs := fake.NewClientset()
			if !tc.noAPI {
				cs.Resources = workloadAPI
			}
			fh, err := frameworkruntime.NewFramework(ctx, nil, nil,
				frameworkruntime.WithClientSet(cs),
				frameworkruntime.WithInformerFactory(informers.NewSharedInformerFactory(cs, 0)))
			require.NoError(t, err)
			_, err = New(ctx, tc.args, fh)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

func keyOf(p *v1.Pod) gang.GroupKey {
	k, _ := gang.KeyForPod(p)
	return k
}

func TestPostFilter(t *testing.T) {
	pods := []*v1.Pod{groupPod("p1", "train"), groupPod("p2", "train"), groupPod("p3", "train")}
	env := newTestEnv(t, nil, gangWorkload("train", 3), pods[0], pods[1], pods[2])
	_, s := env.pl.PostFilter(env.ctx, nil, st.MakePod().Namespace("ns").Name("plain").Obj(), nil)
	assert.Equal(t, fwk.Unschedulable, s.Code(), "outside a scheduling cycle a plain pod has no snapshot to preempt on")

	require.Equal(t, fwk.Wait, env.reserveAndPermit(t, pods[0]).Code())
	_, s = env.pl.PostFilter(env.ctx, nil, pods[2], nil)
	assert.Equal(t, fwk.UnschedulableAndUnresolvable, s.Code(), "gang members do not preempt")
	w := env.fh.WaitOnPermit(env.ctx, pods[0])
	require.True(t, w.IsRejected(), "the waiting round is rejected at once")
	assert.Contains(t, w.Message(), "member p3 found no node")
}

// queued wraps a pod for the queue sort.
func queued(p *v1.Pod, ts time.Time) fwk.QueuedPodInfo {
	pi, _ := framework.NewPodInfo(p)
	return &framework.QueuedPodInfo{PodInfo: pi, Timestamp: ts}
}

func TestWorkloadGangSortKeepsGangsTogether(t *testing.T) {
	// "old" is the older Workload, but "young"'s gang starts its attempt
	// first: queue order follows the attempt, not the Workload's age, so
	// reusing an old Workload name does not jump the queue.
	old := createdAt(gangWorkload("old", 2), 100)
	young := createdAt(gangWorkload("young", 2), 200)
	clk := newFakeClock()
	env := newTestEnvWithClock(t, nil, clk, old, young,
		groupPod("o1", "old"), groupPod("o2", "old"), groupPod("y1", "young"), groupPod("y2", "young"))
	sortPl, err := NewSort(env.ctx, nil, env.fh)
	require.NoError(t, err)
	less := sortPl.(*WorkloadGangSort).Less
	require.True(t, env.pl.PreEnqueue(env.ctx, groupPod("y1", "young")).IsSuccess())
	clk.Step(time.Second)
	require.True(t, env.pl.PreEnqueue(env.ctx, groupPod("o1", "old")).IsSuccess())

	t0 := clk.Now()
	youngLate := queued(groupPod("y2", "young"), t0.Add(time.Minute))
	oldEarly := queued(groupPod("o2", "old"), t0)
	plainEarlier := queued(st.MakePod().Namespace("ns").Name("plain").Obj(), time.Unix(50, 0))
	plainLater := queued(st.MakePod().Namespace("ns").Name("plain2").Obj(), t0.Add(time.Hour))
	highPriority := queued(st.MakePod().Namespace("ns").Name("high").Priority(10).Obj(), t0.Add(time.Hour))

	assert.True(t, less(youngLate, oldEarly), "the gang whose attempt started first goes first, even when queued later")
	assert.False(t, less(oldEarly, youngLate))
	assert.True(t, less(plainEarlier, youngLate), "a plain pod queued before the gang's attempt began goes first")
	assert.True(t, less(youngLate, plainLater), "a gang goes before a plain pod queued after its attempt began")
	assert.True(t, less(highPriority, youngLate), "priority comes first")
	sameGangEarly, sameGangLate := queued(groupPod("y1", "young"), t0), queued(groupPod("y2", "young"), t0.Add(time.Second))
	assert.True(t, less(sameGangEarly, sameGangLate), "within a gang, queue order")
}

// BenchmarkLess measures the queue sort's comparison of two members of
// different gangs with the same priority: it must not allocate.
func BenchmarkLess(b *testing.B) {
	t := &testing.T{}
	env := newTestEnv(t, nil, gangWorkload("a", 1), gangWorkload("b", 1), groupPod("a1", "a"), groupPod("b1", "b"))
	sortPl, err := NewSort(env.ctx, nil, env.fh)
	if err != nil {
		b.Fatal(err)
	}
	less := sortPl.(*WorkloadGangSort).Less
	for _, name := range []string{"a1", "b1"} {
		env.pl.PreEnqueue(env.ctx, groupPod(name, name[:1]))
	}
	x, y := queued(groupPod("a1", "a"), time.Unix(1, 0)), queued(groupPod("b1", "b"), time.Unix(2, 0))
	b.ReportAllocs()
	for b.Loop() {
		less(x, y)
	}
}

// TestNodeEventsReleaseAStaleCannotFitVerdict: the scheduler's cache learns
// of a new node in no fixed order with the plugin's handler, so a member
// released by the node event can be judged again on a snapshot without the
// node and held for a stale verdict. The second re-check, once the cache
// has settled, releases it.
func TestNodeEventsReleaseAStaleCannotFitVerdict(t *testing.T) {
	clk := newFakeClock()
	pods := []*v1.Pod{groupPod("p1", "train"), groupPod("p2", "train")}
	env := newTestEnvWithClock(t, nil, clk, gangWorkload("train", 2), pods[0], pods[1])
	for _, p := range pods {
		require.True(t, env.pl.PreEnqueue(env.ctx, p).IsSuccess())
	}
	_, _ = env.pl.store.CannotFit(pods[0], "too big")
	require.False(t, env.pl.PreEnqueue(env.ctx, pods[1]).IsSuccess(), "held for room")

	env.pl.onNodesChanged(klog.FromContext(env.ctx))
	require.True(t, env.activator.has("p2"), "the node event releases the held member")
	// Judged on a snapshot without the new node: held again.
	_, _ = env.pl.store.CannotFit(pods[0], "too big")
	require.False(t, env.pl.PreEnqueue(env.ctx, pods[1]).IsSuccess())
	env.activator.reset()

	clk.Step(nodeSettleDelay)
	waitFor(t, "the second re-check to release the member", func() bool { return env.activator.has("p2") })
	assert.True(t, env.pl.PreEnqueue(env.ctx, pods[1]).IsSuccess(), "no stale verdict left")
}
