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

package workloadgang

import (
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"

	"github.com/gangsched/gangsched/pkg/apis/config"
	"github.com/gangsched/gangsched/pkg/apis/config/scheme"
	configv1 "github.com/gangsched/gangsched/pkg/apis/config/v1"
)

// defaultArgs returns the args a profile gets when it configures none: the v1
// defaults, converted to the internal type, so there is one source of defaults.
func defaultArgs() config.WorkloadGangArgs {
	var versioned configv1.WorkloadGangArgs
	scheme.Scheme.Default(&versioned)
	var args config.WorkloadGangArgs
	utilruntime.Must(scheme.Scheme.Convert(&versioned, &args, nil))
	return args
}
