package engine

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/dataserver"
	"github.com/wsconform/wsconform/impl/ddl"
	"github.com/wsconform/wsconform/impl/decode"
	"github.com/wsconform/wsconform/impl/wsource"
)

// hub owns one source and feeds every running rule attached to it. The source
// is started when the first rule attaches and closed when the last one detaches.
type hub struct {
	key    string
	seams  seams
	logger *slog.Logger
	ds     *dataserver.Server

	// mu serialises attach and detach (source start and close).
	mu  sync.Mutex
	src atomic.Pointer[wsource.Source]
	// runs is the list of running rules fed by the source; replaced, never
	// modified in place, so emit reads it without locking.
	runs atomic.Pointer[[]*run]
	// stream and fields are the name and schema of the stream that started
	// the source.
	stream string
	fields []ddl.Field
	// clientMode tells whether the source dials a remote server.
	clientMode bool
}

func newHub(key string, ds *dataserver.Server, sm seams, logger *slog.Logger) *hub {
	h := &hub{key: key, ds: ds, seams: sm.forHub(), logger: logger}
	h.runs.Store(&[]*run{})
	return h
}

// connected tells whether the hub's source has its connection (client mode)
// or endpoint (server mode) up.
func (h *hub) connected() bool {
	src := h.src.Load()
	return src != nil && src.Stats().Connected
}

// fillReconnects writes the client-mode source's reconnection counters of
// stream into out.
func (h *hub) fillReconnects(out map[string]any, stream string) {
	src := h.src.Load()
	if src == nil || !h.clientMode {
		return
	}
	st := src.Stats()
	prefix := fmt.Sprintf("source_%s_0_", stream)
	out[prefix+"reconnect_attempts_total"] = st.ReconnectAttempts
	out[prefix+"reconnects_total"] = st.Reconnects
}

// idle tells whether no rule is attached and no source is open.
func (h *hub) idle() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.src.Load() == nil && len(*h.runs.Load()) == 0
}

// attach adds r to the hub and starts the source when r is the first rule. On
// a start failure r is removed again and the error is returned.
func (h *hub) attach(ctx context.Context, r *run, stream ddl.Stream, props config.Props) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	old := *h.runs.Load()
	if h.src.Load() != nil && !slices.EqualFunc(h.fields, stream.Fields, sameField) {
		return fmt.Errorf("stream %s: its path %s is served for stream %s, whose fields differ: streams sharing a path need the same fields",
			stream.Name, stream.Options.Datasource, h.stream)
	}
	next := append(slices.Clip(old), r)
	h.runs.Store(&next)
	if h.src.Load() != nil {
		return nil
	}
	h.stream, h.fields = stream.Name, stream.Fields
	h.clientMode = !props.ServerMode()
	cfg := wsource.Config{
		Stream:     stream.Name,
		Datasource: stream.Options.Datasource,
		Props:      props,
		DataServer: h.ds,
		Emit:       h.emit,
		Exception:  h.exception,
		Logger:     h.logger,
	}
	h.seams.source(&cfg)
	src, err := wsource.New(cfg)
	if err == nil {
		err = src.Start(ctx)
		if err != nil {
			_ = src.Close()
		}
	}
	if err != nil {
		h.runs.Store(&old)
		return err
	}
	h.src.Store(src)
	return nil
}

// sameField tells whether two fields have the same name and type, element
// and members included.
func sameField(a, b ddl.Field) bool {
	if a.Name != b.Name || a.Type != b.Type || (a.Elem == nil) != (b.Elem == nil) {
		return false
	}
	if a.Elem != nil && !sameField(*a.Elem, *b.Elem) {
		return false
	}
	return slices.EqualFunc(a.Fields, b.Fields, sameField)
}

// detach removes r from the hub, ends r's run and closes the source when no
// rule is left. It returns once r's goroutine has finished.
func (h *hub) detach(r *run) {
	h.mu.Lock()
	cur := *h.runs.Load()
	next := make([]*run, 0, len(cur))
	for _, x := range cur {
		if x != r {
			next = append(next, x)
		}
	}
	h.runs.Store(&next)
	r.cancel()
	if len(next) == 0 && !(h.seams.stopLeavesClientOpen() && h.clientMode) {
		if src := h.src.Load(); src != nil {
			if err := src.Close(); err != nil {
				h.logger.Warn("closing source", "source", h.key, "error", err)
			}
			h.src.Store(nil)
		}
	}
	h.mu.Unlock()
	<-r.done
}

// exception records a source exception on every running rule.
func (h *hub) exception(err error) {
	for _, r := range *h.runs.Load() {
		r.m.sourceException(err)
	}
}

// emit decodes one message and hands its records, in order, to every running
// rule. It blocks while a rule's queue is full, which stops the source from
// reading more (backpressure); it returns early only when a rule or the source
// ends. A decode error is counted on every rule and returned.
func (h *hub) emit(ctx context.Context, payload []byte) error {
	runs := *h.runs.Load()
	for _, r := range runs {
		if h.seams.countRecordsIn() {
			r.m.sourceIn.Add(1)
		}
		r.m.sourceOut.Add(1)
		r.m.decoderIn.Add(1)
	}
	fields := h.seams.decodeFields(h.fields)
	recs, err := decode.Decode(payload, fields)
	recs, err = h.seams.decoded(payload, fields, recs, err)
	if err != nil {
		for _, r := range runs {
			r.m.decoderException(err)
		}
		return err
	}
	n := int64(len(recs))
	for _, r := range runs {
		r.m.decoderOut.Add(n)
	}
	if n == 0 {
		return nil
	}
	size := int64(len(payload))
	for _, r := range h.seams.deliverTo(runs) {
		if err := r.enqueue(ctx, batch{recs: recs, size: size}); err != nil {
			return err
		}
	}
	return nil
}

// enqueue hands b to the rule, waiting while the rule's queue is full in
// messages or in bytes: a slow rule slows the source down and loses nothing.
// A rule with a failing sink (sinkMetrics.failing) is not waited for: a
// batch that finds its queue full is dropped for that rule alone and counted
// on its sinks, so that the other rules of the source go on. It returns
// early, without error, when the rule ends, and with ctx's error when the
// source ends.
func (r *run) enqueue(ctx context.Context, b batch) error {
	for {
		if p := r.pending.Load(); p == 0 || p+b.size <= queueBytes {
			r.pending.Add(b.size)
			select {
			case r.in <- b:
				return nil
			default:
				r.pending.Add(-b.size)
			}
		}
		if failing := r.m.failingSink(); failing != nil {
			r.m.dropped(b.recs, failing)
			return nil
		}
		// drained is signalled after each batch is handled and when a sink
		// starts failing.
		select {
		case <-r.drained:
		case <-r.ctx.Done():
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
