package peer_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/steps/peer"
)

// recorded is one message a gorilla test server received.
type recorded struct {
	typ  int
	data []byte
}

// gorillaServer is an independent WebSocket server built directly on gorilla,
// used to check what the peer client puts on the wire.
type gorillaServer struct {
	srv      *httptest.Server
	messages chan recorded
	closes   chan int
	wg       sync.WaitGroup
}

func newGorillaServer() *gorillaServer {
	g := &gorillaServer{messages: make(chan recorded, 100), closes: make(chan int, 10)}
	up := websocket.Upgrader{}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		g.wg.Add(1)
		defer g.wg.Done()
		defer ws.Close()
		if r.URL.Path == "/close1001" {
			_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(1001, "bye"), time.Now().Add(time.Second))
		}
		for {
			typ, data, err := ws.ReadMessage()
			if err != nil {
				code := websocket.CloseAbnormalClosure
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					code = ce.Code
				}
				g.closes <- code
				return
			}
			g.messages <- recorded{typ, data}
		}
	}))
	return g
}

func (g *gorillaServer) url(path string) string {
	return "ws" + strings.TrimPrefix(g.srv.URL, "http") + path
}

func (g *gorillaServer) close() {
	g.srv.CloseClientConnections()
	g.srv.Close()
	g.wg.Wait()
}

func bounded() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	DeferCleanup(cancel)
	return ctx
}

var _ = Describe("Certs", func() {
	var certs *peer.Certs

	BeforeEach(func() {
		var err error
		certs, err = peer.NewCerts(GinkgoT().TempDir())
		Expect(err).NotTo(HaveOccurred())
	})

	parse := func(file string) *x509.Certificate {
		b, err := os.ReadFile(file)
		Expect(err).NotTo(HaveOccurred())
		block, _ := pem.Decode(b)
		Expect(block).NotTo(BeNil(), file)
		c, err := x509.ParseCertificate(block.Bytes)
		Expect(err).NotTo(HaveOccurred())
		return c
	}

	It("writes a server certificate the CA verifies for every loopback name", func() {
		pool := x509.NewCertPool()
		Expect(pool.AppendCertsFromPEM(certs.CAPEM)).To(BeTrue())
		server := parse(certs.ServerCertFile)
		for _, name := range []string{"127.0.0.1", "::1", "localhost"} {
			_, err := server.Verify(x509.VerifyOptions{DNSName: name, Roots: pool})
			Expect(err).NotTo(HaveOccurred(), name)
		}
		client := parse(certs.ClientCertFile)
		_, err := client.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
		Expect(err).NotTo(HaveOccurred())
		_, err = tls.LoadX509KeyPair(certs.ServerCertFile, certs.ServerKeyFile)
		Expect(err).NotTo(HaveOccurred())
		_, err = tls.LoadX509KeyPair(certs.ClientCertFile, certs.ClientKeyFile)
		Expect(err).NotTo(HaveOccurred())
		_, err = tls.LoadX509KeyPair(certs.UntrustedCertFile, certs.UntrustedKeyFile)
		Expect(err).NotTo(HaveOccurred())
	})

	It("writes an untrusted certificate that only its own CA verifies", func() {
		untrusted := parse(certs.UntrustedCertFile)
		pool := x509.NewCertPool()
		Expect(pool.AppendCertsFromPEM(certs.CAPEM)).To(BeTrue())
		_, err := untrusted.Verify(x509.VerifyOptions{DNSName: "127.0.0.1", Roots: pool})
		Expect(err).To(HaveOccurred())
		other := x509.NewCertPool()
		Expect(other.AppendCertsFromPEM(certs.UntrustedCAPEM)).To(BeTrue())
		_, err = untrusted.Verify(x509.VerifyOptions{DNSName: "127.0.0.1", Roots: other})
		Expect(err).NotTo(HaveOccurred())
	})
})

var _ = Describe("Client and Server over loopback", func() {
	var srv *peer.Server

	startServer := func(opts peer.ServerOptions) {
		var err error
		srv, err = peer.NewServer(opts)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { Expect(srv.Close()).To(Succeed()) })
	}

	dial := func(ctx context.Context, url string, opts peer.DialOptions) (*peer.Client, *peer.ServerConn) {
		c, err := peer.Dial(ctx, url, opts)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { Expect(c.Close()).To(Succeed()) })
		sc, err := srv.Accept(ctx)
		Expect(err).NotTo(HaveOccurred())
		return c, sc
	}

	It("records the path, query and headers of the handshake", func() {
		startServer(peer.ServerOptions{})
		ctx := bounded()
		h := http.Header{"X-Token": {"a", "b"}}
		_, sc := dial(ctx, "ws://"+srv.Addr()+"/feed?x=1&y=2", peer.DialOptions{Header: h})
		hs := sc.Handshake()
		Expect(hs.Path).To(Equal("/feed"))
		Expect(hs.RawQuery).To(Equal("x=1&y=2"))
		Expect(hs.Header.Values("X-Token")).To(Equal([]string{"a", "b"}))
		Expect(hs.PeerCertificates).To(Equal(0))
	})

	It("answers a ping with a pong in both directions", func() {
		startServer(peer.ServerOptions{})
		ctx := bounded()
		c, sc := dial(ctx, "ws://"+srv.Addr()+"/p", peer.DialOptions{})
		Expect(c.Ping(ctx, "hello")).To(Succeed())
		Expect(sc.Ping(ctx, "back")).To(Succeed())
	})

	It("delivers the server's close code to the client", func() {
		startServer(peer.ServerOptions{})
		ctx := bounded()
		c, sc := dial(ctx, "ws://"+srv.Addr()+"/p", peer.DialOptions{})
		Expect(sc.CloseWith(ctx, 4001, "done")).To(Succeed())
		Expect(c.WaitClose(ctx)).To(Equal(4001))
		Expect(sc.WaitClose(ctx)).To(Equal(4001), "the client answers with the same code")
	})

	It("delivers the client's normal close to the server", func() {
		startServer(peer.ServerOptions{})
		ctx := bounded()
		c, sc := dial(ctx, "ws://"+srv.Addr()+"/p", peer.DialOptions{})
		Expect(c.Close()).To(Succeed())
		Expect(sc.WaitClose(ctx)).To(Equal(websocket.CloseNormalClosure))
		Expect(c.Close()).To(Succeed(), "Close is idempotent")
		Expect(c.SendText(ctx, "late")).To(MatchError(peer.ErrClosed))
	})

	It("reports 1006 when the other side drops TCP", func() {
		startServer(peer.ServerOptions{})
		ctx := bounded()
		c, sc := dial(ctx, "ws://"+srv.Addr()+"/p", peer.DialOptions{})
		Expect(c.DropTCP()).To(Succeed())
		Expect(sc.WaitClose(ctx)).To(Equal(websocket.CloseAbnormalClosure))

		c2, sc2 := dial(ctx, "ws://"+srv.Addr()+"/q", peer.DialOptions{})
		Expect(sc2.DropTCP()).To(Succeed())
		Expect(c2.WaitClose(ctx)).To(Equal(websocket.CloseAbnormalClosure))
		Expect(c2.Ping(ctx, "x")).To(MatchError(peer.ErrClosed))
	})

	It("hands every connection to Accept and closes them all on Close", func() {
		startServer(peer.ServerOptions{})
		ctx := bounded()
		var clients []*peer.Client
		for _, p := range []string{"/a", "/b", "/c"} {
			c, err := peer.Dial(ctx, "ws://"+srv.Addr()+p, peer.DialOptions{})
			Expect(err).NotTo(HaveOccurred())
			clients = append(clients, c)
		}
		sc, err := srv.Accept(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(sc.Handshake().Path).To(BeElementOf("/a", "/b", "/c"))
		Expect(srv.Close()).To(Succeed())
		for _, c := range clients {
			Expect(c.WaitClose(ctx)).To(Equal(websocket.CloseAbnormalClosure))
			Expect(c.Close()).To(Succeed())
		}
		_, err = srv.Accept(ctx)
		Expect(err).To(MatchError(net.ErrClosed))
		Expect(peer.PortOpen(srv.Addr())).To(BeFalse())
	})

	It("times out a dial against a server that hangs", func() {
		startServer(peer.ServerOptions{Hang: true})
		Expect(peer.PortOpen(srv.Addr())).To(BeTrue())
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		_, err := peer.Dial(ctx, "ws://"+srv.Addr()+"/p", peer.DialOptions{})
		Expect(err).To(HaveOccurred())
		var he *peer.HandshakeError
		Expect(errors.As(err, &he)).To(BeFalse())
		short, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel2()
		_, err = srv.Accept(short)
		Expect(err).To(MatchError(context.DeadlineExceeded))
	})

	Context("with TLS", func() {
		var certs *peer.Certs

		BeforeEach(func() {
			var err error
			certs, err = peer.NewCerts(GinkgoT().TempDir())
			Expect(err).NotTo(HaveOccurred())
		})

		It("connects with a client that trusts the CA", func() {
			startServer(peer.ServerOptions{TLS: certs.ServerTLS(false)})
			ctx := bounded()
			c, sc := dial(ctx, "wss://"+srv.Addr()+"/s", peer.DialOptions{TLS: certs.ClientTLS(false)})
			Expect(sc.Handshake().PeerCertificates).To(Equal(0))
			Expect(c.Ping(ctx, "tls")).To(Succeed())
			Expect(sc.CloseWith(ctx, 1000, "")).To(Succeed())
			Expect(c.WaitClose(ctx)).To(Equal(1000))
		})

		It("also answers on localhost", func() {
			startServer(peer.ServerOptions{TLS: certs.ServerTLS(false)})
			ctx := bounded()
			_, port, err := net.SplitHostPort(srv.Addr())
			Expect(err).NotTo(HaveOccurred())
			dial(ctx, "wss://localhost:"+port+"/s", peer.DialOptions{TLS: certs.ClientTLS(false)})
		})

		It("refuses a plain ws client", func() {
			startServer(peer.ServerOptions{TLS: certs.ServerTLS(false)})
			_, err := peer.Dial(bounded(), "ws://"+srv.Addr()+"/s", peer.DialOptions{})
			Expect(err).To(HaveOccurred())
		})

		It("is refused by a client that does not trust the CA", func() {
			startServer(peer.ServerOptions{TLS: certs.UntrustedServerTLS()})
			_, err := peer.Dial(bounded(), "wss://"+srv.Addr()+"/s", peer.DialOptions{TLS: certs.ClientTLS(false)})
			var unknown x509.UnknownAuthorityError
			Expect(errors.As(err, &unknown)).To(BeTrue(), "%v", err)
		})

		It("records a client certificate and demands one when required", func() {
			startServer(peer.ServerOptions{TLS: certs.ServerTLS(true)})
			ctx := bounded()
			_, err := peer.Dial(ctx, "wss://"+srv.Addr()+"/s", peer.DialOptions{TLS: certs.ClientTLS(false)})
			Expect(err).To(HaveOccurred())
			_, sc := dial(ctx, "wss://"+srv.Addr()+"/s", peer.DialOptions{TLS: certs.ClientTLS(true)})
			Expect(sc.Handshake().PeerCertificates).To(Equal(1))
		})

		DescribeTable("limited to an old TLS version, speaks it and nothing newer",
			func(version uint16) {
				startServer(peer.ServerOptions{TLS: certs.OldServerTLS(version)})
				ctx := bounded()
				old := certs.ClientTLS(false)
				old.MinVersion = tls.VersionTLS10
				c, _ := dial(ctx, "wss://"+srv.Addr()+"/s", peer.DialOptions{TLS: old})
				Expect(c.Ping(ctx, "old")).To(Succeed())
				_, err := peer.Dial(ctx, "wss://"+srv.Addr()+"/s", peer.DialOptions{TLS: certs.ClientTLS(false)})
				Expect(err).To(MatchError(ContainSubstring("protocol version")))
			},
			Entry("TLS 1.0", uint16(tls.VersionTLS10)),
			Entry("TLS 1.1", uint16(tls.VersionTLS11)),
		)

		It("drops TCP under TLS as an abnormal closure", func() {
			startServer(peer.ServerOptions{TLS: certs.ServerTLS(false)})
			ctx := bounded()
			c, sc := dial(ctx, "wss://"+srv.Addr()+"/s", peer.DialOptions{TLS: certs.ClientTLS(false)})
			Expect(c.DropTCP()).To(Succeed())
			Expect(sc.WaitClose(ctx)).To(Equal(websocket.CloseAbnormalClosure))
		})
	})
})

var _ = Describe("Client against an independent gorilla server", func() {
	var g *gorillaServer

	BeforeEach(func() {
		g = newGorillaServer()
		DeferCleanup(g.close)
	})

	dial := func(ctx context.Context) *peer.Client {
		c, err := peer.Dial(ctx, g.url("/in"), peer.DialOptions{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { Expect(c.Close()).To(Succeed()) })
		return c
	}

	It("sends text, binary, fragmented and raw frames the server reads intact", func() {
		ctx := bounded()
		c := dial(ctx)
		Expect(c.SendText(ctx, `{"a":1}`)).To(Succeed())
		Expect(c.SendBinary(ctx, []byte{0, 1, 2})).To(Succeed())
		Expect(c.SendFragmented(ctx, `{"b":`, `2`, `}`)).To(Succeed())
		big := strings.Repeat("x", 70000)
		Expect(c.SendFragmented(ctx, big[:100], big[100:])).To(Succeed())
		Expect(c.SendRawText(ctx, []byte{0xff, 0xfe, 'a'})).To(Succeed())
		Expect(c.SendText(ctx, "")).To(Succeed())
		mid := []byte(strings.Repeat("é", 150))
		Expect(c.SendRawText(ctx, mid)).To(Succeed())
		want := []recorded{
			{websocket.TextMessage, []byte(`{"a":1}`)},
			{websocket.BinaryMessage, []byte{0, 1, 2}},
			{websocket.TextMessage, []byte(`{"b":2}`)},
			{websocket.TextMessage, []byte(big)},
			{websocket.TextMessage, []byte{0xff, 0xfe, 'a'}},
			{websocket.TextMessage, []byte{}},
			{websocket.TextMessage, mid},
		}
		for _, w := range want {
			var got recorded
			Eventually(g.messages).WithContext(ctx).Should(Receive(&got))
			Expect(got.typ).To(Equal(w.typ))
			Expect(got.data).To(HaveLen(len(w.data)))
			Expect(got.data).To(BeEquivalentTo(w.data))
		}
	})

	It("refuses an empty fragmented message", func() {
		c := dial(bounded())
		Expect(c.SendFragmented(bounded())).To(MatchError(ContainSubstring("no parts")))
	})

	It("closes normally with 1000", func() {
		ctx := bounded()
		c := dial(ctx)
		Expect(c.Close()).To(Succeed())
		Eventually(g.closes).WithContext(ctx).Should(Receive(Equal(websocket.CloseNormalClosure)))
	})

	It("reports the server's close code", func() {
		ctx := bounded()
		c, err := peer.Dial(ctx, g.url("/close1001"), peer.DialOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.WaitClose(ctx)).To(Equal(websocket.CloseGoingAway))
		Expect(c.Close()).To(Succeed())
	})

	It("exposes the HTTP status of a refused handshake", func() {
		_, err := peer.Dial(bounded(), g.url("/missing"), peer.DialOptions{})
		var he *peer.HandshakeError
		Expect(errors.As(err, &he)).To(BeTrue(), "%v", err)
		Expect(he.StatusCode).To(Equal(http.StatusNotFound))
		Expect(he.Error()).To(ContainSubstring("/missing"))
	})

	It("names the URL when nothing listens", func() {
		addr := g.srv.Listener.Addr().String()
		g.close()
		Expect(peer.PortOpen(addr)).To(BeFalse())
		_, err := peer.Dial(bounded(), "ws://"+addr+"/x", peer.DialOptions{})
		Expect(err).To(MatchError(ContainSubstring("ws://" + addr + "/x")))
		var he *peer.HandshakeError
		Expect(errors.As(err, &he)).To(BeFalse())
	})
})

var _ = Describe("ServerConn against an independent gorilla client", func() {
	It("sends text, binary, fragmented and raw frames the client reads intact", func() {
		srv, err := peer.NewServer(peer.ServerOptions{})
		Expect(err).NotTo(HaveOccurred())
		defer func() { Expect(srv.Close()).To(Succeed()) }()
		ctx := bounded()
		ws, _, err := websocket.DefaultDialer.DialContext(ctx, "ws://"+srv.Addr()+"/x", nil)
		Expect(err).NotTo(HaveOccurred())
		defer ws.Close()
		sc, err := srv.Accept(ctx)
		Expect(err).NotTo(HaveOccurred())

		Expect(sc.SendText(ctx, "t")).To(Succeed())
		Expect(sc.SendBinary(ctx, []byte{9})).To(Succeed())
		Expect(sc.SendFragmented(ctx, "a", "b", "c")).To(Succeed())
		Expect(sc.SendRawText(ctx, []byte{0xc3, 0x28})).To(Succeed())

		Expect(ws.SetReadDeadline(time.Now().Add(5 * time.Second))).To(Succeed())
		for _, w := range []recorded{
			{websocket.TextMessage, []byte("t")},
			{websocket.BinaryMessage, []byte{9}},
			{websocket.TextMessage, []byte("abc")},
			{websocket.TextMessage, []byte{0xc3, 0x28}},
		} {
			typ, data, err := ws.ReadMessage()
			Expect(err).NotTo(HaveOccurred())
			Expect(typ).To(Equal(w.typ))
			Expect(data).To(Equal(w.data))
		}
		closed := make(chan error, 1)
		go func() {
			_, _, err := ws.ReadMessage()
			closed <- err
		}()
		Expect(sc.CloseWith(ctx, 1011, "bye")).To(Succeed())
		Eventually(closed).WithContext(ctx).Should(Receive(Satisfy(func(err error) bool {
			return websocket.IsCloseError(err, 1011)
		})))
		Expect(sc.WaitClose(ctx)).To(Equal(1011), "the client answered the close frame")
	})
})
