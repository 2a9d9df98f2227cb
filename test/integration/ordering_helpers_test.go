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

package integration

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apiserver/pkg/util/feature"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
	featuregatetesting "k8s.io/component-base/featuregate/testing"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/features"
	"k8s.io/kubernetes/pkg/scheduler"
	st "k8s.io/kubernetes/pkg/scheduler/testing"

	"github.com/gangsched/gangsched/test/schedtest"
)

// The helpers in this file serve ordering_test.go: a scheduler the test can
// look into (which pods wait at Permit), pods with the fields podSpec does
// not have, waits with their own deadline, and a record of when each pod
// bound.

// schedEnv is an env whose in-process scheduler the test keeps, to read its
// waiting pods: a member waiting at Permit holds its node's room.
type schedEnv struct {
	*env
	sched *scheduler.Scheduler
}

// newSchedEnv is newEnv (scheduler gates off) with the scheduler built from
// config (given the control plane's kubeconfig), kept for the test.
func newSchedEnv(t *testing.T, config func(kubeconfig string) string) *schedEnv {
	t.Helper()
	cp := controlPlane(t)
	featuregatetesting.SetFeatureGatesDuringTest(t, feature.DefaultFeatureGate, featuregatetesting.FeatureOverrides{
		features.GenericWorkload: false,
		features.GangScheduling:  false,
	})
	e := newBareEnv(t, cp)
	sched, err := startKeptScheduler(t, config(cp.Kubeconfig))
	require.NoError(t, err)
	se := &schedEnv{env: e, sched: sched}
	// Runs before the scheduler stops (cleanups run last-in first-out).
	t.Cleanup(se.drainPermit)
	return se
}

// drainPermit deletes the test's pods and waits until none waits at Permit.
// A pod left waiting would time out after the test, and its rejection would
// count in the next test's metrics, which are process-wide.
func (e *schedEnv) drainPermit() {
	ctx := context.Background()
	if e.t.Failed() {
		e.dumpPods(ctx)
	}
	zero := int64(0)
	_ = e.cs.CoreV1().Pods(e.ns).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &zero}, metav1.ListOptions{})
	err := wait.PollUntilContextTimeout(ctx, pollInterval, 10*time.Second, true, func(context.Context) (bool, error) {
		return len(e.waitingAtPermit()) == 0, nil
	})
	if err != nil {
		e.t.Logf("pods still wait at Permit after the test: %v", e.waitingAtPermit())
	}
}

// startKeptScheduler is startScheduler, returning the scheduler.
func startKeptScheduler(t *testing.T, configYAML string) (*scheduler.Scheduler, error) {
	t.Helper()
	configFile := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(configFile, []byte(configYAML), 0o600))
	if v := os.Getenv("GANGSCHED_TEST_LOG_V"); v != "" {
		// Scheduler log verbosity, for debugging a scenario.
		var klogFlags flag.FlagSet
		klog.InitFlags(&klogFlags)
		require.NoError(t, klogFlags.Set("v", v))
	}
	sched, _, stop, err := schedtest.Start(configFile, func(err error) { t.Errorf("scheduler stopped: %v", err) })
	if err != nil {
		return nil, err
	}
	t.Cleanup(stop)
	return sched, nil
}

// waitingAtPermit returns the names of the test's pods that wait at Permit,
// in any profile: each holds the room of its node.
func (e *schedEnv) waitingAtPermit() map[string]bool {
	out := map[string]bool{}
	for _, fw := range e.sched.Profiles {
		fw.IterateOverWaitingPods(func(wp fwk.WaitingPod) {
			if p := wp.GetPod(); p.Namespace == e.ns {
				out[p.Name] = true
			}
		})
	}
	return out
}

// holdingRoom returns those of the named pods that hold room without being
// bound: waiting at Permit, or nominated to a node (status.nominatedNodeName).
func (e *schedEnv) holdingRoom(podNames ...string) []string {
	e.t.Helper()
	waiting := e.waitingAtPermit()
	var out []string
	for _, n := range podNames {
		if waiting[n] {
			out = append(out, n+" (waiting at Permit)")
			continue
		}
		p, err := e.cs.CoreV1().Pods(e.ns).Get(e.ctx, n, metav1.GetOptions{})
		require.NoError(e.t, err)
		if p.Spec.NodeName == "" && p.Status.NominatedNodeName != "" {
			out = append(out, fmt.Sprintf("%s (nominated to %s)", n, p.Status.NominatedNodeName))
		}
	}
	return out
}

// makePod returns the pod createPods would create for p, for a test to
// change before creating it with createPodObjects.
func (e *env) makePod(p podSpec) *v1.Pod {
	cpu := p.cpu
	if cpu == "" {
		cpu = "1"
	}
	name := p.schedulerName
	if name == "" {
		name = schedulerName
	}
	pod := st.MakePod().Namespace(e.ns).Name(p.name).SchedulerName(name).Container("registry.k8s.io/pause:3.10").
		ZeroTerminationGracePeriod().Obj()
	pod.Spec.Containers[0].Resources.Requests = v1.ResourceList{v1.ResourceCPU: resource.MustParse(cpu)}
	if p.workload != "" {
		pod.Spec.WorkloadRef = &v1.WorkloadReference{Name: p.workload, PodGroup: p.podGroup, PodGroupReplicaKey: p.replicaKey}
	}
	return pod
}

func (e *env) createPodObjects(pods ...*v1.Pod) {
	e.t.Helper()
	for _, pod := range pods {
		_, err := e.cs.CoreV1().Pods(e.ns).Create(e.ctx, pod, metav1.CreateOptions{})
		require.NoError(e.t, err, "creating pod %s", pod.Name)
	}
}

// waitWithin is waitFor with its own deadline: the time the behaviour under
// test promises, far shorter than waitTimeout.
func (e *env) waitWithin(what string, timeout time.Duration, cond func() (bool, error)) {
	e.t.Helper()
	err := wait.PollUntilContextTimeout(e.ctx, pollInterval, timeout, true, func(context.Context) (bool, error) { return cond() })
	require.NoError(e.t, err, "waiting %s for %s", timeout, what)
}

// podMessage returns a pod's node and its PodScheduled condition's message.
func (e *env) podMessage(name string) (node, msg string) {
	e.t.Helper()
	p, err := e.cs.CoreV1().Pods(e.ns).Get(e.ctx, name, metav1.GetOptions{})
	require.NoError(e.t, err)
	if c := scheduledCondition(p); c != nil {
		msg = c.Message
	}
	return p.Spec.NodeName, msg
}

// waitPendingWithin is waitPending with its own deadline; on failure it
// names what each pod said last.
func (e *env) waitPendingWithin(timeout time.Duration, msg string, podNames ...string) {
	e.t.Helper()
	last := map[string]string{}
	err := wait.PollUntilContextTimeout(e.ctx, pollInterval, timeout, true, func(context.Context) (bool, error) {
		ok := true
		for _, n := range podNames {
			node, m := e.podMessage(n)
			last[n] = fmt.Sprintf("node=%q message=%q", node, m)
			if node != "" || !strings.Contains(m, msg) {
				ok = false
			}
		}
		return ok, nil
	})
	require.NoError(e.t, err, "waiting %s for pods %v to be Pending with %q; last seen: %v", timeout, podNames, msg, last)
}

// waitAttempted waits until the scheduler has tried and failed each pod:
// its PodScheduled condition is False.
func (e *env) waitAttempted(podNames ...string) {
	e.t.Helper()
	e.waitForPods("tried and not scheduled", podNames, func(p *v1.Pod) bool {
		c := scheduledCondition(p)
		return p.Spec.NodeName == "" && c != nil && c.Status == v1.ConditionFalse
	})
}

// bindTimes records when each pod of the namespace was first seen bound.
type bindTimes struct {
	mu    sync.Mutex
	bound map[string]time.Time
}

func newBindTimes(t *testing.T, e *env) *bindTimes {
	t.Helper()
	b := &bindTimes{bound: map[string]time.Time{}}
	factory := informers.NewSharedInformerFactoryWithOptions(e.cs, 0, informers.WithNamespace(e.ns))
	record := func(obj interface{}) {
		p, ok := obj.(*v1.Pod)
		if !ok || p.Spec.NodeName == "" {
			return
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		if _, seen := b.bound[p.Name]; !seen {
			b.bound[p.Name] = time.Now()
		}
	}
	_, err := factory.Core().V1().Pods().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    record,
		UpdateFunc: func(_, n interface{}) { record(n) },
	})
	require.NoError(t, err)
	factory.Start(e.ctx.Done())
	factory.WaitForCacheSync(e.ctx.Done())
	return b
}

// at returns when the pod was first seen bound.
func (b *bindTimes) at(name string) (time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.bound[name]
	return t, ok
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// rejectedTotal sums gangsched_gangs_rejected_total over its reasons.
func rejectedTotal(s samples) float64 {
	total := 0.0
	for k, v := range s {
		if strings.HasPrefix(k, "gangsched_gangs_rejected_total{") {
			total += v
		}
	}
	return total
}

// twoProfileConfig is schedulerConfig with a second profile, second, that
// also runs WorkloadGang with the same queue sort; secondArgs are the
// WorkloadGang args of the second profile, as YAML lines indented under
// "args:" (empty: the first's).
func twoProfileConfig(first, second, secondArgs string) func(kubeconfig string) string {
	if secondArgs == "" {
		secondArgs = testArgs
	}
	return func(kubeconfig string) string {
		return schedulerConfigWith(kubeconfig, schedulerProfile(first, testArgs), schedulerProfile(second, secondArgs))
	}
}

// holdSamples counts, over samples taken every 100 ms, how often any of a
// set of pods waited at Permit (held room).
type holdSamples struct {
	mu      sync.Mutex
	samples int
	holding int
	seen    []string
}

// sampleHolding samples in the background, until the returned stop is
// called, whether any of the named pods waits at Permit.
func (e *schedEnv) sampleHolding(podNames []string) (stop func() *holdSamples) {
	h := &holdSamples{}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-e.ctx.Done():
				return
			case <-tick.C:
			}
			waiting := e.waitingAtPermit()
			var w []string
			for _, n := range podNames {
				if waiting[n] {
					w = append(w, n)
				}
			}
			h.mu.Lock()
			h.samples++
			if len(w) > 0 {
				h.holding++
				if len(h.seen) < 5 {
					h.seen = append(h.seen, strings.Join(w, ","))
				}
			}
			h.mu.Unlock()
		}
	}()
	return func() *holdSamples {
		close(done)
		<-stopped
		return h
	}
}

// share is the fraction of samples in which a pod held room.
func (h *holdSamples) share() float64 {
	if h.samples == 0 {
		return 0
	}
	return float64(h.holding) / float64(h.samples)
}

func (h *holdSamples) String() string {
	return fmt.Sprintf("held room at Permit in %d of %d samples (%.0f %%), e.g. %v", h.holding, h.samples, 100*h.share(), h.seen)
}
