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

// Package apimetrics reads the API server's own request counters
// (apiserver_request_total from its /metrics), to count the API writes a
// scheduler makes: integration tests and benchmarks hold them to a budget.
package apimetrics

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"k8s.io/client-go/kubernetes"
)

// Writes are write requests (verb POST, PUT, PATCH or DELETE) by
// "VERB resource[/subresource]", summed over every other label.
type Writes map[string]float64

// Read scrapes the API server's /metrics through cs (which must be allowed
// to get the /metrics non-resource URL) and returns its write counters.
func Read(ctx context.Context, cs kubernetes.Interface) (Writes, error) {
	raw, err := cs.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the API server's /metrics: %w", err)
	}
	return Parse(string(raw))
}

// Parse reads the write counters out of a Prometheus text exposition.
func Parse(text string) (Writes, error) {
	const prefix = "apiserver_request_total{"
	out := Writes{}
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		end := strings.LastIndex(line, "}")
		if end < len(prefix) {
			return nil, fmt.Errorf("malformed metric line %q", line)
		}
		labels := parseLabels(line[len(prefix):end])
		switch labels["verb"] {
		case "POST", "PUT", "PATCH", "DELETE":
		default:
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(line[end+1:]), 64)
		if err != nil {
			return nil, fmt.Errorf("metric line %q: %w", line, err)
		}
		key := labels["verb"] + " " + labels["resource"]
		if sub := labels["subresource"]; sub != "" {
			key += "/" + sub
		}
		out[key] += v
	}
	return out, nil
}

// parseLabels parses `a="x",b="y"` (values may hold \" and \\ escapes).
func parseLabels(s string) map[string]string {
	out := map[string]string{}
	for len(s) > 0 {
		eq := strings.Index(s, "=\"")
		if eq < 0 {
			break
		}
		name := strings.TrimLeft(s[:eq], ",")
		s = s[eq+2:]
		var v strings.Builder
		i := 0
		for ; i < len(s) && s[i] != '"'; i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
			}
			v.WriteByte(s[i])
		}
		out[name] = v.String()
		if i >= len(s) {
			break
		}
		s = s[i+1:]
	}
	return out
}

// Scheduler keeps, of the writes since before, those a scheduler makes for
// the pods it places: bindings, pod status writes (conditions,
// nominatedNodeName) and Events. It leaves out the pods and Workloads a
// test or benchmark creates and deletes itself.
func (w Writes) Scheduler(before Writes) Writes {
	out := Writes{}
	for k, v := range w {
		d := v - before[k]
		if d > 0 && (strings.HasSuffix(k, " pods/binding") || strings.HasSuffix(k, " pods/status") || strings.HasSuffix(k, " events")) {
			out[k] = d
		}
	}
	return out
}

// Total is the number of writes.
func (w Writes) Total() float64 {
	var n float64
	for _, v := range w {
		n += v
	}
	return n
}

// String lists the writes by kind, sorted: "POST events: 50, ...".
func (w Writes) String() string {
	keys := make([]string, 0, len(w))
	for k := range w {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %.0f", k, w[k])
	}
	return strings.Join(parts, ", ")
}
