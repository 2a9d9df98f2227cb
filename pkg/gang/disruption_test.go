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

package gang

import (
	"testing"

	"github.com/stretchr/testify/assert"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestDisruptionModeOf(t *testing.T) {
	tests := []struct {
		name        string
		annotations map[string]string
		want        DisruptionMode
		wantErr     string
	}{
		{name: "absent: All", want: DisruptionAll},
		{name: "All", annotations: map[string]string{DisruptionModeAnnotation: "All"}, want: DisruptionAll},
		{name: "Single", annotations: map[string]string{DisruptionModeAnnotation: "Single"}, want: DisruptionSingle},
		{
			name: "invalid: All, and an error naming the value", annotations: map[string]string{DisruptionModeAnnotation: "single"}, want: DisruptionAll,
			wantErr: `annotation gangsched.io/disruption-mode="single" is invalid: must be All or Single`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DisruptionModeOf(&metav1.ObjectMeta{Annotations: tc.annotations})
			assert.Equal(t, tc.want, got)
			if tc.wantErr == "" {
				assert.NoError(t, err)
			} else {
				assert.EqualError(t, err, tc.wantErr)
			}
		})
	}
}
