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
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	st "k8s.io/kubernetes/pkg/scheduler/testing"

	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/gangview"
)

// TestKubectlGang builds a known state with the real scheduler (a bound
// gang, a gang waiting for members, pods whose Workload is missing, a
// podGroup without pods) and checks what the kubectl-gang binary shows: the
// rows as gangview computes them from the same objects, the table, and the
// kubeconfig handling (KUBECONFIG and its context's namespace).
func TestKubectlGang(t *testing.T) {
	bin := buildKubectlGang(t)
	e := newEnv(t, gatesOff)
	e.createNodes(2, "4")

	e.createWorkload(st.MakeWorkload().Name("bound").
		PodGroup(st.MakePodGroup().Name("workers").MinCount(2).Obj()).
		PodGroup(st.MakePodGroup().Name("spare").BasicPolicy().Obj()).Obj())
	boundPods := members("b", "bound", "workers", "", 2, "1")
	e.createPods(boundPods...)
	e.waitScheduled(names(boundPods)...)

	e.createWorkload(gangWorkload("partial", map[string]int32{"workers": 3}))
	partialPods := members("p", "partial", "workers", "", 1, "1")
	e.createPods(partialPods...)
	partialKey := e.group("partial", "workers", "")
	e.waitPending(gang.WaitingForPodsMessage(partialKey, 1, 3), names(partialPods)...)

	ghostPods := members("g", "ghost", "workers", "", 2, "1")
	e.createPods(ghostPods...)
	e.waitPending(gang.WaitingForWorkloadMessage(gang.WorkloadKey{Namespace: e.ns, Name: "ghost"}), names(ghostPods)...)

	cp := controlPlane(t)
	var list gangview.List
	require.NoError(t, json.Unmarshal(runKubectlGang(t, bin, nil, "--kubeconfig", cp.Kubeconfig, "-n", e.ns, "-o", "json"), &list))
	assert.Equal(t, gangview.ListKind, list.Kind)
	assert.Equal(t, gangview.ListAPIVersion, list.APIVersion)

	// The binary agrees with the package on the same objects.
	workloads, pods := e.listGangObjects()
	assert.Equal(t, gangview.Rows(workloads, pods), list.Items)

	// And the package says what this state means.
	rows := list.Items
	require.Len(t, rows, 4)
	for i := range rows {
		assert.False(t, rows[i].Created.IsZero(), "row %s has a creation time", rows[i].Key())
		rows[i].Created = metav1.Time{}
	}
	require.Len(t, rows[1].Nodes, len(e.nodes), "two pods of 1 CPU spread over two nodes of 4")
	assert.Subset(t, e.nodes, rows[1].Nodes)
	rows[1].Nodes = nil
	assert.Equal(t, []gangview.Row{
		{Namespace: e.ns, Workload: "bound", PodGroup: "spare", Policy: gangview.PolicyBasic,
			State: gangview.StateNoPods, Status: "no pods"},
		{Namespace: e.ns, Workload: "bound", PodGroup: "workers", Policy: gangview.PolicyGang, MinCount: 2, Pods: 2, Bound: 2,
			State: gangview.StateRunning, Status: "running"},
		{Namespace: e.ns, Workload: "ghost", PodGroup: "workers", Pods: 2,
			State: gangview.StateWorkloadMissing, Status: "waiting for Workload", Message: "waiting for Workload " + e.ns + "/ghost",
			PendingPods: names(ghostPods)},
		{Namespace: e.ns, Workload: "partial", PodGroup: "workers", Policy: gangview.PolicyGang, MinCount: 3, Pods: 1,
			State: gangview.StateWaitingForPods, Status: "waiting for 2 more pods (1/3)", Message: gang.WaitingForPodsMessage(partialKey, 1, 3),
			PendingPods: names(partialPods)},
	}, rows)

	// The table, with the namespace taken from the current context of the
	// kubeconfig that KUBECONFIG names.
	table := string(runKubectlGang(t, bin, []string{"KUBECONFIG=" + kubeconfigInNamespace(t, cp.Kubeconfig, e.ns)}))
	assert.Regexp(t, `(?m)^WORKLOAD\s+PODGROUP\s+REPLICA-KEY\s+POLICY\s+MIN\s+PODS\s+BOUND\s+STATUS\s+AGE$`, table)
	assert.Regexp(t, `(?m)^bound\s+workers\s+<none>\s+gang\s+2\s+2\s+2\s+running\s+\S+$`, table)
	assert.Regexp(t, `(?m)^ghost\s+workers\s+<none>\s+<unknown>\s+<unknown>\s+2\s+0\s+waiting for Workload\s+\S+$`, table)
	assert.Regexp(t, `(?m)^partial\s+workers\s+<none>\s+gang\s+3\s+1\s+0\s+waiting for 2 more pods \(1/3\)\s+\S+$`, table)
}

// listGangObjects reads the test namespace's Workloads and Pods.
func (e *env) listGangObjects() ([]*schedulingv1alpha1.Workload, []*v1.Pod) {
	e.t.Helper()
	wl, err := e.cs.SchedulingV1alpha1().Workloads(e.ns).List(e.ctx, metav1.ListOptions{})
	require.NoError(e.t, err)
	pl, err := e.cs.CoreV1().Pods(e.ns).List(e.ctx, metav1.ListOptions{})
	require.NoError(e.t, err)
	var workloads []*schedulingv1alpha1.Workload
	for i := range wl.Items {
		workloads = append(workloads, &wl.Items[i])
	}
	var pods []*v1.Pod
	for i := range pl.Items {
		pods = append(pods, &pl.Items[i])
	}
	return workloads, pods
}

// buildKubectlGang builds the plugin binary for this test, so it never runs
// a stale copy.
func buildKubectlGang(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kubectl-gang")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/gangsched/gangsched/cmd/kubectl-gang").CombinedOutput()
	require.NoError(t, err, "go build ./cmd/kubectl-gang:\n%s", out)
	return bin
}

// runKubectlGang runs the binary with extra environment variables and
// returns its stdout; it must succeed and print nothing on stderr.
func runKubectlGang(t *testing.T, bin string, env []string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "kubectl-gang %v: %s", args, stderr.String())
	assert.Empty(t, stderr.String(), "kubectl-gang %v", args)
	return stdout.Bytes()
}

// kubeconfigInNamespace writes a copy of a kubeconfig whose current context
// points at namespace ns.
func kubeconfigInNamespace(t *testing.T, kubeconfig, ns string) string {
	t.Helper()
	kc, err := clientcmd.LoadFromFile(kubeconfig)
	require.NoError(t, err)
	kc.Contexts[kc.CurrentContext].Namespace = ns
	path := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, clientcmd.WriteToFile(*kc, path))
	return path
}
