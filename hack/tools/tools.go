//go:build tools

// Package tools pins the control-plane binaries that hack/ builds from Go
// modules, so their dependencies are recorded in go.sum.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/test/integration/framework"
	_ "k8s.io/kubernetes/test/integration/util"
	_ "k8s.io/kubernetes/cmd/kube-apiserver/app/testing"
	_ "github.com/stretchr/testify/require"
)
