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

# Thin wrapper: every target runs a script under hack/.
# Pass extra arguments with ARGS, e.g. make run ARGS="--nodes 8".

SHELL := /usr/bin/env bash
ARGS ?=

.DEFAULT_GOAL := help

.PHONY: help build run down test test-unit test-integration verify clean

help: ## List the targets.
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-18s %s\n", $$1, $$2}'

build: ## Build etcd, kube-apiserver, gangsched and kubectl-gang into _output/bin.
	hack/build-controlplane.sh $(ARGS)

run: ## Start etcd, kube-apiserver, gangsched, fake nodes and the examples; Ctrl-C stops.
	hack/local-up.sh $(ARGS)

down: ## Stop anything `make run` left running.
	hack/down.sh

test: ## Build the binaries and run all tests (unit + integration) with -race.
	hack/test.sh all $(ARGS)

test-unit: ## Run the tests outside test/ (no binaries needed).
	hack/test.sh unit $(ARGS)

test-integration: ## Build the binaries and run the tests under test/.
	hack/test.sh integration $(ARGS)

.PHONY: fuzz

fuzz: ## Fuzz the gang group state for FUZZTIME (default 30s, e.g. FUZZTIME=5m); test and test-unit run it too.
	FUZZTIME="$(FUZZTIME)" hack/fuzz.sh $(ARGS)

verify: ## gofmt, license headers, go vet, go mod tidy, staticcheck, hack/verify-*.sh.
	hack/verify.sh

.PHONY: bench bench-smoke

bench: ## Benchmark plain pods vs gangs (in-tree GangScheduling, WorkloadGang); ~1 h on 2 cores.
	hack/bench.sh $(ARGS)

bench-smoke: ## Small benchmark (< 3 min); fails if any case is stuck.
	hack/bench-smoke.sh $(ARGS)

.PHONY: bench-schedperf

bench-schedperf: ## Cross-check case A with upstream scheduler_perf (SCHEDPERF_WORKLOAD=plain|smoke, SCHEDPERF_RUNS=3).
	hack/bench-schedperf.sh $(ARGS)

clean: ## Stop leftovers and remove _output/ (keeps the Go caches).
	hack/clean.sh
