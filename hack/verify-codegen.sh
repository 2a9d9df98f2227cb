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

# verify-codegen.sh checks that the generated code of the WorkloadGang
# plugin-args API is up to date: it runs hack/update-codegen.sh in a temporary
# copy of the module and diffs the result against the working tree, which is
# left untouched. CODEGEN_VERSION and CODEGEN_BIN are passed through.

set -o errexit
set -o nounset
set -o pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
API_DIR="pkg/apis/config"

tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT

# The generators only load the API packages, so the module files, the API
# tree and the update script are all the copy needs.
mkdir -p "${tmp}/hack" "${tmp}/$(dirname "${API_DIR}")"
cp "${REPO_ROOT}/go.mod" "${REPO_ROOT}/go.sum" "${tmp}/"
cp "${REPO_ROOT}/hack/update-codegen.sh" "${tmp}/hack/"
cp -a "${REPO_ROOT}/${API_DIR}" "${tmp}/${API_DIR}"

"${tmp}/hack/update-codegen.sh"

if diff -Naupr "${REPO_ROOT}/${API_DIR}" "${tmp}/${API_DIR}"; then
  echo "Generated code in ${API_DIR} is up to date."
else
  echo "Generated code in ${API_DIR} is out of date. Run hack/update-codegen.sh." >&2
  exit 1
fi
