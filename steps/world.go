package steps

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/cucumber/godog"

	"github.com/wsconform/wsconform/steps/peer"
	"github.com/wsconform/wsconform/steps/target"
)

// World is the state of one scenario: its target, the names it made unique,
// the peers it started and the configuration it asked for. A World is built
// by the Before hook of its scenario, carried in the step context, and torn
// down by the After hook; it is never shared between scenarios.
type World struct {
	factory target.Factory
	tgt     target.Target
	// suffix makes this scenario's names unique: stream "demo" becomes
	// "demo_<suffix>", path "/api/data" becomes "/<suffix>/api/data".
	suffix string
	// skip is the reason the scenario is skipped, "" when it runs.
	skip string

	env     target.Env
	applied bool

	names   map[string]string
	streams []string
	rules   map[string]target.Rule

	certs   *peer.Certs
	certDir string

	remotes map[string]*remote
	clients map[string]*peer.Client
	silent  []net.Conn
	proxies map[string]*peer.Proxy // fault proxies, by the name of their client

	bgCtx    context.Context
	bgCancel context.CancelFunc
	bg       sync.WaitGroup
	senders  []chan error
}

// remote is a server the suite runs for client-mode streams, with the
// connections it accepted.
type remote struct {
	srv   *peer.Server
	conns []*peer.ServerConn
}

// current returns the latest accepted connection, or nil.
func (r *remote) current() *peer.ServerConn {
	if len(r.conns) == 0 {
		return nil
	}
	return r.conns[len(r.conns)-1]
}

type worldKey struct{}

// worldFrom returns the scenario's World from a step context.
func worldFrom(ctx context.Context) *World {
	w, _ := ctx.Value(worldKey{}).(*World)
	if w == nil {
		panic("steps: no World in the step context; register the steps with InitializeScenario")
	}
	return w
}

// defaultRemote and defaultClient name the peers a step refers to without a name.
const defaultRemote = "remote"

func newWorld(f target.Factory) (*World, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("make a scenario suffix: %w", err)
	}
	bgCtx, cancel := context.WithCancel(context.Background())
	return &World{
		factory:  f,
		suffix:   hex.EncodeToString(b[:]),
		names:    map[string]string{},
		rules:    map[string]target.Rule{},
		remotes:  map[string]*remote{},
		clients:  map[string]*peer.Client{},
		proxies:  map[string]*peer.Proxy{},
		env:      target.Env{ConfKeys: map[string]map[string]any{}},
		bgCtx:    bgCtx,
		bgCancel: cancel,
	}, nil
}

// capabilityTag is the tag prefix of scenarios that need a target capability.
const capabilityTag = "@needs-"

// begin makes the scenario's target and decides whether the scenario can run
// on it. It returns an error wrapping godog.ErrSkip, with the reason, when the
// target lacks a capability the scenario's tags ask for.
func (w *World) begin(ctx context.Context, sc *godog.Scenario) error {
	tctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	t, err := w.factory(tctx)
	if err != nil {
		return fmt.Errorf("make the target: %w", err)
	}
	w.tgt = t
	for _, tag := range sc.Tags {
		name, ok := strings.CutPrefix(tag.Name, capabilityTag)
		if !ok {
			continue
		}
		if ok, reason := t.Supports(target.Capability(name)); !ok {
			if reason == "" {
				reason = "the target does not support " + name
			}
			w.skip = fmt.Sprintf("%s needs %q: %s", t.Name(), name, reason)
			return fmt.Errorf("%s: %w", w.skip, godog.ErrSkip)
		}
	}
	return nil
}

// end releases everything the scenario made: peers first, so that no engine
// connection waits on them, then the rules, streams and the target.
func (w *World) end() error {
	w.bgCancel()
	var errs []error
	for _, c := range w.clients {
		_ = c.DropTCP()
	}
	for _, c := range w.silent {
		_ = c.Close()
	}
	for _, p := range w.proxies {
		_ = p.Close()
	}
	for _, r := range w.remotes {
		if err := r.srv.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close a remote server: %w", err))
		}
	}
	w.bg.Wait()
	if w.tgt != nil {
		ctx, cancel := context.WithTimeout(context.Background(), target.DefaultTimeout)
		defer cancel()
		ids := make([]string, 0, len(w.rules))
		for id := range w.rules {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			if err := w.tgt.DeleteRule(ctx, w.rules[id].ID()); err != nil {
				errs = append(errs, fmt.Errorf("clean up: delete rule %q: %w", id, err))
			}
		}
		for _, s := range w.streams {
			if err := w.tgt.DropStream(ctx, s); err != nil {
				errs = append(errs, fmt.Errorf("clean up: drop stream %q: %w", s, err))
			}
		}
		if err := w.tgt.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close the target: %w", err))
		}
	}
	if w.certDir != "" {
		if err := os.RemoveAll(w.certDir); err != nil {
			errs = append(errs, fmt.Errorf("remove %s: %w", w.certDir, err))
		}
	}
	return errors.Join(errs...)
}

// unique returns the scenario's own copy of a stream name, rule id or confKey
// name. The confKey "default" is shared by nature and keeps its name.
func (w *World) unique(name string) string {
	if name == "" || strings.EqualFold(name, "default") {
		return name
	}
	if u, ok := w.names[name]; ok {
		return u
	}
	u := name + "_" + w.suffix
	w.names[name] = u
	return u
}

// path returns the scenario's own copy of a datasource path: paths starting
// with "/" get the scenario's suffix as a first segment, the rest (invalid
// datasources) are kept as written.
func (w *World) path(p string) string {
	if !strings.HasPrefix(p, "/") {
		return p
	}
	return "/" + w.suffix + p
}

// unpath undoes path.
func (w *World) unpath(p string) string {
	if rest, ok := strings.CutPrefix(p, "/"+w.suffix); ok && strings.HasPrefix(rest, "/") {
		return rest
	}
	return p
}

var (
	createStreamRe = regexp.MustCompile(`(?is)^(\s*create\s+stream\s+)([A-Za-z_][A-Za-z0-9_]*)`)
	optionRe       = regexp.MustCompile(`(?i)\b(datasource|conf_key)(\s*=\s*)"([^"]*)"`)
	fromRe         = regexp.MustCompile(`(?i)\b(from\s+)([A-Za-z_][A-Za-z0-9_]*)`)
)

// streamSQL rewrites a CREATE STREAM statement to the scenario's names and
// returns it with the stream's unique name ("" when the statement names none).
func (w *World) streamSQL(sql string) (string, string) {
	name := ""
	sql = createStreamRe.ReplaceAllStringFunc(sql, func(m string) string {
		sub := createStreamRe.FindStringSubmatch(m)
		name = w.unique(sub[2])
		return sub[1] + name
	})
	sql = optionRe.ReplaceAllStringFunc(sql, func(m string) string {
		sub := optionRe.FindStringSubmatch(m)
		v := sub[3]
		if strings.EqualFold(sub[1], "datasource") {
			v = w.path(v)
		} else {
			v = w.unique(v)
		}
		return sub[1] + sub[2] + `"` + v + `"`
	})
	return sql, name
}

// selectSQL rewrites a SELECT statement to the scenario's stream names.
func (w *World) selectSQL(sql string) string {
	return fromRe.ReplaceAllStringFunc(sql, func(m string) string {
		sub := fromRe.FindStringSubmatch(m)
		return sub[1] + w.unique(sub[2])
	})
}

// text rewrites the names a feature wrote in an expected message to the
// scenario's names, and expands placeholders.
func (w *World) text(s string) (string, error) {
	s, err := w.expand(s)
	if err != nil {
		return "", err
	}
	for orig, u := range w.names {
		re := regexp.MustCompile(`\b` + regexp.QuoteMeta(orig) + `\b`)
		s = re.ReplaceAllLiteralString(s, u)
	}
	return s, nil
}

var placeholderRe = regexp.MustCompile(`\$\{([a-z0-9-]+)\}`)

// expand replaces the placeholders ${ca-file}, ${ca-pem-base64},
// ${client-cert-file}, ${client-key-file}, ${client-cert-pem-base64},
// ${client-key-pem-base64} and ${missing-file} with the scenario's
// certificate material.
func (w *World) expand(s string) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	c, err := w.ensureCerts()
	if err != nil {
		return "", err
	}
	var firstErr error
	out := placeholderRe.ReplaceAllStringFunc(s, func(m string) string {
		key := placeholderRe.FindStringSubmatch(m)[1]
		v, err := placeholder(c, w.certDir, key)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return v
	})
	return out, firstErr
}

func placeholder(c *peer.Certs, dir, key string) (string, error) {
	b64 := func(file string) (string, error) {
		data, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("placeholder ${%s}: %w", key, err)
		}
		return base64.StdEncoding.EncodeToString(data), nil
	}
	switch key {
	case "ca-file":
		return c.CAFile, nil
	case "ca-pem-base64":
		return base64.StdEncoding.EncodeToString(c.CAPEM), nil
	case "client-cert-file":
		return c.ClientCertFile, nil
	case "client-key-file":
		return c.ClientKeyFile, nil
	case "client-cert-pem-base64":
		return b64(c.ClientCertFile)
	case "client-key-pem-base64":
		return b64(c.ClientKeyFile)
	case "missing-file":
		return filepath.Join(dir, "no-such-dir", "missing-cert.pem"), nil
	}
	return "", fmt.Errorf("unknown placeholder ${%s}", key)
}

// ensureCerts makes the scenario's certificates on first use.
func (w *World) ensureCerts() (*peer.Certs, error) {
	if w.certs != nil {
		return w.certs, nil
	}
	dir, err := os.MkdirTemp("", "wsconform-certs-")
	if err != nil {
		return nil, fmt.Errorf("make a certificate directory: %w", err)
	}
	w.certDir = dir
	c, err := peer.NewCerts(dir)
	if err != nil {
		return nil, fmt.Errorf("make certificates: %w", err)
	}
	w.certs = c
	return c, nil
}

// ready applies the scenario's configuration to the target when it changed.
func (w *World) ready(ctx context.Context) error {
	if w.applied {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	if err := w.tgt.Apply(ctx, w.env); err != nil {
		return fmt.Errorf("apply the scenario's configuration to %s: %w", w.tgt.Name(), err)
	}
	w.applied = true
	return nil
}

// changed marks the configuration as changed since it was last applied.
func (w *World) changed() { w.applied = false }

// rule returns a rule the scenario created.
func (w *World) rule(id string) (target.Rule, error) {
	r, ok := w.rules[id]
	if !ok {
		return nil, fmt.Errorf("the scenario created no rule %q", id)
	}
	return r, nil
}

// remote returns a remote server the scenario started; "" is the default one.
func (w *World) remote(name string) (*remote, error) {
	if name == "" {
		name = defaultRemote
	}
	r, ok := w.remotes[name]
	if !ok {
		return nil, fmt.Errorf("the scenario started no remote server %q", name)
	}
	return r, nil
}

// client returns a client the scenario connected.
func (w *World) client(name string) (*peer.Client, error) {
	c, ok := w.clients[name]
	if !ok {
		return nil, fmt.Errorf("the scenario connected no client %q", name)
	}
	return c, nil
}

// background runs send on a goroutine the World owns; its error is collected
// by waitSenders. send's context ends when the scenario ends.
func (w *World) background(send func(ctx context.Context) error) {
	done := make(chan error, 1)
	w.senders = append(w.senders, done)
	w.bg.Add(1)
	go func() {
		defer w.bg.Done()
		done <- send(w.bgCtx)
	}()
}

// waitSenders waits for the background senders and returns their errors.
func (w *World) waitSenders(ctx context.Context) error {
	var errs []error
	for _, done := range w.senders {
		select {
		case err := <-done:
			errs = append(errs, err)
		case <-ctx.Done():
			return fmt.Errorf("a background sender did not finish: %w", ctx.Err())
		}
	}
	w.senders = nil
	return errors.Join(errs...)
}
