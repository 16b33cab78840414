// Package engine runs streams and rules over the WebSocket source: it keeps
// stream and rule definitions in memory, shares one source per stream between
// the rules reading it, decodes each message, and hands the records of each
// rule to its sinks without dropping one: a slow sink slows the source down.
// A sink that fails (a rest sink that gets no response within its timeout,
// after its retries) does not: while it fails, its rule drops the records it
// cannot queue and counts them as sink exceptions, so that the other rules
// of the source go on.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/dataserver"
	"github.com/wsconform/wsconform/impl/ddl"
	"github.com/wsconform/wsconform/impl/wsource"
)

// Options configure an Engine. The zero value works: default-less Kuiper
// settings serve the data server on an ephemeral port of every interface.
type Options struct {
	// selftestOptions is empty here; a build with the selftest tag gives it the
	// deliberate defects of the conformance suite's self-test (seams_selftest.go).
	selftestOptions
	// Kuiper holds the data server settings (Source) and whether rest sinks
	// may connect to private addresses (Basic.EnablePrivateNet, default
	// false); see config.Default.
	Kuiper config.Kuiper
	// ConfKeys are the websocket source confKeys; nil means only an empty
	// "default" key. A "default" key is added when missing.
	ConfKeys config.ConfKeys
	// Logger receives the engine's logs and the log sink's records; nil
	// discards them.
	Logger *slog.Logger
	// HTTPClient posts the records of rest sinks; nil uses a client of the
	// engine's own with a 5 s timeout. Only the engine's own client refuses
	// private addresses when Kuiper.Basic.EnablePrivateNet is false.
	HTTPClient *http.Client
}

// Engine holds streams and rules. It is safe for concurrent use.
type Engine struct {
	logger     *slog.Logger
	seams      seams
	ds         *dataserver.Server
	dsErr      error // the data server's TLS settings could not be loaded
	httpClient *http.Client
	ownClient  bool
	ctx        context.Context
	cancel     context.CancelFunc

	mu       sync.RWMutex
	closed   bool
	streams  map[string]ddl.Stream
	rules    map[string]*rule
	hubs     map[string]*hub
	confKeys config.ConfKeys // replaced on change, never modified in place
}

// New returns an Engine. Its data server listens only while a server-mode rule
// runs. An error in the data server's TLS settings is reported when a
// server-mode rule starts.
func New(opts Options) *Engine {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	e := &Engine{
		logger:  logger,
		seams:   newSeams(opts),
		streams: map[string]ddl.Stream{},
		rules:   map[string]*rule{},
		hubs:    map[string]*hub{},
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	tlsConf, err := opts.Kuiper.Source.TLSConfig()
	if err != nil {
		e.dsErr = fmt.Errorf("data server: %w", err)
		tlsConf = nil
	}
	dsConf := dataserver.Config{
		Addr:           opts.Kuiper.Source.Addr(),
		TLS:            tlsConf,
		MaxConnections: opts.Kuiper.Source.HTTPServerMaxConnections,
		IdleTimeout:    opts.Kuiper.Source.HTTPServerIdleTimeout,
		Logger:         logger,
	}
	e.seams.dataServer(&dsConf)
	e.ds = dataserver.New(dsConf)
	e.httpClient = opts.HTTPClient
	if e.httpClient == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		// Rest sinks of many rules often post to one host: keep their
		// connections instead of opening one per record.
		tr.MaxIdleConnsPerHost = restSinkIdleConns
		if !opts.Kuiper.Basic.EnablePrivateNet {
			d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: refusePrivateNet}
			tr.DialContext = d.DialContext
		}
		e.httpClient = &http.Client{Transport: tr, Timeout: 5 * time.Second}
		e.ownClient = true
	}
	keys := config.ConfKeys{}
	for k, v := range opts.ConfKeys {
		keys[strings.ToLower(k)] = maps.Clone(v)
	}
	if _, ok := keys["default"]; !ok {
		keys["default"] = map[string]any{}
	}
	e.confKeys = keys
	return e
}

// DataServerAddr returns the data server's listening host:port, "" while it
// does not listen.
func (e *Engine) DataServerAddr() string { return e.ds.Addr() }

// CreateStream parses and stores a CREATE STREAM statement. A stream name
// that ValidateID refuses, or a FORMAT other than json, is ErrInvalid.
func (e *Engine) CreateStream(sql string) (ddl.Stream, error) {
	s, err := ddl.ParseStream(sql)
	if err == nil {
		err = e.seams.checkKeywords(sql)
	}
	if err != nil {
		return ddl.Stream{}, withKind(ErrInvalid, err)
	}
	if err := ValidateID(s.Name); err != nil {
		return ddl.Stream{}, err
	}
	if f := s.Options.Format; f != "" && !strings.EqualFold(f, "json") {
		// eKuiper refuses an unknown format when the stream is created.
		return ddl.Stream{}, withKind(ErrInvalid, fmt.Errorf("create stream %s: unsupported format %q (want json)", s.Name, f))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ddl.Stream{}, ErrClosed
	}
	if _, ok := e.streams[s.Name]; ok && !e.seams.duplicateStreamReplaces() {
		return ddl.Stream{}, withKind(ErrExists, fmt.Errorf("Create stream fails: Item %s already exists.", s.Name))
	}
	e.streams[s.Name] = s
	return s, nil
}

// DropStream removes a stream. A stream read by a running or starting rule is
// kept and an error naming the rules is returned.
func (e *Engine) DropStream(name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.streams[name]; !ok {
		return withKind(ErrNotFound, fmt.Errorf("Stream %s is not found", name))
	}
	var using []string
	for _, r := range e.rules {
		if _, _, cur, _ := r.snapshot(); (cur != nil || r.starting) && r.sel.From == name {
			using = append(using, r.def.ID)
		}
	}
	if len(using) > 0 {
		sort.Strings(using)
		return withKind(ErrInvalid, fmt.Errorf("stream %s has been referenced by other rules: %s running", name, strings.Join(using, ", ")))
	}
	delete(e.streams, name)
	for key, h := range e.hubs {
		if (key == "stream/"+name || strings.HasPrefix(key, "stream/"+name+"/rule/") || strings.HasPrefix(key, "endpoint/")) && h.idle() {
			delete(e.hubs, key)
		}
	}
	return nil
}

// Stream returns a stream's definition.
func (e *Engine) Stream(name string) (ddl.Stream, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	s, ok := e.streams[name]
	if !ok {
		return ddl.Stream{}, withKind(ErrNotFound, fmt.Errorf("Stream %s is not found", name))
	}
	s.Fields = slices.Clone(s.Fields)
	s.Options.Extra = maps.Clone(s.Options.Extra)
	return s, nil
}

// Streams returns the stream names, sorted.
func (e *Engine) Streams() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return slices.Sorted(maps.Keys(e.streams))
}

// CreateRule validates def, stores it and, unless def.Triggered is false,
// starts it. A stream that does not exist is ErrNotFound; a bad SELECT, action,
// datasource or confKey, or an id that ValidateID refuses, is ErrInvalid, and
// the rule is not stored. A failure of the source to start (for example a
// refused dial) does not fail CreateRule: the rule is stored with status
// "stopped by error" and the error as its message. A rule created with Triggered false is stored with status
// "stopped" and message "canceled manually", its source untouched.
func (e *Engine) CreateRule(ctx context.Context, def RuleDef) error {
	if def.ID == "" {
		return withKind(ErrInvalid, errors.New("rule id is required"))
	}
	if err := ValidateID(def.ID); err != nil {
		return err
	}
	sel, err := ddl.ParseSelect(def.SQL)
	if err != nil {
		return withKind(ErrInvalid, fmt.Errorf("rule %s: %w", def.ID, err))
	}
	if len(def.Actions) == 0 && len(def.Sinks) == 0 {
		return withKind(ErrInvalid, fmt.Errorf("rule %s: missing rule actions", def.ID))
	}
	if err := validateActions(def.ID, def.Actions); err != nil {
		return err
	}
	r := &rule{def: cloneDef(def), sel: sel, state: StatusStopped}
	r.def.Triggered = nil // reported from the state by Rule
	triggered := def.Triggered == nil || *def.Triggered
	if !triggered {
		r.message = MessageCanceled
	}
	r.op.Lock()
	defer r.op.Unlock()

	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrClosed
	}
	if _, ok := e.rules[def.ID]; ok {
		e.mu.Unlock()
		return withKind(ErrExists, fmt.Errorf("rule %s already exists", def.ID))
	}
	if _, _, err := e.resolveLocked(r); err != nil {
		e.mu.Unlock()
		return err
	}
	e.rules[def.ID] = r
	e.mu.Unlock()
	if !triggered {
		return nil
	}

	if err := e.startRule(ctx, r); err != nil {
		e.mu.Lock()
		if e.rules[def.ID] == r {
			delete(e.rules, def.ID)
		}
		e.mu.Unlock()
		r.deleted = true
		return err
	}
	return nil
}

// resolveLocked checks that r's stream exists and can be read, and resolves
// the stream's confKey. e.mu must be held.
func (e *Engine) resolveLocked(r *rule) (ddl.Stream, config.Props, error) {
	s, ok := e.streams[r.sel.From]
	if !ok {
		return ddl.Stream{}, config.Props{}, withKind(ErrNotFound,
			fmt.Errorf("rule %s: stream %s is not found", r.def.ID, r.sel.From))
	}
	if err := checkStreamSource(s); err != nil && !(e.seams.acceptRelativeDatasource() && errors.Is(err, wsource.ErrEndpoint)) {
		return ddl.Stream{}, config.Props{}, err
	}
	if err := checkFields(r.def.ID, r.sel, s); err != nil {
		return ddl.Stream{}, config.Props{}, err
	}
	props, err := e.confKeys.Resolve(e.seams.confKey(e.confKeys, s.Options.ConfKey))
	props, err = e.seams.resolved(e.confKeys, s.Options.ConfKey, props, err)
	if err != nil {
		return ddl.Stream{}, config.Props{}, withKind(ErrInvalid, fmt.Errorf("stream %s: %w", s.Name, err))
	}
	return s, props, nil
}

// hubForLocked returns the hub a stream's rules attach to, making it when needed.
// Server-mode streams on one path share the hub of that endpoint, as eKuiper
// shares it; a client-mode stream has a hub of its own. e.mu must be held.
func (e *Engine) hubForLocked(s ddl.Stream, props config.Props, ruleID string) *hub {
	key := "stream/" + s.Name
	if props.ServerMode() {
		path, _, _ := strings.Cut(s.Options.Datasource, "?")
		key = "endpoint/" + path
	}
	key = e.seams.hubKey(key, s, props, ruleID)
	h, ok := e.hubs[key]
	if !ok {
		h = newHub(key, e.ds, e.seams, e.logger)
		e.hubs[key] = h
	}
	return h
}

// startRule starts r unless it runs. r.op must be held and r not deleted.
// Errors are returned only when r cannot be started at all (ErrClosed, a
// vanished stream, a bad confKey); a source failure leaves r "stopped by
// error" and returns nil.
func (e *Engine) startRule(ctx context.Context, r *rule) error {
	if _, _, cur, _ := r.snapshot(); cur != nil {
		return nil
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrClosed
	}
	s, props, err := e.resolveLocked(r)
	if err != nil {
		e.mu.Unlock()
		return err
	}
	h := e.hubForLocked(s, props, r.def.ID)
	r.starting = true
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		r.starting = false
		e.mu.Unlock()
	}()

	m := &metrics{stream: s.Name, sinks: e.buildSinks(r.def)}
	drained := make(chan struct{}, 1)
	for _, sm := range m.sinks {
		sm.onFailing = func(err error) {
			select { // wake a source waiting for room in the rule's queue
			case drained <- struct{}{}:
			default:
			}
			e.logger.Warn("sink failing: the rule drops the records it cannot queue until the sink answers again",
				"rule", r.def.ID, "sink", sm.name(), "error", err)
		}
		sm.onRecovered = func(error) {
			e.logger.Info("sink answers again", "rule", r.def.ID, "sink", sm.name())
		}
	}
	runCtx, cancel := context.WithCancel(e.ctx)
	rn := &run{
		ctx:     runCtx,
		cancel:  cancel,
		in:      make(chan batch, queueLen),
		drained: drained,
		done:    make(chan struct{}),
		m:       m,
		project: projection(r.sel, e.seams),
		where:   r.sel.Where,
		hub:     h,
		onError: func(sink string, err error) {
			e.logger.Warn("sink exception", "rule", r.def.ID, "sink", sink, "error", err)
		},
	}
	go rn.loop()

	if props.ServerMode() && e.dsErr != nil {
		err = e.dsErr
	} else {
		err = h.attach(ctx, rn, s, props)
	}
	if err != nil {
		cancel()
		<-rn.done
		closeOwned(m.sinks)
		if msg, _ := m.sourceLast.get(); msg != err.Error() {
			m.sourceException(err) // not yet reported through the source's Exception hook
		}
		r.set(StatusStoppedByError, err.Error(), nil, m)
		e.logger.Warn("rule stopped by error", "rule", r.def.ID, "stream", s.Name, "error", err)
		return nil
	}
	r.set(StatusRunning, "", rn, m)
	e.logger.Info("rule started", "rule", r.def.ID, "stream", s.Name)
	return nil
}

// buildSinks makes the sinks of one run: one per action, then RuleDef.Sinks.
// The actions were validated when the rule was created.
func (e *Engine) buildSinks(def RuleDef) []*sinkMetrics {
	var out []*sinkMetrics
	add := func(s Sink, typ string, owned bool) *sinkMetrics {
		sm := &sinkMetrics{
			prefix:   fmt.Sprintf("sink_%s_%d_0_", typ, len(out)),
			sink:     s,
			owned:    owned,
			sinkType: typ,
		}
		out = append(out, sm)
		return sm
	}
	for _, a := range def.Actions {
		for _, name := range actionNames(a) {
			switch name {
			case "nop":
				add(nopSink{}, name, true)
			case "log":
				add(logSink{rule: def.ID, logger: e.logger}, name, true)
			case "rest":
				s, err := newRestSink(a[name], e.httpClient)
				if err != nil { // validated at creation; keep the rule running without it
					e.logger.Error("rest sink", "rule", def.ID, "error", err)
					continue
				}
				s.report = add(s, name, true).attempted
			}
		}
	}
	for _, s := range def.Sinks {
		typ := "custom"
		if t, ok := s.(typedSink); ok {
			typ = t.Type()
		}
		add(s, typ, false)
	}
	return out
}

func closeOwned(sinks []*sinkMetrics) {
	for _, s := range sinks {
		if s.owned {
			_ = s.sink.Close()
		}
	}
}

// stopLocked stops r's run, if any, and sets its state. r.op must be held.
func (e *Engine) stopLocked(r *rule, state, message string) {
	_, _, cur, _ := r.snapshot()
	if cur != nil {
		cur.hub.detach(cur)
		closeOwned(cur.m.sinks)
		e.logger.Info("rule stopped", "rule", r.def.ID)
	}
	r.set(state, message, nil, nil)
}

func ruleNotFound(id string) error {
	return withKind(ErrNotFound, fmt.Errorf("Rule %s is not found", id))
}

func (e *Engine) lookup(id string) (*rule, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	r, ok := e.rules[id]
	if !ok {
		return nil, ruleNotFound(id)
	}
	return r, nil
}

// lockRule looks a rule up and holds its op lock; the caller unlocks r.op. A
// rule deleted while waiting for the lock is not found.
func (e *Engine) lockRule(id string) (*rule, error) {
	r, err := e.lookup(id)
	if err != nil {
		return nil, err
	}
	r.op.Lock()
	if r.deleted {
		r.op.Unlock()
		return nil, ruleNotFound(id)
	}
	return r, nil
}

// StartRule starts a stopped rule; a running rule is left alone. A source
// failure leaves the rule "stopped by error" and is not returned.
func (e *Engine) StartRule(ctx context.Context, id string) error {
	r, err := e.lockRule(id)
	if err != nil {
		return err
	}
	defer r.op.Unlock()
	return e.startRule(ctx, r)
}

// StopRule stops a rule: status "stopped", message "canceled manually".
func (e *Engine) StopRule(id string) error {
	r, err := e.lockRule(id)
	if err != nil {
		return err
	}
	defer r.op.Unlock()
	e.stopLocked(r, StatusStopped, MessageCanceled)
	return nil
}

// RestartRule stops a rule and starts it again.
func (e *Engine) RestartRule(ctx context.Context, id string) error {
	r, err := e.lockRule(id)
	if err != nil {
		return err
	}
	defer r.op.Unlock()
	e.stopLocked(r, StatusStopped, MessageCanceled)
	return e.startRule(ctx, r)
}

// DeleteRule stops a rule, removes it and closes its sinks.
func (e *Engine) DeleteRule(id string) error {
	r, err := e.lockRule(id)
	if err != nil {
		return err
	}
	e.stopLocked(r, StatusStopped, MessageCanceled)
	r.deleted = true
	r.op.Unlock()
	e.mu.Lock()
	if e.rules[id] == r {
		delete(e.rules, id)
	}
	e.mu.Unlock()
	for _, s := range r.def.Sinks {
		_ = s.Close()
	}
	return nil
}

// Rule returns a rule's definition, with Triggered telling whether the rule
// is meant to run: false when it is stopped, true when it runs or was stopped
// by an error.
func (e *Engine) Rule(id string) (RuleDef, error) {
	r, err := e.lookup(id)
	if err != nil {
		return RuleDef{}, err
	}
	def := cloneDef(r.def)
	state, _, _, _ := r.snapshot()
	triggered := state != StatusStopped
	def.Triggered = &triggered
	return def, nil
}

// Rules lists every rule with its state, sorted by id.
func (e *Engine) Rules() []RuleSummary {
	e.mu.RLock()
	rules := slices.Collect(maps.Values(e.rules))
	e.mu.RUnlock()
	out := make([]RuleSummary, 0, len(rules))
	for _, r := range rules {
		state, _, _, _ := r.snapshot()
		out = append(out, RuleSummary{ID: r.def.ID, Status: state})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// RuleStatus returns a rule's status: "status" (running, stopped, stopped by
// error), "message" when not running, and eKuiper's flat metrics of the latest
// run (int64 or string values), for stream s:
// source_s_0_{records_in_total, records_out_total, exceptions_total,
// last_exception, last_exception_time, connection_status},
// op_2_decoder_0_{records_in_total, records_out_total, exceptions_total,
// last_exception, last_exception_time} and, per sink,
// sink_<type>_<index>_0_{records_in_total, records_out_total, exceptions_total,
// last_exception, last_exception_time}. Times are Unix milliseconds, 0 for never;
// connection_status is 1 when up and -1 when down. A running client-mode
// rule also has source_s_0_{reconnect_attempts_total, reconnects_total}:
// the dials made to get a lost connection back, and those that succeeded.
func (e *Engine) RuleStatus(id string) (map[string]any, error) {
	r, err := e.lookup(id)
	if err != nil {
		return nil, err
	}
	state, message, cur, last := r.snapshot()
	out := map[string]any{"status": state}
	if state != StatusRunning {
		out["message"] = message
	}
	if last != nil {
		last.fill(out, cur != nil && cur.hub.connected())
		if cur != nil {
			cur.hub.fillReconnects(out, last.stream)
		}
	}
	return out, nil
}

// PutConfKey creates or replaces a websocket source confKey (name compared
// lower-cased). Properties that do not validate are refused with ErrInvalid.
func (e *Engine) PutConfKey(name string, props map[string]any) error {
	key := strings.ToLower(strings.TrimSpace(name))
	if key == "" {
		return withKind(ErrInvalid, errors.New("confKey name is required"))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	next := cloneKeys(e.confKeys)
	next[key] = maps.Clone(props)
	if next[key] == nil {
		next[key] = map[string]any{}
	}
	if _, err := next.Resolve(key); err != nil {
		return withKind(ErrInvalid, fmt.Errorf("confKey %s: %w", name, err))
	}
	e.confKeys = next
	return nil
}

// DeleteConfKey removes a confKey. The "default" key cannot be deleted.
func (e *Engine) DeleteConfKey(name string) error {
	key := strings.ToLower(strings.TrimSpace(name))
	if key == "default" {
		return withKind(ErrInvalid, errors.New("confKey default cannot be deleted"))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.confKeys[key]; !ok {
		return withKind(ErrNotFound, fmt.Errorf("confKey %s is not found", name))
	}
	next := cloneKeys(e.confKeys)
	delete(next, key)
	e.confKeys = next
	return nil
}

// ConfKeys returns a copy of the confKeys.
func (e *Engine) ConfKeys() config.ConfKeys {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return cloneKeys(e.confKeys)
}

// Close stops every rule, closes every sink and the data server, and waits
// for all of the engine's goroutines. Later calls return nil.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	rules := slices.Collect(maps.Values(e.rules))
	e.mu.Unlock()
	for _, r := range rules {
		r.op.Lock()
		e.stopLocked(r, StatusStopped, MessageCanceled)
		r.op.Unlock()
		for _, s := range r.def.Sinks {
			_ = s.Close()
		}
	}
	if e.seams.stopLeavesClientOpen() {
		e.mu.Lock()
		for _, h := range e.hubs {
			if src := h.src.Swap(nil); src != nil {
				_ = src.Close()
			}
		}
		e.mu.Unlock()
	}
	e.cancel()
	err := e.ds.Close()
	if e.ownClient {
		e.httpClient.CloseIdleConnections()
	}
	if err != nil {
		return fmt.Errorf("engine: close data server: %w", err)
	}
	return nil
}

func cloneKeys(k config.ConfKeys) config.ConfKeys {
	out := make(config.ConfKeys, len(k))
	for name, props := range k {
		out[name] = maps.Clone(props)
	}
	return out
}

func cloneDef(d RuleDef) RuleDef {
	out := d
	out.Actions = make([]map[string]map[string]any, len(d.Actions))
	for i, a := range d.Actions {
		m := make(map[string]map[string]any, len(a))
		for k, v := range a {
			m[k] = maps.Clone(v)
		}
		out.Actions[i] = m
	}
	out.Sinks = slices.Clone(d.Sinks)
	return out
}
