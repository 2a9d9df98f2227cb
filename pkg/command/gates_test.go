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

package command

import (
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apiserver/pkg/util/feature"
	"k8s.io/kubernetes/pkg/features"
)

// TestDefaultFeatureGates checks that the command turns the nomination
// write off unless --feature-gates names it. The cases run in order on the
// process's feature gate (the one the scheduler reads), which is restored,
// and on the process's flag registry, which keeps the gates set by earlier
// cases: the case that turns the gate on comes last.
func TestDefaultFeatureGates(t *testing.T) {
	orig := map[string]bool{
		string(features.NominatedNodeNameForExpectation): feature.DefaultFeatureGate.Enabled(features.NominatedNodeNameForExpectation),
		string(features.GenericWorkload):                 feature.DefaultFeatureGate.Enabled(features.GenericWorkload),
	}
	t.Cleanup(func() { _ = feature.DefaultMutableFeatureGate.SetFromMap(orig) })
	for _, tc := range []struct {
		name string
		args []string
		want bool
	}{
		{name: "default is off", want: false},
		{name: "other gates keep the default", args: []string{"--feature-gates=GenericWorkload=true"}, want: false},
		{name: "flag turns it back on", args: []string{"--feature-gates=NominatedNodeNameForExpectation=true"}, want: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := NewSchedulerCommand("gangsched")
			require.NoError(t, cmd.ParseFlags(tc.args))
			require.NoError(t, cmd.PersistentPreRunE(cmd, nil))
			require.Equal(t, tc.want, feature.DefaultFeatureGate.Enabled(features.NominatedNodeNameForExpectation))
		})
	}
}
