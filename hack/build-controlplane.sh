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

# Builds the binaries of the local control plane into _output/bin:
#   etcd            from the nested module hack/etcd (go.etcd.io/etcd/server/v3)
#   kube-apiserver  k8s.io/kubernetes/cmd/kube-apiserver at the version in go.mod
#   gangsched       ./cmd/gangsched
#   kubectl-gang    ./cmd/kubectl-gang (the kubectl plugin; not part of the
#                   control plane, built here so `make build` ships it)
#
# Usage: hack/build-controlplane.sh [etcd|kube-apiserver|gangsched|kubectl-gang]...
# With no arguments all four are built. Relies on the Go build cache, so a
# second run is fast; it never cleans the cache.

set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

want_etcd=false
k8s_pkgs=()
if [[ $# -eq 0 ]]; then
  set -- etcd kube-apiserver gangsched kubectl-gang
fi
for target in "$@"; do
  case "${target}" in
    etcd) want_etcd=true ;;
    kube-apiserver) k8s_pkgs+=("k8s.io/kubernetes/cmd/kube-apiserver") ;;
    gangsched) k8s_pkgs+=("./cmd/gangsched") ;;
    kubectl-gang) k8s_pkgs+=("./cmd/kubectl-gang") ;;
    *) gangsched::fatal "unknown target ${target} (want etcd, kube-apiserver, gangsched or kubectl-gang)" ;;
  esac
done

mkdir -p "${BIN_DIR}"
ldflags="$(gangsched::version_ldflags)"

if [[ "${want_etcd}" == true ]]; then
  start=$(date +%s)
  gangsched::log "building etcd (hack/etcd module)"
  (cd "${ROOT}/hack/etcd" && go build -o "${BIN_DIR}/etcd" go.etcd.io/etcd/server/v3)
  gangsched::log "etcd built in $(gangsched::elapsed_since "${start}")s"
fi

if [[ ${#k8s_pkgs[@]} -gt 0 ]]; then
  start=$(date +%s)
  gangsched::log "building ${k8s_pkgs[*]} ($(gangsched::k8s_version))"
  # One go build for all main packages so shared packages compile once and in
  # parallel; with several packages, -o names a directory.
  if [[ ${#k8s_pkgs[@]} -eq 1 ]]; then
    out="${BIN_DIR}/$(basename "${k8s_pkgs[0]}")"
  else
    out="${BIN_DIR}/"
  fi
  (cd "${ROOT}" && go build -ldflags "${ldflags}" -o "${out}" "${k8s_pkgs[@]}")
  gangsched::log "built in $(gangsched::elapsed_since "${start}")s"
fi

gangsched::log "binaries in ${BIN_DIR}:"
ls -l "${BIN_DIR}" >&2
