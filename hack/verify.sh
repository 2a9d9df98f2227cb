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


# Static checks: gofmt, license headers, go vet, go mod tidy (main module and
# hack/etcd), staticcheck (pinned), then every other hack/verify-*.sh script.
# Runs all checks and fails at the end if any failed.

set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# staticcheck 2026.2.2; it supports the Go 1.25/1.26 toolchains.
STATICCHECK_VERSION="${STATICCHECK_VERSION:-v0.8.2}"

cd "${ROOT}"
failures=()

run_check() {
  local name="$1"; shift
  gangsched::log "verify: ${name}"
  if "$@"; then
    gangsched::log "verify: ${name}: OK"
  else
    gangsched::log "verify: ${name}: FAILED"
    failures+=("${name}")
  fi
}

go_files() {
  find . -path ./_output -prune -o -path ./.git -prune -o -name '*.go' -type f -print
}

check_gofmt() {
  local out
  out="$(go_files | xargs gofmt -l)"
  if [[ -n "${out}" ]]; then
    echo "gofmt -l lists files that need formatting (run gofmt -w):" >&2
    echo "${out}" >&2
    return 1
  fi
}

check_license() {
  local missing=()
  local f
  while IFS= read -r f; do
    head -n 20 "${f}" | grep -q 'Copyright 20[0-9][0-9] The gangsched Authors' || missing+=("${f}")
  done < <(go_files; find ./hack ./.ci -type f \( -name '*.sh' -o -name run \) 2>/dev/null)
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "files without the gangsched license header:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    return 1
  fi
}

check_vet() {
  go vet ./...
}

check_tidy() {
  local dir rc=0
  for dir in . hack/etcd; do
    if ! (cd "${dir}" && go mod tidy -diff); then
      echo "go mod tidy would change ${dir}/go.mod or go.sum (run: cd ${dir} && go mod tidy)" >&2
      rc=1
    fi
  done
  return "${rc}"
}

check_staticcheck() {
  go run "honnef.co/go/tools/cmd/staticcheck@${STATICCHECK_VERSION}" ./...
}

run_check gofmt check_gofmt
run_check license-headers check_license
run_check "go vet" check_vet
run_check "go mod tidy" check_tidy
run_check "staticcheck ${STATICCHECK_VERSION}" check_staticcheck
for script in "${ROOT}"/hack/verify-*.sh; do
  [[ -e "${script}" ]] || continue
  run_check "$(basename "${script}")" bash "${script}"
done

if [[ ${#failures[@]} -gt 0 ]]; then
  gangsched::log "verify FAILED: ${failures[*]}"
  exit 1
fi
gangsched::log "verify: all checks passed"
