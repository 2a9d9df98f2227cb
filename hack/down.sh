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


# make down: stops whatever `make run` (hack/localup) left running, using the
# pids recorded in _output/local-up/pids. localup gets SIGTERM first so it can
# stop its children in order; anything still alive after that is terminated,
# then killed. A pid is only signalled while it still runs the recorded
# binary, so a reused pid is never hit.

set -o errexit -o nounset -o pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

pids_file="${LOCAL_UP_DIR}/pids"
if [[ ! -f "${pids_file}" ]]; then
  gangsched::log "nothing to stop (no ${pids_file})"
  exit 0
fi

# alive NAME PID: the process exists and its argv[0] is NAME.
alive() {
  local name="$1" pid="$2" argv0
  [[ -r "/proc/${pid}/cmdline" ]] || return 1
  argv0="$(tr '\0' '\n' < "/proc/${pid}/cmdline" 2>/dev/null | head -n 1)" || return 1
  [[ "$(basename -- "${argv0}")" == "${name}" ]]
}

# wait_gone NAME PID SECONDS: poll until the process is gone or time is up.
wait_gone() {
  local name="$1" pid="$2" deadline=$(( $(date +%s) + $3 ))
  while alive "${name}" "${pid}"; do
    if (( $(date +%s) >= deadline )); then
      return 1
    fi
    sleep 0.2
  done
}

stop_one() {
  local name="$1" pid="$2"
  alive "${name}" "${pid}" || return 0
  gangsched::log "stopping ${name} (pid ${pid})"
  kill -TERM "${pid}" 2>/dev/null || true
  if ! wait_gone "${name}" "${pid}" "$3"; then
    gangsched::log "${name} (pid ${pid}) still running; killing it"
    kill -KILL "${pid}" 2>/dev/null || true
    wait_gone "${name}" "${pid}" 10 || gangsched::fatal "${name} (pid ${pid}) survived SIGKILL"
  fi
}

mapfile -t entries < "${pids_file}"
# localup first: it stops gangsched, kube-apiserver and etcd itself.
for entry in "${entries[@]}"; do
  read -r name pid <<< "${entry}"
  if [[ "${name}" == localup ]]; then
    stop_one "${name}" "${pid}" 40
  fi
done
# Then any leftovers, scheduler before apiserver before etcd.
for want in gangsched kube-apiserver etcd; do
  for entry in "${entries[@]}"; do
    read -r name pid <<< "${entry}"
    if [[ "${name}" == "${want}" ]]; then
      stop_one "${name}" "${pid}" 15
    fi
  done
done
rm -f "${pids_file}"
gangsched::log "stopped; logs kept in ${LOCAL_UP_DIR}/cluster"
