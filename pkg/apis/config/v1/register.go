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

package v1

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gangsched/gangsched/pkg/apis/config"
)

// GroupName is the API group of the plugin args; it is the kube-scheduler's
// component-config group.
const GroupName = config.GroupName

// SchemeGroupVersion is the group version used to register these objects.
var SchemeGroupVersion = schema.GroupVersion{Group: GroupName, Version: "v1"}

var (
	// SchemeBuilder collects the functions that add the v1 types of this
	// package, their defaulting functions and their conversions to a scheme.
	SchemeBuilder runtime.SchemeBuilder
	// localSchemeBuilder is used by the generated code to register the
	// generated conversion functions.
	localSchemeBuilder = &SchemeBuilder
	// AddToScheme adds the v1 types of this package, their defaulting
	// functions and their conversions to a scheme.
	AddToScheme = localSchemeBuilder.AddToScheme
)

func init() {
	// Only hand-written functions are registered here; the generated
	// conversions register themselves in zz_generated.conversion.go. The
	// separation keeps the package compiling without the generated files.
	localSchemeBuilder.Register(addKnownTypes, addDefaultingFuncs)
}

// addKnownTypes registers the v1 types with the given scheme.
func addKnownTypes(scheme *runtime.Scheme) error {
	scheme.AddKnownTypes(SchemeGroupVersion,
		&WorkloadGangArgs{},
	)
	return nil
}
