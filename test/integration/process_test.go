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

package integration

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/gangsched/gangsched/internal/controlplane"
)

// leaseName is the Lease that gangsched processes of one test elect their
// leader on; it lives in the test's namespace so tests never share one.
const leaseName = "gangsched"

// leaderElectionOff is schedulerConfig's leaderElection stanza.
const leaderElectionOff = "leaderElection:\n  leaderElect: false\n"

// processConfig is schedulerConfig with the given leaderElection stanza.
func processConfig(t *testing.T, kubeconfig, leaderElection string) string {
	t.Helper()
	cfg := schedulerConfig(kubeconfig)
	require.Equal(t, 1, strings.Count(cfg, leaderElectionOff), "schedulerConfig must have one leaderElection stanza to replace")
	return strings.Replace(cfg, leaderElectionOff, leaderElection, 1)
}

// leaderElectionOn elects a leader on the Lease ns/gangsched. The timings
// make a failover take a few seconds; the renew deadline still leaves a
// leader six attempts to renew on a busy test machine before it gives up.
func leaderElectionOn(ns string) string {
	return fmt.Sprintf(`leaderElection:
  leaderElect: true
  leaseDuration: 4s
  renewDeadline: 3s
  retryPeriod: 500ms
  resourceLock: leases
  resourceName: %s
  resourceNamespace: %s
`, leaseName, ns)
}

// schedulerProcess is the gangsched binary (_output/bin/gangsched) running
// as a child process, so that a test can SIGKILL it: nothing of it survives
// but what it wrote to the API server.
type schedulerProcess struct {
	name string
	proc *controlplane.Process
	// url serves its health and metrics endpoints.
	url    string
	client *http.Client
}

// startSchedulerProcess starts gangsched with configYAML and waits until it
// is ready (its informers and event handlers synced). The process is stopped
// when the test ends; its log is shown if the test failed.
func startSchedulerProcess(t *testing.T, name, configYAML string) *schedulerProcess {
	t.Helper()
	binDir := controlplane.RequireBinaries(t, controlplane.SchedulerBinary)
	dir := t.TempDir()
	configFile := filepath.Join(dir, name+".yaml")
	require.NoError(t, os.WriteFile(configFile, []byte(configYAML), 0o600))
	logPath := filepath.Join(dir, name+".log")
	verbosity := "2"
	if v := os.Getenv("GANGSCHED_TEST_LOG_V"); v != "" {
		verbosity = v
	}
	// The scheduler serves a self-signed certificate, and /metrics without
	// credentials: the test reads the queue from it.
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
	}
	var lastErr error
	// A port found free may be taken before the process binds it: retry.
	for attempt := 0; attempt < 3; attempt++ {
		ports, err := controlplane.FreePorts(1)
		require.NoError(t, err)
		args := []string{
			"--config=" + configFile,
			"--bind-address=127.0.0.1",
			"--secure-port=" + strconv.Itoa(ports[0]),
			"--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics",
			"-v=" + verbosity,
		}
		p, err := controlplane.StartProcess(name, filepath.Join(binDir, controlplane.SchedulerBinary), args, nil, logPath)
		require.NoError(t, err)
		s := &schedulerProcess{name: name, proc: p, url: fmt.Sprintf("https://127.0.0.1:%d", ports[0]), client: client}
		if lastErr = s.waitReady(t); lastErr == nil {
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("last lines of %s:\n%s", name, p.LogTail(60))
				}
				_ = p.Stop(5 * time.Second)
			})
			return s
		}
		_ = p.Kill()
		if !strings.Contains(p.LogTail(200), "address already in use") {
			break
		}
	}
	require.NoError(t, lastErr, "starting %s", name)
	return nil
}

// waitReady polls /readyz until the scheduler has synced its handlers.
func (s *schedulerProcess) waitReady(t *testing.T) error {
	var last error
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, waitTimeout, true, func(ctx context.Context) (bool, error) {
		if exited, werr := s.proc.Exited(); exited {
			return false, fmt.Errorf("%s exited (%v); last lines of its log:\n%s", s.name, werr, s.proc.LogTail(40))
		}
		var body string
		body, last = s.get(ctx, "/readyz")
		return last == nil && body == "ok", nil
	})
	if err != nil {
		return fmt.Errorf("%s not ready: %w (last: %v)", s.name, err, last)
	}
	return nil
}

// kill sends SIGKILL, as a crash or an OOM kill would: no lease release, no
// cleanup of pods waiting at Permit.
func (s *schedulerProcess) kill(t *testing.T) {
	t.Helper()
	require.NoError(t, s.proc.Kill())
}

func (s *schedulerProcess) get(ctx context.Context, path string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+path, nil)
	if err != nil {
		return "", err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return string(body), nil
}

// schedulerState is where a scheduler's pods stand, from its metrics.
type schedulerState struct {
	// Active, Backoff and Unschedulable count pods in the scheduling queue.
	Active, Backoff, Unschedulable int
	// Held counts pods kept out of the queue: scheduling gates, or
	// PreEnqueue (WorkloadGang holding a gang short of members).
	Held int
	// Binding counts pods in their binding cycle: a gang member that waits
	// at Permit, until it is released or rejected.
	Binding int
}

// state reads the scheduler's queue and binding gauges from /metrics.
func (s *schedulerProcess) state(ctx context.Context) (schedulerState, error) {
	body, err := s.get(ctx, "/metrics")
	if err != nil {
		return schedulerState{}, err
	}
	samples := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			samples[line[:i]] = int(v)
		}
	}
	if err := sc.Err(); err != nil {
		return schedulerState{}, err
	}
	return schedulerState{
		Active:        samples[`scheduler_pending_pods{queue="active"}`],
		Backoff:       samples[`scheduler_pending_pods{queue="backoff"}`],
		Unschedulable: samples[`scheduler_pending_pods{queue="unschedulable"}`],
		Held:          samples[`scheduler_pending_pods{queue="gated"}`],
		Binding:       samples[`scheduler_goroutines{operation="binding"}`],
	}, nil
}

// waitState waits until the scheduler's pods stand exactly as want says.
func (e *env) waitState(s *schedulerProcess, want schedulerState) {
	e.t.Helper()
	var got schedulerState
	var lastErr error
	err := wait.PollUntilContextTimeout(e.ctx, pollInterval, waitTimeout, true, func(ctx context.Context) (bool, error) {
		got, lastErr = s.state(ctx)
		return lastErr == nil && got == want, nil
	})
	require.NoError(e.t, err, "waiting for %s to hold %+v; last seen %+v (error %v)", s.name, want, got, lastErr)
}

// leaseHolder returns the holder of the test's Lease ("" while it has none).
func (e *env) leaseHolder() (string, error) {
	l, err := e.cs.CoordinationV1().Leases(e.ns).Get(e.ctx, leaseName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", nil
	}
	if err != nil || l.Spec.HolderIdentity == nil {
		return "", err
	}
	return *l.Spec.HolderIdentity, nil
}
