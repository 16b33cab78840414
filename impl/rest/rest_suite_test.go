package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/goleak"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/engine"
	"github.com/wsconform/wsconform/impl/rest"
	"github.com/wsconform/wsconform/impl/rest/store"
)

func TestRest(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	RegisterFailHandler(Fail)
	RunSpecs(t, "rest")
	goleak.VerifyNone(t, ignore,
		// Ginkgo's interrupt handler outlives RunSpecs by design.
		goleak.IgnoreTopFunction("github.com/onsi/ginkgo/v2/internal/interrupt_handler.(*InterruptHandler).registerForInterrupts.func2"))
}

// newEngine returns an engine whose data server uses an ephemeral loopback
// port; it is closed when the spec ends.
func newEngine() *engine.Engine { return newEngineOn(0) }

// newEngineOn returns an engine whose data server listens on 127.0.0.1:port
// while a server-mode rule runs; it is closed when the spec ends.
func newEngineOn(port int) *engine.Engine {
	k := config.Default()
	k.Source.HTTPServerIP = "127.0.0.1"
	k.Basic.EnablePrivateNet = true // rest sinks post to loopback test servers
	k.Source.HTTPServerPort = port
	e := engine.New(engine.Options{Kuiper: k})
	DeferCleanup(func() { Expect(e.Close()).To(Succeed()) })
	return e
}

// server is the REST API on a real loopback HTTP server.
type server struct {
	url    string
	client *http.Client
}

// serve starts the REST API for e (with st, when non-nil) on 127.0.0.1:0.
func serve(e *engine.Engine, st *store.Store) *server {
	return serveConfig(rest.Config{Engine: e, Store: st})
}

// serveConfig starts the REST API of cfg on 127.0.0.1:0, logging to the
// spec's output.
func serveConfig(cfg rest.Config) *server {
	cfg.Logger = slog.New(slog.NewTextHandler(GinkgoWriter, nil))
	srv := httptest.NewServer(rest.New(cfg))
	tr := &http.Transport{}
	DeferCleanup(func() {
		tr.CloseIdleConnections()
		srv.Close()
	})
	return &server{url: srv.URL, client: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

// reply is one HTTP response.
type reply struct {
	status int
	header http.Header
	body   string
}

// errorBody decodes the error shape, failing the spec when the body is not one.
func (r reply) errorBody() rest.ErrorBody {
	var eb rest.ErrorBody
	dec := json.NewDecoder(bytes.NewReader([]byte(r.body)))
	dec.DisallowUnknownFields()
	ExpectWithOffset(1, dec.Decode(&eb)).To(Succeed(), "error body %q", r.body)
	ExpectWithOffset(1, r.header.Get("Content-Type")).To(Equal("application/json"))
	return eb
}

// jsonBody decodes a JSON body into v.
func (r reply) jsonBody(v any) {
	ExpectWithOffset(1, json.Unmarshal([]byte(r.body), v)).To(Succeed(), "body %q", r.body)
}

// do sends body, when not empty, as application/json.
func (s *server) do(method, path, body string) reply {
	var h http.Header
	if body != "" {
		h = http.Header{"Content-Type": {"application/json"}}
	}
	return s.doWith(method, path, body, h)
}

// doWith sends body with exactly the headers h; a "Host" entry sets the
// request's Host.
func (s *server) doWith(method, path, body string, h http.Header) reply {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewReader([]byte(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, rd)
	ExpectWithOffset(2, err).NotTo(HaveOccurred())
	for k, v := range h {
		if http.CanonicalHeaderKey(k) == "Host" {
			req.Host = v[0]
			continue
		}
		req.Header[http.CanonicalHeaderKey(k)] = v
	}
	resp, err := s.client.Do(req)
	ExpectWithOffset(2, err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	ExpectWithOffset(2, err).NotTo(HaveOccurred())
	return reply{status: resp.StatusCode, header: resp.Header, body: string(data)}
}

func sqlBody(sql string) string {
	b, err := json.Marshal(map[string]string{"sql": sql})
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}

func ruleBody(id, sql string) string {
	return `{"id":"` + id + `","sql":"` + sql + `","actions":[{"nop":{}}]}`
}
