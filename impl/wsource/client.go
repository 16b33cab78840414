package wsource

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wsconform/wsconform/impl/dataserver"
)

// MaxHandshakeResponseBytes bounds the HTTP response (status line and
// headers) a remote server may send to a client-mode handshake; a larger
// one fails the dial.
const MaxHandshakeResponseBytes = 64 << 10

// errHandshakeTooLarge is what a capped connection's reads return once the
// handshake response has reached MaxHandshakeResponseBytes.
var errHandshakeTooLarge = errors.New("handshake response too large")

// handshakeConn is a client-mode connection whose reads are capped at
// limit bytes until the WebSocket handshake is over, so that a remote server
// streaming endless headers costs no more than the cap.
type handshakeConn struct {
	*dataserver.ReadGuard // the read bounds of readLoop, once connected
	limit                 int64
	read                  atomic.Int64 // bytes read before the handshake was over
	over                  atomic.Bool  // the cap was hit
	done                  atomic.Bool  // the handshake is over: reads are not capped
}

func (c *handshakeConn) Read(p []byte) (int, error) {
	if c.done.Load() {
		return c.ReadGuard.Read(p)
	}
	left := c.limit - c.read.Load()
	if left <= 0 {
		c.over.Store(true)
		return 0, errHandshakeTooLarge
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	n, err := c.ReadGuard.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// handshakeReadHook, when set by tests, receives the bytes a client-mode
// dial read before its handshake was over.
var handshakeReadHook atomic.Pointer[func(n int64)]

// URL returns the URL a client-mode source dials: scheme://addr followed by
// Props.Path when set, else Datasource, with its query.
func (s *Source) URL() string {
	scheme := s.cfg.Props.Scheme
	if scheme == "" {
		scheme = "ws"
	}
	target := s.cfg.Props.Path
	if target == "" {
		target = s.cfg.Datasource
	}
	target = s.seams.target(target, s.cfg.Datasource)
	return scheme + "://" + s.cfg.Props.Addr + target
}

// startClient dials the remote server and starts the connection's reader.
func (s *Source) startClient(ctx context.Context) error {
	conn, err := s.dial(ctx)
	if err != nil {
		s.mu.Lock()
		if s.state == stateStarting {
			s.state = stateNew
		}
		s.mu.Unlock()
		if s.ctx.Err() == nil {
			s.exception(err)
		}
		return err
	}
	s.mu.Lock()
	if s.state == stateClosed {
		s.mu.Unlock()
		sendClose(conn, websocket.CloseNormalClosure, "source closed")
		linger(conn)
		_ = conn.Close()
		return fmt.Errorf("start websocket source of stream %q: %w", s.cfg.Stream, ErrClosed)
	}
	s.state, s.connected = stateRunning, true
	s.wg.Add(1)
	s.mu.Unlock()
	go s.runClient(conn)
	return nil
}

// dial opens the client-mode connection. Its errors read "disconnected: "
// followed by the cause, as eKuiper reports them.
func (s *Source) dial(ctx context.Context) (*websocket.Conn, error) {
	url := s.URL()
	d := websocket.Dialer{HandshakeTimeout: s.cfg.HandshakeTimeout}
	if strings.HasPrefix(url, "wss:") {
		tc, err := s.seams.tlsProps(s.cfg.Props).ClientTLS()
		if err != nil {
			return nil, fmt.Errorf("disconnected: TLS settings of stream %q: %w", s.cfg.Stream, err)
		}
		s.seams.tlsConfig(tc)
		d.TLSClientConfig = tc
	}
	header := s.seams.header(s.cfg.Props.RequestHeader.Clone())
	// The handshake is bounded by the handshake timeout alone: gorilla would
	// also apply the caller's deadline, making a missing or too long timeout
	// look like a timely one. gorilla does not watch cancellation either, so
	// Close and the caller's ctx abandon a dial in progress by closing its
	// TCP connection.
	caller := ctx
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(caller))
	defer cancel(nil)
	defer afterFunc(caller, func() { cancel(caller.Err()) })()
	defer afterFunc(s.ctx, func() { cancel(ErrClosed) })()
	var mu sync.Mutex
	var raw net.Conn
	var capped *handshakeConn
	var nd net.Dialer
	netDial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := nd.DialContext(ctx, network, addr)
		mu.Lock()
		raw = c
		mu.Unlock()
		return c, err
	}
	capRead := func(c net.Conn) net.Conn {
		capped = &handshakeConn{ReadGuard: dataserver.NewReadGuard(c), limit: MaxHandshakeResponseBytes}
		return capped
	}
	d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := netDial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return capRead(c), nil
	}
	if tc := d.TLSClientConfig; tc != nil {
		// TLS is done here, under the cap: only the HTTP response counts.
		d.NetDialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := netDial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			cfg := tc.Clone()
			if cfg.ServerName == "" {
				cfg.ServerName, _, _ = net.SplitHostPort(addr)
			}
			t := tls.Client(c, cfg)
			if err := t.HandshakeContext(ctx); err != nil {
				_ = c.Close()
				return nil, err
			}
			return capRead(t), nil
		}
	}
	stopAbandon := afterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if raw != nil {
			_ = raw.Close()
		}
	})

	conn, resp, err := d.DialContext(ctx, url, header)
	stopAbandon()
	if capped != nil {
		capped.done.Store(true)
		if hook := handshakeReadHook.Load(); hook != nil {
			(*hook)(capped.read.Load())
		}
		if err != nil && capped.over.Load() {
			return nil, fmt.Errorf("disconnected: the handshake response of %s is larger than %d bytes (status line and headers)",
				url, MaxHandshakeResponseBytes)
		}
	}
	if err == nil && ctx.Err() != nil {
		_ = conn.Close()
		conn, err = nil, ctx.Err()
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("disconnected: dial %s abandoned: %w", url, context.Cause(ctx))
		}
		if errors.Is(err, websocket.ErrBadHandshake) && resp != nil {
			return nil, fmt.Errorf("disconnected: %w: %s answered %s", err, url, resp.Status)
		}
		return nil, fmt.Errorf("disconnected: %w", err)
	}
	s.log.Info("connected", "url", url)
	return conn, nil
}

// runClient reads the client-mode connection until it fails or the source
// closes. A lost connection is an exception; unless
// Props.ReconnectInterval is 0, the source then dials again with
// exponential backoff until it is back or the source closes.
func (s *Source) runClient(conn *websocket.Conn) {
	defer s.wg.Done()
	for conn != nil {
		if !s.readClient(conn) || s.cfg.Props.ReconnectInterval <= 0 {
			return
		}
		conn = s.reconnect()
	}
}

// readClient reads one client-mode connection until it fails or the source
// closes, and closes it; it tells whether the connection was lost (rather
// than closed by the source).
func (s *Source) readClient(conn *websocket.Conn) (lost bool) {
	defer conn.Close()
	stop := closeOnDone(s.ctx, conn, websocket.CloseNormalClosure, "source closed")
	defer stop()

	err := s.readLoop(s.ctx, conn)
	if !errors.Is(err, errStopped) {
		s.mu.Lock()
		if s.seams.remoteCloseDisconnects() {
			s.connected = false
		}
		s.mu.Unlock()
		if !closedLocally(err) {
			s.exception(err)
		}
	}
	if closedLocally(err) {
		linger(conn)
	}
	return s.ctx.Err() == nil
}

// reconnect dials until a connection is up, waiting
// Props.ReconnectInterval before the first attempt and doubling the wait
// after each failure, up to Props.MaxReconnectInterval. Each failure is an
// exception. It returns nil as soon as the source closes.
func (s *Source) reconnect() *websocket.Conn {
	wait := s.cfg.Props.ReconnectInterval
	limit := max(s.cfg.Props.MaxReconnectInterval, wait)
	for {
		t := time.NewTimer(wait)
		select {
		case <-s.ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		n := s.reconnectAttempts.Add(1)
		conn, err := s.dial(s.ctx)
		if s.ctx.Err() != nil {
			if conn != nil {
				sendClose(conn, websocket.CloseNormalClosure, "source closed")
				linger(conn)
				_ = conn.Close()
			}
			return nil
		}
		if err == nil {
			s.mu.Lock()
			s.connected = true
			s.mu.Unlock()
			s.reconnects.Add(1)
			s.log.Info("reconnected", "attempt", n)
			return conn
		}
		s.exception(fmt.Errorf("reconnect attempt %d (next in %v): %w", n, min(wait*2, limit), err))
		wait = min(wait*2, limit)
	}
}
