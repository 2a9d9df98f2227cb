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

package podgroupstatus

import (
	"encoding/json"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
)

// statusPatch returns a JSON merge patch that sets every field of the status
// this controller keeps. The map is built by hand rather than by marshalling
// PodGroupStatus, whose omitempty tags would leave out a count that fell to
// zero, and a merge patch leaves out what it does not name: the old count
// would stay. An empty occupiedBy and an unset scheduleStartTime are written
// as null, which removes them, as the API server would store them empty.
func statusPatch(st podgroupv1alpha1.PodGroupStatus) ([]byte, error) {
	var occupiedBy any
	if st.OccupiedBy != "" {
		occupiedBy = st.OccupiedBy
	}
	return json.Marshal(map[string]any{
		"status": map[string]any{
			"phase":      st.Phase,
			"occupiedBy": occupiedBy,
			"scheduled":  st.Scheduled,
			"running":    st.Running,
			"succeeded":  st.Succeeded,
			"failed":     st.Failed,
			// metav1.Time marshals to RFC 3339 at second precision, and
			// the zero time to null.
			"scheduleStartTime": st.ScheduleStartTime,
		},
	})
}
