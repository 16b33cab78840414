// Package target defines the contract between the conformance suite and an
// engine under test. The suite drives every engine only through Target.
package target

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/wsconform/wsconform/internal/waits"
)

// Record is one record as the engine emitted it, decoded from JSON with
// numbers kept exact (json.Number).
type Record = map[string]any

// Capability names something an engine under test may or may not be able to do
// for the suite. Scenarios tagged @needs-<capability> are skipped, with the
// reason Supports gives, on targets that lack it.
type Capability string

const (
	// ServerTLS: the target can serve its data server as wss with the
	// certificate a scenario provides (Env.DataServerTLS).
	ServerTLS Capability = "server-tls"
	// ServerClientAuth: the target's data server can demand client certificates.
	ServerClientAuth Capability = "server-client-auth"
	// DataServerLifecycle: the target's data server starts and stops with the
	// scenario's rules only (no other rules share it), so the suite can watch its
	// port open and close.
	DataServerLifecycle Capability = "lifecycle"
	// MessageLimit: the target applies Env.MaxMessageBytes to its sources.
	MessageLimit Capability = "message-limit"
	// HangingSink: the target implements HangingSinks.
	HangingSink Capability = "hanging-sink"
	// DataServerLimits: the target applies Env.MaxConnections and
	// Env.IdleTimeout to its data server.
	DataServerLimits Capability = "data-server-limits"
	// EngineFiles: the target starts the scenario's engine from the
	// configuration files a scenario writes (Env.KuiperYAML,
	// Env.WebsocketYAML), read by the engine's own file-loading code, and
	// Apply returns the engine's refusal of them.
	EngineFiles Capability = "engine-files"
	// RuleJSON: the target implements RuleJSONCreator.
	RuleJSON Capability = "rule-json"
	// RuleList: the target implements RuleLister.
	RuleList Capability = "rule-list"
	// PrivateNetRefusal: the target applies Env.PrivateNetRefused.
	PrivateNetRefusal Capability = "private-net-refusal"
)

// HangingSinks is implemented by targets that can give a rule a sink that
// never completes a delivery.
type HangingSinks interface {
	// CreateRuleWithHangingSink creates and starts a rule whose only action
	// is a rest sink posting, with the given request timeout, to an HTTP
	// server that accepts every request and never answers. The rule's
	// Records channel delivers nothing.
	CreateRuleWithHangingSink(ctx context.Context, id, sql string, timeout time.Duration) (Rule, error)
}

// ErrUnsupported is wrapped by errors of operations a target cannot perform.
var ErrUnsupported = errors.New("not supported by this target")

// TLSFiles names PEM files on the local disk.
type TLSFiles struct {
	CertFile string
	KeyFile  string
	// ClientCAFile, when set, makes the server demand a client certificate
	// signed by this CA.
	ClientCAFile string
}

// Env is the configuration one scenario needs from the engine.
type Env struct {
	// DataServerTLS, when non-nil, serves the data server as wss only.
	DataServerTLS *TLSFiles
	// ConfKeys are websocket source confKeys (name -> properties) to create or
	// replace before the scenario's streams are made.
	ConfKeys map[string]map[string]any
	// MaxMessageBytes, when non-zero, is the message size limit to apply.
	MaxMessageBytes int64
	// MaxConnections, when non-zero, is the data server's connection cap
	// (kuiper.yaml source.httpServerMaxConnections).
	MaxConnections int
	// IdleTimeout, when non-zero, is the data server's idle timeout for its
	// clients (kuiper.yaml source.httpServerIdleTimeout).
	IdleTimeout time.Duration
	// KuiperYAML, when not empty, is the text of the engine's etc/kuiper.yaml
	// (EngineFiles). The target reads it as the engine reads that file when
	// it starts; Apply returns the engine's refusal, which names the file and
	// the key. Accepted, it configures the engine, except for the data
	// server's address and basic.enablePrivateNet (true unless
	// PrivateNetRefused), which the target keeps
	// (as kuiperd's --data-server flag overrides the address), so the suite
	// still reaches the data server and collects records. It cannot be
	// combined with DataServerTLS, MaxConnections or IdleTimeout.
	KuiperYAML string
	// WebsocketYAML, when not empty, is the text of the engine's
	// etc/sources/websocket.yaml (EngineFiles), read as the engine reads it
	// when it starts; ConfKeys are put over the confKeys it holds.
	WebsocketYAML string
	// PrivateNetRefused, when true, runs the engine with
	// basic.enablePrivateNet false (PrivateNetRefusal): its rest sinks refuse
	// loopback and private addresses. The suite's collector, on loopback,
	// is then refused too, so the scenario's rules deliver no records and
	// only their status tells what happened.
	PrivateNetRefused bool
}

// Endpoint is where remote clients reach the target's data server.
type Endpoint struct {
	// Addr is host:port. It stays the same across the data server's restarts.
	Addr string
	// TLS tells whether the data server speaks wss.
	TLS bool
	// CAFile, for TLS, is a PEM file with the CA to trust.
	CAFile string
}

// URL returns the ws:// or wss:// URL of path on the endpoint.
func (e Endpoint) URL(path string) string {
	scheme := "ws"
	if e.TLS {
		scheme = "wss"
	}
	return scheme + "://" + e.Addr + path
}

// Status is a rule's status as the engine reports it.
type Status struct {
	// State is "running", "stopped" or "stopped by error".
	State string
	// Message is the status message (the error for "stopped by error").
	Message string
	// Metrics are the flat metric keys, e.g. "source_s_0_records_in_total".
	Metrics map[string]any
}

// Metric returns the value of the first metric key with the given prefix and
// suffix, e.g. Metric("source_", "_exceptions_total"). Operator numbers and
// stream names in between are not compared.
func (s Status) Metric(prefix, suffix string) (any, bool) {
	for k, v := range s.Metrics {
		if strings.HasPrefix(k, prefix) && strings.HasSuffix(k, suffix) {
			return v, true
		}
	}
	return nil, false
}

// Rule is a running or stopped rule on the target.
type Rule interface {
	// ID is the rule id.
	ID() string
	// Records delivers the rule's output records in order. It is never closed
	// while the target is open.
	Records() <-chan Record
	// Status fetches the rule's current status.
	Status(ctx context.Context) (Status, error)
}

// Target is an engine under test.
type Target interface {
	// Name describes the target in reports, e.g. "reference (in-process)".
	Name() string
	// Supports tells whether the target can do c; when not, reason says why and
	// how to enable it.
	Supports(c Capability) (ok bool, reason string)
	// Apply configures the target for one scenario.
	Apply(ctx context.Context, env Env) error
	// CreateStream runs a CREATE STREAM statement.
	CreateStream(ctx context.Context, sql string) error
	// DropStream drops a stream.
	DropStream(ctx context.Context, name string) error
	// CreateRule creates and starts a rule whose output the suite collects.
	// A rule the engine refuses returns an error carrying the engine's message.
	CreateRule(ctx context.Context, id, sql string) (Rule, error)
	// StopRule stops a rule; StartRule starts it again.
	StopRule(ctx context.Context, id string) error
	StartRule(ctx context.Context, id string) error
	// RestartRule stops a rule and starts it again (eKuiper's
	// POST /rules/{id}/restart): the rule reopens its source.
	RestartRule(ctx context.Context, id string) error
	// DeleteRule deletes a rule.
	DeleteRule(ctx context.Context, id string) error
	// DataServer tells where remote clients reach server-mode streams.
	DataServer() Endpoint
	// Close removes everything the scenario made and releases the target.
	Close() error
}

// Factory makes the Target for one scenario. The suite calls it once per
// scenario and closes the Target at the scenario's end, so scenarios may run
// concurrently.
type Factory func(ctx context.Context) (Target, error)

// DefaultTimeout bounds how long a step waits for something that should
// happen: 5 s, multiplied by WSCONFORM_TIME_SCALE (internal/waits) for a
// loaded machine or a slow engine.
var DefaultTimeout = waits.Of(5 * time.Second)

// QuietWindow is how long a step watches to prove something did not happen.
const QuietWindow = waits.Quiet
