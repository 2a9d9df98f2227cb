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

package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/gangsched/gangsched/pkg/gang"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// now is the clock of every test: AGE cells are fixed.
var now = time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) metav1.Time {
	return metav1.NewTime(now.Add(-d))
}

func workload(ns, name string, age time.Duration, pgs ...schedulingv1alpha1.PodGroup) *schedulingv1alpha1.Workload {
	return &schedulingv1alpha1.Workload{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, CreationTimestamp: ago(age)},
		Spec:       schedulingv1alpha1.WorkloadSpec{PodGroups: pgs},
	}
}

func gangPG(name string, minCount int32) schedulingv1alpha1.PodGroup {
	return schedulingv1alpha1.PodGroup{Name: name, Policy: schedulingv1alpha1.PodGroupPolicy{Gang: &schedulingv1alpha1.GangSchedulingPolicy{MinCount: minCount}}}
}

func basicPG(name string) schedulingv1alpha1.PodGroup {
	return schedulingv1alpha1.PodGroup{Name: name, Policy: schedulingv1alpha1.PodGroupPolicy{Basic: &schedulingv1alpha1.BasicSchedulingPolicy{}}}
}

// pod returns a member of a group ("" workload: a plain pod), created age ago.
func pod(ns, name, workload, podGroup, replicaKey string, age time.Duration) *v1.Pod {
	p := &v1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, CreationTimestamp: ago(age)}, Status: v1.PodStatus{Phase: v1.PodPending}}
	if workload != "" {
		p.Spec.WorkloadRef = &v1.WorkloadReference{Name: workload, PodGroup: podGroup, PodGroupReplicaKey: replicaKey}
	}
	return p
}

func bound(p *v1.Pod, node string) *v1.Pod {
	p.Spec.NodeName = node
	p.Status.Phase = v1.PodRunning
	return p
}

// held sets the PodScheduled=False condition the scheduler writes, age ago.
func held(p *v1.Pod, msg string, age time.Duration) *v1.Pod {
	p.Status.Conditions = append(p.Status.Conditions, v1.PodCondition{
		Type: v1.PodScheduled, Status: v1.ConditionFalse, Reason: v1.PodReasonUnschedulable, Message: msg, LastTransitionTime: ago(age),
	})
	return p
}

func groupKey(ns, w, pg, rk string) gang.GroupKey {
	return gang.GroupKey{Namespace: ns, Workload: w, PodGroup: pg, ReplicaKey: rk}
}

// cluster is the known state every golden file shows:
//
//	team-a/train     workers: a bound gang of 4 (and a Succeeded member that does not count)
//	                 ps: a bound basic group; evaluators: pods of a podGroup the Workload lacks
//	team-a/eval      shards[0]: 2 of 3 members; shards[1]: 3 of 3, rejected for lack of room
//	                 coordinator: a basic podGroup without pods
//	team-a/ghost     pods whose Workload does not exist
//	team-b/serve     a basic group with one member bound and one pending
//	team-b/big       a gang of 8 with no live pod (one is terminating)
func cluster() []runtime.Object {
	deleted := ago(time.Second)
	terminating := pod("team-b", "big-0", "big", "workers", "", time.Minute)
	terminating.DeletionTimestamp = &deleted
	terminating.Finalizers = []string{"example.com/keep"} // the fake deletes at once without one
	succeeded := bound(pod("team-a", "worker-old", "train", "workers", "", 3*time.Hour), "node-9")
	succeeded.Status.Phase = v1.PodSucceeded
	return []runtime.Object{
		workload("team-a", "train", 2*time.Hour, gangPG("workers", 4), basicPG("ps")),
		bound(pod("team-a", "worker-0", "train", "workers", "", 2*time.Hour), "node-1"),
		bound(pod("team-a", "worker-1", "train", "workers", "", 2*time.Hour), "node-1"),
		bound(pod("team-a", "worker-2", "train", "workers", "", 2*time.Hour), "node-2"),
		bound(pod("team-a", "worker-3", "train", "workers", "", 2*time.Hour), "node-2"),
		succeeded,
		bound(pod("team-a", "ps-0", "train", "ps", "", 2*time.Hour), "node-3"),
		held(pod("team-a", "evaluator-0", "train", "evaluators", "", 10*time.Minute),
			gang.MissingPodGroupMessage(gang.WorkloadKey{Namespace: "team-a", Name: "train"}, "evaluators"), 10*time.Minute),

		workload("team-a", "eval", 15*time.Minute, gangPG("shards", 3), basicPG("coordinator")),
		held(pod("team-a", "s0-0", "eval", "shards", "0", 14*time.Minute), gang.WaitingForPodsMessage(groupKey("team-a", "eval", "shards", "0"), 1, 3), 14*time.Minute),
		pod("team-a", "s0-1", "eval", "shards", "0", 5*time.Minute),
		held(pod("team-a", "s1-0", "eval", "shards", "1", 14*time.Minute), gang.WaitingForPodsMessage(groupKey("team-a", "eval", "shards", "1"), 2, 3), 14*time.Minute),
		held(pod("team-a", "s1-1", "eval", "shards", "1", 14*time.Minute), "0/3 nodes are available: 3 Insufficient cpu.", 2*time.Minute),
		held(pod("team-a", "s1-2", "eval", "shards", "1", 14*time.Minute),
			gang.GangRejectedMessage(groupKey("team-a", "eval", "shards", "1"), "member s1-1 found no node"), time.Minute),

		held(pod("team-a", "ghost-0", "ghost", "workers", "", 3*time.Minute), gang.WaitingForWorkloadMessage(gang.WorkloadKey{Namespace: "team-a", Name: "ghost"}), 3*time.Minute),
		pod("team-a", "ghost-1", "ghost", "workers", "", 90*time.Second),
		bound(pod("team-a", "web", "", "", "", time.Hour), "node-1"),

		workload("team-b", "serve", 72*time.Hour, basicPG("replicas")),
		bound(pod("team-b", "replica-0", "serve", "replicas", "", 72*time.Hour), "node-4"),
		pod("team-b", "replica-1", "serve", "replicas", "", 30*time.Second),
		workload("team-b", "big", 30*time.Second, gangPG("workers", 8)),
		terminating,
	}
}

// testDeps runs the command against cs, in namespace team-a by default.
func testDeps(cs *fake.Clientset, stdout, stderr *bytes.Buffer) deps {
	return deps{
		stdout: stdout, stderr: stderr,
		now:      func() time.Time { return now },
		client:   fakeClient(cs, "team-a"),
		interval: 10 * time.Millisecond,
	}
}

func fakeClient(cs *fake.Clientset, ns string) func(*options) (*clients, string, error) {
	return func(*options) (*clients, string, error) {
		return &clients{core: cs.CoreV1(), scheduling: cs.SchedulingV1alpha1(), origin: cs}, ns, nil
	}
}

// TestGolden checks every output format against testdata/NAME.golden;
// go test -run TestGolden ./cmd/kubectl-gang/ -update rewrites them.
func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{name: "table", args: nil},
		{name: "table-all-namespaces", args: []string{"-A"}},
		{name: "table-namespace-workload", args: []string{"eval", "--namespace", "team-a"}},
		{name: "wide", args: []string{"--all-namespaces", "-o", "wide"}},
		{name: "json", args: []string{"-A", "-o", "json"}},
		{name: "yaml", args: []string{"-A", "--output=yaml"}},
		{name: "json-empty", args: []string{"-n", "team-c", "-o", "json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			require.NoError(t, run(context.Background(), tt.args, testDeps(fake.NewClientset(cluster()...), &stdout, &stderr)))
			assert.Empty(t, stderr.String())
			golden := filepath.Join("testdata", tt.name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(golden, stdout.Bytes(), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run with -update to create it")
			assert.Equal(t, string(want), stdout.String())
		})
	}
}

func TestRunMessages(t *testing.T) {
	notServed := func(cs *fake.Clientset) {
		cs.PrependReactor("list", "workloads", func(k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewNotFound(schema.GroupResource{Group: "scheduling.k8s.io", Resource: "workloads"}, "")
		})
	}
	forbidden := func(cs *fake.Clientset) {
		cs.PrependReactor("list", "workloads", func(k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: "scheduling.k8s.io", Resource: "workloads"}, "", errors.New("RBAC says no"))
		})
	}
	tests := []struct {
		name       string
		args       []string
		setup      func(*fake.Clientset)
		wantErr    string
		wantStderr string
	}{
		{name: "empty namespace", args: []string{"-n", "team-c"}, wantStderr: "No gangs found in team-c namespace.\n"},
		{name: "unknown Workload", args: []string{"nope"}, wantStderr: "No gangs found of Workload nope in team-a namespace.\n"},
		{name: "API not served", setup: notServed,
			wantErr: "start kube-apiserver with --feature-gates=GenericWorkload=true and --runtime-config=scheduling.k8s.io/v1alpha1=true"},
		{name: "API not served, watching", args: []string{"-w"}, setup: notServed, wantErr: "--feature-gates=GenericWorkload=true"},
		{name: "other list errors pass through", setup: forbidden, wantErr: "listing Workloads: workloads.scheduling.k8s.io is forbidden: RBAC says no"},
		{name: "unknown output", args: []string{"-o", "xml"}, wantErr: `unknown output format "xml"`},
		{name: "two names", args: []string{"a", "b"}, wantErr: "at most one Workload name"},
		{name: "unknown flag", args: []string{"--nope"}, wantErr: "unknown flag: --nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := fake.NewClientset(cluster()...)
			if tt.setup != nil {
				tt.setup(cs)
			}
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, testDeps(cs, &stdout, &stderr))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Empty(t, stdout.String())
			assert.Equal(t, tt.wantStderr, stderr.String())
		})
	}
}

func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-h"}, testDeps(fake.NewClientset(), &stdout, &stderr))
	require.ErrorIs(t, err, pflag.ErrHelp)
	assert.Contains(t, stderr.String(), "kubectl gang [WORKLOAD] [flags]")
	assert.Contains(t, stderr.String(), "-A, --all-namespaces")
}

// TestKubeClient checks that the kubeconfig is found and read as kubectl
// reads it: $KUBECONFIG or --kubeconfig, the current context or --context,
// and the namespace of the chosen context.
func TestKubeClient(t *testing.T) {
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "config")
	require.NoError(t, os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: u
  user: {token: t}
contexts:
- name: first
  context: {cluster: c, user: u, namespace: team-a}
- name: second
  context: {cluster: c, user: u, namespace: team-b}
- name: bare
  context: {cluster: c, user: u}
current-context: first
`), 0o600))
	tests := []struct {
		name       string
		env        string
		opts       options
		wantNS     string
		wantErrSub string
	}{
		{name: "KUBECONFIG, current context", env: kubeconfig, wantNS: "team-a"},
		{name: "--context", env: kubeconfig, opts: options{context: "second"}, wantNS: "team-b"},
		{name: "--kubeconfig over KUBECONFIG", env: filepath.Join(dir, "missing"), opts: options{kubeconfig: kubeconfig, context: "second"}, wantNS: "team-b"},
		{name: "context without namespace", env: kubeconfig, opts: options{context: "bare"}, wantNS: "default"},
		{name: "unknown context", env: kubeconfig, opts: options{context: "nope"}, wantErrSub: `context "nope" does not exist`},
		{name: "no kubeconfig", env: filepath.Join(dir, "missing"), wantErrSub: "no kubeconfig: pass --kubeconfig, set KUBECONFIG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KUBECONFIG", tt.env)
			// Not in a pod, whatever the machine: no in-cluster fallback.
			t.Setenv("KUBERNETES_SERVICE_HOST", "")
			t.Setenv("HOME", dir)
			c, ns, err := kubeClient(&tt.opts)
			if tt.wantErrSub != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErrSub)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantNS, ns)
			assert.NotNil(t, c.core)
			assert.NotNil(t, c.scheduling)
		})
	}
}

// syncBuffer is a bytes.Buffer that the watch goroutine writes while the
// test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestWatch prints the table, then again when a change alters a row, and
// stops cleanly when its context ends.
func TestWatch(t *testing.T) {
	cs := fake.NewClientset(cluster()...)
	// The fake's watches do not replay what happened before they started:
	// know when both informers watch before changing anything.
	var mu sync.Mutex
	watching := map[string]bool{}
	cs.PrependWatchReactor("*", func(action k8stesting.Action) (bool, watch.Interface, error) {
		gvr := action.GetResource()
		w, err := cs.Tracker().Watch(gvr, action.GetNamespace())
		mu.Lock()
		watching[gvr.Resource] = true
		mu.Unlock()
		return true, w, err
	})
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := deps{stdout: &stdout, stderr: &stderr, now: func() time.Time { return now }, client: fakeClient(cs, "team-a"), interval: 10 * time.Millisecond}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-w", "eval"}, d) }()

	poll := func(what string, cond func() bool) {
		t.Helper()
		err := wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) { return cond(), nil })
		require.NoError(t, err, "waiting for %s; stdout:\n%s", what, stdout.String())
	}
	poll("the first table and both watches", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Contains(stdout.String(), "waiting for 1 more pods (2/3)") && watching["pods"] && watching["workloads"]
	})
	assert.Equal(t, 1, strings.Count(stdout.String(), "WORKLOAD"), "one table")
	assert.NotContains(t, stdout.String(), "train", "the Workload filter applies")

	// The third member of shards[0] arrives: the gang is now being scheduled.
	_, err := cs.CoreV1().Pods("team-a").Create(ctx, pod("team-a", "s0-2", "eval", "shards", "0", 0), metav1.CreateOptions{})
	require.NoError(t, err)
	poll("a second table with shards[0] scheduling", func() bool { return strings.Count(stdout.String(), "WORKLOAD") == 2 })
	second := stdout.String()[strings.LastIndex(stdout.String(), "WORKLOAD"):]
	assert.Regexp(t, `eval\s+shards\s+0\s+gang\s+3\s+3\s+0\s+scheduling`, second)

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("watch did not stop with its context")
	}
	assert.Empty(t, stderr.String())
}
