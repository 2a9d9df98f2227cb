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
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
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
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/component-base/version"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
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
//	team-b/dist      gangs of 2 that require one example.com/rack each:
//	                 workers[0] bound in rack-1, workers[1] in rack-2,
//	                 workers[2] has one pending member
//
// and the nodes node-r1 (rack-1) and node-r2 (rack-2); node-1 ... node-9
// are not Node objects (no gang on them asks a topology).
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

		annotated(workload("team-b", "dist", 20*time.Minute, gangPG("workers", 2)), gang.TopologyRequiredAnnotation, rackLabel),
		bound(pod("team-b", "dist-0-0", "dist", "workers", "0", 20*time.Minute), "node-r1"),
		bound(pod("team-b", "dist-0-1", "dist", "workers", "0", 20*time.Minute), "node-r1"),
		bound(pod("team-b", "dist-1-0", "dist", "workers", "1", 20*time.Minute), "node-r2"),
		bound(pod("team-b", "dist-1-1", "dist", "workers", "1", 20*time.Minute), "node-r2"),
		pod("team-b", "dist-2-0", "dist", "workers", "2", 20*time.Minute),
		node("node-r1", rackLabel, "rack-1"),
		node("node-r2", rackLabel, "rack-2"),
	}
}

// rackLabel is the node label key of the test cluster's topology.
const rackLabel = "example.com/rack"

func annotated(w *schedulingv1alpha1.Workload, key, value string) *schedulingv1alpha1.Workload {
	w.Annotations = map[string]string{key: value}
	return w
}

func node(name, labelKey, labelValue string) *v1.Node {
	return &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{labelKey: labelValue}}}
}

// testDeps runs the command against cs, in namespace team-a by default, in
// a cluster without the PodGroup CRD.
func testDeps(cs *fake.Clientset, stdout, stderr io.Writer) deps {
	return testDepsWith(cs, noPodGroupCRD(), stdout, stderr)
}

// testDepsWith runs the command against cs, and dyn for PodGroups.
func testDepsWith(cs *fake.Clientset, dyn *dynamicfake.FakeDynamicClient, stdout, stderr io.Writer) deps {
	return deps{
		streams:  genericiooptions.IOStreams{In: strings.NewReader(""), Out: stdout, ErrOut: stderr},
		now:      func() time.Time { return now },
		client:   fakeClient(cs, dyn, "team-a"),
		interval: 10 * time.Millisecond,
	}
}

// fakeClient returns cs and dyn, in namespace -n or else ns (the current
// context's).
func fakeClient(cs *fake.Clientset, dyn *dynamicfake.FakeDynamicClient, ns string) func(*genericclioptions.ConfigFlags) (*clients, string, error) {
	return func(f *genericclioptions.ConfigFlags) (*clients, string, error) {
		if *f.Namespace != "" {
			ns = *f.Namespace
		}
		return &clients{core: cs.CoreV1(), scheduling: cs.SchedulingV1alpha1(), dynamic: dyn, origin: cs}, ns, nil
	}
}

// podGroupClient returns a dynamic client that serves PodGroups, holding
// podGroups.
func podGroupClient(t *testing.T, podGroups ...*podgroupv1alpha1.PodGroup) *dynamicfake.FakeDynamicClient {
	t.Helper()
	objs := make([]runtime.Object, len(podGroups))
	for i, pg := range podGroups {
		u, err := podgroupv1alpha1.ToUnstructured(pg)
		require.NoError(t, err)
		objs[i] = u
	}
	return dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
		map[schema.GroupVersionResource]string{podgroupv1alpha1.SchemeGroupVersionResource: "PodGroupList"}, objs...)
}

// noPodGroupCRD returns a dynamic client of a cluster without the PodGroup
// CRD: the API server answers 404.
func noPodGroupCRD() *dynamicfake.FakeDynamicClient {
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
		map[schema.GroupVersionResource]string{podgroupv1alpha1.SchemeGroupVersionResource: "PodGroupList"})
	dyn.PrependReactor("*", podgroupv1alpha1.Resource, func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewNotFound(podgroupv1alpha1.SchemeGroupVersionResource.GroupResource(), "")
	})
	return dyn
}

// noWorkloadAPI makes cs answer 404 to Workloads, as an API server without
// the Workload API.
func noWorkloadAPI(cs *fake.Clientset) {
	cs.PrependReactor("*", "workloads", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewNotFound(schema.GroupResource{Group: "scheduling.k8s.io", Resource: "workloads"}, "")
	})
}

func podGroup(ns, name string, age time.Duration, minMember int32, phase podgroupv1alpha1.PodGroupPhase) *podgroupv1alpha1.PodGroup {
	return &podgroupv1alpha1.PodGroup{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, CreationTimestamp: ago(age)},
		Spec:       podgroupv1alpha1.PodGroupSpec{MinMember: minMember},
		Status:     podgroupv1alpha1.PodGroupStatus{Phase: phase},
	}
}

// joins labels p as a member of PodGroup pg.
func joins(p *v1.Pod, pg string) *v1.Pod {
	if p.Labels == nil {
		p.Labels = map[string]string{}
	}
	p.Labels[podgroupv1alpha1.PodGroupLabel] = pg
	return p
}

// podGroupCluster is cluster() with scheduler-plugins PodGroups in team-a
// and team-c:
//
//	team-a/mpi    a PodGroup of 3, bound (its status.phase: Running)
//	team-a/etl    a PodGroup of 4 with 2 members, one unschedulable (Pending)
//	team-a/lost   pods that join a PodGroup that does not exist
//	team-a/mixed  a pod that names Workload train and PodGroup mpi: in no gang
//	team-c/idle   a PodGroup without pods (minMember 0: a quorum of 1)
//
// It returns the objects of the clientset, and the PodGroups.
func podGroupCluster() ([]runtime.Object, []*podgroupv1alpha1.PodGroup) {
	objs := append(cluster(),
		joins(bound(pod("team-a", "mpi-0", "", "", "", 40*time.Minute), "node-5"), "mpi"),
		joins(bound(pod("team-a", "mpi-1", "", "", "", 40*time.Minute), "node-5"), "mpi"),
		joins(bound(pod("team-a", "mpi-2", "", "", "", 40*time.Minute), "node-6"), "mpi"),
		joins(held(pod("team-a", "etl-0", "", "", "", 5*time.Minute), "0/3 nodes are available: 3 Insufficient memory.", 4*time.Minute), "etl"),
		joins(pod("team-a", "etl-1", "", "", "", 5*time.Minute), "etl"),
		joins(held(pod("team-a", "lost-0", "", "", "", 2*time.Minute),
			gang.WaitingForWorkloadMessage(gang.WorkloadKey{Source: gang.SourcePodGroup, Namespace: "team-a", Name: "lost"}), 2*time.Minute), "lost"),
		joins(pod("team-a", "mixed", "train", "workers", "", time.Minute), "mpi"),
	)
	return objs, []*podgroupv1alpha1.PodGroup{
		podGroup("team-a", "mpi", 45*time.Minute, 3, podgroupv1alpha1.PodGroupRunning),
		podGroup("team-a", "etl", 6*time.Minute, 4, podgroupv1alpha1.PodGroupPending),
		podGroup("team-c", "idle", time.Hour, 0, ""),
	}
}

// mixedWarning is the line on stderr about team-a/mixed.
const mixedWarning = "Warning: pod team-a/mixed is in no gang: pod names both Workload train (spec.workloadRef) and PodGroup mpi (label scheduling.x-k8s.io/pod-group): a pod joins one gang; recreate it with one of the two\n"

// writeColumnsFile writes a -o custom-columns-file template.
func writeColumnsFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "columns.txt")
	require.NoError(t, os.WriteFile(path, []byte("NAMESPACE   GANG          PODS   NODES\nnamespace   {.podGroup}   .pods  nodes[*]\n"), 0o600))
	return path
}

// TestGolden checks every output format against testdata/NAME.golden;
// go test -run TestGolden ./cmd/kubectl-gang/ -update rewrites them.
func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
		// argsFor, if set, returns args that need the test (a file).
		argsFor func(t *testing.T) []string
	}{
		{name: "table", args: nil},
		{name: "table-all-namespaces", args: []string{"-A"}},
		{name: "table-namespace-workload", args: []string{"eval", "--namespace", "team-a"}},
		{name: "table-no-headers", args: []string{"--no-headers"}},
		{name: "table-sort-by", args: []string{"-A", "--sort-by", "{.pods}"}},
		{name: "wide", args: []string{"--all-namespaces", "-o", "wide"}},
		{name: "json", args: []string{"-A", "-o", "json"}},
		{name: "yaml", args: []string{"-A", "--output=yaml"}},
		{name: "json-empty", args: []string{"-n", "team-c", "-o", "json"}},
		{name: "kyaml", args: []string{"eval", "-o", "kyaml"}},
		{name: "name", args: []string{"-o", "name"}},
		{name: "jsonpath", args: []string{"-A", "-o", `jsonpath={range .items[*]}{.namespace}/{.workload}/{.podGroup}{"\t"}{.state}{"\n"}{end}`}},
		{name: "jsonpath-as-json", args: []string{"-o", "jsonpath-as-json={.items[?(@.state==\"Running\")].workload}"}},
		{name: "go-template", args: []string{"-o", `go-template={{range .items}}{{.workload}} {{.pods}}/{{.minCount}}{{"\n"}}{{end}}`}},
		{name: "template-flag", args: []string{"--template", `{{len .items}} gangs{{"\n"}}`}},
		{name: "custom-columns", args: []string{"-A", "-o", "custom-columns=NAMESPACE:.namespace,GANG:{.workload},PENDING:.pendingPods[*],MESSAGE:message", "--sort-by=created"}},
		{name: "custom-columns-no-headers", args: []string{"-o", "custom-columns=W:workload,S:state", "--no-headers"}},
		{name: "custom-columns-file", argsFor: func(t *testing.T) []string {
			return []string{"-A", "-o", "custom-columns-file=" + writeColumnsFile(t)}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if tt.argsFor != nil {
				args = tt.argsFor(t)
			}
			var stdout, stderr bytes.Buffer
			require.NoError(t, run(context.Background(), args, testDeps(fake.NewClientset(cluster()...), &stdout, &stderr)))
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
		{name: "unknown Workload", args: []string{"nope"}, wantStderr: "No gangs found of Workload or PodGroup nope in team-a namespace.\n"},
		{name: "empty, custom columns", args: []string{"-n", "team-c", "-o", "custom-columns=W:workload"}, wantStderr: "No gangs found in team-c namespace.\n"},
		{name: "empty, name", args: []string{"-n", "team-c", "-o", "name"}},
		{name: "empty, sorted", args: []string{"-n", "team-c", "--sort-by", "nope"}, wantStderr: "No gangs found in team-c namespace.\n"},
		{name: "API not served", setup: notServed,
			wantErr: "start kube-apiserver with --feature-gates=GenericWorkload=true and --runtime-config=scheduling.k8s.io/v1alpha1=true"},
		{name: "API not served, watching", args: []string{"-w"}, setup: notServed, wantErr: "--feature-gates=GenericWorkload=true"},
		{name: "other list errors pass through", setup: forbidden, wantErr: "listing Workloads: workloads.scheduling.k8s.io is forbidden: RBAC says no"},
		{name: "unknown output", args: []string{"-o", "xml"},
			wantErr: `unable to match a printer suitable for the output format "xml", allowed formats are: custom-columns,custom-columns-file,go-template,`},
		{name: "custom columns without columns", args: []string{"-o", "custom-columns="}, wantErr: "custom-columns format specified but no custom columns given"},
		{name: "custom columns without a path", args: []string{"-o", "custom-columns=NAME"}, wantErr: "unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>"},
		{name: "custom columns file missing", args: []string{"-o", "custom-columns-file=/nonexistent"}, wantErr: "error reading template /nonexistent"},
		{name: "bad jsonpath", args: []string{"-o", "jsonpath={.items[}"}, wantErr: "error parsing jsonpath {.items[}"},
		{name: "sort by a missing field", args: []string{"--sort-by", "{.nope}"}, wantErr: `couldn't find any field with path "{.nope}" in the list of gangs`},
		{name: "sort by a list", args: []string{"-A", "--sort-by", ".nodes"}, wantErr: "cannot sort by a field of type []interface {}"},
		{name: "sort by a bad path", args: []string{"--sort-by", "{{.pods}}"}, wantErr: "--sort-by: unexpected path string"},
		{name: "two names", args: []string{"a", "b"}, wantErr: "accepts at most 1 arg(s), received 2"},
		{name: "unknown flag", args: []string{"--nope"}, wantErr: "unknown flag: --nope\nSee 'kubectl gang -h' for help and examples"},
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

// TestErrorMessage checks that errors read as kubectl's: the API server's
// with its reason, whatever wraps them.
func TestErrorMessage(t *testing.T) {
	pods := schema.GroupResource{Resource: "pods"}
	forbidden := apierrors.NewForbidden(pods, "", errors.New(`User "alice" cannot list resource "pods" in API group "" in the namespace "team-a"`))
	tests := []struct {
		name string
		err  error
		want string
	}{
		{name: "forbidden", err: fmt.Errorf("listing pods: %w", forbidden),
			want: `Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "team-a"`},
		{name: "unauthorized", err: apierrors.NewUnauthorized("Unauthorized"), want: "error: You must be logged in to the server (Unauthorized)"},
		{name: "status without a reason", err: &apierrors.StatusError{ErrStatus: metav1.Status{Message: "boom"}}, want: "Error from server: boom"},
		{name: "connection refused", err: fmt.Errorf("listing Workloads: %w", &url.Error{Op: "Get", URL: "http://localhost:8080/apis", Err: syscall.ECONNREFUSED}),
			want: "The connection to the server localhost:8080 was refused - did you specify the right host or port?"},
		{name: "other connection errors", err: &url.Error{Op: "Get", URL: "https://10.0.0.1/apis", Err: errors.New("i/o timeout")},
			want: "Unable to connect to the server: i/o timeout"},
		{name: "not from the server", err: errors.New("at most one Workload"), want: "error: at most one Workload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, errorMessage(tt.err))
		})
	}
}

func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-h"}, testDeps(fake.NewClientset(), &stdout, &stderr)))
	assert.Empty(t, stderr.String())
	// kubectl's flags, with kubectl's help text.
	for _, want := range []string{
		"kubectl gang [WORKLOAD] [flags]",
		"-A, --all-namespaces",
		"--as string",
		"Username to impersonate for the operation.",
		"--context string",
		"--request-timeout string",
		"-n, --namespace string",
		"--insecure-skip-tls-verify",
		"-o, --output string",
		"custom-columns, custom-columns-file, go-template, go-template-file, json, jsonpath, jsonpath-as-json, jsonpath-file, kyaml, name, template, templatefile, wide, yaml",
		"--no-headers",
		"--sort-by string",
		"--template string",
		"-w, --watch",
	} {
		assert.Contains(t, stdout.String(), want)
	}
}

func TestVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"--version"}, testDeps(fake.NewClientset(), &stdout, &stderr)))
	assert.Equal(t, "kubectl-gang "+version.Get().GitVersion+"\n", stdout.String())
	assert.Empty(t, stderr.String())
}

// TestKubeClient checks that the kubeconfig is found and read as kubectl
// reads it, through kubectl's flags: $KUBECONFIG or --kubeconfig, the
// current context or --context, and -n or else the chosen context's
// namespace.
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
		args       []string
		wantNS     string
		wantHost   string
		wantAs     string
		wantErrSub string
	}{
		{name: "KUBECONFIG, current context", env: kubeconfig, wantNS: "team-a", wantHost: "https://127.0.0.1:1"},
		{name: "--context", env: kubeconfig, args: []string{"--context", "second"}, wantNS: "team-b", wantHost: "https://127.0.0.1:1"},
		{name: "--kubeconfig over KUBECONFIG", env: filepath.Join(dir, "missing"), args: []string{"--kubeconfig", kubeconfig, "--context=second"},
			wantNS: "team-b", wantHost: "https://127.0.0.1:1"},
		{name: "-n over the context's", env: kubeconfig, args: []string{"--context", "second", "-n", "team-c"}, wantNS: "team-c", wantHost: "https://127.0.0.1:1"},
		{name: "context without namespace", env: kubeconfig, args: []string{"--context", "bare"}, wantNS: "default", wantHost: "https://127.0.0.1:1"},
		{name: "--as", env: kubeconfig, args: []string{"--as", "alice"}, wantNS: "team-a", wantHost: "https://127.0.0.1:1", wantAs: "alice"},
		{name: "--server and --token without a kubeconfig", env: filepath.Join(dir, "missing"), args: []string{"--server", "https://127.0.0.1:2", "--token", "t"},
			wantNS: "default", wantHost: "https://127.0.0.1:2"},
		// As kubectl: no kubeconfig means the insecure local port.
		{name: "no kubeconfig", env: filepath.Join(dir, "missing"), wantNS: "default", wantHost: "http://localhost:8080"},
		{name: "unknown context", env: kubeconfig, args: []string{"--context", "nope"}, wantErrSub: `context "nope" does not exist`},
		{name: "unknown cluster", env: kubeconfig, args: []string{"--cluster", "nope"}, wantErrSub: `cluster "nope" does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KUBECONFIG", tt.env)
			// Not in a pod, whatever the machine: no in-cluster fallback.
			t.Setenv("KUBERNETES_SERVICE_HOST", "")
			t.Setenv("HOME", dir)
			f := genericclioptions.NewConfigFlags(true)
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			f.AddFlags(fs)
			require.NoError(t, fs.Parse(tt.args))
			c, ns, err := kubeClient(f)
			if tt.wantErrSub != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErrSub)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantNS, ns)
			assert.NotNil(t, c.core)
			assert.NotNil(t, c.scheduling)
			assert.NotNil(t, c.dynamic)
			// The clients were made from this configuration.
			cfg, err := f.ToRESTConfig()
			require.NoError(t, err)
			assert.Equal(t, tt.wantHost, cfg.Host)
			assert.Equal(t, tt.wantAs, cfg.Impersonate.UserName)
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
	d := testDeps(cs, &stdout, &stderr)
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

// TestNodes checks when the nodes are read for the topology domains, and
// that failing to read them makes the domains <unknown> with one warning
// line on stderr, not an error, and nothing more on stdout.
func TestNodes(t *testing.T) {
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "nodes"}, "",
		errors.New(`User "alice" cannot list resource "nodes" in API group "" at the cluster scope`))
	const forbiddenWarning = `Warning: topology domains are unknown: listing nodes: nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope` + "\n"
	tests := []struct {
		name string
		args []string
		// nodesErr, if set, is what listing nodes returns.
		nodesErr error
		// onlyPending drops the bound pods of team-b.
		onlyPending bool
		wantLists   int
		// wantStdout are regular expressions stdout matches.
		wantStdout []string
		wantStderr string
	}{
		{name: "wide", args: []string{"-A", "-o", "wide"}, wantLists: 1, wantStdout: []string{
			`(?m)^team-b\s+dist\s+workers\s+0\s.*\snode-r1\s+example\.com/rack=rack-1\s`,
			`(?m)^team-b\s+dist\s+workers\s+1\s.*\snode-r2\s+example\.com/rack=rack-2\s`,
		}},
		{name: "wide, nodes forbidden", args: []string{"-A", "-o", "wide"}, nodesErr: forbidden, wantLists: 1, wantStdout: []string{
			`(?m)^team-b\s+dist\s+workers\s+0\s.*\snode-r1\s+<unknown>\s`,
			`(?m)^team-b\s+dist\s+workers\s+1\s.*\snode-r2\s+<unknown>\s`,
			// No bound member: no domain, known without the nodes.
			`(?m)^team-b\s+dist\s+workers\s+2\s.*\s<none>\s+<none>\s+dist-2-0\s`,
			// A gang that asks no topology.
			`(?m)^team-a\s+train\s+workers\s.*\snode-1,node-2\s+<none>\s`,
		}, wantStderr: forbiddenWarning},
		{name: "wide, other errors", args: []string{"-n", "team-b", "-o", "wide"}, nodesErr: apierrors.NewInternalError(errors.New("etcd is down")), wantLists: 1,
			wantStdout: []string{`(?m)^dist\s+workers\s+0\s.*\snode-r1\s+<unknown>\s`},
			wantStderr: "Warning: topology domains are unknown: listing nodes: Internal error occurred: etcd is down\n"},
		{name: "json, nodes forbidden", args: []string{"-n", "team-b", "dist", "-o", "json"}, nodesErr: forbidden, wantLists: 1, wantStdout: []string{
			`"replicaKey": "0",(\s+"[a-z]+": [^\[{]+,)*\s+"nodes": \[\s+"node-r1"\s+\],\s+"topologyKey": "example.com/rack",\s+"domainsUnknown": true\s+}`,
		}, wantStderr: forbiddenWarning},
		{name: "custom columns", args: []string{"-n", "team-b", "dist", "-o", "custom-columns=KEY:.replicaKey,DOMAINS:.domains[*]"}, wantLists: 1,
			wantStdout: []string{`(?m)^0\s+rack-1$`, `(?m)^1\s+rack-2$`, `(?m)^2\s+<none>$`}},
		// The table without -o wide has no Domain column: no need to read
		// the nodes, nor to warn.
		{name: "table", args: []string{"-A"}, nodesErr: forbidden, wantStdout: []string{`dist\s+workers`}},
		{name: "name", args: []string{"-A", "-o", "name"}, nodesErr: forbidden, wantStdout: []string{`gang.gangsched.io/dist/workers\[0\]`}},
		// No gang of team-a asks a topology.
		{name: "wide, no topology", args: []string{"-o", "wide"}, nodesErr: forbidden, wantStdout: []string{`train\s+workers`}},
		// dist's workers[2] asks one but has no bound member.
		{name: "json, no bound member", args: []string{"-n", "team-b", "-o", "json"}, nodesErr: forbidden,
			onlyPending: true, wantStdout: []string{`"topologyKey": "example.com/rack"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs := cluster()
			if tt.onlyPending {
				// Only the pending member of dist is left.
				objs = slices.DeleteFunc(objs, func(o runtime.Object) bool {
					p, ok := o.(*v1.Pod)
					return ok && p.Spec.NodeName != "" && p.Namespace == "team-b"
				})
			}
			cs := fake.NewClientset(objs...)
			if tt.nodesErr != nil {
				cs.PrependReactor("list", "nodes", func(k8stesting.Action) (bool, runtime.Object, error) {
					return true, nil, tt.nodesErr
				})
			}
			lists := 0
			cs.PrependReactor("list", "nodes", func(k8stesting.Action) (bool, runtime.Object, error) {
				lists++
				return false, nil, nil
			})
			var stdout, stderr bytes.Buffer
			require.NoError(t, run(context.Background(), tt.args, testDeps(cs, &stdout, &stderr)))
			for _, re := range tt.wantStdout {
				assert.Regexp(t, re, stdout.String())
			}
			assert.NotContains(t, stdout.String(), "Warning")
			assert.NotContains(t, stdout.String(), "nodes is forbidden")
			assert.Equal(t, tt.wantStderr, stderr.String())
			assert.Equal(t, tt.wantLists, lists, "node lists")
		})
	}
}

// TestWatchDomainsUnknown: watching does not read the nodes, so the domains
// of a gang with bound members are <unknown>.
func TestWatchDomainsUnknown(t *testing.T) {
	cs := fake.NewClientset(cluster()...)
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-w", "-n", "team-b", "dist", "-o", "wide"}, testDeps(cs, &stdout, &stderr))
	}()
	err := wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		return strings.Contains(stdout.String(), "dist-2-0"), nil
	})
	require.NoError(t, err, "waiting for the table; stdout:\n%s", stdout.String())
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("watch did not stop with its context")
	}
	assert.Regexp(t, `(?m)^dist\s+workers\s+0\s.*\snode-r1\s+<unknown>\s`, stdout.String())
	assert.Regexp(t, `(?m)^dist\s+workers\s+2\s.*\s<none>\s+<none>\s+dist-2-0\s`, stdout.String())
	assert.Empty(t, stderr.String())
	for _, a := range cs.Actions() {
		assert.NotEqual(t, "nodes", a.GetResource().Resource, "watch reads no node: %v", a)
	}
}

// TestGoldenPodGroups checks the outputs of a cluster with both sources of
// gangs against testdata/podgroups-NAME.golden; -update rewrites them.
func TestGoldenPodGroups(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{name: "table", wantStderr: mixedWarning},
		{name: "table-all-namespaces", args: []string{"-A"}, wantStderr: mixedWarning},
		{name: "wide", args: []string{"-A", "-o", "wide"}, wantStderr: mixedWarning},
		{name: "json", args: []string{"-o", "json"}, wantStderr: mixedWarning},
		{name: "name", args: []string{"-A", "-o", "name"}, wantStderr: mixedWarning},
		// A name keeps the Workload and the PodGroup of that name, and the
		// warnings about pods that name it.
		{name: "table-podgroup", args: []string{"etl"}},
		{name: "table-mpi", args: []string{"mpi"}, wantStderr: mixedWarning},
		{name: "custom-columns", args: []string{"-o", "custom-columns=SOURCE:.source,GANG:.podGroup,PHASE:.podGroupPhase", "--sort-by=.source"}, wantStderr: mixedWarning},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, podGroups := podGroupCluster()
			var stdout, stderr bytes.Buffer
			require.NoError(t, run(context.Background(), tt.args, testDepsWith(fake.NewClientset(objs...), podGroupClient(t, podGroups...), &stdout, &stderr)))
			assert.Equal(t, tt.wantStderr, stderr.String())
			golden := filepath.Join("testdata", "podgroups-"+tt.name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(golden, stdout.Bytes(), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run with -update to create it")
			assert.Equal(t, string(want), stdout.String())
		})
	}
}

// TestSources checks that either source of gangs may be missing from the
// API server, silently, and that neither is an error naming both.
func TestSources(t *testing.T) {
	podGroupsForbidden := func(_ *fake.Clientset, dyn *dynamicfake.FakeDynamicClient) {
		dyn.PrependReactor("list", podgroupv1alpha1.Resource, func(k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewForbidden(podgroupv1alpha1.SchemeGroupVersionResource.GroupResource(), "", errors.New("RBAC says no"))
		})
	}
	tests := []struct {
		name string
		args []string
		// workloadAPI and podGroupCRD say what the API server serves.
		workloadAPI, podGroupCRD bool
		setup                    func(*fake.Clientset, *dynamicfake.FakeDynamicClient)
		// wantStdout are regular expressions stdout matches; wantNot, ones
		// it does not.
		wantStdout, wantNot []string
		wantStderr          string
		wantErr             string
	}{
		{name: "both", workloadAPI: true, podGroupCRD: true, wantStderr: mixedWarning, wantStdout: []string{
			`(?m)^eval\s+shards\s+0\s.*\sWorkload\s+15m$`,
			`(?m)^<none>\s+mpi\s+<none>\s+gang\s+3\s+3\s+3\s+running\s+PodGroup\s+45m$`,
		}},
		{name: "PodGroup CRD not installed", workloadAPI: true, wantStderr: mixedWarning,
			wantStdout: []string{`(?m)^train\s+workers\s.*\srunning\s+Workload\s`,
				// Its pods wait for PodGroups that cannot exist; the scheduler says so too.
				`(?m)^<none>\s+mpi\s+<none>\s+<unknown>\s+<unknown>\s+3\s+3\s+waiting for PodGroup\s+PodGroup\s`},
			wantNot: []string{`etl\s.*\sgang\s`}},
		{name: "Workload API not served", podGroupCRD: true, wantStderr: mixedWarning,
			wantStdout: []string{`(?m)^<none>\s+etl\s+<none>\s+gang\s+4\s+2\s+0\s+waiting for 2 more pods \(2/4\)\s+PodGroup\s+6m$`},
			// A real API server would have dropped the pods' workloadRef.
			wantNot: []string{`(?m)^eval\s+shards\s+0\s.*\sgang\s`}},
		{name: "neither served", wantErr: "the API server serves neither scheduling.k8s.io/v1alpha1 Workloads nor scheduling.x-k8s.io/v1alpha1 PodGroups: " +
			"start kube-apiserver with --feature-gates=GenericWorkload=true and --runtime-config=scheduling.k8s.io/v1alpha1=true " +
			"(without them it also drops spec.workloadRef from pods), or install the scheduler-plugins PodGroup CRD"},
		{name: "neither served, json", args: []string{"-o", "json"}, wantErr: "the API server serves neither"},
		{name: "neither served, watching", args: []string{"-w"}, wantErr: "the API server serves neither"},
		{name: "Workload API not served, watching: checked like PodGroups", args: []string{"-w"}, setup: podGroupsForbidden,
			wantErr: "listing PodGroups: podgroups.scheduling.x-k8s.io is forbidden: RBAC says no"},
		{name: "PodGroups forbidden: the Workload gangs, and a warning", workloadAPI: true, podGroupCRD: true, setup: podGroupsForbidden,
			wantStdout: []string{`(?m)^train\s+workers\s.*\srunning\s+Workload\s`},
			wantNot:    []string{`(?m)^<none>\s+etl\s+<none>\s+gang\s`},
			wantStderr: "Warning: showing no gangs of that source: listing PodGroups: podgroups.scheduling.x-k8s.io is forbidden: RBAC says no\n" + mixedWarning},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, podGroups := podGroupCluster()
			cs := fake.NewClientset(objs...)
			if !tt.workloadAPI {
				noWorkloadAPI(cs)
			}
			dyn := noPodGroupCRD()
			if tt.podGroupCRD || tt.setup != nil {
				dyn = podGroupClient(t, podGroups...)
			}
			if tt.setup != nil {
				tt.setup(cs, dyn)
			}
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, testDepsWith(cs, dyn, &stdout, &stderr))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Empty(t, stdout.String())
				return
			}
			require.NoError(t, err)
			for _, re := range tt.wantStdout {
				assert.Regexp(t, re, stdout.String())
			}
			for _, re := range tt.wantNot {
				assert.NotRegexp(t, re, stdout.String())
			}
			assert.Equal(t, tt.wantStderr, stderr.String())
		})
	}
}

// TestWatchPodGroups watches PodGroups beside Workloads and Pods: a new
// member of a PodGroup, and a PodGroup created for pods that waited for it,
// print again; a pod that names both sources prints a warning.
func TestWatchPodGroups(t *testing.T) {
	objs, podGroups := podGroupCluster()
	cs := fake.NewClientset(objs...)
	dyn := podGroupClient(t, podGroups...)
	// The fakes' watches do not replay what happened before they started:
	// know when the three informers watch before changing anything.
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
	dyn.PrependWatchReactor("*", func(action k8stesting.Action) (bool, watch.Interface, error) {
		gvr := action.GetResource()
		w, err := dyn.Tracker().Watch(gvr, action.GetNamespace())
		mu.Lock()
		watching[gvr.Resource] = true
		mu.Unlock()
		return true, w, err
	})
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-w"}, testDepsWith(cs, dyn, &stdout, &stderr)) }()

	poll := func(what string, cond func() bool) {
		t.Helper()
		err := wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) { return cond(), nil })
		require.NoError(t, err, "waiting for %s; stdout:\n%s", what, stdout.String())
	}
	poll("the first table and the three watches", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Contains(stdout.String(), "waiting for 2 more pods (2/4)") && watching["pods"] && watching["workloads"] && watching["podgroups"]
	})
	assert.Equal(t, mixedWarning, stderr.String())

	// Two more members of etl: it is being scheduled.
	for _, name := range []string{"etl-2", "etl-3"} {
		_, err := cs.CoreV1().Pods("team-a").Create(ctx, joins(pod("team-a", name, "", "", "", 0), "etl"), metav1.CreateOptions{})
		require.NoError(t, err)
	}
	poll("etl scheduling", func() bool {
		return regexp.MustCompile(`(?m)^<none>\s+etl\s+<none>\s+gang\s+4\s+4\s+0\s+unschedulable\s`).MatchString(stdout.String())
	})
	// The PodGroup that lost's pods wait for.
	u, err := podgroupv1alpha1.ToUnstructured(podGroup("team-a", "lost", 0, 1, ""))
	require.NoError(t, err)
	_, err = dyn.Resource(podgroupv1alpha1.SchemeGroupVersionResource).Namespace("team-a").Create(ctx, u, metav1.CreateOptions{})
	require.NoError(t, err)
	poll("lost scheduling", func() bool {
		return regexp.MustCompile(`(?m)^<none>\s+lost\s+<none>\s+gang\s+1\s+1\s+0\s+scheduling\s+PodGroup\s`).MatchString(stdout.String())
	})

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("watch did not stop with its context")
	}
}
