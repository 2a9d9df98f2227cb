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

package podgroupstatus

import (
	"strconv"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
)

const ns = "team"

// t0 is a whole second, as stored times are.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func at(seconds int) metav1.Time {
	return metav1.NewTime(t0.Add(time.Duration(seconds) * time.Second))
}

// podWrapper builds member pods: makePod("a", "pg").bound().phase(v1.PodRunning).obj().
type podWrapper struct{ v1.Pod }

// makePod returns a pod in ns labelled as a member of podGroup (none when empty).
func makePod(name, podGroup string) *podWrapper {
	p := &podWrapper{v1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + name)}}}
	if podGroup != "" {
		p.Labels = map[string]string{podgroupv1alpha1.PodGroupLabel: podGroup}
	}
	p.Status.Phase = v1.PodPending
	return p
}

func (p *podWrapper) namespace(n string) *podWrapper {
	p.Namespace = n
	return p
}

func (p *podWrapper) bound() *podWrapper {
	p.Spec.NodeName = "node-" + p.Name
	return p
}

func (p *podWrapper) phase(ph v1.PodPhase) *podWrapper {
	p.Status.Phase = ph
	return p
}

func (p *podWrapper) deleting() *podWrapper {
	now := metav1.NewTime(t0)
	p.DeletionTimestamp = &now
	return p
}

func (p *podWrapper) ownedBy(names ...string) *podWrapper {
	for _, n := range names {
		p.OwnerReferences = append(p.OwnerReferences, metav1.OwnerReference{APIVersion: "batch/v1", Kind: "Job", Name: n, UID: types.UID("uid-" + n)})
	}
	return p
}

func (p *podWrapper) workloadRef(name string) *podWrapper {
	p.Spec.WorkloadRef = &v1.WorkloadReference{Name: name, PodGroup: "workers"}
	return p
}

func (p *podWrapper) obj() *v1.Pod {
	return p.DeepCopy()
}

// running returns n bound, running members of podGroup, named prefix-0...
func running(prefix, podGroup string, n int) []*v1.Pod {
	var pods []*v1.Pod
	for i := range n {
		pods = append(pods, makePod(prefix+"-"+strconv.Itoa(i), podGroup).bound().phase(v1.PodRunning).obj())
	}
	return pods
}

// pgWrapper builds PodGroups: makePG("pg", 3).status(...).obj().
type pgWrapper struct{ podgroupv1alpha1.PodGroup }

func makePG(name string, minMember int32) *pgWrapper {
	return &pgWrapper{podgroupv1alpha1.PodGroup{
		TypeMeta:   metav1.TypeMeta{APIVersion: podgroupv1alpha1.SchemeGroupVersion.String(), Kind: podgroupv1alpha1.Kind},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + name), ResourceVersion: "1"},
		Spec:       podgroupv1alpha1.PodGroupSpec{MinMember: minMember},
	}}
}

func (w *pgWrapper) status(st podgroupv1alpha1.PodGroupStatus) *pgWrapper {
	w.Status = st
	return w
}

func (w *pgWrapper) obj() *podgroupv1alpha1.PodGroup {
	return w.DeepCopy()
}
