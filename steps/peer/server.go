package peer

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// ServerOptions configure a Server. The zero value is a plain ws server.
type ServerOptions struct {
	// TLS, when non-nil, makes the server speak wss only.
	TLS *tls.Config
	// Hang makes the server accept TCP connections and never answer: no TLS
	// handshake, no HTTP response. Accept then never returns a connection.
	Hang bool
	// EndlessHeaders makes the server answer every handshake request with a
	// 101 status line followed by header lines that never end, until the
	// client gives up. Accept then never returns a connection.
	EndlessHeaders bool
}

// Handshake is what a client sent when it opened a connection.
type Handshake struct {
	// Path and RawQuery are the request URL's path and query (without "?").
	Path, RawQuery string
	// Header holds the request headers.
	Header http.Header
	// PeerCertificates is the number of certificates the client presented
	// (wss only).
	PeerCertificates int
}

// Server is a ws or wss server on 127.0.0.1 that upgrades every request, on
// any path and from any Origin, and hands each connection to Accept. It can
// go away (GoAway) and come back on the same address (ComeBack), and refuse
// handshakes with an HTTP status (RefuseNext).
type Server struct {
	opts  ServerOptions
	addr  string
	queue chan *ServerConn

	mu      sync.Mutex
	closed  bool
	ln      net.Listener  // nil while away
	http    *http.Server  // nil while away, or in Hang or EndlessHeaders mode
	served  chan struct{} // closed when the current accept or serve loop returns
	conns   map[*ServerConn]struct{}
	raw     map[net.Conn]struct{} // Hang and EndlessHeaders: connections held open
	refuse  int                   // handshakes still to refuse
	status  int                   // the HTTP status they get
	headers int64                 // EndlessHeaders: bytes of headers written
	closing chan struct{}
	wg      sync.WaitGroup // accept or serve loops, handlers
}

// NewServer starts a server listening on 127.0.0.1 on a port the system
// chooses.
func NewServer(opts ServerOptions) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen on 127.0.0.1:0: %w", err)
	}
	s := &Server{
		opts:    opts,
		addr:    ln.Addr().String(),
		queue:   make(chan *ServerConn, 256),
		conns:   map[*ServerConn]struct{}{},
		raw:     map[net.Conn]struct{}{},
		closing: make(chan struct{}),
	}
	s.serve(ln)
	return s, nil
}

// serve starts the accept or serve loop on ln. s.mu must not be held.
func (s *Server) serve(ln net.Listener) {
	done := make(chan struct{})
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ln.Close()
		return
	}
	s.ln, s.served = ln, done
	s.wg.Add(1)
	if s.opts.Hang || s.opts.EndlessHeaders {
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer close(done)
			s.holdRaw(ln)
		}()
		return
	}
	var l net.Listener = ln
	if s.opts.TLS != nil {
		l = tls.NewListener(ln, s.opts.TLS.Clone())
	}
	srv := &http.Server{
		Handler:           http.HandlerFunc(s.upgrade),
		ReadHeaderTimeout: DefaultTimeout,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	s.http = srv
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		defer close(done)
		_ = srv.Serve(l)
	}()
}

// Addr returns the listening address, 127.0.0.1:port. It stays the same
// while the server is away.
func (s *Server) Addr() string { return s.addr }

// holdRaw accepts TCP connections and holds them (Hang) or answers them
// with endless headers (EndlessHeaders) until they or the server end.
func (s *Server) holdRaw(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed || s.raw == nil {
			s.mu.Unlock()
			_ = c.Close()
			return
		}
		s.raw[c] = struct{}{}
		if s.opts.EndlessHeaders {
			s.wg.Add(1)
			go s.endlessHeaders(c)
		}
		s.mu.Unlock()
	}
}

// endlessHeaders reads one request and answers it with a 101 status line
// and header lines without end, until writing fails.
func (s *Server) endlessHeaders(c net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		if s.raw != nil {
			delete(s.raw, c)
		}
		s.mu.Unlock()
		_ = c.Close()
	}()
	if s.opts.TLS != nil {
		c = tls.Server(c, s.opts.TLS.Clone())
	}
	_ = c.SetDeadline(time.Now().Add(DefaultTimeout))
	br := bufio.NewReader(c)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		if line == "\r\n" {
			break
		}
	}
	chunk := []byte("HTTP/1.1 101 Switching Protocols\r\n")
	pad := strings.Repeat("p", 200)
	for i := 0; ; i++ {
		// Each write gets its own deadline: the client, not the clock, ends this.
		_ = c.SetWriteDeadline(time.Now().Add(DefaultTimeout))
		if _, err := c.Write(chunk); err != nil {
			return
		}
		s.mu.Lock()
		s.headers += int64(len(chunk))
		s.mu.Unlock()
		chunk = fmt.Appendf(chunk[:0], "X-Pad-%d: %s\r\n", i, pad)
	}
}

// HeaderBytes returns, in EndlessHeaders mode, how many bytes of headers
// the server has written.
func (s *Server) HeaderBytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.headers
}

// RefuseNext makes the next n handshakes get HTTP status instead of an
// upgrade.
func (s *Server) RefuseNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse, s.status = n, status
}

var upgrader = websocket.Upgrader{
	HandshakeTimeout: DefaultTimeout,
	CheckOrigin:      func(*http.Request) bool { return true },
}

func (s *Server) upgrade(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "server closed", http.StatusServiceUnavailable)
		return
	}
	if s.refuse > 0 {
		s.refuse--
		status := s.status
		s.mu.Unlock()
		http.Error(w, "refused by the suite's remote server", status)
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	hs := Handshake{Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone()}
	if r.TLS != nil {
		hs.PeerCertificates = len(r.TLS.PeerCertificates)
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	sc := &ServerConn{conn: newConn(ws, false), hs: hs}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		sc.abort()
		return
	}
	s.conns[sc] = struct{}{}
	s.mu.Unlock()
	select {
	case s.queue <- sc:
	case <-s.closing:
	}
}

// Accept returns the next upgraded connection. Connections upgraded at the
// same time may come in either order. After Close it returns an error
// wrapping net.ErrClosed.
func (s *Server) Accept(ctx context.Context) (*ServerConn, error) {
	select {
	case <-s.closing:
		return nil, fmt.Errorf("accept on %s: %w", s.Addr(), net.ErrClosed)
	default:
	}
	select {
	case sc := <-s.queue:
		return sc, nil
	case <-s.closing:
		return nil, fmt.Errorf("accept on %s: %w", s.Addr(), net.ErrClosed)
	case <-ctx.Done():
		return nil, fmt.Errorf("accept on %s: no connection: %w", s.Addr(), ctx.Err())
	}
}

// GoAway stops listening and drops every connection without a close frame,
// as a server that crashes or restarts: clients dialing it are refused until
// ComeBack. It waits for the server's loops to end.
func (s *Server) GoAway() error {
	s.mu.Lock()
	ln, srv, served := s.ln, s.http, s.served
	s.ln, s.http, s.served = nil, nil, nil
	conns, raw := s.conns, s.raw
	if !s.closed {
		s.conns, s.raw = map[*ServerConn]struct{}{}, map[net.Conn]struct{}{}
	} else {
		s.conns, s.raw = nil, nil
	}
	s.mu.Unlock()
	var err error
	switch {
	case srv != nil:
		err = srv.Close()
	case ln != nil:
		err = ln.Close()
	}
	for c := range raw {
		_ = c.Close()
	}
	if served != nil {
		<-served
	}
	for sc := range conns {
		sc.abort()
	}
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("stop server %s: %w", s.addr, err)
	}
	return nil
}

// ComeBack listens again on the server's address after GoAway.
func (s *Server) ComeBack() error {
	s.mu.Lock()
	closed, away := s.closed, s.ln == nil
	s.mu.Unlock()
	if closed {
		return fmt.Errorf("server %s: %w", s.addr, net.ErrClosed)
	}
	if !away {
		return fmt.Errorf("server %s is not away", s.addr)
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("listen on %s again: %w", s.addr, err)
	}
	s.serve(ln)
	return nil
}

// Close stops listening, closes every connection without a close frame and
// waits for all the server's goroutines. It is idempotent.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.closing)
	s.mu.Unlock()
	err := s.GoAway()
	s.wg.Wait()
	if err != nil {
		return fmt.Errorf("close server %s: %w", s.Addr(), err)
	}
	return nil
}

// ServerConn is one connection a Server accepted.
type ServerConn struct {
	*conn
	hs Handshake
}

// Handshake returns what the client sent when it connected.
func (c *ServerConn) Handshake() Handshake { return c.hs }

// SendText sends one text message.
func (c *ServerConn) SendText(ctx context.Context, msg string) error {
	if err := c.writeMessage(ctx, websocket.TextMessage, []byte(msg)); err != nil {
		return fmt.Errorf("send text message of %d bytes: %w", len(msg), err)
	}
	return nil
}

// SendBinary sends one binary message.
func (c *ServerConn) SendBinary(ctx context.Context, b []byte) error {
	if err := c.writeMessage(ctx, websocket.BinaryMessage, b); err != nil {
		return fmt.Errorf("send binary message of %d bytes: %w", len(b), err)
	}
	return nil
}

// SendRawText sends one text frame holding payload as is, valid UTF-8 or not.
func (c *ServerConn) SendRawText(ctx context.Context, payload []byte) error {
	return c.sendRawText(ctx, payload)
}

// SendFragmented sends one text message as len(parts) frames.
func (c *ServerConn) SendFragmented(ctx context.Context, parts ...string) error {
	return c.sendFragmented(ctx, parts)
}

// SendEndlessFragments sends the first frame of a text message and then
// empty continuation frames until the connection ends or ctx is done, and
// returns how many continuation frames it sent.
func (c *ServerConn) SendEndlessFragments(ctx context.Context) (int, error) {
	return c.sendEndlessFragments(ctx)
}

// Ping sends a ping and waits for the matching pong.
func (c *ServerConn) Ping(ctx context.Context, data string) error { return c.ping(ctx, data) }

// WaitClose waits until the connection ends and returns the close code the
// client sent, or 1006 when it ended without a close frame.
func (c *ServerConn) WaitClose(ctx context.Context) (int, error) { return c.waitClose(ctx) }

// Done is closed when the connection has ended.
func (c *ServerConn) Done() <-chan struct{} { return c.done }

// CloseWith sends a close frame with code and reason, waits briefly for the
// client's answer, then closes the TCP connection.
func (c *ServerConn) CloseWith(ctx context.Context, code int, reason string) error {
	return c.closeWith(ctx, code, reason)
}

// DropTCP closes the TCP connection without a close frame.
func (c *ServerConn) DropTCP() error {
	c.dropTCP()
	return nil
}
