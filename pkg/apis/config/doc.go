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

// Package config contains the internal (unversioned) API types of the
// arguments accepted by the WorkloadGang kube-scheduler plugin.
//
// The types are registered in the kube-scheduler's own API group
// (kubescheduler.config.k8s.io) so that a KubeSchedulerConfiguration's
// pluginConfig entry named "WorkloadGang" decodes to *WorkloadGangArgs.
// Import github.com/gangsched/gangsched/pkg/apis/config/scheme to register
// them with the kube-scheduler's scheme.
//
// +k8s:deepcopy-gen=package
// +groupName=kubescheduler.config.k8s.io
package config
