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


# Small benchmark for CI: 20 nodes, 200 pods in gangs of 10, one run of each
# case (A, B, C, D) after one small warm-up run; exits non-zero if any run is
# stuck. Finishes in under 3 minutes from a warm Go build cache.
# Usage: hack/bench-smoke.sh [extra test/perf flags]

set -o errexit -o nounset -o pipefail

BENCH_SHAPES=smoke BENCH_RUNS=1 BENCH_WARMUP=true BENCH_CAP="${BENCH_CAP:-60s}" \
  BENCH_FAIL_ON_STUCK=true BENCH_FAIL_ON_WRITE_BUDGET=true BENCH_PROFILE=0 BENCH_TIMEOUT="${BENCH_TIMEOUT:-10m}" \
  exec "$(dirname "${BASH_SOURCE[0]}")/bench.sh" "$@"
