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

// Package perf is the scheduling benchmark behind make bench and make
// bench-smoke: plain pods (upstream plugins only) against the same pods as
// gangs under the in-tree 1.35 GangScheduling plugin and under WorkloadGang
// (declared with Workloads, or with scheduler-plugins PodGroups: case C-pg),
// and high-priority gangs and plain pods preempting on nodes full of
// low-priority pods (preemption_test.go, docs/preemption.md), on one real
// etcd and kube-apiserver with fake nodes and an in-process scheduler per
// case. Everything lives in _test.go files and runs only under
// go test -bench; see docs/performance.md for the method and flags.
package perf
