package wsource_test

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/wsource"
	"github.com/wsconform/wsconform/internal/waits"
)

var waitFor = waits.Event

// sink is an Emit target that records payloads in a channel and notices
// overlapping calls.
type sink struct {
	ch       chan string
	inFlight atomic.Int32
	overlap  atomic.Bool
	// fail, when set, makes Emit return an error for that payload.
	fail string
}

func newSink(buffer int) *sink { return &sink{ch: make(chan string, buffer)} }

func (k *sink) emit(ctx context.Context, p []byte) error {
	if k.inFlight.Add(1) > 1 {
		k.overlap.Store(true)
	}
	defer k.inFlight.Add(-1)
	if k.fail != "" && string(p) == k.fail {
		return errDecode
	}
	select {
	case k.ch <- string(p):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type decodeError struct{}

func (decodeError) Error() string { return "decode error" }

var errDecode error = decodeError{}

// newSource builds a source closed at the end of the spec.
func newSource(cfg wsource.Config) *wsource.Source {
	s, err := wsource.New(cfg)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(s.Close)
	return s
}

// dialWS opens a client connection closed at the end of the spec.
func dialWS(url string, d *websocket.Dialer, h http.Header) (*websocket.Conn, *http.Response, error) {
	if d == nil {
		d = &websocket.Dialer{HandshakeTimeout: 3 * time.Second}
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	c, resp, err := d.DialContext(ctx, url, h)
	if c != nil {
		DeferCleanup(func() { _ = c.Close() })
	}
	return c, resp, err
}

// readUntilError reads c until it fails and returns the error.
func readUntilError(c *websocket.Conn) error {
	_ = c.SetReadDeadline(time.Now().Add(waitFor))
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			return err
		}
	}
}

// receive returns the next value of ch, failing the spec when none arrives
// within waitFor. Loops use it instead of Eventually, whose polling interval
// would dominate their run time.
func receive[T any](ch <-chan T) T {
	timer := time.NewTimer(waitFor)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		Fail("nothing received within " + waitFor.String())
		panic("unreachable")
	}
}

// answerClose reads c in the background, as a live peer does, so that it
// answers close frames; the spec waits for the reader at its end.
func answerClose(c *websocket.Conn) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = readUntilError(c)
	}()
	DeferCleanup(func() {
		_ = c.Close()
		<-done
	})
}

// closeCode returns the close code of err, or 0.
func closeCode(err error) int {
	if ce, ok := err.(*websocket.CloseError); ok {
		return ce.Code
	}
	return 0
}

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	addr := ln.Addr().String()
	Expect(ln.Close()).To(Succeed())
	return addr
}

// remote is a WebSocket server for client-mode sources. Each upgraded
// connection is delivered on conns; its handler reads until the connection
// fails so that pings, pongs and close frames are processed.
type remote struct {
	srv   *httptest.Server
	addr  string
	conns chan *remoteConn
}

// remoteConn is one connection the remote accepted. The spec writes to it;
// the remote's handler reads it.
type remoteConn struct {
	*websocket.Conn
	req    *http.Request
	pongs  chan string
	closed chan struct{} // closed when reading fails
	err    error         // the read error, valid after closed
}

// newRemote starts a remote server, wss when tc is set, closed at the end of
// the spec.
func newRemote(tc *tls.Config) *remote {
	r := &remote{conns: make(chan *remoteConn, 16)}
	up := websocket.Upgrader{}
	h := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		c, err := up.Upgrade(w, req, nil)
		if err != nil {
			return
		}
		defer c.Close()
		rc := &remoteConn{Conn: c, req: req, pongs: make(chan string, 4), closed: make(chan struct{})}
		c.SetPongHandler(func(s string) error {
			rc.pongs <- s
			return nil
		})
		r.conns <- rc
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				rc.err = err
				close(rc.closed)
				return
			}
		}
	})
	r.srv = httptest.NewUnstartedServer(h)
	r.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if tc != nil {
		r.srv.TLS = tc
		r.srv.StartTLS()
	} else {
		r.srv.Start()
	}
	r.addr = r.srv.Listener.Addr().String()
	DeferCleanup(r.srv.Close)
	return r
}

// accept returns the next connection the remote upgraded.
func (r *remote) accept() *remoteConn {
	var rc *remoteConn
	EventuallyWithOffset(1, r.conns).WithTimeout(waitFor).Should(Receive(&rc))
	return rc
}

// hangServer accepts TCP connections and never answers them.
type hangServer struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	done  chan struct{}
}

func newHangServer() *hangServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	h := &hangServer{ln: ln, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			h.mu.Lock()
			h.conns = append(h.conns, c)
			h.mu.Unlock()
		}
	}()
	DeferCleanup(func() {
		_ = ln.Close()
		<-h.done
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, c := range h.conns {
			_ = c.Close()
		}
	})
	return h
}
