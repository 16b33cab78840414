package engine

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
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
}

// metrics are the counters of one run of a rule, named like eKuiper's.
type metrics struct {
	stream string

	sourceIn, sourceOut, sourceExceptions atomic.Int64
	sourceLast                            lastError

	decoderIn, decoderOut, decoderExceptions atomic.Int64
	decoderLast                              lastError

	sinks []*sinkMetrics
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
