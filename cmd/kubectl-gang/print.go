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
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"

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

// The output formats that kubectl get handles itself rather than through
// genericclioptions.PrintFlags; all others (json, yaml, kyaml, name,
// jsonpath..., go-template...) are cli-runtime's.
const (
	outputTable             = ""
	outputWide              = "wide"
	outputCustomColumns     = "custom-columns"
	outputCustomColumnsFile = "custom-columns-file"
)

// gangKind is the kind -o name gives each row: gang.gangsched.io/NAME.
const gangKind = "Gang"

// printFlags are kubectl get's output flags, for gangs: cli-runtime's
// PrintFlags, plus what kubectl get adds on its own (the table, wide and
// custom-columns formats, --no-headers, --sort-by). kubectl keeps those in
// k8s.io/kubectl/pkg/cmd/get, whose imports (kubectl's whole command
// tree and API scheme) would double the binary; columns.go follows their
// rules in a few lines on top of client-go's jsonpath.
type printFlags struct {
	generic   *genericclioptions.PrintFlags
	noHeaders bool
	sortBy    string
}

func newPrintFlags() *printFlags {
	return &printFlags{generic: genericclioptions.NewPrintFlags("")}
}

// allowedFormats lists every -o value, sorted.
func (f *printFlags) allowedFormats() []string {
	formats := append([]string{outputWide, outputCustomColumns, outputCustomColumnsFile}, f.generic.AllowedFormats()...)
	slices.Sort(formats)
	return formats
}

// addFlags adds -o and the template flags (cli-runtime's), --no-headers and
// --sort-by (with kubectl get's help text).
func (f *printFlags) addFlags(cmd *cobra.Command) {
	f.generic.AddFlags(cmd)
	cmd.Flags().Lookup("output").Usage = fmt.Sprintf("Output format. One of: (%s). Default: the table.", strings.Join(f.allowedFormats(), ", "))
	cmd.Flags().BoolVar(&f.noHeaders, "no-headers", false, "When using the default or custom-column output format, don't print headers (default print headers).")
	cmd.Flags().StringVar(&f.sortBy, "sort-by", "", "If non-empty, sort the gangs using this field specification. The field specification is expressed as a JSONPath expression on an item of -o json (e.g. '{.pods}'). The field must be an integer or a string.")
}

// toPrinter checks the flags and returns the printer they ask for.
func (f *printFlags) toPrinter(streams genericiooptions.IOStreams) (*printer, error) {
	p := &printer{streams: streams, noHeaders: f.noHeaders}
	if f.sortBy != "" {
		field, err := relaxedJSONPath(f.sortBy)
		if err != nil {
			return nil, fmt.Errorf("--sort-by: %w", err)
		}
		if p.sortBy, err = parseJSONPath("sorting", field); err != nil {
			return nil, fmt.Errorf("--sort-by: %w", err)
		}
	}
	format := *f.generic.OutputFormat
	name, arg, _ := strings.Cut(format, "=")
	switch {
	case format == outputTable && !f.templateFlagSpecified():
		p.format = formatTable
		return p, nil
	case format == outputWide:
		p.format, p.wide = formatTable, true
		return p, nil
	case name == outputCustomColumns || name == outputCustomColumnsFile:
		cols, err := customColumns(name, arg)
		if err != nil {
			return nil, err
		}
		p.format, p.columns = formatColumns, cols
		return p, nil
	}
	generic, err := f.generic.ToPrinter()
	if genericclioptions.IsNoCompatiblePrinterError(err) {
		return nil, genericclioptions.NoCompatiblePrinterError{OutputFormat: &format, AllowedFormats: f.allowedFormats()}
	}
	if err != nil {
		return nil, err
	}
	p.format, p.generic = formatGeneric, generic
	if _, ok := generic.(*printers.NamePrinter); ok {
		p.format = formatName
	}
	return p, nil
}

// templateFlagSpecified reports whether --template is set: as in kubectl, it
// implies -o go-template.
func (f *printFlags) templateFlagSpecified() bool {
	t := f.generic.TemplatePrinterFlags.TemplateArgument
	return t != nil && *t != ""
}

// format is how a printer prints.
type format int

const (
	// formatTable is the table, and with wide its last four columns.
	formatTable format = iota
	// formatColumns is -o custom-columns.
	formatColumns
	// formatName is -o name: one gang.gangsched.io/NAME line per row.
	formatName
	// formatGeneric is a cli-runtime printer of the GangList (json, yaml,
	// jsonpath, go-template, ...).
	formatGeneric
)

// printer writes rows in one output format. It remembers whether it printed
// before, to separate the tables of --watch.
type printer struct {
	streams   genericiooptions.IOStreams
	format    format
	wide      bool
	noHeaders bool
	columns   []column
	// sortBy, if set, orders the rows (--sort-by).
	sortBy *jsonPath
	// generic prints formatGeneric and formatName; it keeps state across
	// prints (the "---" between YAML documents).
	generic printers.ResourcePrinter
	// namespace is the namespace shown ("" for all): the NAMESPACE column
	// appears only for all, and the empty message names it.
	namespace string
	// workload is the Workload (and PodGroup) filter, for the empty
	// message.
	workload string
	printed  bool
}

// print writes rows, aged at now.
func (p *printer) print(rows []gangview.Row, now time.Time) error {
	again := p.printed
	p.printed = true
	if p.sortBy != nil {
		var err error
		if rows, err = sortRows(rows, p.sortBy); err != nil {
			return err
		}
	}
	switch p.format {
	case formatGeneric:
		return p.generic.PrintObj(gangview.NewList(rows), p.streams.Out)
	case formatName:
		return p.generic.PrintObj(nameList(rows), p.streams.Out)
	}
	if len(rows) == 0 {
		// As kubectl: tables say "nothing" on stderr, so stdout stays parseable.
		_, err := fmt.Fprintln(p.streams.ErrOut, p.emptyMessage())
		return err
	}
	if again {
		fmt.Fprintln(p.streams.Out)
	}
	if p.format == formatColumns {
		return printColumns(p.streams.Out, p.columns, rows, p.noHeaders)
	}
	// A new printer each time: it would leave out the header of a table
	// that has the same columns as the one before, and --watch prints whole
	// tables.
	table := printers.NewTablePrinter(printers.PrintOptions{Wide: p.wide, NoHeaders: p.noHeaders})
	return table.PrintObj(p.table(rows, now), p.streams.Out)
}

// showsDomains reports whether the output can show a gang's topology
// domains: not the table without -o wide (unless sorted by a field), nor
// -o name.
func (p *printer) showsDomains() bool {
	switch p.format {
	case formatName:
		return false
	case formatTable:
		return p.wide || p.sortBy != nil
	}
	return true
}

// emptyMessage says that nothing matched, like kubectl's "No resources found".
func (p *printer) emptyMessage() string {
	msg := "No gangs found"
	if p.workload != "" {
		msg += " of Workload or PodGroup " + p.workload
	}
	if p.namespace != "" {
		msg += " in " + p.namespace + " namespace"
	}
	return msg + "."
}

// Columns of the table; the wide ones have priority 1, as in the tables an
// API server returns to kubectl get.
//
// Source comes after Status: the gang's names (Workload, PodGroup,
// Replica-Key) stay the first columns, as scripts reading the table (and
// the regular expressions of tests) expect, and the counts stay together.
var (
	namespaceColumn = metav1.TableColumnDefinition{Name: "Namespace", Type: "string", Description: "The gang's namespace."}
	tableColumns    = []metav1.TableColumnDefinition{
		{Name: "Workload", Type: "string", Description: "The Workload the members reference; <none> for a PodGroup."},
		{Name: "PodGroup", Type: "string", Description: "The podGroup of the Workload, or the PodGroup the members join."},
		{Name: "Replica-Key", Type: "string", Description: "The members' podGroupReplicaKey."},
		{Name: "Policy", Type: "string", Description: "gang or basic; unknown while the Workload or podGroup (or the PodGroup) is missing."},
		{Name: "Min", Type: "string", Description: "The gang's minCount (a PodGroup's minMember)."},
		{Name: "Pods", Type: "integer", Description: "Live members."},
		{Name: "Bound", Type: "integer", Description: "Live members with a node."},
		{Name: "Status", Type: "string", Description: "Where the gang stands."},
		{Name: "Source", Type: "string", Description: "The API that declares the gang: Workload or PodGroup."},
		{Name: "Age", Type: "string", Description: "The Workload's (or PodGroup's) age, or the oldest member's while it is missing."},
		{Name: "Nodes", Type: "string", Priority: 1, Description: "Nodes of the bound members."},
		{Name: "Domain", Type: "string", Priority: 1, Description: "For a gang whose Workload asks a topology: the node label key and the values of the bound members' nodes."},
		{Name: "Pending", Type: "string", Priority: 1, Description: "Members without a node."},
		{Name: "Message", Type: "string", Priority: 1, Description: "What the gang waits for, in the scheduler's words."},
	}
)

// table returns the rows as the metav1.Table that cli-runtime's table
// printer prints (default and -o wide).
func (p *printer) table(rows []gangview.Row, now time.Time) *metav1.Table {
	allNamespaces := p.namespace == ""
	t := &metav1.Table{ColumnDefinitions: tableColumns}
	if allNamespaces {
		t.ColumnDefinitions = append([]metav1.TableColumnDefinition{namespaceColumn}, tableColumns...)
	}
	for _, r := range rows {
		cells := []any{orNone(r.Workload), r.PodGroup, orNone(r.ReplicaKey), policyCell(r.Policy), minCell(r),
			r.Pods, r.Bound, r.Status, r.Source.String(), age(r, now), listCell(r.Nodes), domainCell(r), listCell(r.PendingPods), orNone(oneLine(r.Message))}
		if allNamespaces {
			cells = append([]any{r.Namespace}, cells...)
		}
		t.Rows = append(t.Rows, metav1.TableRow{Cells: cells})
	}
	return t
}

// nameList returns the rows as objects of kind Gang, named
// WORKLOAD/PODGROUP[REPLICA-KEY], or PODGROUP for a PodGroup (as the
// scheduler's messages name a gang, without the namespace, as -o name
// leaves it out), for -o name. A Workload's gang has a slash in its name
// and a PodGroup's has none, so the two never read alike.
func nameList(rows []gangview.Row) *unstructured.UnstructuredList {
	list := &unstructured.UnstructuredList{}
	list.SetAPIVersion(gangview.ListAPIVersion)
	list.SetKind(gangview.ListKind)
	for _, r := range rows {
		u := unstructured.Unstructured{}
		u.SetAPIVersion(gangview.ListAPIVersion)
		u.SetKind(gangKind)
		u.SetNamespace(r.Namespace)
		// The name is the gang's key without its namespace.
		u.SetName(strings.TrimPrefix(r.Key().String(), r.Namespace+"/"))
		list.Items = append(list.Items, u)
	}
	return list
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

// domainCell is KEY=VALUE,... for a gang that asks a topology and has bound
// members (KEY=<none> when none of their nodes has the label), <unknown>
// when the nodes could not be read, else <none>.
func domainCell(r gangview.Row) string {
	switch {
	case r.DomainsUnknown:
		return unknown
	case r.TopologyKey == "" || len(r.Nodes) == 0:
		return none
	}
	return r.TopologyKey + "=" + listCell(r.Domains)
}

// oneLine keeps a message from breaking the table (the table printer would
// cut it at the first line break).
func oneLine(s string) string {
	return strings.NewReplacer("\n", " ", "\t", " ").Replace(s)
}
