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
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	authorizationv1 "k8s.io/api/authorization/v1"
	v1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	st "k8s.io/kubernetes/pkg/scheduler/testing"

	"github.com/gangsched/gangsched/internal/controlplane"
	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/gangview"
)

// TestKubectlGang builds a known state with the real scheduler (a bound
// gang, a gang waiting for members, pods whose Workload is missing, a
// podGroup without pods) and checks what the kubectl-gang binary shows: the
// rows as gangview computes them from the same objects, the table, and
// kubectl's flags: the kubeconfig handling (KUBECONFIG and its context's
// namespace), --context in a kubeconfig of two contexts, -o jsonpath, and
// --as against RBAC.
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
	assert.Regexp(t, `(?m)^WORKLOAD\s+PODGROUP\s+REPLICA-KEY\s+POLICY\s+MIN\s+PODS\s+BOUND\s+STATUS\s+SOURCE\s+AGE$`, table)
	assert.Regexp(t, `(?m)^bound\s+workers\s+<none>\s+gang\s+2\s+2\s+2\s+running\s+Workload\s+\S+$`, table)
	assert.Regexp(t, `(?m)^ghost\s+workers\s+<none>\s+<unknown>\s+<unknown>\s+2\s+0\s+waiting for Workload\s+Workload\s+\S+$`, table)
	assert.Regexp(t, `(?m)^partial\s+workers\s+<none>\s+gang\s+3\s+1\s+0\s+waiting for 2 more pods \(1/3\)\s+Workload\s+\S+$`, table)

	t.Run("--context and -o jsonpath", func(t *testing.T) {
		// The current context points at a server that is not there; the
		// other one at the test's namespace of the real API server.
		kubeconfig := twoContextKubeconfig(t, cp.Kubeconfig, "gangs", e.ns)
		jsonpath := `-o=jsonpath={range .items[*]}{.workload}/{.podGroup}={.state}{"\n"}{end}`
		out := runKubectlGang(t, bin, nil, "--kubeconfig", kubeconfig, "--context", "gangs", jsonpath)
		assert.Equal(t, "bound/spare=NoPods\nbound/workers=Running\nghost/workers=WorkloadMissing\npartial/workers=WaitingForPods\n", string(out))

		stderr := runKubectlGangFailing(t, bin, "--kubeconfig", kubeconfig, jsonpath)
		assert.Equal(t, "The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?\n", stderr)
	})

	t.Run("--as against RBAC", func(t *testing.T) {
		testKubectlGangImpersonation(t, bin)
	})
}

// testKubectlGangImpersonation runs kubectl-gang as the admin of an API
// server with --authorization-mode=RBAC, impersonating alice (--as), who may
// list Pods and Workloads in one namespace and only Workloads in another.
// Where she may not list pods she gets kubectl's forbidden error and exit
// code 1, not a crash or an empty table.
func testKubectlGangImpersonation(t *testing.T, bin string) {
	const user = "alice"
	cp := controlplane.StartForTest(t, controlplane.Options{
		BinDir:            controlplane.RequireBinaries(t, controlplane.EtcdBinary, controlplane.APIServerBinary),
		AuthorizationMode: "RBAC",
	})
	ctx := t.Context()
	cs, err := clientset.NewForConfig(cp.Config)
	require.NoError(t, err)

	visible := newRBACEnv(t, ctx, cs, cp.Config)
	visible.createWorkload(gangWorkload("train", map[string]int32{"workers": 3}))
	visible.createPods(members("w", "train", "workers", "", 2, "1")...) // no scheduler: they stay pending
	hidden := newRBACEnv(t, ctx, cs, cp.Config)
	hidden.createWorkload(gangWorkload("secret", map[string]int32{"workers": 1}))

	workloads := rbacv1.PolicyRule{APIGroups: []string{"scheduling.k8s.io"}, Resources: []string{"workloads"}, Verbs: []string{"list", "watch"}}
	pods := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"list", "watch"}}
	grant(t, ctx, cs, visible.ns, user, workloads, pods)
	// No PodGroup CRD here: alice, who may not list PodGroups, is not
	// warned about them (kubectl gang asks discovery first).
	grant(t, ctx, cs, hidden.ns, user, workloads)
	waitForNamespacedAccess(t, ctx, cs, user, visible.ns, "", "pods", true)
	waitForNamespacedAccess(t, ctx, cs, user, hidden.ns, "scheduling.k8s.io", "workloads", true)

	// Allowed: alice sees the gang.
	out := runKubectlGang(t, bin, nil, "--kubeconfig", cp.Kubeconfig, "--as", user, "-n", visible.ns, "-o", "name")
	assert.Equal(t, "gang.gangsched.io/train/workers\n", string(out))

	// Forbidden: kubectl's words, on one line, and exit code 1.
	stderr := runKubectlGangFailing(t, bin, "--kubeconfig", cp.Kubeconfig, "--as", user, "-n", hidden.ns)
	assert.Equal(t, fmt.Sprintf(`Error from server (Forbidden): pods is forbidden: User %q cannot list resource "pods" in API group "" in the namespace %q`+"\n", user, hidden.ns), stderr)

	// The admin, without --as, may.
	out = runKubectlGang(t, bin, nil, "--kubeconfig", cp.Kubeconfig, "-n", hidden.ns, "-o", "name")
	assert.Equal(t, "gang.gangsched.io/secret/workers\n", string(out))
}

// grant lets user do what rules allow in namespace ns, through a Role and a
// RoleBinding.
func grant(t *testing.T, ctx context.Context, cs clientset.Interface, ns, user string, rules ...rbacv1.PolicyRule) {
	t.Helper()
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "gang-viewer"}, Rules: rules}
	_, err := cs.RbacV1().Roles(ns).Create(ctx, role, metav1.CreateOptions{})
	require.NoError(t, err)
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "gang-viewer"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}},
	}
	_, err = cs.RbacV1().RoleBindings(ns).Create(ctx, binding, metav1.CreateOptions{})
	require.NoError(t, err)
}

// waitForNamespacedAccess waits until the RBAC authorizer, which follows
// role changes through its informers, lets user list resource in ns (or
// not).
func waitForNamespacedAccess(t *testing.T, ctx context.Context, cs clientset.Interface, user, ns, group, resource string, allowed bool) {
	t.Helper()
	sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User:               user,
		Groups:             []string{"system:authenticated"},
		ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: ns, Verb: "list", Group: group, Resource: resource},
	}}
	err := wait.PollUntilContextTimeout(ctx, pollInterval, waitTimeout, true, func(ctx context.Context) (bool, error) {
		got, err := cs.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
		if err != nil {
			return false, err
		}
		return got.Status.Allowed == allowed, nil
	})
	require.NoError(t, err, "waiting for %s list %s.%s in %s to be allowed=%v", user, resource, group, ns, allowed)
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

// runKubectlGangFailing runs the binary, which must exit with code 1 and
// print nothing on stdout, and returns its stderr.
func runKubectlGangFailing(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	require.ErrorAs(t, err, &exitErr, "kubectl-gang %v: %s", args, stderr.String())
	assert.Equal(t, 1, exitErr.ExitCode(), "kubectl-gang %v: %s", args, stderr.String())
	assert.Empty(t, stdout.String(), "kubectl-gang %v", args)
	return stderr.String()
}

// twoContextKubeconfig writes a kubeconfig of two contexts: name, for the
// user and cluster of kubeconfig's current context in namespace ns, and the
// current one, "unreachable", for a server that is not there.
func twoContextKubeconfig(t *testing.T, kubeconfig, name, ns string) string {
	t.Helper()
	kc, err := clientcmd.LoadFromFile(kubeconfig)
	require.NoError(t, err)
	current := kc.Contexts[kc.CurrentContext]
	kc.Contexts[name] = &clientcmdapi.Context{Cluster: current.Cluster, AuthInfo: current.AuthInfo, Namespace: ns}
	kc.Clusters["nowhere"] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:1"}
	kc.Contexts["unreachable"] = &clientcmdapi.Context{Cluster: "nowhere", AuthInfo: current.AuthInfo, Namespace: ns}
	kc.CurrentContext = "unreachable"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, clientcmd.WriteToFile(*kc, path))
	return path
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

// TestKubectlGangPodGroups: on an API server without the Workload API,
// kubectl gang lists PodGroup gangs, with their source.
func TestKubectlGangPodGroups(t *testing.T) {
	bin := buildKubectlGang(t)
	e := newPodGroupEnv(t)
	e.createNodes(1, "4")
	e.createPodGroup(podGroup("train-workers", 2))
	e.createPodGroup(podGroup("wait-workers", 3))
	bound := labelled("b", "train-workers", 2, "1")
	waiting := labelled("w", "wait-workers", 1, "1")
	e.createPods(append(bound, waiting...)...)
	e.waitScheduled(names(bound)...)
	e.waitPending(gang.WaitingForPodsMessage(e.group("wait", "workers", ""), 1, 3), names(waiting)...)
	table := string(runKubectlGang(t, bin, []string{"KUBECONFIG=" + kubeconfigInNamespace(t, podGroupControlPlane(t).Kubeconfig, e.ns)}))
	assert.Regexp(t, `(?m)^<none>\s+train-workers\s+<none>\s+gang\s+2\s+2\s+2\s+\S.*\s+PodGroup\s+\S+$`, table)
	assert.Regexp(t, `(?m)^<none>\s+wait-workers\s+<none>\s+gang\s+3\s+1\s+0\s+waiting for 2 more pods \(1/3\)\s+PodGroup\s+\S+$`, table)
}
