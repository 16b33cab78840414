package peer_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/internal/waits"
	"github.com/wsconform/wsconform/steps/peer"
)

var _ = Describe("hostile and flaky peers", func() {
	ctx := func() context.Context {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		DeferCleanup(cancel)
		return c
	}

	It("a server goes away, refusing dials, and comes back on the same address", func() {
		s, err := peer.NewServer(peer.ServerOptions{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(s.Close)
		url := "ws://" + s.Addr() + "/x"
		c, err := peer.Dial(ctx(), url, peer.DialOptions{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(c.DropTCP)
		sc, err := s.Accept(ctx())
		Expect(err).NotTo(HaveOccurred())

		Expect(s.GoAway()).To(Succeed())
		code, err := c.WaitClose(ctx())
		Expect(err).NotTo(HaveOccurred())
		Expect(code).To(Equal(websocket.CloseAbnormalClosure), "dropped without a close frame")
		Eventually(sc.Done()).Should(BeClosed())
		_, err = peer.Dial(ctx(), url, peer.DialOptions{})
		Expect(errors.Is(err, syscall.ECONNREFUSED)).To(BeTrue(), "dial while away: %v", err)

		Expect(s.ComeBack()).To(Succeed())
		Expect(s.ComeBack()).To(MatchError(ContainSubstring("not away")))
		c2, err := peer.Dial(ctx(), url, peer.DialOptions{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(c2.DropTCP)
		_, err = s.Accept(ctx())
		Expect(err).NotTo(HaveOccurred())
	})

	It("a server refuses the next handshakes with a status, then upgrades again", func() {
		s, err := peer.NewServer(peer.ServerOptions{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(s.Close)
		s.RefuseNext(2, http.StatusServiceUnavailable)
		for range 2 {
			_, err := peer.Dial(ctx(), "ws://"+s.Addr()+"/x", peer.DialOptions{})
			var hs *peer.HandshakeError
			Expect(errors.As(err, &hs)).To(BeTrue(), "got %v", err)
			Expect(hs.StatusCode).To(Equal(http.StatusServiceUnavailable))
		}
		c, err := peer.Dial(ctx(), "ws://"+s.Addr()+"/x", peer.DialOptions{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(c.DropTCP)
	})

	It("a server with endless headers keeps writing them until the client gives up", func() {
		s, err := peer.NewServer(peer.ServerOptions{EndlessHeaders: true})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(s.Close)
		// The client gives up by closing its TCP connection: gorilla's
		// handshake read has no bound of its own here.
		conns := make(chan net.Conn, 1)
		d := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err == nil {
				conns <- c
			}
			return c, err
		}}
		dialed := make(chan error, 1)
		go func() {
			_, _, err := d.Dial("ws://"+s.Addr()+"/x", nil)
			dialed <- err
		}()
		var conn net.Conn
		Eventually(conns).Should(Receive(&conn))
		Eventually(s.HeaderBytes).Should(BeNumerically(">", 1<<20), "the server goes on past a megabyte of headers")
		Consistently(dialed, waits.Quiet).ShouldNot(Receive(), "the handshake never ends by itself")
		Expect(conn.Close()).To(Succeed())
		Eventually(dialed).Should(Receive(HaveOccurred()))
	})

	It("a client can ignore pings, and a peer can send endless fragments until closed", func() {
		up := websocket.Upgrader{}
		pong := make(chan struct{}, 1)
		closed := make(chan error, 1)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ws, err := up.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer ws.Close()
			ws.SetPongHandler(func(string) error { pong <- struct{}{}; return nil })
			_ = ws.WriteControl(websocket.PingMessage, []byte("p"), time.Now().Add(time.Second))
			// Read into the fragments for a while, then close with 1008.
			_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, r2, err := ws.NextReader()
			if err == nil {
				_ = ws.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
				_, err = io.Copy(io.Discard, r2)
			}
			closed <- err
			_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(1008, "too slow"), time.Now().Add(time.Second))
			_, _ = io.Copy(io.Discard, ws.NetConn())
		}))
		DeferCleanup(srv.Close)
		// The first connection ignores the ping.
		c, err := peer.Dial(ctx(), "ws"+srv.URL[len("http"):], peer.DialOptions{IgnorePings: true})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(c.DropTCP)
		Consistently(pong).WithTimeout(300 * time.Millisecond).ShouldNot(Receive())
		n, err := c.SendEndlessFragments(ctx())
		Expect(err).NotTo(HaveOccurred())
		Expect(n).To(BeNumerically(">=", 1000))
		var readErr error
		Eventually(closed).Should(Receive(&readErr))
		code, err := c.WaitClose(ctx())
		Expect(err).NotTo(HaveOccurred())
		Expect(code).To(Equal(1008))
	})
})
