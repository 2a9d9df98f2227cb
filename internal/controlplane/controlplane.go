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

// Package controlplane starts a real etcd and kube-apiserver as child
// processes, from binaries built by hack/build-controlplane.sh, on loopback
// addresses with free ports and in a temporary directory. It is used by the
// integration tests and by hack/localup (make run).
//
// There is no controller-manager and no kubelet: Nodes are plain API objects,
// a bound Pod keeps spec.nodeName and stays Pending, and nothing garbage
// collects or finalizes objects (delete bound Pods with a zero grace period;
// deleted Namespaces stay Terminating).
//
// The package imports only client-go, apimachinery and the standard library.
package controlplane

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Defaults applied by Start to empty Options fields.
const (
	DefaultAuthorizationMode       = "AlwaysAllow"
	DefaultFeatureGates            = "GenericWorkload=true"
	DefaultRuntimeConfig           = "scheduling.k8s.io/v1alpha1=true"
	DefaultDisableAdmissionPlugins = "ServiceAccount,TaintNodesByCondition"
	DefaultServiceClusterIPRange   = "10.0.0.0/24"
	DefaultStartTimeout            = 2 * time.Minute

	// AdminUser and AdminGroup identify the admin token's user.
	AdminUser  = "admin"
	AdminGroup = "system:masters"
)

// TokenUser is an extra static bearer token accepted by the apiserver (via
// --token-auth-file), for tests of real permissions with RBAC.
type TokenUser struct {
	Token  string
	User   string
	UID    string // defaults to User
	Groups []string
}

// Options configures Start. The zero value is a usable default.
type Options struct {
	// BinDir holds the etcd and kube-apiserver binaries. Default: DefaultBinDir().
	BinDir string
	// TempDir is the parent of the control plane's directory. Default: os.TempDir().
	TempDir string
	// Dir, if set, is used as the control plane's directory instead of a new
	// temporary one; it is created if needed and is NOT removed by Stop.
	Dir string

	// AuthorizationMode is --authorization-mode, e.g. "AlwaysAllow" (default)
	// or "RBAC". The admin user is in system:masters and is allowed under RBAC.
	AuthorizationMode string
	// FeatureGates is --feature-gates. Default DefaultFeatureGates, unless
	// DisableWorkloadAPI is set.
	FeatureGates string
	// RuntimeConfig is --runtime-config. Default DefaultRuntimeConfig, unless
	// DisableWorkloadAPI is set.
	RuntimeConfig string
	// DisableWorkloadAPI leaves the GenericWorkload gate and the
	// scheduling.k8s.io/v1alpha1 API at their (off) defaults, so the Workload
	// API is not served. Explicit FeatureGates and RuntimeConfig still apply.
	DisableWorkloadAPI bool
	// DisableAdmissionPlugins is --disable-admission-plugins. Default
	// DefaultDisableAdmissionPlugins (needed with no controller-manager).
	DisableAdmissionPlugins string
	// ExtraTokens are extra users accepted through the static token file.
	ExtraTokens []TokenUser
	// ExtraAPIServerFlags are appended last to the kube-apiserver command line.
	ExtraAPIServerFlags []string
	// ExtraEtcdFlags are appended last to the etcd command line.
	ExtraEtcdFlags []string
	// APIServerVerbosity is kube-apiserver's -v. Default 0 (omitted).
	APIServerVerbosity int

	// StartTimeout bounds how long Start waits for each process to become
	// ready. Default DefaultStartTimeout.
	StartTimeout time.Duration
	// Logf, if set, receives progress messages.
	Logf func(format string, args ...any)
}

// ControlPlane is a running etcd and kube-apiserver.
type ControlPlane struct {
	// Dir is the working directory: data, certs, keys, logs and kubeconfig.
	Dir string
	// Kubeconfig is the path of an admin kubeconfig file in Dir.
	Kubeconfig string
	// Config is an admin client config (bearer token, the apiserver's
	// self-signed serving certificate as CA). Callers get their own copy via
	// rest.CopyConfig if they mean to change it.
	Config *rest.Config
	// AdminToken is the admin user's bearer token.
	AdminToken string
	// EtcdURL is the etcd client URL, http://127.0.0.1:<port>.
	EtcdURL string
	// APIServerURL is https://127.0.0.1:<port>.
	APIServerURL string
	// EtcdLog and APIServerLog are the processes' log files.
	EtcdLog      string
	APIServerLog string

	opts      Options
	removeDir bool
	apiArgs   []string
	apiPort   int
	mu        sync.Mutex
	etcd      *Process
	apiserver *Process
	stopped   bool
}

// Start starts etcd and kube-apiserver and waits until the apiserver is
// ready and the default and kube-system namespaces exist. On failure everything started is
// stopped and the error includes the tail of the failing process's log.
func Start(ctx context.Context, opts Options) (_ *ControlPlane, retErr error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	if err := CheckBinaries(opts.BinDir, EtcdBinary, APIServerBinary); err != nil {
		return nil, err
	}
	cp := &ControlPlane{opts: opts}
	if opts.Dir != "" {
		if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
			return nil, err
		}
		cp.Dir = opts.Dir
	} else {
		dir, err := os.MkdirTemp(opts.TempDir, "gangsched-cp-")
		if err != nil {
			return nil, err
		}
		cp.Dir, cp.removeDir = dir, true
	}
	defer func() {
		if retErr != nil {
			_ = cp.Stop()
		}
	}()
	cp.EtcdLog = filepath.Join(cp.Dir, "etcd.log")
	cp.APIServerLog = filepath.Join(cp.Dir, "kube-apiserver.log")

	if err := cp.startEtcd(ctx); err != nil {
		return nil, err
	}
	if err := cp.prepareAPIServer(); err != nil {
		return nil, err
	}
	if err := cp.startAPIServerWithRetry(ctx); err != nil {
		return nil, err
	}
	return cp, nil
}

func (o *Options) defaults() error {
	if o.BinDir == "" {
		dir, err := DefaultBinDir()
		if err != nil {
			return err
		}
		o.BinDir = dir
	}
	if o.AuthorizationMode == "" {
		o.AuthorizationMode = DefaultAuthorizationMode
	}
	if !o.DisableWorkloadAPI {
		if o.FeatureGates == "" {
			o.FeatureGates = DefaultFeatureGates
		}
		if o.RuntimeConfig == "" {
			o.RuntimeConfig = DefaultRuntimeConfig
		}
	}
	if o.DisableAdmissionPlugins == "" {
		o.DisableAdmissionPlugins = DefaultDisableAdmissionPlugins
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = DefaultStartTimeout
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	return nil
}

// startAttempts bounds retries when a port picked as free was taken before
// the process could bind it.
const startAttempts = 3

func (cp *ControlPlane) startEtcd(ctx context.Context) error {
	var lastErr error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		ports, err := FreePorts(2)
		if err != nil {
			return err
		}
		clientURL := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
		peerURL := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
		args := []string{
			"--name=gangsched",
			"--data-dir=" + filepath.Join(cp.Dir, "etcd-data"),
			"--listen-client-urls=" + clientURL,
			"--advertise-client-urls=" + clientURL,
			"--listen-peer-urls=" + peerURL,
			"--initial-advertise-peer-urls=" + peerURL,
			"--initial-cluster=gangsched=" + peerURL,
			// Test data: durability across power loss does not matter, speed does.
			"--unsafe-no-fsync=true",
		}
		args = append(args, cp.opts.ExtraEtcdFlags...)
		cp.opts.Logf("controlplane: starting etcd on %s (log %s)", clientURL, cp.EtcdLog)
		start := time.Now()
		p, err := StartProcess("etcd", filepath.Join(cp.opts.BinDir, EtcdBinary), args, nil, cp.EtcdLog)
		if err != nil {
			return err
		}
		cp.mu.Lock()
		cp.etcd = p
		cp.EtcdURL = clientURL
		cp.mu.Unlock()
		err = waitFor(ctx, p, cp.opts.StartTimeout, func(ctx context.Context) error {
			return checkHTTP(ctx, http.DefaultClient, clientURL+"/health", "", `"health":"true"`)
		})
		if err == nil {
			cp.opts.Logf("controlplane: etcd healthy after %v", time.Since(start).Round(time.Millisecond))
			return nil
		}
		_ = p.Stop(5 * time.Second)
		lastErr = fmt.Errorf("etcd did not become healthy: %w", err)
		if !portInUse(cp.EtcdLog) {
			break
		}
		cp.opts.Logf("controlplane: etcd port taken, retrying (attempt %d)", attempt)
	}
	return lastErr
}

func (cp *ControlPlane) prepareAPIServer() error {
	certDir := filepath.Join(cp.Dir, "certs")
	if err := os.MkdirAll(certDir, 0o700); err != nil {
		return err
	}
	saKey := filepath.Join(cp.Dir, "service-account.key")
	if err := writeRSAKey(saKey); err != nil {
		return err
	}
	token, err := randomToken()
	if err != nil {
		return err
	}
	cp.AdminToken = token
	tokenFile := filepath.Join(cp.Dir, "tokens.csv")
	users := append([]TokenUser{{Token: token, User: AdminUser, Groups: []string{AdminGroup}}}, cp.opts.ExtraTokens...)
	if err := writeTokenFile(tokenFile, users); err != nil {
		return err
	}
	args := []string{
		"--etcd-servers=" + cp.EtcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--cert-dir=" + certDir,
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file=" + saKey,
		"--service-account-signing-key-file=" + saKey,
		"--token-auth-file=" + tokenFile,
		"--authorization-mode=" + cp.opts.AuthorizationMode,
		"--disable-admission-plugins=" + cp.opts.DisableAdmissionPlugins,
		"--service-cluster-ip-range=" + DefaultServiceClusterIPRange,
		"--allow-privileged=true",
		// No endpoints for the "kubernetes" Service: nothing routes there,
		// and a loopback address is not a valid endpoint.
		"--endpoint-reconciler-type=none",
	}
	if cp.opts.FeatureGates != "" {
		args = append(args, "--feature-gates="+cp.opts.FeatureGates)
	}
	if cp.opts.RuntimeConfig != "" {
		args = append(args, "--runtime-config="+cp.opts.RuntimeConfig)
	}
	if cp.opts.APIServerVerbosity > 0 {
		args = append(args, "-v="+strconv.Itoa(cp.opts.APIServerVerbosity))
	}
	cp.apiArgs = args
	return nil
}

func (cp *ControlPlane) startAPIServerWithRetry(ctx context.Context) error {
	var lastErr error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		ports, err := FreePorts(1)
		if err != nil {
			return err
		}
		cp.apiPort = ports[0]
		if lastErr = cp.startAPIServer(ctx); lastErr == nil {
			return cp.finishSetup(ctx)
		}
		if !portInUse(cp.APIServerLog) {
			break
		}
		cp.opts.Logf("controlplane: apiserver port taken, retrying (attempt %d)", attempt)
	}
	return lastErr
}

// startAPIServer starts kube-apiserver on cp.apiPort and waits for /readyz.
func (cp *ControlPlane) startAPIServer(ctx context.Context) error {
	args := append([]string{}, cp.apiArgs...)
	args = append(args, "--secure-port="+strconv.Itoa(cp.apiPort))
	args = append(args, cp.opts.ExtraAPIServerFlags...)
	url := fmt.Sprintf("https://127.0.0.1:%d", cp.apiPort)
	cp.opts.Logf("controlplane: starting kube-apiserver on %s (log %s)", url, cp.APIServerLog)
	start := time.Now()
	p, err := StartProcess("kube-apiserver", filepath.Join(cp.opts.BinDir, APIServerBinary), args, nil, cp.APIServerLog)
	if err != nil {
		return err
	}
	cp.mu.Lock()
	cp.apiserver = p
	cp.APIServerURL = url
	cp.mu.Unlock()
	// The serving certificate is generated by the apiserver itself; the
	// readiness probe skips verification, the returned config does not.
	insecure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	err = waitFor(ctx, p, cp.opts.StartTimeout, func(ctx context.Context) error {
		return checkHTTP(ctx, insecure, url+"/readyz", cp.AdminToken, "ok")
	})
	if err != nil {
		_ = p.Stop(5 * time.Second)
		return fmt.Errorf("kube-apiserver did not become ready: %w", err)
	}
	cp.opts.Logf("controlplane: kube-apiserver ready after %v", time.Since(start).Round(time.Millisecond))
	return nil
}

// finishSetup builds the client config and kubeconfig and waits for the
// default and kube-system namespaces, which the apiserver creates shortly
// after readiness.
func (cp *ControlPlane) finishSetup(ctx context.Context) error {
	ca, err := os.ReadFile(filepath.Join(cp.Dir, "certs", "apiserver.crt"))
	if err != nil {
		return fmt.Errorf("read apiserver serving cert: %w", err)
	}
	cp.Config = &rest.Config{
		Host:            cp.APIServerURL,
		BearerToken:     cp.AdminToken,
		TLSClientConfig: rest.TLSClientConfig{CAData: ca},
		QPS:             200,
		Burst:           400,
	}
	cp.Kubeconfig = filepath.Join(cp.Dir, "kubeconfig")
	if err := WriteKubeconfig(cp.Kubeconfig, cp.Config); err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(cp.Config)
	if err != nil {
		return err
	}
	return waitFor(ctx, cp.apiserver, cp.opts.StartTimeout, func(ctx context.Context) error {
		for _, ns := range []string{metav1.NamespaceDefault, metav1.NamespaceSystem} {
			if _, err := client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); err != nil {
				return err
			}
		}
		return nil
	})
}

// ConfigForToken returns a copy of the admin config that authenticates with
// token instead (see Options.ExtraTokens).
func (cp *ControlPlane) ConfigForToken(token string) *rest.Config {
	cfg := rest.AnonymousClientConfig(cp.Config)
	cfg.BearerToken = token
	return cfg
}

// EtcdPid returns the etcd process id (0 if not running).
func (cp *ControlPlane) EtcdPid() int { return cp.pid(func() *Process { return cp.etcd }) }

// APIServerPid returns the kube-apiserver process id (0 if not running).
func (cp *ControlPlane) APIServerPid() int { return cp.pid(func() *Process { return cp.apiserver }) }

func (cp *ControlPlane) pid(get func() *Process) int {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	p := get()
	if p == nil {
		return 0
	}
	if exited, _ := p.Exited(); exited {
		return 0
	}
	return p.Pid()
}

// StopAPIServer stops kube-apiserver (SIGTERM, then SIGKILL after 10s) and
// leaves etcd running, for tests of apiserver outages.
func (cp *ControlPlane) StopAPIServer() error {
	cp.mu.Lock()
	p := cp.apiserver
	cp.mu.Unlock()
	if p == nil {
		return nil
	}
	return p.Stop(10 * time.Second)
}

// StartAPIServer starts kube-apiserver again after StopAPIServer, on the same
// port, with the same certificate and tokens, so Config and Kubeconfig stay
// valid. It waits for /readyz.
func (cp *ControlPlane) StartAPIServer(ctx context.Context) error {
	cp.mu.Lock()
	if cp.stopped {
		cp.mu.Unlock()
		return errors.New("control plane is stopped")
	}
	if p := cp.apiserver; p != nil {
		if exited, _ := p.Exited(); !exited {
			cp.mu.Unlock()
			return errors.New("kube-apiserver is still running")
		}
	}
	cp.mu.Unlock()
	return cp.startAPIServer(ctx)
}

// RestartAPIServer stops and starts kube-apiserver (see StartAPIServer).
func (cp *ControlPlane) RestartAPIServer(ctx context.Context) error {
	if err := cp.StopAPIServer(); err != nil {
		return err
	}
	return cp.StartAPIServer(ctx)
}

// Stop stops kube-apiserver and etcd and removes the directory (unless it was
// given as Options.Dir). It is safe to call more than once.
func (cp *ControlPlane) Stop() error {
	cp.mu.Lock()
	if cp.stopped {
		cp.mu.Unlock()
		return nil
	}
	cp.stopped = true
	api, etcd := cp.apiserver, cp.etcd
	cp.mu.Unlock()
	start := time.Now()
	defer func() { cp.opts.Logf("controlplane: stopped in %v", time.Since(start).Round(time.Millisecond)) }()
	var errs []error
	if api != nil {
		// The apiserver drains gracefully on SIGTERM; bound it.
		errs = append(errs, api.Stop(10*time.Second))
	}
	if etcd != nil {
		errs = append(errs, etcd.Stop(10*time.Second))
	}
	if cp.removeDir && cp.Dir != "" {
		errs = append(errs, os.RemoveAll(cp.Dir))
	}
	return errors.Join(errs...)
}

// FreePorts returns n distinct TCP ports that were free on 127.0.0.1.
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// waitFor polls check every 100ms (backing off to 1s) until it returns nil,
// the process exits, the timeout passes or ctx ends.
func waitFor(ctx context.Context, p *Process, timeout time.Duration, check func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	interval := 100 * time.Millisecond
	var lastErr error
	for {
		reqCtx, reqCancel := context.WithTimeout(ctx, 5*time.Second)
		lastErr = check(reqCtx)
		reqCancel()
		if lastErr == nil {
			return nil
		}
		select {
		case <-p.Done():
			return p.exitError()
		case <-ctx.Done():
			return fmt.Errorf("%w (last check: %v); last lines of %s:\n%s", ctx.Err(), lastErr, p.LogPath, p.LogTail(40))
		case <-time.After(interval):
		}
		if interval < time.Second {
			interval += interval / 2
		}
	}
}

// checkHTTP GETs url and succeeds on status 200 with a body containing want.
func checkHTTP(ctx context.Context, client *http.Client, url, token, want string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
		return fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return nil
}

// portInUse reports whether a log says a listen failed on a taken port.
func portInUse(logPath string) bool {
	return strings.Contains(LogTail(logPath, 200), "address already in use")
}

func writeRSAKey(path string) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}

func randomToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// writeTokenFile writes a kube-apiserver static token file:
// token,user,uid,"group1,group2".
func writeTokenFile(path string, users []TokenUser) error {
	var b strings.Builder
	for _, u := range users {
		for _, field := range []string{u.Token, u.User, u.UID} {
			if strings.ContainsAny(field, ",\"\n") {
				return fmt.Errorf("token file: field %q has a comma, quote or newline", field)
			}
		}
		uid := u.UID
		if uid == "" {
			uid = u.User
		}
		fmt.Fprintf(&b, "%s,%s,%s", u.Token, u.User, uid)
		if len(u.Groups) > 0 {
			fmt.Fprintf(&b, ",%q", strings.Join(u.Groups, ","))
		}
		b.WriteString("\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}
