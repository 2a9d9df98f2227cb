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

// Package command builds the gangsched scheduler command: upstream
// kube-scheduler with this module's plugins registered, plus what
// app.NewSchedulerCommand cannot do for them. It tells the plugins whether
// the process leads (package leadership), so that a standby replica writes
// nothing to the API, and it refuses a configuration whose profiles would
// break the gang guarantees (see CheckProfiles).
//
// Integrators who build their own scheduler with more plugins use
// NewSchedulerCommand with their own app.WithPlugin options, exactly as they
// would use app.NewSchedulerCommand.
package command

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/apiserver/pkg/server"
	cliflag "k8s.io/component-base/cli/flag"
	"k8s.io/component-base/cli/globalflag"
	basecompatibility "k8s.io/component-base/compatibility"
	"k8s.io/component-base/featuregate"
	"k8s.io/component-base/logs"
	logsapi "k8s.io/component-base/logs/api/v1"
	"k8s.io/component-base/term"
	"k8s.io/component-base/version/verflag"
	"k8s.io/kubernetes/cmd/kube-scheduler/app"
	schedulerserverconfig "k8s.io/kubernetes/cmd/kube-scheduler/app/config"
	"k8s.io/kubernetes/cmd/kube-scheduler/app/options"
	"k8s.io/kubernetes/pkg/scheduler"

	_ "github.com/gangsched/gangsched/pkg/apis/config/scheme" // registers WorkloadGangArgs
	"github.com/gangsched/gangsched/pkg/leadership"
	"github.com/gangsched/gangsched/pkg/workloadgang"
)

// PluginOptions registers every plugin of this module (WorkloadGang and
// its gang-aware queue sort) with app.Setup or app.NewSchedulerCommand.
func PluginOptions() []app.Option {
	var opts []app.Option
	for name, factory := range workloadgang.Registry() {
		opts = append(opts, app.WithPlugin(name, factory))
	}
	return opts
}

// NewSchedulerCommand returns the kube-scheduler command, with the same
// flags and behaviour as app.NewSchedulerCommand, this module's plugins
// registered, and extra registered after them (an integrator's own
// plugins).
func NewSchedulerCommand(use string, extra ...app.Option) *cobra.Command {
	opts := options.NewOptions()
	cmd := &cobra.Command{
		Use: use,
		Long: `gangsched is kube-scheduler with the WorkloadGang plugin: gang scheduling
for the scheduling.k8s.io/v1alpha1 Workload API. It takes every kube-scheduler
flag; enable the plugin in a KubeSchedulerConfiguration profile.`,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			// Feature gates must be set before RunE; gangsched's defaults
			// first, so that --feature-gates overrides them.
			fg, ok := opts.ComponentGlobalsRegistry.FeatureGateFor(basecompatibility.DefaultKubeComponent).(featuregate.MutableFeatureGate)
			if !ok {
				return fmt.Errorf("the kube component's feature gate is not mutable")
			}
			if err := fg.SetFromMap(DefaultFeatureGateMap()); err != nil {
				return err
			}
			return opts.ComponentGlobalsRegistry.Set()
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd, opts, extra)
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

// run sets the scheduler up as app.NewSchedulerCommand does, through Setup.
func run(cmd *cobra.Command, opts *options.Options, extra []app.Option) error {
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

	cc, sched, err := Setup(ctx, opts, extra...)
	if err != nil {
		return err
	}
	fg.(featuregate.MutableFeatureGate).AddMetrics()
	opts.ComponentGlobalsRegistry.AddMetrics()
	return app.Run(ctx, cc, sched)
}

// Setup is app.Setup for gangsched: it registers this module's plugins and
// extra, gives the plugins a leadership.Tracker fed by the leader-election
// lock (leading at once without leader election), and checks the profiles
// with CheckProfiles.
func Setup(ctx context.Context, opts *options.Options, extra ...app.Option) (*schedulerserverconfig.CompletedConfig, *scheduler.Scheduler, error) {
	tracker := leadership.NewTracker()
	cc, sched, err := app.Setup(leadership.NewContext(ctx, tracker), opts, append(PluginOptions(), extra...)...)
	if err != nil {
		return nil, nil, err
	}
	if err := CheckProfiles(cc.ComponentConfig.Profiles, sched.Profiles); err != nil {
		return nil, nil, err
	}
	if cc.LeaderElection != nil {
		cc.LeaderElection.Lock = tracker.WrapLock(cc.LeaderElection.Lock)
	} else {
		tracker.Lead()
	}
	return cc, sched, nil
}
