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
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/gangsched/gangsched/internal/controlplane"
)

func testPod(name, workload, podGroup, replicaKey, cpu string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"},
		Spec: corev1.PodSpec{
			SchedulerName: "gangsched",
			WorkloadRef:   &corev1.WorkloadReference{Name: workload, PodGroup: podGroup, PodGroupReplicaKey: replicaKey},
			Containers: []corev1.Container{{
				Name:      "c",
				Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}},
			}},
		},
	}
}

func TestExpectedBindings(t *testing.T) {
	nodes := []nodeCapacity{{MilliCPU: 4000, Memory: 1 << 34, Pods: 110}, {MilliCPU: 4000, Memory: 1 << 34, Pods: 110}}
	policies := map[policyKey]policy{
		{"ns", "fits", "g"}:  {MinCount: 3},
		{"ns", "big", "g"}:   {MinCount: 3},
		{"ns", "basic", "g"}: {},
		{"ns", "rk", "g"}:    {MinCount: 2},
	}
	other := testPod("other", "fits", "g", "", "1")
	other.Spec.SchedulerName = "default-scheduler"
	pods := []*corev1.Pod{
		testPod("f0", "fits", "g", "", "2"), testPod("f1", "fits", "g", "", "2"), testPod("f2", "fits", "g", "", "2"),
		// 3 x 3 CPU does not fit on 2 x (4 - what "fits" used): expected 0, nothing committed.
		testPod("b0", "big", "g", "", "3"), testPod("b1", "big", "g", "", "3"), testPod("b2", "big", "g", "", "3"),
		// Basic: each pod on its own; 2 CPU left in total.
		testPod("s0", "basic", "g", "", "1"), testPod("s1", "basic", "g", "", "1"), testPod("s2", "basic", "g", "", "1"),
		testPod("m0", "missing", "g", "", "100m"),
		testPod("r0", "rk", "g", "a", "0"), testPod("r1", "rk", "g", "a", "0"),
		other,
	}
	got := expectedBindings(pods, policies, nodes, "gangsched")
	want := map[groupKey]int{
		{"ns", "fits", "g", ""}:    3,
		{"ns", "big", "g", ""}:     0,
		{"ns", "basic", "g", ""}:   2,
		{"ns", "missing", "g", ""}: 0,
		{"ns", "rk", "g", "a"}:     2,
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for g, n := range want {
		if got[g] != n {
			t.Errorf("%s: got %d, want %d (all: %v)", g, got[g], n, got)
		}
	}
}

func TestTracker(t *testing.T) {
	var out bytes.Buffer
	clock := time.Unix(1000, 0)
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	tr := newTracker(&out, now)
	tr.setWorkload(&schedulingv1alpha1.Workload{
		ObjectMeta: metav1.ObjectMeta{Name: "train", Namespace: "ns"},
		Spec: schedulingv1alpha1.WorkloadSpec{PodGroups: []schedulingv1alpha1.PodGroup{{
			Name: "workers", Policy: schedulingv1alpha1.PodGroupPolicy{Gang: &schedulingv1alpha1.GangSchedulingPolicy{MinCount: 2}},
		}}},
	})
	tr.expectGroupSizes(map[groupKey]int{{"ns", "train", "workers", ""}: 2})
	p0 := testPod("w0", "train", "workers", "", "1")
	p1 := testPod("w1", "train", "workers", "", "1")
	tr.markCreated("ns/w0", now())
	tr.updatePod(p0)
	p0 = p0.DeepCopy()
	p0.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: "waiting for\n gang"}}
	tr.updatePod(p0)
	tr.updatePod(p0) // no change: no line
	advance(time.Second)
	p0 = p0.DeepCopy()
	p0.Spec.NodeName = "node-0"
	tr.updatePod(p0)
	if v := tr.gangViolations(); len(v) != 1 {
		t.Errorf("violations with 1/2 bound = %v, want one", v)
	}
	// Not announced: the group is expected to have 2 pods.
	if strings.Contains(out.String(), "bound 1/1") {
		t.Errorf("group announced before all its pods exist:\n%s", out.String())
	}
	tr.markCreated("ns/w1", now())
	p1.Spec.NodeName = "node-1"
	advance(500 * time.Millisecond)
	tr.updatePod(p1)
	expected := map[groupKey]int{{"ns", "train", "workers", ""}: 2}
	if done, waiting := tr.demoStatus(expected); !done {
		t.Errorf("demo not done: %v", waiting)
	}
	if v := tr.gangViolations(); len(v) != 0 {
		t.Errorf("violations = %v", v)
	}
	got := out.String()
	for _, want := range []string{
		"ns/w0", "train/workers", "Pending: not scheduled yet", "Pending: waiting for gang", "node-0",
		"gang ns/train/workers bound 2/2 together in 1.5s",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "Pending: waiting for gang"); n != 1 {
		t.Errorf("unchanged status printed %d times:\n%s", n, got)
	}
	if table := tr.table(); !strings.Contains(table, "ns/w1") || !strings.Contains(table, "node-1") {
		t.Errorf("table:\n%s", table)
	}
	tr.deletePod("ns", "w1")
	if done, _ := tr.demoStatus(expected); done {
		t.Error("demo done after a pod was deleted")
	}
}

// TestTopologyPlacement: the demo names the rack of a gang that asks a
// required rack, and reports one whose bound members span racks.
func TestTopologyPlacement(t *testing.T) {
	racks := map[string]map[string]string{
		"node-0": {rackLabel: "rack-0"}, "node-1": {rackLabel: "rack-0"},
		"node-2": {rackLabel: "rack-1"}, "node-3": {},
	}
	workload := func(name string) *schedulingv1alpha1.Workload {
		return &schedulingv1alpha1.Workload{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns",
			Annotations: map[string]string{"gangsched.io/topology-required": rackLabel}}}
	}
	plain := &schedulingv1alpha1.Workload{ObjectMeta: metav1.ObjectMeta{Name: "plain", Namespace: "ns"}}
	tests := []struct {
		name       string
		nodes      map[string]string // pod name -> node of a pod of Workload "w"
		wantPlaced []string
		wantSpread []string
	}{
		{name: "one rack", nodes: map[string]string{"a": "node-0", "b": "node-1", "c": ""},
			wantPlaced: []string{"gang ns/w/g: every bound member in example.com/rack=rack-0"}},
		{name: "two racks", nodes: map[string]string{"a": "node-0", "b": "node-2"},
			wantSpread: []string{"gang ns/w/g asks example.com/rack but its bound members are in rack-0, rack-1"}},
		{name: "a node without the label", nodes: map[string]string{"a": "node-3"},
			wantSpread: []string{"gang ns/w/g asks example.com/rack but its bound members are in (node node-3 without the label)"}},
		{name: "nothing bound", nodes: map[string]string{"a": ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTracker(io.Discard, time.Now)
			for name, node := range tc.nodes {
				p := testPod(name, "w", "g", "", "1")
				p.Spec.NodeName = node
				tr.updatePod(p)
			}
			p := testPod("other", "plain", "g", "", "1")
			p.Spec.NodeName = "node-2"
			tr.updatePod(p)
			placed, spread := tr.topologyPlacement([]*schedulingv1alpha1.Workload{workload("w"), plain}, racks)
			assert.Equal(t, tc.wantPlaced, placed)
			assert.Equal(t, tc.wantSpread, spread)
		})
	}
}

func TestExampleManifestsParse(t *testing.T) {
	root, err := controlplane.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "manifests", "examples")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no examples: %v", err)
	}
	objs, err := readManifests(dir)
	if err != nil {
		t.Fatal(err)
	}
	pods, workloads, err := typedExamples(objs)
	if err != nil {
		t.Fatal(err)
	}
	if len(pods) == 0 || len(workloads) == 0 {
		t.Fatalf("examples have %d pods and %d workloads, want some of each", len(pods), len(workloads))
	}
	for i := 1; i < len(objs); i++ {
		if kindRank(objs[i-1].Obj) > kindRank(objs[i].Obj) {
			t.Errorf("%s (%s) sorted after %s (%s)", objs[i].Source, objs[i].Obj.GetKind(), objs[i-1].Source, objs[i-1].Obj.GetKind())
		}
	}
}

func TestReadManifestsErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("# only a comment\n---\nkind: Pod\nmetadata: {name: x}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readManifests(dir); err == nil || !strings.Contains(err.Error(), "missing apiVersion") {
		t.Errorf("err = %v, want missing apiVersion", err)
	}
}

func TestSchedulerConfigWithKubeconfig(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "in.yaml")
	in := "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nclientConnection:\n  qps: 50\nprofiles:\n- schedulerName: gangsched\n"
	if err := os.WriteFile(src, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	dst, err := schedulerConfigWithKubeconfig(src, "/kc", filepath.Join(dir, "out.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	conn := cfg["clientConnection"].(map[string]any)
	if conn["kubeconfig"] != "/kc" || conn["qps"] != float64(50) {
		t.Errorf("clientConnection = %v", conn)
	}
	if cfg["profiles"].([]any)[0].(map[string]any)["schedulerName"] != "gangsched" {
		t.Errorf("profiles lost: %v", cfg)
	}
}

// TestLocalUpDemo runs what `make run --exit-after-demo` runs: the real
// control plane, the gangsched binary, fake nodes and the examples, and
// checks that every example group that fits is bound.
func TestLocalUpDemo(t *testing.T) {
	binDir := controlplane.RequireBinaries(t, controlplane.EtcdBinary, controlplane.APIServerBinary, controlplane.SchedulerBinary)
	root, err := controlplane.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "manifests", "scheduler-config.yaml")); err != nil {
		t.Skipf("no scheduler config: %v", err)
	}
	stateDir := t.TempDir()
	o, err := parseFlags([]string{"--root", root, "--bin-dir", binDir, "--state-dir", stateDir, "--exit-after-demo", "--demo-timeout", "90s"}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	err = localUp(ctx, o, &out)
	t.Logf("localup output:\n%s", out.String())
	if err != nil {
		t.Logf("gangsched log tail:\n%s", controlplane.LogTail(filepath.Join(stateDir, "cluster", "gangsched.log"), 40))
		t.Fatalf("localup: %v", err)
	}
	if !strings.Contains(out.String(), "demo done") {
		t.Error("output lacks \"demo done\"")
	}
	if want := "topology: gang gang-demo/allreduce/ranks: every bound member in " + rackLabel + "=rack-"; !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q: the topology example was not placed in one rack", want)
	}
	if _, err := os.Stat(filepath.Join(stateDir, "pids")); !os.IsNotExist(err) {
		t.Errorf("pids file left behind (stat err %v)", err)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
