package wsource_test

import (
	"context"
	"crypto/tls"
	"github.com/wsconform/wsconform/internal/pki"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/fault"
	"github.com/wsconform/wsconform/impl/wsource"
	"github.com/wsconform/wsconform/internal/selftest"
	"github.com/wsconform/wsconform/internal/waits"
)

var _ = Describe("client mode", func() {
	BeforeEach(checkLeaks)

	// clientSource builds a client-mode source for addr.
	clientSource := func(addr string, cfg wsource.Config) (*wsource.Source, *sink) {
		k := newSink(100)
		cfg.Props.Addr = addr
		if cfg.Datasource == "" {
			cfg.Datasource = "/feed"
		}
		if cfg.Stream == "" {
			cfg.Stream = "cli"
		}
		cfg.Emit = k.emit
		return newSource(cfg), k
	}

	Describe("dialing", func() {
		It("dials scheme://addr + datasource with its query and the request headers", func() {
			r := newRemote(nil)
			s, _ := clientSource(r.addr, wsource.Config{
				Datasource: "/feed?x=1&y=two",
				Props:      config.Props{RequestHeader: http.Header{"X-Token": {"abc", "def"}}},
			})
			Expect(s.URL()).To(Equal("ws://" + r.addr + "/feed?x=1&y=two"))
			Expect(s.Start(context.Background())).To(Succeed())
			rc := r.accept()
			Expect(rc.req.URL.Path).To(Equal("/feed"))
			Expect(rc.req.URL.RawQuery).To(Equal("x=1&y=two"))
			Expect(rc.req.Header.Values("X-Token")).To(Equal([]string{"abc", "def"}))
			Expect(s.Stats().Connected).To(BeTrue())
		})

		It("prefers the confKey path over the datasource", Label(selftest.Label), func() {
			r := newRemote(nil)
			s, _ := clientSource(r.addr, wsource.Config{Datasource: "/fromds", Props: config.Props{Path: "/fromkey"}})
			Expect(s.Start(context.Background())).To(Succeed())
			Expect(r.accept().req.URL.Path).To(Equal("/fromkey"))

			broken, _ := clientSource(r.addr, withDefects(wsource.Config{Datasource: "/fromds", Props: config.Props{Path: "/fromkey"}}, fault.Set{IgnoreConfKeyPath: true}))
			Expect(broken.URL()).To(Equal("ws://" + r.addr + "/fromds"))
		})

		It("drops the query with the IgnoreQuery fault and the headers with DropRequestHeaders", Label(selftest.Label), func() {
			r := newRemote(nil)
			s, _ := clientSource(r.addr, withDefects(wsource.Config{
				Datasource: "/feed?x=1",
				Props:      config.Props{RequestHeader: http.Header{"X-Token": {"abc"}}},
			}, fault.Set{IgnoreQuery: true, DropRequestHeaders: true}))
			Expect(s.Start(context.Background())).To(Succeed())
			rc := r.accept()
			Expect(rc.req.URL.RawQuery).To(BeEmpty())
			Expect(rc.req.Header.Values("X-Token")).To(BeEmpty())
		})

		It("reports a refused dial as eKuiper does", func() {
			addr := freeAddr()
			s, _ := clientSource(addr, wsource.Config{})
			err := s.Start(context.Background())
			Expect(err).To(MatchError("disconnected: dial tcp " + addr + ": connect: connection refused"))
			st := s.Stats()
			Expect(st.Connected).To(BeFalse())
			Expect(st.Exceptions).To(BeEquivalentTo(1))
			Expect(st.LastException).To(Equal(err.Error()))
		})

		It("reports a refused handshake with its HTTP status", func() {
			srv := httptest.NewServer(http.NotFoundHandler())
			DeferCleanup(srv.Close)
			s, _ := clientSource(srv.Listener.Addr().String(), wsource.Config{})
			err := s.Start(context.Background())
			Expect(err).To(MatchError(HavePrefix("disconnected: websocket: bad handshake")))
			Expect(err).To(MatchError(ContainSubstring("404")))
		})

		It("gives up a handshake the server never answers", func() {
			h := newHangServer()
			s, _ := clientSource(h.ln.Addr().String(), wsource.Config{HandshakeTimeout: 300 * time.Millisecond})
			began := time.Now()
			err := s.Start(context.Background())
			Expect(err).To(MatchError(HavePrefix("disconnected: ")))
			Expect(time.Since(began)).To(BeNumerically("<", 2*time.Second))
			Expect(s.Stats().Connected).To(BeFalse())
		})

		It("reports a handshake timeout as a timeout, not as the caller's deadline", func() {
			h := newHangServer()
			s, _ := clientSource(h.ln.Addr().String(), wsource.Config{HandshakeTimeout: 300 * time.Millisecond})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			Expect(s.Start(ctx)).To(MatchError(ContainSubstring("timeout")))
		})

		It("is abandoned, not timed out, when the caller's context ends first", func() {
			h := newHangServer()
			s, _ := clientSource(h.ln.Addr().String(), wsource.Config{HandshakeTimeout: 10 * time.Second})
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			err := s.Start(ctx)
			Expect(err).To(MatchError(And(ContainSubstring("abandoned"), ContainSubstring("context deadline exceeded"))))
			Expect(err).NotTo(MatchError(ContainSubstring("i/o timeout")))
		})

		It("with the SlowHandshakeTimeout defect waits past its own timeout", Label(selftest.Label), func() {
			h := newHangServer()
			s, _ := clientSource(h.ln.Addr().String(), withDefects(wsource.Config{HandshakeTimeout: 100 * time.Millisecond}, fault.Set{SlowHandshakeTimeout: true}))
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			Expect(s.Start(ctx)).To(MatchError(ContainSubstring("abandoned")))
		})

		It("gives up after 3 s by default", func() {
			Expect(wsource.HandshakeTimeout).To(Equal(3 * time.Second))
			h := newHangServer()
			s, _ := clientSource(h.ln.Addr().String(), wsource.Config{})
			began := time.Now()
			Expect(s.Start(context.Background())).To(MatchError(HavePrefix("disconnected: ")))
			Expect(time.Since(began)).To(BeNumerically("~", 3*time.Second, 700*time.Millisecond))
		})

		It("abandons a dial in progress on Close", func() {
			h := newHangServer()
			s, _ := clientSource(h.ln.Addr().String(), wsource.Config{})
			errc := make(chan error, 1)
			go func() { errc <- s.Start(context.Background()) }()
			Eventually(func() int {
				h.mu.Lock()
				defer h.mu.Unlock()
				return len(h.conns)
			}).WithTimeout(waitFor).Should(Equal(1))
			Expect(s.Close()).To(Succeed())
			Eventually(errc).WithTimeout(waits.Event).Should(Receive(HaveOccurred()))
		})
	})

	Describe("a connection", func() {
		It("hands text messages to Emit, ignores binary frames and answers pings", func() {
			r := newRemote(nil)
			s, k := clientSource(r.addr, wsource.Config{})
			Expect(s.Start(context.Background())).To(Succeed())
			rc := r.accept()
			Expect(rc.WriteMessage(websocket.TextMessage, []byte(`{"n":1}`))).To(Succeed())
			Expect(rc.WriteMessage(websocket.BinaryMessage, []byte(`{"n":"bin"}`))).To(Succeed())
			Expect(rc.WriteMessage(websocket.TextMessage, []byte(`[{"n":2},{"n":3}]`))).To(Succeed())
			Eventually(k.ch).WithTimeout(waitFor).Should(Receive(Equal(`{"n":1}`)))
			Eventually(k.ch).WithTimeout(waitFor).Should(Receive(Equal(`[{"n":2},{"n":3}]`)))
			Expect(s.Stats().RecordsIn).To(BeEquivalentTo(2))
			Expect(rc.WriteControl(websocket.PingMessage, []byte("p1"), time.Now().Add(time.Second))).To(Succeed())
			Eventually(rc.pongs).WithTimeout(waitFor).Should(Receive(Equal("p1")))
		})

		It("records a remote close, shows the connection down and does not reconnect", func() {
			r := newRemote(nil)
			s, _ := clientSource(r.addr, wsource.Config{})
			Expect(s.Start(context.Background())).To(Succeed())
			rc := r.accept()
			Expect(rc.WriteControl(websocket.CloseMessage,
				websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"), time.Now().Add(time.Second))).To(Succeed())
			Eventually(rc.closed).WithTimeout(waitFor).Should(BeClosed())
			Eventually(func() bool { return s.Stats().Connected }).WithTimeout(waitFor).Should(BeFalse())
			st := s.Stats()
			Expect(st.Exceptions).To(BeEquivalentTo(1))
			Expect(st.LastException).To(Equal("websocket: close 1000 (normal): bye"))
			Consistently(r.conns).WithTimeout(waits.Quiet).ShouldNot(Receive())
		})

		It("stays connected after a remote close with the RemoteCloseStaysConnected fault", Label(selftest.Label), func() {
			r := newRemote(nil)
			s, _ := clientSource(r.addr, withDefects(wsource.Config{}, fault.Set{RemoteCloseStaysConnected: true}))
			Expect(s.Start(context.Background())).To(Succeed())
			rc := r.accept()
			Expect(rc.WriteControl(websocket.CloseMessage,
				websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))).To(Succeed())
			Eventually(func() int64 { return s.Stats().Exceptions }).WithTimeout(waitFor).Should(BeEquivalentTo(1))
			Expect(s.Stats().Connected).To(BeTrue())
		})

		It("closes with 1000 on Close, even with Emit blocked", func() {
			r := newRemote(nil)
			entered := make(chan struct{})
			s := newSource(wsource.Config{Stream: "cli", Datasource: "/feed", Props: config.Props{Addr: r.addr},
				Emit: func(ctx context.Context, _ []byte) error {
					close(entered)
					<-ctx.Done()
					return ctx.Err()
				}})
			Expect(s.Start(context.Background())).To(Succeed())
			rc := r.accept()
			Expect(rc.WriteMessage(websocket.TextMessage, []byte(`{}`))).To(Succeed())
			Eventually(entered).WithTimeout(waitFor).Should(BeClosed())
			Expect(s.Close()).To(Succeed())
			Eventually(rc.closed).WithTimeout(waitFor).Should(BeClosed())
			Expect(closeCode(rc.err)).To(Equal(websocket.CloseNormalClosure))
			Expect(s.Stats().Connected).To(BeFalse())
			Expect(s.Stats().Exceptions).To(BeZero())
		})

		It("closes with 1009 on a message over the limit", func() {
			r := newRemote(nil)
			s, _ := clientSource(r.addr, wsource.Config{Props: config.Props{MaxMessageBytes: 100}})
			Expect(s.Start(context.Background())).To(Succeed())
			rc := r.accept()
			Expect(rc.WriteMessage(websocket.TextMessage, []byte(strings.Repeat("y", 101)))).To(Succeed())
			Eventually(rc.closed).WithTimeout(waitFor).Should(BeClosed())
			Expect(closeCode(rc.err)).To(Equal(websocket.CloseMessageTooBig))
			Eventually(func() bool { return s.Stats().Connected }).WithTimeout(waitFor).Should(BeFalse())
			Expect(s.Stats().LastException).To(ContainSubstring("read limit exceeded"))
		})

		It("closes with 1007 on invalid UTF-8", func() {
			r := newRemote(nil)
			s, _ := clientSource(r.addr, wsource.Config{})
			Expect(s.Start(context.Background())).To(Succeed())
			rc := r.accept()
			Expect(rc.WriteMessage(websocket.TextMessage, []byte{0xc3, 0x28})).To(Succeed())
			Eventually(rc.closed).WithTimeout(waitFor).Should(BeClosed())
			Expect(closeCode(rc.err)).To(Equal(websocket.CloseInvalidFramePayloadData))
			Expect(s.Stats().Exceptions).To(BeEquivalentTo(1))
		})
	})

	Describe("wss", func() {
		var (
			certs *pki.Set
			files pki.Files
		)
		BeforeEach(func() {
			certs, files = newCerts()
		})

		It("trusts a server certificate signed by rootCaPath", func() {
			r := newRemote(&tls.Config{Certificates: []tls.Certificate{certs.Server.TLS()}})
			s, k := clientSource(r.addr, wsource.Config{Props: config.Props{Scheme: "wss", RootCaPath: files.CA}})
			Expect(s.URL()).To(HavePrefix("wss://"))
			Expect(s.Start(context.Background())).To(Succeed())
			rc := r.accept()
			Expect(rc.WriteMessage(websocket.TextMessage, []byte(`{"tls":true}`))).To(Succeed())
			Eventually(k.ch).WithTimeout(waitFor).Should(Receive(Equal(`{"tls":true}`)))
		})

		It("refuses an untrusted server certificate unless insecureSkipVerify", Label(selftest.Label), func() {
			r := newRemote(&tls.Config{Certificates: []tls.Certificate{certs.Untrusted.TLS()}})
			s, _ := clientSource(r.addr, wsource.Config{Props: config.Props{Scheme: "wss", RootCaPath: files.CA}})
			err := s.Start(context.Background())
			Expect(err).To(MatchError(HavePrefix("disconnected: ")))
			Expect(err).To(MatchError(ContainSubstring("certificate")))

			s2, _ := clientSource(r.addr, wsource.Config{Props: config.Props{Scheme: "wss", RootCaPath: files.CA, InsecureSkipVerify: true}})
			Expect(s2.Start(context.Background())).To(Succeed())
			r.accept()

			s3, _ := clientSource(r.addr, withDefects(wsource.Config{Props: config.Props{Scheme: "wss", RootCaPath: files.CA}}, fault.Set{SkipTLSVerify: true}))
			Expect(s3.Start(context.Background())).To(Succeed())
			r.accept()
		})

		It("presents the client certificate when configured", Label(selftest.Label), func() {
			r := newRemote(&tls.Config{
				Certificates: []tls.Certificate{certs.Server.TLS()},
				ClientAuth:   tls.RequireAndVerifyClientCert,
				ClientCAs:    certs.CA.Pool(),
			})
			anon, _ := clientSource(r.addr, wsource.Config{Props: config.Props{Scheme: "wss", RootCaPath: files.CA}})
			Expect(anon.Start(context.Background())).To(MatchError(HavePrefix("disconnected: ")))

			s, _ := clientSource(r.addr, wsource.Config{Props: config.Props{Scheme: "wss", RootCaPath: files.CA,
				CertificationPath: files.ClientCert, PrivateKeyPath: files.ClientKey}})
			Expect(s.Start(context.Background())).To(Succeed())
			Expect(r.accept().req.TLS.PeerCertificates).To(HaveLen(1))

			broken, _ := clientSource(r.addr, withDefects(wsource.Config{Props: config.Props{Scheme: "wss", RootCaPath: files.CA,
				CertificationPath: files.ClientCert, PrivateKeyPath: files.ClientKey}}, fault.Set{NoClientCertificate: true}))
			Expect(broken.Start(context.Background())).To(MatchError(HavePrefix("disconnected: ")))
		})

		It("names a missing certificate file", func() {
			s, _ := clientSource("127.0.0.1:1", wsource.Config{Props: config.Props{Scheme: "wss",
				RootCaPath: "/nonexistent/ca.pem"}})
			Expect(s.Start(context.Background())).To(MatchError(ContainSubstring("/nonexistent/ca.pem")))
		})
	})
})
