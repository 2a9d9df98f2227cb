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
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// doc is shaped like a real scheduler_perf file: every item carries every
// label, missing ones as "not applicable".
const doc = `{
  "version": "v1",
  "dataItems": [
    {"data": {"Average": 101.5, "Perc50": 100, "Perc90": 140, "Perc95": 150, "Perc99": 160}, "unit": "pods/s",
     "labels": {"Metric": "SchedulingThroughput", "Name": "PlainPods/plain/namespace-1", "result": "not applicable"}},
    {"data": {"Average": 9, "Perc50": 5, "Perc90": 20, "Perc95": 30, "Perc99": 40}, "unit": "ms",
     "labels": {"Metric": "scheduler_scheduling_attempt_duration_seconds", "Name": "PlainPods/plain/namespace-1", "result": "scheduled"}},
    {"data": {"Average": 900, "Perc50": 800, "Perc90": 950, "Perc95": 990, "Perc99": 999}, "unit": "ms",
     "labels": {"Metric": "scheduler_scheduling_attempt_duration_seconds", "Name": "PlainPods/plain/namespace-1", "result": "unschedulable"}},
    {"data": {"Average": 1, "Perc50": 1, "Perc90": 2, "Perc95": 2, "Perc99": 3}, "unit": "ms",
     "labels": {"Metric": "scheduler_pod_scheduling_duration_seconds", "Name": "PlainPods/plain/namespace-1", "result": "not applicable"}},
    {"data": null, "unit": "",
     "labels": {"Metric": "not applicable", "Name": "PlainPods/smoke/namespace-1", "result": "not applicable"}},
    {"data": {"Average": 3, "Perc50": 2, "Perc90": 4, "Perc95": 5, "Perc99": 6}, "unit": "ms",
     "labels": {"Metric": "scheduler_scheduling_attempt_duration_seconds", "Name": "PlainPods/smoke/namespace-1", "result": "scheduled"}}
  ]
}`

func TestParseRuns(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name    string
		input   string
		want    []Run
		wantErr bool
	}{
		{
			name:  "throughput and scheduled attempts per workload; other results and metrics ignored",
			input: doc,
			want: []Run{
				{File: "f.json", Workload: "PlainPods/plain/namespace-1",
					Throughput: Stats{Avg: 101.5, P50: 100, P90: 140, P99: 160}, Attempt: Stats{Avg: 9, P50: 5, P90: 20, P99: 40}},
				{File: "f.json", Workload: "PlainPods/smoke/namespace-1",
					Throughput: Stats{nan, nan, nan, nan}, Attempt: Stats{Avg: 3, P50: 2, P90: 4, P99: 6}},
			},
		},
		{
			name:  "no data items",
			input: `{"version": "v1", "dataItems": []}`,
		},
		{
			name:    "not JSON",
			input:   `PASS`,
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRuns("f.json", strings.NewReader(tt.input))
			if tt.wantErr {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "f.json")
				return
			}
			require.NoError(t, err)
			require.Len(t, got, len(tt.want))
			for i := range tt.want {
				assert.Equal(t, tt.want[i].File, got[i].File)
				assert.Equal(t, tt.want[i].Workload, got[i].Workload)
				assertStats(t, tt.want[i].Throughput, got[i].Throughput)
				assertStats(t, tt.want[i].Attempt, got[i].Attempt)
			}
		})
	}
}

// assertStats compares field by field; NaN must match NaN.
func assertStats(t *testing.T, want, got Stats) {
	t.Helper()
	w := []float64{want.Avg, want.P50, want.P90, want.P99}
	g := []float64{got.Avg, got.P50, got.P90, got.P99}
	for i := range w {
		if math.IsNaN(w[i]) {
			assert.True(t, math.IsNaN(g[i]), "field %d: want NaN, got %v", i, g[i])
			continue
		}
		assert.InDelta(t, w[i], g[i], 1e-9, "field %d", i)
	}
}

func TestMedian(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		in   []float64
		want float64
	}{
		{name: "odd count", in: []float64{3, 1, 2}, want: 2},
		{name: "even count averages the middle two", in: []float64{4, 1, 3, 2}, want: 2.5},
		{name: "NaN ignored", in: []float64{nan, 5, 7, nan, 6}, want: 6},
		{name: "all NaN", in: []float64{nan, nan}, want: nan},
		{name: "empty", want: nan},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := median(tt.in)
			if math.IsNaN(tt.want) {
				assert.True(t, math.IsNaN(got), "got %v", got)
				return
			}
			assert.InDelta(t, tt.want, got, 1e-9)
		})
	}
}

func TestWriteSummary(t *testing.T) {
	nan := math.NaN()
	runs := []Run{
		{Workload: "PlainPods/plain/namespace-1", Throughput: Stats{100, 90, 150, 200}, Attempt: Stats{10, 5, 20, 40}},
		{Workload: "PlainPods/plain/namespace-1", Throughput: Stats{120, 110, 170, 220}, Attempt: Stats{12, 7, 22, 42}},
		{Workload: "PlainPods/plain/namespace-1", Throughput: Stats{nan, nan, nan, nan}, Attempt: Stats{14, 9, 24, 44}},
		{Workload: "PlainPods/smoke/namespace-1", Throughput: Stats{50, 50, 60, 70}, Attempt: Stats{1, 1, 2, 3}},
	}
	var sb strings.Builder
	require.NoError(t, WriteSummary(&sb, runs))
	lines := strings.Split(strings.TrimSpace(sb.String()), "\n")
	want := []string{
		"| workload | run | tput avg pods/s | p50 | p90 | p99 | attempt p50 ms | p90 ms | p99 ms |",
		"|---|---|---|---|---|---|---|---|---|",
		"| PlainPods/plain/namespace-1 | 1 | 100.0 | 90.0 | 150.0 | 200.0 | 5.0 | 20.0 | 40.0 |",
		"| PlainPods/plain/namespace-1 | 2 | 120.0 | 110.0 | 170.0 | 220.0 | 7.0 | 22.0 | 42.0 |",
		"| PlainPods/plain/namespace-1 | 3 | – | – | – | – | 9.0 | 24.0 | 44.0 |",
		// Throughput medians over the two runs that have it.
		"| PlainPods/plain/namespace-1 | median of 3 | 110.0 | 100.0 | 160.0 | 210.0 | 7.0 | 22.0 | 42.0 |",
		// A single run gets no median row.
		"| PlainPods/smoke/namespace-1 | 1 | 50.0 | 50.0 | 60.0 | 70.0 | 1.0 | 2.0 | 3.0 |",
	}
	assert.Equal(t, want, lines)
}
