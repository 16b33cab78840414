package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/decode"
)

// Sink receives the output records of a rule, one at a time and in order.
type Sink interface {
	// Collect takes one record. It may block (the rule then slows down its
	// source); it returns ctx.Err() when ctx ends first. A returned error is
	// counted as a sink exception and the record is not retried. A rest sink
	// also reports each attempt: while its latest attempt got no response,
	// the rule does not slow its source down but drops what it cannot queue.
	// Records are shared between the rules of a stream and must not be modified.
	Collect(ctx context.Context, r decode.Record) error
	// Close releases the sink. The engine closes the sinks it built from a rule's
	// actions when the rule stops, and the sinks of RuleDef.Sinks when the rule is
	// deleted or the engine is closed.
	Close() error
}

// typedSink is implemented by sinks that name their type in metric keys
// (sink_<type>_<index>_0_...). Other sinks are named "custom".
type typedSink interface {
	Type() string
}

// ErrSinkClosed is returned by MemorySink.Collect after Close.
var ErrSinkClosed = errors.New("sink is closed")

// MemorySink hands records to a Go channel. Collect blocks while the channel is
// full, so a slow reader slows the rule down instead of losing records.
type MemorySink struct {
	ch     chan decode.Record
	closed chan struct{}
	once   sync.Once
}

// NewMemorySink returns a MemorySink whose channel holds up to buffer records
// (0 makes every Collect wait for the reader).
func NewMemorySink(buffer int) *MemorySink {
	if buffer < 0 {
		buffer = 0
	}
	return &MemorySink{ch: make(chan decode.Record, buffer), closed: make(chan struct{})}
}

// C returns the channel the records arrive on. It is never closed.
func (m *MemorySink) C() <-chan decode.Record { return m.ch }

// Collect sends r on the channel, waiting for room.
func (m *MemorySink) Collect(ctx context.Context, r decode.Record) error {
	select {
	case m.ch <- r:
		return nil
	default:
	}
	select {
	case m.ch <- r:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-m.closed:
		return ErrSinkClosed
	}
}

// Close makes later Collect calls fail with ErrSinkClosed; the channel stays open.
func (m *MemorySink) Close() error {
	m.once.Do(func() { close(m.closed) })
	return nil
}

// Type returns "memory".
func (m *MemorySink) Type() string { return "memory" }

// nopSink discards records.
type nopSink struct{}

func (nopSink) Collect(context.Context, decode.Record) error { return nil }
func (nopSink) Close() error                                 { return nil }
func (nopSink) Type() string                                 { return "nop" }

// logSink writes each record to a logger at info level.
type logSink struct {
	rule   string
	logger *slog.Logger
}

func (l logSink) Collect(ctx context.Context, r decode.Record) error {
	l.logger.InfoContext(ctx, "sink log", "rule", l.rule, "record", r)
	return nil
}
func (logSink) Close() error { return nil }
func (logSink) Type() string { return "log" }

// restSink posts each record as JSON to a URL.
type restSink struct {
	url        string
	method     string
	sendSingle bool
	headers    map[string]string
	client     *http.Client
	// report, when set, is told the outcome of every attempt: nil when a
	// response arrived, the error when none did.
	report func(err error)
}

func (s *restSink) Type() string { return "rest" }

// maxRestTimeoutMillis is the largest rest action timeout: one day.
const maxRestTimeoutMillis = 24 * 60 * 60 * 1000

// restSinkIdleConns is how many idle connections the engine's HTTP client
// keeps per host for rest sinks.
const restSinkIdleConns = 64

// restSinkAttempts is how many times a rest sink tries a record whose request
// failed before a response arrived (no response within the timeout, a
// refused or reset connection); then the record is counted as a sink
// exception and dropped. An HTTP error status is not retried, nor a private
// address refused by basic.enablePrivateNet. restSinkBackoff is the first
// pause between attempts; it doubles after each.
const (
	restSinkAttempts = 3
	restSinkBackoff  = 50 * time.Millisecond
)

func (s *restSink) Collect(ctx context.Context, r decode.Record) error {
	var v any = r
	if !s.sendSingle {
		v = []decode.Record{r}
	}
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("rest sink %s: encode record: %w", s.url, err)
	}
	backoff := restSinkBackoff
	for attempt := 1; ; attempt++ {
		status, err := s.post(ctx, body)
		if s.report != nil && ctx.Err() == nil {
			s.report(err)
		}
		if err == nil {
			if status < 200 || status > 299 {
				return fmt.Errorf("rest sink %s %s: status %d %s", s.method, s.url, status, http.StatusText(status))
			}
			return nil
		}
		var private *privateNetError
		if attempt == restSinkAttempts || ctx.Err() != nil || errors.As(err, &private) {
			return fmt.Errorf("rest sink %s %s (attempt %d of %d): %w", s.method, s.url, attempt, restSinkAttempts, err)
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("rest sink %s %s: %w", s.method, s.url, ctx.Err())
		case <-t.C:
		}
		backoff *= 2
	}
}

// post sends body once and returns the response status.
func (s *restSink) post(ctx context.Context, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, s.method, s.url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range s.headers {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// Close does nothing: the HTTP client and its idle connections are shared by
// every rest sink of the engine, which closes them when it closes.
func (s *restSink) Close() error { return nil }

// sinkTypes are the action names a rule may use.
var sinkTypes = map[string]bool{"nop": true, "log": true, "rest": true}

// actionNames returns the action types of one action entry, sorted.
func actionNames(action map[string]map[string]any) []string {
	names := make([]string, 0, len(action))
	for k := range action {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// validateActions checks every action of a rule without building sinks.
func validateActions(ruleID string, actions []map[string]map[string]any) error {
	for i, a := range actions {
		if len(a) == 0 {
			return withKind(ErrInvalid, fmt.Errorf("rule %s: action %d is empty", ruleID, i))
		}
		for _, name := range actionNames(a) {
			if !sinkTypes[name] {
				return withKind(ErrInvalid, fmt.Errorf("rule %s: unknown action type %q (supported: log, nop, rest)", ruleID, name))
			}
			if name == "rest" {
				if _, err := newRestSink(a[name], nil); err != nil {
					return withKind(ErrInvalid, fmt.Errorf("rule %s: %w", ruleID, err))
				}
			}
		}
	}
	return nil
}

// restBodyTypes are the bodyType values eKuiper's rest action takes
// (compared lower-cased). The sink posts JSON whichever is set.
var restBodyTypes = map[string]bool{
	"none": true, "text": true, "json": true, "html": true, "xml": true,
	"javascript": true, "form": true, "binary": true, "formdata": true,
}

// newRestSink builds a rest sink from its action properties: url (required,
// http or https with a host), method (get, post, put or delete in any case,
// default POST), sendSingle (default true), headers (name -> string),
// timeout (milliseconds, default 5000), bodyType (one of restBodyTypes) and
// responseType (code or body). Other properties are ignored. The errors
// carry eKuiper's wording for the same refusals.
func newRestSink(props map[string]any, client *http.Client) (*restSink, error) {
	s := &restSink{method: http.MethodPost, sendSingle: true, client: client}
	raw, ok := props["url"]
	if !ok {
		return nil, errors.New("rest action: property url: url is required")
	}
	u, ok := raw.(string)
	if !ok {
		return nil, fmt.Errorf("rest action: property url: fail to parse the properties: want a string, got %v", raw)
	}
	if u == "" {
		return nil, errors.New("rest action: property url: url is required")
	}
	parsed, err := url.ParseRequestURI(u)
	switch {
	case err != nil:
		return nil, fmt.Errorf("rest action: property url %q: %w", u, err)
	case parsed.Scheme != "http" && parsed.Scheme != "https":
		return nil, fmt.Errorf("rest action: property url %q: Invalid scheme %s", u, parsed.Scheme)
	case parsed.Host == "":
		return nil, fmt.Errorf("rest action: property url %q: Invalid url, host not found", u)
	}
	s.url = u
	if raw, ok := props["method"]; ok {
		m, ok := raw.(string)
		if !ok {
			return nil, fmt.Errorf("rest action: property method: want a string, got %v", raw)
		}
		m = strings.ToUpper(m)
		switch m {
		case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete:
		default:
			return nil, fmt.Errorf("rest action: property method: Not supported HTTP method %s.", raw)
		}
		s.method = m
	}
	for _, p := range []struct {
		name  string
		valid func(string) bool
		what  string
	}{
		{"bodyType", func(v string) bool { return restBodyTypes[strings.ToLower(v)] }, "body type"},
		{"responseType", func(v string) bool { return v == "code" || v == "body" }, "response type"},
	} {
		raw, ok := props[p.name]
		if !ok {
			continue
		}
		v, ok := raw.(string)
		if !ok {
			return nil, fmt.Errorf("rest action: property %s: want a string, got %v", p.name, raw)
		}
		if v != "" && !p.valid(v) {
			return nil, fmt.Errorf("rest action: property %s: Invalid %s value %s.", p.name, p.what, v)
		}
	}
	if raw, ok := props["sendSingle"]; ok {
		b, ok := raw.(bool)
		if !ok {
			return nil, fmt.Errorf("rest action: property sendSingle: want a boolean, got %v", raw)
		}
		s.sendSingle = b
	}
	if raw, ok := props["headers"]; ok && raw != nil {
		h, ok := raw.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("rest action: property headers: want a map of strings, got %v", raw)
		}
		s.headers = make(map[string]string, len(h))
		for k, v := range h {
			str, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("rest action: header %s: want a string, got %v", k, v)
			}
			s.headers[k] = str
		}
		hdr := http.Header{}
		for k, v := range s.headers {
			hdr.Set(k, v)
		}
		if err := config.CheckHeader(hdr); err != nil {
			return nil, fmt.Errorf("rest action: property headers: %w", err)
		}
	}
	if raw, ok := props["timeout"]; ok {
		ms, ok := toInt64(raw)
		switch {
		case ok && ms < 0:
			return nil, fmt.Errorf("rest action: property timeout %v: timeout must be greater than or equal to 0", raw)
		case !ok || ms > maxRestTimeoutMillis:
			return nil, fmt.Errorf("rest action: property timeout: want milliseconds from 0 to %d, got %v", maxRestTimeoutMillis, raw)
		}
		if client != nil && ms > 0 {
			c := *client
			c.Timeout = time.Duration(ms) * time.Millisecond
			s.client = &c
		}
	}
	return s, nil
}

// toInt64 converts a JSON or YAML number to int64.
func toInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		if n != float64(int64(n)) {
			return 0, false
		}
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}
