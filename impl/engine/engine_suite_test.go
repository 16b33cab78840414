package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/goleak"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/decode"
	"github.com/wsconform/wsconform/impl/engine"
	"github.com/wsconform/wsconform/impl/fault"
	"github.com/wsconform/wsconform/internal/selftest"
	"github.com/wsconform/wsconform/internal/waits"
)

func TestEngine(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	RegisterFailHandler(Fail)
	SetDefaultEventuallyTimeout(waits.Event)
	suite, reporter := selftest.Suite()
	RunSpecs(t, "engine", suite, reporter)
	goleak.VerifyNone(t, ignore,
		goleak.IgnoreAnyFunction("github.com/onsi/ginkgo/v2/internal/interrupt_handler.(*InterruptHandler).registerForInterrupts.func2"))
}

// newEngine returns an engine whose data server uses an ephemeral loopback
// port; the engine is closed when the spec ends.
func newEngine(faults fault.Set, keys config.ConfKeys) *engine.Engine {
	k := config.Default()
	k.Source.HTTPServerIP = "127.0.0.1"
	k.Basic.EnablePrivateNet = true // rest sinks post to loopback test servers
	k.Source.HTTPServerPort = 0
	e := engine.New(withDefects(engine.Options{Kuiper: k, ConfKeys: keys}, faults))
	DeferCleanup(func() { Expect(e.Close()).To(Succeed()) })
	return e
}

// ctxT returns a context bounded by a few seconds.
func ctxT() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	DeferCleanup(cancel)
	return ctx
}

// dial connects a client to path on the engine's data server.
func dial(e *engine.Engine, path string) (*websocket.Conn, *http.Response, error) {
	d := websocket.Dialer{HandshakeTimeout: 3 * time.Second}
	c, resp, err := d.DialContext(ctxT(), "ws://"+e.DataServerAddr()+path, nil)
	if c != nil {
		// Read in the background so that close frames are answered and the
		// connection is closed when the engine ends it.
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					_ = c.Close()
					return
				}
			}
		}()
		DeferCleanup(func() {
			_ = c.Close()
			<-done
		})
	}
	return c, resp, err
}

func mustDial(e *engine.Engine, path string) *websocket.Conn {
	c, _, err := dial(e, path)
	Expect(err).NotTo(HaveOccurred())
	return c
}

func send(c *websocket.Conn, msgs ...string) {
	for _, m := range msgs {
		Expect(c.WriteMessage(websocket.TextMessage, []byte(m))).To(Succeed())
	}
}

// next waits for one record.
func next(m *engine.MemorySink) decode.Record {
	var r decode.Record
	EventuallyWithOffset(1, m.C(), waits.Event).Should(Receive(&r))
	return r
}

// status returns a rule's status, failing the spec on error.
func status(e *engine.Engine, id string) map[string]any {
	st, err := e.RuleStatus(id)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	return st
}

func statusOf(e *engine.Engine, id string) func() map[string]any {
	return func() map[string]any { return status(e, id) }
}

// refusedAddr returns a loopback address nobody listens on.
func refusedAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	addr := ln.Addr().String()
	Expect(ln.Close()).To(Succeed())
	return addr
}

// remote is a WebSocket server on loopback for client-mode streams: every
// connection it accepts is handed to conns.
type remote struct {
	srv   *httptest.Server
	conns chan *websocket.Conn
	paths chan string
	wg    sync.WaitGroup
	ctx   context.Context
}

func newRemote() *remote {
	ctx, cancel := context.WithCancel(context.Background())
	r := &remote{conns: make(chan *websocket.Conn, 8), paths: make(chan string, 8), ctx: ctx}
	up := websocket.Upgrader{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		c, err := up.Upgrade(w, req, nil)
		if err != nil {
			return
		}
		r.paths <- req.URL.Path
		r.wg.Add(1)
		defer r.wg.Done()
		r.conns <- c
		// Read until the peer goes so close frames are answered.
		stop := context.AfterFunc(r.ctx, func() { _ = c.Close() })
		defer stop()
		defer c.Close()
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	}))
	DeferCleanup(func() {
		cancel()
		r.srv.Close()
		r.wg.Wait()
	})
	return r
}

func (r *remote) addr() string { return r.srv.Listener.Addr().String() }

func (r *remote) accept() *websocket.Conn {
	var c *websocket.Conn
	EventuallyWithOffset(1, r.conns, waits.Event).Should(Receive(&c))
	return c
}

// postCollector is an HTTP server that records the bodies posted to it.
type postCollector struct {
	srv    *httptest.Server
	bodies chan map[string]any
	reqs   chan *http.Request
	status int
}

func newPostCollector(status int) *postCollector {
	p := &postCollector{bodies: make(chan map[string]any, 64), reqs: make(chan *http.Request, 64), status: status}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var body map[string]any
		dec := json.NewDecoder(req.Body)
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p.reqs <- req
		p.bodies <- body
		w.WriteHeader(p.status)
	}))
	DeferCleanup(p.srv.Close)
	return p
}

// isKind reports whether err wraps kind.
func isKind(kind error) func(error) bool {
	return func(err error) bool { return errors.Is(err, kind) }
}
