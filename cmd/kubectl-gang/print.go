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

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"k8s.io/apimachinery/pkg/util/duration"
	"sigs.k8s.io/yaml"

	"github.com/gangsched/gangsched/pkg/gangview"
)

// Placeholders for empty cells, as kubectl prints them.
const (
	none    = "<none>"
	unknown = "<unknown>"
)

// maxListed is how many nodes or pods a wide cell names before it counts the
// rest: a gang of a thousand pods stays one readable line.
const maxListed = 3

// printer writes rows in one output format. It remembers whether it printed
// before, to separate the documents of --watch.
type printer struct {
	out, errOut io.Writer
	format      string
	// namespace is the namespace shown ("" for all): the NAMESPACE column
	// appears only for all, and the empty message names it.
	namespace string
	// workload is the Workload filter, for the empty message.
	workload string
	printed  bool
}

// print writes rows, aged at now.
func (p *printer) print(rows []gangview.Row, now time.Time) error {
	again := p.printed
	p.printed = true
	switch p.format {
	case outputJSON:
		b, err := json.MarshalIndent(gangview.NewList(rows), "", "    ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(p.out, "%s\n", b)
		return err
	case outputYAML:
		b, err := yaml.Marshal(gangview.NewList(rows))
		if err != nil {
			return err
		}
		if again {
			fmt.Fprintln(p.out, "---")
		}
		_, err = p.out.Write(b)
		return err
	}
	if len(rows) == 0 {
		// As kubectl: tables say "nothing" on stderr, so stdout stays parseable.
		_, err := fmt.Fprintln(p.errOut, p.emptyMessage())
		return err
	}
	if again {
		fmt.Fprintln(p.out)
	}
	return p.table(rows, now)
}

// emptyMessage says that nothing matched, like kubectl's "No resources found".
func (p *printer) emptyMessage() string {
	msg := "No gangs found"
	if p.workload != "" {
		msg += " of Workload " + p.workload
	}
	if p.namespace != "" {
		msg += " in " + p.namespace + " namespace"
	}
	return msg + "."
}

// table writes the table and wide formats, aligned as kubectl aligns them.
func (p *printer) table(rows []gangview.Row, now time.Time) error {
	wide := p.format == outputWide
	allNamespaces := p.namespace == ""
	tw := tabwriter.NewWriter(p.out, 6, 4, 3, ' ', 0)
	header := []string{"WORKLOAD", "PODGROUP", "REPLICA-KEY", "POLICY", "MIN", "PODS", "BOUND", "STATUS", "AGE"}
	if allNamespaces {
		header = append([]string{"NAMESPACE"}, header...)
	}
	if wide {
		header = append(header, "NODES", "PENDING", "MESSAGE")
	}
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		cells := []string{r.Workload, r.PodGroup, orNone(r.ReplicaKey), policyCell(r.Policy), minCell(r),
			strconv.Itoa(r.Pods), strconv.Itoa(r.Bound), r.Status, age(r, now)}
		if allNamespaces {
			cells = append([]string{r.Namespace}, cells...)
		}
		if wide {
			cells = append(cells, listCell(r.Nodes), listCell(r.PendingPods), orNone(oneLine(r.Message)))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

func orNone(s string) string {
	if s == "" {
		return none
	}
	return s
}

func policyCell(p gangview.Policy) string {
	if p == gangview.PolicyUnknown {
		return unknown
	}
	return string(p)
}

// minCell is the gang's minCount; a basic group has none, and a group whose
// Workload or podGroup is missing has an unknown one.
func minCell(r gangview.Row) string {
	switch r.Policy {
	case gangview.PolicyGang:
		return strconv.Itoa(r.MinCount)
	case gangview.PolicyUnknown:
		return unknown
	}
	return none
}

// age is the row's age as kubectl words it (2m, 3h4m, 5d).
func age(r gangview.Row, now time.Time) string {
	if r.Created.IsZero() {
		return unknown
	}
	return duration.HumanDuration(now.Sub(r.Created.Time))
}

// listCell names up to maxListed items and counts the rest.
func listCell(items []string) string {
	if len(items) == 0 {
		return none
	}
	if len(items) <= maxListed {
		return strings.Join(items, ",")
	}
	return fmt.Sprintf("%s +%d more", strings.Join(items[:maxListed], ","), len(items)-maxListed)
}

// oneLine keeps a message from breaking the table.
func oneLine(s string) string {
	return strings.NewReplacer("\n", " ", "\t", " ").Replace(s)
}
