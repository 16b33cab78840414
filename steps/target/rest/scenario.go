package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/steps/target/collect"
)

// cleanupTimeout bounds the REST calls Close makes to remove a scenario's
// rules, streams and confKeys.
const cleanupTimeout = 30 * time.Second

// Reasons Supports gives for what a remote engine cannot do for the suite.
const (
	reasonServerTLS = "the REST target cannot reconfigure a remote engine's data server; " +
		"start the engine from files that serve wss (source.httpServerTls): " +
		"`wsconform config --tls --out DIR` for the reference daemon (kuiperd --etc DIR), " +
		"`wsconform config --for ekuiper --tls --out DIR` for eKuiper (the start command is printed), " +
		"and pass --data-url wss://HOST:PORT --ca DIR/certs/ca.pem"
	reasonClientAuth = "the REST target cannot make a remote engine's data server demand client certificates " +
		"(eKuiper's source.httpServerTls has no client CA setting); run these scenarios with --target ref"
	reasonDataServerLimits = "the REST target cannot change a remote engine's data server connection cap or idle timeout " +
		"(kuiper.yaml source.httpServerMaxConnections and source.httpServerIdleTimeout are read at its start); " +
		"run these scenarios with --target ref"
	reasonEngineFiles = "the REST target cannot start a remote engine from a scenario's etc/kuiper.yaml or " +
		"etc/sources/websocket.yaml (an engine reads them when it starts); run these scenarios with --target ref, " +
		"or start the engine with the scenario's files and check that it refuses them"
	reasonPrivateNet = "the REST target cannot change a remote engine's basic.enablePrivateNet (read at its start), " +
		"and its record collector on loopback needs it true; run these scenarios with --target ref"
	reasonLifecycle = "the REST target shares the engine's data server among concurrent scenarios, " +
		"so it cannot watch that server start and stop with one scenario's rules; " +
		"start an engine for this run only and pass --exclusive (env WSCONFORM_EXCLUSIVE=1), " +
		"which runs the scenarios one at a time, or run these scenarios with --target ref"
)

// exclusiveWait bounds how long a scenario that changes the default confKey
// waits for the scenarios running beside it to finish.
const exclusiveWait = 2 * time.Minute

// restTarget is one scenario's view of the engine. It remembers what the
// scenario made so that Close removes it.
type restTarget struct {
	d *Driver

	mu       sync.Mutex
	rules    map[string]*rule    // rules created and not yet deleted, by id
	routes   []string            // collector paths of every rule created
	streams  map[string]struct{} // streams created and not yet dropped
	confKeys map[string]struct{} // confKeys put
	// refused are the confKeys the engine refused (lower-cased name -> the
	// engine's error); a rule on a stream using one is refused with it.
	refused map[string]error
	// streamKey maps a stream made here to its CONF_KEY, lower-cased.
	streamKey map[string]string
	// exclusive: the scenario runs alone since it changes the default confKey.
	exclusive bool
	// defaultPut: the default confKey was changed and is reset on Close.
	defaultPut bool
	closed     bool
}

var (
	_ target.Target       = (*restTarget)(nil)
	_ target.HangingSinks = (*restTarget)(nil)
)

// Name describes the target in reports, with any password of the REST URL
// masked.
func (t *restTarget) Name() string { return "rest (" + t.d.opts.rest.Redacted() + ")" }

// Supports tells what a remote engine can do for the suite.
func (t *restTarget) Supports(c target.Capability) (bool, string) {
	switch c {
	case target.ServerTLS:
		if t.d.opts.dataTLS {
			return true, ""
		}
		return false, reasonServerTLS
	case target.ServerClientAuth:
		return false, reasonClientAuth
	case target.DataServerLimits:
		return false, reasonDataServerLimits
	case target.DataServerLifecycle:
		if t.d.opts.exclusive {
			return true, ""
		}
		return false, reasonLifecycle
	case target.HangingSink:
		// A collector route that never answers.
		return true, ""
	case target.EngineFiles:
		return false, reasonEngineFiles
	case target.PrivateNetRefusal:
		return false, reasonPrivateNet
	case target.RuleJSON, target.RuleList:
		// POST /rules with the scenario's JSON; GET /rules.
		return true, ""
	case target.MessageLimit:
		// Written as maxMessageBytes on the confKeys the scenario's streams
		// use; an engine that ignores the property fails the scenarios.
		return true, ""
	default:
		return false, fmt.Sprintf("the REST target does not know capability %q", c)
	}
}

// Apply puts the scenario's confKeys; a message size limit is written as
// maxMessageBytes on them and on the default confKey. A scenario that changes
// the default confKey first waits to run alone, and Close puts the default
// back. A confKey the engine holds that the scenario did not make is refused,
// never overwritten. The data server cannot be reconfigured: a wss data server is accepted
// only when the engine already serves wss.
func (t *restTarget) Apply(ctx context.Context, env target.Env) error {
	if err := t.open(); err != nil {
		return err
	}
	if env.KuiperYAML != "" || env.WebsocketYAML != "" {
		return fmt.Errorf("engine configuration files: %w: %s", target.ErrUnsupported, reasonEngineFiles)
	}
	if env.PrivateNetRefused {
		return fmt.Errorf("basic.enablePrivateNet false: %w: %s", target.ErrUnsupported, reasonPrivateNet)
	}
	if tls := env.DataServerTLS; tls != nil {
		if tls.ClientCAFile != "" {
			return fmt.Errorf("data server client authentication: %w: %s", target.ErrUnsupported, reasonClientAuth)
		}
		if !t.d.opts.dataTLS {
			return fmt.Errorf("data server TLS: %w: %s", target.ErrUnsupported, reasonServerTLS)
		}
		// The engine already serves wss with its own certificate; clients
		// trust it through DataServer().CAFile.
	}
	if env.MaxMessageBytes < 0 {
		return fmt.Errorf("message size limit %d: want a positive number of bytes", env.MaxMessageBytes)
	}
	keys := t.confKeysFor(env)
	changesDefault := false
	for name := range keys {
		changesDefault = changesDefault || strings.EqualFold(name, "default")
	}
	if err := t.notHeld(ctx, keys); err != nil {
		return err
	}
	if changesDefault && !t.isExclusive() {
		if err := t.runAlone(ctx); err != nil {
			return fmt.Errorf("confKey default: waiting for the scenarios running beside this one to finish: %w", err)
		}
		// The wait may outlast the caller's deadline: the calls below have
		// their own.
		ctx = context.WithoutCancel(ctx)
	}
	for name, props := range keys {
		isDefault := strings.EqualFold(name, "default")
		_, err := t.d.client.do(ctx, http.MethodPut, confKeyPath(name), props)
		var ae *APIError
		refused := errors.As(err, &ae) && ae.StatusCode == http.StatusBadRequest
		t.mu.Lock()
		switch {
		case isDefault && !refused:
			// Changed, or possibly changed before the call failed.
			t.defaultPut = true
		case isDefault:
		case err == nil || !errors.As(err, &ae):
			// Made, or possibly made before the call failed.
			t.confKeys[name] = struct{}{}
		}
		if refused && !isDefault {
			// An engine may check confKeys when they are put, or only when a
			// rule uses them: either way the rule is what the engine refuses.
			t.refused[strings.ToLower(name)] = fmt.Errorf("confKey %s: %w", name, err)
			err = nil
		} else {
			delete(t.refused, strings.ToLower(name))
		}
		t.mu.Unlock()
		if err != nil {
			return fmt.Errorf("confKey %s: %w", name, err)
		}
	}
	return nil
}

// notHeld refuses to put a confKey other than default that the engine holds
// and this scenario did not make: the run changes only what it makes.
func (t *restTarget) notHeld(ctx context.Context, keys map[string]map[string]any) error {
	var fresh []string
	t.mu.Lock()
	for name := range keys {
		if _, made := t.confKeys[name]; !made && !strings.EqualFold(name, "default") {
			fresh = append(fresh, name)
		}
	}
	t.mu.Unlock()
	if len(fresh) == 0 || !t.d.def.listed {
		return nil
	}
	held, err := t.d.client.heldConfKeys(ctx)
	if err != nil {
		return fmt.Errorf("listing the engine's confKeys: %w", err)
	}
	for _, name := range fresh {
		if held[strings.ToLower(name)] {
			return fmt.Errorf("confKey %s: the engine already holds a confKey of that name, "+
				"which this run did not make and must not change; remove it or rename it", name)
		}
	}
	return nil
}

// propMaxMessageBytes is the confKey property that limits the size of one
// message, as the reference engine reads it.
const propMaxMessageBytes = "maxMessageBytes"

// confKeysFor returns the confKeys Apply puts for env: the scenario's own,
// and with a message size limit also the default confKey (the properties the
// engine's default has for the run unless the scenario sets them), each with
// maxMessageBytes. Server-mode streams without CONF_KEY use the default
// confKey; named confKeys get the property too in case the engine does not
// merge them over the default.
func (t *restTarget) confKeysFor(env target.Env) map[string]map[string]any {
	keys := make(map[string]map[string]any, len(env.ConfKeys)+1)
	hasDefault := false
	for name, props := range env.ConfKeys {
		keys[name] = maps.Clone(props)
		if keys[name] == nil {
			keys[name] = map[string]any{}
		}
		hasDefault = hasDefault || strings.EqualFold(name, "default")
	}
	if env.MaxMessageBytes == 0 {
		return keys
	}
	if !hasDefault {
		keys["default"] = t.d.def.startingDefault()
	}
	for _, props := range keys {
		props[propMaxMessageBytes] = env.MaxMessageBytes
	}
	return keys
}

func (t *restTarget) isExclusive() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.exclusive
}

// gateContext bounds a wait at the gate by exclusiveWait instead of ctx's
// deadline, which is meant for one call, not for the scenarios ahead to
// finish; cancelling ctx still ends the wait.
func gateContext(ctx context.Context) (context.Context, context.CancelFunc) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), exclusiveWait)
	stop := context.AfterFunc(ctx, func() {
		if errors.Is(ctx.Err(), context.Canceled) {
			cancel()
		}
	})
	return wctx, func() {
		stop()
		cancel()
	}
}

// runAlone waits until every other scenario has closed; scenarios made later
// wait until this one closes. Only cancelling ctx stops the wait early, within
// exclusiveWait.
func (t *restTarget) runAlone(ctx context.Context) error {
	wctx, cancel := gateContext(ctx)
	defer cancel()
	if err := t.d.gate.upgrade(wctx); err != nil {
		return err
	}
	t.mu.Lock()
	t.exclusive = true
	t.mu.Unlock()
	return nil
}

func confKeyPath(name string) string {
	return "/metadata/sources/websocket/confKeys/" + seg(name)
}

var (
	streamName    = regexp.MustCompile("(?is)^\\s*create\\s+stream\\s+(`[^`]+`|\"[^\"]+\"|[^\\s(]+)")
	confKeyOption = regexp.MustCompile(`(?i)\bconf_key\s*=\s*"([^"]*)"`)
	fromStream    = regexp.MustCompile("(?is)\\bfrom\\s+(`[^`]+`|\"[^\"]+\"|[^\\s;]+)")
)

// CreateStream posts the statement to /streams.
func (t *restTarget) CreateStream(ctx context.Context, sql string) error {
	if err := t.call(ctx, http.MethodPost, "/streams", map[string]string{"sql": sql}, fmt.Sprintf("create stream %q", sql)); err != nil {
		return err
	}
	if m := streamName.FindStringSubmatch(sql); m != nil {
		name := strings.Trim(m[1], "`\"")
		key := "default"
		if k := confKeyOption.FindStringSubmatch(sql); k != nil {
			key = strings.ToLower(k[1])
		}
		t.mu.Lock()
		t.streams[name] = struct{}{}
		t.streamKey[name] = key
		t.mu.Unlock()
	}
	return nil
}

// DropStream deletes /streams/{name}.
func (t *restTarget) DropStream(ctx context.Context, name string) error {
	if err := t.call(ctx, http.MethodDelete, "/streams/"+seg(name), nil, "drop stream "+name); err != nil {
		return err
	}
	t.mu.Lock()
	delete(t.streams, name)
	delete(t.streamKey, name)
	t.mu.Unlock()
	return nil
}

// CreateRule posts a rule whose only action is a rest sink to the
// collector.
func (t *restTarget) CreateRule(ctx context.Context, id, sql string) (target.Rule, error) {
	return t.createRule(ctx, id, sql, 0)
}

// CreateRuleWithHangingSink posts a rule whose only action is a rest sink,
// with the given timeout, to a collector route that never answers.
func (t *restTarget) CreateRuleWithHangingSink(ctx context.Context, id, sql string, timeout time.Duration) (target.Rule, error) {
	if timeout <= 0 {
		return nil, fmt.Errorf("create rule %s: hanging sink timeout %v: want a positive duration", id, timeout)
	}
	return t.createRule(ctx, id, sql, timeout)
}

// createRule posts a rule whose rest sink posts to a new collector route; a
// hangTimeout above zero makes the route never answer and is the sink's
// timeout.
func (t *restTarget) createRule(ctx context.Context, id, sql string, hangTimeout time.Duration) (target.Rule, error) {
	if err := t.open(); err != nil {
		return nil, err
	}
	if err := t.refusedFor(sql); err != nil {
		return nil, fmt.Errorf("create rule %s: %w", id, err)
	}
	path := fmt.Sprintf("/r/%s/%d", seg(id), t.d.nextSeq())
	add := t.d.coll.Add
	if hangTimeout > 0 {
		add = t.d.coll.AddHanging
	}
	rt, err := add(path)
	if err != nil {
		return nil, fmt.Errorf("create rule %s: %w", id, err)
	}
	t.mu.Lock()
	t.routes = append(t.routes, path)
	t.mu.Unlock()
	sink := map[string]any{"url": rt.URL, "method": "post", "sendSingle": true}
	if hangTimeout > 0 {
		sink["timeout"] = hangTimeout.Milliseconds() // eKuiper: a number is milliseconds
	}
	def := map[string]any{
		"id":      id,
		"sql":     sql,
		"actions": []map[string]any{{"rest": sink}},
	}
	r := &rule{id: id, t: t, records: rt.Records()}
	if _, err := t.d.client.do(ctx, http.MethodPost, "/rules", def); err != nil {
		var ae *APIError
		if !errors.As(err, &ae) {
			// The engine may have made the rule before the call failed.
			t.track(r)
		}
		return nil, fmt.Errorf("create rule %s: %w", id, err)
	}
	t.track(r)
	return r, nil
}

// refusedFor returns the engine's refusal of the confKey that the stream the
// rule reads from uses, nil when there is none.
func (t *restTarget) refusedFor(sql string) error {
	m := fromStream.FindStringSubmatch(sql)
	if m == nil {
		return nil
	}
	stream := strings.Trim(m[1], "`\"")
	t.mu.Lock()
	defer t.mu.Unlock()
	key, ok := t.streamKey[stream]
	if !ok {
		return nil
	}
	if err := t.refused[key]; err != nil {
		return fmt.Errorf("stream %s uses a confKey the engine refused: %w", stream, err)
	}
	return nil
}

func (t *restTarget) track(r *rule) {
	t.mu.Lock()
	t.rules[r.id] = r
	t.mu.Unlock()
}

// call sends one request for the scenario, unless the target is closed; what
// names the operation in the error.
func (t *restTarget) call(ctx context.Context, method, path string, body any, what string) error {
	if err := t.open(); err != nil {
		return err
	}
	if _, err := t.d.client.do(ctx, method, path, body); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// StopRule posts /rules/{id}/stop.
func (t *restTarget) StopRule(ctx context.Context, id string) error {
	if err := t.call(ctx, http.MethodPost, "/rules/"+seg(id)+"/stop", nil, "stop rule "+id); err != nil {
		return err
	}
	return nil
}

// StartRule posts /rules/{id}/start.
func (t *restTarget) StartRule(ctx context.Context, id string) error {
	if err := t.call(ctx, http.MethodPost, "/rules/"+seg(id)+"/start", nil, "start rule "+id); err != nil {
		return err
	}
	return nil
}

// RestartRule posts /rules/{id}/restart.
func (t *restTarget) RestartRule(ctx context.Context, id string) error {
	return t.call(ctx, http.MethodPost, "/rules/"+seg(id)+"/restart", nil, "restart rule "+id)
}

// DeleteRule deletes /rules/{id}. Records the rule posted before keep
// arriving on its channel.
func (t *restTarget) DeleteRule(ctx context.Context, id string) error {
	if err := t.call(ctx, http.MethodDelete, "/rules/"+seg(id), nil, "delete rule "+id); err != nil {
		return err
	}
	t.mu.Lock()
	delete(t.rules, id)
	t.mu.Unlock()
	return nil
}

// DataServer is the engine's data server as the options name it.
func (t *restTarget) DataServer() target.Endpoint {
	return target.Endpoint{Addr: t.d.opts.dataAddr, TLS: t.d.opts.dataTLS, CAFile: t.d.opts.caFile}
}

// Close deletes the scenario's rules, then its streams, then its confKeys,
// and stops collecting its records. It is idempotent.
func (t *restTarget) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	rules := make([]string, 0, len(t.rules))
	for id := range t.rules {
		rules = append(rules, id)
	}
	streams := make([]string, 0, len(t.streams))
	for s := range t.streams {
		streams = append(streams, s)
	}
	keys := make([]string, 0, len(t.confKeys))
	for k := range t.confKeys {
		keys = append(keys, k)
	}
	routes := t.routes
	exclusive, defaultPut := t.exclusive, t.defaultPut
	t.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	var errs []error
	del := func(what, name, path string) {
		if _, err := t.d.client.do(ctx, http.MethodDelete, path, nil); err != nil && !isNotFound(err) {
			errs = append(errs, fmt.Errorf("cleanup: delete %s %s: %w", what, name, err))
		}
	}
	for _, id := range rules {
		del("rule", id, "/rules/"+seg(id))
	}
	for _, s := range streams {
		del("stream", s, "/streams/"+seg(s))
	}
	for _, k := range keys {
		del("confKey", k, confKeyPath(k))
	}
	if defaultPut {
		if err := t.d.client.putDefault(ctx, t.d.def.run); err != nil {
			errs = append(errs, fmt.Errorf("cleanup: put back confKey default: %w", err))
		}
		if t.d.def.assumed {
			t.d.mu.Lock()
			t.d.guessedDefault = true
			t.d.mu.Unlock()
		}
	}
	for _, p := range routes {
		t.d.coll.Remove(p)
	}
	t.d.forget(t)
	t.d.gate.leave(exclusive)
	return errors.Join(errs...)
}

func (t *restTarget) open() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return errors.New("rest target: scenario target is closed")
	}
	return nil
}

// rule is a rule made through the REST target.
type rule struct {
	id      string
	t       *restTarget
	records <-chan target.Record
}

// ID is the rule id.
func (r *rule) ID() string { return r.id }

// Records delivers what the rule's rest sink posted, in order.
func (r *rule) Records() <-chan target.Record { return r.records }

// Status fetches GET /rules/{id}/status: "status" and "message" become State
// and Message, every other key a metric.
func (r *rule) Status(ctx context.Context) (target.Status, error) {
	body, err := r.t.d.client.do(ctx, http.MethodGet, "/rules/"+seg(r.id)+"/status", nil)
	if err != nil {
		return target.Status{}, fmt.Errorf("status of rule %s: %w", r.id, err)
	}
	return parseStatus(r.id, body)
}

func parseStatus(id string, body []byte) (target.Status, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return target.Status{}, fmt.Errorf("status of rule %s: want a JSON object, got %q", id, collect.Preview(body))
	}
	st := target.StatusFromMap(m)
	if st.State == "" {
		return target.Status{}, fmt.Errorf("status of rule %s: no \"status\" in %q", id, collect.Preview(body))
	}
	return st, nil
}
