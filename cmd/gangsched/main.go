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

// Command gangsched is the upstream kube-scheduler with the WorkloadGang
// plugin registered. Every kube-scheduler flag works unchanged; enable the
// plugin in a KubeSchedulerConfiguration profile (see manifests/).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"k8s.io/apiserver/pkg/server"
	"k8s.io/component-base/cli"
	cliflag "k8s.io/component-base/cli/flag"
	"k8s.io/component-base/cli/globalflag"
	basecompatibility "k8s.io/component-base/compatibility"
	"k8s.io/component-base/featuregate"
	"k8s.io/component-base/logs"
	logsapi "k8s.io/component-base/logs/api/v1"
	_ "k8s.io/component-base/logs/json/register" // for JSON log format registration
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version" // for version metric registration
	"k8s.io/component-base/term"
	"k8s.io/component-base/version/verflag"
	"k8s.io/kubernetes/cmd/kube-scheduler/app"
	"k8s.io/kubernetes/cmd/kube-scheduler/app/options"

	_ "github.com/gangsched/gangsched/pkg/apis/config/scheme" // registers WorkloadGangArgs
	"github.com/gangsched/gangsched/pkg/leadership"
	"github.com/gangsched/gangsched/pkg/workloadgang"
)

func main() {
	os.Exit(cli.Run(newCommand()))
}

// registryOptions registers the plugins of workloadgang.Registry
// (WorkloadGang and its gang-aware queue sort).
func registryOptions() []app.Option {
	var opts []app.Option
	for name, factory := range workloadgang.Registry() {
		opts = append(opts, app.WithPlugin(name, factory))
	}
	return opts
}

// newCommand returns the kube-scheduler command, with the same flags and
// behaviour as app.NewSchedulerCommand plus one thing it cannot do: it tells
// the plugins whether the process leads (package leadership), so that a
// standby replica writes nothing to the API.
func newCommand() *cobra.Command {
	opts := options.NewOptions()
	cmd := &cobra.Command{
		Use: "gangsched",
		Long: `gangsched is kube-scheduler with the WorkloadGang plugin: gang scheduling
for the scheduling.k8s.io/v1alpha1 Workload API. It takes every kube-scheduler
flag; enable the plugin in a KubeSchedulerConfiguration profile.`,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			// Feature gates must be set before RunE.
			return opts.ComponentGlobalsRegistry.Set()
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd, opts)
		},
		Args: func(cmd *cobra.Command, args []string) error {
			for _, arg := range args {
				if len(arg) > 0 {
					return fmt.Errorf("%q does not take any arguments, got %q", cmd.CommandPath(), args)
				}
			}
			return nil
		},
	}
	nfs := opts.Flags
	verflag.AddFlags(nfs.FlagSet("global"))
	globalflag.AddGlobalFlags(nfs.FlagSet("global"), cmd.Name(), logs.SkipLoggingConfigurationFlags())
	for _, f := range nfs.FlagSets {
		cmd.Flags().AddFlagSet(f)
	}
	cols, _, _ := term.TerminalSize(cmd.OutOrStdout())
	cliflag.SetUsageAndHelpFunc(cmd, *nfs, cols)
	return cmd
}

// run sets the scheduler up as app.NewSchedulerCommand does, with a
// leadership.Tracker in the context the plugins are created with, fed by the
// leader-election lock.
func run(cmd *cobra.Command, opts *options.Options) error {
	verflag.PrintAndExitIfRequested()
	fg := opts.ComponentGlobalsRegistry.FeatureGateFor(basecompatibility.DefaultKubeComponent)
	if err := logsapi.ValidateAndApply(opts.Logs, fg); err != nil {
		return err
	}
	cliflag.PrintFlags(cmd.Flags())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-server.SetupSignalHandler()
		cancel()
	}()

	tracker := leadership.NewTracker()
	cc, sched, err := app.Setup(leadership.NewContext(ctx, tracker), opts, registryOptions()...)
	if err != nil {
		return err
	}
	if cc.LeaderElection != nil {
		cc.LeaderElection.Lock = tracker.WrapLock(cc.LeaderElection.Lock)
	} else {
		tracker.Lead()
	}
	fg.(featuregate.MutableFeatureGate).AddMetrics()
	opts.ComponentGlobalsRegistry.AddMetrics()
	return app.Run(ctx, cc, sched)
}
