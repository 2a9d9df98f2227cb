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

// Package schedtest sets up gangsched in-process for tests and benchmarks,
// exactly as the gangsched command does: a KubeSchedulerConfiguration file
// loaded through command.Setup (kube-scheduler's app.Setup with every plugin
// of this module registered and the profiles checked).
package schedtest

import (
	"context"
	"net"

	"github.com/spf13/pflag"
	"k8s.io/apiserver/pkg/util/feature"
	basecompatibility "k8s.io/component-base/compatibility"
	"k8s.io/component-base/configz"
	"k8s.io/kubernetes/cmd/kube-scheduler/app"
	schedulerserverconfig "k8s.io/kubernetes/cmd/kube-scheduler/app/config"
	"k8s.io/kubernetes/cmd/kube-scheduler/app/options"
	"k8s.io/kubernetes/pkg/scheduler"

	"github.com/gangsched/gangsched/pkg/command"
)

// Setup loads configFile (which must name its kubeconfig in
// clientConnection.kubeconfig: with --config the scheduler ignores the
// --kubeconfig flag) and builds the scheduler, serving its health and
// metrics endpoints on listener. The scheduler's feature gates are the
// process's (feature.DefaultFeatureGate).
func Setup(ctx context.Context, configFile string, listener net.Listener) (*schedulerserverconfig.CompletedConfig, *scheduler.Scheduler, *options.Options, error) {
	registry := basecompatibility.NewComponentGlobalsRegistry()
	if err := registry.Register(basecompatibility.DefaultKubeComponent,
		basecompatibility.NewEffectiveVersionFromString("1.35", "", ""), feature.DefaultFeatureGate.DeepCopy()); err != nil {
		return nil, nil, nil, err
	}
	opts := options.NewOptionsWithComponentGlobalsRegistry(registry)
	fs := pflag.NewFlagSet("gangsched", pflag.ContinueOnError)
	for _, f := range opts.Flags.FlagSets {
		fs.AddFlagSet(f)
	}
	if err := fs.Parse([]string{"--config", configFile}); err != nil {
		return nil, nil, nil, err
	}
	opts.SecureServing.Listener = listener
	cc, sched, err := command.Setup(ctx, opts)
	return cc, sched, opts, err
}

// Run runs a scheduler built by Setup until ctx ends, and returns when it
// has stopped. It forgets the /configz registration that app.Run makes once
// per process, so that the next scheduler of the process can run.
func Run(ctx context.Context, cc *schedulerserverconfig.CompletedConfig, sched *scheduler.Scheduler) error {
	defer configz.Delete("componentconfig")
	err := app.Run(ctx, cc, sched)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// Start sets up a scheduler from configFile, serving on a new loopback
// port, and runs it in the background. stop ends it and waits until it has
// stopped; errs receives the error if it stops for any other reason.
func Start(configFile string, errs func(error)) (sched *scheduler.Scheduler, cc *schedulerserverconfig.CompletedConfig, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	cc, sched, _, err = Setup(ctx, configFile, l)
	if err != nil {
		cancel()
		_ = l.Close()
		return nil, nil, nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := Run(ctx, cc, sched); err != nil {
			errs(err)
		}
	}()
	return sched, cc, func() {
		cancel()
		<-done
	}, nil
}
