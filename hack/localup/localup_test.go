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
	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
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

// testPodGroupPod is a pod in namespace "ns" that joins PodGroup podGroup
// with the label.
func testPodGroupPod(name, podGroup, cpu string) *corev1.Pod {
	pod := testPod(name, "", "", "", cpu)
	pod.Spec.WorkloadRef = nil
	pod.Labels = map[string]string{podgroupv1alpha1.PodGroupLabel: podGroup}
	return pod
}

func testPodGroup(name string, minMember int32) *podgroupv1alpha1.PodGroup {
	return &podgroupv1alpha1.PodGroup{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"},
		Spec:       podgroupv1alpha1.PodGroupSpec{MinMember: minMember},
	}
}

// wlGroup is the group of a Workload's podGroup in namespace "ns".
func wlGroup(workload, podGroup, replicaKey string) groupKey {
	return groupKey{Source: gang.SourceWorkload, Namespace: "ns", Workload: workload, PodGroup: podGroup, ReplicaKey: replicaKey}
}

// pgGroup is the group of a PodGroup in namespace "ns".
func pgGroup(name string) groupKey {
	return groupKey{Source: gang.SourcePodGroup, Namespace: "ns", Workload: name}
}

func TestGroupOf(t *testing.T) {
	ambiguous := testPod("both", "train", "workers", "", "1")
	ambiguous.Labels = map[string]string{podgroupv1alpha1.PodGroupLabel: "infer"}
	plain := testPod("plain", "", "", "", "1")
	plain.Spec.WorkloadRef = nil
	tests := []struct {
		name       string
		pod        *corev1.Pod
		wantGroup  groupKey
		wantOK     bool
		wantString string
		wantShort  string
	}{
		{name: "workload", pod: testPod("p", "train", "workers", "", "1"), wantGroup: wlGroup("train", "workers", ""), wantOK: true,
			wantString: "ns/train/workers", wantShort: "train/workers"},
		{name: "replica key", pod: testPod("p", "sharded", "shard", "0", "1"), wantGroup: wlGroup("sharded", "shard", "0"), wantOK: true,
			wantString: "ns/sharded/shard/0", wantShort: "sharded/shard/0"},
		{name: "PodGroup", pod: testPodGroupPod("p", "infer", "1"), wantGroup: pgGroup("infer"), wantOK: true,
			wantString: "ns/infer", wantShort: "infer (PodGroup)"},
		{name: "both: no group", pod: ambiguous},
		{name: "neither: no group", pod: plain},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, ok := groupOf(tc.pod)
			assert.Equal(t, tc.wantOK, ok)
			assert.Equal(t, tc.wantGroup, g)
			if ok {
				want, _ := gang.KeyForPod(tc.pod)
				assert.Equal(t, want, gang.GroupKey(g), "the scheduler's key")
				assert.Equal(t, tc.wantString, g.String())
				assert.Equal(t, tc.wantShort, g.Short())
			}
		})
	}
}

func TestPolicyOfPodGroup(t *testing.T) {
	tests := []struct {
		name      string
		minMember int32
		want      policy
	}{
		{name: "minMember", minMember: 3, want: policy{MinCount: 3}},
		{name: "zero acts as 1", minMember: 0, want: policy{MinCount: 1}},
		{name: "negative acts as 1", minMember: -2, want: policy{MinCount: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, p := policyOfPodGroup(testPodGroup("infer", tc.minMember))
			assert.Equal(t, pgGroup("infer").policyKey(), k)
			assert.Equal(t, tc.want, p)
			assert.True(t, p.isGang())
		})
	}
}

func TestExpectedBindings(t *testing.T) {
	nodes := []nodeCapacity{{MilliCPU: 4000, Memory: 1 << 34, Pods: 110}, {MilliCPU: 4000, Memory: 1 << 34, Pods: 110}}
	policies := map[policyKey]policy{
		wlGroup("fits", "g", "").policyKey():  {MinCount: 3},
		wlGroup("big", "g", "").policyKey():   {MinCount: 3},
		wlGroup("basic", "g", "").policyKey(): {},
		wlGroup("rk", "g", "").policyKey():    {MinCount: 2},
		pgGroup("infer").policyKey():          {MinCount: 2},
		pgGroup("huge").policyKey():           {MinCount: 2},
	}
	other := testPod("other", "fits", "g", "", "1")
	other.Spec.SchedulerName = "default-scheduler"
	ambiguous := testPodGroupPod("both", "infer", "1")
	ambiguous.Spec.WorkloadRef = &corev1.WorkloadReference{Name: "fits", PodGroup: "g"}
	pods := []*corev1.Pod{
		testPod("f0", "fits", "g", "", "2"), testPod("f1", "fits", "g", "", "2"), testPod("f2", "fits", "g", "", "2"),
		// 3 x 3 CPU does not fit on 2 x (4 - what "fits" used): expected 0, nothing committed.
		testPod("b0", "big", "g", "", "3"), testPod("b1", "big", "g", "", "3"), testPod("b2", "big", "g", "", "3"),
		// Basic: each pod on its own; 2 CPU left in total.
		testPod("s0", "basic", "g", "", "1"), testPod("s1", "basic", "g", "", "1"), testPod("s2", "basic", "g", "", "1"),
		testPod("m0", "missing", "g", "", "100m"),
		testPod("r0", "rk", "g", "a", "0"), testPod("r1", "rk", "g", "a", "0"),
		// PodGroups: a gang of minMember; a PodGroup pod with a
		// workloadRef too is in no group.
		testPodGroupPod("i0", "infer", "0"), testPodGroupPod("i1", "infer", "0"), ambiguous,
		testPodGroupPod("h0", "huge", "3"), testPodGroupPod("h1", "huge", "3"),
		testPodGroupPod("n0", "nopodgroup", "0"),
		other,
	}
	got := expectedBindings(pods, policies, nodes, "gangsched")
	want := map[groupKey]int{
		wlGroup("fits", "g", ""):    3,
		wlGroup("big", "g", ""):     0,
		wlGroup("basic", "g", ""):   2,
		wlGroup("missing", "g", ""): 0,
		wlGroup("rk", "g", "a"):     2,
		pgGroup("infer"):            2,
		pgGroup("huge"):             0,
		pgGroup("nopodgroup"):       0,
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
	tr.expectGroupSizes(map[groupKey]int{wlGroup("train", "workers", ""): 2})
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
	expected := map[groupKey]int{wlGroup("train", "workers", ""): 2}
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

// TestTrackerPodGroup: a PodGroup's pods form one gang, named ns/name,
// whose quorum is its minMember.
func TestTrackerPodGroup(t *testing.T) {
	var out bytes.Buffer
	tr := newTracker(&out, time.Now)
	tr.setPodGroup(testPodGroup("infer", 2))
	// A Workload of the same name declares other groups.
	tr.setWorkload(&schedulingv1alpha1.Workload{ObjectMeta: metav1.ObjectMeta{Name: "infer", Namespace: "ns"}})
	tr.expectGroupSizes(map[groupKey]int{pgGroup("infer"): 2})
	p0 := testPodGroupPod("i0", "infer", "1")
	p0.Spec.NodeName = "node-0"
	tr.updatePod(p0)
	assert.Equal(t, []string{"gang ns/infer has 1/1 pods bound, below minCount 2"}, tr.gangViolations())
	p1 := testPodGroupPod("i1", "infer", "1")
	p1.Spec.NodeName = "node-1"
	tr.updatePod(p1)
	assert.Empty(t, tr.gangViolations())
	done, waiting := tr.demoStatus(map[groupKey]int{pgGroup("infer"): 2})
	assert.True(t, done, "waiting: %v", waiting)
	got := out.String()
	for _, want := range []string{"ns/i0", "infer (PodGroup)", "gang ns/infer bound 2/2 together in", "(PodGroup minMember 2;"} {
		assert.Contains(t, got, want)
	}
	assert.Contains(t, tr.table(), "infer (PodGroup)")

	// Deleting the Workload of the same name keeps the PodGroup's policy;
	// deleting the PodGroup forgets it.
	p0 = p0.DeepCopy()
	p0.Spec.NodeName = ""
	tr.updatePod(p0)
	tr.deleteWorkload("ns", "infer")
	assert.Len(t, tr.gangViolations(), 1)
	tr.deletePodGroup("ns", "infer")
	assert.Empty(t, tr.gangViolations())
}

// TestTopologyPlacement: the demo names the rack of a gang that asks a
// required rack, and reports one whose bound members span racks.
func TestTopologyPlacement(t *testing.T) {
	racks := map[string]map[string]string{
		"node-0": {rackLabel: "rack-0"}, "node-1": {rackLabel: "rack-0"},
		"node-2": {rackLabel: "rack-1"}, "node-3": {},
	}
	annotated := map[string]string{"gangsched.io/topology-required": rackLabel}
	ex := examples{
		workloads: []*schedulingv1alpha1.Workload{
			{ObjectMeta: metav1.ObjectMeta{Name: "w", Namespace: "ns", Annotations: annotated}},
			{ObjectMeta: metav1.ObjectMeta{Name: "plain", Namespace: "ns"}},
		},
		// A PodGroup named like the Workload, without the annotation: its
		// pods are no members of the Workload's gangs.
		podGroups: []*podgroupv1alpha1.PodGroup{testPodGroup("w", 1)},
	}
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
			p = testPodGroupPod("pg-member", "w", "1")
			p.Spec.NodeName = "node-2"
			tr.updatePod(p)
			placed, spread := tr.topologyPlacement(ex.requiredTopologies(), racks)
			assert.Equal(t, tc.wantPlaced, placed)
			assert.Equal(t, tc.wantSpread, spread)
		})
	}
	t.Run("PodGroup", func(t *testing.T) {
		pg := testPodGroup("infer", 2)
		pg.Annotations = annotated
		tr := newTracker(io.Discard, time.Now)
		for name, node := range map[string]string{"i0": "node-2", "i1": "node-2"} {
			p := testPodGroupPod(name, "infer", "1")
			p.Spec.NodeName = node
			tr.updatePod(p)
		}
		placed, spread := tr.topologyPlacement(examples{podGroups: []*podgroupv1alpha1.PodGroup{pg}}.requiredTopologies(), racks)
		assert.Equal(t, []string{"gang ns/infer: every bound member in example.com/rack=rack-1"}, placed)
		assert.Empty(t, spread)
	})
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
	ex, err := typedExamples(objs)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.pods) == 0 || len(ex.workloads) == 0 || len(ex.podGroups) == 0 {
		t.Fatalf("examples have %d pods, %d Workloads and %d PodGroups, want some of each", len(ex.pods), len(ex.workloads), len(ex.podGroups))
	}
	for i := 1; i < len(objs); i++ {
		if kindRank(objs[i-1].Obj) > kindRank(objs[i].Obj) {
			t.Errorf("%s (%s) sorted after %s (%s)", objs[i].Source, objs[i].Obj.GetKind(), objs[i-1].Source, objs[i-1].Obj.GetKind())
		}
	}
	policies := ex.policies()
	infer := groupKey{Source: gang.SourcePodGroup, Namespace: "gang-demo", Workload: "infer"}
	assert.Equal(t, policy{MinCount: 3}, policies[infer.policyKey()], "policy of PodGroup gang-demo/infer")

	// Every example group has a policy and, on the default demo nodes, fits
	// whole alongside the others.
	o, err := parseFlags([]string{"--root", root}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	node := fakeNode("n", resource.MustParse(o.nodeCPU), resource.MustParse(o.nodeMemory), o.nodePods)
	alloc := nodeCapacity{MilliCPU: node.Status.Allocatable.Cpu().MilliValue(), Memory: node.Status.Allocatable.Memory().Value(), Pods: o.nodePods}
	nodes := make([]nodeCapacity, o.nodes)
	for i := range nodes {
		nodes[i] = alloc
	}
	sizes := groupSizes(ex.pods)
	expected := expectedBindings(ex.pods, policies, nodes, o.schedulerName)
	assert.Equal(t, sizes, expected, "every example group bound whole")
	assert.Equal(t, 3, sizes[infer], "members of PodGroup gang-demo/infer")
	for g := range sizes {
		if _, ok := policies[g.policyKey()]; !ok {
			t.Errorf("group %s has no Workload or PodGroup in the examples", g)
		}
	}

	// A PodGroup's minResources fit in the room the other examples leave.
	for _, pg := range ex.podGroups {
		freeCPU, freeMem := int64(o.nodes)*alloc.MilliCPU, int64(o.nodes)*alloc.Memory
		for _, pod := range ex.pods {
			if g, _ := groupOf(pod); g.Source == gang.SourcePodGroup && g.Namespace == pg.Namespace && g.Workload == pg.Name {
				continue
			}
			cpu, mem := podRequests(pod)
			freeCPU, freeMem = freeCPU-cpu, freeMem-mem
		}
		if want := pg.Spec.MinResources.Cpu().MilliValue(); want > freeCPU {
			t.Errorf("PodGroup %s/%s minResources cpu %dm > %dm left by the other examples", pg.Namespace, pg.Name, want, freeCPU)
		}
		if want := pg.Spec.MinResources.Memory().Value(); want > freeMem {
			t.Errorf("PodGroup %s/%s minResources memory %d > %d left by the other examples", pg.Namespace, pg.Name, want, freeMem)
		}
	}
}

// TestHoldBackLastMembers: the last member of each example gang of two or
// more, a PodGroup's too, is created after the others.
func TestHoldBackLastMembers(t *testing.T) {
	root, err := controlplane.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	objs, err := readManifests(filepath.Join(root, "manifests", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	ex, err := typedExamples(objs)
	if err != nil {
		t.Fatal(err)
	}
	first, last, watch := holdBackLastMembers(objs, ex.pods, ex.policies())
	assert.Equal(t, len(objs), len(first)+len(last))
	var held []string
	for _, m := range last {
		held = append(held, m.Obj.GetName())
	}
	assert.ElementsMatch(t, []string{"train-worker-3", "shard-0-1", "shard-1-1", "allreduce-rank-3", "infer-worker-2"}, held)
	watched := map[string]string{}
	for _, w := range watch {
		watched[w.group.String()] = w.pod.Name
	}
	assert.Equal(t, "infer-worker-1", watched["gang-demo/infer"])
	assert.Len(t, watched, len(last))
}

func TestReadCRD(t *testing.T) {
	root, err := controlplane.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	crd, err := controlplane.ReadCRD(filepath.Join(root, controlplane.PodGroupCRDFile))
	if err != nil {
		t.Fatal(err)
	}
	assert.Equal(t, podgroupv1alpha1.Resource+"."+podgroupv1alpha1.GroupName, crd.GetName())

	_, err = controlplane.ReadCRD(filepath.Join(root, "manifests", "examples", "00-namespace.yaml"))
	assert.ErrorContains(t, err, "want one CustomResourceDefinition")
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
	if want := "gang gang-demo/infer bound 3/3 together"; !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q: the PodGroup example was not bound", want)
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
