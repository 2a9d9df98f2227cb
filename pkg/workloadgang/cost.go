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
	"math"
	"time"

	v1 "k8s.io/api/core/v1"

	"github.com/gangsched/gangsched/pkg/gang"
)

// victimCost is what a candidate's victims cost, in the terms upstream's
// DefaultPreemption chooses a node by (pickOneNodeForPreemption), with
// every member of a whole gang counted, at the gang's priority.
type victimCost struct {
	// violations are the victims that violate a PodDisruptionBudget.
	violations int
	// top is the highest priority among the victims' units.
	top int32
	// sum is the sum of the victims' priorities, each shifted by
	// MaxInt32+1 so that more victims never cost less.
	sum int64
	// pods is how many pods are evicted.
	pods int
	// start is the earliest start among the units of priority top.
	start time.Time
}

// costOf returns the cost of evicting units, of which violations pods
// violate a budget.
func costOf(units []*victimUnit, violations int) victimCost {
	c := victimCost{violations: violations}
	for i, u := range units {
		if i == 0 || u.priority > c.top {
			c.top, c.start = u.priority, u.start.Time
		} else if u.priority == c.top && u.start.Time.Before(c.start) {
			c.start = u.start.Time
		}
		c.pods += len(u.pods)
		c.sum += int64(len(u.pods)) * (int64(u.priority) + int64(math.MaxInt32+1))
	}
	return c
}

// groupVictims regroups a candidate's victims into units: the members of
// each whole gang (whole reports them) form one, every other pod its own.
func groupVictims(victims []*v1.Pod, whole func(*v1.Pod) (gang.GroupKey, bool)) []*victimUnit {
	var units []*victimUnit
	gangs := map[gang.GroupKey]*victimUnit{}
	for _, p := range victims {
		key, ok := whole(p)
		if !ok {
			units = append(units, singlePod(p))
			continue
		}
		u, ok := gangs[key]
		if !ok {
			u = &victimUnit{key: key, whole: true}
			gangs[key] = u
			units = append(units, u)
		}
		u.add(p)
	}
	return units
}
