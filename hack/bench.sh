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


# Scheduling benchmark (test/perf): plain pods (A) vs the same pods as gangs
# under the in-tree 1.35 GangScheduling plugin (B) and under WorkloadGang (C),
# and as basic groups under WorkloadGang (D), on one real etcd +
# kube-apiserver with fake nodes. See docs/performance.md.
#
# Usage: hack/bench.sh [extra test/perf flags, e.g. -perf.cap=5m]
# Env:
#   BENCH_SHAPES        shapes or sets (default full; smoke is the small one;
#                       topology: racks, case C against C-rack)
#   BENCH_RUNS          measured runs per case (default 3)
#   BENCH_WARMUP        discarded warm-up run per shape (default true)
#   BENCH_CAP           per-run cap; a run not done by then is stuck (default 3m)
#   BENCH_FAIL_ON_STUCK exit non-zero if any run is stuck (default false)
#   BENCH_FAIL_ON_WRITE_BUDGET exit non-zero if a run made more API writes per
#                      bound pod than its case's budget (default false)
#   BENCH_PROFILE       1: afterwards, CPU-profile case C on single-5000 (default 1)
#   BENCH_TIMEOUT       go test timeout (default 3h)
#   BENCH_FRAGMENTATION 1: first, the topology fragmentation run (best fit vs
#                       first fit, a few seconds, no control plane) into
#                       fragmentation.log (default 1, 0 for the smoke shape)
# Results: _output/bench/<time>-<shapes>/results.{md,json}, printed too.

set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

shapes="${BENCH_SHAPES:-full}"
runs="${BENCH_RUNS:-3}"
warmup="${BENCH_WARMUP:-true}"
cap="${BENCH_CAP:-3m}"
fail_on_stuck="${BENCH_FAIL_ON_STUCK:-false}"
fail_on_writes="${BENCH_FAIL_ON_WRITE_BUDGET:-false}"
profile="${BENCH_PROFILE:-1}"
timeout="${BENCH_TIMEOUT:-3h}"
default_fragmentation=1
if [[ "${shapes}" == smoke ]]; then
  default_fragmentation=0
fi
fragmentation="${BENCH_FRAGMENTATION:-${default_fragmentation}}"

cd "${ROOT}"
start_all=$(date +%s)
"${ROOT}/hack/build-controlplane.sh" etcd kube-apiserver
export GANGSCHED_BIN_DIR="${BIN_DIR}"

bench_root="${OUTPUT_DIR}/bench"
out="${bench_root}/$(date -u +%Y%m%d-%H%M%S)-${shapes//,/_}"
mkdir -p "${out}"
bin="${bench_root}/perf.test"
gangsched::log "building the benchmark binary ${bin}"
start=$(date +%s)
go test -c -o "${bin}" ./test/perf
gangsched::log "built in $(gangsched::elapsed_since "${start}")s"

run_bench() {
  # The test binary runs in its package directory, as go test would.
  (cd "${ROOT}/test/perf" && "${bin}" -test.run '^$' -test.bench '^BenchmarkGangScheduling$' \
    -test.benchtime 1x -test.timeout "${timeout}" -test.v "$@")
}

if [[ "${fragmentation}" == 1 ]]; then
  gangsched::log "topology fragmentation run (best fit vs first fit) into ${out}/fragmentation.log"
  # A failed assertion is reported, not fatal to the benchmark.
  { go test -count=1 -run '^TestFragmentation$' -v ./pkg/workloadgang/topology/ 2>&1 || true; } |
    grep -v 'the scheduler starts to work with those plugins' | tee "${out}/fragmentation.log"
fi

gangsched::log "benchmark: shapes ${shapes}, ${runs} runs, cap ${cap}; results in ${out}"
run_bench -perf.shapes="${shapes}" -perf.runs="${runs}" -perf.warmup="${warmup}" -perf.cap="${cap}" \
  -perf.fail-on-stuck="${fail_on_stuck}" -perf.fail-on-write-budget="${fail_on_writes}" -perf.out="${out}" "$@" 2>&1 | tee "${out}/bench.log"

if [[ "${profile}" == 1 ]]; then
  prof="${out}/profile"
  mkdir -p "${prof}"
  gangsched::log "CPU profile of case C on single-5000 into ${prof}"
  run_bench -test.cpuprofile "${prof}/cpu.pprof" -perf.shapes=single-5000 -perf.cases=C -perf.runs=1 \
    -perf.warmup=false -perf.heap=none -perf.cap="${cap}" -perf.out="${prof}" "$@" > "${prof}/bench.log" 2>&1
  go tool pprof -top -nodecount=40 "${bin}" "${prof}/cpu.pprof" > "${prof}/top.txt" 2>/dev/null
  go tool pprof -top -show='github.com/gangsched/gangsched/pkg' "${bin}" "${prof}/cpu.pprof" > "${prof}/top-gangsched.txt" 2>/dev/null
  go tool pprof -top -cum -nodecount=40 -focus='github.com/gangsched/gangsched/pkg' "${bin}" "${prof}/cpu.pprof" > "${prof}/top-cum-gangsched.txt" 2>/dev/null
  echo "--- CPU profile, top overall (${prof}/top.txt)"
  head -n 30 "${prof}/top.txt"
  echo "--- CPU profile, github.com/gangsched frames (${prof}/top-gangsched.txt)"
  head -n 30 "${prof}/top-gangsched.txt"
fi

gangsched::log "done in $(gangsched::elapsed_since "${start_all}")s; results in ${out}"
