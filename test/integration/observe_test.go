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
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apiserver/pkg/util/feature"
	featuregatetesting "k8s.io/component-base/featuregate/testing"
	"k8s.io/component-base/metrics/legacyregistry"
	"k8s.io/kubernetes/pkg/features"

	"github.com/gangsched/gangsched/internal/controlplane"
	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/test/schedtest"
)

// The tests in this file check what an operator sees of the gangs: the
// plugin's metrics (docs/observe.md) and the Events on the Workload. The
// metrics are process-wide and accumulate over the tests of the package, so
// the tests compare readings taken before and after a scenario.

// observeEnv is an env whose scheduler also serves its secure port to the
// test, as a Prometheus server would scrape it.
type observeEnv struct {
	*env
	// metricsURL is the scheduler's /metrics endpoint.
	metricsURL string
	// token is a bearer token of a system:masters user.
	token  string
	client *http.Client
}

// newObserveEnv is newEnv (scheduler gates off) with a scheduler whose
// secure port authenticates bearer tokens: see startObservedScheduler.
func newObserveEnv(t *testing.T) *observeEnv {
	t.Helper()
	cp := controlPlane(t)
	featuregatetesting.SetFeatureGatesDuringTest(t, feature.DefaultFeatureGate, featuregatetesting.FeatureOverrides{
		features.GenericWorkload: false,
		features.GangScheduling:  false,
	})
	e := newBareEnv(t, cp)
	return &observeEnv{
		env:        e,
		metricsURL: startObservedScheduler(t, cp) + "/metrics",
		token:      cp.AdminToken,
		client: &http.Client{
			Timeout: 10 * time.Second,
			// The scheduler serves a self-signed certificate.
			Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		},
	}
}

// startObservedScheduler runs gangsched in-process like startScheduler, and
// returns the address of its secure port. The port needs authorization for
// /metrics (only /healthz, /readyz and /livez are always allowed): by
// default the in-process scheduler has no authentication kubeconfig, so
// every request is anonymous and /metrics answers 403. Here the
// authentication options are applied as the flags
// --authentication-kubeconfig=<admin kubeconfig> --authentication-skip-lookup
// would: a bearer token is checked with a TokenReview, and system:masters is
// always authorized.
func startObservedScheduler(t *testing.T, cp *controlplane.ControlPlane) string {
	t.Helper()
	configFile := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(configFile, []byte(schedulerConfig(cp.Kubeconfig)), 0o600))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cc, sched, opts, err := schedtest.Setup(ctx, configFile, l)
	if err != nil {
		cancel()
		_ = l.Close()
		require.NoError(t, err)
	}
	opts.Authentication.RemoteKubeConfigFile = cp.Kubeconfig
	opts.Authentication.SkipInClusterLookup = true
	require.NoError(t, opts.Authentication.ApplyTo(&cc.Authentication, cc.SecureServing, nil))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := schedtest.Run(ctx, cc, sched); err != nil {
			t.Errorf("scheduler stopped: %v", err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return "https://" + l.Addr().String()
}

// samples are metric values by series: "name" or `name{reason="x"}`; a
// histogram has "name_count" and "name_sum".
type samples map[string]float64

// gangMetrics reads the plugin's metrics (gangsched_*) from the process's
// legacy registry, which the scheduler serves on /metrics.
func gangMetrics(t *testing.T) samples {
	t.Helper()
	families, err := legacyregistry.DefaultGatherer.Gather()
	require.NoError(t, err)
	out := samples{}
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), "gangsched_") {
			continue
		}
		for _, m := range f.GetMetric() {
			series := f.GetName()
			for _, l := range m.GetLabel() {
				series += fmt.Sprintf("{%s=%q}", l.GetName(), l.GetValue())
			}
			if h := m.GetHistogram(); h != nil {
				out[series+"_count"] = float64(h.GetSampleCount())
				out[series+"_sum"] = h.GetSampleSum()
				continue
			}
			out[series] = m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return out
}

// scrape reads the plugin's metrics from the scheduler's /metrics endpoint,
// with the given bearer token ("" for none). It returns the HTTP status.
func (e *observeEnv) scrape(token string) (samples, int, error) {
	req, err := http.NewRequestWithContext(e.ctx, http.MethodGet, e.metricsURL, nil)
	if err != nil {
		return nil, 0, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil, resp.StatusCode, nil
	}
	out := samples{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "gangsched_") || strings.Contains(line, "_bucket{") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return nil, resp.StatusCode, fmt.Errorf("parsing %q: %w", line, err)
		}
		out[line[:i]] = v
	}
	return out, resp.StatusCode, sc.Err()
}

// since returns the change of every series from an earlier reading.
func (s samples) since(before samples) samples {
	d := samples{}
	for k, v := range s {
		d[k] = v - before[k]
	}
	return d
}

func rejectedSeries(reason string) string {
	return fmt.Sprintf("gangsched_gangs_rejected_total{reason=%q}", reason)
}

func heldSeries(reason string) string {
	return fmt.Sprintf("gangsched_pods_held{reason=%q}", reason)
}

// waitMetrics waits until the plugin's metrics, read from the registry,
// satisfy ok; it returns the last reading.
func (e *env) waitMetrics(what string, ok func(samples) bool) samples {
	e.t.Helper()
	var last samples
	e.waitFor(what, func() (bool, error) {
		last = gangMetrics(e.t)
		return ok(last), nil
	})
	return last
}

// waitWorkloadEvent waits for an Event of the given reason on the Workload
// whose message matches re, found the way docs/observe.md shows:
// kubectl get events --field-selector involvedObject.kind=Workload,...
func (e *env) waitWorkloadEvent(workload, eventType, reason string, re *regexp.Regexp) v1.Event {
	e.t.Helper()
	selector := fmt.Sprintf("involvedObject.kind=Workload,involvedObject.name=%s,reason=%s", workload, reason)
	var found v1.Event
	var seen []string
	err := wait.PollUntilContextTimeout(e.ctx, pollInterval, waitTimeout, true, func(ctx context.Context) (bool, error) {
		list, err := e.cs.CoreV1().Events(e.ns).List(ctx, metav1.ListOptions{FieldSelector: selector})
		if err != nil {
			return false, err
		}
		seen = seen[:0]
		for _, ev := range list.Items {
			seen = append(seen, fmt.Sprintf("%s (%s, count %d)", ev.Message, ev.Type, ev.Count))
			if ev.Type == eventType && re.MatchString(ev.Message) {
				found = ev
				return true, nil
			}
		}
		return false, nil
	})
	require.NoError(e.t, err, "waiting for a %s Event on Workload %s matching %q; seen: %q", reason, workload, re, seen)
	return found
}

// workloadEvents lists the messages of the Events of a reason on a Workload.
func (e *env) workloadEvents(workload, reason string) []string {
	e.t.Helper()
	list, err := e.cs.CoreV1().Events(e.ns).List(e.ctx, metav1.ListOptions{
		FieldSelector: fmt.Sprintf("involvedObject.kind=Workload,involvedObject.name=%s,reason=%s", workload, reason),
	})
	require.NoError(e.t, err)
	var msgs []string
	for _, ev := range list.Items {
		msgs = append(msgs, ev.Message)
	}
	return msgs
}

// TestObserveGangAdmitted binds one gang: one round reaches its quorum, it
// is counted and timed once, and the Workload says so.
func TestObserveGangAdmitted(t *testing.T) {
	e := newObserveEnv(t)
	e.createNodes(1, "4")
	e.createWorkload(gangWorkload("train", map[string]int32{"workers": 3}))
	pods := members("w", "train", "workers", "", 3, "1")
	before := gangMetrics(t)
	start := time.Now()
	e.createPods(pods...)
	e.waitScheduled(names(pods)...)
	elapsed := time.Since(start)
	// Permit counts the round before the last member binds.
	d := gangMetrics(t).since(before)
	assert.Equal(t, 1.0, d["gangsched_gangs_admitted_total"])
	assert.Equal(t, 1.0, d["gangsched_gang_quorum_wait_seconds_count"])
	assert.GreaterOrEqual(t, d["gangsched_gang_quorum_wait_seconds_sum"], 0.0)
	assert.Less(t, d["gangsched_gang_quorum_wait_seconds_sum"], elapsed.Seconds(), "the round waited less than the test")
	for _, r := range []string{"timeout", "member_unschedulable", "member_unreserved", "yielded", "hold_expired", "workload_deleted", "cannot_fit"} {
		assert.Zero(t, d[rejectedSeries(r)], "no round of the gang was rejected (%s)", r)
	}

	key := e.group("train", "workers", "")
	ev := e.waitWorkloadEvent("train", v1.EventTypeNormal, "GangAdmitted",
		regexp.MustCompile("^"+regexp.QuoteMeta(fmt.Sprintf("gang %s reached quorum: 3/3 reserved or bound", key))+"( after [0-9.]+m?s)?; its members bind$"))
	assert.Equal(t, "Workload", ev.InvolvedObject.Kind)
	assert.Equal(t, "scheduling.k8s.io/v1alpha1", ev.InvolvedObject.APIVersion)
	assert.Empty(t, e.workloadEvents("train", "GangRejected"))
}

// TestObserveGangShortOfCapacity runs a gang short of free room: it fits the
// node, but a blocker pod leaves room for two of its three members. Its
// first round is rejected when a member finds no node, never admitted, and
// the gang is not judged unable to fit.
func TestObserveGangShortOfCapacity(t *testing.T) {
	e := newObserveEnv(t)
	e.createNodes(1, "4")
	e.createPods(podSpec{name: "blocker", cpu: "2"})
	e.waitScheduled("blocker")
	w := gangWorkload("train", map[string]int32{"workers": 3})
	// A timeout the test never reaches: every rejection is a member's.
	w.Annotations = map[string]string{gang.PermitTimeoutAnnotation: "900"}
	e.createWorkload(w)
	pods := members("w", "train", "workers", "", 3, "1")
	before := gangMetrics(t)
	e.createPods(pods...)
	e.waitGangRejected(names(pods), 2)
	d := e.waitMetrics("a round rejected for a member that found no node", func(s samples) bool {
		return s.since(before)[rejectedSeries("member_unschedulable")] >= 1
	}).since(before)
	assert.Zero(t, d["gangsched_gangs_admitted_total"])
	assert.Zero(t, d[rejectedSeries("timeout")])
	assert.Zero(t, d[rejectedSeries("cannot_fit")], "the gang fits the node without the blocker")
	e.requireNoneBound(e.group("train", "workers", ""))

	key := e.group("train", "workers", "")
	e.waitWorkloadEvent("train", v1.EventTypeWarning, "GangRejected",
		regexp.MustCompile("^"+regexp.QuoteMeta(fmt.Sprintf("gang %s rejected: member ", key))+`w-[0-2] found no node; it will be retried as a whole$`))
	assert.Empty(t, e.workloadEvents("train", "GangAdmitted"))
}

// TestObserveGangCannotFit runs a gang larger than the node: its first
// failed member has it judged unable to fit, which rejects its waiting
// round once (cannot_fit, not member_unschedulable), holds its members
// (gangsched_pods_held{reason="cannot_fit"}) without further attempts, and
// says why on the Workload. A node that makes it fit releases it, and it is
// admitted.
func TestObserveGangCannotFit(t *testing.T) {
	e := newObserveEnv(t)
	e.createNodes(1, "2")
	e.createWorkload(gangWorkload("train", map[string]int32{"workers": 3}))
	pods := members("w", "train", "workers", "", 3, "1")
	key := e.group("train", "workers", "")
	msg := gang.CannotFitMessage(key, 3, "1 cpu", "3 cpu", 1, 2, "2 cpu, 16Gi memory")
	before := gangMetrics(t)
	e.createPods(pods...)
	e.waitPending(msg, names(pods)...)
	d := e.waitMetrics("the 3 members held as unable to fit", func(s samples) bool {
		return s.since(before)[heldSeries("cannot_fit")] == 3
	}).since(before)
	assert.Equal(t, 1.0, d[rejectedSeries("cannot_fit")], "one rejected round, then no attempt until the nodes change")
	for _, r := range []string{"timeout", "member_unschedulable", "member_unreserved", "yielded", "hold_expired", "workload_deleted"} {
		assert.Zero(t, d[rejectedSeries(r)], "no round of the gang was rejected (%s)", r)
	}
	assert.Zero(t, d["gangsched_gangs_admitted_total"])
	e.waitWorkloadEvent("train", v1.EventTypeWarning, "GangRejected", regexp.MustCompile("^"+regexp.QuoteMeta(msg)+"$"))
	assert.Empty(t, e.workloadEvents("train", "GangAdmitted"))
	e.requireNoneBound(key)

	e.createNodes(1, "2")
	e.waitScheduled(names(pods)...)
	d = e.waitMetrics("the gang admitted and no pod held", func(s samples) bool {
		d := s.since(before)
		return d["gangsched_gangs_admitted_total"] == 1 && d[heldSeries("cannot_fit")] == 0
	}).since(before)
	assert.Equal(t, 1.0, d[rejectedSeries("cannot_fit")], "released by the node, not by another rejection")
	e.waitWorkloadEvent("train", v1.EventTypeNormal, "GangAdmitted",
		regexp.MustCompile("^"+regexp.QuoteMeta(fmt.Sprintf("gang %s reached quorum: 3/3 reserved or bound", key))))
}

// TestObserveGangTimesOut makes a round wait at Permit for a member that
// counts but has no room: the gang fits the node, and a blocker pod holds
// its third member's room. (A member of another scheduler would not do: it
// does not count, so nothing would wait at Permit.) The first round is
// rejected at once; from the second, the gang is the oldest starving gang
// and holds its round: it waits, which the Workload says, then its Permit
// timeout rejects it, counted as a timeout and not as a member losing its
// reservation.
//
// The Workload's GangRejected Event keeps the note of the first rejection
// (a member found no node): the scheduler's events.k8s.io recorder folds
// later Events of the same type, reason and object into its series without
// their note. The timeout's own words are on the members it rejected.
func TestObserveGangTimesOut(t *testing.T) {
	e := newObserveEnv(t)
	e.createNodes(1, "4")
	e.createPods(podSpec{name: "blocker", cpu: "2"})
	e.waitScheduled("blocker")
	e.createWorkload(gangWorkload("train", map[string]int32{"workers": 3}))
	pods := members("w", "train", "workers", "", 3, "1")
	before := gangMetrics(t)
	e.createPods(pods...)

	key := e.group("train", "workers", "")
	e.waitWorkloadEvent("train", v1.EventTypeNormal, "GangWaiting",
		regexp.MustCompile("^"+regexp.QuoteMeta(gang.GangWaitingMessage(key, 2, 3))+"$"))
	e.waitWorkloadEvent("train", v1.EventTypeWarning, "GangRejected",
		regexp.MustCompile("^"+regexp.QuoteMeta(fmt.Sprintf("gang %s rejected: member ", key))+`w-[0-2] found no node; it will be retried as a whole$`))
	timedOut := gang.GangRejectedMessage(key, gang.PermitTimeoutReason(permitTimeoutSeconds*time.Second))
	e.waitSomePending("both waiting members to be rejected by the Permit timeout", names(pods), 2, func(msg string) bool {
		return strings.Contains(msg, timedOut)
	})
	d := e.waitMetrics("a round rejected by its timeout", func(s samples) bool {
		return s.since(before)[rejectedSeries("timeout")] >= 1
	}).since(before)
	assert.Zero(t, d[rejectedSeries("member_unreserved")], "the members the timeout takes with it are not counted apart")
	assert.Zero(t, d[rejectedSeries("cannot_fit")])
	assert.Zero(t, d["gangsched_gangs_admitted_total"])
	e.requireNoneBound(key)
}

// TestMetricsEndpointServesHeldPods reads the held-pods gauge from the
// scheduler's own /metrics endpoint, as Prometheus would, and from the
// process's registry: pods of a missing Workload are held for it, then, once
// it exists, for the rest of their gang.
func TestMetricsEndpointServesHeldPods(t *testing.T) {
	e := newObserveEnv(t)
	const n = 3
	e.createNodes(1, "8")

	_, code, err := e.scrape("")
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, code, "/metrics without credentials")

	waitHeld := func(what string, want map[string]float64) {
		t.Helper()
		var last samples
		var lastCode int
		var lastErr error
		err := wait.PollUntilContextTimeout(e.ctx, pollInterval, waitTimeout, true, func(context.Context) (bool, error) {
			last, lastCode, lastErr = e.scrape(e.token)
			if lastErr != nil || lastCode != http.StatusOK {
				return false, nil
			}
			for reason, v := range want {
				if last[heldSeries(reason)] != v {
					return false, nil
				}
			}
			return true, nil
		})
		require.NoError(t, err, "waiting for %s on /metrics: %v; last status %d, error %v, reading %v", what, want, lastCode, lastErr, last)
		// The endpoint serves the process's registry.
		registry := gangMetrics(t)
		for reason, v := range want {
			assert.Equal(t, v, registry[heldSeries(reason)], "%s in the registry", reason)
		}
	}

	pods := members("w", "train", "workers", "", n, "1")
	e.createPods(pods...)
	waitHeld("the pods to be held for their Workload", map[string]float64{
		"waiting_for_workload": n, "waiting_for_podgroup": 0, "waiting_for_members": 0, "backoff": 0,
	})
	got, _, err := e.scrape(e.token)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, got["gangsched_groups_tracked"], 1.0)

	e.createWorkload(gangWorkload("train", map[string]int32{"workers": n + 1}))
	waitHeld("the pods to be held for the rest of their gang", map[string]float64{
		"waiting_for_workload": 0, "waiting_for_members": n,
	})
	e.createPods(podSpec{name: fmt.Sprintf("w-%d", n), workload: "train", podGroup: "workers", cpu: "1"})
	e.waitScheduled(append(names(pods), fmt.Sprintf("w-%d", n))...)
	waitHeld("no pod to be held", map[string]float64{"waiting_for_members": 0})
}
