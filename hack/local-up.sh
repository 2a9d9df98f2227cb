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


# make run: builds etcd, kube-apiserver, gangsched and hack/localup, then runs
# localup, which starts the control plane and gangsched, creates fake nodes,
# applies manifests/examples and prints a live view until Ctrl-C.
# Arguments are passed to localup, e.g.:
#   hack/local-up.sh --nodes 8
#   hack/local-up.sh --exit-after-demo      # non-interactive smoke test
# State, logs and the kubeconfig are in _output/local-up; hack/down.sh stops
# leftovers.

set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"${ROOT}/hack/build-controlplane.sh"
gangsched::log "building hack/localup"
(cd "${ROOT}" && go build -o "${BIN_DIR}/localup" ./hack/localup)

export GANGSCHED_BIN_DIR="${BIN_DIR}"
exec "${BIN_DIR}/localup" --root "${ROOT}" "$@"
