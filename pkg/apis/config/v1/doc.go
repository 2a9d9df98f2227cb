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

// Package v1 contains the v1 (kubescheduler.config.k8s.io/v1) versioned
// types of the WorkloadGang plugin args, together with their defaulting and
// their conversion to and from the internal types in
// github.com/gangsched/gangsched/pkg/apis/config.
//
// +k8s:deepcopy-gen=package
// +k8s:conversion-gen=github.com/gangsched/gangsched/pkg/apis/config
// +k8s:defaulter-gen=TypeMeta
// +groupName=kubescheduler.config.k8s.io
package v1
