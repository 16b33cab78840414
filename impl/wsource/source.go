// Package wsource is the WebSocket source: it serves a stream's endpoint on
// the shared data server (server mode) or dials a remote server (client mode),
// and hands every text message to the engine one at a time, with backpressure
// instead of buffering.
package wsource

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/dataserver"
)

// HandshakeTimeout bounds a client-mode dial: TCP connect, TLS and the
// WebSocket handshake together.
const HandshakeTimeout = 3 * time.Second

// ErrEndpoint is returned by New for a datasource that is empty or does not
// start with "/". Its message is eKuiper's.
var ErrEndpoint = errors.New("websocket endpoint should start with /")

// ErrClosed is returned by Start after Close.
var ErrClosed = errors.New("source closed")

// Config configures a Source.
type Config struct {
	// selftestConfig is empty here; a build with the selftest tag gives it the
	// deliberate defects of the conformance suite's self-test (seams_selftest.go).
	selftestConfig
	// Stream is the stream name, used in errors and logs.
	Stream string
	// Datasource is the stream's DATASOURCE: a path starting with "/" and an
	// optional "?query". Server mode serves the path; client mode dials it
	// (unless Props.Path is set) with its query.
	Datasource string
	// Props are the resolved confKey properties; Props.Addr == "" selects
	// server mode.
	Props config.Props
	// DataServer serves the endpoint in server mode; required there.
	DataServer *dataserver.Server
	// Emit receives each text message's payload, which it may keep. Calls
	// are serialised across connections, so Emit need not be safe for
	// concurrent use. Emit may block: the source stops reading the socket
	// meanwhile. ctx is cancelled when the source closes or the connection's
	// endpoint goes away. An error returned by Emit is the caller's to count;
	// the connection stays open. Required.
	Emit func(ctx context.Context, payload []byte) error
	// Exception, when set, is called with every exception the source records
	// (besides counting it in Stats). It must not call Close.
	Exception func(err error)
	// HandshakeTimeout bounds a client-mode dial. Zero means HandshakeTimeout.
	HandshakeTimeout time.Duration
	// Logger receives connection events. Nil discards them.
	Logger *slog.Logger
}

// Stats are a source's counters.
type Stats struct {
	// RecordsIn counts the text messages received and handed to Emit.
	RecordsIn int64
	// Exceptions counts recorded exceptions: a failed dial, a dropped or
	// closed connection, invalid UTF-8, an oversized message.
	Exceptions int64
	// LastException is the text of the latest exception, "" when none.
	LastException string
	// LastExceptionTime is when the latest exception was recorded.
	LastExceptionTime time.Time
	// Connected is, in client mode, whether the connection is up; in server
	// mode, whether the endpoint is registered.
	Connected bool
	// ReconnectAttempts counts, in client mode, the dials made to get a lost
	// connection back; Reconnects counts those that succeeded.
	ReconnectAttempts int64
	Reconnects        int64
}

type state int

const (
	stateNew state = iota
	stateStarting
	stateRunning
	stateClosed
)

// Source is one stream's WebSocket source. Its methods are safe for
// concurrent use.
type Source struct {
	cfg      Config
	seams    seams
	log      *slog.Logger
	path     string        // Datasource without its query
	limit    int64         // read limit, 0 = none
	idle     time.Duration // server mode: the data server's idle timeout, 0 = none
	msgTime  time.Duration // bound of one message's time, 0 = none
	ctx      context.Context
	cancel   context.CancelFunc
	closeOne sync.Once

	emitMu    sync.Mutex // serialises Emit
	recordsIn atomic.Int64

	reconnectAttempts, reconnects atomic.Int64

	mu          sync.Mutex
	state       state
	registered  bool // server mode: endpoint registered
	connected   bool // client mode: connection up
	exceptions  int64
	lastExc     string
	lastExcTime time.Time

	// ep is the context of the server-mode connections (connCtxLocked),
	// for the endpoint registration whose context is of.
	ep struct {
		of, ctx context.Context
		stop    func()
	}

	wg sync.WaitGroup // connection goroutines
}

// New validates cfg and returns a source that is not started. A datasource
// that is empty or does not start with "/" gives ErrEndpoint.
func New(cfg Config) (*Source, error) {
	sm := newSeams(cfg)
	if (cfg.Datasource == "" || !strings.HasPrefix(cfg.Datasource, "/")) && !sm.acceptRelativeDatasource() {
		return nil, ErrEndpoint
	}
	if cfg.Emit == nil {
		return nil, fmt.Errorf("websocket source of stream %q: Emit is required", cfg.Stream)
	}
	if cfg.Props.ServerMode() && cfg.DataServer == nil {
		return nil, fmt.Errorf("websocket source of stream %q: server mode needs a data server", cfg.Stream)
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = HandshakeTimeout
	}
	cfg.HandshakeTimeout = sm.handshakeTimeout(cfg.HandshakeTimeout)
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	path, _, _ := strings.Cut(cfg.Datasource, "?")
	s := &Source{
		cfg:   cfg,
		seams: sm,
		log:   log.With("stream", cfg.Stream),
		path:  path,
	}
	if sm.readLimit() {
		s.limit = cfg.Props.MaxMessageBytes
		if s.limit <= 0 {
			s.limit = config.DefaultMaxMessageBytes
		}
	}
	s.msgTime = cfg.Props.MessageTimeout
	if s.msgTime <= 0 {
		s.msgTime = config.DefaultMessageTimeout
	}
	if cfg.Props.ServerMode() {
		s.idle = cfg.DataServer.IdleTimeout()
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Start serves the endpoint (server mode) or dials the remote server (client
// mode); ctx bounds the dial only. A failed dial is recorded as an exception
// and returned, its text starting with "disconnected: ". A source starts once.
func (s *Source) Start(ctx context.Context) error {
	s.mu.Lock()
	switch s.state {
	case stateClosed:
		s.mu.Unlock()
		return fmt.Errorf("start websocket source of stream %q: %w", s.cfg.Stream, ErrClosed)
	case stateNew:
	default:
		s.mu.Unlock()
		return fmt.Errorf("start websocket source of stream %q: already started", s.cfg.Stream)
	}
	if s.cfg.Props.ServerMode() {
		defer s.mu.Unlock()
		if err := s.cfg.DataServer.Register(s.path, s.serve); err != nil {
			s.state = stateNew
			return fmt.Errorf("websocket source of stream %q: %w", s.cfg.Stream, err)
		}
		s.state, s.registered = stateRunning, true
		return nil
	}
	s.state = stateStarting
	s.mu.Unlock()
	return s.startClient(ctx)
}

// Close stops the source: its connections are closed (client mode: close
// 1000; server mode: the endpoint is unregistered and its clients get close
// 1001), a blocked Emit sees its context cancelled, and Close waits for every
// goroutine of the source. It is idempotent.
func (s *Source) Close() error {
	s.closeOne.Do(func() {
		s.mu.Lock()
		s.state = stateClosed
		registered := s.registered
		s.registered = false
		s.mu.Unlock()
		s.cancel()
		if registered && s.seams.unregisterOnClose() {
			s.cfg.DataServer.Unregister(s.path)
		}
		s.wg.Wait()
		s.mu.Lock()
		s.connected = false
		if s.ep.stop != nil {
			s.ep.stop()
		}
		s.mu.Unlock()
	})
	return nil
}

// Stats returns a snapshot of the source's counters.
func (s *Source) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{
		RecordsIn:         s.recordsIn.Load(),
		Exceptions:        s.exceptions,
		LastException:     s.lastExc,
		LastExceptionTime: s.lastExcTime,
		Connected:         s.registered || s.connected,
		ReconnectAttempts: s.reconnectAttempts.Load(),
		Reconnects:        s.reconnects.Load(),
	}
}

// exception records err and reports it to Config.Exception.
func (s *Source) exception(err error) {
	s.mu.Lock()
	s.exceptions++
	s.lastExc = err.Error()
	s.lastExcTime = time.Now()
	s.mu.Unlock()
	s.log.Warn("websocket source exception", "err", err)
	if s.cfg.Exception != nil {
		s.cfg.Exception(err)
	}
}
