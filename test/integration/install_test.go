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

package integration

import (
	"bufio"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/util/intstr"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/gangsched/gangsched/internal/controlplane"
)

const (
	// manifestsDir is the repository's manifests/, seen from this package.
	manifestsDir = "../../manifests"
	// schedulerConfigFile is the secondary scheduler's configuration, which
	// the install ships in its ConfigMap.
	schedulerConfigFile = "scheduler-config.yaml"
	// dropinPodFile is the static Pod manifest of the drop-in install.
	dropinPodFile = "dropin/kube-scheduler.yaml"
	// securePort is kube-scheduler's default secure port, which serves the
	// health endpoints the probes use.
	securePort = 10259
	// crdComponentSelector selects the PodGroup CRD alone among the install's
	// objects; docs/install.md installs the rest with its negation.
	crdComponentSelector = "app.kubernetes.io/component=crd"
)

// kustomization is the part of kustomize's Kustomization that
// manifests/kustomization.yaml uses. It is decoded strictly: a field this
// loader does not implement (patches, namespace, labels...) fails the tests
// instead of being silently ignored.
type kustomization struct {
	APIVersion         string               `json:"apiVersion"`
	Kind               string               `json:"kind"`
	Resources          []string             `json:"resources"`
	ConfigMapGenerator []configMapGenerator `json:"configMapGenerator"`
	Images             []kustomizeImage     `json:"images"`
}

type configMapGenerator struct {
	Name      string   `json:"name"`
	Namespace string   `json:"namespace"`
	Files     []string `json:"files"`
}

type kustomizeImage struct {
	Name    string `json:"name"`
	NewName string `json:"newName"`
	NewTag  string `json:"newTag"`
}

// kustomizeBuild is what `kubectl apply -k manifests/` creates, as built by
// buildKustomization. Generated ConfigMaps keep their base names (kustomize
// adds a content hash to the name and to every reference to it).
type kustomizeBuild struct {
	kustomization kustomization
	objects       []*unstructured.Unstructured
}

// applyOrder is the order in which kinds are created: what others live in
// or refer to comes first (kustomize orders its output the same way).
var applyOrder = map[string]int{
	"Namespace": 0, "CustomResourceDefinition": 1, "ServiceAccount": 2, "ClusterRole": 3, "Role": 4,
	"ClusterRoleBinding": 5, "RoleBinding": 6, "ConfigMap": 7, "Deployment": 8,
}

// buildKustomization builds the objects of dir/kustomization.yaml: its resource
// files, its generated ConfigMaps and its image overrides.
func buildKustomization(t *testing.T, dir string) *kustomizeBuild {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	require.NoError(t, err)
	in := &kustomizeBuild{}
	require.NoError(t, yaml.UnmarshalStrict(data, &in.kustomization), "kustomization.yaml uses a field this loader does not implement")
	require.Equal(t, "Kustomization", in.kustomization.Kind)

	for _, res := range in.kustomization.Resources {
		path := filepath.Join(dir, res)
		st, err := os.Stat(path)
		require.NoError(t, err, "resource %s", res)
		require.False(t, st.IsDir(), "resource %s: the loader reads files only", res)
		in.objects = append(in.objects, decodeYAMLFile(t, path)...)
	}
	for _, gen := range in.kustomization.ConfigMapGenerator {
		cm := map[string]any{
			"apiVersion": "v1",
			"kind":       "ConfigMap",
			"metadata":   map[string]any{"name": gen.Name, "namespace": gen.Namespace},
		}
		files := map[string]any{}
		for _, f := range gen.Files {
			key, path, ok := strings.Cut(f, "=")
			if !ok {
				key, path = filepath.Base(f), f
			}
			content, err := os.ReadFile(filepath.Join(dir, path))
			require.NoError(t, err, "configMapGenerator %s", gen.Name)
			files[key] = string(content)
		}
		cm["data"] = files
		in.objects = append(in.objects, &unstructured.Unstructured{Object: cm})
	}
	for _, obj := range in.objects {
		in.setImages(t, obj)
	}
	sort.SliceStable(in.objects, func(i, j int) bool {
		return applyOrder[in.objects[i].GetKind()] < applyOrder[in.objects[j].GetKind()]
	})
	for _, obj := range in.objects {
		_, known := applyOrder[obj.GetKind()]
		require.True(t, known, "%s %s: add its kind to applyOrder", obj.GetKind(), obj.GetName())
	}
	return in
}

// setImages applies the kustomization's images: overrides to the containers
// of a Deployment.
func (in *kustomizeBuild) setImages(t *testing.T, obj *unstructured.Unstructured) {
	t.Helper()
	if obj.GetKind() != "Deployment" {
		return
	}
	containers, _, err := unstructured.NestedSlice(obj.Object, "spec", "template", "spec", "containers")
	require.NoError(t, err)
	for _, c := range containers {
		container := c.(map[string]any)
		image, _ := container["image"].(string)
		// The tag follows the last colon after the last slash (a registry
		// host may have a port).
		name, tag := image, ""
		if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
			name, tag = image[:i], image[i+1:]
		}
		for _, img := range in.kustomization.Images {
			if img.Name != name {
				continue
			}
			if img.NewName != "" {
				name = img.NewName
			}
			if img.NewTag != "" {
				tag = img.NewTag
			}
			container["image"] = name + ":" + tag
		}
	}
	require.NoError(t, unstructured.SetNestedSlice(obj.Object, containers, "spec", "template", "spec", "containers"))
}

// find returns the object of the given kind, namespace and name.
func (in *kustomizeBuild) find(t *testing.T, kind, namespace, name string) *unstructured.Unstructured {
	t.Helper()
	for _, obj := range in.objects {
		if obj.GetKind() == kind && obj.GetNamespace() == namespace && obj.GetName() == name {
			return obj
		}
	}
	require.Failf(t, "object not in the install", "%s %s/%s", kind, namespace, name)
	return nil
}

// ofKind returns the objects of the given kind, decoded strictly into T.
func ofKind[T runtime.Object](t *testing.T, in *kustomizeBuild, kind string) []T {
	t.Helper()
	var out []T
	for _, obj := range in.objects {
		if obj.GetKind() == kind {
			out = append(out, typedObject(t, obj).(T))
		}
	}
	return out
}

// decodeYAMLFile decodes every document of a multi-document YAML file. Each
// document must be free of duplicate keys and decode strictly into its
// typed API object (no unknown or misspelled fields).
func decodeYAMLFile(t *testing.T, path string) []*unstructured.Unstructured {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(f))
	var out []*unstructured.Unstructured
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, path)
		var m map[string]any
		require.NoError(t, yaml.UnmarshalStrict(doc, &m), path)
		if len(m) == 0 {
			continue // only comments
		}
		obj := &unstructured.Unstructured{Object: m}
		typedObject(t, obj)
		out = append(out, obj)
	}
	return out
}

// installScheme knows the install's kinds: client-go's and the
// CustomResourceDefinition of the PodGroup API.
var installScheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(scheme.AddToScheme(s))
	utilruntime.Must(apiextensionsv1.AddToScheme(s))
	return s
}()

// strictDecoder decodes API objects and fails on unknown fields.
var strictDecoder = kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, installScheme, installScheme,
	kjson.SerializerOptions{Strict: true})

// typedObject decodes obj strictly into its typed API object.
func typedObject(t *testing.T, obj *unstructured.Unstructured) runtime.Object {
	t.Helper()
	data, err := json.Marshal(obj.Object)
	require.NoError(t, err)
	out, _, err := strictDecoder.Decode(data, nil, nil)
	require.NoError(t, err, "%s %s", obj.GetKind(), obj.GetName())
	return out
}

// flagValue returns the value of --name=value in args.
func flagValue(args []string, name string) (string, bool) {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// ruleAllows tells whether rules grant verb on group/resource (named name,
// if not empty).
func ruleAllows(rules []rbacv1.PolicyRule, group, resource, verb, name string) bool {
	for _, r := range rules {
		if listHas(r.APIGroups, group) && listHas(r.Resources, resource) && listHas(r.Verbs, verb) &&
			(len(r.ResourceNames) == 0 || listHas(r.ResourceNames, name)) {
			return true
		}
	}
	return false
}

// listHas tells whether an RBAC rule's list holds s or the wildcard.
func listHas(list []string, s string) bool {
	for _, x := range list {
		if x == s || x == "*" {
			return true
		}
	}
	return false
}

// leaderElection is the part of a KubeSchedulerConfiguration the install's
// RBAC must follow.
type leaderElection struct {
	LeaderElection struct {
		LeaderElect       bool   `json:"leaderElect"`
		ResourceNamespace string `json:"resourceNamespace"`
		ResourceName      string `json:"resourceName"`
	} `json:"leaderElection"`
}

// TestInstallManifests checks what `kubectl apply -k manifests/` installs
// and the drop-in static Pod, without a cluster: every object is a valid API
// object; the ConfigMap is the shipped scheduler configuration, mounted where
// the Deployment's --config points; the Deployment is hardened and probed on
// the secure port; the RBAC is self-contained and covers the configured
// Lease. TestRBAC then runs the scheduler under that RBAC.
func TestInstallManifests(t *testing.T) {
	in := buildKustomization(t, manifestsDir)

	t.Run("objects", func(t *testing.T) {
		var got []string
		for _, obj := range in.objects {
			got = append(got, obj.GetKind()+" "+obj.GetNamespace()+"/"+obj.GetName())
		}
		assert.Equal(t, []string{
			"Namespace /gangsched-system",
			"CustomResourceDefinition /podgroups.scheduling.x-k8s.io",
			"ServiceAccount gangsched-system/gangsched",
			"ClusterRole /gangsched",
			"Role gangsched-system/gangsched-leader-election",
			"Role kube-system/gangsched-authentication-reader",
			"ClusterRoleBinding /gangsched",
			"RoleBinding gangsched-system/gangsched-leader-election",
			"RoleBinding kube-system/gangsched-authentication-reader",
			"ConfigMap gangsched-system/gangsched-config",
			"Deployment gangsched-system/gangsched",
		}, got, "the install has no examples and nothing unexpected")
	})

	shipped, err := os.ReadFile(filepath.Join(manifestsDir, schedulerConfigFile))
	require.NoError(t, err)

	t.Run("PodGroup CRD", func(t *testing.T) {
		crd := typedObject(t, in.find(t, "CustomResourceDefinition", "", "podgroups.scheduling.x-k8s.io")).(*apiextensionsv1.CustomResourceDefinition)
		require.Len(t, crd.Spec.Versions, 1)
		v := crd.Spec.Versions[0]
		var columns []string
		for _, c := range v.AdditionalPrinterColumns {
			columns = append(columns, c.Name)
		}
		require.NotNil(t, v.Schema)
		require.NotNil(t, v.Schema.OpenAPIV3Schema)
		tests := []struct {
			name string
			got  any
			want any
		}{
			// The same API as scheduler-plugins' CRD, so either serves the same objects.
			{"group", crd.Spec.Group, "scheduling.x-k8s.io"},
			{"names", crd.Spec.Names, apiextensionsv1.CustomResourceDefinitionNames{
				Kind: "PodGroup", ListKind: "PodGroupList", Plural: "podgroups", Singular: "podgroup", ShortNames: []string{"pg", "pgs"},
			}},
			{"scope", crd.Spec.Scope, apiextensionsv1.NamespaceScoped},
			{"version", v.Name, "v1alpha1"},
			{"served and stored", v.Served && v.Storage, true},
			{"status subresource", v.Subresources != nil && v.Subresources.Status != nil, true},
			{"printer columns", columns, []string{"Phase", "MinMember", "Scheduled", "Running", "Age"}},
			{"selected by " + crdComponentSelector, crd.Labels["app.kubernetes.io/component"], "crd"},
		}
		for _, tc := range tests {
			assert.Equal(t, tc.want, tc.got, tc.name)
		}
		// `kubectl apply -k manifests/ -l app.kubernetes.io/component!=crd`
		// must install everything else.
		for _, obj := range in.objects {
			if obj.GetKind() != "CustomResourceDefinition" {
				assert.NotEqual(t, "crd", obj.GetLabels()["app.kubernetes.io/component"], "%s %s would be left out with the CRD", obj.GetKind(), obj.GetName())
			}
		}
	})

	t.Run("ConfigMap is the shipped scheduler config", func(t *testing.T) {
		cm := typedObject(t, in.find(t, "ConfigMap", "gangsched-system", "gangsched-config")).(*v1.ConfigMap)
		assert.Equal(t, string(shipped), cm.Data[schedulerConfigFile])
	})

	t.Run("Deployment", func(t *testing.T) {
		d := typedObject(t, in.find(t, "Deployment", "gangsched-system", "gangsched")).(*appsv1.Deployment)
		pod := d.Spec.Template.Spec
		require.Len(t, pod.Containers, 1)
		c := pod.Containers[0]
		configPath, ok := flagValue(c.Command, "config")
		require.True(t, ok, "no --config in %v", c.Command)
		var mount v1.VolumeMount
		for _, m := range c.VolumeMounts {
			if m.MountPath == filepath.Dir(configPath) {
				mount = m
			}
		}
		var volume v1.Volume
		for _, v := range pod.Volumes {
			if v.Name == mount.Name {
				volume = v
			}
		}
		require.NotNil(t, volume.ConfigMap, "--config=%s is not in a ConfigMap volume", configPath)
		sc, psc := c.SecurityContext, pod.SecurityContext
		require.NotNil(t, sc)
		require.NotNil(t, psc)
		antiAffinity := pod.Affinity != nil && pod.Affinity.PodAntiAffinity != nil &&
			len(pod.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution) > 0 &&
			pod.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution[0].PodAffinityTerm.TopologyKey == v1.LabelHostname
		tests := []struct {
			name string
			got  any
			want any
		}{
			{"replicas", d.Spec.Replicas, ptr.To[int32](2)},
			{"serviceAccountName", pod.ServiceAccountName, typedObject(t, in.find(t, "ServiceAccount", "gangsched-system", "gangsched")).(*v1.ServiceAccount).Name},
			{"image after images:", c.Image, "gangsched:latest"},
			{"config volume", volume.ConfigMap.Name, in.kustomization.ConfigMapGenerator[0].Name},
			{"config file name", filepath.Base(configPath), schedulerConfigFile},
			{"config mount read-only", mount.ReadOnly, true},
			{"priorityClassName", pod.PriorityClassName, "system-cluster-critical"},
			{"replicas spread over nodes", antiAffinity, true},
			{"runAsNonRoot", psc.RunAsNonRoot, ptr.To(true)},
			{"seccomp", psc.SeccompProfile, &v1.SeccompProfile{Type: v1.SeccompProfileTypeRuntimeDefault}},
			{"allowPrivilegeEscalation", sc.AllowPrivilegeEscalation, ptr.To(false)},
			{"readOnlyRootFilesystem", sc.ReadOnlyRootFilesystem, ptr.To(true)},
			{"capabilities", sc.Capabilities, &v1.Capabilities{Drop: []v1.Capability{"ALL"}}},
			{"cpu request", c.Resources.Requests.Cpu().IsZero(), false},
			{"memory request", c.Resources.Requests.Memory().IsZero(), false},
			{"liveness", probeTarget(c, c.LivenessProbe), fmt.Sprintf("HTTPS :%d/livez", securePort)},
			{"startup", probeTarget(c, c.StartupProbe), fmt.Sprintf("HTTPS :%d/livez", securePort)},
			{"readiness", probeTarget(c, c.ReadinessProbe), fmt.Sprintf("HTTPS :%d/readyz", securePort)},
		}
		for _, tc := range tests {
			assert.Equal(t, tc.want, tc.got, tc.name)
		}
	})

	t.Run("RBAC", func(t *testing.T) {
		roles := map[string][]rbacv1.PolicyRule{}
		for _, r := range ofKind[*rbacv1.ClusterRole](t, in, "ClusterRole") {
			roles["ClusterRole/"+r.Name] = r.Rules
		}
		for _, r := range ofKind[*rbacv1.Role](t, in, "Role") {
			roles["Role/"+r.Namespace+"/"+r.Name] = r.Rules
		}
		// leaseRules are the rules the ServiceAccount gets in the Lease's namespace.
		var leaseRules []rbacv1.PolicyRule
		var cfg leaderElection
		require.NoError(t, yaml.Unmarshal(shipped, &cfg))
		require.True(t, cfg.LeaderElection.LeaderElect)
		check := func(kind, namespace, name string, ref rbacv1.RoleRef, subjects []rbacv1.Subject) {
			key := ref.Kind + "/" + ref.Name
			if ref.Kind == "Role" {
				key = "Role/" + namespace + "/" + ref.Name
			}
			rules, ok := roles[key]
			assert.True(t, ok, "%s %s refers to %s, which the install does not define", kind, name, key)
			for _, s := range subjects {
				assert.Equal(t, rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "gangsched", Namespace: "gangsched-system"}, s,
					"%s %s binds someone else", kind, name)
			}
			if namespace == cfg.LeaderElection.ResourceNamespace {
				leaseRules = append(leaseRules, rules...)
			}
		}
		for _, b := range ofKind[*rbacv1.ClusterRoleBinding](t, in, "ClusterRoleBinding") {
			check("ClusterRoleBinding", "", b.Name, b.RoleRef, b.Subjects)
		}
		for _, b := range ofKind[*rbacv1.RoleBinding](t, in, "RoleBinding") {
			check("RoleBinding", b.Namespace, b.Name, b.RoleRef, b.Subjects)
		}
		// The Lease the config names is the one the Role grants.
		name := cfg.LeaderElection.ResourceName
		for _, verb := range []string{"create", "get", "update"} {
			assert.True(t, ruleAllows(leaseRules, "coordination.k8s.io", "leases", verb, name),
				"no %s on Lease %s/%s", verb, cfg.LeaderElection.ResourceNamespace, name)
		}
	})

	t.Run("every RBAC rule says why", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join(manifestsDir, "install", "rbac.yaml"))
		require.NoError(t, err)
		lines := strings.Split(string(data), "\n")
		for i, line := range lines {
			if strings.HasPrefix(line, "- apiGroups:") {
				assert.True(t, i > 0 && strings.HasPrefix(lines[i-1], "#"),
					"rbac.yaml:%d: rule without a comment: %s", i+1, line)
			}
		}
	})

	t.Run("matches kubectl kustomize", func(t *testing.T) {
		kubectl, err := exec.LookPath("kubectl")
		if err != nil {
			t.Skip("kubectl not installed: the loader is not compared with kustomize")
		}
		out, err := exec.Command(kubectl, "kustomize", manifestsDir).Output()
		require.NoError(t, err)
		path := filepath.Join(t.TempDir(), "kustomized.yaml")
		require.NoError(t, os.WriteFile(path, out, 0o600))
		built := decodeYAMLFile(t, path)
		// kustomize names a generated ConfigMap <name>-<content hash> and
		// rewrites the references to it; the loader keeps <name>.
		hashed := map[string]string{}
		for _, obj := range built {
			for _, gen := range in.kustomization.ConfigMapGenerator {
				if obj.GetKind() == "ConfigMap" && regexp.MustCompile("^"+regexp.QuoteMeta(gen.Name)+"-[a-z0-9]{10}$").MatchString(obj.GetName()) {
					hashed[obj.GetName()] = gen.Name
				}
			}
		}
		require.Len(t, hashed, len(in.kustomization.ConfigMapGenerator))
		key := func(o *unstructured.Unstructured) string {
			return o.GetKind() + " " + o.GetNamespace() + "/" + o.GetName()
		}
		want := map[string]any{}
		for _, obj := range in.objects {
			want[key(obj)] = obj.Object
		}
		got := map[string]any{}
		for _, obj := range built {
			obj.Object = renameStrings(obj.Object, hashed).(map[string]any)
			got[key(obj)] = obj.Object
		}
		assert.Equal(t, want, got)
	})

	t.Run("drop-in static Pod", func(t *testing.T) {
		objs := decodeYAMLFile(t, filepath.Join(manifestsDir, dropinPodFile))
		require.Len(t, objs, 1)
		pod := typedObject(t, objs[0]).(*v1.Pod)
		require.Len(t, pod.Spec.Containers, 1)
		c := pod.Spec.Containers[0]
		// hostPathOf returns the host path mounted at the container path p.
		hostPathOf := func(p string) string {
			for _, m := range c.VolumeMounts {
				if m.MountPath == p || strings.HasPrefix(p, m.MountPath+"/") {
					for _, v := range pod.Spec.Volumes {
						if v.Name == m.Name && v.HostPath != nil {
							return filepath.Join(v.HostPath.Path, strings.TrimPrefix(p, m.MountPath))
						}
					}
				}
			}
			return ""
		}
		config, _ := flagValue(c.Command, "config")
		authn, _ := flagValue(c.Command, "authentication-kubeconfig")
		authz, _ := flagValue(c.Command, "authorization-kubeconfig")
		sc := c.SecurityContext
		require.NotNil(t, sc)
		require.NotNil(t, pod.Spec.SecurityContext)
		tests := []struct {
			name string
			got  any
			want any
		}{
			{"name", pod.Namespace + "/" + pod.Name, "kube-system/kube-scheduler"},
			{"hostNetwork", pod.Spec.HostNetwork, true},
			{"config from the host", hostPathOf(config), "/etc/kubernetes/gangsched/scheduler-config.yaml"},
			{"authentication kubeconfig", hostPathOf(authn), "/etc/kubernetes/scheduler.conf"},
			{"authorization kubeconfig", hostPathOf(authz), "/etc/kubernetes/scheduler.conf"},
			{"liveness", probeTarget(c, c.LivenessProbe), fmt.Sprintf("HTTPS 127.0.0.1:%d/livez", securePort)},
			{"readiness", probeTarget(c, c.ReadinessProbe), fmt.Sprintf("HTTPS 127.0.0.1:%d/readyz", securePort)},
			{"allowPrivilegeEscalation", sc.AllowPrivilegeEscalation, ptr.To(false)},
			{"readOnlyRootFilesystem", sc.ReadOnlyRootFilesystem, ptr.To(true)},
			{"capabilities", sc.Capabilities, &v1.Capabilities{Drop: []v1.Capability{"ALL"}}},
			{"seccomp", pod.Spec.SecurityContext.SeccompProfile, &v1.SeccompProfile{Type: v1.SeccompProfileTypeRuntimeDefault}},
		}
		for _, tc := range tests {
			assert.Equal(t, tc.want, tc.got, tc.name)
		}
	})
}

// probeTarget describes an HTTP probe as "SCHEME host:port/path", with a
// named port resolved against the container's ports.
func probeTarget(c v1.Container, p *v1.Probe) string {
	if p == nil || p.HTTPGet == nil {
		return "not an HTTP probe"
	}
	port := p.HTTPGet.Port
	if port.Type == intstr.String {
		for _, cp := range c.Ports {
			if cp.Name == port.StrVal {
				port = intstr.FromInt32(cp.ContainerPort)
			}
		}
	}
	return fmt.Sprintf("%s %s:%s%s", p.HTTPGet.Scheme, p.HTTPGet.Host, port.String(), p.HTTPGet.Path)
}

// renameStrings returns v with every string found in names replaced.
func renameStrings(v any, names map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = renameStrings(e, names)
		}
	case []any:
		for i, e := range x {
			x[i] = renameStrings(e, names)
		}
	case string:
		if n, ok := names[x]; ok {
			return n
		}
	}
	return v
}

// TestInstallStaticBinary runs the build step of hack/Dockerfile
// (hack/build-image-binary.sh) and checks that the binary runs on
// distroless/static: statically linked (no ELF interpreter, no shared
// library), built with CGO_ENABLED=0, and stamped by the version ldflags of
// hack/lib.sh that hack/build-controlplane.sh uses too. It reuses the Go
// build cache.
func TestInstallStaticBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: builds the gangsched binary, and -short is set")
	}
	root, err := controlplane.RepoRoot()
	require.NoError(t, err)
	bin := filepath.Join(t.TempDir(), "gangsched")
	build := exec.Command(filepath.Join(root, "hack", "build-image-binary.sh"), bin)
	out, err := build.CombinedOutput()
	require.NoError(t, err, "hack/build-image-binary.sh:\n%s", out)

	ldflags, err := exec.Command("bash", "-c", `source "$1/hack/lib.sh" && gangsched::version_ldflags`, "bash", root).Output()
	require.NoError(t, err)

	f, err := elf.Open(bin)
	require.NoError(t, err)
	defer f.Close()
	for _, p := range f.Progs {
		assert.NotEqual(t, elf.PT_INTERP, p.Type, "the binary has an ELF interpreter: it is dynamically linked")
	}
	libs, err := f.ImportedLibraries()
	require.NoError(t, err)
	assert.Empty(t, libs, "shared libraries")

	info, err := buildinfo.ReadFile(bin)
	require.NoError(t, err)
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	assert.Equal(t, "0", settings["CGO_ENABLED"], "CGO_ENABLED")
	assert.Equal(t, "true", settings["-trimpath"], "-trimpath")

	// With -trimpath the build info leaves the ldflags out; the binary's
	// own version report shows their effect instead.
	version, err := exec.Command(bin, "--version=raw").CombinedOutput()
	require.NoError(t, err, string(version))
	fields := map[string]string{
		"gitVersion":   "GitVersion",
		"gitMajor":     "Major",
		"gitMinor":     "Minor",
		"gitTreeState": "GitTreeState",
	}
	xflags := regexp.MustCompile(`-X k8s\.io/component-base/version\.(\w+)=(\S+)`).FindAllStringSubmatch(string(ldflags), -1)
	require.Len(t, xflags, len(fields), "ldflags %q", ldflags)
	for _, x := range xflags {
		field, ok := fields[x[1]]
		require.True(t, ok, "ldflags set %s: map it to its version.Info field", x[1])
		assert.Contains(t, string(version), fmt.Sprintf("%s:%q", field, x[2]))
	}
}
