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
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// krewPlugin is the part of a krew plugin manifest the test checks.
type krewPlugin struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Version          string `json:"version"`
		Homepage         string `json:"homepage"`
		ShortDescription string `json:"shortDescription"`
		Description      string `json:"description"`
		Platforms        []struct {
			Selector struct {
				MatchLabels map[string]string `json:"matchLabels"`
			} `json:"selector"`
			URI    string `json:"uri"`
			SHA256 string `json:"sha256"`
			Bin    string `json:"bin"`
			Files  []struct {
				From string `json:"from"`
				To   string `json:"to"`
			} `json:"files"`
		} `json:"platforms"`
	} `json:"spec"`
}

// TestKrewManifest checks plugins/gang.yaml against krew's rules (name of
// the file, semantic version, line lengths, one platform per os/arch) and
// against the binary: its version is the one hack/build-controlplane.sh
// stamps into gangsched and kubectl-gang, and each archive is of that
// version and holds the binary the platform runs.
func TestKrewManifest(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "plugins", "gang.yaml"))
	require.NoError(t, err)
	var p krewPlugin
	// Strict: a misspelt field is an error, not a field krew ignores.
	require.NoError(t, yaml.UnmarshalStrict(data, &p))
	assert.Equal(t, "krew.googlecontainertools.github.com/v1alpha2", p.APIVersion)
	assert.Equal(t, "Plugin", p.Kind)
	assert.Equal(t, "gang", p.Metadata.Name, "krew runs plugin NAME as kubectl-NAME, from plugins/NAME.yaml")
	assert.Equal(t, stampedVersion(t), p.Spec.Version)
	assert.True(t, strings.HasPrefix(p.Spec.Homepage, "https://"), "homepage %s", p.Spec.Homepage)
	assert.LessOrEqual(t, len(p.Spec.ShortDescription), 70)
	for _, line := range strings.Split(p.Spec.Description, "\n") {
		assert.LessOrEqual(t, len(line), 80, "description line %q", line)
	}

	require.NotEmpty(t, p.Spec.Platforms)
	seen := map[string]bool{}
	for _, pl := range p.Spec.Platforms {
		osArch := pl.Selector.MatchLabels["os"] + "_" + pl.Selector.MatchLabels["arch"]
		assert.False(t, seen[osArch], "two platforms for %s", osArch)
		seen[osArch] = true
		assert.True(t, strings.HasSuffix(pl.URI, "/"+p.Spec.Version+"/kubectl-gang_"+p.Spec.Version+"_"+osArch+".tar.gz"), "uri %s", pl.URI)
		assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{64}$`), pl.SHA256)
		assert.Equal(t, "kubectl-gang", pl.Bin)
		require.Len(t, pl.Files, 1)
		assert.Equal(t, "kubectl-gang", pl.Files[0].From)
	}
}

// stampedVersion is the version hack/lib.sh stamps into the binaries: the
// k8s.io/kubernetes requirement of go.mod.
func stampedVersion(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	require.NoError(t, err)
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "k8s.io/kubernetes" && strings.HasPrefix(f[1], "v") {
			return f[1]
		}
	}
	t.Fatal("no k8s.io/kubernetes requirement in go.mod")
	return ""
}
