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

package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/kubernetes/cmd/kube-scheduler/app"
	"k8s.io/kubernetes/cmd/kube-scheduler/app/options"
	schedconfig "k8s.io/kubernetes/pkg/scheduler/apis/config"

	"github.com/gangsched/gangsched/pkg/apis/config"
	"github.com/gangsched/gangsched/pkg/command"
	"github.com/gangsched/gangsched/pkg/workloadgang"
	"github.com/gangsched/gangsched/test/schedtest"
)

const workloadDiscovery = `{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"scheduling.k8s.io/v1alpha1",` +
	`"resources":[{"name":"workloads","singularName":"workload","namespaced":true,"kind":"Workload","verbs":["get","list","watch"]}]}`

// fakeAPIServer answers discovery for the Workload API when serveWorkloads is
// set, 404 for the PodGroup API (no CRD), and "ok" to everything else;
// Setup needs no more.
func fakeAPIServer(t *testing.T, serveWorkloads bool) string {
	t.Helper()
	server := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/apis/scheduling.x-k8s.io/v1alpha1" {
			http.NotFound(w, req)
			return
		}
		if req.URL.Path == "/apis/scheduling.k8s.io/v1alpha1" {
			if !serveWorkloads {
				http.NotFound(w, req)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(workloadDiscovery))
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(server.Close)
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, os.WriteFile(kubeconfig, []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- cluster: {insecure-skip-tls-verify: true, server: %q}
  name: default
contexts:
- context: {cluster: default, user: default}
  name: default
current-context: default
users:
- name: default
  user: {token: test}
`, server.URL)), 0o600))
	return kubeconfig
}

// writeConfig writes a scheduler configuration that talks to kubeconfig:
// with --config set, the scheduler ignores the --kubeconfig flag.
func writeConfig(t *testing.T, body, kubeconfig string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	body += fmt.Sprintf("clientConnection:\n  kubeconfig: %q\n", kubeconfig)
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	return path
}

// setup loads a scheduler configuration the way the gangsched command does.
func setup(t *testing.T, configFile string) (*options.Options, map[string]*schedconfig.Plugins, error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	_, sched, opts, err := schedtest.Setup(ctx, configFile, l)
	if err != nil {
		return opts, nil, err
	}
	plugins := map[string]*schedconfig.Plugins{}
	for name, p := range sched.Profiles {
		plugins[name] = p.ListPlugins()
	}
	return opts, plugins, nil
}

func enabled(set schedconfig.PluginSet) []string {
	var names []string
	for _, p := range set.Enabled {
		names = append(names, p.Name)
	}
	return names
}

// TestShippedConfigs proves that every scheduler configuration in manifests/
// loads, enables WorkloadGang at each of its extension points, keeps the
// in-tree GangScheduling plugin out, and carries the documented args.
func TestShippedConfigs(t *testing.T) {
	tests := []struct {
		file        string
		wantProfile string
		wantArgs    config.WorkloadGangArgs
	}{
		{
			file:        "scheduler-config.yaml",
			wantProfile: "gangsched",
			wantArgs:    config.WorkloadGangArgs{PermitTimeoutSeconds: 300, BackoffInitialSeconds: 1, BackoffMaxSeconds: 60, StarvingGangHoldSeconds: 30},
		},
		{
			file:        "scheduler-config-dropin.yaml",
			wantProfile: "default-scheduler",
			wantArgs:    config.WorkloadGangArgs{PermitTimeoutSeconds: 300, BackoffInitialSeconds: 1, BackoffMaxSeconds: 60, StarvingGangHoldSeconds: 30},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			shipped, err := os.ReadFile(filepath.Join("..", "..", "manifests", tc.file))
			require.NoError(t, err)
			opts, plugins, err := setup(t, writeConfig(t, string(shipped), fakeAPIServer(t, true)))
			require.NoError(t, err)
			require.Contains(t, plugins, tc.wantProfile)
			require.Len(t, plugins, 1)
			p := plugins[tc.wantProfile]
			assert.Contains(t, enabled(p.PreEnqueue), workloadgang.Name)
			assert.Contains(t, enabled(p.Reserve), workloadgang.Name)
			assert.Contains(t, enabled(p.Permit), workloadgang.Name)
			assert.Equal(t, []string{workloadgang.SortName}, enabled(p.QueueSort))
			// WorkloadGang preempts for every pod; DefaultPreemption,
			// which would evict single members of running gangs, is off.
			postFilter := enabled(p.PostFilter)
			require.NotEmpty(t, postFilter)
			assert.Equal(t, workloadgang.Name, postFilter[0])
			assert.NotContains(t, postFilter, "DefaultPreemption")
			assert.NotContains(t, enabled(p.PreEnqueue), "DefaultPreemption")
			for _, set := range []schedconfig.PluginSet{p.PreEnqueue, p.Reserve, p.Permit} {
				assert.NotContains(t, enabled(set), "GangScheduling")
			}

			var got *config.WorkloadGangArgs
			for _, pc := range opts.ComponentConfig.Profiles[0].PluginConfig {
				if pc.Name == workloadgang.Name {
					got = pc.Args.(*config.WorkloadGangArgs)
				}
			}
			require.NotNil(t, got, "no WorkloadGang pluginConfig after defaulting")
			got.TypeMeta = tc.wantArgs.TypeMeta
			assert.Equal(t, tc.wantArgs, *got)
		})
	}
}

// TestBadInputStopsStartup proves that a bad configuration, or an API server
// without the Workload API, stops startup with an error that says what to fix.
func TestBadInputStopsStartup(t *testing.T) {
	const profile = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
leaderElection: {leaderElect: false}
profiles:
- schedulerName: gangsched
  plugins:
    multiPoint:
      enabled: [{name: WorkloadGang}]
`
	tests := []struct {
		name           string
		config         string
		serveWorkloads bool
		wantErr        []string
	}{
		{
			name: "permitTimeoutSeconds out of range",
			config: profile + `  pluginConfig:
  - name: WorkloadGang
    args: {permitTimeoutSeconds: 901}
`,
			serveWorkloads: true,
			wantErr:        []string{"permitTimeoutSeconds", "901"},
		},
		{
			name: "unknown field in args",
			config: profile + `  pluginConfig:
  - name: WorkloadGang
    args: {permitTimeout: 30}
`,
			serveWorkloads: true,
			wantErr:        []string{"permitTimeout"},
		},
		{
			// multiPoint alone keeps the default DefaultPreemption.
			name:           "DefaultPreemption beside WorkloadGang",
			config:         profile,
			serveWorkloads: true,
			wantErr:        []string{"profiles[0].plugins.multiPoint.disabled", `profile "gangsched" runs DefaultPreemption beside WorkloadGang`},
		},
		{
			// The arrangement shipped before WorkloadGang preempted for
			// plain pods: plain pods would split running gangs.
			name: "DefaultPreemption after WorkloadGang",
			config: profile + `    postFilter:
      enabled: [{name: WorkloadGang}]
`,
			serveWorkloads: true,
			wantErr:        []string{"profiles[0].plugins.multiPoint.disabled", "disable DefaultPreemption"},
		},
		{
			name:           "neither gang API served",
			config:         profile,
			serveWorkloads: false,
			wantErr:        []string{"--feature-gates=GenericWorkload=true", "--runtime-config=scheduling.k8s.io/v1alpha1=true", "kubectl apply -f manifests/crd/podgroups.yaml"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := setup(t, writeConfig(t, tc.config, fakeAPIServer(t, tc.serveWorkloads)))
			require.Error(t, err)
			for _, want := range tc.wantErr {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

// TestCommandTakesEveryKubeSchedulerFlag checks that the gangsched command,
// which builds its own cobra command to pass leadership to the plugins,
// accepts every flag of the upstream kube-scheduler command.
func TestCommandTakesEveryKubeSchedulerFlag(t *testing.T) {
	ours := command.NewSchedulerCommand("gangsched").Flags()
	upstream := app.NewSchedulerCommand().Flags()
	n := 0
	upstream.VisitAll(func(f *pflag.Flag) {
		n++
		assert.NotNil(t, ours.Lookup(f.Name), "flag --%s", f.Name)
	})
	assert.Greater(t, n, 50, "upstream flags visited")
}
