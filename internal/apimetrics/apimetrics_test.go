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

package apimetrics

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	text := `# HELP apiserver_request_total [STABLE] Counter of apiserver requests
# TYPE apiserver_request_total counter
apiserver_request_total{code="201",component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="binding",verb="POST",version="v1"} 50
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="status",verb="PATCH",version="v1"} 3
apiserver_request_total{code="409",component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="status",verb="PATCH",version="v1"} 1
apiserver_request_total{code="201",component="apiserver",dry_run="",group="events.k8s.io",resource="events",scope="resource",subresource="",verb="POST",version="v1"} 7
apiserver_request_total{code="201",component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="",verb="POST",version="v1"} 50
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="",verb="GET",version="v1"} 900
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="a\"b",scope="resource",subresource="",verb="DELETE",version="v1"} 2
apiserver_request_duration_seconds_count{verb="POST"} 4
`
	got, err := Parse(text)
	require.NoError(t, err)
	assert.Equal(t, Writes{"POST pods/binding": 50, "PATCH pods/status": 4, "POST events": 7, "POST pods": 50, `DELETE a"b`: 2}, got)

	before := Writes{"POST pods/binding": 10, "POST events": 7}
	sched := got.Scheduler(before)
	assert.Equal(t, Writes{"POST pods/binding": 40, "PATCH pods/status": 4}, sched, "the test's own pods are not the scheduler's; unchanged counters are left out")
	assert.Equal(t, 44.0, sched.Total())
	assert.Equal(t, "PATCH pods/status: 4, POST pods/binding: 40", sched.String())

	_, err = Parse("apiserver_request_total{verb=\"POST\"} x\n")
	assert.Error(t, err)
}
