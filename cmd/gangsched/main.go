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
// plugin in a KubeSchedulerConfiguration profile (see manifests/). The
// command itself lives in package command, for integrators to reuse.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register" // for JSON log format registration
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version" // for version metric registration

	"github.com/gangsched/gangsched/pkg/command"
)

func main() {
	os.Exit(cli.Run(command.NewSchedulerCommand("gangsched")))
}
