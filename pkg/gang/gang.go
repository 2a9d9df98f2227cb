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

// Package gang holds the vocabulary of a gang: the key that names a pod group
// instance, the lookup of a podGroup's policy in a Workload or PodGroup, and
// the messages that tell a user what a pending gang member waits for.
//
// A gang is declared by one of two APIs (Source): a podGroup of a 1.35
// scheduling.k8s.io/v1alpha1 Workload, which pods join with
// spec.workloadRef, or a scheduler-plugins scheduling.x-k8s.io/v1alpha1
// PodGroup, which pods join with the scheduling.x-k8s.io/pod-group label.
// Everything downstream of the key works the same for both.
//
// It depends on the API types only, so the scheduler plugin and client tools
// compute and word a gang's state the same way.
package gang

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	v1 "k8s.io/api/core/v1"
	schedulingv1alpha1 "k8s.io/api/scheduling/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	podgroupv1alpha1 "github.com/gangsched/gangsched/pkg/apis/podgroup/v1alpha1"
)

// Source names the API that declares a gang.
type Source uint8

const (
	// SourceWorkload: a podGroup of a scheduling.k8s.io/v1alpha1 Workload;
	// pods join with spec.workloadRef.
	SourceWorkload Source = iota
	// SourcePodGroup: a scheduling.x-k8s.io/v1alpha1 PodGroup; pods join
	// with the label podgroupv1alpha1.PodGroupLabel.
	SourcePodGroup
)

// Kind returns the kind of the object that declares gangs of the source.
func (s Source) Kind() string {
	if s == SourcePodGroup {
		return podgroupv1alpha1.Kind
	}
	return "Workload"
}

// WorkloadKey names the object that declares a gang: a Workload, or for
// SourcePodGroup a PodGroup.
type WorkloadKey struct {
	Source    Source
	Namespace string
	Name      string
}

// String returns "namespace/name".
func (k WorkloadKey) String() string {
	return k.Namespace + "/" + k.Name
}

// GroupKey names one pod group instance: pods that share it form one gang.
// Each replica key of a Workload's podGroup is an independent instance. A
// PodGroup (SourcePodGroup) is one instance: Workload holds its name, and
// PodGroup and ReplicaKey are empty.
type GroupKey struct {
	Source     Source
	Namespace  string
	Workload   string
	PodGroup   string
	ReplicaKey string
}

// KeyForPod returns the group instance a pod belongs to, and false for a pod
// of no gang: without spec.workloadRef and the PodGroup label, or with both
// (Ambiguous; such a pod counts in no gang, and the plugin holds it).
func KeyForPod(pod *v1.Pod) (GroupKey, bool) {
	ref := pod.Spec.WorkloadRef
	pg, labelled := pod.Labels[podgroupv1alpha1.PodGroupLabel]
	switch {
	case ref != nil && !labelled:
		return GroupKey{
			Namespace:  pod.Namespace,
			Workload:   ref.Name,
			PodGroup:   ref.PodGroup,
			ReplicaKey: ref.PodGroupReplicaKey,
		}, true
	case labelled && ref == nil && pg != "":
		return GroupKey{Source: SourcePodGroup, Namespace: pod.Namespace, Workload: pg}, true
	}
	return GroupKey{}, false
}

// Ambiguous reports whether a pod names both a Workload (spec.workloadRef)
// and a PodGroup (the label): it belongs to no gang until it names one.
func Ambiguous(pod *v1.Pod) bool {
	_, labelled := pod.Labels[podgroupv1alpha1.PodGroupLabel]
	return labelled && pod.Spec.WorkloadRef != nil
}

// AmbiguousMessage says that a pod names two gangs, and must choose one.
func AmbiguousMessage(pod *v1.Pod) string {
	return fmt.Sprintf("pod names both Workload %s (spec.workloadRef) and PodGroup %s (label %s): a pod joins one gang; recreate it with one of the two",
		pod.Spec.WorkloadRef.Name, pod.Labels[podgroupv1alpha1.PodGroupLabel], podgroupv1alpha1.PodGroupLabel)
}

// WorkloadKey returns the key of the object that declares this group.
func (k GroupKey) WorkloadKey() WorkloadKey {
	return WorkloadKey{Source: k.Source, Namespace: k.Namespace, Name: k.Workload}
}

// String returns "namespace/workload/podGroup", followed by "[replicaKey]"
// when the group has a replica key; "namespace/name" for a PodGroup.
func (k GroupKey) String() string {
	if k.Source == SourcePodGroup {
		return k.Namespace + "/" + k.Workload
	}
	s := k.Namespace + "/" + k.Workload + "/" + k.PodGroup
	if k.ReplicaKey != "" {
		s += "[" + k.ReplicaKey + "]"
	}
	return s
}

// Compare orders group keys by source, namespace, Workload, podGroup and
// replica key; it allocates nothing, so queue order and gang ordering can
// call it on every comparison.
func (k GroupKey) Compare(o GroupKey) int {
	if k.Source != o.Source {
		return int(k.Source) - int(o.Source)
	}
	if c := strings.Compare(k.Namespace, o.Namespace); c != 0 {
		return c
	}
	if c := strings.Compare(k.Workload, o.Workload); c != 0 {
		return c
	}
	if c := strings.Compare(k.PodGroup, o.PodGroup); c != 0 {
		return c
	}
	return strings.Compare(k.ReplicaKey, o.ReplicaKey)
}

// IsLiveMember reports whether a pod counts toward its group's members:
// pods that are being deleted or have terminated (Succeeded, Failed) never
// count toward a quorum.
func IsLiveMember(pod *v1.Pod) bool {
	return pod.DeletionTimestamp == nil && pod.Status.Phase != v1.PodSucceeded && pod.Status.Phase != v1.PodFailed
}

// FindPodGroup returns the podGroup of the Workload with the given name.
// Workloads hold a handful of podGroups, so a scan is cheapest.
func FindPodGroup(w *schedulingv1alpha1.Workload, name string) (*schedulingv1alpha1.PodGroup, bool) {
	for i := range w.Spec.PodGroups {
		if w.Spec.PodGroups[i].Name == name {
			return &w.Spec.PodGroups[i], true
		}
	}
	return nil, false
}

// MinCount returns the gang's minCount, and false when the policy is not gang
// (a basic group has no quorum).
func MinCount(pg *schedulingv1alpha1.PodGroup) (int, bool) {
	if pg.Policy.Gang == nil {
		return 0, false
	}
	return int(pg.Policy.Gang.MinCount), true
}

// WaitingForWorkloadMessage says that a pod waits for its Workload (or
// PodGroup) to exist.
func WaitingForWorkloadMessage(k WorkloadKey) string {
	return fmt.Sprintf("waiting for %s %s", k.Source.Kind(), k)
}

// MissingPodGroupMessage says that a pod's Workload has no such podGroup.
func MissingPodGroupMessage(k WorkloadKey, podGroup string) string {
	return fmt.Sprintf("Workload %s has no podGroup %s; recreate the Workload with it", k, podGroup)
}

// WaitingForPodsMessage says that a gang member waits for more members to be
// created before it is queued.
func WaitingForPodsMessage(k GroupKey, have, minCount int) string {
	return fmt.Sprintf("waiting for %d more pods of gang %s (%d/%d)", minCount-have, k, have, minCount)
}

// WaitingForPodsPhrase is WaitingForPodsMessage without the gang's name, for
// views that show the name beside it (kubectl-gang). Keep the two in step.
func WaitingForPodsPhrase(have, minCount int) string {
	return fmt.Sprintf("waiting for %d more pods (%d/%d)", minCount-have, have, minCount)
}

// NotSchedulableSuffix is added to WaitingForPodsMessage when some pods of
// the gang exist but do not count, because this scheduler cannot schedule
// them yet: they have scheduling gates, or name another scheduler.
func NotSchedulableSuffix(gated, otherScheduler int) string {
	switch {
	case gated > 0 && otherScheduler > 0:
		return fmt.Sprintf("; %d have scheduling gates and %d are for another scheduler", gated, otherScheduler)
	case gated > 0:
		return fmt.Sprintf("; %d have scheduling gates", gated)
	case otherScheduler > 0:
		return fmt.Sprintf("; %d are for another scheduler", otherScheduler)
	}
	return ""
}

// IsWaitingForPodsMessage reports whether msg is a WaitingForPodsMessage
// about group k, whatever its counts, with or without a
// NotSchedulableSuffix. Held pods keep that message after the gang has its
// members, until the scheduler writes another, so a view must be able to
// recognize it as stale.
func IsWaitingForPodsMessage(k GroupKey, msg string) bool {
	var more, have, minCount int
	// Names are DNS labels and hold no '%', but escape them all the same.
	format := "waiting for %d more pods of gang " + strings.ReplaceAll(k.String(), "%", "%%") + " (%d/%d)"
	if _, err := fmt.Sscanf(msg, format, &more, &have, &minCount); err != nil {
		return false
	}
	// Sscanf ignores trailing text; the message must be exactly one we write.
	base := WaitingForPodsMessage(k, have, minCount)
	rest, ok := strings.CutPrefix(msg, base)
	if !ok {
		return false
	}
	if rest == "" {
		return true
	}
	var gated, other int
	if _, err := fmt.Sscanf(rest, "; %d have scheduling gates and %d are for another scheduler", &gated, &other); err == nil && rest == NotSchedulableSuffix(gated, other) {
		return true
	}
	if _, err := fmt.Sscanf(rest, "; %d have scheduling gates", &gated); err == nil && rest == NotSchedulableSuffix(gated, 0) {
		return true
	}
	if _, err := fmt.Sscanf(rest, "; %d are for another scheduler", &other); err == nil && rest == NotSchedulableSuffix(0, other) {
		return true
	}
	return false
}

// CannotFitMessage says that a gang cannot be placed on the nodes its
// members may use even if every other pod were gone: more members, each
// requesting each, need needs in all, and the nodes it may use (nodes of
// them, with allocatable in all) could hold only canHold of them. The gang
// reserves nothing until the nodes change.
func CannotFitMessage(k GroupKey, more int, each, needs string, nodes, canHold int, allocatable string) string {
	if canHold == 0 {
		return fmt.Sprintf("gang %s cannot fit in the nodes it may use even with every other pod gone: no node it may use can hold one of its %d more members (%s each); waiting for the nodes to change",
			k, more, each)
	}
	return fmt.Sprintf("gang %s cannot fit in the nodes it may use even with every other pod gone: %d more members need %s; the %d nodes it may use (%s allocatable) hold at most %d of them; waiting for the nodes to change",
		k, more, needs, nodes, allocatable, canHold)
}

// WaitingForQuorumMessage says that a reserved gang member waits at Permit
// for more members to be reserved or bound.
func WaitingForQuorumMessage(k GroupKey, reservedOrBound, minCount int) string {
	return fmt.Sprintf("waiting for %d more pods of gang %s to be reserved (%d/%d)", minCount-reservedOrBound, k, reservedOrBound, minCount)
}

// GangRejectedMessage says why every waiting member of a gang was sent back
// to the queue.
func GangRejectedMessage(k GroupKey, reason string) string {
	return fmt.Sprintf("gang %s rejected: %s; it will be retried as a whole", k, reason)
}

// PermitTimeoutReason is the GangRejectedMessage reason of a round that
// waited at Permit until its timeout. Every member of the round gets it,
// the same every round (the framework's own timeout message names each
// member's wait, which differs by the millisecond).
func PermitTimeoutReason(timeout time.Duration) string {
	return fmt.Sprintf("the Permit timeout (%s) passed before minCount members were reserved or bound", timeout)
}

// GangWaitingMessage says that a gang's reserved members wait at Permit for
// its quorum; the note of the GangWaiting Event on the Workload.
func GangWaitingMessage(k GroupKey, reservedOrBound, minCount int) string {
	return fmt.Sprintf("gang %s waiting for quorum: %d/%d reserved or bound", k, reservedOrBound, minCount)
}

// GangAdmittedMessage says that a gang reached its quorum, after its first
// member waited at Permit for wait (zero: no member waited), and that its
// members bind; the note of the GangAdmitted Event on the Workload.
//
// domain, when not empty, is the topology domain the round was placed in,
// as label=value.
func GangAdmittedMessage(k GroupKey, reservedOrBound, minCount int, wait time.Duration, domain string) string {
	where := ""
	if domain != "" {
		where = " in topology domain " + domain
	}
	if wait <= 0 {
		return fmt.Sprintf("gang %s reached quorum: %d/%d reserved or bound; its members bind%s", k, reservedOrBound, minCount, where)
	}
	return fmt.Sprintf("gang %s reached quorum: %d/%d reserved or bound after %s; its members bind%s", k, reservedOrBound, minCount, wait.Round(time.Millisecond), where)
}

// MixedPrioritiesMessage says that a gang's members have different
// priorities, and which one the gang ranks by.
func MixedPrioritiesMessage(k GroupKey, lowest, highest int32) string {
	return fmt.Sprintf("gang %s has members of priority %d to %d; the gang ranks by the lowest, %d, in queue order, yield and bounded waiting: give its members one priority class", k, lowest, highest, lowest)
}

// BackoffMessage says that a gang waits out its backoff after rejected rounds.
func BackoffMessage(k GroupKey, rejections int, remaining time.Duration) string {
	return fmt.Sprintf("gang %s backing off after %d rejected attempts; next attempt in %s", k, rejections, remaining.Round(time.Second))
}

// PermitTimeoutAnnotation on a Workload overrides the Permit timeout of its
// gangs, in whole seconds within [1, 900]; the 1.35 Workload has no field for it.
const PermitTimeoutAnnotation = "gangsched.io/permit-timeout-seconds"

// maxPermitTimeoutSeconds is the framework's cap on Permit waits.
const maxPermitTimeoutSeconds = 900

// PermitTimeoutOverride reads a Workload's PermitTimeoutAnnotation. It
// reports whether the annotation is set, and an error naming it when its
// value is not a whole number of seconds in [1, 900].
func PermitTimeoutOverride(w metav1.Object) (time.Duration, bool, error) {
	v, ok := w.GetAnnotations()[PermitTimeoutAnnotation]
	if !ok {
		return 0, false, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPermitTimeoutSeconds {
		return 0, true, fmt.Errorf("annotation %s=%q is invalid: must be a whole number of seconds in [1, %d]", PermitTimeoutAnnotation, v, maxPermitTimeoutSeconds)
	}
	return time.Duration(n) * time.Second, true, nil
}

// PodGroupMinCount returns a PodGroup's quorum: its minMember, at least 1.
func PodGroupMinCount(pg *podgroupv1alpha1.PodGroup) int {
	return max(1, int(pg.Spec.MinMember))
}

// PodGroupTimeout reads a PodGroup's spec.scheduleTimeoutSeconds: whether
// it is set, and an error naming it when it is not in [1, 900].
func PodGroupTimeout(pg *podgroupv1alpha1.PodGroup) (time.Duration, bool, error) {
	s := pg.Spec.ScheduleTimeoutSeconds
	if s == nil {
		return 0, false, nil
	}
	if *s < 1 || *s > maxPermitTimeoutSeconds {
		return 0, true, fmt.Errorf("spec.scheduleTimeoutSeconds=%d is invalid: must be a whole number of seconds in [1, %d]", *s, maxPermitTimeoutSeconds)
	}
	return time.Duration(*s) * time.Second, true, nil
}

// MinResourcesMessage says that a PodGroup's minResources (want) exceed the
// nodes' free room (have, counting the room its own placed members hold).
func MinResourcesMessage(k GroupKey, want, have string) string {
	return fmt.Sprintf("PodGroup %s needs minResources %s; the nodes' free room is %s", k, want, have)
}

// CannotFitByPreemptingMessage says that a gang of higher priority than
// pods in its way still cannot be placed with every one of them gone:
// more members, each requesting each, of which at most canHold could be
// placed. Nothing is evicted.
func CannotFitByPreemptingMessage(k GroupKey, more int, each string, canHold int) string {
	return fmt.Sprintf("gang %s cannot fit even by preempting all lower-priority pods: needs %d more members (%s each), at most %d could be placed",
		k, more, each, canHold)
}

// WaitingForVictimsMessage says that a gang preempted pods and waits for
// the victims still running to terminate before it preempts again.
func WaitingForVictimsMessage(k GroupKey, victims int) string {
	return fmt.Sprintf("gang %s waits for %d preempted pods to terminate", k, victims)
}

// IsWaitingForVictimsMessage reports whether msg (a pod's PodScheduled
// message, in which the framework wraps PostFilter's) says that gang k
// waits for its victims to terminate.
func IsWaitingForVictimsMessage(k GroupKey, msg string) bool {
	_, rest, ok := strings.Cut(msg, "gang "+k.String()+" waits for ")
	if !ok {
		return false
	}
	var victims int
	n, err := fmt.Sscanf(rest, "%d preempted pods to terminate", &victims)
	return err == nil && n == 1
}

// PreemptionNeverMessage says that a gang member that found no node does
// not preempt because its spec.preemptionPolicy is Never.
func PreemptionNeverMessage(k GroupKey) string {
	return fmt.Sprintf("gang %s does not preempt: its member's preemptionPolicy is Never", k)
}

// PreemptingMessage says that the scheduler preempts victims on nodes for
// a gang; the note of the Preempting Event on its Workload or PodGroup.
func PreemptingMessage(k GroupKey, victims, nodes int) string {
	return fmt.Sprintf("preempting %d pods on %d nodes for gang %s", victims, nodes, k)
}

// PreemptedMessage says, on a victim, which gang preempted it, through
// which member and on which node: the note of its Preempted Event.
func PreemptedMessage(k GroupKey, preemptor, node string) string {
	return fmt.Sprintf("Preempted by gang %s (pod %s) on node %s", k, preemptor, node)
}

// DisruptionTargetMessage is the message of the DisruptionTarget condition
// added to a victim before it is deleted, in upstream's words with the
// gang named.
func DisruptionTargetMessage(schedulerName string, k GroupKey) string {
	return fmt.Sprintf("%s: preempting to accommodate a higher priority gang %s", schedulerName, k)
}
