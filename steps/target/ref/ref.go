// Package ref is the in-process reference target: it drives the reference
// engine (impl/engine) directly, one fresh engine per scenario, with the data
// server on a loopback port reserved for the scenario. A rule's records come
// through the engine's own rest sink, posting to a record collector
// (steps/target/collect) the target runs on loopback, as they come from a
// remote engine through the REST target.
package ref

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/engine"
	"github.com/wsconform/wsconform/impl/fault"
	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/steps/target/collect"
)

// Name is what the reference target calls itself in reports.
const Name = "reference (in-process)"

// Options configure the reference target. The zero value is the correct
// engine with logs discarded.
type Options struct {
	// Faults are deliberate defects built into the engine; zero means none.
	Faults fault.Set
	// Logger receives the engine's logs; nil discards them.
	Logger *slog.Logger
}

// Factory returns a target.Factory making one reference Target per call.
func Factory(opts Options) target.Factory {
	return func(ctx context.Context) (target.Target, error) {
		return New(ctx, opts)
	}
}

// Target is one scenario's reference engine. It is safe for concurrent use.
type Target struct {
	opts Options
	addr string // the data server's reserved 127.0.0.1:port

	mu     sync.Mutex
	closed bool
	env    target.Env
	eng    *engine.Engine     // nil until Apply or the first operation
	dsTLS  *config.ServerTLS  // the data server's TLS settings eng was built with
	coll   *collect.Collector // made by the first rule; its routes deliver the rules' records
	seq    int                // numbers the collector's routes
}

var (
	_ target.Target       = (*Target)(nil)
	_ target.HangingSinks = (*Target)(nil)
)

// New reserves a loopback port for the data server and returns a Target. The
// engine is built by Apply, or with an empty Env by the first operation.
func New(ctx context.Context, opts Options) (*Target, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("reference target: %w", err)
	}
	addr, err := reservePort()
	if err != nil {
		return nil, err
	}
	return &Target{opts: opts, addr: addr}, nil
}

// Name describes the target.
func (t *Target) Name() string { return Name }

// Supports tells what the reference target can do: everything.
func (t *Target) Supports(c target.Capability) (bool, string) {
	switch c {
	case target.ServerTLS, target.ServerClientAuth, target.DataServerLifecycle, target.MessageLimit, target.HangingSink, target.DataServerLimits, target.EngineFiles,
		target.RuleJSON, target.RuleList, target.PrivateNetRefusal:
		return true, ""
	default:
		return false, fmt.Sprintf("the reference target does not know capability %q", c)
	}
}

// Apply configures the engine for env. The first call builds the engine.
// Later calls replace the confKeys in place (rules already running keep the
// properties they started with); a change of the data server's TLS files or
// limits, of the engine's files (Env.KuiperYAML, Env.WebsocketYAML) or of
// Env.PrivateNetRefused rebuilds the engine, keeping its streams, and is refused while rules exist.
// Files the engine refuses leave the target as it was and return the
// engine's error.
func (t *Target) Apply(ctx context.Context, env target.Env) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	if env.MaxMessageBytes < 0 {
		return fmt.Errorf("message size limit %d: want a positive number of bytes", env.MaxMessageBytes)
	}
	if env.KuiperYAML != "" && (env.DataServerTLS != nil || env.MaxConnections != 0 || env.IdleTimeout != 0) {
		return errors.New("apply: a scenario's kuiper.yaml sets the data server's TLS and limits itself; " +
			"Env.DataServerTLS, MaxConnections and IdleTimeout must then be unset")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return errClosed
	}
	old, oldEnv := t.eng, t.env
	if old == nil {
		eng, dsTLS, err := t.newEngine(env)
		if err != nil {
			return fmt.Errorf("apply: %w", err)
		}
		t.env, t.eng, t.dsTLS = env, eng, dsTLS
		return nil
	}
	if sameTLS(oldEnv.DataServerTLS, env.DataServerTLS) && oldEnv.MaxConnections == env.MaxConnections && oldEnv.IdleTimeout == env.IdleTimeout &&
		oldEnv.KuiperYAML == env.KuiperYAML && oldEnv.WebsocketYAML == env.WebsocketYAML && oldEnv.PrivateNetRefused == env.PrivateNetRefused {
		if err := putConfKeys(old, oldEnv, env); err != nil {
			return fmt.Errorf("apply: %w", err)
		}
		t.env = env
		return nil
	}
	if rules := old.Rules(); len(rules) > 0 {
		ids := make([]string, len(rules))
		for i, r := range rules {
			ids[i] = r.ID
		}
		return fmt.Errorf("apply: the data server's TLS settings and limits, and the engine's files, cannot change while rules exist (%s)", strings.Join(ids, ", "))
	}
	next, dsTLS, err := t.newEngine(env)
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	for _, name := range old.Streams() {
		st, err := old.Stream(name)
		if err == nil {
			_, err = next.CreateStream(st.SQL)
		}
		if err != nil {
			_ = next.Close()
			return fmt.Errorf("apply: keep stream %s: %w", name, err)
		}
	}
	t.env, t.eng, t.dsTLS = env, next, dsTLS
	if err := old.Close(); err != nil {
		return fmt.Errorf("apply: close the previous engine: %w", err)
	}
	return nil
}

func sameTLS(a, b *target.TLSFiles) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// confKeys returns the engine confKeys for env: env.ConfKeys with the message
// size limit set on every key, "default" included.
func confKeys(env target.Env) config.ConfKeys {
	keys := config.ConfKeys{}
	for name, props := range env.ConfKeys {
		keys[name] = maps.Clone(props)
		if keys[name] == nil {
			keys[name] = map[string]any{}
		}
	}
	if env.MaxMessageBytes > 0 {
		if _, ok := keys["default"]; !ok {
			keys["default"] = map[string]any{}
		}
		for _, props := range keys {
			props[config.PropMaxMessageBytes] = env.MaxMessageBytes
		}
	}
	return keys
}

// putConfKeys moves e's confKeys from what oldEnv set to what env sets.
func putConfKeys(e *engine.Engine, oldEnv, env target.Env) error {
	next := confKeys(env)
	for name := range confKeys(oldEnv) {
		if _, ok := next[name]; ok {
			continue
		}
		if strings.EqualFold(name, "default") {
			next[name] = map[string]any{}
			continue
		}
		if err := e.DeleteConfKey(name); err != nil && !errors.Is(err, engine.ErrNotFound) {
			return err
		}
	}
	names := slices.Sorted(maps.Keys(next))
	for _, name := range names {
		if err := e.PutConfKey(name, next[name]); err != nil {
			return err
		}
	}
	return nil
}

var errClosed = errors.New("reference target is closed")

// recordsBuffer is the capacity of a rule's Records channel, so that a reader
// polling without blocking finds a burst of records ready. Records beyond it
// wait in the rule's RecordQueue.
const recordsBuffer = 4096

// newEngine builds the engine for env and returns it with its data server's
// TLS settings. Its data server settings are read from the kuiper.yaml text
// kuiperYAML writes, as the reference daemon reads its etc/kuiper.yaml; with
// env's own files, from those (readEngineFiles).
func (t *Target) newEngine(env target.Env) (*engine.Engine, *config.ServerTLS, error) {
	host, portStr, _ := net.SplitHostPort(t.addr)
	port, _ := strconv.Atoi(portStr)
	if t.opts.Faults != (fault.Set{}) && !fault.Enabled {
		return nil, nil, errors.New("ref: deliberate defects apply only in a build with -tags selftest")
	}
	keys := confKeys(env)
	var kuiper config.Kuiper
	if env.KuiperYAML == "" {
		var err error
		if kuiper, err = config.ParseKuiper("kuiper.yaml", kuiperYAML(host, port, env)); err != nil {
			return nil, nil, err
		}
	}
	if env.KuiperYAML != "" || env.WebsocketYAML != "" {
		k, fileKeys, err := readEngineFiles(env)
		if err != nil {
			return nil, nil, err
		}
		if env.KuiperYAML != "" {
			// The data server stays where the target said it is, and rest
			// sinks may post to the collector on loopback.
			k.Source.HTTPServerIP, k.Source.HTTPServerPort = host, port
			k.Basic.EnablePrivateNet = !env.PrivateNetRefused
			kuiper = k
		}
		for name, props := range keys {
			fileKeys[strings.ToLower(name)] = props
		}
		keys = fileKeys
	}
	return engine.New(withFaults(engine.Options{
		Kuiper:   kuiper,
		ConfKeys: keys,
		Logger:   t.opts.Logger,
	}, t.opts.Faults)), kuiper.Source.HTTPServerTLS, nil
}

// readEngineFiles writes env's kuiper.yaml and sources/websocket.yaml (those
// that are not empty) into a new etc directory and reads them with the
// reference daemon's loaders, config.LoadKuiper and config.LoadConfKeys; an
// absent file gives the defaults and no confKeys, as for the daemon. The
// error is the loader's, naming the file and the key.
func readEngineFiles(env target.Env) (config.Kuiper, config.ConfKeys, error) {
	dir, err := os.MkdirTemp("", "wsconform-etc-")
	if err != nil {
		return config.Kuiper{}, nil, fmt.Errorf("make an etc directory: %w", err)
	}
	defer os.RemoveAll(dir)
	k, keys := config.Default(), config.ConfKeys{}
	if env.KuiperYAML != "" {
		path := filepath.Join(dir, "kuiper.yaml")
		if err := os.WriteFile(path, []byte(env.KuiperYAML), 0o600); err != nil {
			return config.Kuiper{}, nil, fmt.Errorf("write %s: %w", path, err)
		}
		if k, err = config.LoadKuiper(path); err != nil {
			return config.Kuiper{}, nil, err
		}
	}
	if env.WebsocketYAML != "" {
		path := filepath.Join(dir, "sources", "websocket.yaml")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return config.Kuiper{}, nil, fmt.Errorf("make %s: %w", filepath.Dir(path), err)
		}
		if err := os.WriteFile(path, []byte(env.WebsocketYAML), 0o600); err != nil {
			return config.Kuiper{}, nil, fmt.Errorf("write %s: %w", path, err)
		}
		if keys, err = config.LoadConfKeys(path); err != nil {
			return config.Kuiper{}, nil, err
		}
	}
	return k, keys, nil
}

// kuiperYAML writes the etc/kuiper.yaml of a scenario's engine: the data
// server on host:port with env's connection cap and idle timeout, wss with
// env's TLS files when set, and basic.enablePrivateNet, as rest sinks post
// to the target's collector on loopback, unless env refuses private addresses.
func kuiperYAML(host string, port int, env target.Env) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "basic:\n  restIp: 127.0.0.1\n  restPort: 0\n  enablePrivateNet: %t\n", !env.PrivateNetRefused)
	fmt.Fprintf(&b, "source:\n  httpServerIp: %s\n  httpServerPort: %d\n", strconv.Quote(host), port)
	if env.MaxConnections != 0 {
		fmt.Fprintf(&b, "  httpServerMaxConnections: %d\n", env.MaxConnections)
	}
	if env.IdleTimeout > 0 {
		fmt.Fprintf(&b, "  httpServerIdleTimeout: %s\n", strconv.Quote(env.IdleTimeout.String()))
	}
	tf := env.DataServerTLS
	if tf != nil {
		fmt.Fprintf(&b, "  httpServerTls:\n    certfile: %s\n    keyfile: %s\n", strconv.Quote(tf.CertFile), strconv.Quote(tf.KeyFile))
		if tf.ClientCAFile != "" {
			fmt.Fprintf(&b, "    clientcafile: %s\n", strconv.Quote(tf.ClientCAFile))
		}
	}
	return []byte(b.String())
}

// engine returns the engine in use, building it with an empty Env when Apply
// was never called.
func (t *Target) engine() (*engine.Engine, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, errClosed
	}
	if t.eng == nil {
		eng, _, err := t.newEngine(target.Env{})
		if err != nil {
			return nil, err
		}
		t.eng = eng
	}
	return t.eng, nil
}

// live returns the current engine, or an error when the target is closed or
// ctx has ended.
func (t *Target) live(ctx context.Context) (*engine.Engine, error) {
	e, err := t.engine()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return e, nil
}

// CreateStream runs a CREATE STREAM statement.
func (t *Target) CreateStream(ctx context.Context, sql string) error {
	e, err := t.live(ctx)
	if err != nil {
		return err
	}
	_, err = e.CreateStream(sql)
	return err
}

// DropStream drops a stream.
func (t *Target) DropStream(ctx context.Context, name string) error {
	e, err := t.live(ctx)
	if err != nil {
		return err
	}
	return e.DropStream(name)
}

// RuleHeader is the request header the rest sink of a rule made by
// CreateRule sends, with the rule id; the collector refuses a post without it.
const RuleHeader = "X-Wsconform-Rule"

// sinkTimeout is the request timeout of the rest sink of a rule made by
// CreateRule.
const sinkTimeout = 10 * time.Second

// CreateRule creates and starts a rule whose only action is a rest sink
// posting each record to a route of the target's record collector, which
// refuses a post without the header RuleHeader, with a Content-Type other
// than JSON or with more than one record (the sink sends each record alone). The rule's Records channel stays the same across stop and
// start.
func (t *Target) CreateRule(ctx context.Context, id, sql string) (target.Rule, error) {
	header := map[string]string{RuleHeader: id, "Content-Type": "application/json"}
	return t.createPostingRule(ctx, id, sql, collect.RouteOptions{Buffer: recordsBuffer, Header: header, Single: true},
		map[string]any{"headers": map[string]any{RuleHeader: id}, "timeout": sinkTimeout.Milliseconds()})
}

// createPostingRule creates and starts a rule whose only action is a rest
// sink, with props added to its properties, posting to a new route of the
// target's collector made with opts.
func (t *Target) createPostingRule(ctx context.Context, id, sql string, opts collect.RouteOptions, props map[string]any) (target.Rule, error) {
	e, err := t.engine()
	if err != nil {
		return nil, err
	}
	coll, path, err := t.route()
	if err != nil {
		return nil, err
	}
	rt, err := coll.AddRoute(path, opts)
	if err != nil {
		return nil, fmt.Errorf("create rule %s: %w", id, err)
	}
	sink := map[string]any{"url": rt.URL, "method": "post", "sendSingle": true}
	maps.Copy(sink, props)
	action := map[string]map[string]any{"rest": sink}
	if err := e.CreateRule(ctx, engine.RuleDef{ID: id, SQL: sql, Actions: []map[string]map[string]any{action}}); err != nil {
		coll.Remove(path)
		return nil, err
	}
	return &rule{id: id, eng: e, records: rt.Records()}, nil
}

// CreateRuleWithHangingSink creates and starts a rule whose rest sink posts,
// with the given timeout, to a route of the target's collector that never
// answers.
func (t *Target) CreateRuleWithHangingSink(ctx context.Context, id, sql string, timeout time.Duration) (target.Rule, error) {
	if timeout <= 0 {
		return nil, fmt.Errorf("create rule %s: hanging sink timeout %v: want a positive duration", id, timeout)
	}
	r, err := t.createPostingRule(ctx, id, sql, collect.RouteOptions{Hang: true}, map[string]any{"timeout": timeout.Milliseconds()})
	if err != nil {
		return nil, err
	}
	return &rule{id: id, eng: r.(*rule).eng, records: make(chan target.Record)}, nil
}

// StopRule stops a rule.
func (t *Target) StopRule(ctx context.Context, id string) error {
	e, err := t.live(ctx)
	if err != nil {
		return err
	}
	return e.StopRule(id)
}

// StartRule starts a stopped rule.
func (t *Target) StartRule(ctx context.Context, id string) error {
	e, err := t.engine()
	if err != nil {
		return err
	}
	return e.StartRule(ctx, id)
}

// RestartRule stops a rule and starts it again.
func (t *Target) RestartRule(ctx context.Context, id string) error {
	e, err := t.live(ctx)
	if err != nil {
		return err
	}
	return e.RestartRule(ctx, id)
}

// DeleteRule deletes a rule. Records it emitted before are still delivered.
func (t *Target) DeleteRule(ctx context.Context, id string) error {
	e, err := t.live(ctx)
	if err != nil {
		return err
	}
	return e.DeleteRule(id)
}

// DataServer tells where the engine's data server listens. For wss, CAFile is
// the data server's own certificate file, which clients may trust directly.
func (t *Target) DataServer() target.Endpoint {
	t.mu.Lock()
	defer t.mu.Unlock()
	ep := target.Endpoint{Addr: t.addr}
	if tf := t.dsTLS; tf != nil {
		ep.TLS = true
		ep.CAFile = tf.CertFile
	}
	return ep
}

// Close deletes every rule and stream, closes the engine and waits for every
// goroutine of the target. Later calls return nil.
func (t *Target) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	e, coll := t.eng, t.coll
	t.eng, t.coll = nil, nil
	t.mu.Unlock()

	var errs []error
	if e != nil {
		for _, r := range e.Rules() {
			if err := e.DeleteRule(r.ID); err != nil && !errors.Is(err, engine.ErrNotFound) {
				errs = append(errs, err)
			}
		}
		for _, s := range e.Streams() {
			if err := e.DropStream(s); err != nil && !errors.Is(err, engine.ErrNotFound) {
				errs = append(errs, err)
			}
		}
		if err := e.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if coll != nil {
		// After the engine: its requests have ended.
		if err := coll.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	releasePort(t.addr)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close reference target: %w", err)
	}
	return nil
}

// rule is a rule created through the target.
type rule struct {
	id      string
	eng     *engine.Engine
	records <-chan target.Record
}

// ID returns the rule id.
func (r *rule) ID() string { return r.id }

// Records delivers the rule's records in order; it is never closed.
func (r *rule) Records() <-chan target.Record { return r.records }

// Status maps the engine's rule status: "status" and "message" become State
// and Message, every other key a metric. Values pass through JSON, so numbers
// are json.Number as a remote engine's would be.
func (r *rule) Status(ctx context.Context) (target.Status, error) {
	if err := ctx.Err(); err != nil {
		return target.Status{}, err
	}
	m, err := r.eng.RuleStatus(r.id)
	if err != nil {
		return target.Status{}, err
	}
	m, err = roundTrip(m)
	if err != nil {
		return target.Status{}, fmt.Errorf("status of rule %s: %w", r.id, err)
	}
	return target.StatusFromMap(m), nil
}

func roundTrip(m map[string]any) (map[string]any, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode as JSON: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("decode %s: %w", b, err)
	}
	if out == nil {
		out = map[string]any{}
	}
	return out, nil
}
