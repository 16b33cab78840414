package dataserver_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"github.com/wsconform/wsconform/internal/pki"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/goleak"

	"github.com/wsconform/wsconform/impl/dataserver"
	"github.com/wsconform/wsconform/impl/fault"
	"github.com/wsconform/wsconform/internal/selftest"
	"github.com/wsconform/wsconform/internal/waits"
)

func TestDataServer(t *testing.T) {
	RegisterFailHandler(Fail)
	SetDefaultEventuallyTimeout(waits.Event)
	suite, reporter := selftest.Suite()
	RunSpecs(t, "dataserver", suite, reporter)
}

// portOpen reports whether a TCP connect to addr succeeds.
func portOpen(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	addr := ln.Addr().String()
	Expect(ln.Close()).To(Succeed())
	return addr
}

// dial opens a client connection and closes it when the spec ends.
func dial(url string, d *websocket.Dialer, h http.Header) (*websocket.Conn, *http.Response, error) {
	if d == nil {
		d = &websocket.Dialer{HandshakeTimeout: 3 * time.Second}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, resp, err := d.DialContext(ctx, url, h)
	if c != nil {
		DeferCleanup(c.Close)
	}
	return c, resp, err
}

// collector is a Handler that sends every text message to a channel until the
// connection fails or ctx is done.
type collector struct {
	msgs chan string
}

func newCollector() *collector { return &collector{msgs: make(chan string, 1024)} }

func (c *collector) handle(ctx context.Context, conn *websocket.Conn) {
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		select {
		case c.msgs <- string(data):
		case <-ctx.Done():
			return
		}
	}
}

// readErr reads c until it fails and returns the error.
func readErr(c *websocket.Conn) error {
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			return err
		}
	}
}

// closeCode returns the close code of err, or 0.
func closeCode(err error) int {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}

var _ = Describe("Server", func() {
	var leaks goleak.Option

	BeforeEach(func() {
		leaks = goleak.IgnoreCurrent()
	})

	// newServer returns a server closed at the end of the spec; goroutines
	// are checked after it is closed.
	newServer := func(cfg dataserver.Config) *dataserver.Server {
		if cfg.Addr == "" {
			cfg.Addr = "127.0.0.1:0"
		}
		s := dataserver.New(cfg)
		DeferCleanup(func() {
			Expect(s.Close()).To(Succeed())
			Expect(s.Addr()).To(BeEmpty())
			Expect(goleak.Find(leaks)).To(Succeed())
		})
		return s
	}

	Describe("port lifecycle", func() {
		It("listens only while an endpoint is registered, on the same port every time", func() {
			addr := freeAddr()
			s := newServer(dataserver.Config{Addr: addr})
			Expect(s.Addr()).To(BeEmpty())
			Expect(portOpen(addr)).To(BeFalse(), "port open before any endpoint")

			h := newCollector()
			Expect(s.Register("/a", h.handle)).To(Succeed())
			Expect(s.Addr()).To(Equal(addr))
			Expect(portOpen(addr)).To(BeTrue())
			Expect(s.Register("/b", h.handle)).To(Succeed())

			s.Unregister("/a")
			Expect(portOpen(addr)).To(BeTrue(), "closed while /b is still registered")
			s.Unregister("/b")
			Expect(s.Addr()).To(BeEmpty())
			Expect(portOpen(addr)).To(BeFalse(), "port open after the last endpoint went")

			Expect(s.Register("/a", h.handle)).To(Succeed())
			Expect(s.Addr()).To(Equal(addr))
			Expect(portOpen(addr)).To(BeTrue())
		})

		It("chooses an ephemeral port once and reuses it", func() {
			s := newServer(dataserver.Config{Addr: "127.0.0.1:0"})
			h := newCollector()
			Expect(s.Register("/a", h.handle)).To(Succeed())
			first := s.Addr()
			Expect(first).To(MatchRegexp(`^127\.0\.0\.1:[1-9][0-9]*$`))
			s.Unregister("/a")
			Expect(portOpen(first)).To(BeFalse())
			Expect(s.Register("/a", h.handle)).To(Succeed())
			Expect(s.Addr()).To(Equal(first))

			c, _, err := dial("ws://"+first+"/a", nil, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(c.WriteMessage(websocket.TextMessage, []byte("again"))).To(Succeed())
			Eventually(h.msgs).WithTimeout(waits.Event).Should(Receive(Equal("again")))
		})

		It("keeps the port open with the NeverCloseDataServer fault", Label(selftest.Label), func() {
			s := newServer(withDefects(dataserver.Config{}, fault.Set{NeverCloseDataServer: true}))
			Expect(s.Register("/a", newCollector().handle)).To(Succeed())
			addr := s.Addr()
			s.Unregister("/a")
			Expect(portOpen(addr)).To(BeTrue())
		})

		It("reports a bind failure naming the address", func() {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			Expect(err).NotTo(HaveOccurred())
			defer ln.Close()
			s := newServer(dataserver.Config{Addr: ln.Addr().String()})
			err = s.Register("/a", newCollector().handle)
			Expect(err).To(MatchError(ContainSubstring(ln.Addr().String())))
			Expect(err).To(MatchError(ContainSubstring(`"/a"`)))
			Expect(s.Addr()).To(BeEmpty())
		})

		It("refuses a path registered twice, naming it", func() {
			s := newServer(dataserver.Config{})
			Expect(s.Register("/dup", newCollector().handle)).To(Succeed())
			Expect(s.Register("/dup", newCollector().handle)).To(MatchError(ContainSubstring(`"/dup"`)))
		})

		It("refuses registrations after Close", func() {
			s := newServer(dataserver.Config{})
			Expect(s.Close()).To(Succeed())
			Expect(s.Register("/a", newCollector().handle)).To(MatchError(dataserver.ErrClosed))
			Expect(s.Close()).To(Succeed())
		})
	})

	Describe("endpoints", func() {
		It("answers 404 on an unknown path and after unregistering", func() {
			s := newServer(dataserver.Config{})
			Expect(s.Register("/known", newCollector().handle)).To(Succeed())
			Expect(s.Register("/other", newCollector().handle)).To(Succeed())
			_, resp, err := dial("ws://"+s.Addr()+"/unknown", nil, nil)
			Expect(err).To(MatchError(websocket.ErrBadHandshake))
			Expect(resp.StatusCode).To(Equal(http.StatusNotFound))

			s.Unregister("/known")
			_, resp, err = dial("ws://"+s.Addr()+"/known", nil, nil)
			Expect(err).To(MatchError(websocket.ErrBadHandshake))
			Expect(resp.StatusCode).To(Equal(http.StatusNotFound))
		})

		It("matches the path exactly: no prefix, trailing slash or other case", func() {
			s := newServer(dataserver.Config{})
			Expect(s.Register("/api/data", newCollector().handle)).To(Succeed())
			for _, path := range []string{"/api/data/x", "/api/dat", "/api/data/", "/API/DATA", "/api"} {
				_, resp, err := dial("ws://"+s.Addr()+path, nil, nil)
				Expect(err).To(MatchError(websocket.ErrBadHandshake), path)
				Expect(resp.StatusCode).To(Equal(http.StatusNotFound), path)
			}
			_, _, err := dial("ws://"+s.Addr()+"/api/data?x=1", nil, nil)
			Expect(err).NotTo(HaveOccurred())
		})

		It("feeds one endpoint from many clients with any Origin", func() {
			s := newServer(dataserver.Config{})
			h := newCollector()
			Expect(s.Register("/many", h.handle)).To(Succeed())
			const clients, each = 8, 25
			for i := range clients {
				hdr := http.Header{"Origin": {fmt.Sprintf("http://other-%d.example", i)}}
				c, _, err := dial("ws://"+s.Addr()+"/many", nil, hdr)
				Expect(err).NotTo(HaveOccurred())
				for j := range each {
					Expect(c.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, "%d-%d", i, j))).To(Succeed())
				}
			}
			got := map[string]bool{}
			for range clients * each {
				var m string
				Eventually(h.msgs).WithTimeout(waits.Event).Should(Receive(&m))
				got[m] = true
			}
			Expect(got).To(HaveLen(clients * each))
			Expect(got).To(HaveKey("7-24"))
		})

		DescribeTable("the Origin of a handshake",
			func(faults fault.Set, want int) {
				s := newServer(withDefects(dataserver.Config{}, faults))
				Expect(s.Register("/origin", newCollector().handle)).To(Succeed())
				_, resp, _ := dial("ws://"+s.Addr()+"/origin", nil, http.Header{"Origin": {"http://elsewhere.example"}})
				Expect(resp).NotTo(BeNil())
				Expect(resp.StatusCode).To(Equal(want))
			},
			Entry("is not checked", fault.Set{}, http.StatusSwitchingProtocols),
			Entry("must match the host with the RefuseForeignOrigin fault", Label(selftest.Label), fault.Set{RefuseForeignOrigin: true}, http.StatusForbidden),
		)

		DescribeTable("a client's ping",
			func(faults fault.Set, answered bool) {
				s := newServer(withDefects(dataserver.Config{}, faults))
				Expect(s.Register("/ping", newCollector().handle)).To(Succeed())
				c, _, err := dial("ws://"+s.Addr()+"/ping", nil, nil)
				Expect(err).NotTo(HaveOccurred())
				// The pong handler's error ends the client's read as soon as a pong arrives.
				gotPong := errors.New("pong")
				c.SetPongHandler(func(data string) error {
					if data != "are you there" {
						return fmt.Errorf("pong %q for the ping %q", data, "are you there")
					}
					return gotPong
				})
				Expect(c.WriteControl(websocket.PingMessage, []byte("are you there"), time.Now().Add(time.Second))).To(Succeed())
				Expect(c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))).To(Succeed())
				_, _, err = c.ReadMessage()
				if answered {
					Expect(err).To(MatchError(gotPong))
				} else {
					Expect(err).To(MatchError(ContainSubstring("i/o timeout")))
				}
			},
			Entry("is answered with a pong carrying its data", fault.Set{}, true),
			Entry("is not answered with the IgnorePings fault", Label(selftest.Label), fault.Set{IgnorePings: true}, false),
		)

		It("sends close 1001 to clients on Unregister and waits for the handlers", func() {
			s := newServer(dataserver.Config{})
			running := make(chan struct{}, 4)
			exited := make(chan struct{}, 4)
			Expect(s.Register("/bye", func(ctx context.Context, conn *websocket.Conn) {
				running <- struct{}{}
				defer func() { exited <- struct{}{} }()
				for {
					if _, _, err := conn.ReadMessage(); err != nil {
						return
					}
				}
			})).To(Succeed())
			Expect(s.Register("/stay", newCollector().handle)).To(Succeed())
			var conns []*websocket.Conn
			for range 3 {
				c, _, err := dial("ws://"+s.Addr()+"/bye", nil, nil)
				Expect(err).NotTo(HaveOccurred())
				conns = append(conns, c)
				Eventually(running).WithTimeout(waits.Event).Should(Receive())
			}
			// Clients read concurrently, as a real peer does, to answer the close.
			codes := make(chan int, len(conns))
			for _, c := range conns {
				go func() {
					for {
						if _, _, err := c.ReadMessage(); err != nil {
							var ce *websocket.CloseError
							if errors.As(err, &ce) {
								codes <- ce.Code
							} else {
								codes <- -1
							}
							return
						}
					}
				}()
			}
			s.Unregister("/bye")
			Expect(exited).To(HaveLen(3), "Unregister returned before its handlers")
			for range conns {
				Eventually(codes).WithTimeout(waits.Event).Should(Receive(Equal(websocket.CloseGoingAway)))
			}
		})

		It("unblocks a handler that does not read, through its context", func() {
			s := newServer(dataserver.Config{})
			started := make(chan struct{})
			Expect(s.Register("/ctx", func(ctx context.Context, _ *websocket.Conn) {
				close(started)
				<-ctx.Done()
			})).To(Succeed())
			c, _, err := dial("ws://"+s.Addr()+"/ctx", nil, nil)
			Expect(err).NotTo(HaveOccurred())
			Eventually(started).WithTimeout(waits.Event).Should(BeClosed())
			done := make(chan struct{})
			go func() { defer close(done); s.Unregister("/ctx") }()
			Eventually(done).WithTimeout(waits.Event).Should(BeClosed())
			_, _, err = c.ReadMessage()
			Expect(websocket.IsCloseError(err, websocket.CloseGoingAway)).To(BeTrue(), "got %v", err)
		})

		It("does not wait forever for a client that never answers the close", func() {
			s := newServer(dataserver.Config{})
			started := make(chan struct{}, 1)
			Expect(s.Register("/silent", func(ctx context.Context, conn *websocket.Conn) {
				started <- struct{}{}
				for {
					if _, _, err := conn.ReadMessage(); err != nil {
						return
					}
				}
			})).To(Succeed())
			_, _, err := dial("ws://"+s.Addr()+"/silent", nil, nil) // never reads
			Expect(err).NotTo(HaveOccurred())
			Eventually(started).WithTimeout(waits.Event).Should(Receive())
			done := make(chan struct{})
			go func() { defer close(done); s.Unregister("/silent") }()
			Eventually(done).WithTimeout(dataserver.CloseGrace + waits.Event).Should(BeClosed())
		})

		It("sends close 1001 on Close", func() {
			s := newServer(dataserver.Config{})
			Expect(s.Register("/x", newCollector().handle)).To(Succeed())
			c, _, err := dial("ws://"+s.Addr()+"/x", nil, nil)
			Expect(err).NotTo(HaveOccurred())
			code := make(chan error, 1)
			go func() {
				_, _, err := c.ReadMessage()
				code <- err
			}()
			Expect(s.Close()).To(Succeed())
			var got error
			Eventually(code).WithTimeout(waits.Event).Should(Receive(&got))
			Expect(websocket.IsCloseError(got, websocket.CloseGoingAway)).To(BeTrue(), "got %v", got)
		})

		It("drops a client that never sends its handshake", func() {
			s := newServer(dataserver.Config{ReadHeaderTimeout: 200 * time.Millisecond})
			Expect(s.Register("/slow", newCollector().handle)).To(Succeed())
			raw, err := net.Dial("tcp", s.Addr())
			Expect(err).NotTo(HaveOccurred())
			defer raw.Close()
			_, _ = raw.Write([]byte("GET /slow HTTP/1.1\r\nHost: x\r\n")) // headers never finish
			Expect(raw.SetReadDeadline(time.Now().Add(5 * time.Second))).To(Succeed())
			_, err = io.ReadAll(raw)
			var ne net.Error
			Expect(errors.As(err, &ne) && ne.Timeout()).To(BeFalse(), "server kept the connection: %v", err)
		})

		It("closes a connection upgraded just as its endpoint unregisters", func() {
			s := newServer(dataserver.Config{})
			inHook := make(chan struct{})
			release := make(chan struct{})
			dataserver.SetUpgradedHook(func(string) {
				close(inHook)
				<-release
			})
			DeferCleanup(func() { dataserver.SetUpgradedHook(nil) })
			handled := make(chan struct{}, 1)
			Expect(s.Register("/late", func(context.Context, *websocket.Conn) { handled <- struct{}{} })).To(Succeed())
			c, _, err := dial("ws://"+s.Addr()+"/late", nil, nil)
			Expect(err).NotTo(HaveOccurred())
			Eventually(inHook).WithTimeout(waits.Event).Should(BeClosed())

			unregistered := make(chan struct{})
			go func() { defer close(unregistered); s.Unregister("/late") }()
			// The port closes inside Unregister, before it waits for the
			// connection held in the hook.
			Eventually(s.Addr).WithTimeout(waits.Event).Should(BeEmpty())
			Consistently(unregistered).WithTimeout(waits.Quiet).ShouldNot(BeClosed())
			close(release)

			Expect(closeCode(readErr(c))).To(Equal(websocket.CloseGoingAway))
			Eventually(unregistered).WithTimeout(waits.Event).Should(BeClosed())
			Expect(handled).To(BeEmpty(), "the handler ran for an unregistered endpoint")
		})

		It("closes connections upgraded while their endpoint unregisters", func() {
			s := newServer(dataserver.Config{})
			Expect(s.Register("/keep", newCollector().handle)).To(Succeed())
			url := "ws://" + s.Addr() + "/race"
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					d := &websocket.Dialer{HandshakeTimeout: 2 * time.Second}
					for ctx.Err() == nil {
						c, _, err := d.DialContext(ctx, url, nil)
						if err != nil {
							continue
						}
						// Each connection must end: the server closes it.
						_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
						for {
							if _, _, err := c.ReadMessage(); err != nil {
								break
							}
						}
						_ = c.Close()
					}
				})
			}
			for range 50 {
				Expect(s.Register("/race", newCollector().handle)).To(Succeed())
				s.Unregister("/race")
			}
			cancel()
			wg.Wait()
		})
	})

	Describe("TLS", func() {
		var certs *pki.Set
		BeforeEach(func() {
			var err error
			certs, err = pki.NewSet()
			Expect(err).NotTo(HaveOccurred())
		})

		It("speaks wss only", func() {
			s := newServer(dataserver.Config{TLS: &tls.Config{Certificates: []tls.Certificate{certs.Server.TLS()}}})
			h := newCollector()
			Expect(s.Register("/secure", h.handle)).To(Succeed())

			d := &websocket.Dialer{HandshakeTimeout: 3 * time.Second, TLSClientConfig: &tls.Config{RootCAs: certs.CA.Pool()}}
			c, _, err := dial("wss://"+s.Addr()+"/secure", d, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(c.WriteMessage(websocket.TextMessage, []byte("over tls"))).To(Succeed())
			Eventually(h.msgs).WithTimeout(waits.Event).Should(Receive(Equal("over tls")))

			_, _, err = dial("ws://"+s.Addr()+"/secure", nil, nil)
			Expect(err).To(HaveOccurred(), "plain ws accepted by a TLS data server")

			untrusting := &websocket.Dialer{HandshakeTimeout: 3 * time.Second, TLSClientConfig: &tls.Config{RootCAs: certs.UntrustedCA.Pool()}}
			_, _, err = dial("wss://"+s.Addr()+"/secure", untrusting, nil)
			Expect(err).To(MatchError(ContainSubstring("certificate")))
		})

		It("demands a client certificate when ClientAuth says so", func() {
			s := newServer(dataserver.Config{TLS: &tls.Config{
				Certificates: []tls.Certificate{certs.Server.TLS()},
				ClientAuth:   tls.RequireAndVerifyClientCert,
				ClientCAs:    certs.CA.Pool(),
			}})
			h := newCollector()
			Expect(s.Register("/mtls", h.handle)).To(Succeed())
			url := "wss://" + s.Addr() + "/mtls"

			anon := &websocket.Dialer{HandshakeTimeout: 3 * time.Second, TLSClientConfig: &tls.Config{RootCAs: certs.CA.Pool()}}
			if c, _, err := dial(url, anon, nil); err == nil {
				// TLS 1.3 reports a missing client certificate on the first read.
				_, _, err = c.ReadMessage()
				Expect(err).To(MatchError(ContainSubstring("certificate")))
			}

			withCert := &websocket.Dialer{HandshakeTimeout: 3 * time.Second, TLSClientConfig: &tls.Config{
				RootCAs: certs.CA.Pool(), Certificates: []tls.Certificate{certs.Client.TLS()}}}
			c, _, err := dial(url, withCert, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(c.WriteMessage(websocket.TextMessage, []byte("mutual"))).To(Succeed())
			Eventually(h.msgs).WithTimeout(waits.Event).Should(Receive(Equal("mutual")))
		})
	})
})
