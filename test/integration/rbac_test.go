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
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	v1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	clientset "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/gangsched/gangsched/internal/controlplane"
	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
)

const (
	// installNamespace and serviceAccountName are the install's
	// ServiceAccount (manifests/install/serviceaccount.yaml).
	installNamespace   = "gangsched-system"
	serviceAccountName = "gangsched"
	// kubeSchedulerUser is kube-scheduler's own user, which the drop-in
	// static Pod runs as (kubeadm's /etc/kubernetes/scheduler.conf).
	kubeSchedulerUser = "system:kube-scheduler"
	// rbacGangSize is the minCount of the test's gang.
	rbacGangSize = 3
)

// serviceAccountUser is the user name the API server gives the install's
// ServiceAccount.
var serviceAccountUser = "system:serviceaccount:" + installNamespace + ":" + serviceAccountName

// TestRBAC runs the gangsched binary under exactly the permissions of
// manifests/kustomization.yaml, on an API server with
// --authorization-mode=RBAC: the secondary scheduler as the install's
// ServiceAccount, and the drop-in configuration as kube-scheduler's own user
// with only the bootstrap RBAC. Each must take its Lease, serve its probes,
// hold a gang until it is whole (writing the held pod's PodScheduled
// condition and a FailedScheduling event), report an invalid Workload
// annotation in an event, then bind the whole gang and record GangAdmitted
// on its Workload, without a single forbidden request in its log. Finally,
// the install's ClusterRole without its Workload rule must make the
// scheduler fail: proof that the checks can.
func TestRBAC(t *testing.T) {
	binDir := controlplane.RequireBinaries(t, controlplane.EtcdBinary, controlplane.APIServerBinary, controlplane.SchedulerBinary)
	saToken, schedulerToken := "gangsched-sa-token", "kube-scheduler-token"
	cp := controlplane.StartForTest(t, controlplane.Options{
		BinDir:            binDir,
		AuthorizationMode: "RBAC",
		ExtraTokens: []controlplane.TokenUser{
			{
				Token:  saToken,
				User:   serviceAccountUser,
				Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + installNamespace, "system:authenticated"},
			},
			{Token: schedulerToken, User: kubeSchedulerUser, Groups: []string{"system:authenticated"}},
		},
	})
	ctx := t.Context()
	cs, err := clientset.NewForConfig(cp.Config)
	require.NoError(t, err)

	in := buildKustomization(t, manifestsDir)
	applyInstall(t, ctx, cs, cp, in)
	waitForAccess(t, ctx, cs, serviceAccountUser, "list", "scheduling.k8s.io", "workloads", true)
	waitForAccess(t, ctx, cs, serviceAccountUser, "patch", "scheduling.x-k8s.io", "podgroups/status", true)
	waitForPodGroupAPI(t, ctx, cp.Config)

	// No controller turns the Deployment into pods here: a server-side dry
	// run of one of its pods proves that the API server would admit it
	// (validation, priority class, the namespace's restricted Pod Security).
	d := typedObject(t, in.find(t, "Deployment", installNamespace, "gangsched")).(*appsv1.Deployment)
	pod := &v1.Pod{ObjectMeta: d.Spec.Template.ObjectMeta, Spec: d.Spec.Template.Spec}
	pod.Name = "gangsched-dry-run"
	_, err = cs.CoreV1().Pods(installNamespace).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: metav1.FieldValidationStrict})
	require.NoError(t, err, "the Deployment's pods would not be admitted")

	cm, err := cs.CoreV1().ConfigMaps(installNamespace).Get(ctx, in.kustomization.ConfigMapGenerator[0].Name, metav1.GetOptions{})
	require.NoError(t, err)
	dropin, err := os.ReadFile(filepath.Join(manifestsDir, "scheduler-config-dropin.yaml"))
	require.NoError(t, err)

	tests := []struct {
		name          string
		token         string
		config        string
		schedulerName string
		lease         types.NamespacedName
		// setup runs before the scheduler starts.
		setup func(t *testing.T)
	}{
		{
			name:          "secondary scheduler as the install's ServiceAccount",
			token:         saToken,
			config:        cm.Data[schedulerConfigFile],
			schedulerName: "gangsched",
			lease:         types.NamespacedName{Namespace: installNamespace, Name: "gangsched"},
		},
		{
			name:          "drop-in as system:kube-scheduler with the bootstrap RBAC",
			token:         schedulerToken,
			config:        string(dropin),
			schedulerName: v1.DefaultSchedulerName,
			lease:         types.NamespacedName{Namespace: metav1.NamespaceSystem, Name: "kube-scheduler"},
			// kube-scheduler's bootstrap role knows no PodGroups: a
			// cluster with the CRD grants them (docs/install.md).
			setup: func(t *testing.T) {
				applyInstall(t, ctx, cs, cp, buildFile(t, filepath.Join(manifestsDir, "dropin", "podgroups-rbac.yaml")))
				waitForAccess(t, ctx, cs, kubeSchedulerUser, "patch", "scheduling.x-k8s.io", "podgroups/status", true)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup(t)
			}
			sched := startSchedulerBinary(t, cp, binDir, tc.token, tc.config)
			sched.waitReady(t, ctx)
			waitForLeaseHolder(t, ctx, cs, tc.lease)
			// The secure port authenticates a bearer token (TokenReview) and
			// authorizes it (SubjectAccessReview) through the API server.
			code, body := sched.get(t, ctx, "/metrics", cp.AdminToken)
			assert.Equal(t, http.StatusOK, code, "GET /metrics as admin: %s", body)

			e := newRBACEnv(t, ctx, cs, cp.Config)
			e.createNodes(2, "4")
			w := gangWorkload("train", map[string]int32{"workers": rbacGangSize})
			w.Annotations = map[string]string{gang.PermitTimeoutAnnotation: "soon"}
			e.createWorkload(w)
			pods := members("worker", "train", "workers", "", rbacGangSize, "1")
			for i := range pods {
				pods[i].schedulerName = tc.schedulerName
			}
			held := names(pods[:rbacGangSize-1])
			e.createPods(pods[:rbacGangSize-1]...)
			// pods/status update: WorkloadGang writes why the pods wait.
			e.waitPending(gang.WaitingForPodsMessage(e.group("train", "workers", ""), rbacGangSize-1, rbacGangSize), held...)
			e.waitForEvent(tc.schedulerName, "Pod", held[0], "FailedScheduling")
			e.waitForEvent(tc.schedulerName, "Workload", "train", "InvalidAnnotation")

			e.createPods(pods[rbacGangSize-1])
			e.waitScheduled(names(pods)...)
			e.waitGangBound(e.group("train", "workers", ""), rbacGangSize)
			e.waitForEvent(tc.schedulerName, "Pod", pods[0].name, "Scheduled")
			e.waitForEvent(tc.schedulerName, "Workload", "train", "GangAdmitted")

			// The same for a PodGroup gang, and its status.
			e.createPodGroup(podGroup("pg", 2))
			pgPods := []podSpec{{name: "pg-0", podGroupLabel: "pg", schedulerName: tc.schedulerName}, {name: "pg-1", podGroupLabel: "pg", schedulerName: tc.schedulerName}}
			e.createPods(pgPods...)
			e.waitScheduled(names(pgPods)...)
			e.waitForEvent(tc.schedulerName, "PodGroup", "pg", "GangAdmitted")
			e.waitPodGroupStatus("pg", "Scheduling", func(s podgroupv1alpha1.PodGroupStatus) bool {
				return s.Phase == podgroupv1alpha1.PodGroupScheduling && s.Scheduled == 2
			})

			// Every request was authorized. This includes the watch of
			// kube-system/extension-apiserver-authentication, which this API
			// server (no client CA) does not create: RBAC answers before
			// storage, so the scheduler only logs that it is not found.
			sched.stop(t)
			assert.Empty(t, forbiddenLines(t, sched.LogPath), "forbidden requests in %s", sched.LogPath)
		})
	}

	t.Run("without the Workload rule the scheduler never becomes ready", func(t *testing.T) {
		role := typedObject(t, in.find(t, "ClusterRole", "", "gangsched")).(*rbacv1.ClusterRole)
		var rules []rbacv1.PolicyRule
		for _, r := range role.Rules {
			if !listHas(r.APIGroups, "scheduling.k8s.io") {
				rules = append(rules, r)
			}
		}
		require.Len(t, rules, len(role.Rules)-1, "exactly one rule grants Workloads")
		live, err := cs.RbacV1().ClusterRoles().Get(ctx, role.Name, metav1.GetOptions{})
		require.NoError(t, err)
		live.Rules = rules
		_, err = cs.RbacV1().ClusterRoles().Update(ctx, live, metav1.UpdateOptions{})
		require.NoError(t, err)
		waitForAccess(t, ctx, cs, serviceAccountUser, "list", "scheduling.k8s.io", "workloads", false)

		sched := startSchedulerBinary(t, cp, binDir, saToken, cm.Data[schedulerConfigFile])
		var forbidden []string
		err = wait.PollUntilContextTimeout(ctx, pollInterval, waitTimeout, true, func(context.Context) (bool, error) {
			if exited, _ := sched.Exited(); exited {
				return false, fmt.Errorf("gangsched exited; last lines of its log:\n%s", sched.LogTail(20))
			}
			forbidden = forbiddenLines(t, sched.LogPath)
			return len(forbidden) > 0, nil
		})
		require.NoError(t, err, "waiting for a forbidden request in the log")
		assert.Contains(t, strings.Join(forbidden, "\n"), "workloads.scheduling.k8s.io is forbidden")
		// The Workload informer never syncs, so the scheduler never starts
		// scheduling and its readiness probe fails.
		code, body := sched.get(t, ctx, "/readyz?verbose", "")
		assert.Equal(t, http.StatusInternalServerError, code)
		assert.Contains(t, body, "[-]sched-handler-sync failed")
		sched.stop(t)
	})
}

// applyInstall creates every object of the install with the admin client,
// as `kubectl apply -k` would (the Deployment too: the API server validates
// it, though no controller runs its pods).
func applyInstall(t *testing.T, ctx context.Context, cs clientset.Interface, cp *controlplane.ControlPlane, in *kustomizeBuild) {
	t.Helper()
	dyn, err := dynamic.NewForConfig(cp.Config)
	require.NoError(t, err)
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(cs.Discovery()))
	for _, obj := range in.objects {
		gvk := obj.GroupVersionKind()
		mapping, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		require.NoError(t, err, "%s", gvk)
		var client dynamic.ResourceInterface = dyn.Resource(mapping.Resource)
		if ns := obj.GetNamespace(); ns != "" {
			client = dyn.Resource(mapping.Resource).Namespace(ns)
		}
		_, err = client.Create(ctx, obj.DeepCopy(), metav1.CreateOptions{FieldValidation: metav1.FieldValidationStrict})
		require.NoError(t, err, "creating %s %s/%s", obj.GetKind(), obj.GetNamespace(), obj.GetName())
	}
}

// waitForAccess waits until the RBAC authorizer, which follows role changes
// through its informers, gives user the expected answer.
func waitForAccess(t *testing.T, ctx context.Context, cs clientset.Interface, user, verb, group, resource string, allowed bool) {
	t.Helper()
	sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User:               user,
		Groups:             []string{"system:authenticated"},
		ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: verb, Group: group, Resource: resource},
	}}
	err := wait.PollUntilContextTimeout(ctx, pollInterval, waitTimeout, true, func(ctx context.Context) (bool, error) {
		got, err := cs.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
		if err != nil {
			return false, err
		}
		return got.Status.Allowed == allowed, nil
	})
	require.NoError(t, err, "waiting for %s %s %s.%s to be allowed=%v", user, verb, resource, group, allowed)
}

// waitForLeaseHolder waits until the Lease has a holder.
func waitForLeaseHolder(t *testing.T, ctx context.Context, cs clientset.Interface, lease types.NamespacedName) {
	t.Helper()
	var holder string
	err := wait.PollUntilContextTimeout(ctx, pollInterval, waitTimeout, true, func(ctx context.Context) (bool, error) {
		l, err := cs.CoordinationV1().Leases(lease.Namespace).Get(ctx, lease.Name, metav1.GetOptions{})
		if err != nil {
			return false, nil // not created yet
		}
		if l.Spec.HolderIdentity != nil {
			holder = *l.Spec.HolderIdentity
		}
		return holder != "", nil
	})
	require.NoError(t, err, "waiting for a holder of Lease %s", lease)
	t.Logf("Lease %s held by %s", lease, holder)
}

// schedulerBinary is a gangsched process started by the test.
type schedulerBinary struct {
	*controlplane.Process
	url    string
	client *http.Client
}

// startSchedulerBinary runs _output/bin/gangsched with configYAML, talking
// to the API server with token: as its client, and for the delegated
// authentication and authorization of its secure port (in a cluster both
// come from the ServiceAccount). It is stopped when the test ends.
func startSchedulerBinary(t *testing.T, cp *controlplane.ControlPlane, binDir, token, configYAML string) *schedulerBinary {
	t.Helper()
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	require.NoError(t, controlplane.WriteKubeconfig(kubeconfig, cp.ConfigForToken(token)))
	// With --config the scheduler reads its kubeconfig from the file only;
	// the shipped configs leave clientConnection out (in-cluster), so it is
	// appended, exactly as docs/install.md does for the drop-in.
	require.NotContains(t, "\n"+configYAML, "\nclientConnection:")
	configFile := filepath.Join(dir, "scheduler-config.yaml")
	require.NoError(t, os.WriteFile(configFile, []byte(configYAML+fmt.Sprintf("clientConnection:\n  kubeconfig: %q\n", kubeconfig)), 0o600))
	ports, err := controlplane.FreePorts(1)
	require.NoError(t, err)
	args := []string{
		"--config=" + configFile,
		"--authentication-kubeconfig=" + kubeconfig,
		"--authorization-kubeconfig=" + kubeconfig,
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(ports[0]),
		"-v=2",
	}
	p, err := controlplane.StartProcess("gangsched", filepath.Join(binDir, controlplane.SchedulerBinary), args, nil, filepath.Join(dir, "gangsched.log"))
	require.NoError(t, err)
	s := &schedulerBinary{
		Process: p,
		url:     fmt.Sprintf("https://127.0.0.1:%d", ports[0]),
		// Self-signed in-memory serving certificate, on loopback, as the
		// kubelet's HTTPS probes see it.
		client: &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}},
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("last lines of %s:\n%s", p.LogPath, p.LogTail(40))
		}
		_ = p.Stop(10 * time.Second)
	})
	return s
}

// get GETs path on the secure port, with a bearer token if not empty, and
// returns the status code and body (0 if the request failed).
func (s *schedulerBinary) get(t *testing.T, ctx context.Context, path, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+path, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(body)
}

// waitReady waits until /livez and /readyz answer 200 without credentials,
// as the Deployment's probes ask them.
func (s *schedulerBinary) waitReady(t *testing.T, ctx context.Context) {
	t.Helper()
	var last string
	err := wait.PollUntilContextTimeout(ctx, pollInterval, waitTimeout, true, func(ctx context.Context) (bool, error) {
		if exited, _ := s.Exited(); exited {
			return false, fmt.Errorf("gangsched exited; last lines of its log:\n%s", s.LogTail(20))
		}
		for _, path := range []string{"/livez", "/readyz"} {
			code, body := s.get(t, ctx, path, "")
			if code != http.StatusOK {
				last = fmt.Sprintf("%s: %d %s", path, code, body)
				return false, nil
			}
		}
		return true, nil
	})
	require.NoError(t, err, "waiting for gangsched to be ready; last answer %s", last)
}

// stop stops the scheduler and waits for it to exit, so its log is complete.
func (s *schedulerBinary) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, s.Stop(10*time.Second))
}

// forbiddenLines returns the lines of a log that report a request the API
// server refused.
func forbiddenLines(t *testing.T, logPath string) []string {
	t.Helper()
	data, err := os.ReadFile(logPath)
	require.NoError(t, err)
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(strings.ToLower(line), "forbidden") {
			out = append(out, line)
		}
	}
	return out
}

// newRBACEnv returns a test environment in a new namespace of the RBAC
// control plane, with the scheduler started by the caller.
func newRBACEnv(t *testing.T, ctx context.Context, cs clientset.Interface, cfg *rest.Config) *env {
	t.Helper()
	ns, err := cs.CoreV1().Namespaces().Create(ctx, &v1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "rbac-"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	e := &env{t: t, ctx: ctx, cs: cs, ns: ns.Name, podGroupsOf: map[string][]string{}, basic: map[string]bool{}}
	e.dyn, err = dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	t.Cleanup(e.cleanup)
	e.watcher = newBindingWatcher(t, ctx, cs, e.ns)
	return e
}

// waitForEvent waits for an event of reason about the named object of the
// test's namespace, reported by the scheduler profile reporter.
func (e *env) waitForEvent(reporter, kind, name, reason string) {
	e.t.Helper()
	e.waitFor(fmt.Sprintf("a %s event on %s %s from %s", reason, kind, name, reporter), func() (bool, error) {
		events, err := e.cs.EventsV1().Events(e.ns).List(e.ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for _, ev := range events.Items {
			if ev.Reason == reason && ev.Regarding.Kind == kind && ev.Regarding.Name == name && ev.ReportingController == reporter {
				return true, nil
			}
		}
		return false, nil
	})
}

// buildFile is a kustomizeBuild of the objects of one manifest file.
func buildFile(t *testing.T, path string) *kustomizeBuild {
	t.Helper()
	return &kustomizeBuild{objects: decodeYAMLFile(t, path)}
}

// waitForPodGroupAPI waits until the API server serves the PodGroups of the
// CRD the install created: the scheduler finds the gang APIs once, at
// startup.
func waitForPodGroupAPI(t *testing.T, ctx context.Context, cfg *rest.Config) {
	t.Helper()
	dyn, err := dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	err = wait.PollUntilContextTimeout(ctx, pollInterval, waitTimeout, true, func(ctx context.Context) (bool, error) {
		_, err := dyn.Resource(podgroupv1alpha1.SchemeGroupVersionResource).List(ctx, metav1.ListOptions{Limit: 1})
		return err == nil, nil
	})
	require.NoError(t, err, "waiting for the PodGroup CRD to be served")
}
