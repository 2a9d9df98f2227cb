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
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// stateFiles manages _output/local-up: a "pids" file with "name pid" lines
// that hack/down.sh reads to stop leftovers, and "state.env" for shells.
type stateFiles struct {
	dir  string
	pids [][2]string
}

func (s *stateFiles) pidsPath() string { return filepath.Join(s.dir, "pids") }

// addPid records a running process and rewrites the pids file.
func (s *stateFiles) addPid(name string, pid int) error {
	s.pids = append(s.pids, [2]string{name, strconv.Itoa(pid)})
	var b strings.Builder
	for _, p := range s.pids {
		fmt.Fprintf(&b, "%s %s\n", p[0], p[1])
	}
	return writeFileAtomic(s.pidsPath(), []byte(b.String()))
}

// writeEnv writes state.env with shell assignments.
func (s *stateFiles) writeEnv(vars [][2]string) error {
	var b strings.Builder
	for _, v := range vars {
		fmt.Fprintf(&b, "%s=%s\n", v[0], strconv.Quote(v[1]))
	}
	return writeFileAtomic(filepath.Join(s.dir, "state.env"), []byte(b.String()))
}

// clear removes the pids file, after everything was stopped.
func (s *stateFiles) clear() error {
	s.pids = nil
	err := os.Remove(s.pidsPath())
	if os.IsNotExist(err) {
		return nil
	}
	return err
}

// livePids returns the entries of an existing pids file whose process is
// still running the named binary.
func (s *stateFiles) livePids() ([]string, error) {
	f, err := os.Open(s.pidsPath())
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var live []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			continue
		}
		pid, err := strconv.Atoi(fields[1])
		if err != nil || pid == os.Getpid() {
			continue
		}
		if processName(pid) == fields[0] {
			live = append(live, fmt.Sprintf("%s (pid %d)", fields[0], pid))
		}
	}
	return live, sc.Err()
}

// processName returns the base name of a process's argv[0], or "".
func processName(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || len(data) == 0 {
		return ""
	}
	argv0, _, _ := strings.Cut(string(data), "\x00")
	return filepath.Base(argv0)
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
