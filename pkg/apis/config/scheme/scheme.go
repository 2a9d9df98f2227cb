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

// Package scheme registers the WorkloadGang plugin args with the
// kube-scheduler's component-config scheme.
//
// Importing this package (for its side effect, if nothing else) is enough for
// a KubeSchedulerConfiguration loaded by the kube-scheduler, e.g. through
// k8s.io/kubernetes/cmd/kube-scheduler/app.Setup, to decode the args of a
// pluginConfig entry named "WorkloadGang" to the defaulted internal type
// *config.WorkloadGangArgs, with unknown fields rejected by strict decoding.
package scheme

import (
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	kubeschedulerscheme "k8s.io/kubernetes/pkg/scheduler/apis/config/scheme"
	kubeschedulerconfigv1 "k8s.io/kubernetes/pkg/scheduler/apis/config/v1"

	"github.com/gangsched/gangsched/pkg/apis/config"
	configv1 "github.com/gangsched/gangsched/pkg/apis/config/v1"
)

var (
	// Scheme is the kube-scheduler's scheme,
	// k8s.io/kubernetes/pkg/scheduler/apis/config/scheme.Scheme, with the
	// WorkloadGang args types registered.
	Scheme = kubeschedulerscheme.Scheme

	// Codecs is the kube-scheduler's (strict) codec factory for Scheme.
	Codecs = kubeschedulerscheme.Codecs
)

func init() {
	// The scheme the codecs decode and encode with.
	AddToScheme(Scheme)
	// The kube-scheduler defaults pluginConfig args and converts them between
	// v1 and the internal version with a separate scheme of its own (see
	// k8s.io/kubernetes/pkg/scheduler/apis/config/v1.GetPluginArgConversionScheme).
	// Without the types there, args would be decoded as v1 but then neither
	// defaulted nor converted, and decoding the configuration would fail.
	AddToScheme(kubeschedulerconfigv1.GetPluginArgConversionScheme())
}

// AddToScheme adds the internal and v1 WorkloadGang args types, with their
// defaulting and conversion functions, to the given scheme. It panics on
// error, like the kube-scheduler's own AddToScheme.
func AddToScheme(scheme *runtime.Scheme) {
	utilruntime.Must(config.AddToScheme(scheme))
	utilruntime.Must(configv1.AddToScheme(scheme))
}
