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
// Workload API (scheduling.k8s.io/v1alpha1) and of scheduler-plugins
// PodGroups (scheduling.x-k8s.io/v1alpha1) in one table: one row per gang
// instance, with its source, its members and what it waits for. Installed on
// PATH it runs as `kubectl gang`.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	v1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	schedulingv1alpha1client "k8s.io/client-go/kubernetes/typed/scheduling/v1alpha1"
	"k8s.io/client-go/tools/pager"
	"k8s.io/component-base/version"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gangview"
)

const (
	longHelp = `Show the gangs of the Workload API (scheduling.k8s.io/v1alpha1) and of
scheduler-plugins PodGroups (scheduling.x-k8s.io/v1alpha1) in one table: one
row per gang instance (namespace, Workload, podGroup, replica key; or
namespace, PodGroup) with its source, its policy, its live members, how many
are bound, and what it waits for. Either API may be missing from the cluster.

WORKLOAD keeps the gangs of the Workload, and the PodGroup, of that name.

The connection, namespace and output flags are kubectl's.`

	examples = `  kubectl gang                                # gangs of the current namespace
  kubectl gang -A                             # gangs of every namespace
  kubectl gang train -o wide                  # gangs of Workload (or PodGroup) train, with nodes, topology domains, pending pods and the scheduler's message
  kubectl gang -o json                        # for scripts: a GangList with one item per gang
  kubectl gang -o jsonpath='{.items[*].status}'
  kubectl gang --sort-by=.pods --no-headers
  kubectl gang --as=alice --context=prod      # any kubectl connection flag
  kubectl gang -w                             # print again on every change`
)

// watchInterval is the least time between two prints in --watch mode, so a
// gang of thousands of pods changing at once prints a handful of times.
const watchInterval = time.Second

// options are the parsed command line.
type options struct {
	// configFlags are kubectl's connection and namespace flags.
	configFlags   *genericclioptions.ConfigFlags
	printFlags    *printFlags
	allNamespaces bool
	watch         bool
	version       bool
	// workload, if set, keeps only the gangs of the Workload and the
	// PodGroup of that name.
	workload string
}

// deps is what run takes from its surroundings; tests replace them.
type deps struct {
	streams genericiooptions.IOStreams
	// now is the clock that ages rows.
	now func() time.Time
	// client returns the API clients and the namespace that the flags (or
	// the kubeconfig's current context) name.
	client func(*genericclioptions.ConfigFlags) (*clients, string, error)
	// interval is the least time between two prints in watch mode.
	interval time.Duration
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	if err := run(ctx, os.Args[1:], deps{streams: streams, now: time.Now, client: kubeClient, interval: watchInterval}); err != nil {
		fmt.Fprintln(os.Stderr, errorMessage(err))
		stop()
		os.Exit(1)
	}
}

// errorMessage words err as kubectl does (cmdutil.StandardErrorMessage): an
// error the API server returned as "Error from server (Reason): message", a
// server that cannot be reached as such, anything else as "error: message".
func errorMessage(err error) string {
	var status apierrors.APIStatus
	var urlErr *url.Error
	switch {
	case errors.As(err, &status):
		s := status.Status()
		switch {
		case s.Reason == metav1.StatusReasonUnauthorized:
			return fmt.Sprintf("error: You must be logged in to the server (%s)", s.Message)
		case s.Reason != "":
			return fmt.Sprintf("Error from server (%s): %s", s.Reason, s.Message)
		default:
			return fmt.Sprintf("Error from server: %s", s.Message)
		}
	case errors.As(err, &urlErr):
		if strings.Contains(urlErr.Err.Error(), "connection refused") {
			host := urlErr.URL
			if u, err := url.Parse(urlErr.URL); err == nil {
				host = u.Host
			}
			return fmt.Sprintf("The connection to the server %s was refused - did you specify the right host or port?", host)
		}
		return fmt.Sprintf("Unable to connect to the server: %v", urlErr.Err)
	}
	return "error: " + err.Error()
}

// newCommand returns the command with kubectl's flags: ConfigFlags for the
// connection and namespace, printFlags for the output.
func newCommand(ctx context.Context, d deps) *cobra.Command {
	o := &options{
		configFlags: genericclioptions.NewConfigFlags(true),
		printFlags:  newPrintFlags(),
	}
	cmd := &cobra.Command{
		Use:     "gang [WORKLOAD]",
		Short:   "Show the gangs of Workloads and PodGroups and what they wait for",
		Long:    longHelp,
		Example: examples,
		Annotations: map[string]string{
			// Help and usage say "kubectl gang", as kubectl runs the plugin.
			cobra.CommandDisplayNameAnnotation: "kubectl gang",
		},
		Args:          cobra.MaximumNArgs(1),
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.version {
				_, err := fmt.Fprintf(d.streams.Out, "kubectl-gang %s\n", version.Get().GitVersion)
				return err
			}
			if len(args) == 1 {
				o.workload = args[0]
			}
			return o.show(ctx, d)
		},
	}
	cmd.SetIn(d.streams.In)
	cmd.SetOut(d.streams.Out)
	cmd.SetErr(d.streams.ErrOut)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return fmt.Errorf("%w\nSee 'kubectl gang -h' for help and examples", err)
	})
	flags := cmd.Flags()
	o.configFlags.AddFlags(flags)
	o.printFlags.addFlags(cmd)
	flags.BoolVarP(&o.allNamespaces, "all-namespaces", "A", false, "If present, list the gangs across all namespaces. Namespace in current context is ignored even if specified with --namespace.")
	flags.BoolVarP(&o.watch, "watch", "w", false, "After listing, watch Workloads, PodGroups and Pods and print again on every change (at most once per second).")
	flags.BoolVar(&o.version, "version", false, "Print the version (gangsched's) and quit.")
	return cmd
}

// run runs the command with args (without the program name).
func run(ctx context.Context, args []string, d deps) error {
	cmd := newCommand(ctx, d)
	if args == nil {
		// cobra would parse os.Args instead (in tests, go test's flags).
		args = []string{}
	}
	cmd.SetArgs(args)
	return cmd.Execute()
}

// show lists and prints the gangs, and with --watch keeps printing until
// ctx ends. The output flags are checked before the API server is asked.
func (o *options) show(ctx context.Context, d deps) error {
	p, err := o.printFlags.toPrinter(d.streams)
	if err != nil {
		return err
	}
	cs, ns, err := d.client(o.configFlags)
	if err != nil {
		return err
	}
	if o.allNamespaces {
		ns = metav1.NamespaceAll
	}
	p.namespace, p.workload = ns, o.workload
	if o.watch {
		return watchGangs(ctx, cs, ns, p, d)
	}
	objs, err := list(ctx, cs, ns)
	if err != nil {
		return err
	}
	warnForbidden(d.streams.ErrOut, objs.forbidden)
	workloads := objs.workloads
	rows := filterRows(gangview.RowsWithPodGroups(workloads, objs.podGroups, objs.pods), o.workload)
	warnAmbiguous(d.streams.ErrOut, ambiguousPods(objs.pods, o.workload))
	// The nodes are read only for an output that can show the domains, and
	// only when a gang asks a topology and has a bound member. Reading them
	// is best effort: without them the domains are unknown, not an error.
	var labels map[string]map[string]string
	if p.showsDomains() && gangview.NeedsNodes(rows, workloads, objs.podGroups) {
		if labels, err = nodeLabels(ctx, cs); err != nil {
			fmt.Fprintf(d.streams.ErrOut, "Warning: topology domains are unknown: %s\n", oneLine(err.Error()))
		}
	}
	gangview.AddDomains(rows, workloads, objs.podGroups, labels)
	return p.print(rows, d.now())
}

// clients are the two typed API clients the command needs, and a dynamic
// one for PodGroups (a CRD, with no typed client). A full clientset (and its
// informer factory) would make the binary a quarter larger.
type clients struct {
	core       corev1client.CoreV1Interface
	scheduling schedulingv1alpha1client.SchedulingV1alpha1Interface
	dynamic    dynamic.Interface
	// discovery, when set, tells whether the PodGroup CRD is installed
	// before PodGroups are listed: on a cluster without it, a user who
	// may not list them would otherwise be warned about a CRD that is not
	// there (RBAC answers before the 404). Nil: list and see.
	discovery discovery.DiscoveryInterface
	// origin is what the clients came from; informers ask it whether it
	// supports watch-list semantics (test fakes say no).
	origin any
}

// kubeClient connects as kubectl does with the same flags: the kubeconfig of
// --kubeconfig, else $KUBECONFIG, else ~/.kube/config (in a pod: the
// in-cluster config; with none of them, kubectl's http://localhost:8080),
// with every override (--context, --as, --server, ...) applied. The
// namespace is -n's, else the chosen context's.
func kubeClient(f *genericclioptions.ConfigFlags) (*clients, string, error) {
	cfg, err := f.ToRESTConfig()
	if err != nil {
		return nil, "", err
	}
	ns, _, err := f.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil, "", err
	}
	cfg.UserAgent = "kubectl-gang/" + version.Get().GitVersion
	core, err := corev1client.NewForConfig(cfg)
	if err != nil {
		return nil, "", err
	}
	scheduling, err := schedulingv1alpha1client.NewForConfig(cfg)
	if err != nil {
		return nil, "", err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, "", err
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, "", err
	}
	return &clients{core: core, scheduling: scheduling, dynamic: dyn, discovery: dc, origin: core}, ns, nil
}

// errNoGangAPI says that the API server serves neither source of gangs, in
// the words gangsched uses at startup, with what enables each: the flags of
// the Workload API, or the PodGroup CRD.
var errNoGangAPI = errors.New("the API server serves neither scheduling.k8s.io/v1alpha1 Workloads nor scheduling.x-k8s.io/v1alpha1 PodGroups: " +
	"start kube-apiserver with --feature-gates=GenericWorkload=true and --runtime-config=scheduling.k8s.io/v1alpha1=true " +
	"(without them it also drops spec.workloadRef from pods), or install the scheduler-plugins PodGroup CRD")

// served reads the answer to a list of one source of gangs: a collection
// that is not served answers 404 (the Workload API is off, the PodGroup CRD
// is not installed), which means no objects of that source, not an error;
// a namespace that does not exist lists empty. A user who may read one
// source and not the other (403) sees the one, with a warning (forbidden
// is not empty). what names the objects in any other error.
func served(err error, what string, objs *objects) (bool, error) {
	switch {
	case err == nil:
		return true, nil
	case apierrors.IsNotFound(err):
		return false, nil
	case apierrors.IsForbidden(err):
		objs.forbidden = append(objs.forbidden, fmt.Errorf("listing %s: %w", what, err))
		return false, nil
	}
	return false, fmt.Errorf("listing %s: %w", what, err)
}

// objects are what the rows are computed from.
type objects struct {
	workloads []*schedulingv1alpha1.Workload
	podGroups []*podgroupv1alpha1.PodGroup
	pods      []*v1.Pod
	// forbidden are the errors of the sources the user may not read: with
	// the other source readable, warnings; without, the error.
	forbidden []error
}

// list reads the Workloads, PodGroups and Pods of a namespace ("" for all).
// Either source of gangs may be missing from the API server, not both.
// PodGroups and Pods are read in pages, as kubectl does, so a large cluster
// is not one response.
func list(ctx context.Context, cs *clients, ns string) (objects, error) {
	var objs objects
	wl, err := cs.scheduling.Workloads(ns).List(ctx, metav1.ListOptions{})
	workloadsServed, err := served(err, "Workloads", &objs)
	if err != nil {
		return objects{}, err
	}
	if workloadsServed {
		objs.workloads = make([]*schedulingv1alpha1.Workload, len(wl.Items))
		for i := range wl.Items {
			objs.workloads[i] = &wl.Items[i]
		}
	}
	podGroupsServed, err := listPodGroups(ctx, cs, ns, &objs)
	if err != nil {
		return objects{}, err
	}
	if !workloadsServed && !podGroupsServed {
		if len(objs.forbidden) > 0 {
			return objects{}, errors.Join(objs.forbidden...)
		}
		return objects{}, errNoGangAPI
	}
	pg := pager.New(func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return cs.core.Pods(ns).List(ctx, opts)
	})
	err = pg.EachListItem(ctx, metav1.ListOptions{}, func(obj runtime.Object) error {
		if pod, ok := obj.(*v1.Pod); ok {
			objs.pods = append(objs.pods, pod)
		}
		return nil
	})
	if err != nil {
		return objects{}, fmt.Errorf("listing pods: %w", err)
	}
	return objs, nil
}

// warnForbidden says which source of gangs the user may not read, when
// the other is shown.
func warnForbidden(w io.Writer, forbidden []error) {
	for _, err := range forbidden {
		fmt.Fprintf(w, "Warning: showing no gangs of that source: %s\n", oneLine(err.Error()))
	}
}

// podGroupsMayBeServed reports false when discovery says that the PodGroup
// CRD is not installed; true when it is, or when discovery cannot tell.
func podGroupsMayBeServed(cs *clients) bool {
	if cs.discovery == nil {
		return true
	}
	_, err := cs.discovery.ServerResourcesForGroupVersion(podgroupv1alpha1.SchemeGroupVersion.String())
	return !apierrors.IsNotFound(err)
}

// listPodGroups reads the PodGroups of a namespace into objs.podGroups, and
// reports whether the API server serves them.
func listPodGroups(ctx context.Context, cs *clients, ns string, objs *objects) (bool, error) {
	if !podGroupsMayBeServed(cs) {
		return false, nil
	}
	var podGroups []*podgroupv1alpha1.PodGroup
	pg := pager.New(func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return cs.dynamic.Resource(podgroupv1alpha1.SchemeGroupVersionResource).Namespace(ns).List(ctx, opts)
	})
	err := pg.EachListItem(ctx, metav1.ListOptions{}, func(obj runtime.Object) error {
		u, ok := obj.(*unstructured.Unstructured)
		if !ok {
			return nil
		}
		p, err := podgroupv1alpha1.FromUnstructured(u)
		if err != nil {
			return err
		}
		podGroups = append(podGroups, p)
		return nil
	})
	objs.podGroups = podGroups
	return served(err, "PodGroups", objs)
}

// nodeLabels reads the labels of every node, by name, in pages as the pods
// are read.
func nodeLabels(ctx context.Context, cs *clients) (map[string]map[string]string, error) {
	labels := map[string]map[string]string{}
	pg := pager.New(func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		return cs.core.Nodes().List(ctx, opts)
	})
	err := pg.EachListItem(ctx, metav1.ListOptions{}, func(obj runtime.Object) error {
		if n, ok := obj.(*v1.Node); ok {
			labels[n.Name] = n.Labels
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing nodes: %w", err)
	}
	return labels, nil
}

// filterRows keeps the rows of the Workload and the PodGroup named name, or
// all when name is "".
func filterRows(rows []gangview.Row, name string) []gangview.Row {
	if name == "" {
		return rows
	}
	return slices.DeleteFunc(rows, func(r gangview.Row) bool {
		if r.Source == gangview.SourcePodGroup {
			return r.PodGroup != name
		}
		return r.Workload != name
	})
}

// ambiguousPods returns the live pods that name both a Workload and a
// PodGroup, those that name one called name if name is not "".
func ambiguousPods(pods []*v1.Pod, name string) []gangview.AmbiguousPod {
	amb := gangview.AmbiguousPods(pods)
	if name == "" {
		return amb
	}
	return slices.DeleteFunc(amb, func(a gangview.AmbiguousPod) bool { return a.Workload != name && a.PodGroup != name })
}

// warnAmbiguous prints a warning line on stderr for each pod that names
// both a Workload and a PodGroup: no row counts it, and the scheduler holds
// it until it is recreated with one.
func warnAmbiguous(w io.Writer, pods []gangview.AmbiguousPod) {
	for _, p := range pods {
		fmt.Fprintf(w, "Warning: pod %s/%s is in no gang: %s\n", p.Namespace, p.Name, oneLine(p.Message))
	}
}
