#!/usr/bin/env bash
# Copyright 2026 The gangsched Authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.


# Cross-check of make bench's case A (plain pods, upstream default plugins)
# with upstream's scheduler_perf harness on the same node and pod shapes
# (test/perf/schedperf/testdata). See docs/performance.md.
#
# Usage: hack/bench-schedperf.sh [extra test binary flags, e.g. -v=0]
# Env:
#   SCHEDPERF_WORKLOAD  plain (500 nodes, 3,000 pods; default) or smoke
#                       (20 nodes, 200 pods)
#   SCHEDPERF_RUNS      runs, each a fresh process, etcd and API server (default 3)
#   SCHEDPERF_TIMEOUT   test binary timeout per run (default 1h)
# Results: _output/bench/<UTC time>-schedperf-<workload>/run-NN/ (scheduler_perf
# JSON, .dat progress file, bench.log) and summary.md, printed too.

set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

workload="${SCHEDPERF_WORKLOAD:-plain}"
runs="${SCHEDPERF_RUNS:-3}"
timeout="${SCHEDPERF_TIMEOUT:-1h}"

case "${workload}" in
  plain|smoke) ;;
  *) gangsched::fatal "SCHEDPERF_WORKLOAD=${workload}: want plain or smoke" ;;
esac
[[ "${runs}" =~ ^[1-9][0-9]*$ ]] || gangsched::fatal "SCHEDPERF_RUNS=${runs}: want a positive integer"

cd "${ROOT}"
start_all=$(date +%s)
# scheduler_perf runs kube-apiserver in process but starts etcd from PATH.
"${ROOT}/hack/build-controlplane.sh" etcd
export PATH="${BIN_DIR}:${PATH}"

bench_root="${OUTPUT_DIR}/bench"
out="${bench_root}/$(date -u +%Y%m%d-%H%M%S)-schedperf-${workload}"
mkdir -p "${out}"
bin="${bench_root}/schedperf.test"
# Without -race: the numbers are compared with make bench, which has none.
gangsched::log "building the scheduler_perf benchmark ${bin} (-tags schedperf)"
start=$(date +%s)
go test -c -tags schedperf -o "${bin}" ./test/perf/schedperf
gangsched::log "built in $(gangsched::elapsed_since "${start}")s"

gangsched::log "scheduler_perf: workload ${workload}, ${runs} runs; results in ${out}"
for ((i = 1; i <= runs; i++)); do
  run_dir="${out}/$(printf 'run-%02d' "${i}")"
  mkdir -p "${run_dir}"
  start=$(date +%s)
  # The binary runs in its package directory (testdata/ paths are relative).
  # b.Log output, including scheduler_perf's full klog dump, is always
  # printed for benchmarks, so it goes to bench.log.
  if ! (cd "${ROOT}/test/perf/schedperf" && "${bin}" -test.run '^$' \
    -test.bench "^BenchmarkPerfScheduling\$/^PlainPods\$/^${workload}\$" -test.benchtime 1x \
    -test.timeout "${timeout}" -perf-scheduling-label-filter performance \
    -data-items-dir "${run_dir}" "$@") > "${run_dir}/bench.log" 2>&1; then
    tail -n 40 "${run_dir}/bench.log" >&2
    gangsched::fatal "run ${i} failed; see ${run_dir}/bench.log"
  fi
  gangsched::log "run ${i}/${runs} done in $(gangsched::elapsed_since "${start}")s"
done

go run ./test/perf/schedperf/summarize "${out}" | tee "${out}/summary.md"
gangsched::log "done in $(gangsched::elapsed_since "${start_all}")s; results in ${out}"
