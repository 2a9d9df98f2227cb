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

package perf

import (
	"math"
	"sort"
	"time"

	"k8s.io/component-base/metrics/legacyregistry"
)

// attemptMetric is the scheduler's histogram of scheduling attempt latency
// (all profiles and results). It is process-global and cumulative: callers
// take a snapshot before and after a run and subtract.
const attemptMetric = "scheduler_scheduling_attempt_duration_seconds"

// histogram is a cumulative histogram: count of samples <= each bound.
type histogram struct {
	bounds []float64
	cum    []uint64
	count  uint64
}

func gatherHistogram(name string) histogram {
	var h histogram
	families, err := legacyregistry.DefaultGatherer.Gather()
	if err != nil {
		return h
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			hist := m.GetHistogram()
			if hist == nil {
				continue
			}
			if h.bounds == nil {
				for _, b := range hist.GetBucket() {
					h.bounds = append(h.bounds, b.GetUpperBound())
				}
				h.cum = make([]uint64, len(h.bounds))
			}
			for i, b := range hist.GetBucket() {
				if i < len(h.cum) {
					h.cum[i] += b.GetCumulativeCount()
				}
			}
			h.count += hist.GetSampleCount()
		}
	}
	return h
}

func (h histogram) minus(before histogram) histogram {
	out := histogram{bounds: h.bounds, cum: make([]uint64, len(h.cum)), count: h.count - before.count}
	for i := range h.cum {
		out.cum[i] = h.cum[i]
		if i < len(before.cum) {
			out.cum[i] -= before.cum[i]
		}
	}
	return out
}

// quantile interpolates linearly inside the bucket, like PromQL's
// histogram_quantile. It returns NaN without samples.
func (h histogram) quantile(q float64) float64 {
	if h.count == 0 || len(h.bounds) == 0 {
		return math.NaN()
	}
	rank := q * float64(h.count)
	prevBound, prevCum := 0.0, uint64(0)
	for i, b := range h.bounds {
		if float64(h.cum[i]) >= rank {
			if math.IsInf(b, 1) {
				return prevBound
			}
			inBucket := float64(h.cum[i] - prevCum)
			if inBucket == 0 {
				return b
			}
			return prevBound + (b-prevBound)*(rank-float64(prevCum))/inBucket
		}
		prevBound, prevCum = b, h.cum[i]
	}
	return prevBound
}

// summary of a sample set.
type summary struct {
	Avg float64 `json:"avg"`
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
}

func summarize(xs []float64) summary {
	if len(xs) == 0 {
		return summary{math.NaN(), math.NaN(), math.NaN(), math.NaN()}
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	sum := 0.0
	for _, x := range s {
		sum += x
	}
	rank := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(s)))) - 1
		if i < 0 {
			i = 0
		}
		return s[i]
	}
	return summary{Avg: sum / float64(len(s)), P50: rank(0.5), P90: rank(0.9), P99: rank(0.99)}
}

// throughputSamples counts pods bound in each whole second after the first
// binding (like scheduler_perf's one-second samples, but intervals with no
// binding count as 0 instead of being merged into the next sample). The
// last, partial second is dropped unless it is the only one.
func throughputSamples(bound []time.Time) []float64 {
	if len(bound) == 0 {
		return nil
	}
	sorted := append([]time.Time(nil), bound...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Before(sorted[j]) })
	first := sorted[0]
	last := sorted[len(sorted)-1]
	whole := int(last.Sub(first) / time.Second)
	if whole == 0 {
		return []float64{float64(len(sorted))}
	}
	samples := make([]float64, whole)
	for _, t := range sorted {
		if i := int(t.Sub(first) / time.Second); i < whole {
			samples[i]++
		}
	}
	return samples
}

func median(xs []float64) float64 {
	var s []float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			s = append(s, x)
		}
	}
	if len(s) == 0 {
		return math.NaN()
	}
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
