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

// Package podgroupstatus keeps the status of scheduler-plugins PodGroups
// (scheduling.x-k8s.io/v1alpha1) from the scheduler process, as
// scheduler-plugins' Coscheduling controller does, so that users and the
// operators that create PodGroups (Kubeflow Trainer, the MPI operator) read a
// phase and counts without running a second controller.
//
// A gang's members change in bursts: a gang of 64 binds, then starts, in a
// few seconds, each pod event a reason to look again. The controller
// coalesces them: an event only schedules a sync of its PodGroup a short
// delay later, and a sync writes only when the status it computes differs
// from the stored one. A burst costs one write per change of phase or count
// that outlives the delay, not one per pod event.
//
// Wiring, by the process that runs it:
//
//   - Enqueue the PodGroup on every add, update and delete of a PodGroup
//     (the delete lets the controller drop what it remembers of it), and on
//     every add, update and delete of a pod labelled
//     podgroupv1alpha1.PodGroupLabel, naming the label's value in the pod's
//     namespace; on an update that changes the label, enqueue both groups.
//   - When the process becomes the leader, EnqueueAll every cached PodGroup:
//     a standby drops what it is given, so changes made before it led are
//     written only then.
//   - Run it with the informers synced, in a goroutine, until the process
//     stops.
package podgroupstatus
