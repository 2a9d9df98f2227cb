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

package schedperf

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
)

const (
	// throughputMetric is scheduler_perf's one-second binding-rate summary
	// (pods/s), computed from its pod informer.
	throughputMetric = "SchedulingThroughput"
	// attemptMetric is the scheduler's attempt latency histogram; scheduler_perf
	// stores its quantiles in ms, one item per result label.
	attemptMetric = "scheduler_scheduling_attempt_duration_seconds"
)

// DataItems is the perf-dash JSON document scheduler_perf writes into
// -data-items-dir (BenchmarkPerfScheduling_benchmark_<topic>_<time>.json).
// Only the fields the summary reads are declared.
type DataItems struct {
	Version   string     `json:"version"`
	DataItems []DataItem `json:"dataItems"`
}

// DataItem is one metric of one workload: Data maps statistics such as
// "Average" and "Perc90" to values in Unit.
type DataItem struct {
	Data   map[string]float64 `json:"data"`
	Unit   string             `json:"unit"`
	Labels map[string]string  `json:"labels,omitempty"`
}

// Stats are the statistics the summary reports for one metric. NaN means the
// file had no value (for example no throughput sample: the workload bound
// every pod within the first one-second sample).
type Stats struct {
	Avg, P50, P90, P99 float64
}

// Run is one workload of one benchmark run.
type Run struct {
	// File is the JSON file the numbers came from.
	File string
	// Workload is scheduler_perf's Name label, e.g.
	// "PlainPods/smoke/namespace-1".
	Workload string
	// Throughput is SchedulingThroughput in pods/s.
	Throughput Stats
	// Attempt is the latency of successful scheduling attempts
	// (result=scheduled) in ms.
	Attempt Stats
}

func nanStats() Stats { return Stats{math.NaN(), math.NaN(), math.NaN(), math.NaN()} }

func statsOf(d map[string]float64) Stats {
	get := func(k string) float64 {
		if v, ok := d[k]; ok {
			return v
		}
		return math.NaN()
	}
	return Stats{Avg: get("Average"), P50: get("Perc50"), P90: get("Perc90"), P99: get("Perc99")}
}

// ParseRuns returns one Run per workload found in a scheduler_perf JSON
// document, in the order the workloads first appear.
func ParseRuns(file string, r io.Reader) ([]Run, error) {
	var doc DataItems
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var runs []Run
	index := map[string]int{}
	runFor := func(name string) *Run {
		i, ok := index[name]
		if !ok {
			i = len(runs)
			index[name] = i
			runs = append(runs, Run{File: file, Workload: name, Throughput: nanStats(), Attempt: nanStats()})
		}
		return &runs[i]
	}
	for _, item := range doc.DataItems {
		name := item.Labels["Name"]
		if name == "" {
			continue
		}
		switch {
		case item.Labels["Metric"] == throughputMetric:
			runFor(name).Throughput = statsOf(item.Data)
		case item.Labels["Metric"] == attemptMetric && item.Labels["result"] == "scheduled":
			runFor(name).Attempt = statsOf(item.Data)
		default:
			// A workload whose throughput could not be measured still
			// gets a row, with no values.
			runFor(name)
		}
	}
	return runs, nil
}

// ReadRuns parses every file with ParseRuns.
func ReadRuns(files []string) ([]Run, error) {
	var all []Run
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		runs, err := ParseRuns(f, fh)
		fh.Close()
		if err != nil {
			return nil, err
		}
		all = append(all, runs...)
	}
	return all, nil
}

// median ignores NaN values and returns NaN if none is left.
func median(xs []float64) float64 {
	var v []float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return math.NaN()
	}
	sort.Float64s(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// Median returns the per-field median of runs (NaN fields ignored).
func Median(runs []Run) Run {
	field := func(get func(Run) float64) float64 {
		xs := make([]float64, len(runs))
		for i, r := range runs {
			xs[i] = get(r)
		}
		return median(xs)
	}
	return Run{
		Throughput: Stats{
			Avg: field(func(r Run) float64 { return r.Throughput.Avg }),
			P50: field(func(r Run) float64 { return r.Throughput.P50 }),
			P90: field(func(r Run) float64 { return r.Throughput.P90 }),
			P99: field(func(r Run) float64 { return r.Throughput.P99 }),
		},
		Attempt: Stats{
			Avg: field(func(r Run) float64 { return r.Attempt.Avg }),
			P50: field(func(r Run) float64 { return r.Attempt.P50 }),
			P90: field(func(r Run) float64 { return r.Attempt.P90 }),
			P99: field(func(r Run) float64 { return r.Attempt.P99 }),
		},
	}
}

func cell(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.1f", v)
}

// WriteSummary writes a Markdown table: one row per run, then, for each
// workload with more than one run, a row of medians.
func WriteSummary(w io.Writer, runs []Run) error {
	var sb strings.Builder
	sb.WriteString("| workload | run | tput avg pods/s | p50 | p90 | p99 | attempt p50 ms | p90 ms | p99 ms |\n")
	sb.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	row := func(workload, run string, r Run) {
		fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", workload, run,
			cell(r.Throughput.Avg), cell(r.Throughput.P50), cell(r.Throughput.P90), cell(r.Throughput.P99),
			cell(r.Attempt.P50), cell(r.Attempt.P90), cell(r.Attempt.P99))
	}
	var order []string
	byWorkload := map[string][]Run{}
	for _, r := range runs {
		if _, ok := byWorkload[r.Workload]; !ok {
			order = append(order, r.Workload)
		}
		byWorkload[r.Workload] = append(byWorkload[r.Workload], r)
	}
	for _, name := range order {
		rs := byWorkload[name]
		for i, r := range rs {
			row(name, fmt.Sprint(i+1), r)
		}
		if len(rs) > 1 {
			row(name, fmt.Sprintf("median of %d", len(rs)), Median(rs))
		}
	}
	_, err := io.WriteString(w, sb.String())
	return err
}
