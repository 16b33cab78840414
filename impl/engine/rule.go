package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wsconform/wsconform/impl/ddl"
	"github.com/wsconform/wsconform/impl/decode"
	"github.com/wsconform/wsconform/impl/wsource"
)

// Rule states as reported in "status".
const (
	StatusRunning        = "running"
	StatusStopped        = "stopped"
	StatusStoppedByError = "stopped by error"
)

// MessageCanceled is the status message of a rule stopped on request.
const MessageCanceled = "canceled manually"

// queueLen is how many decoded messages may wait for one rule, and
// queueBytes how many bytes of messages (as received) they may add up to; a
// single larger message still passes when nothing else waits. Small, so that
// a slow sink soon pushes back on the socket and memory stays bounded.
const (
	queueLen   = 64
	queueBytes = 4 << 20
)

// batch is the records of one message, and the message's size.
type batch struct {
	recs []decode.Record
	size int64
}

// RuleDef defines a rule: a SELECT over one stream and where its records go.
type RuleDef struct {
	// ID names the rule.
	ID string `json:"id"`
	// SQL is `SELECT * FROM s` or `SELECT a, b FROM s`.
	SQL string `json:"sql"`
	// Actions are eKuiper actions, each a map from a sink type ("nop", "log",
	// "rest") to its properties.
	Actions []map[string]map[string]any `json:"actions"`
	// Triggered tells CreateRule whether to start the rule, as eKuiper's
	// "triggered": nil or true starts it, false only stores it, stopped, so
	// that its source never listens or dials. Engine.Rule reports whether the
	// rule is meant to run: false after it was stopped or created stopped,
	// true otherwise (running or stopped by error).
	Triggered *bool `json:"triggered,omitempty"`
	// Sinks are extra sinks given by the caller (for example a MemorySink).
	// The engine keeps them across stop and start and closes them when the rule
	// is deleted or the engine is closed.
	Sinks []Sink `json:"-"`
}

// RuleSummary is a rule's id and state.
type RuleSummary struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// rule is a stored rule and its current state.
type rule struct {
	def RuleDef
	sel ddl.Select

	// op serialises start, stop and delete of this rule.
	op      sync.Mutex
	deleted bool
	// starting is set, under Engine.mu, while startRule attaches the rule to
	// its source, so that its stream is not dropped meanwhile.
	starting bool

	// mu guards the fields below.
	mu      sync.Mutex
	state   string
	message string
	cur     *run     // the running run, nil when not running
	last    *metrics // metrics of the latest run, nil before the first start
}

func (r *rule) snapshot() (state, message string, cur *run, last *metrics) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state, r.message, r.cur, r.last
}

func (r *rule) set(state, message string, cur *run, last *metrics) {
	r.mu.Lock()
	r.state, r.message, r.cur = state, message, cur
	if last != nil {
		r.last = last
	}
	r.mu.Unlock()
}

// run is one start of a rule: a goroutine that projects records and hands
// them to the sinks.
type run struct {
	ctx     context.Context
	cancel  context.CancelFunc
	in      chan batch
	pending atomic.Int64  // bytes of the batches queued in in
	drained chan struct{} // signalled after each batch is handled and when a sink starts failing
	done    chan struct{}
	m       *metrics
	project func(decode.Record) decode.Record
	where   *ddl.Cond // the records a rule outputs; nil: all
	hub     *hub
	onError func(sink string, err error)
}

func (r *run) loop() {
	defer close(r.done)
	for {
		select {
		case <-r.ctx.Done():
			return
		case b := <-r.in:
			r.handle(b.recs)
			r.pending.Add(-b.size)
			select {
			case r.drained <- struct{}{}:
			default:
			}
		}
	}
}

// handle projects each record that meets the WHERE condition and hands it to
// every sink.
func (r *run) handle(recs []decode.Record) {
	for _, rec := range recs {
		if r.where != nil && !r.where.Match(rec) {
			continue
		}
		out := r.project(rec)
		for _, s := range r.m.sinks {
			s.in.Add(1)
			if err := s.sink.Collect(r.ctx, out); err != nil {
				if r.ctx.Err() != nil {
					return
				}
				s.exceptions.Add(1)
				s.last.set(err)
				r.onError(s.sinkType, err)
				continue
			}
			s.out.Add(1)
		}
	}
}

// projection returns the function that applies a SELECT's field list.
func projection(sel ddl.Select, sm seams) func(decode.Record) decode.Record {
	if sel.Fields == nil || sm.projectionIgnored() {
		return func(r decode.Record) decode.Record { return r }
	}
	fields := sel.Fields
	return func(r decode.Record) decode.Record {
		out := make(decode.Record, len(fields))
		for _, f := range fields {
			if v, ok := r[f]; ok {
				out[f] = v
			}
		}
		return out
	}
}

// checkFields refuses a SELECT naming a field that a typed stream lacks, in
// its field list or its WHERE.
func checkFields(ruleID string, sel ddl.Select, s ddl.Stream) error {
	named := append(slices.Clone(sel.Fields), sel.Where.Fields()...)
	if s.Fields == nil || len(named) == 0 {
		return nil
	}
	known := make(map[string]bool, len(s.Fields))
	for _, f := range s.Fields {
		known[f.Name] = true
	}
	for _, f := range named {
		if !known[f] {
			return withKind(ErrInvalid, fmt.Errorf("rule %s: unknown field %s in stream %s", ruleID, f, s.Name))
		}
	}
	return nil
}

// checkStreamSource refuses a stream the websocket source cannot read.
func checkStreamSource(s ddl.Stream) error {
	if t := s.Options.Type; t != "" && !strings.EqualFold(t, "websocket") {
		return withKind(ErrInvalid, fmt.Errorf("stream %s: unsupported source type %q (want websocket)", s.Name, t))
	}
	if f := s.Options.Format; f != "" && !strings.EqualFold(f, "json") {
		return withKind(ErrInvalid, fmt.Errorf("stream %s: unsupported format %q (want json)", s.Name, f))
	}
	if !strings.HasPrefix(s.Options.Datasource, "/") {
		return withKind(ErrInvalid, wsource.ErrEndpoint)
	}
	return nil
}
