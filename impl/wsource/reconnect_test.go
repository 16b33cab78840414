package wsource_test

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/wsource"
)

// flakyRemote is a WebSocket server that can go away and come back on the
// same address, and refuse handshakes with 503 a given number of times.
type flakyRemote struct {
	addr   string
	refuse atomic.Int32
	hang   atomic.Bool // hold handshakes without an answer
	conns  chan *websocket.Conn

	mu   sync.Mutex
	srv  *http.Server
	done chan struct{}
	live []*websocket.Conn
	held []net.Conn
}

func newFlakyRemote() *flakyRemote {
	r := &flakyRemote{conns: make(chan *websocket.Conn, 16)}
	r.start("127.0.0.1:0")
	DeferCleanup(r.stop)
	return r
}

func (r *flakyRemote) start(addr string) {
	ln, err := net.Listen("tcp", addr)
	Expect(err).NotTo(HaveOccurred())
	r.addr = ln.Addr().String()
	up := websocket.Upgrader{}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if r.hang.Load() {
			nc, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				r.mu.Lock()
				r.held = append(r.held, nc)
				r.mu.Unlock()
			}
			return
		}
		if r.refuse.Add(-1) >= 0 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		c, err := up.Upgrade(w, req, nil)
		if err != nil {
			return
		}
		r.mu.Lock()
		r.live = append(r.live, c)
		r.mu.Unlock()
		r.conns <- c
	})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	r.mu.Lock()
	r.srv, r.done = srv, done
	r.mu.Unlock()
}

// stop closes the listener and drops every connection without a close frame.
func (r *flakyRemote) stop() {
	r.mu.Lock()
	srv, done, live, held := r.srv, r.done, r.live, r.held
	r.srv, r.live, r.held = nil, nil, nil
	r.mu.Unlock()
	for _, c := range held {
		_ = c.Close()
	}
	if srv == nil {
		return
	}
	_ = srv.Close()
	<-done
	for _, c := range live {
		_ = c.NetConn().Close()
	}
}

func (r *flakyRemote) accept() *websocket.Conn {
	var c *websocket.Conn
	EventuallyWithOffset(1, r.conns).WithTimeout(waitFor).Should(Receive(&c))
	return c
}

var _ = Describe("client-mode reconnection", func() {
	BeforeEach(checkLeaks)

	// times records when each exception was recorded.
	type times struct {
		mu sync.Mutex
		at []time.Time
	}
	start := func(r *flakyRemote, props config.Props, k *sink, ex *times) *wsource.Source {
		props.Addr = r.addr
		s := newSource(wsource.Config{Stream: "re", Datasource: "/feed", Props: props, Emit: k.emit,
			Exception: func(error) {
				if ex != nil {
					ex.mu.Lock()
					ex.at = append(ex.at, time.Now())
					ex.mu.Unlock()
				}
			}})
		Expect(s.Start(context.Background())).To(Succeed())
		return s
	}

	It("dials again after the remote restarts, and records resume without duplicates", func() {
		r := newFlakyRemote()
		k := newSink(100)
		s := start(r, config.Props{ReconnectInterval: 50 * time.Millisecond, MaxReconnectInterval: 200 * time.Millisecond}, k, nil)
		c := r.accept()
		Expect(c.WriteMessage(websocket.TextMessage, []byte(`{"n":1}`))).To(Succeed())
		Expect(receive(k.ch)).To(Equal(`{"n":1}`))

		addr := r.addr
		r.stop()
		Eventually(func() bool { return s.Stats().Connected }).WithTimeout(waitFor).Should(BeFalse())
		Eventually(func() int64 { return s.Stats().ReconnectAttempts }).WithTimeout(waitFor).Should(BeNumerically(">=", 2))
		Expect(s.Stats().Reconnects).To(BeZero())

		r.start(addr)
		c = r.accept()
		Eventually(func() bool { return s.Stats().Connected }).WithTimeout(waitFor).Should(BeTrue())
		Expect(s.Stats().Reconnects).To(BeEquivalentTo(1))
		Expect(c.WriteMessage(websocket.TextMessage, []byte(`{"n":2}`))).To(Succeed())
		Expect(receive(k.ch)).To(Equal(`{"n":2}`))
		Consistently(k.ch).WithTimeout(300 * time.Millisecond).ShouldNot(Receive())
		Expect(s.Stats().RecordsIn).To(BeEquivalentTo(2))
	})

	It("dials again through 503 answers until the remote accepts", func() {
		r := newFlakyRemote()
		k := newSink(10)
		s := start(r, config.Props{ReconnectInterval: 20 * time.Millisecond, MaxReconnectInterval: 100 * time.Millisecond}, k, nil)
		c := r.accept()
		r.refuse.Store(3)
		Expect(c.NetConn().Close()).To(Succeed())
		c = r.accept()
		Expect(s.Stats().ReconnectAttempts).To(BeEquivalentTo(4))
		Eventually(func() string { return s.Stats().LastException }).WithTimeout(waitFor).Should(ContainSubstring("503"))
		Expect(c.WriteMessage(websocket.TextMessage, []byte(`{"back":true}`))).To(Succeed())
		Expect(receive(k.ch)).To(Equal(`{"back":true}`))
	})

	It("backs off exponentially up to the maximum while the remote is gone", func() {
		r := newFlakyRemote()
		ex := &times{}
		const first, most = 25 * time.Millisecond, 100 * time.Millisecond
		s := start(r, config.Props{ReconnectInterval: first, MaxReconnectInterval: most}, newSink(1), ex)
		r.accept()
		r.stop()
		// The lost connection, then 8 failed attempts.
		Eventually(func() int { ex.mu.Lock(); defer ex.mu.Unlock(); return len(ex.at) }).WithTimeout(waitFor).Should(BeNumerically(">=", 9))
		ex.mu.Lock()
		at := append([]time.Time(nil), ex.at...)
		ex.mu.Unlock()
		wait := first
		for i := 1; i < 9; i++ {
			gap := at[i].Sub(at[i-1])
			Expect(gap).To(BeNumerically(">=", wait*9/10), "wait before attempt %d", i)
			Expect(gap).To(BeNumerically("<", time.Second), "wait before attempt %d is not bounded by %v", i, most)
			wait = min(2*wait, most)
		}
		Expect(s.Stats().Connected).To(BeFalse())
	})

	It("stops retrying at once when closed, even in a long wait", func() {
		r := newFlakyRemote()
		s := start(r, config.Props{ReconnectInterval: time.Hour, MaxReconnectInterval: time.Hour}, newSink(1), nil)
		r.accept()
		r.stop()
		Eventually(func() bool { return s.Stats().Connected }).WithTimeout(waitFor).Should(BeFalse())
		closed := make(chan error, 1)
		go func() { closed <- s.Close() }()
		Eventually(closed).WithTimeout(time.Second).Should(Receive(BeNil()))
		Expect(s.Stats().ReconnectAttempts).To(BeZero())
	})

	It("stops a dial in progress when closed", func() {
		r := newFlakyRemote()
		s := start(r, config.Props{ReconnectInterval: 10 * time.Millisecond, MaxReconnectInterval: 10 * time.Millisecond}, newSink(1), nil)
		c := r.accept()
		r.hang.Store(true) // the next handshake gets no answer
		Expect(c.NetConn().Close()).To(Succeed())
		Eventually(func() int64 { return s.Stats().ReconnectAttempts }).WithTimeout(waitFor).Should(BeEquivalentTo(1))
		Eventually(func() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.held) }).WithTimeout(waitFor).Should(Equal(1))
		closed := make(chan error, 1)
		go func() { closed <- s.Close() }()
		Eventually(closed).WithTimeout(time.Second).Should(Receive(BeNil()))
	})

	It("never dials again with reconnectInterval 0, as eKuiper", func() {
		r := newFlakyRemote()
		s := start(r, config.Props{}, newSink(1), nil)
		c := r.accept()
		Expect(c.NetConn().Close()).To(Succeed())
		Eventually(func() bool { return s.Stats().Connected }).WithTimeout(waitFor).Should(BeFalse())
		Consistently(r.conns).WithTimeout(300 * time.Millisecond).ShouldNot(Receive())
		Expect(s.Stats().ReconnectAttempts).To(BeZero())
	})

	It("reconnects by default through ParseProps", func() {
		p, err := config.ParseProps(map[string]any{"addr": "127.0.0.1:1"})
		Expect(err).NotTo(HaveOccurred())
		Expect(p.ReconnectInterval).To(Equal(config.DefaultReconnectInterval))
		Expect(p.MaxReconnectInterval).To(Equal(config.DefaultMaxReconnectInterval))
	})
})
