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

package v1alpha1

import "k8s.io/apimachinery/pkg/runtime"

// The deep copies are written by hand: the types are few and small, and a
// generator would be a build step for three functions.

// DeepCopyInto copies s into out.
func (s *PodGroupSpec) DeepCopyInto(out *PodGroupSpec) {
	*out = *s
	if s.MinResources != nil {
		out.MinResources = s.MinResources.DeepCopy()
	}
	if s.ScheduleTimeoutSeconds != nil {
		v := *s.ScheduleTimeoutSeconds
		out.ScheduleTimeoutSeconds = &v
	}
}

// DeepCopyInto copies pg into out.
func (pg *PodGroup) DeepCopyInto(out *PodGroup) {
	*out = *pg
	out.TypeMeta = pg.TypeMeta
	pg.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	pg.Spec.DeepCopyInto(&out.Spec)
	pg.Status.ScheduleStartTime.DeepCopyInto(&out.Status.ScheduleStartTime)
}

// DeepCopy returns a copy of pg; nil for nil.
func (pg *PodGroup) DeepCopy() *PodGroup {
	if pg == nil {
		return nil
	}
	out := new(PodGroup)
	pg.DeepCopyInto(out)
	return out
}

// DeepCopyObject implements runtime.Object.
func (pg *PodGroup) DeepCopyObject() runtime.Object {
	return pg.DeepCopy()
}

// DeepCopy returns a copy of l; nil for nil.
func (l *PodGroupList) DeepCopy() *PodGroupList {
	if l == nil {
		return nil
	}
	out := &PodGroupList{TypeMeta: l.TypeMeta}
	l.ListMeta.DeepCopyInto(&out.ListMeta)
	if l.Items != nil {
		out.Items = make([]PodGroup, len(l.Items))
		for i := range l.Items {
			l.Items[i].DeepCopyInto(&out.Items[i])
		}
	}
	return out
}

// DeepCopyObject implements runtime.Object.
func (l *PodGroupList) DeepCopyObject() runtime.Object {
	return l.DeepCopy()
}
