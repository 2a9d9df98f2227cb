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

// Command localup powers `make run`: it starts a real etcd and kube-apiserver
// (internal/controlplane) with the PodGroup CRD (manifests/crd), the gangsched
// binary as a process, a few fake nodes, applies manifests/examples/*.yaml and
// prints a live view of how the example
// pods are grouped and bound. It runs until SIGINT/SIGTERM, or with
// --exit-after-demo until the examples that fit are bound.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"sigs.k8s.io/yaml"

	"github.com/gangsched/gangsched/internal/controlplane"
	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
)

type options struct {
	root               string
	binDir             string
	stateDir           string
	config             string
	examples           string
	schedulerName      string
	nodes              int
	nodesPerRack       int
	nodeCPU            string
	nodeMemory         string
	nodePods           int64
	authorizationMode  string
	schedulerVerbosity int
	schedulerArgs      stringList
	exitAfterDemo      bool
	demoTimeout        time.Duration
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, " ") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout))
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("localup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.root, "root", "", "repository root (default: nearest directory with go.mod)")
	fs.StringVar(&o.binDir, "bin-dir", "", "directory with etcd, kube-apiserver and gangsched (default: $GANGSCHED_BIN_DIR or <root>/_output/bin)")
	fs.StringVar(&o.stateDir, "state-dir", "", "state, logs and kubeconfig (default: <root>/_output/local-up)")
	fs.StringVar(&o.config, "config", "", "scheduler config file (default: <root>/manifests/scheduler-config.yaml)")
	fs.StringVar(&o.examples, "examples", "", "directory whose *.yaml are applied (default: <root>/manifests/examples)")
	fs.StringVar(&o.schedulerName, "scheduler-name", "gangsched", "schedulerName of the gangsched profile")
	fs.IntVar(&o.nodes, "nodes", 4, "number of fake nodes")
	fs.IntVar(&o.nodesPerRack, "nodes-per-rack", 2, "fake nodes per rack: node-0.. get the label "+rackLabel+"=rack-0, rack-1, ... (0: no rack label)")
	fs.StringVar(&o.nodeCPU, "node-cpu", "4", "allocatable cpu per fake node")
	fs.StringVar(&o.nodeMemory, "node-memory", "16Gi", "allocatable memory per fake node")
	fs.Int64Var(&o.nodePods, "node-pods", 110, "allocatable pods per fake node")
	fs.StringVar(&o.authorizationMode, "authorization-mode", controlplane.DefaultAuthorizationMode, "kube-apiserver --authorization-mode")
	fs.IntVar(&o.schedulerVerbosity, "scheduler-v", 2, "gangsched log verbosity (-v)")
	fs.Var(&o.schedulerArgs, "scheduler-arg", "extra gangsched flag, e.g. --scheduler-arg=--feature-gates=... (repeatable)")
	fs.BoolVar(&o.exitAfterDemo, "exit-after-demo", false, "exit 0 once every example group that fits is bound, non-zero after --demo-timeout")
	fs.DurationVar(&o.demoTimeout, "demo-timeout", 120*time.Second, "how long to wait for the examples to bind")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if o.nodes < 1 {
		return nil, errors.New("--nodes must be at least 1")
	}
	if o.nodesPerRack < 0 {
		return nil, errors.New("--nodes-per-rack must be 0 or more")
	}
	var err error
	if o.root == "" {
		if o.root, err = controlplane.RepoRoot(); err != nil {
			return nil, err
		}
	}
	if o.root, err = filepath.Abs(o.root); err != nil {
		return nil, err
	}
	if o.binDir == "" {
		if dir := os.Getenv(controlplane.BinDirEnv); dir != "" {
			o.binDir = dir
		} else {
			o.binDir = filepath.Join(o.root, "_output", "bin")
		}
	}
	defaults := map[*string]string{
		&o.stateDir: filepath.Join(o.root, "_output", "local-up"),
		&o.config:   filepath.Join(o.root, "manifests", "scheduler-config.yaml"),
		&o.examples: filepath.Join(o.root, "manifests", "examples"),
	}
	for p, def := range defaults {
		if *p == "" {
			*p = def
		}
	}
	for _, p := range []*string{&o.binDir, &o.stateDir, &o.config, &o.examples} {
		if *p, err = filepath.Abs(*p); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func run(args []string, stdout io.Writer) int {
	o, err := parseFlags(args, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "localup: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := localUp(ctx, o, stdout); err != nil {
		fmt.Fprintf(os.Stderr, "localup: %v\n", err)
		return 1
	}
	return 0
}

func say(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "==> "+format+"\n", args...)
}

func localUp(ctx context.Context, o *options, out io.Writer) (retErr error) {
	if err := controlplane.CheckBinaries(o.binDir, controlplane.EtcdBinary, controlplane.APIServerBinary, controlplane.SchedulerBinary); err != nil {
		return err
	}
	cpu, err := resource.ParseQuantity(o.nodeCPU)
	if err != nil {
		return fmt.Errorf("--node-cpu: %w", err)
	}
	memory, err := resource.ParseQuantity(o.nodeMemory)
	if err != nil {
		return fmt.Errorf("--node-memory: %w", err)
	}
	manifests, err := readManifests(o.examples)
	if err != nil {
		return err
	}
	ex, err := typedExamples(manifests)
	if err != nil {
		return err
	}

	// State: refuse to start over a running instance, then start afresh.
	if err := os.MkdirAll(o.stateDir, 0o755); err != nil {
		return err
	}
	state := &stateFiles{dir: o.stateDir}
	if live, err := state.livePids(); err != nil {
		return err
	} else if len(live) > 0 {
		return fmt.Errorf("a previous make run is still running (%s); stop it with make down", strings.Join(live, ", "))
	}
	clusterDir := filepath.Join(o.stateDir, "cluster")
	if err := os.RemoveAll(clusterDir); err != nil {
		return err
	}
	if err := state.addPid("localup", os.Getpid()); err != nil {
		return err
	}
	defer func() {
		if err := state.clear(); err != nil && retErr == nil {
			retErr = err
		}
	}()

	say(out, "starting etcd and kube-apiserver (logs in %s)", clusterDir)
	cp, err := controlplane.Start(ctx, controlplane.Options{
		BinDir:            o.binDir,
		Dir:               clusterDir,
		AuthorizationMode: o.authorizationMode,
	})
	if err != nil {
		return err
	}
	defer func() {
		say(out, "stopping kube-apiserver and etcd")
		if err := cp.Stop(); err != nil && retErr == nil {
			retErr = err
		}
	}()
	for name, pid := range map[string]int{"etcd": cp.EtcdPid(), "kube-apiserver": cp.APIServerPid()} {
		if err := state.addPid(name, pid); err != nil {
			return err
		}
	}
	kubeconfig := filepath.Join(o.stateDir, "kubeconfig")
	if err := controlplane.WriteKubeconfig(kubeconfig, cp.Config); err != nil {
		return err
	}
	if err := state.writeEnv([][2]string{{"KUBECONFIG", kubeconfig}, {"LOG_DIR", clusterDir}, {"APISERVER", cp.APIServerURL}}); err != nil {
		return err
	}
	say(out, "kube-apiserver %s ready; kubeconfig %s", cp.APIServerURL, kubeconfig)

	client, err := kubernetes.NewForConfig(cp.Config)
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(cp.Config)
	if err != nil {
		return err
	}
	// Before gangsched starts: it serves the gangs of PodGroups only if
	// their API is there when it starts.
	crdPath := filepath.Join(o.root, controlplane.PodGroupCRDFile)
	if err := controlplane.InstallPodGroupCRD(ctx, cp.Config, crdPath); err != nil {
		return err
	}
	say(out, "installed the PodGroup CRD (%s); PodGroups are served", crdPath)
	nodeCaps, nodeLabels, err := createNodes(ctx, client, o.nodes, o.nodesPerRack, cpu, memory, o.nodePods)
	if err != nil {
		return err
	}
	say(out, "created %d fake nodes (cpu=%s memory=%s pods=%d each)", o.nodes, cpu.String(), memory.String(), o.nodePods)
	if o.nodesPerRack > 0 {
		say(out, "racks (label %s): %s", rackLabel, strings.Join(describeRacks(nodeLabels), "; "))
	}

	sched, err := startScheduler(ctx, o, kubeconfig, clusterDir)
	if err != nil {
		return err
	}
	defer func() {
		say(out, "stopping gangsched")
		if err := sched.Stop(15 * time.Second); err != nil && retErr == nil {
			retErr = err
		}
	}()
	if err := state.addPid("gangsched", sched.Pid()); err != nil {
		return err
	}
	say(out, "gangsched running (pid %d, log %s)", sched.Pid(), sched.LogPath)

	// Watch before applying, so the view sees every change.
	tr := newTracker(out, time.Now)
	factory := informers.NewSharedInformerFactory(client, 0)
	podInformer := factory.Core().V1().Pods().Informer()
	if _, err := podInformer.AddEventHandler(podHandler(tr)); err != nil {
		return err
	}
	wlInformer := factory.Scheduling().V1alpha1().Workloads().Informer()
	if _, err := wlInformer.AddEventHandler(workloadHandler(tr)); err != nil {
		return err
	}
	dynFactory := dynamicinformer.NewDynamicSharedInformerFactory(dyn, 0)
	pgInformer := dynFactory.ForResource(podgroupv1alpha1.SchemeGroupVersionResource).Informer()
	if _, err := pgInformer.AddEventHandler(podGroupHandler(tr)); err != nil {
		return err
	}
	informerCtx, stopInformers := context.WithCancel(ctx)
	factory.Start(informerCtx.Done())
	dynFactory.Start(informerCtx.Done())
	defer func() {
		stopInformers()
		factory.Shutdown()
		dynFactory.Shutdown()
	}()
	for typ, ok := range factory.WaitForCacheSync(informerCtx.Done()) {
		if !ok {
			return fmt.Errorf("informer for %v did not sync", typ)
		}
	}
	for gvr, ok := range dynFactory.WaitForCacheSync(informerCtx.Done()) {
		if !ok {
			return fmt.Errorf("informer for %v did not sync", gvr)
		}
	}

	policies := ex.policies()
	expected := expectedBindings(ex.pods, policies, nodeCaps, o.schedulerName)
	say(out, "expected bound pods per group: %s", strings.Join(describeExpected(expected), ", "))
	tr.expectGroupSizes(groupSizes(ex.pods))

	ap := newApplier(client.Discovery(), dyn)
	say(out, "applying %d objects from %s", len(manifests), o.examples)
	tr.resetClock()
	// The last member of each gang is held back until the others say that
	// they wait for it, so the demo shows a gang waiting, then binding whole.
	first, last, waitFor := holdBackLastMembers(manifests, ex.pods, policies)
	apply := func(ms []manifestObject) error {
		for _, m := range ms {
			isPod := m.Obj.GetKind() == "Pod" && m.Obj.GroupVersionKind().Group == ""
			if isPod {
				name := m.Obj.GetNamespace()
				if name == "" {
					name = "default"
				}
				tr.markCreated(name+"/"+m.Obj.GetName(), time.Now())
			}
			result, err := ap.create(ctx, m)
			if err != nil {
				return err
			}
			if !isPod || result != "created" {
				say(out, "%s %s %s", strings.ToLower(m.Obj.GetKind()), objName(m.Obj), result)
			}
		}
		return nil
	}
	if err := apply(first); err != nil {
		return err
	}
	if len(last) > 0 {
		say(out, "holding back the last member of each gang until the others report that they wait for it")
		waitCtx, cancelWait := context.WithTimeout(ctx, 20*time.Second)
		err := wait.PollUntilContextCancel(waitCtx, 200*time.Millisecond, true, func(ctx context.Context) (bool, error) {
			for _, w := range waitFor {
				pod, err := client.CoreV1().Pods(w.pod.Namespace).Get(ctx, w.pod.Name, metav1.GetOptions{})
				if err != nil {
					return false, nil
				}
				held := false
				for _, c := range pod.Status.Conditions {
					if c.Type == corev1.PodScheduled && gang.IsWaitingForPodsMessage(gang.GroupKey(w.group), c.Message) {
						held = true
					}
				}
				if !held {
					return false, nil
				}
			}
			return true, nil
		})
		cancelWait()
		if err != nil {
			say(out, "gang members did not report waiting within 20s; creating the last members anyway")
		}
		say(out, "creating the last member of each gang")
		if err := apply(last); err != nil {
			return err
		}
	}

	instructions := func() {
		fmt.Fprintf(out, "\nThe cluster is up. In another shell:\n\n")
		fmt.Fprintf(out, "  export KUBECONFIG=%s\n", kubeconfig)
		fmt.Fprintf(out, "  kubectl get pods -A -o wide\n")
		fmt.Fprintf(out, "  kubectl get workloads.scheduling.k8s.io -A\n")
		fmt.Fprintf(out, "  kubectl get podgroups.scheduling.x-k8s.io -A\n\n")
		fmt.Fprintf(out, "Logs: %s/{etcd,kube-apiserver,gangsched}.log\n", clusterDir)
		fmt.Fprintf(out, "New pods with spec.workloadRef or the label %s, and schedulerName %q, show up here.\n", podgroupv1alpha1.PodGroupLabel, o.schedulerName)
		fmt.Fprintf(out, "Press Ctrl-C to stop (or run make down from another shell).\n\n")
	}

	deadline := time.NewTimer(o.demoTimeout)
	defer deadline.Stop()
	demoDone := false
	for {
		if !demoDone {
			if done, _ := tr.demoStatus(expected); done {
				demoDone = true
				deadline.Stop()
				fmt.Fprintf(out, "\n%s", tr.table())
				violations := tr.gangViolations()
				for _, v := range violations {
					say(out, "GANG VIOLATION: %s", v)
				}
				placed, spread := tr.topologyPlacement(ex.requiredTopologies(), nodeLabels)
				for _, p := range placed {
					say(out, "topology: %s", p)
				}
				for _, v := range spread {
					say(out, "TOPOLOGY VIOLATION: %s", v)
				}
				violations = append(violations, spread...)
				if o.exitAfterDemo {
					if len(violations) > 0 {
						return fmt.Errorf("%d gang(s) partially bound or outside their topology domain", len(violations))
					}
					say(out, "demo done: every example group that fits is bound")
					return nil
				}
				instructions()
			}
		}
		select {
		case <-ctx.Done():
			say(out, "signal received, shutting down")
			return nil
		case <-sched.Done():
			_, werr := sched.Exited()
			return fmt.Errorf("gangsched exited (%v); last lines of %s:\n%s", werr, sched.LogPath, sched.LogTail(40))
		case <-tr.Changed():
		case <-deadline.C:
			_, waiting := tr.demoStatus(expected)
			fmt.Fprintf(out, "\n%s", tr.table())
			say(out, "after %s these groups are not bound as expected:\n  %s", o.demoTimeout, strings.Join(waiting, "\n  "))
			if o.exitAfterDemo {
				return fmt.Errorf("demo timed out after %s", o.demoTimeout)
			}
			demoDone = true
			instructions()
		}
	}
}

// startScheduler starts the gangsched binary and waits for its /healthz.
func startScheduler(ctx context.Context, o *options, kubeconfig, logDir string) (*controlplane.Process, error) {
	ports, err := controlplane.FreePorts(1)
	if err != nil {
		return nil, err
	}
	// kube-scheduler ignores --kubeconfig when --config is given: the
	// kubeconfig goes into clientConnection.kubeconfig of a derived config.
	config, err := schedulerConfigWithKubeconfig(o.config, kubeconfig, filepath.Join(logDir, "scheduler-config.yaml"))
	if err != nil {
		return nil, err
	}
	args := []string{
		"--config=" + config,
		"--authentication-kubeconfig=" + kubeconfig,
		"--authorization-kubeconfig=" + kubeconfig,
		"--secure-port=" + strconv.Itoa(ports[0]),
		"--bind-address=127.0.0.1",
		"--leader-elect=false",
		"-v=" + strconv.Itoa(o.schedulerVerbosity),
	}
	args = append(args, o.schedulerArgs...)
	p, err := controlplane.StartProcess("gangsched", filepath.Join(o.binDir, controlplane.SchedulerBinary), args, nil, filepath.Join(logDir, "gangsched.log"))
	if err != nil {
		return nil, err
	}
	url := fmt.Sprintf("https://127.0.0.1:%d/healthz", ports[0])
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, // self-signed, loopback only
	}
	deadline := time.Now().Add(time.Minute)
	var lastErr error
	for interval := 100 * time.Millisecond; ; interval = min(interval*2, time.Second) {
		lastErr = getOK(ctx, client, url)
		if lastErr == nil {
			return p, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			_ = p.Stop(5 * time.Second)
			return nil, fmt.Errorf("gangsched not healthy (%v); last lines of %s:\n%s", lastErr, p.LogPath, p.LogTail(40))
		}
		select {
		case <-p.Done():
			return nil, fmt.Errorf("gangsched exited during startup; last lines of %s:\n%s", p.LogPath, p.LogTail(40))
		case <-ctx.Done():
		case <-time.After(interval):
		}
	}
}

// schedulerConfigWithKubeconfig writes a copy of the KubeSchedulerConfiguration
// at src to dst with clientConnection.kubeconfig set, and returns dst.
func schedulerConfigWithKubeconfig(src, kubeconfig, dst string) (string, error) {
	data, err := os.ReadFile(src)
	if err != nil {
		return "", fmt.Errorf("read scheduler config: %w", err)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return "", fmt.Errorf("parse scheduler config %s: %w", src, err)
	}
	if cfg == nil {
		return "", fmt.Errorf("scheduler config %s is empty", src)
	}
	conn, _ := cfg["clientConnection"].(map[string]any)
	if conn == nil {
		conn = map[string]any{}
	}
	conn["kubeconfig"] = kubeconfig
	cfg["clientConnection"] = conn
	out, err := yaml.Marshal(cfg)
	if err != nil {
		return "", err
	}
	header := fmt.Sprintf("# Generated by hack/localup from %s with clientConnection.kubeconfig set.\n", src)
	if err := os.WriteFile(dst, append([]byte(header), out...), 0o644); err != nil {
		return "", err
	}
	return dst, nil
}

func getOK(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return nil
}

func podHandler(tr *tracker) cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			if pod, ok := obj.(*corev1.Pod); ok {
				tr.updatePod(pod)
			}
		},
		UpdateFunc: func(_, obj any) {
			if pod, ok := obj.(*corev1.Pod); ok {
				tr.updatePod(pod)
			}
		},
		DeleteFunc: func(obj any) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			if pod, ok := obj.(*corev1.Pod); ok {
				tr.deletePod(pod.Namespace, pod.Name)
			}
		},
	}
}

// podGroupHandler feeds the tracker the PodGroups of a dynamic informer.
func podGroupHandler(tr *tracker) cache.ResourceEventHandler {
	set := func(obj any) {
		u, ok := obj.(*unstructured.Unstructured)
		if !ok {
			return
		}
		pg, err := podgroupv1alpha1.FromUnstructured(u)
		if err != nil {
			utilruntime.HandleError(err)
			return
		}
		tr.setPodGroup(pg)
	}
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    set,
		UpdateFunc: func(_, obj any) { set(obj) },
		DeleteFunc: func(obj any) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			if u, ok := obj.(*unstructured.Unstructured); ok {
				tr.deletePodGroup(u.GetNamespace(), u.GetName())
			}
		},
	}
}

func workloadHandler(tr *tracker) cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			if wl, ok := obj.(*schedulingv1alpha1.Workload); ok {
				tr.setWorkload(wl)
			}
		},
		UpdateFunc: func(_, obj any) {
			if wl, ok := obj.(*schedulingv1alpha1.Workload); ok {
				tr.setWorkload(wl)
			}
		},
		DeleteFunc: func(obj any) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			if wl, ok := obj.(*schedulingv1alpha1.Workload); ok {
				tr.deleteWorkload(wl.Namespace, wl.Name)
			}
		},
	}
}

// heldGang is a gang whose last member is held back: pod, one of the
// others, reports that it waits for more members of group.
type heldGang struct {
	pod   types.NamespacedName
	group groupKey
}

// holdBackLastMembers splits the manifests into those to apply first and the
// last pod of each gang group of two or more, and returns, per such gang,
// one sibling of the held-back member to watch.
func holdBackLastMembers(manifests []manifestObject, pods []*corev1.Pod, policies map[policyKey]policy) (first, last []manifestObject, watch []heldGang) {
	lastOf := map[groupKey]*corev1.Pod{}
	sibling := map[groupKey]*corev1.Pod{}
	for _, p := range pods {
		g, ok := groupOf(p)
		if !ok || policies[g.policyKey()].MinCount < 2 {
			continue
		}
		if prev, ok := lastOf[g]; ok {
			sibling[g] = prev
		}
		lastOf[g] = p
	}
	held := map[types.NamespacedName]bool{}
	for g, p := range lastOf {
		if sib, ok := sibling[g]; ok {
			held[types.NamespacedName{Namespace: p.Namespace, Name: p.Name}] = true
			watch = append(watch, heldGang{pod: types.NamespacedName{Namespace: sib.Namespace, Name: sib.Name}, group: g})
		}
	}
	for _, m := range manifests {
		ns := m.Obj.GetNamespace()
		if ns == "" {
			ns = "default"
		}
		if m.Obj.GetKind() == "Pod" && held[types.NamespacedName{Namespace: ns, Name: m.Obj.GetName()}] {
			last = append(last, m)
		} else {
			first = append(first, m)
		}
	}
	return first, last, watch
}
