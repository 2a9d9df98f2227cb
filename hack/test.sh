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


# Runs the tests: builds the control plane binaries (etcd, kube-apiserver,
# gangsched) into _output/bin, exports GANGSCHED_BIN_DIR and runs go test with
# the race detector in ONE invocation, so shared dependencies compile once.
#
# Usage: hack/test.sh [all|unit|integration] [extra go test args...]
#   all          every package (default)
#   unit         every package outside test/, with -short (no binaries are
#                built; tests that need them skip under -short)
#   integration  the packages under test/ and hack/localup (needs the binaries)
# Env: GO_TEST_TIMEOUT (default 45m), GO_TEST_FLAGS (extra flags), FUZZTIME
# (default 30s; 0 skips the fuzzing).
# In modes all and unit, hack/fuzz.sh then fuzzes the group state for
# FUZZTIME (output in _output/fuzz.log); its failure fails the script.
# Prints a summary line "N passed, N failed, N skipped" at the end; the full
# verbose output is also kept in _output/test.log.

set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mode="${1:-all}"
if [[ $# -gt 0 ]]; then shift; fi
case "${mode}" in
  all|unit|integration) ;;
  *) gangsched::fatal "unknown mode ${mode} (want all, unit or integration)" ;;
esac

cd "${ROOT}"
start_all=$(date +%s)

if [[ "${mode}" != unit ]]; then
  "${ROOT}/hack/build-controlplane.sh"
  export GANGSCHED_BIN_DIR="${BIN_DIR}"
fi

# Integration packages: everything under test/, internal/controlplane (its
# tests start the real binaries) and hack/localup (its demo test runs make
# run's code against the real binaries).
is_integration() {
  [[ "$1" == */test/* || "$1" == */internal/controlplane || "$1" == */hack/localup ]]
}
mapfile -t all_pkgs < <(go list ./...)
pkgs=()
for p in "${all_pkgs[@]}"; do
  case "${mode}" in
    # hack/localup is in both: its unit tests are cheap, its demo test skips under -short.
    unit) [[ "${p}" == */test/* ]] || pkgs+=("${p}") ;;
    integration) is_integration "${p}" && pkgs+=("${p}") ;;
    all) pkgs+=("${p}") ;;
  esac
done
if [[ ${#pkgs[@]} -eq 0 ]]; then
  gangsched::fatal "no packages to test for mode ${mode}"
fi

short=()
if [[ "${mode}" == unit ]]; then
  short=(-short)
fi

mkdir -p "${OUTPUT_DIR}"
log="${OUTPUT_DIR}/test.log"
gangsched::log "go test (${mode}): ${#pkgs[@]} packages; log ${log}"
start_test=$(date +%s)
set +o errexit
# shellcheck disable=SC2086 # GO_TEST_FLAGS is a list of flags.
go test -race -count=1 -timeout "${GO_TEST_TIMEOUT:-45m}" -v ${short[@]+"${short[@]}"} ${GO_TEST_FLAGS:-} "$@" "${pkgs[@]}" 2>&1 | tee "${log}"
rc=${PIPESTATUS[0]}
set -o errexit

# Fuzz the group state briefly: go test above replayed the committed seeds;
# this explores new orders of informer events and scheduler callbacks.
fuzz_rc=0
fuzz_log="${OUTPUT_DIR}/fuzz.log"
if [[ "${mode}" != integration ]]; then
  set +o errexit
  FUZZTIME="${FUZZTIME:-30s}" "${ROOT}/hack/fuzz.sh" 2>&1 | tee "${fuzz_log}"
  fuzz_rc=${PIPESTATUS[0]}
  set -o errexit
fi

# Summary. Subtests are counted too (their result lines are indented).
count() { grep -cE "^[[:space:]]*--- $1: " "${log}" || true; }
passed=$(count PASS)
failed=$(count FAIL)
skipped=$(count SKIP)
pkg_ok=$(grep -cE '^ok[[:space:]]' "${log}" || true)
pkg_fail=$(grep -cE '^FAIL[[:space:]]+[^[:space:]]+' "${log}" || true)
pkg_none=$(grep -cE '^\?[[:space:]].*\[no test files\]' "${log}" || true)

echo
echo "==================== test summary (${mode}) ===================="
echo "packages: ${pkg_ok} ok, ${pkg_fail} failed, ${pkg_none} without tests"
if [[ "${failed}" -gt 0 ]]; then
  echo "failed tests:"
  grep -E "^[[:space:]]*--- FAIL: " "${log}" | sed 's/^[[:space:]]*/  /'
  # Why they failed: testify's Error/Messages lines and t.Fatal/t.Error
  # lines, so that a CI log cut to its tail still says it.
  echo "failures (first 60 lines):"
  grep -E -A2 "^[[:space:]]+(Error:|Messages:)|^[[:space:]]+[a-z_]+_test\.go:[0-9]+: .*(FAIL|fail|want|expected|timed out|deadline)" "${log}" \
    | grep -vE "^[[:space:]]+Test:" | head -60 | sed 's/^[[:space:]]*/  /'
fi
if [[ "${skipped}" -gt 0 ]]; then
  echo "skipped tests:"
  grep -E "^[[:space:]]*--- SKIP: " "${log}" | sed 's/^[[:space:]]*/  /'
fi
echo "go test: $(gangsched::elapsed_since "${start_test}")s; total with build: $(gangsched::elapsed_since "${start_all}")s; exit code ${rc}"
if [[ "${rc}" -ne 0 && "${failed}" -eq 0 ]]; then
  echo "go test failed without a failing test (build error, panic or timeout?): see ${log}"
fi
if [[ "${mode}" != integration ]]; then
  echo "fuzz (FuzzStore, ${FUZZTIME:-30s}): exit code ${fuzz_rc}; log ${fuzz_log}"
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [[ "${rc}" -eq 0 ]]; then
  rc=${fuzz_rc}
fi
exit "${rc}"
