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

package controlplane

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

func newClient(t *testing.T, cp *ControlPlane) kubernetes.Interface {
	t.Helper()
	client, err := kubernetes.NewForConfig(cp.Config)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func servesWorkloads(t *testing.T, client kubernetes.Interface) bool {
	t.Helper()
	list, err := client.Discovery().ServerResourcesForGroupVersion("scheduling.k8s.io/v1alpha1")
	if apierrors.IsNotFound(err) {
		return false
	}
	if err != nil {
		t.Fatalf("discovery of scheduling.k8s.io/v1alpha1: %v", err)
	}
	for _, r := range list.APIResources {
		if r.Name == "workloads" {
			return true
		}
	}
	return false
}

// TestStart starts a control plane, uses it through client-go and the
// kubeconfig file, checks the Workload API and that a Pod can be created
// without a controller-manager, then stops it and checks cleanup.
func TestStart(t *testing.T) {
	cp := StartForTest(t, Options{})
	ctx := t.Context()
	client := newClient(t, cp)

	nsList, err := client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("list namespaces: %v", err)
	}
	names := map[string]bool{}
	for _, ns := range nsList.Items {
		names[ns.Name] = true
	}
	if !names["default"] || !names["kube-system"] {
		t.Errorf("namespaces = %v, want default and kube-system", names)
	}

	if !servesWorkloads(t, client) {
		t.Fatal("scheduling.k8s.io/v1alpha1 workloads is not served")
	}
	wl, err := client.SchedulingV1alpha1().Workloads("default").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("list workloads: %v", err)
	}
	if len(wl.Items) != 0 {
		t.Errorf("got %d workloads, want 0", len(wl.Items))
	}

	v, err := client.Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if v.Major != "1" || !strings.HasPrefix(v.GitVersion, "v1.35.") {
		t.Errorf("server version %+v, want v1.35.x (are the -ldflags version stamps set?)", v)
	}

	// The kubeconfig file works on its own.
	kcCfg, err := clientcmd.BuildConfigFromFlags("", cp.Kubeconfig)
	if err != nil {
		t.Fatalf("load kubeconfig: %v", err)
	}
	kcClient, err := kubernetes.NewForConfig(kcCfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kcClient.CoreV1().Namespaces().Get(ctx, "default", metav1.GetOptions{}); err != nil {
		t.Fatalf("get namespace through kubeconfig: %v", err)
	}

	// Without a controller-manager, Nodes and Pods must still be creatable.
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "node-1"},
		Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{
			corev1.ResourceCPU:  resource.MustParse("4"),
			corev1.ResourcePods: resource.MustParse("110"),
		}},
	}
	if _, err := client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create node: %v", err)
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "default"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}},
	}
	if _, err := client.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create pod: %v", err)
	}

	dir := cp.Dir
	if err := cp.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := cp.Stop(); err != nil {
		t.Fatalf("second stop: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("dir %s still exists after Stop (stat err %v)", dir, err)
	}
	if cp.EtcdPid() != 0 || cp.APIServerPid() != 0 {
		t.Errorf("processes still running after Stop: etcd %d apiserver %d", cp.EtcdPid(), cp.APIServerPid())
	}
}

// TestWithoutWorkloadAPI starts an apiserver that does not serve
// scheduling.k8s.io/v1alpha1, and checks RBAC mode with an extra token.
func TestWithoutWorkloadAPIWithRBAC(t *testing.T) {
	const viewerToken = "viewer-token"
	cp := StartForTest(t, Options{
		DisableWorkloadAPI: true,
		AuthorizationMode:  "RBAC",
		ExtraTokens:        []TokenUser{{Token: viewerToken, User: "viewer"}},
	})
	ctx := t.Context()
	client := newClient(t, cp)
	if servesWorkloads(t, client) {
		t.Fatal("workloads is served although DisableWorkloadAPI is set")
	}

	viewer, err := kubernetes.NewForConfig(cp.ConfigForToken(viewerToken))
	if err != nil {
		t.Fatal(err)
	}
	_, err = viewer.CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
	if !apierrors.IsForbidden(err) {
		t.Fatalf("viewer list pods before binding: err = %v, want Forbidden", err)
	}
	// Not the aggregated "view" role: without a controller-manager nothing
	// aggregates its rules, so it is empty.
	role := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "pod-reader"},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"list"}}},
	}
	if _, err := client.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "viewer"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "pod-reader"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: "rbac.authorization.k8s.io", Name: "viewer"}},
	}
	if _, err := client.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// The RBAC authorizer reads through an informer: poll until it sees the binding.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err = viewer.CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("viewer list pods after binding: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestRestartAPIServer checks that the apiserver comes back on the same
// address and that data in etcd survives.
func TestRestartAPIServer(t *testing.T) {
	cp := StartForTest(t, Options{})
	ctx := t.Context()
	client := newClient(t, cp)
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "survives"}}
	if _, err := client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	oldPid := cp.APIServerPid()
	if err := cp.StopAPIServer(); err != nil {
		t.Fatal(err)
	}
	if cp.APIServerPid() != 0 {
		t.Fatal("apiserver still running after StopAPIServer")
	}
	if _, err := client.CoreV1().Namespaces().Get(ctx, "survives", metav1.GetOptions{}); err == nil {
		t.Fatal("get succeeded while the apiserver was stopped")
	}
	if err := cp.StartAPIServer(ctx); err != nil {
		t.Fatal(err)
	}
	if pid := cp.APIServerPid(); pid == 0 || pid == oldPid {
		t.Fatalf("apiserver pid after restart = %d (before %d)", pid, oldPid)
	}
	if _, err := client.CoreV1().Namespaces().Get(ctx, "survives", metav1.GetOptions{}); err != nil {
		t.Fatalf("get after restart: %v", err)
	}
}

// TestStartFailureIncludesLog checks that a failed start reports the log tail.
func TestStartFailureIncludesLog(t *testing.T) {
	binDir := RequireBinaries(t)
	_, err := Start(t.Context(), Options{
		BinDir:              binDir,
		ExtraAPIServerFlags: []string{"--no-such-flag"},
		StartTimeout:        time.Minute,
	})
	if err == nil {
		t.Fatal("Start succeeded with an invalid apiserver flag")
	}
	if !strings.Contains(err.Error(), "no-such-flag") {
		t.Fatalf("error does not include the apiserver log tail: %v", err)
	}
}

func TestWriteTokenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.csv")
	err := writeTokenFile(path, []TokenUser{
		{Token: "t1", User: "admin", Groups: []string{"system:masters"}},
		{Token: "t2", User: "u", UID: "42", Groups: []string{"a", "b"}},
		{Token: "t3", User: "nogroups"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "t1,admin,admin,\"system:masters\"\nt2,u,42,\"a,b\"\nt3,nogroups,nogroups\n"
	if string(got) != want {
		t.Errorf("token file:\n%s\nwant:\n%s", got, want)
	}
	if err := writeTokenFile(path, []TokenUser{{Token: "a,b", User: "x"}}); err == nil {
		t.Error("token with a comma was accepted")
	}
}

func TestLogTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	var b strings.Builder
	for i := 0; i < 100; i++ {
		b.WriteString("line ")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString("\n")
	}
	b.WriteString("last\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	tail := LogTail(path, 3)
	lines := strings.Split(tail, "\n")
	if len(lines) != 3 || lines[2] != "last" {
		t.Errorf("LogTail = %q", tail)
	}
	if got := LogTail(filepath.Join(t.TempDir(), "missing"), 3); !strings.Contains(got, "cannot read") {
		t.Errorf("LogTail(missing) = %q", got)
	}
}
