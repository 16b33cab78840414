package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// quietLog discards the HTTP servers' own error logs (accept retries): the
// bench reports failures itself.
var quietLog = log.New(io.Discard, "", 0)

// rawServer is the baseline every figure is compared with: a minimal gorilla
// server in the bench process whose read loop decodes each text message with
// encoding/json and hands the record to onRecord. It is what any engine's
// server mode does at the least.
type rawServer struct {
	ln       net.Listener
	srv      *http.Server
	served   chan struct{}
	onRecord func(map[string]any)

	mu     sync.Mutex
	closed bool
	conns  map[*websocket.Conn]struct{}
	wg     sync.WaitGroup
}

func newRawServer(onRecord func(map[string]any)) (*rawServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &rawServer{ln: ln, served: make(chan struct{}), onRecord: onRecord, conns: map[*websocket.Conn]struct{}{}}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	s.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, ErrorLog: quietLog, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		defer s.wg.Done()
		defer func() {
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			c.Close()
		}()
		readDecode(c, s.onRecord)
	})}
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// readDecode is the raw read loop: every text message decoded with
// encoding/json, until the connection fails.
func readDecode(c *websocket.Conn, onRecord func(map[string]any)) {
	var buf bytes.Buffer
	for {
		mt, r, err := c.NextReader()
		if err != nil {
			return
		}
		if mt != websocket.TextMessage {
			continue
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			return
		}
		var rec map[string]any
		if json.Unmarshal(buf.Bytes(), &rec) == nil && onRecord != nil {
			onRecord(rec)
		}
	}
}

func (s *rawServer) addr() string { return s.ln.Addr().String() }

// close closes the listener and every connection and waits for the handlers.
func (s *rawServer) close() {
	_ = s.srv.Close()
	<-s.served
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		_ = c.NetConn().Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// sendServer is the suite's side of client mode: a WebSocket server that
// writes n text messages (unmasked frames) to each connection it accepts, then
// keeps the connection open until close. accepted receives the time of each
// upgrade.
type sendServer struct {
	ln       net.Listener
	srv      *http.Server
	served   chan struct{}
	n        int
	accepted chan time.Time
	ctx      context.Context
	cancel   context.CancelFunc
	mu       sync.Mutex
	closed   bool
	wg       sync.WaitGroup
	err      error
}

func newSendServer(n int) (*sendServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &sendServer{ln: ln, served: make(chan struct{}), n: n, accepted: make(chan time.Time, 16)}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	s.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, ErrorLog: quietLog, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			http.Error(w, "closing", http.StatusServiceUnavailable)
			return
		}
		s.wg.Add(1)
		s.mu.Unlock()
		defer s.wg.Done()
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		select {
		case s.accepted <- time.Now():
		default:
		}
		// Discard what the client sends (pongs, its close frame).
		read := make(chan struct{})
		go func() {
			defer close(read)
			for {
				if _, _, err := c.NextReader(); err != nil {
					return
				}
			}
		}()
		if err := unmaskedFrames.write(c.NetConn(), s.n); err != nil {
			s.mu.Lock()
			s.err = errors.Join(s.err, err)
			s.mu.Unlock()
		}
		select {
		case <-s.ctx.Done():
		case <-read:
		}
		_ = c.NetConn().Close()
		<-read
	})}
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

func (s *sendServer) addr() string { return s.ln.Addr().String() }

// close ends every connection and waits for the handlers.
func (s *sendServer) close() error {
	s.cancel()
	_ = s.srv.Close()
	<-s.served
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}
