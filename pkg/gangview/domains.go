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

package gangview

import (
	"cmp"
	"slices"

	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
	"github.com/gangsched/gangsched/pkg/gang"
)

// TopologyKey returns the node label key whose domains the gangs of w are
// placed in: the required key if set, else the preferred one. It returns ""
// when w asks no topology or its annotations are invalid (the scheduler
// then places none of its gangs; the Workload's InvalidAnnotation Event and
// the members' message say why).
func TopologyKey(w metav1.Object) string {
	t, err := gang.TopologyOf(w)
	if err != nil {
		return ""
	}
	return cmp.Or(t.Required, t.Preferred)
}

// NeedsNodes reports whether AddDomains would read the labels of a node for
// rows: some row is a gang whose Workload or PodGroup asks a topology and
// has a bound member. Callers read the nodes only then.
func NeedsNodes(rows []Row, workloads []*schedulingv1alpha1.Workload, podGroups []*podgroupv1alpha1.PodGroup) bool {
	keys := topologyKeys(workloads, podGroups)
	return slices.ContainsFunc(rows, func(r Row) bool {
		return len(r.Nodes) > 0 && rowTopologyKey(&r, keys) != ""
	})
}

// AddDomains sets the TopologyKey, Domains and DomainsUnknown of each row
// (those of rows that are not gangs, or whose Workload asks no topology,
// are cleared). nodeLabels maps a node's name to its labels; nil means that
// the nodes could not be read, and every gang that asks a topology and has
// a bound member then says DomainsUnknown. A node missing from a non-nil
// nodeLabels has no label.
func AddDomains(rows []Row, workloads []*schedulingv1alpha1.Workload, podGroups []*podgroupv1alpha1.PodGroup, nodeLabels map[string]map[string]string) {
	keys := topologyKeys(workloads, podGroups)
	for i := range rows {
		r := &rows[i]
		r.TopologyKey = rowTopologyKey(r, keys)
		r.Domains, r.DomainsUnknown = nil, false
		if r.TopologyKey == "" || len(r.Nodes) == 0 {
			continue
		}
		if nodeLabels == nil {
			r.DomainsUnknown = true
			continue
		}
		for _, n := range r.Nodes {
			if v, ok := nodeLabels[n][r.TopologyKey]; ok {
				r.Domains = append(r.Domains, v)
			}
		}
		slices.Sort(r.Domains)
		r.Domains = slices.Compact(r.Domains)
	}
}

// topologyKeys returns the topology key of each Workload that asks one.
func topologyKeys(workloads []*schedulingv1alpha1.Workload, podGroups []*podgroupv1alpha1.PodGroup) map[gang.WorkloadKey]string {
	keys := map[gang.WorkloadKey]string{}
	for _, w := range workloads {
		if k := TopologyKey(w); k != "" {
			keys[gang.WorkloadKey{Namespace: w.Namespace, Name: w.Name}] = k
		}
	}
	for _, pg := range podGroups {
		if k := TopologyKey(pg); k != "" {
			keys[gang.WorkloadKey{Source: gang.SourcePodGroup, Namespace: pg.Namespace, Name: pg.Name}] = k
		}
	}
	return keys
}

// rowTopologyKey is the topology key of a row: only gangs are placed in
// domains (a basic podGroup's pods schedule one by one, wherever they fit).
func rowTopologyKey(r *Row, keys map[gang.WorkloadKey]string) string {
	if r.Policy != PolicyGang {
		return ""
	}
	return keys[r.Key().WorkloadKey()]
}
