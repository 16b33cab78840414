// Package dataserver is the shared global data server: one HTTP server that
// serves every server-mode WebSocket endpoint, listening only while at least
// one endpoint is registered.
package dataserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// DefaultReadHeaderTimeout bounds how long a client may take to send the
// request headers of its handshake (and, with TLS, the TLS handshake).
const DefaultReadHeaderTimeout = 5 * time.Second

// CloseGrace bounds how long the server waits for a client to answer a close
// frame before its connection is dropped.
const CloseGrace = time.Second

// readBufferSize is the read buffer of each upgraded connection, held for the
// connection's life. Small JSON messages fit several to a buffer; a larger one is
// read in several calls. gorilla's default would keep the HTTP server's 4 KiB
// reader instead.
const readBufferSize = 512

// writeBufferPool lends the write buffer to a connection only while it writes
// a frame (the source writes only control frames), instead of every idle
// connection holding 4 KiB.
var writeBufferPool = &sync.Pool{}

// ErrClosed is returned by Register after Close.
var ErrClosed = errors.New("data server closed")

// Config configures a Server. The zero value serves plain ws on an
// ephemeral port of every interface.
type Config struct {
	// selftestConfig is empty here; a build with the selftest tag gives it the
	// deliberate defects of the conformance suite's self-test (seams_selftest.go).
	selftestConfig
	// Addr is the host:port to listen on. Port "0" chooses a port at the
	// first start and reuses it on every later start, so the address stays the
	// same for the Server's lifetime. Empty means ":0".
	Addr string
	// TLS, when non-nil, makes the server speak wss only. Its ClientAuth and
	// ClientCAs are honoured.
	TLS *tls.Config
	// ReadHeaderTimeout bounds the handshake request (and TLS handshake).
	// Zero means DefaultReadHeaderTimeout.
	ReadHeaderTimeout time.Duration
	// MaxConnections caps the connections the server holds at one time,
	// from accept to close, handshakes included; the next client gets HTTP
	// 503 naming the cap. Zero means DefaultMaxConnections(); a negative
	// value means no cap.
	MaxConnections int
	// IdleTimeout, when positive, ends a client connection that sends no
	// frame and answers no ping for that long; the server pings every client
	// at half that interval. Zero (the default) means no idle timeout. The
	// Handler applies it to its reads (see Server.IdleTimeout).
	IdleTimeout time.Duration
	// Logger receives connection events. Nil discards them.
	Logger *slog.Logger
}

// Handler serves one upgraded connection. It runs on a goroutine the Server
// owns, one per connection. ctx is done when the endpoint is unregistered or
// the server is closed; the handler must then return promptly (the server
// also sends close 1001 and bounds the connection's reads). The server closes
// conn after the handler returns. A handler that keeps state for its reads
// waits with Server.AwaitReadable first, so that idle connections cost little.
type Handler func(ctx context.Context, conn *websocket.Conn)

// Server is the shared data server. Its methods are safe for concurrent use.
type Server struct {
	cfg      Config
	seams    seams
	log      *slog.Logger
	upgrader websocket.Upgrader

	// limit is the connection cap, negative for none; active counts the
	// connections held, refused those refused for the cap.
	limit   int64
	active  atomic.Int64
	refused atomic.Int64

	mu        sync.Mutex
	endpoints map[string]*endpoint
	closed    bool
	host      string        // from cfg.Addr
	port      string        // fixed after the first successful listen
	held      *heldListener // the port, bound from the first listen to Close
	srv       *http.Server
	capLn     *capListener
	addr      string        // current listening address, "" when not listening
	serveDone chan struct{} // closed when the current Serve returns
}

// endpoint is one registered path and its live connections.
type endpoint struct {
	path    string
	handler Handler
	ctx     context.Context
	cancel  context.CancelFunc

	// closeCode is the close code its clients get when it goes away.
	closeCode int

	mu       sync.Mutex
	closing  bool
	reserved int // connections ever reserved
	conns    map[*websocket.Conn]struct{}
	wg       sync.WaitGroup // one per connection being upgraded or served
}

// New returns a Server that is not yet listening.
func New(cfg Config) *Server {
	if cfg.ReadHeaderTimeout <= 0 {
		cfg.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	addr := cfg.Addr
	if addr == "" {
		addr = ":0"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		// Listen reports the malformed address when the first endpoint registers.
		host, port = addr, ""
	}
	if cfg.MaxConnections == 0 {
		cfg.MaxConnections = DefaultMaxConnections()
	}
	s := &Server{
		cfg:       cfg,
		seams:     newSeams(cfg),
		log:       log,
		limit:     int64(cfg.MaxConnections),
		endpoints: make(map[string]*endpoint),
		host:      host,
		port:      port,
	}
	if s.limit < 0 {
		s.limit = -1
	}
	s.upgrader = websocket.Upgrader{
		HandshakeTimeout: cfg.ReadHeaderTimeout,
		ReadBufferSize:   readBufferSize,
		WriteBufferPool:  writeBufferPool,
		CheckOrigin:      func(*http.Request) bool { return true },
		Error: func(w http.ResponseWriter, _ *http.Request, status int, reason error) {
			http.Error(w, reason.Error(), status)
		},
	}
	s.seams.upgrader(&s.upgrader)
	return s
}

// Register serves h on path. The first registration starts listening and
// fails when the address cannot be bound. A path that is already registered
// is an error naming it.
func (s *Server) Register(path string, h Handler) error {
	if h == nil {
		return fmt.Errorf("register endpoint %q: nil handler", path)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("register endpoint %q: %w", path, ErrClosed)
	}
	if _, ok := s.endpoints[path]; ok {
		return fmt.Errorf("register endpoint %q: path already registered", path)
	}
	if s.srv == nil {
		if err := s.listenLocked(); err != nil {
			return fmt.Errorf("register endpoint %q: %w", path, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	closeCode := s.seams.closeCode(websocket.CloseGoingAway)
	s.endpoints[path] = &endpoint{
		path:      path,
		handler:   h,
		ctx:       ctx,
		cancel:    cancel,
		closeCode: closeCode,
		conns:     make(map[*websocket.Conn]struct{}),
	}
	s.log.Debug("endpoint registered", "path", path, "addr", s.addr)
	return nil
}

// Unregister removes path: later upgrades on it answer 404, its connections
// get close 1001 (going away), and Unregister waits for their handlers. When
// the last endpoint goes, the port is closed. Unknown paths are ignored.
func (s *Server) Unregister(path string) {
	s.mu.Lock()
	ep, ok := s.endpoints[path]
	if !ok {
		s.mu.Unlock()
		return
	}
	delete(s.endpoints, path)
	conns := ep.markClosing()
	if len(s.endpoints) == 0 && s.seams.closeWhenEmpty() {
		s.stopLocked()
	}
	s.mu.Unlock()
	ep.shutdown(conns)
	s.log.Debug("endpoint unregistered", "path", path)
}

// Addr returns the host:port the server listens on, or "" when it is not
// listening.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// MaxConnections returns the connection cap, negative when there is none.
func (s *Server) MaxConnections() int { return int(s.limit) }

// Connections returns the number of connections the server holds now,
// handshakes included.
func (s *Server) Connections() int { return int(s.active.Load()) }

// Refused returns the number of connections refused because the cap was
// reached.
func (s *Server) Refused() int64 { return s.refused.Load() }

// IdleTimeout returns Config.IdleTimeout: a Handler ends a connection that
// sends no frame (a pong included) for that long.
func (s *Server) IdleTimeout() time.Duration { return s.cfg.IdleTimeout }

// AwaitReadable blocks until conn, a connection this server gave a Handler,
// has bytes to read (the client's first frame) or its next read is bound to
// fail: the client closed it, the endpoint went away (its close 1001 bounds
// the reads), or the idle timeout passed. A Handler calls it before it sets up
// its reads, so that until its client sends something an idle connection holds
// only its goroutine on a shallow stack, none of the handler's state. When the
// idle timeout passes, the connection's reads fail with a timeout from then on,
// as the handler's would have. On systems other than Linux and for wss
// connections it returns at once and the handler's first read waits instead.
func (s *Server) AwaitReadable(conn *websocket.Conn) {
	c, ok := conn.NetConn().(*countedConn)
	if !ok {
		return
	}
	var limit time.Time
	if s.cfg.IdleTimeout > 0 {
		limit = time.Now().Add(s.cfg.IdleTimeout)
	}
	c.awaitReadable(limit)
}

// Close unregisters every endpoint (close 1001 to every client), closes the
// port and waits for every handler. It is idempotent; Register fails after it.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	eps := make([]*endpoint, 0, len(s.endpoints))
	conns := make([][]*websocket.Conn, 0, len(s.endpoints))
	for path, ep := range s.endpoints {
		eps = append(eps, ep)
		conns = append(conns, ep.markClosing())
		delete(s.endpoints, path)
	}
	s.stopLocked()
	if s.held != nil {
		if err := s.held.close(); err != nil {
			s.log.Warn("release the data server port", "port", s.port, "err", err)
		}
		s.held = nil
	}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for i, ep := range eps {
		wg.Go(func() { ep.shutdown(conns[i]) })
	}
	wg.Wait()
	return nil
}

// listenLocked binds the address and starts serving. s.mu is held.
func (s *Server) listenLocked() error {
	addr := net.JoinHostPort(s.host, s.port)
	var ln net.Listener
	var err error
	if s.held == nil {
		s.held, ln, err = bindHeld(addr)
	} else {
		ln, err = s.held.listen()
	}
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	if _, port, err := net.SplitHostPort(ln.Addr().String()); err == nil {
		s.port = port
	}
	s.addr = net.JoinHostPort(s.host, s.port)
	if s.host == "" {
		s.addr = ln.Addr().String()
	}
	if s.cfg.TLS != nil && s.seams.serveTLS() {
		tc := s.cfg.TLS.Clone()
		// WebSocket handshakes are HTTP/1.1 only.
		tc.NextProtos = []string{"http/1.1"}
		ln = tls.NewListener(ln, tc)
	}
	capLn := newCapListener(ln, s)
	srv := &http.Server{
		Handler:           http.HandlerFunc(s.serveHTTP),
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(capLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("data server stopped", "addr", addr, "err", err)
		}
	}()
	s.srv, s.capLn, s.serveDone = srv, capLn, done
	s.log.Info("data server listening", "addr", s.addr, "tls", s.cfg.TLS != nil, "maxConnections", s.limit)
	return nil
}

// stopLocked stops listening and closes the connections still in their
// handshake, and waits for the accept loop. Upgraded connections belong to
// endpoints. The port stays bound (see heldListener), so clients are refused
// and no other socket takes it until the next listen. s.mu is held.
func (s *Server) stopLocked() {
	if s.srv == nil {
		return
	}
	_ = s.srv.Close()
	<-s.serveDone
	s.capLn.wait()
	if err := s.held.stop(); err != nil {
		// The socket cannot be kept: release it, the next listen binds anew.
		s.log.Warn("keep the data server port bound", "addr", s.addr, "err", err)
		_ = s.held.close()
		s.held = nil
	}
	s.log.Info("data server stopped listening", "addr", s.addr)
	s.srv, s.capLn, s.serveDone, s.addr = nil, nil, nil, ""
}

// serveHTTP upgrades requests on registered paths and runs their handlers.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ep, ok := s.endpoints[r.URL.Path]
	registered := ok
	if ok && !ep.reserve() {
		ok = false
	}
	if ok && s.seams.refuseClient(ep) {
		ep.wg.Done()
		ok = false
	}
	s.mu.Unlock()
	if !registered && s.seams.upgradeUnknownPath() {
		if conn, err := s.upgrader.Upgrade(w, r, nil); err == nil {
			_ = conn.Close()
		}
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		ep.wg.Done()
		s.log.Debug("upgrade failed", "path", r.URL.Path, "remote", r.RemoteAddr, "err", err)
		return
	}
	// The connection lives on a goroutine of its own: returning from the
	// HTTP handler releases what net/http keeps per request (its 4 KiB
	// reader and writer, the request, a grown stack), which would otherwise
	// stay for the connection's life.
	path, remote := r.URL.Path, r.RemoteAddr
	go func() {
		defer ep.wg.Done()
		s.serveConn(ep, conn, path, remote)
	}()
}

// serveConn runs the endpoint's handler on an upgraded connection, then
// closes it.
func (s *Server) serveConn(ep *endpoint, conn *websocket.Conn, path, remote string) {
	defer conn.Close()
	s.seams.conn(conn)
	if hook := upgradedHook.Load(); hook != nil {
		(*hook)(path)
	}
	if !ep.track(conn) {
		// The endpoint went away during the upgrade.
		goAway(conn, ep.closeCode)
		drain(conn)
		return
	}
	defer ep.untrack(conn)
	if s.cfg.IdleTimeout > 0 {
		defer startPinger(conn, s.cfg.IdleTimeout/2)()
	}
	s.logConn("client connected", path, remote)
	ep.handler(ep.ctx, conn)
	s.logConn("client gone", path, remote)
}

// logConn logs a connection event at debug level. It is a function of its
// own, and asks whether debug is enabled before slog's large frame, so that
// an idle connection's goroutine, waiting in its handler, keeps the runtime's
// smallest stack (see AwaitReadable): a stack once grown stays so.
//
//go:noinline
func (s *Server) logConn(msg, path, remote string) {
	if s.log.Enabled(context.Background(), slog.LevelDebug) {
		s.log.Debug(msg, "path", path, "remote", remote)
	}
}

// startPinger pings conn every interval, so that a live client that has
// nothing to send still shows it is there (its pong), and returns a function
// that stops the pings and waits for one in progress. The pings run on timer
// callbacks: an idle connection costs no goroutine.
func startPinger(conn *websocket.Conn, interval time.Duration) (stop func()) {
	var mu sync.Mutex
	stopped := false
	var t *time.Timer
	mu.Lock() // t is set before the first callback reads it
	defer mu.Unlock()
	t = time.AfterFunc(interval, func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		_ = conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(interval))
		t.Reset(interval)
	})
	return func() {
		mu.Lock()
		stopped = true
		t.Stop()
		mu.Unlock()
	}
}

// upgradedHook, when set by tests, runs between a connection's upgrade and
// its registration with the endpoint.
var upgradedHook atomic.Pointer[func(path string)]

// reserve counts a connection about to be upgraded; false when the endpoint is
// closing. The caller holds s.mu, so every reservation happens before the
// endpoint's wait starts.
func (ep *endpoint) reserve() bool {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	if ep.closing {
		return false
	}
	ep.wg.Add(1)
	ep.reserved++
	return true
}

// reservedBefore tells whether a connection other than the latest one was
// ever reserved.
func (ep *endpoint) reservedBefore() bool {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return ep.reserved > 1
}

// track adds an upgraded connection; false when the endpoint is closing.
func (ep *endpoint) track(c *websocket.Conn) bool {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	if ep.closing {
		return false
	}
	ep.conns[c] = struct{}{}
	return true
}

func (ep *endpoint) untrack(c *websocket.Conn) {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	delete(ep.conns, c)
}

// markClosing stops new connections and returns the live ones. It runs under
// s.mu, so no reservation can follow it.
func (ep *endpoint) markClosing() []*websocket.Conn {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	ep.closing = true
	conns := make([]*websocket.Conn, 0, len(ep.conns))
	for c := range ep.conns {
		conns = append(conns, c)
	}
	return conns
}

// shutdown sends close 1001 to every connection (reads bounded, so a silent
// client cannot hold a handler), then cancels the handlers' context and waits
// for every handler to return. The close goes first: a handler that returns
// on its context closes the connection, and the client would otherwise see
// it end without a close frame (1006).
func (ep *endpoint) shutdown(conns []*websocket.Conn) {
	for _, c := range conns {
		goAway(c, ep.closeCode)
	}
	ep.cancel()
	ep.wg.Wait()
}

// goAway sends close code (1001, going away) and bounds further reads by
// CloseGrace, so the reader sees the client's close reply or a timeout.
func goAway(c *websocket.Conn, code int) {
	deadline := time.Now().Add(CloseGrace)
	_ = c.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(code, "endpoint closed"), deadline)
	_ = c.NetConn().SetReadDeadline(deadline)
}

// drain reads until the connection fails: the client's close reply, or the
// deadline goAway set.
func drain(c *websocket.Conn) {
	for {
		if _, _, err := c.NextReader(); err != nil {
			return
		}
	}
}
