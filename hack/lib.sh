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

# Shared helpers for the hack/ scripts. Source it; it sets ROOT and friends.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
export ROOT
OUTPUT_DIR="${ROOT}/_output"
BIN_DIR="${OUTPUT_DIR}/bin"
LOCAL_UP_DIR="${OUTPUT_DIR}/local-up"

# gangsched::log prints a timestamped message to stderr.
gangsched::log() {
  echo "[$(date +%H:%M:%S)] $*" >&2
}

# gangsched::fatal prints a message and exits non-zero.
gangsched::fatal() {
  gangsched::log "ERROR: $*"
  exit 1
}

# gangsched::k8s_version prints the k8s.io/kubernetes version pinned in go.mod
# (for example v1.35.4).
gangsched::k8s_version() {
  local v
  v="$(cd "${ROOT}" && awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ { print $2; exit }' go.mod)"
  if [[ -z "${v}" ]]; then
    gangsched::fatal "cannot find the k8s.io/kubernetes version in ${ROOT}/go.mod"
  fi
  echo "${v}"
}

# gangsched::version_ldflags prints -ldflags values that stamp the
# component-base version, so binaries do not report v0.0.0-master.
gangsched::version_ldflags() {
  local v major minor pkg
  v="$(gangsched::k8s_version)"
  major="${v#v}"; major="${major%%.*}"
  minor="${v#v*.}"; minor="${minor%%.*}"
  pkg="k8s.io/component-base/version"
  echo "-X ${pkg}.gitVersion=${v} -X ${pkg}.gitMajor=${major} -X ${pkg}.gitMinor=${minor} -X ${pkg}.gitTreeState=clean"
}

# gangsched::elapsed_since prints whole seconds elapsed since the given
# epoch-seconds timestamp.
gangsched::elapsed_since() {
  echo $(( $(date +%s) - $1 ))
}
