package engine

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsconform/wsconform/impl/decode"
)

// lastError is the text and time of the latest exception of one operator.
type lastError struct {
	mu   sync.Mutex
	msg  string
	when time.Time
}

func (l *lastError) set(err error) {
	l.mu.Lock()
	l.msg = err.Error()
	l.when = time.Now()
	l.mu.Unlock()
}

func (l *lastError) get() (string, int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.when.IsZero() {
		return l.msg, 0
	}
	return l.msg, l.when.UnixMilli()
}

// sinkMetrics are the counters of one sink of a rule run.
type sinkMetrics struct {
	prefix              string // "sink_<type>_<index>_0_"
	in, out, exceptions atomic.Int64
	last                lastError
	sink                Sink
	owned               bool // built from an action: closed when the run ends
	sinkType            string

	// failing is set while the sink's latest attempt to deliver a record got
	// no response (a timeout, a refused or reset connection) and cleared by
	// the next attempt that gets one; cause is that attempt's error.
	failing atomic.Bool
	cause   lastError
	// onFailing and onRecovered, when set, are called as failing changes.
	onFailing, onRecovered func(err error)
}

// attempted records the outcome of one delivery attempt of the sink: nil
// when a response arrived, whatever its status.
func (s *sinkMetrics) attempted(err error) {
	if err == nil {
		if s.failing.Swap(false) && s.onRecovered != nil {
			s.onRecovered(nil)
		}
		return
	}
	s.cause.set(err)
	if !s.failing.Swap(true) && s.onFailing != nil {
		s.onFailing(err)
	}
}

// name is the sink's metric prefix without the trailing underscore.
func (s *sinkMetrics) name() string { return strings.TrimSuffix(s.prefix, "_") }

// metrics are the counters of one run of a rule, named like eKuiper's.
type metrics struct {
	stream string

	sourceIn, sourceOut, sourceExceptions atomic.Int64
	sourceLast                            lastError

	decoderIn, decoderOut, decoderExceptions atomic.Int64
	decoderLast                              lastError

	sinks []*sinkMetrics
}

// failingSink returns the first sink of the run that is failing, or nil.
func (m *metrics) failingSink() *sinkMetrics {
	for _, s := range m.sinks {
		if s.failing.Load() {
			return s
		}
	}
	return nil
}

// dropped counts records the run dropped because its sink failing was
// failing and its queue was full: on every sink, as records in and as
// exceptions.
func (m *metrics) dropped(recs []decode.Record, failing *sinkMetrics) {
	n := int64(len(recs))
	cause, _ := failing.cause.get()
	for _, s := range m.sinks {
		s.in.Add(n)
		s.exceptions.Add(n)
		if s == failing {
			s.last.set(fmt.Errorf("record dropped while the sink is failing: %s", cause))
		} else {
			s.last.set(fmt.Errorf("record dropped while %s of the rule is failing: %s", failing.name(), cause))
		}
	}
}

func (m *metrics) sourceException(err error) {
	m.sourceExceptions.Add(1)
	m.sourceLast.set(err)
}

func (m *metrics) decoderException(err error) {
	m.decoderExceptions.Add(1)
	m.decoderLast.set(err)
}

// fill writes the flat metric keys into out. connected tells the source's
// connection state.
func (m *metrics) fill(out map[string]any, connected bool) {
	src := fmt.Sprintf("source_%s_0_", m.stream)
	out[src+"records_in_total"] = m.sourceIn.Load()
	out[src+"records_out_total"] = m.sourceOut.Load()
	out[src+"exceptions_total"] = m.sourceExceptions.Load()
	msg, when := m.sourceLast.get()
	out[src+"last_exception"] = msg
	out[src+"last_exception_time"] = when
	if connected {
		out[src+"connection_status"] = int64(1)
	} else {
		out[src+"connection_status"] = int64(-1)
	}

	const dec = "op_2_decoder_0_"
	out[dec+"records_in_total"] = m.decoderIn.Load()
	out[dec+"records_out_total"] = m.decoderOut.Load()
	out[dec+"exceptions_total"] = m.decoderExceptions.Load()
	msg, when = m.decoderLast.get()
	out[dec+"last_exception"] = msg
	out[dec+"last_exception_time"] = when

	for _, s := range m.sinks {
		out[s.prefix+"records_in_total"] = s.in.Load()
		out[s.prefix+"records_out_total"] = s.out.Load()
		out[s.prefix+"exceptions_total"] = s.exceptions.Load()
		msg, when := s.last.get()
		out[s.prefix+"last_exception"] = msg
		out[s.prefix+"last_exception_time"] = when
	}
}
