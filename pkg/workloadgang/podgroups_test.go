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

package workloadgang

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/klog/v2/ktesting"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	st "k8s.io/kubernetes/pkg/scheduler/testing"
	"k8s.io/utils/ptr"

	"github.com/gangsched/gangsched/pkg/apis/config"
	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
	"github.com/gangsched/gangsched/pkg/workloadgang/groupstate"
)

var podGroupAPI = &metav1.APIResourceList{
	GroupVersion: podgroupv1alpha1.SchemeGroupVersion.String(),
	APIResources: []metav1.APIResource{{Name: "podgroups", Namespaced: true, Kind: "PodGroup"}},
}

func TestCheckGangAPIs(t *testing.T) {
	tests := []struct {
		name      string
		resources []*metav1.APIResourceList
		want      servedAPIs
		wantErr   []string
	}{
		{name: "Workload API", resources: workloadAPI, want: servedAPIs{Workloads: true}},
		{name: "PodGroup CRD", resources: []*metav1.APIResourceList{podGroupAPI}, want: servedAPIs{PodGroups: true}},
		{name: "both", resources: append([]*metav1.APIResourceList{podGroupAPI}, workloadAPI...), want: servedAPIs{Workloads: true, PodGroups: true}},
		{name: "neither: both fixes named", wantErr: []string{
			"--feature-gates=GenericWorkload=true", "--runtime-config=scheduling.k8s.io/v1alpha1=true",
			"kubectl apply -f manifests/crd/podgroups.yaml"}},
		{name: "the group version without the resource", resources: []*metav1.APIResourceList{{GroupVersion: podgroupv1alpha1.SchemeGroupVersion.String()}},
			wantErr: []string{"serves neither"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ctx := ktesting.NewTestContext(t)
			cs := fake.NewClientset()
			cs.Resources = tc.resources
			got, err := checkGangAPIs(ctx, cs.Discovery())
			if len(tc.wantErr) > 0 {
				require.Error(t, err)
				for _, s := range tc.wantErr {
					assert.Contains(t, err.Error(), s)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func testPodGroup(name string, minMember int32) *podgroupv1alpha1.PodGroup {
	return &podgroupv1alpha1.PodGroup{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, UID: types.UID(name + "-uid")},
		Spec:       podgroupv1alpha1.PodGroupSpec{MinMember: minMember},
	}
}

// TestPodGroupDeclarations checks the PodGroup side of the declaration
// index: lookups, the Permit timeout, and which updates wake held pods.
func TestPodGroupDeclarations(t *testing.T) {
	pl := &WorkloadGang{decls: newDeclarations(), args: config.WorkloadGangArgs{PermitTimeoutSeconds: 300}}
	pg := testPodGroup("train", 3)
	pg.Spec.ScheduleTimeoutSeconds = ptr.To[int32](20)
	pl.decls.set(pg)
	key := gang.GroupKey{Source: gang.SourcePodGroup, Namespace: "ns", Workload: "train"}

	policy, d := pl.lookupPolicy(key)
	assert.Equal(t, groupstate.Policy{WorkloadFound: true, PodGroupFound: true, MinCount: 3, WorkloadUID: "train-uid"}, policy)
	assert.Same(t, pg, d)
	assert.Equal(t, 20*time.Second, pl.permitTimeout(d))
	assert.Equal(t, []gang.WorkloadKey{key.WorkloadKey()}, pl.decls.podGroupKeys())

	// A Workload of the same name is another object.
	wkey := gang.GroupKey{Namespace: "ns", Workload: "train", PodGroup: "pg"}
	policy, d = pl.lookupPolicy(wkey)
	assert.Equal(t, groupstate.Policy{}, policy)
	assert.Nil(t, d)

	invalid := testPodGroup("train", 3)
	invalid.Spec.ScheduleTimeoutSeconds = ptr.To[int32](0)
	assert.Equal(t, 300*time.Second, pl.permitTimeout(invalid), "an invalid timeout falls back to the args")

	changed := func(mutate func(*podgroupv1alpha1.PodGroup)) bool {
		n := pg.DeepCopy()
		mutate(n)
		return gangChanged(pg, n)
	}
	assert.True(t, changed(func(p *podgroupv1alpha1.PodGroup) { p.Spec.MinMember = 2 }), "minMember")
	assert.True(t, changed(func(p *podgroupv1alpha1.PodGroup) {
		p.Spec.MinResources = v1.ResourceList{v1.ResourceCPU: resource.MustParse("1")}
	}), "minResources")
	assert.True(t, changed(func(p *podgroupv1alpha1.PodGroup) { p.UID = "new" }), "recreated")
	assert.True(t, changed(func(p *podgroupv1alpha1.PodGroup) {
		p.Annotations = map[string]string{gang.TopologyRequiredAnnotation: "rack"}
	}), "topology")
	assert.False(t, changed(func(p *podgroupv1alpha1.PodGroup) { p.Status.Phase = podgroupv1alpha1.PodGroupRunning }), "status")
	assert.False(t, changed(func(p *podgroupv1alpha1.PodGroup) { p.Spec.ScheduleTimeoutSeconds = ptr.To[int32](9) }), "the timeout applies to the next round")

	// A newer PodGroup of the same name survives the old one's deletion.
	recreated := testPodGroup("train", 2)
	recreated.UID = "new"
	pl.decls.set(recreated)
	pl.decls.remove(pg)
	assert.Same(t, recreated, pl.decls.podGroup(key.WorkloadKey()))
	pl.decls.remove(recreated)
	assert.Nil(t, pl.decls.get(key.WorkloadKey()))
}

func TestFreeRoom(t *testing.T) {
	key := gang.GroupKey{Source: gang.SourcePodGroup, Namespace: "ns", Workload: "train"}
	node := func(name, cpu string, pods ...*v1.Pod) fwk.NodeInfo {
		ni := framework.NewNodeInfo(pods...)
		ni.SetNode(st.MakeNode().Name(name).Capacity(map[v1.ResourceName]string{v1.ResourceCPU: cpu, v1.ResourceMemory: "8Gi", v1.ResourcePods: "10"}).Obj())
		return ni
	}
	member := st.MakePod().Namespace("ns").Name("m").Labels(map[string]string{podgroupv1alpha1.PodGroupLabel: "train"}).Req(map[v1.ResourceName]string{v1.ResourceCPU: "1"}).Obj()
	other := st.MakePod().Namespace("ns").Name("o").Req(map[v1.ResourceName]string{v1.ResourceCPU: "2"}).Obj()
	free, own := freeRoom([]fwk.NodeInfo{node("a", "4", member), node("b", "4", other)}, key)
	cpu := free[v1.ResourceCPU]
	assert.Equal(t, "5", cpu.String(), "4 + 4 cpu less 1 + 2 requested")
	ownCPU := own[v1.ResourceCPU]
	assert.Equal(t, "1", ownCPU.String(), "the member's own request")
	pods := free[v1.ResourcePods]
	assert.Equal(t, int64(18), pods.Value())
	assert.Equal(t, "cpu=5, memory=16Gi", formatResources(v1.ResourceList{v1.ResourceCPU: {}, v1.ResourceMemory: {}}, func(n v1.ResourceName) resource.Quantity { return free[n] }))
}

func TestIsSchedulableAfterPodRelabelled(t *testing.T) {
	pl := &WorkloadGang{decls: newDeclarations()}
	labelled := func(name, pg string) *v1.Pod {
		p := st.MakePod().Namespace("ns").Name(name).UID(name).Obj()
		if pg != "" {
			p.Labels = map[string]string{podgroupv1alpha1.PodGroupLabel: pg}
		}
		return p
	}
	tests := []struct {
		name     string
		pod      *v1.Pod
		old, new *v1.Pod
		want     fwk.QueueingHint
	}{
		{name: "the pod itself moved", pod: labelled("p", "b"), old: labelled("p", "a"), new: labelled("p", "b"), want: fwk.Queue},
		{name: "the pod itself left every gang", pod: labelled("p", ""), old: labelled("p", "a"), new: labelled("p", ""), want: fwk.Queue},
		{name: "another pod joined the pod's gang", pod: labelled("p", "b"), old: labelled("q", "a"), new: labelled("q", "b"), want: fwk.Queue},
		{name: "another pod joined another gang", pod: labelled("p", "c"), old: labelled("q", "a"), new: labelled("q", "b"), want: fwk.QueueSkip},
		{name: "a label that is not the PodGroup's", pod: labelled("p", "a"), old: labelled("q", "a"), new: func() *v1.Pod {
			q := labelled("q", "a")
			q.Labels["team"] = "x"
			return q
		}(), want: fwk.QueueSkip},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logger, _ := ktesting.NewTestContext(t)
			got, err := pl.isSchedulableAfterPodRelabelled(logger, tc.pod, tc.old, tc.new)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
