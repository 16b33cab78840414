//go:build unix

package dataserver_test

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/goleak"

	"github.com/wsconform/wsconform/impl/dataserver"
	"github.com/wsconform/wsconform/internal/pki"
)

var _ = Describe("Server limits", func() {
	var leaks goleak.Option

	BeforeEach(func() {
		leaks = goleak.IgnoreCurrent()
	})

	newServer := func(cfg dataserver.Config) *dataserver.Server {
		if cfg.Addr == "" {
			cfg.Addr = "127.0.0.1:0"
		}
		s := dataserver.New(cfg)
		DeferCleanup(func() {
			Expect(s.Close()).To(Succeed())
			Eventually(func() error { return goleak.Find(leaks) }).WithTimeout(5 * time.Second).Should(Succeed())
		})
		return s
	}

	Describe("connection cap", func() {
		It("derives its default from the open-file limit", func() {
			var rl syscall.Rlimit
			Expect(syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)).To(Succeed())
			want := int(rl.Cur)*3/4 - 32
			if rl.Cur >= 1<<40 {
				want = 10000
			}
			Expect(dataserver.DefaultMaxConnections()).To(Equal(want))
			Expect(dataserver.MaxConnectionsFor(1024)).To(Equal(736), "under ulimit -n 1024")
			Expect(dataserver.MaxConnectionsFor(10)).To(Equal(1))
			Expect(dataserver.New(dataserver.Config{}).MaxConnections()).To(Equal(want))
			Expect(dataserver.New(dataserver.Config{MaxConnections: -1}).MaxConnections()).To(Equal(-1))
		})

		It("refuses the client over the cap with 503 naming the cap, and takes one again when a client leaves", func() {
			s := newServer(dataserver.Config{MaxConnections: 3})
			h := newCollector()
			Expect(s.Register("/a", h.handle)).To(Succeed())
			url := "ws://" + s.Addr() + "/a"
			var conns []*websocket.Conn
			for range 2 {
				c, _, err := dial(url, nil, nil)
				Expect(err).NotTo(HaveOccurred())
				conns = append(conns, c)
			}
			leaving, _, err := websocket.DefaultDialer.Dial(url, nil) // closed by the spec
			Expect(err).NotTo(HaveOccurred())
			Eventually(s.Connections).Should(Equal(3))

			_, resp, err := dial(url, nil, nil)
			Expect(err).To(MatchError(websocket.ErrBadHandshake))
			Expect(resp.StatusCode).To(Equal(http.StatusServiceUnavailable))
			body, _ := io.ReadAll(resp.Body)
			Expect(string(body)).To(ContainSubstring("connection limit reached (3 connections)"))
			Expect(s.Refused()).To(Equal(int64(1)))

			// The clients already in keep working.
			Expect(conns[0].WriteMessage(websocket.TextMessage, []byte("still here"))).To(Succeed())
			Eventually(h.msgs).WithTimeout(5 * time.Second).Should(Receive(Equal("still here")))

			Expect(leaving.Close()).To(Succeed())
			Eventually(s.Connections).WithTimeout(5 * time.Second).Should(Equal(2))
			c, _, err := dial(url, nil, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(c.WriteMessage(websocket.TextMessage, []byte("room again"))).To(Succeed())
			Eventually(h.msgs).WithTimeout(5 * time.Second).Should(Receive(Equal("room again")))
		})

		It("counts connections still in their handshake", func() {
			s := newServer(dataserver.Config{MaxConnections: 2})
			Expect(s.Register("/a", newCollector().handle)).To(Succeed())
			for range 2 {
				c, err := net.Dial("tcp", s.Addr())
				Expect(err).NotTo(HaveOccurred())
				DeferCleanup(c.Close)
			}
			Eventually(s.Connections).Should(Equal(2))
			_, resp, err := dial("ws://"+s.Addr()+"/a", nil, nil)
			Expect(err).To(HaveOccurred())
			Expect(resp).NotTo(BeNil())
			Expect(resp.StatusCode).To(Equal(http.StatusServiceUnavailable))
		})

		It("refuses with 503 over TLS too", func() {
			certs, err := pki.NewSet()
			Expect(err).NotTo(HaveOccurred())
			s := newServer(dataserver.Config{TLS: &tls.Config{Certificates: []tls.Certificate{certs.Server.TLS()}}, MaxConnections: 1})
			Expect(s.Register("/a", newCollector().handle)).To(Succeed())
			d := &websocket.Dialer{HandshakeTimeout: 3 * time.Second, TLSClientConfig: &tls.Config{RootCAs: certs.CA.Pool()}}
			_, _, err = dial("wss://"+s.Addr()+"/a", d, nil)
			Expect(err).NotTo(HaveOccurred())
			_, resp, err := dial("wss://"+s.Addr()+"/a", d, nil)
			Expect(err).To(HaveOccurred())
			Expect(resp).NotTo(BeNil())
			Expect(resp.StatusCode).To(Equal(http.StatusServiceUnavailable))
		})

		It("has no cap when MaxConnections is negative", func() {
			s := newServer(dataserver.Config{MaxConnections: -1})
			Expect(s.Register("/a", newCollector().handle)).To(Succeed())
			for range 50 {
				_, _, err := dial("ws://"+s.Addr()+"/a", nil, nil)
				Expect(err).NotTo(HaveOccurred())
			}
			Expect(s.Refused()).To(BeZero())
		})
	})

	Describe("idle timeout", func() {
		It("pings every client at half the idle timeout", func() {
			s := newServer(dataserver.Config{IdleTimeout: 200 * time.Millisecond})
			Expect(s.IdleTimeout()).To(Equal(200 * time.Millisecond))
			Expect(s.Register("/a", newCollector().handle)).To(Succeed())
			c, _, err := dial("ws://"+s.Addr()+"/a", nil, nil)
			Expect(err).NotTo(HaveOccurred())
			pings := make(chan struct{}, 16)
			c.SetPingHandler(func(string) error {
				pings <- struct{}{}
				return nil
			})
			go func() { _, _, _ = c.NextReader() }()
			Eventually(pings).WithTimeout(5 * time.Second).Should(Receive())
			Eventually(pings).WithTimeout(5 * time.Second).Should(Receive())
		})
	})

	Describe("the port while closed", func() {
		if runtime.GOOS != "linux" {
			return
		}

		// churn opens and closes n outgoing connections from ephemeral ports.
		churn := func(n int) {
			target, err := net.Listen("tcp", "127.0.0.1:0")
			Expect(err).NotTo(HaveOccurred())
			defer target.Close()
			done := make(chan struct{})
			go func() {
				defer close(done)
				for {
					c, err := target.Accept()
					if err != nil {
						return
					}
					_ = c.Close()
				}
			}()
			for range n {
				c, err := net.Dial("tcp", target.Addr().String())
				Expect(err).NotTo(HaveOccurred())
				Expect(c.Close()).To(Succeed())
			}
			Expect(target.Close()).To(Succeed())
			<-done
		}

		It("refuses connections, yet keeps the port from every other socket, and listens again", func() {
			// An ephemeral port, as the ones outgoing connections take.
			s := newServer(dataserver.Config{Addr: "127.0.0.1:0"})
			h := newCollector()
			Expect(s.Register("/a", h.handle)).To(Succeed())
			addr := s.Addr()
			_, port, _ := net.SplitHostPort(addr)
			for round := range 3 {
				s.Unregister("/a")
				Expect(s.Addr()).To(BeEmpty())

				_, err := net.DialTimeout("tcp", addr, time.Second)
				Expect(errors.Is(err, syscall.ECONNREFUSED)).To(BeTrue(), "round %d: dial while closed: %v", round, err)

				_, err = net.Listen("tcp", addr)
				Expect(errors.Is(err, syscall.EADDRINUSE)).To(BeTrue(), "round %d: another listener took the port: %v", round, err)
				_, err = net.Listen("tcp", ":"+port)
				Expect(errors.Is(err, syscall.EADDRINUSE)).To(BeTrue(), "round %d: a listener on every interface took the port: %v", round, err)

				other, err := net.Listen("tcp", "127.0.0.1:0")
				Expect(err).NotTo(HaveOccurred())
				d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: mustAtoi(port)}}
				_, err = d.Dial("tcp", other.Addr().String())
				Expect(errors.Is(err, syscall.EADDRINUSE)).To(BeTrue(), "round %d: an outgoing connection took the port as its source: %v", round, err)
				Expect(other.Close()).To(Succeed())

				churn(300)

				Expect(s.Register("/a", h.handle)).To(Succeed(), "round %d", round)
				Expect(s.Addr()).To(Equal(addr))
				c, _, err := dial("ws://"+addr+"/a", nil, nil)
				Expect(err).NotTo(HaveOccurred())
				msg := fmt.Sprintf("round %d", round)
				Expect(c.WriteMessage(websocket.TextMessage, []byte(msg))).To(Succeed())
				Eventually(h.msgs).WithTimeout(5 * time.Second).Should(Receive(Equal(msg)))
			}
		})

		It("releases the port on Close", func() {
			s := dataserver.New(dataserver.Config{Addr: "127.0.0.1:0"})
			Expect(s.Register("/a", newCollector().handle)).To(Succeed())
			addr := s.Addr()
			s.Unregister("/a")
			Expect(s.Close()).To(Succeed())
			ln, err := net.Listen("tcp", addr)
			Expect(err).NotTo(HaveOccurred(), "the port is still held after Close")
			Expect(ln.Close()).To(Succeed())
		})
	})
})

func mustAtoi(s string) int {
	var n int
	_, err := fmt.Sscanf(strings.TrimSpace(s), "%d", &n)
	Expect(err).NotTo(HaveOccurred())
	return n
}
