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

package gang

import (
	"testing"

	"github.com/stretchr/testify/assert"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestTopologyOf(t *testing.T) {
	tests := []struct {
		name        string
		annotations map[string]string
		want        Topology
		wantErr     []string // substrings of the error; nil: no error
	}{
		{name: "no annotations"},
		{
			name:        "required alone",
			annotations: map[string]string{TopologyRequiredAnnotation: "topology.kubernetes.io/zone"},
			want:        Topology{Required: "topology.kubernetes.io/zone"},
		},
		{
			name:        "preferred alone",
			annotations: map[string]string{TopologyPreferredAnnotation: "example.com/rack"},
			want:        Topology{Preferred: "example.com/rack"},
		},
		{
			name:        "both",
			annotations: map[string]string{TopologyRequiredAnnotation: "topology.kubernetes.io/zone", TopologyPreferredAnnotation: "example.com/rack"},
			want:        Topology{Required: "topology.kubernetes.io/zone", Preferred: "example.com/rack"},
		},
		{
			name:        "required not a label key",
			annotations: map[string]string{TopologyRequiredAnnotation: "example.com/a rack"},
			wantErr:     []string{`annotation gangsched.io/topology-required="example.com/a rack" is invalid: must be a node label key`},
		},
		{
			name:        "empty value",
			annotations: map[string]string{TopologyPreferredAnnotation: ""},
			wantErr:     []string{`annotation gangsched.io/topology-preferred="" is invalid`},
		},
		{
			name:        "both invalid: both named",
			annotations: map[string]string{TopologyRequiredAnnotation: "-zone", TopologyPreferredAnnotation: "a/b/c"},
			wantErr:     []string{`gangsched.io/topology-required="-zone"`, `gangsched.io/topology-preferred="a/b/c"`},
		},
		{
			name:        "same key twice",
			annotations: map[string]string{TopologyRequiredAnnotation: "example.com/rack", TopologyPreferredAnnotation: "example.com/rack"},
			wantErr:     []string{`annotation gangsched.io/topology-preferred="example.com/rack" is invalid: it is the same key as gangsched.io/topology-required`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &schedulingv1alpha1.Workload{ObjectMeta: metav1.ObjectMeta{Annotations: tt.annotations}}
			got, err := TopologyOf(w)
			if tt.wantErr == nil {
				assert.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			if assert.Error(t, err) {
				for _, s := range tt.wantErr {
					assert.Contains(t, err.Error(), s)
				}
			}
			assert.Equal(t, Topology{}, got, "nothing of an invalid Workload is used")
		})
	}
}

func TestNoDomainMessage(t *testing.T) {
	k := GroupKey{Namespace: "ns", Workload: "w", PodGroup: "pg"}
	tests := []struct {
		name        string
		largest     string
		largestPods int
		want        string
	}{
		{
			name: "the largest room named", largest: "rack-3", largestPods: 5,
			want: "no example.com/rack domain has room for 8 pods of gang ns/w/pg; the largest free room is rack-3, 5 pods",
		},
		{
			name: "every domain full", largest: "rack-0",
			want: "no example.com/rack domain has room for 8 pods of gang ns/w/pg; no domain has room for one pod",
		},
		{
			name: "no node labelled",
			want: "no example.com/rack domain has room for 8 pods of gang ns/w/pg; no node has the label example.com/rack",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, NoDomainMessage(k, "example.com/rack", 8, tt.largest, tt.largestPods))
		})
	}
}

func TestCoarserPairError(t *testing.T) {
	err := CoarserPairError(Topology{Required: "topology.kubernetes.io/zone", Preferred: "topology.kubernetes.io/region"}, "r1", "z1", "z2")
	assert.EqualError(t, err, `annotation gangsched.io/topology-preferred="topology.kubernetes.io/region" is invalid: `+
		`it is coarser than gangsched.io/topology-required="topology.kubernetes.io/zone": its domain r1 holds nodes of the domains z1 and z2; `+
		`a preferred key must be finer than the required one`)
}
