package peer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"

	"github.com/gorilla/websocket"
)

// ServerOptions configure a Server. The zero value is a plain ws server.
type ServerOptions struct {
	// TLS, when non-nil, makes the server speak wss only.
	TLS *tls.Config
	// Hang makes the server accept TCP connections and never answer: no TLS
	// handshake, no HTTP response. Accept then never returns a connection.
	Hang bool
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
// any path and from any Origin, and hands each connection to Accept.
type Server struct {
	opts  ServerOptions
	ln    net.Listener
	http  *http.Server
	queue chan *ServerConn

	mu      sync.Mutex
	closed  bool
	conns   map[*ServerConn]struct{}
	raw     map[net.Conn]struct{} // Hang: connections held open
	closing chan struct{}
	wg      sync.WaitGroup // serve or accept loop, handlers
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
		ln:      ln,
		queue:   make(chan *ServerConn, 256),
		conns:   map[*ServerConn]struct{}{},
		raw:     map[net.Conn]struct{}{},
		closing: make(chan struct{}),
	}
	s.wg.Add(1)
	if opts.Hang {
		go s.hang()
		return s, nil
	}
	var l net.Listener = ln
	if opts.TLS != nil {
		l = tls.NewListener(ln, opts.TLS.Clone())
	}
	s.http = &http.Server{
		Handler:           http.HandlerFunc(s.upgrade),
		ReadHeaderTimeout: DefaultTimeout,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go func() {
		defer s.wg.Done()
		_ = s.http.Serve(l)
	}()
	return s, nil
}

// Addr returns the listening address, 127.0.0.1:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// hang accepts TCP connections and holds them until Close.
func (s *Server) hang() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = c.Close()
			return
		}
		s.raw[c] = struct{}{}
		s.mu.Unlock()
	}
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
	raw := s.raw
	s.raw = nil
	s.mu.Unlock()

	var err error
	if s.http != nil {
		err = s.http.Close()
	} else {
		err = s.ln.Close()
	}
	for c := range raw {
		_ = c.Close()
	}
	s.wg.Wait()

	s.mu.Lock()
	conns := s.conns
	s.conns = nil
	s.mu.Unlock()
	for sc := range conns {
		sc.abort()
	}
	if err != nil && !errors.Is(err, net.ErrClosed) {
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
