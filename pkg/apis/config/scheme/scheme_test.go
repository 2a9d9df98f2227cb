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

package scheme

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/klog/v2/ktesting"
	"k8s.io/kubernetes/cmd/kube-scheduler/app/options"
	schedconfig "k8s.io/kubernetes/pkg/scheduler/apis/config"
	kubeschedulerscheme "k8s.io/kubernetes/pkg/scheduler/apis/config/scheme"
	kubeschedulerconfigv1 "k8s.io/kubernetes/pkg/scheduler/apis/config/v1"
	schedvalidation "k8s.io/kubernetes/pkg/scheduler/apis/config/validation"

	"github.com/gangsched/gangsched/pkg/apis/config"
	configv1 "github.com/gangsched/gangsched/pkg/apis/config/v1"
	"github.com/gangsched/gangsched/pkg/apis/config/validation"
)

const pluginName = "WorkloadGang"

// schedulerConfig returns a complete v1 KubeSchedulerConfiguration whose
// single profile enables WorkloadGang and carries pluginConfig, a YAML list
// indented for the profile ("" for none).
func schedulerConfig(pluginConfig string) []byte {
	cfg := `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: /etc/kubernetes/scheduler.conf
leaderElection:
  leaderElect: false
profiles:
- schedulerName: gang-scheduler
  plugins:
    multiPoint:
      enabled:
      - name: WorkloadGang
`
	if pluginConfig != "" {
		cfg += "  pluginConfig:\n" + pluginConfig
	}
	return []byte(cfg)
}

// decode decodes data to the kube-scheduler's internal configuration with
// the kube-scheduler's codecs, as its config-file loader does.
func decode(t *testing.T, data []byte) (*schedconfig.KubeSchedulerConfiguration, error) {
	t.Helper()
	obj, _, err := kubeschedulerscheme.Codecs.UniversalDecoder().Decode(data, nil, nil)
	if err != nil {
		return nil, err
	}
	cfg, ok := obj.(*schedconfig.KubeSchedulerConfiguration)
	require.True(t, ok, "decoded %T, want *config.KubeSchedulerConfiguration", obj)
	return cfg, nil
}

// workloadGangArgs returns the args of the WorkloadGang pluginConfig entry of
// the first profile, failing the test if there is not exactly one.
func workloadGangArgs(t *testing.T, cfg *schedconfig.KubeSchedulerConfiguration) runtime.Object {
	t.Helper()
	require.Len(t, cfg.Profiles, 1)
	var found []runtime.Object
	for _, pc := range cfg.Profiles[0].PluginConfig {
		if pc.Name == pluginName {
			found = append(found, pc.Args)
		}
	}
	require.Len(t, found, 1, "pluginConfig entries named %s", pluginName)
	return found[0]
}

func TestSchemeIsKubeSchedulerScheme(t *testing.T) {
	assert.Same(t, kubeschedulerscheme.Scheme, Scheme)
	assert.Equal(t, schedconfig.GroupName, config.GroupName)
}

func TestKindsRegistered(t *testing.T) {
	tests := []struct {
		name   string
		scheme *runtime.Scheme
	}{
		{name: "kube-scheduler scheme", scheme: kubeschedulerscheme.Scheme},
		{name: "kube-scheduler plugin args conversion scheme", scheme: kubeschedulerconfigv1.GetPluginArgConversionScheme()},
	}
	gvks := []schema.GroupVersionKind{
		config.SchemeGroupVersion.WithKind("WorkloadGangArgs"),
		configv1.SchemeGroupVersion.WithKind("WorkloadGangArgs"),
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, gvk := range gvks {
				assert.True(t, tc.scheme.Recognizes(gvk), "%s not registered", gvk)
			}
		})
	}
}

func TestDecodeKubeSchedulerConfiguration(t *testing.T) {
	tests := []struct {
		name         string
		pluginConfig string
		want         *config.WorkloadGangArgs
		// wantErrs are substrings of the expected decoding error.
		wantErrs []string
	}{
		{
			name: "permitTimeoutSeconds set, the rest defaulted",
			pluginConfig: `  - name: WorkloadGang
    args:
      permitTimeoutSeconds: 30
`,
			want: &config.WorkloadGangArgs{PermitTimeoutSeconds: 30, BackoffInitialSeconds: 1, BackoffMaxSeconds: 60, StarvingGangHoldSeconds: 30},
		},
		{
			name: "all fields set",
			pluginConfig: `  - name: WorkloadGang
    args:
      permitTimeoutSeconds: 45
      backoffInitialSeconds: 2
      backoffMaxSeconds: 120
`,
			want: &config.WorkloadGangArgs{PermitTimeoutSeconds: 45, BackoffInitialSeconds: 2, BackoffMaxSeconds: 120, StarvingGangHoldSeconds: 30},
		},
		{
			name: "empty args defaulted",
			pluginConfig: `  - name: WorkloadGang
    args: {}
`,
			want: &config.WorkloadGangArgs{PermitTimeoutSeconds: 300, BackoffInitialSeconds: 1, BackoffMaxSeconds: 60, StarvingGangHoldSeconds: 30},
		},
		{
			name: "args with explicit apiVersion and kind",
			pluginConfig: `  - name: WorkloadGang
    args:
      apiVersion: kubescheduler.config.k8s.io/v1
      kind: WorkloadGangArgs
      backoffMaxSeconds: 90
`,
			want: &config.WorkloadGangArgs{PermitTimeoutSeconds: 300, BackoffInitialSeconds: 1, BackoffMaxSeconds: 90, StarvingGangHoldSeconds: 30},
		},
		{
			name:         "enabled plugin without pluginConfig gets defaulted args",
			pluginConfig: "",
			want:         &config.WorkloadGangArgs{PermitTimeoutSeconds: 300, BackoffInitialSeconds: 1, BackoffMaxSeconds: 60, StarvingGangHoldSeconds: 30},
		},
		{
			name: "out-of-range values are kept for validation to reject",
			pluginConfig: `  - name: WorkloadGang
    args:
      permitTimeoutSeconds: 0
`,
			want: &config.WorkloadGangArgs{PermitTimeoutSeconds: 0, BackoffInitialSeconds: 1, BackoffMaxSeconds: 60, StarvingGangHoldSeconds: 30},
		},
		{
			name: "unknown field rejected by strict decoding",
			pluginConfig: `  - name: WorkloadGang
    args:
      permitTimeout: 30
`,
			wantErrs: []string{"strict decoding error", "decoding args for plugin WorkloadGang", `unknown field "permitTimeout"`},
		},
		{
			name: "duplicate field rejected by strict decoding",
			pluginConfig: `  - name: WorkloadGang
    args:
      permitTimeoutSeconds: 30
      permitTimeoutSeconds: 40
`,
			wantErrs: []string{"strict decoding error", `"permitTimeoutSeconds" already set`},
		},
		{
			name: "wrong value type rejected",
			pluginConfig: `  - name: WorkloadGang
    args:
      permitTimeoutSeconds: 30s
`,
			wantErrs: []string{"decoding args for plugin WorkloadGang", "permitTimeoutSeconds"},
		},
		{
			name: "args of another kind rejected",
			pluginConfig: `  - name: WorkloadGang
    args:
      apiVersion: kubescheduler.config.k8s.io/v1
      kind: DefaultPreemptionArgs
`,
			wantErrs: []string{"args for plugin WorkloadGang were not of type WorkloadGangArgs"},
		},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := decode(t, schedulerConfig(tc.pluginConfig))
			if len(tc.wantErrs) > 0 {
				require.Error(t, err)
				for _, want := range tc.wantErrs {
					assert.ErrorContains(t, err, want)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, workloadGangArgs(t, cfg))
		})
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	cfg, err := decode(t, schedulerConfig(`  - name: WorkloadGang
    args:
      permitTimeoutSeconds: 30
      backoffMaxSeconds: 90
`))
	require.NoError(t, err)

	// Encode the internal configuration as v1 YAML, as the kube-scheduler
	// does for --write-config-to and for logging its configuration.
	info, ok := runtime.SerializerInfoForMediaType(kubeschedulerscheme.Codecs.SupportedMediaTypes(), runtime.ContentTypeYAML)
	require.True(t, ok)
	encoder := kubeschedulerscheme.Codecs.EncoderForVersion(info.Serializer, kubeschedulerconfigv1.SchemeGroupVersion)
	var buf bytes.Buffer
	require.NoError(t, encoder.Encode(cfg, &buf))
	encoded := buf.String()
	for _, want := range []string{
		"name: WorkloadGang",
		"kind: WorkloadGangArgs",
		"permitTimeoutSeconds: 30",
		"backoffInitialSeconds: 1",
		"backoffMaxSeconds: 90",
		"starvingGangHoldSeconds: 30",
	} {
		assert.Contains(t, encoded, want)
	}

	again, err := decode(t, buf.Bytes())
	require.NoError(t, err)
	want := &config.WorkloadGangArgs{PermitTimeoutSeconds: 30, BackoffInitialSeconds: 1, BackoffMaxSeconds: 90, StarvingGangHoldSeconds: 30}
	assert.Equal(t, want, workloadGangArgs(t, again))
	assert.Equal(t, workloadGangArgs(t, cfg), workloadGangArgs(t, again))
}

// TestLoadConfigFromFile goes through the loader that
// k8s.io/kubernetes/cmd/kube-scheduler/app.Setup uses for --config, then
// validates the result as the scheduler and the plugin do.
func TestLoadConfigFromFile(t *testing.T) {
	tests := []struct {
		name         string
		pluginConfig string
		want         *config.WorkloadGangArgs
		// wantLoadErr is a substring of the expected loading error.
		wantLoadErr string
		// wantArgsErr is the expected error of ValidateWorkloadGangArgs.
		wantArgsErr string
	}{
		{
			name: "valid args",
			pluginConfig: `  - name: WorkloadGang
    args:
      permitTimeoutSeconds: 30
`,
			want: &config.WorkloadGangArgs{PermitTimeoutSeconds: 30, BackoffInitialSeconds: 1, BackoffMaxSeconds: 60, StarvingGangHoldSeconds: 30},
		},
		{
			name: "invalid args are reported with their path",
			pluginConfig: `  - name: WorkloadGang
    args:
      permitTimeoutSeconds: 901
`,
			want:        &config.WorkloadGangArgs{PermitTimeoutSeconds: 901, BackoffInitialSeconds: 1, BackoffMaxSeconds: 60, StarvingGangHoldSeconds: 30},
			wantArgsErr: "profiles[0].pluginConfig[0].args.permitTimeoutSeconds: Invalid value: 901: must be in the range [1, 900]",
		},
		{
			name: "unknown field",
			pluginConfig: `  - name: WorkloadGang
    args:
      backoffSeconds: 5
`,
			wantLoadErr: `unknown field "backoffSeconds"`,
		},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logger, _ := ktesting.NewTestContext(t)
			file := filepath.Join(t.TempDir(), "scheduler-config.yaml")
			require.NoError(t, os.WriteFile(file, schedulerConfig(tc.pluginConfig), 0o600))

			cfg, err := options.LoadConfigFromFile(logger, file)
			if tc.wantLoadErr != "" {
				require.ErrorContains(t, err, tc.wantLoadErr)
				return
			}
			require.NoError(t, err)
			require.NoError(t, schedvalidation.ValidateKubeSchedulerConfiguration(cfg))

			args := workloadGangArgs(t, cfg)
			require.Equal(t, tc.want, args)
			index := -1
			for i, pc := range cfg.Profiles[0].PluginConfig {
				if pc.Name == pluginName {
					index = i
				}
			}
			path := field.NewPath("profiles").Index(0).Child("pluginConfig").Index(index).Child("args")
			err = validation.ValidateWorkloadGangArgs(path, args.(*config.WorkloadGangArgs))
			if tc.wantArgsErr != "" {
				require.EqualError(t, err, tc.wantArgsErr)
				return
			}
			require.NoError(t, err)
		})
	}
}

// The configuration must also keep decoding the in-tree plugin args.
func TestInTreeArgsStillDecoded(t *testing.T) {
	cfg, err := decode(t, schedulerConfig(`  - name: WorkloadGang
    args:
      permitTimeoutSeconds: 30
  - name: DefaultPreemption
    args:
      minCandidateNodesPercentage: 20
`))
	require.NoError(t, err)
	var names []string
	for _, pc := range cfg.Profiles[0].PluginConfig {
		names = append(names, pc.Name)
		if pc.Name == "DefaultPreemption" {
			args, ok := pc.Args.(*schedconfig.DefaultPreemptionArgs)
			require.True(t, ok, "DefaultPreemption args are %T", pc.Args)
			assert.Equal(t, int32(20), args.MinCandidateNodesPercentage)
		}
	}
	assert.Contains(t, strings.Join(names, ","), "DefaultPreemption")
}
