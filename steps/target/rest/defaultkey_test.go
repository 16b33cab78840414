package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing/fstest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
	restapi "github.com/wsconform/wsconform/impl/rest"
	"github.com/wsconform/wsconform/steps"
	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/steps/target/rest"
)

// defaultFeature changes the default confKey in the two ways the suite does
// (a message size limit laid over it, and properties of its own) and runs a
// server-mode scenario beside them, which needs a server-mode default.
const defaultFeature = `Feature: The default confKey

  @robustness @needs-message-limit
  Scenario: A message size limit on the default
    Given the message size limit is 1024 bytes
    And a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends a message of 1024 bytes
    Then the rule "r1" outputs 1 record

  @config
  Scenario: Properties of its own on the default
    Given a remote WebSocket server
    And the confKey "default" has:
      | requestHeader | {"X-Team": ["blue"]} |
    And the confKey "remote" points at the remote server
    And a client-mode stream "demo" reading "/api/data" through the confKey "remote"
    When the rule "r1" runs "SELECT * FROM demo"
    Then the remote server receives a connection for "/api/data"
    And the handshake carries the header "X-Team: blue"

  @server-mode
  Scenario: A server-mode stream on the engine's default
    Given a server-mode stream "demo" on "/api/data"
    And the rule "r1" runs "SELECT * FROM demo"
    And a client "c1" connected to "/api/data"
    When client "c1" sends '{"n": 1}'
    Then the rule "r1" outputs {"n": 1}
`

// startEngineWith starts the reference engine behind its REST API holding
// keys, the way kuiperd holds the confKeys of sources/websocket.yaml.
func startEngineWith(keys config.ConfKeys) *refEngine {
	ref := startEngine()
	for name, props := range keys {
		Expect(ref.eng.PutConfKey(name, props)).To(Succeed())
	}
	return ref
}

// listed is GET /metadata/sources/yaml/websocket of the engine at base.
func listed(base string) string {
	ctx := bounded()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metadata/sources/yaml/websocket", nil)
	Expect(err).NotTo(HaveOccurred())
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	DeferCleanup(http.DefaultClient.CloseIdleConnections)
	body, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	Expect(resp.StatusCode).To(Equal(http.StatusOK), string(body))
	return string(body)
}

// runFeature runs defaultFeature through the driver's targets and fails the
// spec, with godog's output, when a scenario fails.
func runFeature(d *rest.Driver) {
	var out bytes.Buffer
	status := steps.Run(steps.Options{
		Factory: d.Factory(),
		FS:      fstest.MapFS{"default.feature": {Data: []byte(defaultFeature)}},
		Format:  "pretty",
		Output:  &out,
	})
	Expect(status).To(Equal(0), out.String())
	Expect(out.String()).To(ContainSubstring("3 scenarios (3 passed)"))
}

var _ = Describe("Driver and the engine's default confKey", func() {
	var ctx context.Context
	BeforeEach(func() { ctx = bounded() })

	It("leaves a server-mode default with properties of its own exactly as it found it", func() {
		const original = `{"addr": "", "maxMessageBytes": 64, "requestHeader": {"X-Origin": ["engine"]}}`
		var props map[string]any
		Expect(json.Unmarshal([]byte(original), &props)).To(Succeed())
		ref := startEngineWith(config.ConfKeys{"default": props})
		drv, err := rest.New(ctx, rest.Options{RestURL: ref.api.URL, DataURL: "ws://" + ref.dataAddr})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(drv.Close)
		Expect(listed(ref.api.URL)).To(MatchJSON(`{"default":`+original+`}`), "a server-mode default is left alone at New")

		By("a message size limit starts from the engine's default")
		limited := newTarget(ctx, drv)
		Expect(limited.Apply(ctx, target.Env{MaxMessageBytes: 256})).To(Succeed())
		Expect(listed(ref.api.URL)).To(MatchJSON(
			`{"default": {"addr": "", "maxMessageBytes": 256, "requestHeader": {"X-Origin": ["engine"]}}}`))
		Expect(limited.Close()).To(Succeed())
		Expect(listed(ref.api.URL)).To(MatchJSON(`{"default":` + original + `}`))

		By("a scenario's own default properties replace it while the scenario runs")
		own := newTarget(ctx, drv)
		Expect(own.Apply(ctx, target.Env{ConfKeys: map[string]map[string]any{"default": {"requestHeader": map[string]any{"X-Team": []any{"blue"}}}}})).
			To(Succeed())
		Expect(listed(ref.api.URL)).To(MatchJSON(`{"default": {"requestHeader": {"X-Team": ["blue"]}}}`))
		Expect(own.Close()).To(Succeed())
		Expect(listed(ref.api.URL)).To(MatchJSON(`{"default":` + original + `}`))

		By("scenarios of the suite that change the default")
		runFeature(drv)
		Expect(drv.Close()).To(Succeed())
		Expect(listed(ref.api.URL)).To(MatchJSON(`{"default":` + original + `}`))
		Expect(ref.eng.Streams()).To(BeEmpty())
		Expect(ref.eng.Rules()).To(BeEmpty())
	})

	It("makes a client-mode default server mode for the run and puts the original back at Close", func() {
		const original = `{"addr": "127.0.0.1:1", "maxMessageBytes": 64, "requestHeader": {"X-Origin": ["engine"]}}`
		const forRun = `{"addr": "", "maxMessageBytes": 64, "requestHeader": {"X-Origin": ["engine"]}}`
		var props map[string]any
		Expect(json.Unmarshal([]byte(original), &props)).To(Succeed())
		ref := startEngineWith(config.ConfKeys{"default": props, "engineskey": {"addr": "127.0.0.1:2"}})
		drv, err := rest.New(ctx, rest.Options{RestURL: ref.api.URL, DataURL: "ws://" + ref.dataAddr})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(drv.Close)
		Expect(listed(ref.api.URL)).To(MatchJSON(`{"default":` + forRun + `, "engineskey": {"addr": "127.0.0.1:2"}}`))

		By("a scenario that changes the default puts the run's default back")
		limited := newTarget(ctx, drv)
		Expect(limited.Apply(ctx, target.Env{MaxMessageBytes: 1024})).To(Succeed())
		Expect(ref.eng.ConfKeys()["default"]).To(HaveKeyWithValue("maxMessageBytes", json.Number("1024")))
		Expect(ref.eng.ConfKeys()["default"]).To(HaveKeyWithValue("addr", ""))
		Expect(limited.Close()).To(Succeed())
		Expect(listed(ref.api.URL)).To(MatchJSON(`{"default":` + forRun + `, "engineskey": {"addr": "127.0.0.1:2"}}`))

		runFeature(drv)
		Expect(drv.Close()).To(Succeed())
		Expect(drv.Close()).To(Succeed())
		Expect(listed(ref.api.URL)).To(MatchJSON(`{"default":` + original + `, "engineskey": {"addr": "127.0.0.1:2"}}`))
	})

	It("refuses to change a confKey the engine holds that the run did not make", func() {
		ref := startEngineWith(config.ConfKeys{"theirs": {"addr": "127.0.0.1:2"}})
		drv := newDriver(ctx, rest.Options{RestURL: ref.api.URL, DataURL: "ws://" + ref.dataAddr})
		tgt := newTarget(ctx, drv)
		err := tgt.Apply(ctx, target.Env{ConfKeys: map[string]map[string]any{"Theirs": {"addr": "127.0.0.1:3"}}})
		Expect(err).To(MatchError(ContainSubstring("confKey Theirs: the engine already holds")))
		Expect(ref.eng.ConfKeys()["theirs"]).To(Equal(map[string]any{"addr": "127.0.0.1:2"}))

		By("a confKey the scenario made may be put again")
		Expect(tgt.Apply(ctx, target.Env{ConfKeys: map[string]map[string]any{"mine": {"addr": "127.0.0.1:3"}}})).To(Succeed())
		Expect(tgt.Apply(ctx, target.Env{ConfKeys: map[string]map[string]any{"mine": {"addr": "127.0.0.1:4"}}})).To(Succeed())
		Expect(tgt.Close()).To(Succeed())
		Expect(ref.eng.ConfKeys()).To(Equal(config.ConfKeys{"default": {}, "theirs": {"addr": "127.0.0.1:2"}}))
	})

	Describe("an engine that cannot list its confKeys", func() {
		var ref *refEngine
		var api *httptest.Server
		BeforeEach(func() {
			ref = startEngine()
			inner := restapi.New(restapi.Config{Engine: ref.eng})
			api = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/metadata/sources/yaml/") {
					http.NotFound(w, r)
					return
				}
				inner.ServeHTTP(w, r)
			}))
			DeferCleanup(api.Close)
		})

		It("says nothing while the default is left alone", func() {
			drv, err := rest.New(ctx, rest.Options{RestURL: api.URL, DataURL: "ws://" + ref.dataAddr})
			Expect(err).NotTo(HaveOccurred())
			tgt := newTarget(ctx, drv)
			Expect(tgt.Apply(ctx, target.Env{ConfKeys: map[string]map[string]any{"mine": {"addr": "127.0.0.1:3"}}})).To(Succeed())
			Expect(tgt.Close()).To(Succeed())
			Expect(drv.Close()).To(Succeed())
		})

		It("puts {\"addr\": \"\"} back as it always did, and says at Close that it had to guess", func() {
			drv, err := rest.New(ctx, rest.Options{RestURL: api.URL, DataURL: "ws://" + ref.dataAddr})
			Expect(err).NotTo(HaveOccurred())
			tgt := newTarget(ctx, drv)
			Expect(tgt.Apply(ctx, target.Env{MaxMessageBytes: 100})).To(Succeed())
			Expect(ref.eng.ConfKeys()["default"]).To(Equal(map[string]any{"addr": "", "maxMessageBytes": json.Number("100")}))
			Expect(tgt.Close()).To(Succeed())
			Expect(ref.eng.ConfKeys()["default"]).To(Equal(map[string]any{"addr": ""}))
			err = drv.Close()
			Expect(err).To(MatchError(ContainSubstring("cannot list its websocket confKeys")))
			Expect(err).To(MatchError(ContainSubstring("HTTP 404")))
			Expect(err).To(MatchError(ContainSubstring(`{"addr":""}`)))
		})

		It("trusts Options.DefaultConfKey when it is given", func() {
			given := map[string]any{"addr": "", "maxMessageBytes": json.Number("2048")}
			Expect(ref.eng.PutConfKey("default", given)).To(Succeed())
			drv, err := rest.New(ctx, rest.Options{RestURL: api.URL, DataURL: "ws://" + ref.dataAddr, DefaultConfKey: given})
			Expect(err).NotTo(HaveOccurred())
			tgt := newTarget(ctx, drv)
			Expect(tgt.Apply(ctx, target.Env{ConfKeys: map[string]map[string]any{"default": {}}})).To(Succeed())
			Expect(tgt.Close()).To(Succeed())
			Expect(drv.Close()).To(Succeed())
			Expect(ref.eng.ConfKeys()["default"]).To(Equal(given))
		})
	})

	It("removes the default it made on an engine that held none, as eKuiper lists it", func() {
		fake := newConfKeyEngine()
		drv, err := rest.New(ctx, rest.Options{RestURL: fake.srv.URL})
		Expect(err).NotTo(HaveOccurred())
		tgt := newTarget(ctx, drv)
		Expect(tgt.Apply(ctx, target.Env{MaxMessageBytes: 100})).To(Succeed())
		Expect(fake.keys()).To(Equal(map[string]map[string]any{"default": {"maxMessageBytes": float64(100)}}))
		Expect(tgt.Close()).To(Succeed())
		Expect(drv.Close()).To(Succeed())
		Expect(fake.keys()).To(BeEmpty())
	})
})

// confKeyEngine answers /ping and the websocket confKey calls as eKuiper
// does: GET /metadata/sources/yaml/websocket is a 400 until a confKey is put.
type confKeyEngine struct {
	srv *httptest.Server

	mu   sync.Mutex
	held map[string]map[string]any
	put  bool
}

func newConfKeyEngine() *confKeyEngine {
	f := &confKeyEngine{held: map[string]map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ping", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("GET /metadata/sources/yaml/websocket", func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if !f.put {
			http.Error(w, `{"error":5000,"message":"sources.websocket"}`, http.StatusBadRequest)
			return
		}
		_ = json.NewEncoder(w).Encode(f.held)
	})
	mux.HandleFunc("PUT /metadata/sources/websocket/confKeys/{key}", func(w http.ResponseWriter, r *http.Request) {
		var props map[string]any
		if err := json.NewDecoder(r.Body).Decode(&props); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.held[r.PathValue("key")] = props
		f.put = true
	})
	mux.HandleFunc("DELETE /metadata/sources/websocket/confKeys/{key}", func(_ http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(f.held, r.PathValue("key"))
	})
	f.srv = httptest.NewServer(mux)
	DeferCleanup(f.srv.Close)
	return f
}

func (f *confKeyEngine) keys() map[string]map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]map[string]any, len(f.held))
	for k, v := range f.held {
		out[k] = v
	}
	return out
}
