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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apiserver/pkg/util/feature"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	featuregatetesting "k8s.io/component-base/featuregate/testing"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/features"
	st "k8s.io/kubernetes/pkg/scheduler/testing"

	"github.com/gangsched/gangsched/internal/controlplane"
	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/command"
	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/test/schedtest"
)

const (
	schedulerName = "gangsched"
	// permitTimeoutSeconds is short so that timeout scenarios finish fast.
	permitTimeoutSeconds = 3
	pollInterval         = 50 * time.Millisecond
	// waitTimeout bounds every wait for a condition.
	waitTimeout = 60 * time.Second
)

var (
	sharedCP     *controlplane.ControlPlane
	sharedCPErr  error
	sharedCPOnce sync.Once
)

func TestMain(m *testing.M) {
	// The in-process schedulers read the process's feature gates: give them
	// gangsched's defaults, as the gangsched command does (test what ships).
	if err := feature.DefaultMutableFeatureGate.SetFromMap(command.DefaultFeatureGateMap()); err != nil {
		fmt.Fprintln(os.Stderr, "feature gates:", err)
		os.Exit(1)
	}
	code := m.Run()
	if sharedCP != nil {
		_ = sharedCP.Stop()
	}
	if podGroupCP != nil {
		_ = podGroupCP.Stop()
	}
	os.Exit(code)
}

// controlPlane returns the package's control plane, started on first use.
// Tests run one at a time against it, each in its own namespace and nodes.
func controlPlane(t *testing.T) *controlplane.ControlPlane {
	t.Helper()
	binDir := controlplane.RequireBinaries(t)
	sharedCPOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		sharedCP, sharedCPErr = controlplane.Start(ctx, controlplane.Options{BinDir: binDir})
	})
	require.NoError(t, sharedCPErr, "starting the control plane")
	return sharedCP
}

// schedulerGates selects the scheduler's feature gates. WorkloadGang must
// work both ways; the gates only add the scheduler's own Workload events.
type schedulerGates bool

const (
	gatesOff schedulerGates = false
	gatesOn  schedulerGates = true
)

func (g schedulerGates) String() string {
	if g {
		return "scheduler gates GenericWorkload,GangScheduling on"
	}
	return "scheduler gates off"
}

// env is one test's world: a namespace, its nodes and a running gangsched.
type env struct {
	t       *testing.T
	ctx     context.Context
	cs      clientset.Interface
	ns      string
	watcher *bindingWatcher
	nodes   []string
	// source is the API the scenario's gangs are declared with. With
	// gang.SourcePodGroup, dyn is the PodGroup client and the Workload
	// steps create PodGroups (newPodGroupEnv).
	source gang.Source
	dyn    dynamic.Interface
	// podGroupsOf are the PodGroups created for each Workload, and basic
	// the podGroups without one (their pods are plain pods).
	podGroupsOf map[string][]string
	basic       map[string]bool
}

// schedulerConfig is a KubeSchedulerConfiguration like
// manifests/scheduler-config.yaml, with a short Permit timeout and backoffs.
func schedulerConfig(kubeconfig string) string {
	return schedulerConfigWith(kubeconfig, schedulerProfile(schedulerName, testArgs))
}

// testArgs are the WorkloadGang args of the test profiles, as YAML lines
// indented under "args:": a short Permit timeout and backoffs.
var testArgs = fmt.Sprintf("      permitTimeoutSeconds: %d\n      backoffInitialSeconds: 1\n      backoffMaxSeconds: 4\n", permitTimeoutSeconds)

// schedulerConfigWith is schedulerConfig with the given profiles (see
// schedulerProfile).
func schedulerConfigWith(kubeconfig string, profiles ...string) string {
	return fmt.Sprintf(`apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: %q
  qps: 500
  burst: 1000
leaderElection:
  leaderElect: false
podInitialBackoffSeconds: 1
podMaxBackoffSeconds: 1
profiles:
%s`, kubeconfig, strings.Join(profiles, ""))
}

// schedulerProfile is a profile like the shipped one's, named name, with
// the given WorkloadGang args (YAML lines indented under "args:").
func schedulerProfile(name, args string) string {
	return fmt.Sprintf(`- schedulerName: %s
  plugins:
    queueSort:
      enabled:
      - name: WorkloadGangSort
      disabled:
      - name: "*"
    multiPoint:
      enabled:
      - name: WorkloadGang
      disabled:
      - name: GangScheduling
      - name: DefaultPreemption
    postFilter:
      enabled:
      - name: WorkloadGang
  pluginConfig:
  - name: WorkloadGang
    args:
%s`, name, args)
}

// startScheduler loads a configuration through app.Setup, as the gangsched
// command does, and runs the scheduler until the test ends.
func startScheduler(t *testing.T, configYAML string) error {
	t.Helper()
	configFile := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(configFile, []byte(configYAML), 0o600))
	if v := os.Getenv("GANGSCHED_TEST_LOG_V"); v != "" {
		// Scheduler log verbosity, for debugging a scenario.
		var klogFlags flag.FlagSet
		klog.InitFlags(&klogFlags)
		require.NoError(t, klogFlags.Set("v", v))
	}
	_, _, stop, err := schedtest.Start(configFile, func(err error) { t.Errorf("scheduler stopped: %v", err) })
	if err != nil {
		return err
	}
	t.Cleanup(stop)
	return nil
}

// newEnv starts a scheduler with the given gates, in a fresh namespace.
func newEnv(t *testing.T, gates schedulerGates) *env {
	t.Helper()
	cp := controlPlane(t)
	featuregatetesting.SetFeatureGatesDuringTest(t, feature.DefaultFeatureGate, featuregatetesting.FeatureOverrides{
		features.GenericWorkload: bool(gates),
		features.GangScheduling:  bool(gates),
	})
	e := newBareEnv(t, cp)
	// Cleanups run last-in first-out: the scheduler stops before the pods
	// and nodes it could act on are removed.
	require.NoError(t, startScheduler(t, schedulerConfig(cp.Kubeconfig)))
	return e
}

// newBareEnv is newEnv on the given control plane without a scheduler, for
// tests that start their own: in-process, or as separate processes.
func newBareEnv(t *testing.T, cp *controlplane.ControlPlane) *env {
	t.Helper()
	cs, err := clientset.NewForConfig(cp.Config)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ns, err := cs.CoreV1().Namespaces().Create(ctx, &v1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "gang-"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	e := &env{t: t, ctx: ctx, cs: cs, ns: ns.Name, podGroupsOf: map[string][]string{}, basic: map[string]bool{}}
	t.Cleanup(e.cleanup)
	e.watcher = newBindingWatcher(t, ctx, cs, e.ns)
	return e
}

// cleanup removes the test's pods and nodes so that the next test starts
// from an empty cluster. Pods go with grace period 0: no kubelet runs.
func (e *env) cleanup() {
	ctx := context.Background()
	e.checkNoPartialGang(ctx)
	if e.t.Failed() {
		e.dumpPods(ctx)
	}
	zero := int64(0)
	_ = e.cs.CoreV1().Pods(e.ns).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &zero}, metav1.ListOptions{})
	if e.source == gang.SourcePodGroup {
		_ = e.podGroups().DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
	} else {
		_ = e.cs.SchedulingV1alpha1().Workloads(e.ns).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
	}
	for _, n := range e.nodes {
		_ = e.cs.CoreV1().Nodes().Delete(ctx, n, metav1.DeleteOptions{})
	}
}

// checkNoPartialGang fails the test if any gang of its namespace ever had
// pods bound, but fewer than its minCount: the promise every scenario keeps.
// It runs in every test's cleanup, on the bindings the watcher saw.
func (e *env) checkNoPartialGang(ctx context.Context) {
	for key, n := range e.watcher.boundGroups() {
		if key.Source == gang.SourcePodGroup {
			pg, err := e.getPodGroup(ctx, key.Workload)
			if err != nil {
				continue // the test deleted it
			}
			if minCount := gang.PodGroupMinCount(pg); n < minCount {
				e.t.Errorf("gang %s bound %d pods, fewer than its minMember %d", key, n, minCount)
			}
			continue
		}
		w, err := e.cs.SchedulingV1alpha1().Workloads(e.ns).Get(ctx, key.Workload, metav1.GetOptions{})
		if err != nil {
			continue // the test deleted it; nothing left to judge against
		}
		pg, ok := gang.FindPodGroup(w, key.PodGroup)
		if !ok {
			continue
		}
		if minCount, isGang := gang.MinCount(pg); isGang && n < minCount {
			e.t.Errorf("gang %s bound %d pods, fewer than its minCount %d", key, n, minCount)
		}
	}
}

// dumpPods logs where every pod of the test stands, to debug a failure.
func (e *env) dumpPods(ctx context.Context) {
	pods, err := e.cs.CoreV1().Pods(e.ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		e.t.Logf("listing pods: %v", err)
		return
	}
	for _, p := range pods.Items {
		msg := ""
		if c := scheduledCondition(&p); c != nil {
			msg = c.Message
		}
		e.t.Logf("pod %s node=%q nominated=%q scheduled=%q", p.Name, p.Spec.NodeName, p.Status.NominatedNodeName, msg)
	}
}

// createNodes creates fake nodes (no kubelet) with the given CPU each.
func (e *env) createNodes(count int, cpu string) {
	e.t.Helper()
	for i := 0; i < count; i++ {
		name := fmt.Sprintf("%s-node-%d", e.ns, len(e.nodes))
		node := st.MakeNode().Name(name).Capacity(map[v1.ResourceName]string{
			v1.ResourceCPU: cpu, v1.ResourceMemory: "16Gi", v1.ResourcePods: "110",
		}).Obj()
		node.Status.Conditions = []v1.NodeCondition{{Type: v1.NodeReady, Status: v1.ConditionTrue}}
		_, err := e.cs.CoreV1().Nodes().Create(e.ctx, node, metav1.CreateOptions{})
		require.NoError(e.t, err)
		e.nodes = append(e.nodes, name)
	}
}

// podSpec describes a pod to create.
type podSpec struct {
	name          string
	workload      string
	podGroup      string
	replicaKey    string
	cpu           string
	schedulerName string
	// priorityClassName, when set, is the pod's priority class.
	priorityClassName string
	// podGroupLabel, when set, labels the pod for that PodGroup, whatever
	// the env's source.
	podGroupLabel string
	// nodeName, when set, creates the pod bound to that node, as if
	// another scheduler had placed it: a running pod whose place the
	// test chooses.
	nodeName string
	// labels are added to the pod's labels.
	labels map[string]string
}

func (e *env) createPods(pods ...podSpec) {
	e.t.Helper()
	for _, p := range pods {
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
		pod.Spec.PriorityClassName = p.priorityClassName
		switch {
		case p.podGroupLabel != "":
			pod.Labels = map[string]string{podgroupv1alpha1.PodGroupLabel: p.podGroupLabel}
		case p.workload != "" && e.source == gang.SourcePodGroup:
			if pg := podGroupName(p.workload, p.podGroup); !e.basic[pg] {
				require.Empty(e.t, p.replicaKey, "a PodGroup has no replica keys")
				pod.Labels = map[string]string{podgroupv1alpha1.PodGroupLabel: pg}
			}
		case p.workload != "":
			pod.Spec.WorkloadRef = &v1.WorkloadReference{Name: p.workload, PodGroup: p.podGroup, PodGroupReplicaKey: p.replicaKey}
		}
		pod.Spec.NodeName = p.nodeName
		for k, v := range p.labels {
			if pod.Labels == nil {
				pod.Labels = map[string]string{}
			}
			pod.Labels[k] = v
		}
		_, err := e.cs.CoreV1().Pods(e.ns).Create(e.ctx, pod, metav1.CreateOptions{})
		require.NoError(e.t, err, "creating pod %s", p.name)
	}
}

// members returns n pod specs named prefix-0.. in the given group.
func members(prefix, workload, podGroup, replicaKey string, n int, cpu string) []podSpec {
	pods := make([]podSpec, n)
	for i := range pods {
		pods[i] = podSpec{name: fmt.Sprintf("%s-%d", prefix, i), workload: workload, podGroup: podGroup, replicaKey: replicaKey, cpu: cpu}
	}
	return pods
}

func names(pods []podSpec) []string {
	out := make([]string, len(pods))
	for i, p := range pods {
		out[i] = p.name
	}
	return out
}

// gangWorkload returns a Workload whose podGroups are gangs with the given minCounts.
func gangWorkload(name string, minCounts map[string]int32) *schedulingv1alpha1.Workload {
	w := st.MakeWorkload().Name(name)
	for pg, n := range minCounts {
		w = w.PodGroup(st.MakePodGroup().Name(pg).MinCount(n).Obj())
	}
	return w.Obj()
}

func basicWorkload(name, podGroup string) *schedulingv1alpha1.Workload {
	return st.MakeWorkload().Name(name).PodGroup(st.MakePodGroup().Name(podGroup).BasicPolicy().Obj()).Obj()
}

func (e *env) createWorkload(w *schedulingv1alpha1.Workload) {
	e.t.Helper()
	if e.source == gang.SourcePodGroup {
		e.createPodGroups(w)
		return
	}
	w = w.DeepCopy()
	w.Namespace = e.ns
	_, err := e.cs.SchedulingV1alpha1().Workloads(e.ns).Create(e.ctx, w, metav1.CreateOptions{})
	require.NoError(e.t, err)
}

func (e *env) deleteWorkload(name string) {
	e.t.Helper()
	if e.source == gang.SourcePodGroup {
		for _, pg := range e.podGroupsOf[name] {
			e.deletePodGroup(pg)
		}
		delete(e.podGroupsOf, name)
		return
	}
	require.NoError(e.t, e.cs.SchedulingV1alpha1().Workloads(e.ns).Delete(e.ctx, name, metav1.DeleteOptions{}))
	e.waitFor("Workload "+name+" to be gone", func() (bool, error) {
		_, err := e.cs.SchedulingV1alpha1().Workloads(e.ns).Get(e.ctx, name, metav1.GetOptions{})
		return err != nil, nil
	})
}

func (e *env) deletePods(podNames ...string) {
	e.t.Helper()
	zero := int64(0)
	for _, n := range podNames {
		require.NoError(e.t, e.cs.CoreV1().Pods(e.ns).Delete(e.ctx, n, metav1.DeleteOptions{GracePeriodSeconds: &zero}))
	}
}

func (e *env) waitFor(what string, cond func() (bool, error)) {
	e.t.Helper()
	err := wait.PollUntilContextTimeout(e.ctx, pollInterval, waitTimeout, true, func(context.Context) (bool, error) { return cond() })
	require.NoError(e.t, err, "waiting for %s", what)
}

// waitForPods polls each named pod until check accepts it.
func (e *env) waitForPods(what string, podNames []string, check func(*v1.Pod) bool) {
	e.t.Helper()
	for _, n := range podNames {
		var last *v1.Pod
		err := wait.PollUntilContextTimeout(e.ctx, pollInterval, waitTimeout, true, func(ctx context.Context) (bool, error) {
			p, err := e.cs.CoreV1().Pods(e.ns).Get(ctx, n, metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			last = p
			return check(p), nil
		})
		require.NoError(e.t, err, "waiting for pod %s to be %s; last seen: node=%q conditions=%v", n, what, nodeOf(last), conditionsOf(last))
	}
}

func nodeOf(p *v1.Pod) string {
	if p == nil {
		return ""
	}
	return p.Spec.NodeName
}

func conditionsOf(p *v1.Pod) []v1.PodCondition {
	if p == nil {
		return nil
	}
	return p.Status.Conditions
}

func scheduledCondition(p *v1.Pod) *v1.PodCondition {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == v1.PodScheduled {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

// waitScheduled waits until the pods are bound to a node.
func (e *env) waitScheduled(podNames ...string) {
	e.t.Helper()
	e.waitForPods("scheduled", podNames, func(p *v1.Pod) bool { return p.Spec.NodeName != "" })
}

// waitPending waits until the pods are unbound and their PodScheduled
// condition says (contains) msg: the answer to "why is my pod Pending?".
func (e *env) waitPending(msg string, podNames ...string) {
	e.t.Helper()
	e.waitForPods("pending with "+msg, podNames, func(p *v1.Pod) bool {
		c := scheduledCondition(p)
		return p.Spec.NodeName == "" && c != nil && c.Status == v1.ConditionFalse && strings.Contains(c.Message, msg)
	})
}

// waitGangRejected waits until every pod of a gang short of room is Pending
// with a scheduling failure, and at least rejected of them say they were
// rejected at Permit (the others could not find a node).
func (e *env) waitGangRejected(podNames []string, rejected int) {
	e.t.Helper()
	e.waitSomePending(fmt.Sprintf("%d of pods %v to be rejected at Permit", rejected, podNames), podNames, rejected, func(msg string) bool {
		return strings.Contains(msg, "rejected") || strings.Contains(msg, "timeout")
	})
}

// waitSomePending waits until every named pod is Pending with a scheduling
// failure and, at the same moment, at least n of them say something that
// match accepts: what the members of one round were rejected with, whichever
// member found no node.
func (e *env) waitSomePending(what string, podNames []string, n int, match func(msg string) bool) {
	e.t.Helper()
	var last []string
	err := wait.PollUntilContextTimeout(e.ctx, pollInterval, waitTimeout, true, func(ctx context.Context) (bool, error) {
		last = last[:0]
		got := 0
		for _, name := range podNames {
			p, err := e.cs.CoreV1().Pods(e.ns).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			c := scheduledCondition(p)
			if p.Spec.NodeName != "" || c == nil || c.Status != v1.ConditionFalse {
				last = append(last, name+": not pending")
				return false, nil
			}
			last = append(last, name+": "+c.Message)
			if match(c.Message) {
				got++
			}
		}
		return got >= n, nil
	})
	require.NoError(e.t, err, "waiting for %s; last seen: %q", what, last)
}

// bindingWatcher records every pod of the namespace that was ever bound, by
// gang group, to catch a gang that binds partially at any moment.
type bindingWatcher struct {
	mu sync.Mutex
	// bound maps each group to the pods seen bound.
	bound map[gang.GroupKey]map[string]bool
}

func newBindingWatcher(t *testing.T, ctx context.Context, cs clientset.Interface, ns string) *bindingWatcher {
	w := &bindingWatcher{bound: map[gang.GroupKey]map[string]bool{}}
	factory := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithNamespace(ns))
	record := func(obj interface{}) {
		p, ok := obj.(*v1.Pod)
		if !ok || p.Spec.NodeName == "" {
			return
		}
		key, ok := gang.KeyForPod(p)
		if !ok {
			return
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.bound[key] == nil {
			w.bound[key] = map[string]bool{}
		}
		w.bound[key][p.Name] = true
	}
	_, err := factory.Core().V1().Pods().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    record,
		UpdateFunc: func(_, n interface{}) { record(n) },
	})
	require.NoError(t, err)
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	return w
}

// boundCount returns how many pods of the group were ever seen bound.
func (w *bindingWatcher) boundCount(key gang.GroupKey) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.bound[key])
}

func (e *env) group(workload, podGroup, replicaKey string) gang.GroupKey {
	if e.source == gang.SourcePodGroup {
		return gang.GroupKey{Source: gang.SourcePodGroup, Namespace: e.ns, Workload: podGroupName(workload, podGroup)}
	}
	return gang.GroupKey{Namespace: e.ns, Workload: workload, PodGroup: podGroup, ReplicaKey: replicaKey}
}

// boundGroups returns the groups with at least one pod seen bound, and how many.
func (w *bindingWatcher) boundGroups() map[gang.GroupKey]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[gang.GroupKey]int{}
	for k, pods := range w.bound {
		out[k] = len(pods)
	}
	return out
}

// requireNoneBound fails if any pod of the group was ever bound.
func (e *env) requireNoneBound(key gang.GroupKey) {
	e.t.Helper()
	require.Zero(e.t, e.watcher.boundCount(key), "gang %s must bind nothing", key)
}

// waitGangBound waits until at least minCount pods of the group were bound.
func (e *env) waitGangBound(key gang.GroupKey, minCount int) {
	e.t.Helper()
	e.waitFor(fmt.Sprintf("gang %s to bind %d pods", key, minCount), func() (bool, error) {
		return e.watcher.boundCount(key) >= minCount, nil
	})
}
