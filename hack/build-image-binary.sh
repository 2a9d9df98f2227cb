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

# Builds the gangsched binary that the container image ships: statically
# linked (CGO_ENABLED=0, so it runs on distroless/static), without local
# paths (-trimpath), and stamped with the same version ldflags as
# hack/build-controlplane.sh (both take them from gangsched::version_ldflags
# in hack/lib.sh, so they cannot drift).
#
# Usage: hack/build-image-binary.sh OUTPUT
# hack/Dockerfile runs it in its builder stage; test/integration
# (TestInstallStaticBinary) runs it here and checks the result.

set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ $# -ne 1 ]]; then
  gangsched::fatal "usage: $0 OUTPUT"
fi
# go build runs in ROOT: make a relative OUTPUT relative to the caller.
mkdir -p "$(dirname "$1")"
out="$(cd "$(dirname "$1")" && pwd -P)/$(basename "$1")"

start=$(date +%s)
gangsched::log "building static ${out} ($(gangsched::k8s_version))"
(cd "${ROOT}" && CGO_ENABLED=0 go build -trimpath -ldflags "$(gangsched::version_ldflags)" -o "${out}" ./cmd/gangsched)
gangsched::log "built in $(gangsched::elapsed_since "${start}")s"
