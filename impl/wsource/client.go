package wsource

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"

	"github.com/gorilla/websocket"
)

// URL returns the URL a client-mode source dials: scheme://addr followed by
// Props.Path when set, else Datasource, with its query.
func (s *Source) URL() string {
	scheme := s.cfg.Props.Scheme
	if scheme == "" {
		scheme = "ws"
	}
	target := s.cfg.Props.Path
	if target == "" || s.cfg.Faults.IgnoreConfKeyPath {
		target = s.cfg.Datasource
	}
	if s.cfg.Faults.IgnoreQuery {
		target, _, _ = strings.Cut(target, "?")
	}
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
		props := s.cfg.Props
		if s.cfg.Faults.RawCAIgnored {
			props.RootCARaw = ""
		}
		if s.cfg.Faults.RawCAWinsOverPath && props.RootCARaw != "" {
			props.RootCaPath = ""
		}
		if s.cfg.Faults.MissingCertFileIgnored {
			for _, path := range []*string{&props.RootCaPath, &props.CertificationPath, &props.PrivateKeyPath} {
				if _, err := os.Stat(*path); err != nil {
					*path = ""
				}
			}
		}
		tc, err := props.ClientTLS()
		if err != nil {
			return nil, fmt.Errorf("disconnected: TLS settings of stream %q: %w", s.cfg.Stream, err)
		}
		if s.cfg.Faults.SkipTLSVerify {
			tc.InsecureSkipVerify = true
		}
		if s.cfg.Faults.NoClientCertificate {
			tc.Certificates = nil
		}
		d.TLSClientConfig = tc
	}
	header := s.cfg.Props.RequestHeader.Clone()
	if s.cfg.Faults.DropRequestHeaders {
		header = nil
	}
	if s.cfg.Faults.MangleRequestHeaders {
		for name, values := range header {
			for i, v := range values {
				values[i] = strings.ToUpper(v) + "-mangled"
			}
			header[name] = values
		}
	}
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
	var nd net.Dialer
	d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := nd.DialContext(ctx, network, addr)
		mu.Lock()
		raw = c
		mu.Unlock()
		return c, err
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
// closes. A remote close is an exception; there is no reconnection.
func (s *Source) runClient(conn *websocket.Conn) {
	defer s.wg.Done()
	defer conn.Close()
	stop := closeOnDone(s.ctx, conn, websocket.CloseNormalClosure, "source closed")
	defer stop()

	err := s.readLoop(s.ctx, conn)
	if !errors.Is(err, errStopped) {
		s.mu.Lock()
		if !s.cfg.Faults.RemoteCloseStaysConnected {
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
}
