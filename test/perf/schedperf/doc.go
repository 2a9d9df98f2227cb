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

// Package schedperf cross-checks case A of test/perf (plain pods, upstream
// default plugins) against upstream's scheduler_perf harness
// (k8s.io/kubernetes/test/integration/scheduler_perf) on the same node and
// pod shapes, and summarizes the perf-dash JSON it writes.
//
// The benchmark itself is behind the schedperf build tag: importing
// scheduler_perf adds minutes to a cold build, so go test ./... (CI) never
// compiles it. Run it with make bench-schedperf (hack/bench-schedperf.sh).
// Only the summarizer in this file set is built without the tag.
package schedperf
