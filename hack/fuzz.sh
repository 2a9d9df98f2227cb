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


# Fuzzes the gang group state (FuzzStore in pkg/workloadgang/groupstate): Go
# native fuzzing explores new orders of informer events and scheduler
# callbacks beyond the committed seeds (which every go test run replays).
#
# Usage: hack/fuzz.sh [extra go test flags, e.g. -parallel 1]
# Env: FUZZTIME  how long to fuzz, as go test -fuzztime takes it (default 30s;
#                for example 5m, or 100000x for a number of executions); 0
#                skips fuzzing (go test would take 0 as "forever").
# The first run builds the dependencies with coverage instrumentation (a few
# minutes on 2 cores, cached afterwards). On a failure, go test writes the
# failing input to pkg/workloadgang/groupstate/testdata/fuzz/FuzzStore/ and
# prints how to replay it; the script exits non-zero.

set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "${ROOT}"
fuzztime="${FUZZTIME:-30s}"
pkg=./pkg/workloadgang/groupstate/
if [[ "${fuzztime}" == 0 ]]; then
  gangsched::log "fuzz: skipped (FUZZTIME=0)"
  exit 0
fi

gangsched::log "fuzz: FuzzStore in ${pkg} for ${fuzztime}"
start=$(date +%s)
set +o errexit
go test -run '^$' -fuzz '^FuzzStore$' -fuzztime "${fuzztime}" "$@" "${pkg}"
rc=$?
set -o errexit
if [[ "${rc}" -ne 0 ]]; then
  gangsched::log "fuzz: FAILED after $(gangsched::elapsed_since "${start}")s; the failing input is under ${pkg}testdata/fuzz/FuzzStore/ (replay: go test -run 'FuzzStore/<file>' ${pkg})"
  exit "${rc}"
fi
gangsched::log "fuzz: OK in $(gangsched::elapsed_since "${start}")s"
