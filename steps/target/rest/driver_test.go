package rest_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/engine"
	restapi "github.com/wsconform/wsconform/impl/rest"
	"github.com/wsconform/wsconform/steps/peer"
	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/steps/target/rest"
)

// freeAddr returns a 127.0.0.1 address whose port was free a moment ago.
func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	addr := ln.Addr().String()
	Expect(ln.Close()).To(Succeed())
	return addr
}

// refEngine is the reference engine behind its REST API, on loopback.
type refEngine struct {
	eng      *engine.Engine
	api      *httptest.Server
	dataAddr string
}

// startEngine starts an engine whose data server uses a port reserved now.
func startEngine() *refEngine {
	dataAddr := freeAddr()
	host, port, err := net.SplitHostPort(dataAddr)
	Expect(err).NotTo(HaveOccurred())
	k := config.Default()
	k.Source.HTTPServerIP = host
	k.Basic.EnablePrivateNet = true // the collector listens on loopback
	_, err = fmt.Sscan(port, &k.Source.HTTPServerPort)
	Expect(err).NotTo(HaveOccurred())
	e := engine.New(engine.Options{Kuiper: k})
	DeferCleanup(e.Close)
	api := httptest.NewServer(restapi.New(restapi.Config{Engine: e}))
	DeferCleanup(api.Close)
	return &refEngine{eng: e, api: api, dataAddr: dataAddr}
}

func bounded() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	DeferCleanup(cancel)
	return ctx
}

func newDriver(ctx context.Context, opts rest.Options) *rest.Driver {
	d, err := rest.New(ctx, opts)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(d.Close)
	return d
}

func newTarget(ctx context.Context, d *rest.Driver) target.Target {
	t, err := d.Factory()(ctx)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(t.Close)
	return t
}

func receive(rule target.Rule) target.Record {
	var rec target.Record
	Eventually(rule.Records(), target.DefaultTimeout).Should(Receive(&rec))
	return rec
}

// metric finds a metric whose key ends with suffix and starts with prefix.
func metric(st target.Status, prefix, suffix string) any {
	v, ok := st.Metric(prefix, suffix)
	Expect(ok).To(BeTrue(), "no metric %s*%s in %v", prefix, suffix, st.Metrics)
	return v
}

func status(ctx context.Context, r target.Rule) func(Gomega) target.Status {
	return func(g Gomega) target.Status {
		st, err := r.Status(ctx)
		g.Expect(err).NotTo(HaveOccurred())
		return st
	}
}

var _ = Describe("Driver against the reference engine over REST", func() {
	var (
		ctx context.Context
		ref *refEngine
		drv *rest.Driver
		tgt target.Target
	)

	BeforeEach(func() {
		ctx = bounded()
		ref = startEngine()
		drv = newDriver(ctx, rest.Options{RestURL: ref.api.URL, DataURL: "ws://" + ref.dataAddr})
		tgt = newTarget(ctx, drv)
	})

	It("runs a client-mode rule: confKey, stream, records in order with exact numbers, status by metric suffix", func() {
		srv, err := peer.NewServer(peer.ServerOptions{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(srv.Close)

		Expect(tgt.Apply(ctx, target.Env{ConfKeys: map[string]map[string]any{
			"feedkey": {"addr": srv.Addr()},
		}})).To(Succeed())
		Expect(tgt.CreateStream(ctx, `CREATE STREAM feed () WITH (DATASOURCE="/feed?x=1", FORMAT="json", TYPE="websocket", CONF_KEY="feedkey")`)).To(Succeed())
		rule, err := tgt.CreateRule(ctx, "feedrule", "SELECT * FROM feed")
		Expect(err).NotTo(HaveOccurred())
		Expect(rule.ID()).To(Equal("feedrule"))

		conn, err := srv.Accept(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(conn.Handshake().Path).To(Equal("/feed"))
		Expect(conn.Handshake().RawQuery).To(Equal("x=1"))

		Expect(conn.SendText(ctx, `{"a":1,"nested":{"b":[1,2]},"nothing":null}`)).To(Succeed())
		Expect(conn.SendText(ctx, `[{"n":12345678901234567890},{"s":"x"}]`)).To(Succeed())
		Expect(receive(rule)).To(Equal(target.Record{
			"a": json.Number("1"), "nested": map[string]any{"b": []any{json.Number("1"), json.Number("2")}}, "nothing": nil,
		}))
		Expect(receive(rule)).To(Equal(target.Record{"n": json.Number("12345678901234567890")}))
		Expect(receive(rule)).To(Equal(target.Record{"s": "x"}))

		Expect(conn.SendText(ctx, `not json`)).To(Succeed())
		Eventually(status(ctx, rule)).Should(WithTransform(func(st target.Status) any {
			return metric(st, "op_", "_decoder_0_exceptions_total")
		}, Equal(json.Number("1"))))
		st, err := rule.Status(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.State).To(Equal("running"))
		Expect(st.Metrics).NotTo(HaveKey("status"))
		Expect(st.Metrics).NotTo(HaveKey("message"))
		Expect(metric(st, "source_", "_records_in_total")).To(Equal(json.Number("3")))
		Expect(metric(st, "source_", "_connection_status")).To(Equal(json.Number("1")))
	})

	It("runs a server-mode rule on the data server it was given", func() {
		ep := tgt.DataServer()
		Expect(ep).To(Equal(target.Endpoint{Addr: ref.dataAddr}))
		Expect(tgt.CreateStream(ctx, `CREATE STREAM inbox (id BIGINT, name STRING) WITH (DATASOURCE="/inbox", TYPE="websocket")`)).To(Succeed())
		rule, err := tgt.CreateRule(ctx, "inboxrule", "SELECT * FROM inbox")
		Expect(err).NotTo(HaveOccurred())

		var c *peer.Client
		Eventually(func() error {
			c, err = peer.Dial(ctx, ep.URL("/inbox"), peer.DialOptions{})
			return err
		}, target.DefaultTimeout).Should(Succeed())
		DeferCleanup(c.Close)
		Expect(c.SendText(ctx, `[{"id":1,"name":"a","extra":true},{"id":2,"name":"b"}]`)).To(Succeed())
		Expect(receive(rule)).To(Equal(target.Record{"id": json.Number("1"), "name": "a"}))
		Expect(receive(rule)).To(Equal(target.Record{"id": json.Number("2"), "name": "b"}))
	})

	It("returns the engine's messages for refused streams and rules", func() {
		Expect(tgt.CreateStream(ctx, `CREATE STREAM bad () WITH (DATASOURCE="api", TYPE="websocket")`)).To(Succeed())
		_, err := tgt.CreateRule(ctx, "badrule", "SELECT * FROM bad")
		Expect(err).To(MatchError(ContainSubstring("websocket endpoint should start with /")))
		Expect(err).To(MatchError(ContainSubstring("badrule")))
		var ae *rest.APIError
		Expect(errors.As(err, &ae)).To(BeTrue())
		Expect(ae.StatusCode).To(Equal(http.StatusBadRequest))
		Expect(ae.Message).To(Equal("websocket endpoint should start with /"))
		Expect(ref.eng.Rules()).To(BeEmpty())

		err = tgt.CreateStream(ctx, `CREATE STREAM bad () WITH (DATASOURCE="/x", TYPE="websocket")`)
		Expect(err).To(MatchError(ContainSubstring("already exists")))
		err = tgt.CreateStream(ctx, `CREATE STREAM broken (a`)
		Expect(err).To(MatchError(ContainSubstring("expect valid stream field types")))
		Expect(tgt.DropStream(ctx, "nope")).To(MatchError(ContainSubstring("nope")))
	})

	It("creates a rule from a rule JSON, its collect action posting to the collector, lists it and deletes it on Close", func() {
		Expect(tgt.CreateStream(ctx, `CREATE STREAM js () WITH (DATASOURCE="/js", TYPE="websocket")`)).To(Succeed())
		rc, ok := tgt.(target.RuleJSONCreator)
		Expect(ok).To(BeTrue())
		rule, err := rc.CreateRuleJSON(ctx, "jsrule", []byte(`{"id":"jsrule","sql":"SELECT * FROM js","actions":[{"nop":{}},{"collect":{}}]}`))
		Expect(err).NotTo(HaveOccurred())
		stopped, err := rc.CreateRuleJSON(ctx, "jsoff", []byte(`{"id":"jsoff","sql":"SELECT * FROM js","actions":[{"nop":{}}],"triggered":false}`))
		Expect(err).NotTo(HaveOccurred())
		Expect(stopped.ID()).To(Equal("jsoff"))

		var c *peer.Client
		Eventually(func() error {
			c, err = peer.Dial(ctx, tgt.DataServer().URL("/js"), peer.DialOptions{})
			return err
		}, target.DefaultTimeout).Should(Succeed())
		DeferCleanup(c.Close)
		Expect(c.SendText(ctx, `{"n":1}`)).To(Succeed())
		Expect(receive(rule)).To(Equal(target.Record{"n": json.Number("1")}))
		Eventually(status(ctx, rule)).Should(WithTransform(func(st target.Status) any {
			return metric(st, "sink_nop_", "_records_out_total")
		}, Equal(json.Number("1"))))

		list, err := tgt.(target.RuleLister).ListRules(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(list).To(Equal([]target.RuleSummary{{ID: "jsoff", Status: "stopped"}, {ID: "jsrule", Status: "running"}}))

		_, err = rc.CreateRuleJSON(ctx, "jsbad", []byte(`{"id":"jsbad","sql":"SELECT * FROM js","actions":[{"rest":{"url":"http://h","method":"patch"}}]}`))
		Expect(err).To(MatchError(ContainSubstring("Not supported HTTP method patch")))
		_, err = rc.CreateRuleJSON(ctx, "jstwice", []byte(`{"id":"jstwice","sql":"SELECT * FROM js","actions":[{"collect":{}},{"collect":{}}]}`))
		Expect(err).To(MatchError(ContainSubstring("more than one collect action")))

		Expect(tgt.Close()).To(Succeed())
		Expect(ref.eng.Rules()).To(BeEmpty())
	})

	It("stops, starts, restarts and deletes a rule", func() {
		Expect(tgt.CreateStream(ctx, `CREATE STREAM ctl () WITH (DATASOURCE="/ctl", TYPE="websocket")`)).To(Succeed())
		rule, err := tgt.CreateRule(ctx, "ctlrule", "SELECT * FROM ctl")
		Expect(err).NotTo(HaveOccurred())
		Expect(tgt.StopRule(ctx, "ctlrule")).To(Succeed())
		st, err := rule.Status(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.State).To(Equal("stopped"))
		Expect(st.Message).To(Equal("canceled manually"))
		Expect(tgt.StartRule(ctx, "ctlrule")).To(Succeed())
		Eventually(status(ctx, rule)).Should(HaveField("State", "running"))
		Expect(tgt.RestartRule(ctx, "ctlrule")).To(Succeed())
		Eventually(status(ctx, rule)).Should(HaveField("State", "running"))
		Expect(tgt.DeleteRule(ctx, "ctlrule")).To(Succeed())
		Expect(tgt.RestartRule(ctx, "ctlrule")).To(MatchError(ContainSubstring("ctlrule")))
		_, err = rule.Status(ctx)
		var ae *rest.APIError
		Expect(errors.As(err, &ae)).To(BeTrue())
		Expect(ae.StatusCode).To(Equal(http.StatusNotFound))
		Expect(tgt.StartRule(ctx, "ctlrule")).To(MatchError(ContainSubstring("ctlrule")))
	})

	It("removes everything a scenario made on Close, so the same scenario runs again", func() {
		scenario := func() {
			t := newTarget(ctx, drv)
			srv, err := peer.NewServer(peer.ServerOptions{})
			Expect(err).NotTo(HaveOccurred())
			defer srv.Close()
			Expect(t.Apply(ctx, target.Env{ConfKeys: map[string]map[string]any{"againkey": {"addr": srv.Addr()}}})).To(Succeed())
			Expect(t.CreateStream(ctx, `create stream again () with (datasource="/again", type="websocket", conf_key="againkey")`)).To(Succeed())
			Expect(t.CreateStream(ctx, "CREATE STREAM `quoted` () WITH (DATASOURCE=\"/q\", TYPE=\"websocket\")")).To(Succeed())
			rule, err := t.CreateRule(ctx, "againrule", "SELECT * FROM again")
			Expect(err).NotTo(HaveOccurred())
			_, err = t.CreateRule(ctx, "qrule", "SELECT * FROM quoted")
			Expect(err).NotTo(HaveOccurred())
			conn, err := srv.Accept(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(conn.SendText(ctx, `{"run":1}`)).To(Succeed())
			Expect(receive(rule)).To(Equal(target.Record{"run": json.Number("1")}))
			Expect(ref.eng.Streams()).To(ConsistOf("again", "quoted"))
			Expect(ref.eng.ConfKeys()).To(HaveKey("againkey"))

			Expect(t.Close()).To(Succeed())
			Expect(t.Close()).To(Succeed())
			Expect(ref.eng.Rules()).To(BeEmpty())
			Expect(ref.eng.Streams()).To(BeEmpty())
			Expect(ref.eng.ConfKeys()).NotTo(HaveKey("againkey"))
			Expect(ref.eng.ConfKeys()).To(HaveKey("default"))
			Expect(t.CreateStream(ctx, `CREATE STREAM late () WITH (DATASOURCE="/l")`)).To(MatchError(ContainSubstring("closed")))
		}
		scenario()
		scenario()
	})

	It("does not clean up what the scenario already removed", func() {
		Expect(tgt.CreateStream(ctx, `CREATE STREAM gone () WITH (DATASOURCE="/gone", TYPE="websocket")`)).To(Succeed())
		_, err := tgt.CreateRule(ctx, "gonerule", "SELECT * FROM gone")
		Expect(err).NotTo(HaveOccurred())
		Expect(tgt.DeleteRule(ctx, "gonerule")).To(Succeed())
		Expect(tgt.DropStream(ctx, "gone")).To(Succeed())
		// Another client removes nothing here; the engine keeps working.
		Expect(tgt.Close()).To(Succeed())
		Expect(ref.eng.Streams()).To(BeEmpty())
	})

	It("delivers every record in order, however late the reader", func() {
		const n = 300
		Expect(tgt.CreateStream(ctx, `CREATE STREAM bulk () WITH (DATASOURCE="/bulk", TYPE="websocket")`)).To(Succeed())
		rule, err := tgt.CreateRule(ctx, "bulkrule", "SELECT * FROM bulk")
		Expect(err).NotTo(HaveOccurred())
		var c *peer.Client
		Eventually(func() error {
			c, err = peer.Dial(ctx, tgt.DataServer().URL("/bulk"), peer.DialOptions{})
			return err
		}, target.DefaultTimeout).Should(Succeed())
		DeferCleanup(c.Close)
		for i := range n {
			Expect(c.SendText(ctx, fmt.Sprintf(`{"i":%d}`, i))).To(Succeed())
		}
		// The sink has posted everything before anyone reads.
		Eventually(status(ctx, rule), target.DefaultTimeout).Should(WithTransform(func(st target.Status) any {
			return metric(st, "sink_", "_records_out_total")
		}, Equal(json.Number(fmt.Sprint(n)))))
		for i := range n {
			Expect(receive(rule)).To(Equal(target.Record{"i": json.Number(fmt.Sprint(i))}))
		}
		Consistently(rule.Records(), target.QuietWindow).ShouldNot(Receive())
	})

	It("keeps a rule made again under the same id apart from its predecessor", func() {
		Expect(tgt.CreateStream(ctx, `CREATE STREAM twice () WITH (DATASOURCE="/twice", TYPE="websocket")`)).To(Succeed())
		first, err := tgt.CreateRule(ctx, "twicerule", "SELECT * FROM twice")
		Expect(err).NotTo(HaveOccurred())
		Expect(tgt.DeleteRule(ctx, "twicerule")).To(Succeed())
		second, err := tgt.CreateRule(ctx, "twicerule", "SELECT * FROM twice")
		Expect(err).NotTo(HaveOccurred())
		Expect(second.Records()).NotTo(Equal(first.Records()))
		var c *peer.Client
		Eventually(func() error {
			c, err = peer.Dial(ctx, tgt.DataServer().URL("/twice"), peer.DialOptions{})
			return err
		}, target.DefaultTimeout).Should(Succeed())
		DeferCleanup(c.Close)
		Expect(c.SendText(ctx, `{"k":2}`)).To(Succeed())
		Expect(receive(second)).To(Equal(target.Record{"k": json.Number("2")}))
		Consistently(first.Records(), target.QuietWindow).ShouldNot(Receive())
	})

	It("declares what it cannot do, with a way to enable it", func() {
		ok, reason := tgt.Supports(target.ServerTLS)
		Expect(ok).To(BeFalse())
		Expect(reason).To(ContainSubstring("`wsconform config --tls --out DIR` for the reference daemon"))
		Expect(reason).To(ContainSubstring("`wsconform config --for ekuiper --tls --out DIR` for eKuiper"))
		Expect(reason).To(ContainSubstring("--data-url wss://"))
		Expect(reason).To(ContainSubstring("--ca DIR/certs/ca.pem"))
		ok, reason = tgt.Supports(target.DataServerLifecycle)
		Expect(ok).To(BeFalse())
		Expect(reason).To(ContainSubstring("concurrent scenarios"))
		Expect(reason).To(ContainSubstring("--exclusive"))
		Expect(reason).To(ContainSubstring("WSCONFORM_EXCLUSIVE=1"))
		ok, reason = tgt.Supports(target.ServerClientAuth)
		Expect(ok).To(BeFalse())
		Expect(reason).To(ContainSubstring("--target ref"))
		ok, _ = tgt.Supports(target.MessageLimit)
		Expect(ok).To(BeTrue())
		Expect(tgt.Name()).To(ContainSubstring(ref.api.URL))
		Expect(tgt.(target.Describer).Engine(ctx)).To(MatchRegexp(`^version \S+ \(\w+/\w+\)$`), "the version and platform GET / gives")

		err := tgt.Apply(ctx, target.Env{DataServerTLS: &target.TLSFiles{CertFile: "c", KeyFile: "k"}})
		Expect(err).To(MatchError(target.ErrUnsupported))
		Expect(err).To(MatchError(ContainSubstring("wsconform config --tls")))
		Expect(tgt.Apply(ctx, target.Env{MaxMessageBytes: -1})).To(MatchError(ContainSubstring("message size limit -1")))
		Expect(ref.eng.ConfKeys()).To(HaveLen(1))
	})

	It("keeps a password of the REST URL out of its name", func() {
		withUser := strings.Replace(ref.api.URL, "http://", "http://admin:s3cr3t-pw@", 1)
		named := newTarget(ctx, newDriver(ctx, rest.Options{RestURL: withUser, DataURL: "ws://" + ref.dataAddr}))
		Expect(named.Name()).To(ContainSubstring("admin"))
		Expect(named.Name()).NotTo(ContainSubstring("s3cr3t-pw"))
	})

	It("applies a message size limit alone, on the default and the scenario's confKeys, and puts the default back", func() {
		limited := newTarget(ctx, drv)
		applied := make(chan error, 1)
		go func() {
			applied <- limited.Apply(ctx, target.Env{MaxMessageBytes: 64, ConfKeys: map[string]map[string]any{"named": {}}})
		}()
		// Another scenario is open: the default confKey must not change yet.
		Consistently(applied, target.QuietWindow).ShouldNot(Receive())
		Expect(ref.eng.ConfKeys()["default"]).NotTo(HaveKey("maxMessageBytes"))
		Expect(tgt.Close()).To(Succeed())
		Eventually(applied, target.DefaultTimeout).Should(Receive(Succeed()))
		Expect(ref.eng.ConfKeys()["default"]).To(HaveKeyWithValue("maxMessageBytes", json.Number("64")))
		Expect(ref.eng.ConfKeys()["named"]).To(HaveKeyWithValue("maxMessageBytes", json.Number("64")))

		Expect(limited.CreateStream(ctx, `CREATE STREAM capped () WITH (DATASOURCE="/capped", TYPE="websocket")`)).To(Succeed())
		rule, err := limited.CreateRule(ctx, "cappedrule", "SELECT * FROM capped")
		Expect(err).NotTo(HaveOccurred())
		var c *peer.Client
		Eventually(func() error {
			c, err = peer.Dial(ctx, limited.DataServer().URL("/capped"), peer.DialOptions{})
			return err
		}, target.DefaultTimeout).Should(Succeed())
		DeferCleanup(c.DropTCP)
		Expect(c.SendText(ctx, `{"small":1}`)).To(Succeed())
		Expect(receive(rule)).To(Equal(target.Record{"small": json.Number("1")}))
		Expect(c.SendText(ctx, `{"big":"`+strings.Repeat("x", 100)+`"}`)).To(Succeed())
		code, err := c.WaitClose(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(code).To(Equal(1009))

		Expect(limited.Close()).To(Succeed())
		Expect(ref.eng.ConfKeys()).To(Equal(config.ConfKeys{"default": {}}), "the engine's default, as it was")
	})

	It("runs a scenario that changes the default confKey alone, and puts the default back", func() {
		other := newTarget(ctx, drv)
		alone := newTarget(ctx, drv)
		applied := make(chan error, 1)
		go func() {
			applied <- alone.Apply(ctx, target.Env{ConfKeys: map[string]map[string]any{
				"default": {"requestHeader": map[string]any{"X-Team": []any{"blue"}}},
				"named":   {"addr": "127.0.0.1:1"},
			}})
		}()
		Consistently(applied, target.QuietWindow).ShouldNot(Receive())
		Expect(ref.eng.ConfKeys()).NotTo(HaveKey("named"))

		Expect(other.Close()).To(Succeed())
		Consistently(applied, target.QuietWindow).ShouldNot(Receive())
		Expect(tgt.Close()).To(Succeed())
		Eventually(applied, target.DefaultTimeout).Should(Receive(Succeed()))
		Expect(ref.eng.ConfKeys()["default"]).To(HaveKey("requestHeader"))
		Expect(ref.eng.ConfKeys()).To(HaveKey("named"))

		made := make(chan target.Target, 1)
		go func() {
			defer GinkgoRecover()
			t, err := drv.Factory()(ctx)
			Expect(err).NotTo(HaveOccurred())
			made <- t
		}()
		Consistently(made, target.QuietWindow).ShouldNot(Receive())
		Expect(alone.Close()).To(Succeed())
		var next target.Target
		Eventually(made, target.DefaultTimeout).Should(Receive(&next))
		DeferCleanup(next.Close)
		Expect(ref.eng.ConfKeys()["default"]).To(BeEmpty(), "the engine's default, as it was")
		Expect(ref.eng.ConfKeys()).NotTo(HaveKey("named"))
	})

	It("makes a new scenario wait for one that runs alone even past the caller's deadline", func() {
		alone := newTarget(ctx, drv)
		Expect(tgt.Close()).To(Succeed())
		Expect(alone.Apply(ctx, target.Env{ConfKeys: map[string]map[string]any{"default": {}}})).To(Succeed())
		made := make(chan error, 1)
		go func() {
			short, cancel := context.WithTimeout(ctx, target.QuietWindow/3)
			defer cancel()
			t, err := drv.Factory()(short)
			if err == nil {
				err = t.Close()
			}
			made <- err
		}()
		Consistently(made, target.QuietWindow).ShouldNot(Receive())
		Expect(alone.Close()).To(Succeed())
		Eventually(made, target.DefaultTimeout).Should(Receive(Succeed()))
	})

	It("gives up waiting to run alone when the context is cancelled", func() {
		_ = newTarget(ctx, drv)
		alone := newTarget(ctx, drv)
		cctx, cancel := context.WithCancel(ctx)
		applied := make(chan error, 1)
		go func() {
			applied <- alone.Apply(cctx, target.Env{ConfKeys: map[string]map[string]any{"default": {}}})
		}()
		Consistently(applied, target.QuietWindow).ShouldNot(Receive())
		cancel()
		Eventually(applied, target.DefaultTimeout).Should(Receive(MatchError(context.Canceled)))
		// Both still share the engine: a third scenario starts at once.
		_ = newTarget(ctx, drv)
	})

	It("refuses the rule on a stream whose confKey the engine refused, with the engine's message", func() {
		Expect(tgt.Apply(ctx, target.Env{ConfKeys: map[string]map[string]any{
			"Broken": {"addr": "127.0.0.1:70000"},
		}})).To(Succeed())
		Expect(tgt.CreateStream(ctx, `CREATE STREAM viabroken () WITH (DATASOURCE="/b", TYPE="websocket", CONF_KEY="broken")`)).To(Succeed())
		Expect(tgt.CreateStream(ctx, `CREATE STREAM fine () WITH (DATASOURCE="/fine", TYPE="websocket")`)).To(Succeed())
		_, err := tgt.CreateRule(ctx, "brokenrule", "SELECT * FROM viabroken WHERE a > 1")
		Expect(err).To(MatchError(ContainSubstring("70000")))
		var ae *rest.APIError
		Expect(errors.As(err, &ae)).To(BeTrue())
		Expect(ae.StatusCode).To(Equal(http.StatusBadRequest))
		Expect(ref.eng.Rules()).To(BeEmpty())
		_, err = tgt.CreateRule(ctx, "finerule", "SELECT * FROM fine")
		Expect(err).NotTo(HaveOccurred())
	})

	It("collects only at the paths of its rules, and only JSON objects", func() {
		Expect(tgt.CreateStream(ctx, `CREATE STREAM direct () WITH (DATASOURCE="/direct", TYPE="websocket")`)).To(Succeed())
		rule, err := tgt.CreateRule(ctx, "directrule", "SELECT * FROM direct")
		Expect(err).NotTo(HaveOccurred())
		def, err := ref.eng.Rule("directrule")
		Expect(err).NotTo(HaveOccurred())
		Expect(def.Actions).To(HaveLen(1))
		sink := def.Actions[0]["rest"]
		Expect(sink).To(HaveKeyWithValue("method", "post"))
		Expect(sink).To(HaveKeyWithValue("sendSingle", true))
		url, _ := sink["url"].(string)
		Expect(url).To(HavePrefix("http://" + drv.CollectorAddr() + "/r/directrule/"))

		post := func(u, body string) int {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(body))
			Expect(err).NotTo(HaveOccurred())
			resp, err := http.DefaultClient.Do(req)
			Expect(err).NotTo(HaveOccurred())
			Expect(resp.Body.Close()).To(Succeed())
			return resp.StatusCode
		}
		DeferCleanup(http.DefaultClient.CloseIdleConnections)
		Expect(post("http://"+drv.CollectorAddr()+"/r/nobody/1", `{}`)).To(Equal(http.StatusNotFound))
		Expect(post(url, `42`)).To(Equal(http.StatusBadRequest))
		Expect(post(url, `[{"a":1},"x"]`)).To(Equal(http.StatusBadRequest))
		Expect(post(url, `{"a":1} {"b":2}`)).To(Equal(http.StatusBadRequest))
		Expect(post(url, `[{"a":1},{"b":2}]`)).To(Equal(http.StatusOK))
		Expect(receive(rule)).To(Equal(target.Record{"a": json.Number("1")}))
		Expect(receive(rule)).To(Equal(target.Record{"b": json.Number("2")}))
	})

	It("closes the targets left open when the driver closes", func() {
		t, err := drv.Factory()(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(t.CreateStream(ctx, `CREATE STREAM left () WITH (DATASOURCE="/left", TYPE="websocket")`)).To(Succeed())
		_, err = t.CreateRule(ctx, "leftrule", "SELECT * FROM left")
		Expect(err).NotTo(HaveOccurred())
		Expect(drv.Close()).To(Succeed())
		Expect(drv.Close()).To(Succeed())
		Expect(ref.eng.Rules()).To(BeEmpty())
		Expect(ref.eng.Streams()).To(BeEmpty())
		_, err = drv.Factory()(ctx)
		Expect(err).To(MatchError(ContainSubstring("closed")))
	})

	It("tells the engine the collector URL it was given", func() {
		addr := freeAddr()
		_, port, err := net.SplitHostPort(addr)
		Expect(err).NotTo(HaveOccurred())
		d := newDriver(ctx, rest.Options{
			RestURL: ref.api.URL, DataURL: "ws://" + ref.dataAddr,
			CollectorAddr: addr, CollectorURL: "http://localhost:" + port + "/",
		})
		Expect(d.CollectorAddr()).To(Equal(addr))
		t := newTarget(ctx, d)
		Expect(t.CreateStream(ctx, `CREATE STREAM named () WITH (DATASOURCE="/named", TYPE="websocket")`)).To(Succeed())
		rule, err := t.CreateRule(ctx, "namedrule", "SELECT * FROM named")
		Expect(err).NotTo(HaveOccurred())
		def, err := ref.eng.Rule("namedrule")
		Expect(err).NotTo(HaveOccurred())
		Expect(def.Actions[0]["rest"]["url"]).To(HavePrefix("http://localhost:" + port + "/r/namedrule/"))
		var c *peer.Client
		Eventually(func() error {
			c, err = peer.Dial(ctx, t.DataServer().URL("/named"), peer.DialOptions{})
			return err
		}, target.DefaultTimeout).Should(Succeed())
		DeferCleanup(c.Close)
		Expect(c.SendText(ctx, `{"via":"localhost"}`)).To(Succeed())
		Expect(receive(rule)).To(Equal(target.Record{"via": "localhost"}))
	})
})

var _ = Describe("Driver in exclusive mode", func() {
	var (
		ctx context.Context
		ref *refEngine
		drv *rest.Driver
	)

	BeforeEach(func() {
		ctx = bounded()
		ref = startEngine()
		drv = newDriver(ctx, rest.Options{RestURL: ref.api.URL, DataURL: "ws://" + ref.dataAddr, Exclusive: true})
	})

	It("supports the data server lifecycle: the port opens and closes with one scenario's rules", func() {
		tgt := newTarget(ctx, drv)
		ok, reason := tgt.Supports(target.DataServerLifecycle)
		Expect(ok).To(BeTrue(), reason)
		ok, reason = tgt.Supports(target.MessageLimit)
		Expect(ok).To(BeTrue(), reason)
		ep := tgt.DataServer()
		Expect(ep.Addr).To(Equal(ref.dataAddr))

		Expect(tgt.CreateStream(ctx, `CREATE STREAM life () WITH (DATASOURCE="/life", TYPE="websocket")`)).To(Succeed())
		Expect(peer.PortOpen(ep.Addr)).To(BeFalse())
		_, err := tgt.CreateRule(ctx, "liferule", "SELECT * FROM life")
		Expect(err).NotTo(HaveOccurred())
		Eventually(func() bool { return peer.PortOpen(ep.Addr) }, target.DefaultTimeout).Should(BeTrue())
		Expect(tgt.Close()).To(Succeed())
		Eventually(func() bool { return peer.PortOpen(ep.Addr) }, target.DefaultTimeout).Should(BeFalse())
		Expect(ref.eng.Rules()).To(BeEmpty())

		// The next scenario finds the engine as clean as the first did.
		next := newTarget(ctx, drv)
		ok, _ = next.Supports(target.DataServerLifecycle)
		Expect(ok).To(BeTrue())
	})

	It("makes one target at a time and says to run with concurrency 1", func() {
		first := newTarget(ctx, drv)
		_, err := drv.Factory()(ctx)
		Expect(err).To(MatchError(ContainSubstring("one scenario at a time")))
		Expect(err).To(MatchError(ContainSubstring("concurrency 1")))
		Expect(first.Close()).To(Succeed())
		_ = newTarget(ctx, drv)
	})

	It("reports a rule left on the engine when a scenario starts, and runs again once it is gone", func() {
		Expect(ref.eng.CreateStream(`CREATE STREAM stale () WITH (DATASOURCE="/stale", TYPE="websocket")`)).Error().NotTo(HaveOccurred())
		Expect(ref.eng.CreateRule(ctx, engine.RuleDef{
			ID: "staleRule", SQL: "SELECT * FROM stale", Actions: []map[string]map[string]any{{"nop": {}}},
		})).To(Succeed())

		_, err := drv.Factory()(ctx)
		Expect(err).To(MatchError(ContainSubstring("staleRule (running)")))
		Expect(err).To(MatchError(ContainSubstring(ref.api.URL)))
		Expect(err).To(MatchError(ContainSubstring("fresh engine")))
		// The failed start holds nothing: the same error again, not "still open".
		_, err = drv.Factory()(ctx)
		Expect(err).To(MatchError(ContainSubstring("staleRule")))

		Expect(ref.eng.DeleteRule("staleRule")).To(Succeed())
		_ = newTarget(ctx, drv)
	})

	It("applies a message size limit at once and puts the default confKey back", func() {
		tgt := newTarget(ctx, drv)
		Expect(tgt.Apply(ctx, target.Env{MaxMessageBytes: 128})).To(Succeed())
		Expect(ref.eng.ConfKeys()["default"]).To(Equal(map[string]any{"maxMessageBytes": json.Number("128")}))
		Expect(tgt.Close()).To(Succeed())
		Expect(ref.eng.ConfKeys()).To(Equal(config.ConfKeys{"default": {}}))
	})
})

var _ = Describe("Driver against an engine serving wss from WriteConfig", func() {
	It("accepts a wss scenario and reaches the data server with the written CA", func() {
		ctx := bounded()
		restAddr, dataAddr := freeAddr(), freeAddr()
		var restPort, dataPort int
		_, err := fmt.Sscan(restAddr[strings.LastIndex(restAddr, ":")+1:], &restPort)
		Expect(err).NotTo(HaveOccurred())
		_, err = fmt.Sscan(dataAddr[strings.LastIndex(dataAddr, ":")+1:], &dataPort)
		Expect(err).NotTo(HaveOccurred())
		c, err := rest.WriteConfigWith(GinkgoT().TempDir(), rest.ConfigOptions{TLS: true, RestPort: restPort, DataPort: dataPort})
		Expect(err).NotTo(HaveOccurred())

		k, err := config.LoadKuiper(c.KuiperFile)
		Expect(err).NotTo(HaveOccurred())
		keys, err := config.LoadConfKeys(c.WebsocketFile)
		Expect(err).NotTo(HaveOccurred())
		e := engine.New(engine.Options{Kuiper: k, ConfKeys: keys})
		DeferCleanup(e.Close)
		ln, err := net.Listen("tcp", k.Basic.Addr())
		Expect(err).NotTo(HaveOccurred())
		srv := &http.Server{Handler: restapi.New(restapi.Config{Engine: e}), ReadHeaderTimeout: 5 * time.Second}
		served := make(chan error, 1)
		go func() { served <- srv.Serve(ln) }()
		DeferCleanup(func() {
			Expect(srv.Close()).To(Succeed())
			Expect(<-served).To(MatchError(http.ErrServerClosed))
		})

		drv := newDriver(ctx, c.Options())
		tgt := newTarget(ctx, drv)
		ok, _ := tgt.Supports(target.ServerTLS)
		Expect(ok).To(BeTrue())
		ep := tgt.DataServer()
		Expect(ep).To(Equal(target.Endpoint{Addr: dataAddr, TLS: true, CAFile: c.CAFile}))

		other, err := peer.NewCerts(GinkgoT().TempDir())
		Expect(err).NotTo(HaveOccurred())
		err = tgt.Apply(ctx, target.Env{DataServerTLS: &target.TLSFiles{
			CertFile: other.ServerCertFile, KeyFile: other.ServerKeyFile, ClientCAFile: other.CAFile,
		}})
		Expect(err).To(MatchError(target.ErrUnsupported))
		Expect(tgt.Apply(ctx, target.Env{DataServerTLS: &target.TLSFiles{
			CertFile: other.ServerCertFile, KeyFile: other.ServerKeyFile,
		}})).To(Succeed())

		Expect(tgt.CreateStream(ctx, `CREATE STREAM secure () WITH (DATASOURCE="/secure", TYPE="websocket")`)).To(Succeed())
		rule, err := tgt.CreateRule(ctx, "securerule", "SELECT * FROM secure")
		Expect(err).NotTo(HaveOccurred())

		pem, err := os.ReadFile(ep.CAFile)
		Expect(err).NotTo(HaveOccurred())
		pool := x509.NewCertPool()
		Expect(pool.AppendCertsFromPEM(pem)).To(BeTrue())
		var cl *peer.Client
		Eventually(func() error {
			cl, err = peer.Dial(ctx, ep.URL("/secure"), peer.DialOptions{TLS: &tls.Config{RootCAs: pool}})
			return err
		}, target.DefaultTimeout).Should(Succeed())
		DeferCleanup(cl.Close)
		Expect(cl.SendText(ctx, `{"tls":true}`)).To(Succeed())
		Expect(receive(rule)).To(Equal(target.Record{"tls": true}))
	})
})

var _ = Describe("New", func() {
	It("names the engine that does not answer", func() {
		addr := freeAddr()
		_, err := rest.New(bounded(), rest.Options{RestURL: "http://" + addr})
		Expect(err).To(MatchError(ContainSubstring("http://" + addr)))
	})

	DescribeTable("refuses options it cannot use, naming them",
		func(opts rest.Options, want string) {
			_, err := rest.New(bounded(), opts)
			Expect(err).To(MatchError(ContainSubstring(want)))
		},
		Entry("rest url scheme", rest.Options{RestURL: "ftp://127.0.0.1:1"}, `rest url "ftp://127.0.0.1:1"`),
		Entry("data url scheme", rest.Options{DataURL: "http://127.0.0.1:1"}, `data url "http://127.0.0.1:1"`),
		Entry("data url path", rest.Options{DataURL: "ws://127.0.0.1:1/x"}, `data url "ws://127.0.0.1:1/x"`),
		Entry("collector address", rest.Options{CollectorAddr: "nowhere"}, `collector address "nowhere"`),
		Entry("collector url", rest.Options{CollectorURL: "https://x"}, `collector url "https://x"`),
		Entry("missing CA file", rest.Options{CAFile: "/nonexistent/ca.pem"}, "/nonexistent/ca.pem"),
	)

	It("refuses a CA file without a certificate", func() {
		f := filepath.Join(GinkgoT().TempDir(), "ca.pem")
		Expect(os.WriteFile(f, []byte("not a certificate"), 0o600)).To(Succeed())
		_, err := rest.New(bounded(), rest.Options{CAFile: f})
		Expect(err).To(MatchError(ContainSubstring(f)))
	})

	It("reads its options from the environment", func() {
		GinkgoT().Setenv("WSCONFORM_REST_URL", "http://127.0.0.1:1")
		GinkgoT().Setenv("WSCONFORM_DATA_URL", "wss://127.0.0.1:2")
		GinkgoT().Setenv("WSCONFORM_CA", "/ca.pem")
		GinkgoT().Setenv("WSCONFORM_COLLECTOR", "127.0.0.1:3")
		GinkgoT().Setenv("WSCONFORM_COLLECTOR_URL", "http://host:3")
		GinkgoT().Setenv("WSCONFORM_EXCLUSIVE", "1")
		Expect(rest.OptionsFromEnv()).To(Equal(rest.Options{
			RestURL: "http://127.0.0.1:1", DataURL: "wss://127.0.0.1:2", CAFile: "/ca.pem",
			CollectorAddr: "127.0.0.1:3", CollectorURL: "http://host:3", Exclusive: true,
		}))
		GinkgoT().Setenv("WSCONFORM_EXCLUSIVE", "false")
		Expect(rest.OptionsFromEnv().Exclusive).To(BeFalse())
	})

	It("fails when the engine answers /ping with an error", func() {
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write(bytes.TrimSpace([]byte(`{"error":1000,"message":"starting"}`)))
		}))
		DeferCleanup(api.Close)
		_, err := rest.New(bounded(), rest.Options{RestURL: api.URL})
		Expect(err).To(MatchError(ContainSubstring("HTTP 503: starting")))
	})
})
