package rest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/engine"
	"github.com/wsconform/wsconform/impl/rest"
)

var _ = Describe("names the router would rewrite", func() {
	var (
		e   *engine.Engine
		api *server
	)
	BeforeEach(func() {
		e = newEngine()
		api = serve(e, nil)
	})

	DescribeTable("refuses a stream name that is not letters, digits, - and _, with eKuiper's 400",
		func(name, message string) {
			sql := "CREATE STREAM `" + name + "` () WITH (DATASOURCE=\"/n\", TYPE=\"websocket\")"
			r := api.do(http.MethodPost, "/streams", sqlBody(sql))
			Expect(r.status).To(Equal(http.StatusBadRequest))
			Expect(r.errorBody()).To(Equal(rest.ErrorBody{Error: 3000, Message: "Stream command error: " + message}))
			Expect(e.Streams()).To(BeEmpty())
		},
		Entry("dot", ".", "id '.' contains invalid characters: only alphanumeric, hyphens and underscores are allowed"),
		Entry("dot dot", "..", "id '..' contains invalid characters: only alphanumeric, hyphens and underscores are allowed"),
		Entry("a slash", "a/b", "id 'a/b' contains invalid characters: only alphanumeric, hyphens and underscores are allowed"),
		Entry("a percent escape", "a%2Fb", "id 'a%2Fb' contains invalid characters: only alphanumeric, hyphens and underscores are allowed"),
		Entry("a space", "a b", "id 'a b' contains invalid characters: only alphanumeric, hyphens and underscores are allowed"),
	)

	DescribeTable("refuses such a rule id with eKuiper's 400, so that no rule blocks its stream unreachably",
		func(id string) {
			Expect(api.do(http.MethodPost, "/streams", sqlBody(demoSQL)).status).To(Equal(http.StatusCreated))
			r := api.do(http.MethodPost, "/rules", `{"id":"`+id+`","sql":"SELECT * FROM s9","actions":[{"nop":{}}]}`)
			Expect(r.status).To(Equal(http.StatusBadRequest))
			Expect(r.errorBody()).To(Equal(rest.ErrorBody{Error: 1000, Message: "invalid rule json: id '" + id +
				"' contains invalid characters: only alphanumeric, hyphens and underscores are allowed"}))
			Expect(e.Rules()).To(BeEmpty())
			Expect(api.do(http.MethodDelete, "/streams/s9", "").status).To(Equal(http.StatusOK))
		},
		Entry("dot", "."),
		Entry("dot dot", ".."),
		Entry("a slash", "a/b"),
		Entry("a letter beyond ASCII", "é"),
	)

	It("accepts letters, digits, hyphens and underscores and reaches them by name", func() {
		sql := "CREATE STREAM `S-9_x` () WITH (DATASOURCE=\"/n\", TYPE=\"websocket\")"
		Expect(api.do(http.MethodPost, "/streams", sqlBody(sql)).status).To(Equal(http.StatusCreated))
		Expect(api.do(http.MethodPost, "/rules", ruleBody("R-9_x", "SELECT * FROM `S-9_x`")).status).To(Equal(http.StatusCreated))
		Expect(api.do(http.MethodGet, "/rules/R-9_x", "").status).To(Equal(http.StatusOK))
		Expect(api.do(http.MethodDelete, "/rules/R-9_x", "").status).To(Equal(http.StatusOK))
		Expect(api.do(http.MethodDelete, "/streams/S-9_x", "").status).To(Equal(http.StatusOK))
	})
})

var _ = Describe("requests a browser page could forge", func() {
	var (
		e   *engine.Engine
		api *server
	)
	BeforeEach(func() {
		e = newEngine()
		api = serveConfig(rest.Config{Engine: e, AllowedHosts: []string{"Kuiper.LAN"}, AllowedOrigins: []string{"https://console.lan:8443"}})
	})
	port := func() string { return api.url[strings.LastIndex(api.url, ":")+1:] }
	jsonType := http.Header{"Content-Type": {"application/json"}}
	with := func(h http.Header, kv ...string) http.Header {
		out := h.Clone()
		for i := 0; i < len(kv); i += 2 {
			out[http.CanonicalHeaderKey(kv[i])] = []string{kv[i+1]}
		}
		return out
	}

	DescribeTable("refuses a Host that is not an address or allowed name with 421 naming it",
		func(host string) {
			r := api.doWith(http.MethodPost, "/streams", sqlBody(demoSQL), with(jsonType, "Host", host))
			Expect(r.status).To(Equal(http.StatusMisdirectedRequest))
			eb := r.errorBody()
			Expect(eb.Error).To(Equal(1000))
			Expect(eb.Message).To(ContainSubstring(fmt.Sprintf("Host %q", host)))
			Expect(eb.Message).To(ContainSubstring("basic.restAllowedHosts"))
			Expect(e.Streams()).To(BeEmpty())
			Expect(api.doWith(http.MethodGet, "/streams", "", http.Header{"Host": {host}}).status).To(Equal(http.StatusMisdirectedRequest))
		},
		Entry("a rebound DNS name", "attacker.example:9081"),
		Entry("a name without port", "attacker.example"),
		Entry("a name ending in localhost that is not under it", "evillocalhost"),
	)

	DescribeTable("serves a Host that is an IP address, localhost or an allowed name",
		func(host string) {
			host += port()
			Expect(api.doWith(http.MethodGet, "/ping", "", http.Header{"Host": {host}}).status).To(Equal(http.StatusOK))
		},
		Entry("IPv4 loopback", "127.0.0.1:"),
		Entry("IPv6 loopback", "[::1]:"),
		Entry("another address", "192.168.1.20:"),
		Entry("localhost", "localhost:"),
		Entry("a name under localhost", "kuiper.localhost:"),
		Entry("an allowed name, any case", "kuiper.lan:"),
	)

	It("refuses a state-changing request from another origin with 403 naming it, and lets reads through", func() {
		r := api.doWith(http.MethodPost, "/streams", sqlBody(demoSQL), with(jsonType, "Origin", "http://attacker.example"))
		Expect(r.status).To(Equal(http.StatusForbidden))
		Expect(r.errorBody().Message).To(And(ContainSubstring("http://attacker.example"), ContainSubstring("basic.restAllowedOrigins")))
		r = api.doWith(http.MethodPost, "/streams", sqlBody(demoSQL), with(jsonType, "Sec-Fetch-Site", "cross-site"))
		Expect(r.status).To(Equal(http.StatusForbidden))
		Expect(r.errorBody().Message).To(ContainSubstring("cross-site"))
		Expect(api.doWith(http.MethodDelete, "/streams/s9", "", http.Header{"Origin": {"http://127.0.0.1:1"}}).status).To(Equal(http.StatusForbidden))
		Expect(e.Streams()).To(BeEmpty())
		Expect(api.doWith(http.MethodGet, "/streams", "", http.Header{"Origin": {"http://attacker.example"}}).status).To(Equal(http.StatusOK))
	})

	It("serves state-changing requests from its own origin and from allowed origins", func() {
		own := "http://127.0.0.1:" + port()
		r := api.doWith(http.MethodPost, "/streams", sqlBody(demoSQL), with(jsonType, "Origin", own, "Sec-Fetch-Site", "same-origin"))
		Expect(r.status).To(Equal(http.StatusCreated), r.body)
		r = api.doWith(http.MethodDelete, "/streams/s9", "", http.Header{"Origin": {"https://console.lan:8443"}, "Sec-Fetch-Site": {"cross-site"}})
		Expect(r.status).To(Equal(http.StatusOK), r.body)
	})

	DescribeTable("refuses a state-changing body that is not application/json with 415 naming its type",
		func(method, path, contentType string) {
			h := http.Header{}
			if contentType != "" {
				h.Set("Content-Type", contentType)
			}
			r := api.doWith(method, path, `{"sql":"`+strings.ReplaceAll(demoSQL, `"`, `\"`)+`"}`, h)
			Expect(r.status).To(Equal(http.StatusUnsupportedMediaType))
			Expect(r.errorBody().Message).To(ContainSubstring(fmt.Sprintf("Content-Type %q", contentType)))
			Expect(e.Streams()).To(BeEmpty())
			Expect(e.ConfKeys()).To(HaveLen(1))
		},
		Entry("text/plain", http.MethodPost, "/streams", "text/plain"),
		Entry("a form", http.MethodPost, "/streams", "application/x-www-form-urlencoded"),
		Entry("multipart", http.MethodPost, "/streams", "multipart/form-data; boundary=x"),
		Entry("none", http.MethodPost, "/streams", ""),
		Entry("a confKey put as text", http.MethodPut, "/metadata/sources/websocket/confKeys/k", "text/plain;charset=UTF-8"),
	)

	It("takes application/json with parameters, and bodiless commands without a type", func() {
		r := api.doWith(http.MethodPost, "/streams", sqlBody(demoSQL), http.Header{"Content-Type": {"Application/JSON; charset=utf-8"}})
		Expect(r.status).To(Equal(http.StatusCreated), r.body)
		Expect(api.doWith(http.MethodPost, "/rules", ruleBody("r9", "SELECT * FROM s9"), jsonType).status).To(Equal(http.StatusCreated))
		Expect(api.doWith(http.MethodPost, "/rules/r9/stop", "", nil).status).To(Equal(http.StatusOK))
		Expect(api.doWith(http.MethodDelete, "/rules/r9", "", nil).status).To(Equal(http.StatusOK))
	})
})

var _ = Describe("basic.enablePrivateNet", func() {
	// received counts the requests a loopback HTTP server gets.
	sinkServer := func() (url string, received *atomic.Int64) {
		received = &atomic.Int64{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			received.Add(1)
			w.WriteHeader(http.StatusOK)
		}))
		DeferCleanup(srv.Close)
		return srv.URL, received
	}
	engineWith := func(privateNet bool) *engine.Engine {
		k := config.Default()
		k.Source.HTTPServerIP = "127.0.0.1"
		k.Source.HTTPServerPort = 0
		k.Basic.EnablePrivateNet = privateNet
		e := engine.New(engine.Options{Kuiper: k})
		DeferCleanup(func() { Expect(e.Close()).To(Succeed()) })
		return e
	}
	// run creates a rule posting to url, sends n messages and returns the
	// rule's status once the rest sink has handled them all.
	run := func(api *server, e *engine.Engine, url string, n int) map[string]any {
		Expect(api.do(http.MethodPost, "/streams", sqlBody(demoSQL)).status).To(Equal(http.StatusCreated))
		r := api.do(http.MethodPost, "/rules", `{"id":"r9","sql":"SELECT * FROM s9","actions":[{"rest":{"url":"`+url+`","method":"post","sendSingle":true}}]}`)
		Expect(r.status).To(Equal(http.StatusCreated), "eKuiper creates the rule and refuses each connection")
		d := websocket.Dialer{HandshakeTimeout: 3 * time.Second}
		c, _, err := d.Dial("ws://"+e.DataServerAddr()+"/api/data", nil)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(c.Close)
		for i := range n {
			Expect(c.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, `{"i":%d}`, i))).To(Succeed())
		}
		var st map[string]any
		Eventually(func() any {
			api.do(http.MethodGet, "/rules/r9/status", "").jsonBody(&st)
			return st["sink_rest_0_0_records_in_total"]
		}, 5*time.Second).Should(BeNumerically("==", n))
		Eventually(func() any {
			api.do(http.MethodGet, "/rules/r9/status", "").jsonBody(&st)
			return st["sink_rest_0_0_exceptions_total"].(float64) + st["sink_rest_0_0_records_out_total"].(float64)
		}, 5*time.Second).Should(BeNumerically("==", n))
		return st
	}

	DescribeTable("false: a rest sink never connects to a loopback address, however it is named",
		func(host string) {
			url, received := sinkServer()
			url = strings.Replace(url, "127.0.0.1", host, 1)
			e := engineWith(false)
			st := run(serve(e, nil), e, url, 3)
			Expect(st).To(HaveKeyWithValue("sink_rest_0_0_exceptions_total", BeNumerically("==", 3)))
			Expect(st).To(HaveKeyWithValue("sink_rest_0_0_records_out_total", BeNumerically("==", 0)))
			Expect(st).To(HaveKeyWithValue("sink_rest_0_0_last_exception",
				And(ContainSubstring("is in internal network"), ContainSubstring("basic.enablePrivateNet"))))
			Expect(st).To(HaveKeyWithValue("status", "running"))
			Expect(received.Load()).To(BeZero())
		},
		Entry("an IPv4 address", "127.0.0.1"),
		Entry("a host name resolving to it", "localhost"),
	)

	It("true: a rest sink posts to loopback", func() {
		url, received := sinkServer()
		e := engineWith(true)
		st := run(serve(e, nil), e, url, 3)
		Expect(st).To(HaveKeyWithValue("sink_rest_0_0_records_out_total", BeNumerically("==", 3)))
		Expect(received.Load()).To(BeNumerically("==", 3))
	})
})
