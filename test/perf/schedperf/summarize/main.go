/*
Copyright 2026 The gangsched Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Command summarize prints SchedulingThroughput and scheduling attempt
// latency from the scheduler_perf JSON files under the given directories (or
// the given files), one row per run plus medians. hack/bench-schedperf.sh
// runs it; it has no dependency outside the standard library and schedperf.
package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gangsched/gangsched/test/perf/schedperf"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: summarize DIR|FILE...")
		os.Exit(2)
	}
	var files []string
	for _, arg := range os.Args[1:] {
		found, err := jsonFiles(arg)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		files = append(files, found...)
	}
	if len(files) == 0 {
		fmt.Fprintln(os.Stderr, "no scheduler_perf JSON files found")
		os.Exit(1)
	}
	runs, err := schedperf.ReadRuns(files)
	if err == nil && len(runs) == 0 {
		err = fmt.Errorf("no workload data in %d file(s): did the -test.bench pattern select a workload?", len(files))
	}
	if err == nil {
		err = schedperf.WriteSummary(os.Stdout, runs)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// jsonFiles returns path if it is a file, else the BenchmarkPerfScheduling
// JSON files below it, sorted (their names end in a timestamp; run
// directories sort by run number).
func jsonFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasPrefix(d.Name(), "BenchmarkPerfScheduling") && strings.HasSuffix(d.Name(), ".json") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}
