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

// Command kubectl-gang is a kubectl plugin that shows the gangs of the
// Workload API (scheduling.k8s.io/v1alpha1): one row per gang instance, with
// its members and what it waits for. Installed on PATH it runs as
// `kubectl gang`.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	v1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	schedulingv1alpha1client "k8s.io/client-go/kubernetes/typed/scheduling/v1alpha1"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/pager"

	"github.com/gangsched/gangsched/pkg/gangview"
)

const usageText = `kubectl gang shows the gangs of the Workload API (scheduling.k8s.io/v1alpha1):
one row per gang instance (namespace, Workload, podGroup, replica key) with its
policy, its live members, how many are bound, and what it waits for.

Usage:
  kubectl gang [WORKLOAD] [flags]

Examples:
  kubectl gang                  # gangs of the current namespace
  kubectl gang -A               # gangs of every namespace
  kubectl gang train -o wide    # gangs of Workload train, with nodes, pending pods and the scheduler's message
  kubectl gang -o json          # for scripts: a GangList with one item per gang
  kubectl gang -w               # print again on every change

Flags:
`

// Output formats.
const (
	outputTable = "table"
	outputWide  = "wide"
	outputJSON  = "json"
	outputYAML  = "yaml"
)

// watchInterval is the least time between two prints in --watch mode, so a
// gang of thousands of pods changing at once prints a handful of times.
const watchInterval = time.Second

// options are the parsed command line.
type options struct {
	namespace     string
	allNamespaces bool
	output        string
	watch         bool
	kubeconfig    string
	context       string
	// workload, if set, keeps only the gangs of that Workload.
	workload string
}

// deps is what run takes from its surroundings; tests replace them.
type deps struct {
	stdout, stderr io.Writer
	// now is the clock that ages rows.
	now func() time.Time
	// client returns the API clients and the namespace of the kubeconfig's
	// current context.
	client func(*options) (*clients, string, error)
	// interval is the least time between two prints in watch mode.
	interval time.Duration
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], deps{stdout: os.Stdout, stderr: os.Stderr, now: time.Now, client: kubeClient, interval: watchInterval})
	switch {
	case errors.Is(err, pflag.ErrHelp):
	case err != nil:
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
}

// parseFlags parses the command line; -h prints the usage and returns
// pflag.ErrHelp.
func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := pflag.NewFlagSet("kubectl-gang", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	fs.StringVarP(&o.namespace, "namespace", "n", "", "The namespace to show; default: the namespace of the kubeconfig's current context.")
	fs.BoolVarP(&o.allNamespaces, "all-namespaces", "A", false, "Show the gangs of every namespace.")
	fs.StringVarP(&o.output, "output", "o", outputTable, "Output format: table, wide, json or yaml.")
	fs.BoolVarP(&o.watch, "watch", "w", false, "After printing, watch Workloads and Pods and print again on every change (at most once per second).")
	fs.StringVar(&o.kubeconfig, "kubeconfig", "", "Path to the kubeconfig file; default: $KUBECONFIG, then ~/.kube/config.")
	fs.StringVar(&o.context, "context", "", "The kubeconfig context to use; default: its current context.")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil, err
		}
		return nil, fmt.Errorf("%w\nSee 'kubectl gang -h' for usage", err)
	}
	if !slices.Contains([]string{outputTable, outputWide, outputJSON, outputYAML}, o.output) {
		return nil, fmt.Errorf("unknown output format %q: want table, wide, json or yaml", o.output)
	}
	switch fs.NArg() {
	case 0:
	case 1:
		o.workload = fs.Arg(0)
	default:
		return nil, fmt.Errorf("at most one Workload name, got %q", fs.Args())
	}
	return o, nil
}

// clients are the two typed API clients the command needs. A full clientset
// (and its informer factory) would make the binary a quarter larger.
type clients struct {
	core       corev1client.CoreV1Interface
	scheduling schedulingv1alpha1client.SchedulingV1alpha1Interface
	// origin is what the clients came from; informers ask it whether it
	// supports watch-list semantics (test fakes say no).
	origin any
}

// kubeClient loads the user's kubeconfig the way kubectl does: --kubeconfig,
// else $KUBECONFIG, else ~/.kube/config (in a pod: the in-cluster config),
// with --context overriding its current context.
func kubeClient(o *options) (*clients, string, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = o.kubeconfig
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: o.context})
	cfg, err := cc.ClientConfig()
	if clientcmd.IsEmptyConfig(err) {
		return nil, "", errors.New("no kubeconfig: pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config")
	}
	if err != nil {
		return nil, "", err
	}
	ns, _, err := cc.Namespace()
	if err != nil {
		return nil, "", err
	}
	cfg.UserAgent = "kubectl-gang"
	core, err := corev1client.NewForConfig(cfg)
	if err != nil {
		return nil, "", err
	}
	scheduling, err := schedulingv1alpha1client.NewForConfig(cfg)
	if err != nil {
		return nil, "", err
	}
	return &clients{core: core, scheduling: scheduling, origin: core}, ns, nil
}

// run is the command: parse, list, print, and with --watch keep printing
// until ctx ends.
func run(ctx context.Context, args []string, d deps) error {
	o, err := parseFlags(args, d.stderr)
	if err != nil {
		return err
	}
	cs, ns, err := d.client(o)
	if err != nil {
		return err
	}
	switch {
	case o.allNamespaces:
		ns = metav1.NamespaceAll
	case o.namespace != "":
		ns = o.namespace
	}
	p := &printer{out: d.stdout, errOut: d.stderr, format: o.output, namespace: ns, workload: o.workload}
	if o.watch {
		return watchGangs(ctx, cs, ns, p, d)
	}
	workloads, pods, err := list(ctx, cs, ns)
	if err != nil {
		return err
	}
	return p.print(filterRows(gangview.Rows(workloads, pods), o.workload), d.now())
}

// errWorkloadAPINotServed names the API server flags that enable the Workload
// API, in the words gangsched uses at startup.
var errWorkloadAPINotServed = errors.New("the API server does not serve scheduling.k8s.io/v1alpha1 Workloads: " +
	"start kube-apiserver with --feature-gates=GenericWorkload=true and --runtime-config=scheduling.k8s.io/v1alpha1=true " +
	"(without them it also drops spec.workloadRef from pods)")

// workloadListError explains a failure to list Workloads. A collection that
// is not served answers 404; a namespace that does not exist lists empty.
func workloadListError(err error) error {
	if apierrors.IsNotFound(err) {
		return errWorkloadAPINotServed
	}
	return fmt.Errorf("listing Workloads: %w", err)
}

// list reads the Workloads and Pods of a namespace ("" for all). Pods are
// read in pages, as kubectl does, so a large cluster is not one response.
func list(ctx context.Context, cs *clients, ns string) ([]*schedulingv1alpha1.Workload, []*v1.Pod, error) {
	wl, err := cs.scheduling.Workloads(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, nil, workloadListError(err)
	}
	workloads := make([]*schedulingv1alpha1.Workload, len(wl.Items))
	for i := range wl.Items {
		workloads[i] = &wl.Items[i]
	}
	var pods []*v1.Pod
	pg := pager.New(func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return cs.core.Pods(ns).List(ctx, opts)
	})
	err = pg.EachListItem(ctx, metav1.ListOptions{}, func(obj runtime.Object) error {
		if pod, ok := obj.(*v1.Pod); ok {
			pods = append(pods, pod)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("listing pods: %w", err)
	}
	return workloads, pods, nil
}

// filterRows keeps the rows of one Workload, or all when workload is "".
func filterRows(rows []gangview.Row, workload string) []gangview.Row {
	if workload == "" {
		return rows
	}
	return slices.DeleteFunc(rows, func(r gangview.Row) bool { return r.Workload != workload })
}
