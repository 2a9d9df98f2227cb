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

package controlplane

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BinDirEnv is the environment variable that names the directory holding the
// etcd, kube-apiserver and gangsched binaries.
const BinDirEnv = "GANGSCHED_BIN_DIR"

// Binary names expected in the bin directory.
const (
	EtcdBinary      = "etcd"
	APIServerBinary = "kube-apiserver"
	SchedulerBinary = "gangsched"
)

// DefaultBinDir returns $GANGSCHED_BIN_DIR if set, else <repo root>/_output/bin,
// where the repo root is the nearest directory at or above the working
// directory that holds a go.mod.
func DefaultBinDir() (string, error) {
	if dir := os.Getenv(BinDirEnv); dir != "" {
		return filepath.Abs(dir)
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "_output", "bin"), nil
}

// RepoRoot returns the nearest directory at or above the working directory
// that contains a go.mod file.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod found at or above the working directory")
		}
		dir = parent
	}
}

// CheckBinaries returns an error naming every binary in names that is missing
// from dir or not executable.
func CheckBinaries(dir string, names ...string) error {
	var missing []string
	for _, n := range names {
		st, err := os.Stat(filepath.Join(dir, n))
		if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing binaries in %s: %s (build them with hack/build-controlplane.sh or make build)", dir, strings.Join(missing, ", "))
	}
	return nil
}

// RequireBinaries returns the bin directory (see DefaultBinDir) after checking
// that names (default: etcd and kube-apiserver) are in it. If they are not,
// the test is skipped, or fails when the CI environment variable is set, so
// that CI never passes by skipping. Under go test -short (make test-unit) the
// test is always skipped: tests that need the binaries are integration tests.
func RequireBinaries(t testing.TB, names ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping: needs the control plane binaries, and -short is set")
	}
	if len(names) == 0 {
		names = []string{EtcdBinary, APIServerBinary}
	}
	dir, err := DefaultBinDir()
	if err == nil {
		err = CheckBinaries(dir, names...)
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("control plane binaries required in CI: %v", err)
		}
		t.Skipf("skipping: %v; set %s or run make build (CI is unset, so this is a skip, not a failure)", err, BinDirEnv)
	}
	return dir
}

// StartForTest starts a control plane for a test and stops it in t.Cleanup.
// It calls RequireBinaries first (skip or fail when binaries are missing),
// fills opts.BinDir if empty and logs through t when opts.Logf is nil. If
// the test failed, the tail of the apiserver log is logged before cleanup.
func StartForTest(t testing.TB, opts Options) *ControlPlane {
	t.Helper()
	if opts.BinDir == "" {
		opts.BinDir = RequireBinaries(t)
	}
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cp, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("start control plane: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("control plane dir %s; last lines of %s:\n%s", cp.Dir, cp.APIServerLog, LogTail(cp.APIServerLog, 30))
		}
		if err := cp.Stop(); err != nil {
			t.Errorf("stop control plane: %v", err)
		}
	})
	return cp
}
