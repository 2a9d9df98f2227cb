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

// -o custom-columns and --sort-by, with kubectl get's syntax and rules
// (k8s.io/kubectl/pkg/cmd/get: customcolumn.go, sorter.go), evaluated on
// the items of -o json, so that a path works the same in -o jsonpath,
// custom-columns and --sort-by.

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/util/jsonpath"

	"github.com/gangsched/gangsched/pkg/gangview"
)

// relaxedPath matches the field forms kubectl accepts: name1.name2,
// .name1.name2, {name1.name2} and {.name1.name2}.
var relaxedPath = regexp.MustCompile(`^\{\.?([^{}]+)\}$|^\.?([^{}]+)$`)

// relaxedJSONPath turns any form relaxedPath accepts into {.name1.name2}.
func relaxedJSONPath(expr string) (string, error) {
	m := relaxedPath.FindStringSubmatch(expr)
	if m == nil {
		return "", fmt.Errorf("unexpected path string %q, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'", expr)
	}
	return "{." + cmp.Or(m[1], m[2]) + "}", nil
}

// jsonPath is a parsed expression that finds nothing, rather than failing,
// where an item lacks a field (an omitted empty list, say).
type jsonPath struct {
	*jsonpath.JSONPath
	expr string
}

func parseJSONPath(name, expr string) (*jsonPath, error) {
	p := jsonpath.New(name).AllowMissingKeys(true)
	if err := p.Parse(expr); err != nil {
		return nil, err
	}
	return &jsonPath{JSONPath: p, expr: expr}, nil
}

// find returns the values p selects in obj.
func (p *jsonPath) find(obj map[string]any) ([]reflect.Value, error) {
	results, err := p.FindResults(obj)
	if err != nil {
		return nil, err
	}
	var values []reflect.Value
	for _, r := range results {
		values = append(values, r...)
	}
	return values, nil
}

// column is one column of -o custom-columns.
type column struct {
	header string
	path   *jsonPath
}

// customColumns parses -o custom-columns=HEADER:PATH,... or, for
// custom-columns-file, a file of two lines: the headers, then the paths,
// each separated by white space.
func customColumns(format, arg string) ([]column, error) {
	if arg == "" {
		return nil, errors.New("custom-columns format specified but no custom columns given")
	}
	var headers, paths []string
	if format == outputCustomColumns {
		for _, part := range strings.Split(arg, ",") {
			header, path, ok := strings.Cut(part, ":")
			if !ok {
				return nil, fmt.Errorf("unexpected custom-columns spec: %s, expected <header>:<json-path-expr>", part)
			}
			headers, paths = append(headers, header), append(paths, path)
		}
	} else {
		var err error
		if headers, paths, err = readColumnsFile(arg); err != nil {
			return nil, err
		}
	}
	cols := make([]column, len(headers))
	for i := range headers {
		expr, err := relaxedJSONPath(paths[i])
		if err != nil {
			return nil, err
		}
		p, err := parseJSONPath(fmt.Sprintf("column%d", i), expr)
		if err != nil {
			return nil, err
		}
		cols[i] = column{header: headers[i], path: p}
	}
	return cols, nil
}

// readColumnsFile reads a custom-columns-file template.
func readColumnsFile(path string) (headers, paths []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("error reading template %s, %w", path, err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	if !s.Scan() {
		return nil, nil, errors.New("invalid template, missing header line. Expected format is one line of space separated headers, one line of space separated column specs")
	}
	headers = strings.Fields(s.Text())
	if !s.Scan() {
		return nil, nil, errors.New("invalid template, missing spec line. Expected format is one line of space separated headers, one line of space separated column specs")
	}
	paths = strings.Fields(s.Text())
	if len(headers) != len(paths) {
		return nil, nil, fmt.Errorf("number of headers (%d) and field specifications (%d) don't match", len(headers), len(paths))
	}
	return headers, paths, s.Err()
}

// printColumns prints rows in custom columns, aligned as kubectl aligns
// them: a cell joins every value its path selects with commas, and is
// <none> when it selects nothing.
func printColumns(out io.Writer, cols []column, rows []gangview.Row, noHeaders bool) error {
	w := printers.GetNewTabWriter(out)
	if !noHeaders {
		headers := make([]string, len(cols))
		for i, c := range cols {
			headers[i] = c.header
		}
		fmt.Fprintln(w, strings.Join(headers, "\t"))
	}
	for i := range rows {
		obj, err := rowObject(&rows[i])
		if err != nil {
			return err
		}
		cells := make([]string, len(cols))
		for j, c := range cols {
			values, err := c.path.find(obj)
			if err != nil {
				return err
			}
			strs := make([]string, 0, len(values))
			for _, v := range values {
				strs = append(strs, printers.EscapeTerminal(oneLine(fmt.Sprint(v.Interface()))))
			}
			cells[j] = cmp.Or(strings.Join(strs, ","), none)
		}
		fmt.Fprintln(w, strings.Join(cells, "\t"))
	}
	return w.Flush()
}

// sortRows orders rows by the value path selects in each, stably, as
// kubectl's --sort-by does: numbers by value, strings (such as the RFC 3339
// created time) by bytes, rows without the field first. It fails when no
// row has the field, which is a misspelt path more often than not.
func sortRows(rows []gangview.Row, path *jsonPath) ([]gangview.Row, error) {
	type keyed struct {
		row gangview.Row
		key any // nil when the row lacks the field
	}
	items := make([]keyed, len(rows))
	found := false
	for i := range rows {
		obj, err := rowObject(&rows[i])
		if err != nil {
			return nil, err
		}
		values, err := path.find(obj)
		if err != nil {
			return nil, err
		}
		items[i].row = rows[i]
		if len(values) > 0 {
			items[i].key, found = values[0].Interface(), true
		}
	}
	if !found && len(rows) > 0 {
		return nil, fmt.Errorf("couldn't find any field with path %q in the list of gangs", path.expr)
	}
	var sortErr error
	slices.SortStableFunc(items, func(a, b keyed) int {
		c, err := compareValues(a.key, b.key)
		if err != nil && sortErr == nil {
			sortErr = err
		}
		return c
	})
	if sortErr != nil {
		return nil, fmt.Errorf("--sort-by %s: %w", path.expr, sortErr)
	}
	sorted := make([]gangview.Row, len(items))
	for i := range items {
		sorted[i] = items[i].row
	}
	return sorted, nil
}

// compareValues orders the values of one field of two rows (as
// runtime.DefaultUnstructuredConverter gives them: int64, string, bool,
// lists, maps); a missing value comes first.
func compareValues(a, b any) (int, error) {
	switch {
	case a == nil && b == nil:
		return 0, nil
	case a == nil:
		return -1, nil
	case b == nil:
		return 1, nil
	}
	switch x := a.(type) {
	case int64:
		if y, ok := b.(int64); ok {
			return cmp.Compare(x, y), nil
		}
	case float64:
		if y, ok := b.(float64); ok {
			return cmp.Compare(x, y), nil
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), nil
		}
	}
	return 0, fmt.Errorf("cannot sort by a field of type %T (want an integer or a string)", a)
}

// rowObject returns a row as -o json prints it, as the maps jsonpath
// walks.
func rowObject(r *gangview.Row) (map[string]any, error) {
	return runtime.DefaultUnstructuredConverter.ToUnstructured(r)
}
