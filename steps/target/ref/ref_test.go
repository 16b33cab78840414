package ref_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/fault"
	"github.com/wsconform/wsconform/internal/selftest"
	"github.com/wsconform/wsconform/internal/waits"
	"github.com/wsconform/wsconform/steps/peer"
	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/steps/target/ref"
)

func bounded() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	DeferCleanup(cancel)
	return ctx
}

func newTarget(opts ref.Options) target.Target {
	tgt, err := ref.Factory(opts)(context.Background())
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { Expect(tgt.Close()).To(Succeed()) })
	return tgt
}

func serverStream(name string) string {
	return fmt.Sprintf(`CREATE STREAM %s () WITH (DATASOURCE="/%s", FORMAT="json", TYPE="websocket")`, name, name)
}

func dial(ctx context.Context, tgt target.Target, path string, tlsConf *tls.Config) *peer.Client {
	c, err := peer.Dial(ctx, tgt.DataServer().URL(path), peer.DialOptions{TLS: tlsConf})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { Expect(c.Close()).To(Succeed()) })
	return c
}

func receive(ctx context.Context, r target.Rule) target.Record {
	var rec target.Record
	EventuallyWithOffset(1, r.Records()).WithContext(ctx).Should(Receive(&rec))
	return rec
}

func metric(ctx context.Context, r target.Rule, suffix string) any {
	st, err := r.Status(ctx)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	v, ok := st.Metric("source_", suffix)
	ExpectWithOffset(1, ok).To(BeTrue(), "no metric source_*%s in %v", suffix, st.Metrics)
	return v
}

var _ = Describe("the reference target", func() {
	It("names itself and supports every capability", func() {
		tgt := newTarget(ref.Options{})
		Expect(tgt.Name()).To(Equal(ref.Name))
		for _, c := range []target.Capability{target.ServerTLS, target.ServerClientAuth, target.DataServerLifecycle, target.MessageLimit, target.DataServerLimits} {
			ok, reason := tgt.Supports(c)
			Expect(ok).To(BeTrue(), string(c))
			Expect(reason).To(BeEmpty())
		}
		ok, reason := tgt.Supports("telepathy")
		Expect(ok).To(BeFalse())
		Expect(reason).To(ContainSubstring("telepathy"))
	})

	It("gives each target its own data server port, below the kernel's ephemeral range", func() {
		seen := map[string]bool{}
		for range 20 {
			addr := newTarget(ref.Options{}).DataServer().Addr
			Expect(seen).NotTo(HaveKey(addr))
			seen[addr] = true
			_, port, err := net.SplitHostPort(addr)
			Expect(err).NotTo(HaveOccurred())
			if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
				low, err := strconv.Atoi(strings.Fields(string(b))[0])
				Expect(err).NotTo(HaveOccurred())
				Expect(strconv.Atoi(port)).To(BeNumerically("<", low))
			}
		}
	})

	It("serves a server-mode stream only while its rule runs, on one reserved port", func() {
		ctx := bounded()
		tgt := newTarget(ref.Options{})
		ep := tgt.DataServer()
		Expect(ep.TLS).To(BeFalse())
		Expect(ep.Addr).To(HavePrefix("127.0.0.1:"))
		Expect(tgt.CreateStream(ctx, serverStream("s1"))).To(Succeed())
		Expect(peer.PortOpen(ep.Addr)).To(BeFalse())

		r, err := tgt.CreateRule(ctx, "r1", "SELECT * FROM s1")
		Expect(err).NotTo(HaveOccurred())
		Expect(r.ID()).To(Equal("r1"))
		Expect(peer.PortOpen(ep.Addr)).To(BeTrue())
		st, err := r.Status(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.State).To(Equal("running"))
		Expect(st.Metrics).NotTo(HaveKey("status"))

		c := dial(ctx, tgt, "/s1", nil)
		Expect(c.SendText(ctx, `{"a":1,"big":12345678901234567890,"f":1.5,"n":null,"o":{"x":[1,"y"]}}`)).To(Succeed())
		rec := receive(ctx, r)
		Expect(rec).To(Equal(target.Record{
			"a": json.Number("1"), "big": json.Number("12345678901234567890"), "f": json.Number("1.5"), "n": nil,
			"o": map[string]any{"x": []any{json.Number("1"), "y"}},
		}))
		Eventually(func() any { return metric(ctx, r, "_records_in_total") }).WithContext(ctx).
			Should(Equal(json.Number("1")))

		Expect(tgt.StopRule(ctx, "r1")).To(Succeed())
		Eventually(func() bool { return peer.PortOpen(ep.Addr) }).WithContext(ctx).Should(BeFalse())
		st, err = r.Status(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.State).To(Equal("stopped"))
		Expect(st.Message).NotTo(BeEmpty())

		Expect(tgt.StartRule(ctx, "r1")).To(Succeed())
		Expect(tgt.DataServer().Addr).To(Equal(ep.Addr))
		c2 := dial(ctx, tgt, "/s1", nil)
		Expect(c2.SendText(ctx, `[{"i":1},{"i":2}]`)).To(Succeed())
		Expect(receive(ctx, r)).To(Equal(target.Record{"i": json.Number("1")}))
		Expect(receive(ctx, r)).To(Equal(target.Record{"i": json.Number("2")}), "the same channel after a restart")

		Expect(tgt.RestartRule(ctx, "r1")).To(Succeed())
		Eventually(func() error { return c2.SendText(ctx, `{"i":0}`) }).WithContext(ctx).ShouldNot(Succeed(), "restart closes the clients")
		c3 := dial(ctx, tgt, "/s1", nil)
		Expect(c3.SendText(ctx, `{"i":3}`)).To(Succeed())
		Expect(receive(ctx, r)).To(Equal(target.Record{"i": json.Number("3")}), "the same channel after POST restart")

		Expect(tgt.DeleteRule(ctx, "r1")).To(Succeed())
		Eventually(func() bool { return peer.PortOpen(ep.Addr) }).WithContext(ctx).Should(BeFalse())
		Expect(tgt.DropStream(ctx, "s1")).To(Succeed())
	})

	It("answers 404 on an unknown path", func() {
		ctx := bounded()
		tgt := newTarget(ref.Options{})
		Expect(tgt.CreateStream(ctx, serverStream("s404"))).To(Succeed())
		_, err := tgt.CreateRule(ctx, "r404", "SELECT * FROM s404")
		Expect(err).NotTo(HaveOccurred())
		_, err = peer.Dial(ctx, tgt.DataServer().URL("/other"), peer.DialOptions{})
		var he *peer.HandshakeError
		Expect(err).To(BeAssignableToTypeOf(he))
		Expect(err.(*peer.HandshakeError).StatusCode).To(Equal(404))
	})

	It("keeps every record in order while nobody reads", func() {
		ctx := bounded()
		tgt := newTarget(ref.Options{})
		Expect(tgt.CreateStream(ctx, serverStream("burst"))).To(Succeed())
		r, err := tgt.CreateRule(ctx, "rburst", "SELECT i FROM burst")
		Expect(err).NotTo(HaveOccurred())
		c := dial(ctx, tgt, "/burst", nil)
		const n = 2000
		for i := range n {
			Expect(c.SendText(ctx, fmt.Sprintf(`{"i":%d,"pad":"x"}`, i))).To(Succeed())
		}
		Eventually(func() any { return metric(ctx, r, "_records_in_total") }).WithContext(ctx).
			Should(Equal(json.Number(fmt.Sprint(n))))
		for i := range n {
			select {
			case rec := <-r.Records():
				Expect(rec).To(Equal(target.Record{"i": json.Number(fmt.Sprint(i))}))
			case <-ctx.Done():
				Fail(fmt.Sprintf("record %d of %d did not arrive", i, n))
			}
		}
		Consistently(r.Records(), waits.Quiet).ShouldNot(Receive())
	})

	It("builds its engine on first use when Apply is never called", func() {
		ctx := bounded()
		tgt := newTarget(ref.Options{})
		Expect(tgt.CreateStream(ctx, serverStream("lazy"))).To(Succeed())
		_, err := tgt.CreateRule(ctx, "rlazy", "SELECT * FROM lazy")
		Expect(err).NotTo(HaveOccurred())
		Expect(peer.PortOpen(tgt.DataServer().Addr)).To(BeTrue())
	})

	It("returns the engine's messages for refused statements and rules", func() {
		ctx := bounded()
		tgt := newTarget(ref.Options{})
		err := tgt.CreateStream(ctx, `CREATE STREAM bad (a) WITH (DATASOURCE="/x")`)
		Expect(err).To(HaveOccurred())
		Expect(tgt.CreateStream(ctx, `CREATE STREAM noslash () WITH (DATASOURCE="feed", TYPE="websocket")`)).To(Succeed())
		_, err = tgt.CreateRule(ctx, "rslash", "SELECT * FROM noslash")
		Expect(err).To(MatchError(ContainSubstring("websocket endpoint should start with /")))
		_, err = tgt.CreateRule(ctx, "rnone", "SELECT * FROM nowhere")
		Expect(err).To(MatchError(ContainSubstring("nowhere")))
		Expect(tgt.StopRule(ctx, "rnone")).To(MatchError(ContainSubstring("rnone")))
		Expect(tgt.RestartRule(ctx, "rnone")).To(MatchError(ContainSubstring("rnone")))
		Expect(tgt.DropStream(ctx, "nowhere")).To(MatchError(ContainSubstring("nowhere")))
	})

	It("dials a client-mode remote with the confKeys of Apply", func() {
		ctx := bounded()
		srv, err := peer.NewServer(peer.ServerOptions{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(srv.Close)
		tgt := newTarget(ref.Options{})
		Expect(tgt.Apply(ctx, target.Env{ConfKeys: map[string]map[string]any{
			"remote": {"addr": srv.Addr(), "requestHeader": map[string]any{"X-Token": []any{"t1"}}},
		}})).To(Succeed())
		Expect(tgt.CreateStream(ctx, `CREATE STREAM cm () WITH (DATASOURCE="/feed?x=1", CONF_KEY="remote", TYPE="websocket")`)).To(Succeed())
		r, err := tgt.CreateRule(ctx, "rcm", "SELECT * FROM cm")
		Expect(err).NotTo(HaveOccurred())
		sc, err := srv.Accept(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(sc.Handshake().Path).To(Equal("/feed"))
		Expect(sc.Handshake().RawQuery).To(Equal("x=1"))
		Expect(sc.Handshake().Header.Get("X-Token")).To(Equal("t1"))
		Expect(sc.SendText(ctx, `{"v":"hello"}`)).To(Succeed())
		Expect(receive(ctx, r)).To(Equal(target.Record{"v": "hello"}))
		Expect(peer.PortOpen(tgt.DataServer().Addr)).To(BeFalse(), "client mode never opens the data server")
		Expect(tgt.StopRule(ctx, "rcm")).To(Succeed())
		Expect(sc.WaitClose(ctx)).To(Equal(1000))
	})

	It("reports a refused dial as stopped by error", func() {
		ctx := bounded()
		srv, err := peer.NewServer(peer.ServerOptions{})
		Expect(err).NotTo(HaveOccurred())
		addr := srv.Addr()
		Expect(srv.Close()).To(Succeed())
		tgt := newTarget(ref.Options{})
		Expect(tgt.Apply(ctx, target.Env{ConfKeys: map[string]map[string]any{"down": {"addr": addr}}})).To(Succeed())
		Expect(tgt.CreateStream(ctx, `CREATE STREAM dn () WITH (DATASOURCE="/x", CONF_KEY="down", TYPE="websocket")`)).To(Succeed())
		r, err := tgt.CreateRule(ctx, "rdn", "SELECT * FROM dn")
		Expect(err).NotTo(HaveOccurred())
		st, err := r.Status(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.State).To(Equal("stopped by error"))
		Expect(st.Message).To(ContainSubstring("connection refused"))
	})

	Context("with data server TLS", func() {
		var certs *peer.Certs

		BeforeEach(func() {
			var err error
			certs, err = peer.NewCerts(GinkgoT().TempDir())
			Expect(err).NotTo(HaveOccurred())
		})

		It("serves wss only, trusted through the endpoint's CAFile", func() {
			ctx := bounded()
			tgt := newTarget(ref.Options{})
			Expect(tgt.Apply(ctx, target.Env{DataServerTLS: &target.TLSFiles{
				CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile,
			}})).To(Succeed())
			ep := tgt.DataServer()
			Expect(ep.TLS).To(BeTrue())
			Expect(ep.URL("/t")).To(HavePrefix("wss://"))
			Expect(tgt.CreateStream(ctx, serverStream("tl"))).To(Succeed())
			r, err := tgt.CreateRule(ctx, "rtl", "SELECT * FROM tl")
			Expect(err).NotTo(HaveOccurred())

			_, err = peer.Dial(ctx, "ws://"+ep.Addr+"/tl", peer.DialOptions{})
			Expect(err).To(HaveOccurred())

			pem, err := os.ReadFile(ep.CAFile)
			Expect(err).NotTo(HaveOccurred())
			pool := x509.NewCertPool()
			Expect(pool.AppendCertsFromPEM(pem)).To(BeTrue())
			c := dial(ctx, tgt, "/tl", &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
			Expect(c.SendText(ctx, `{"s":true}`)).To(Succeed())
			Expect(receive(ctx, r)).To(Equal(target.Record{"s": true}))
			c2 := dial(ctx, tgt, "/tl", certs.ClientTLS(false))
			Expect(c2.Ping(ctx, "p")).To(Succeed())
		})

		It("demands a client certificate signed by ClientCAFile", func() {
			ctx := bounded()
			tgt := newTarget(ref.Options{})
			Expect(tgt.Apply(ctx, target.Env{DataServerTLS: &target.TLSFiles{
				CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, ClientCAFile: certs.CAFile,
			}})).To(Succeed())
			Expect(tgt.CreateStream(ctx, serverStream("ca"))).To(Succeed())
			r, err := tgt.CreateRule(ctx, "rca", "SELECT * FROM ca")
			Expect(err).NotTo(HaveOccurred())

			_, err = peer.Dial(ctx, tgt.DataServer().URL("/ca"), peer.DialOptions{TLS: certs.ClientTLS(false)})
			Expect(err).To(HaveOccurred())

			c := dial(ctx, tgt, "/ca", certs.ClientTLS(true))
			Expect(c.SendText(ctx, `{"id":1}`)).To(Succeed())
			Expect(receive(ctx, r)).To(Equal(target.Record{"id": json.Number("1")}))
		})
	})

	It("applies the message size limit to every confKey", func() {
		ctx := bounded()
		tgt := newTarget(ref.Options{})
		Expect(tgt.Apply(ctx, target.Env{MaxMessageBytes: 64, ConfKeys: map[string]map[string]any{"named": {}}})).To(Succeed())
		Expect(tgt.CreateStream(ctx, serverStream("lim"))).To(Succeed())
		Expect(tgt.CreateStream(ctx, `CREATE STREAM lim2 () WITH (DATASOURCE="/lim2", CONF_KEY="named", TYPE="websocket")`)).To(Succeed())
		r, err := tgt.CreateRule(ctx, "rlim", "SELECT * FROM lim")
		Expect(err).NotTo(HaveOccurred())
		_, err = tgt.CreateRule(ctx, "rlim2", "SELECT * FROM lim2")
		Expect(err).NotTo(HaveOccurred())
		for _, path := range []string{"/lim", "/lim2"} {
			c := dial(ctx, tgt, path, nil)
			Expect(c.SendText(ctx, `{"small":1}`)).To(Succeed())
			Expect(c.SendText(ctx, `{"big":"`+strings.Repeat("x", 100)+`"}`)).To(Succeed())
			Expect(c.WaitClose(ctx)).To(Equal(1009), path)
		}
		Expect(receive(ctx, r)).To(Equal(target.Record{"small": json.Number("1")}))
	})

	It("builds the engine with the faults it is given", Label(selftest.Label), func() {
		if !fault.Enabled {
			Skip("runs the reference with deliberate defects, which only a build with -tags selftest applies")
		}
		ctx := bounded()
		tgt := newTarget(ref.Options{Faults: fault.Set{ArrayAsOneRecord: true}})
		Expect(tgt.CreateStream(ctx, serverStream("arr"))).To(Succeed())
		r, err := tgt.CreateRule(ctx, "rarr", "SELECT * FROM arr")
		Expect(err).NotTo(HaveOccurred())
		c := dial(ctx, tgt, "/arr", nil)
		Expect(c.SendText(ctx, `[{"i":1},{"i":2}]`)).To(Succeed())
		Expect(c.SendText(ctx, `{"i":3}`)).To(Succeed())
		Expect(receive(ctx, r)).To(Equal(target.Record{"i": json.Number("1")}))
		Expect(receive(ctx, r)).To(Equal(target.Record{"i": json.Number("3")}))
	})

	Context("when Apply is called again", func() {
		It("replaces the confKeys and keeps the streams", func() {
			ctx := bounded()
			srv, err := peer.NewServer(peer.ServerOptions{})
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(srv.Close)
			tgt := newTarget(ref.Options{})
			Expect(tgt.Apply(ctx, target.Env{ConfKeys: map[string]map[string]any{"old": {"addr": "127.0.0.1:1"}}})).To(Succeed())
			Expect(tgt.CreateStream(ctx, `CREATE STREAM again () WITH (DATASOURCE="/again", CONF_KEY="remote", TYPE="websocket")`)).To(Succeed())
			Expect(tgt.CreateStream(ctx, `CREATE STREAM olds () WITH (DATASOURCE="/o", CONF_KEY="old", TYPE="websocket")`)).To(Succeed())

			Expect(tgt.Apply(ctx, target.Env{ConfKeys: map[string]map[string]any{"remote": {"addr": srv.Addr()}}})).To(Succeed())
			Expect(tgt.CreateStream(ctx, serverStream("again"))).To(MatchError(ContainSubstring("already exists")))
			r, err := tgt.CreateRule(ctx, "ragain", "SELECT * FROM again")
			Expect(err).NotTo(HaveOccurred())
			sc, err := srv.Accept(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(sc.SendText(ctx, `{"k":"v"}`)).To(Succeed())
			Expect(receive(ctx, r)).To(Equal(target.Record{"k": "v"}))
			_, err = tgt.CreateRule(ctx, "rolds", "SELECT * FROM olds")
			Expect(err).To(MatchError(config.ErrUnknownConfKey), "the confKey of the first Apply is gone")
		})

		It("rebuilds the engine for new TLS files, keeping the streams", func() {
			ctx := bounded()
			certs, err := peer.NewCerts(GinkgoT().TempDir())
			Expect(err).NotTo(HaveOccurred())
			tgt := newTarget(ref.Options{})
			Expect(tgt.CreateStream(ctx, serverStream("kept"))).To(Succeed())
			Expect(tgt.Apply(ctx, target.Env{DataServerTLS: &target.TLSFiles{
				CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile,
			}})).To(Succeed())
			r, err := tgt.CreateRule(ctx, "rkept", "SELECT * FROM kept")
			Expect(err).NotTo(HaveOccurred())
			c := dial(ctx, tgt, "/kept", certs.ClientTLS(false))
			Expect(c.SendText(ctx, `{"tls":1}`)).To(Succeed())
			Expect(receive(ctx, r)).To(Equal(target.Record{"tls": json.Number("1")}))

			err = tgt.Apply(ctx, target.Env{})
			Expect(err).To(MatchError(ContainSubstring("rkept")), "TLS cannot change under a rule")
			Expect(tgt.DataServer().TLS).To(BeTrue())
		})
	})

	It("closes everything, waits, and refuses work afterwards", func() {
		ctx := bounded()
		tgt, err := ref.Factory(ref.Options{})(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(tgt.CreateStream(ctx, serverStream("cl"))).To(Succeed())
		_, err = tgt.CreateRule(ctx, "rcl", "SELECT * FROM cl")
		Expect(err).NotTo(HaveOccurred())
		c, err := peer.Dial(ctx, tgt.DataServer().URL("/cl"), peer.DialOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.SendText(ctx, `{"unread":1}`)).To(Succeed())
		Expect(tgt.Close()).To(Succeed())
		Expect(c.WaitClose(ctx)).To(Equal(1001))
		Expect(c.Close()).To(Succeed())
		Expect(peer.PortOpen(tgt.DataServer().Addr)).To(BeFalse())
		Expect(tgt.Close()).To(Succeed())
		Expect(tgt.CreateStream(ctx, serverStream("late"))).To(MatchError(ContainSubstring("closed")))
		Expect(tgt.Apply(ctx, target.Env{})).To(MatchError(ContainSubstring("closed")))
	})
})
