package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/goleak"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/engine"
	"github.com/wsconform/wsconform/impl/rest"
)

func TestKuiper(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	RegisterFailHandler(Fail)
	RunSpecs(t, "kuiper CLI")
	goleak.VerifyNone(t, ignore,
		// Ginkgo's interrupt handler outlives RunSpecs by design.
		goleak.IgnoreTopFunction("github.com/onsi/ginkgo/v2/internal/interrupt_handler.(*InterruptHandler).registerForInterrupts.func2"))
}

// seedExample is the stream definition of the WebSocket source page, as the
// shell hands it over after `kuiper create stream demo`.
const seedExample = `() with(format="json", datasource="/api/data", type="websocket")`

var _ = Describe("the kuiper CLI", func() {
	var (
		e    *engine.Engine
		host string
		port string
	)
	BeforeEach(func() {
		k := config.Default()
		k.Source.HTTPServerIP = "127.0.0.1"
		k.Source.HTTPServerPort = 0
		e = engine.New(engine.Options{Kuiper: k})
		srv := httptest.NewServer(rest.New(rest.Config{Engine: e}))
		DeferCleanup(func() {
			srv.Close()
			Expect(e.Close()).To(Succeed())
		})
		var err error
		host, port, err = net.SplitHostPort(srv.Listener.Addr().String())
		Expect(err).NotTo(HaveOccurred())
	})

	// kuiper runs the CLI with args against the server and returns its
	// standard output and error.
	kuiper := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var out, errOut bytes.Buffer
		err := run(ctx, append([]string{"--host", host, "--port", port}, args...), &out, &errOut)
		return out.String(), err
	}
	ok := func(args ...string) string {
		out, err := kuiper(args...)
		ExpectWithOffset(1, err).NotTo(HaveOccurred(), "kuiper %q", args)
		return out
	}

	It("creates the seed's stream from two shell arguments", func() {
		Expect(ok("create", "stream", "demo", seedExample)).To(Equal("Stream demo is created.\n"))
		st, err := e.Stream("demo")
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Options.Datasource).To(Equal("/api/data"))
		Expect(st.Fields).To(BeNil())
	})

	It("creates the seed's stream from one shell argument (demo'() with(...)')", func() {
		Expect(ok("create", "stream", "demo"+seedExample)).To(Equal("Stream demo is created.\n"))
		st, err := e.Stream("demo")
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Options.Datasource).To(Equal("/api/data"))
	})

	It("fails with the server's message on a duplicate stream", func() {
		ok("create", "stream", "demo", seedExample)
		_, err := kuiper("create", "stream", "demo", seedExample)
		Expect(err).To(MatchError("Stream command error: Create stream fails: Item demo already exists."))
	})

	It("shows, describes and drops streams", func() {
		Expect(ok("show", "streams")).To(Equal("No stream definitions are found.\n"))
		ok("create", "stream", "demo", seedExample)
		ok("create", "stream", "alpha", `(id BIGINT) WITH (DATASOURCE="/a")`)
		Expect(ok("show", "streams")).To(Equal("alpha\ndemo\n"))

		var d rest.StreamDescription
		Expect(json.Unmarshal([]byte(ok("describe", "stream", "alpha")), &d)).To(Succeed())
		Expect(d.Name).To(Equal("alpha"))
		Expect(d.StreamFields).To(Equal([]rest.FieldDescription{{Name: "id", FieldType: "BIGINT"}}))

		Expect(ok("drop", "stream", "alpha")).To(Equal("Stream alpha is dropped.\n"))
		Expect(e.Streams()).To(Equal([]string{"demo"}))
		_, err := kuiper("describe", "stream", "alpha")
		Expect(err).To(MatchError("describe stream error: Stream alpha is not found"))
	})

	Describe("rules", func() {
		BeforeEach(func() { ok("create", "stream", "demo", seedExample) })

		It("creates a rule from a file, naming it from the command line", func() {
			file := filepath.Join(GinkgoT().TempDir(), "rule.json")
			Expect(os.WriteFile(file, []byte(`{"sql":"SELECT * FROM demo","actions":[{"log":{}}]}`), 0o644)).To(Succeed())
			Expect(ok("create", "rule", "r1", "-f", file)).To(Equal("Rule r1 was created successfully.\n"))
			def, err := e.Rule("r1")
			Expect(err).NotTo(HaveOccurred())
			Expect(def.SQL).To(Equal("SELECT * FROM demo"))
		})

		It("creates a rule from inline JSON", func() {
			Expect(ok("create", "rule", "r2", `{"id":"other","sql":"SELECT * FROM demo","actions":[{"nop":{}}]}`)).
				To(Equal("Rule r2 was created successfully.\n"))
			Expect(e.Rules()).To(ConsistOf(engine.RuleSummary{ID: "r2", Status: "running"}))
		})

		It("fails on invalid rule JSON and on a missing file without calling the server", func() {
			_, err := kuiper("create", "rule", "r1", `{"sql":`)
			Expect(err).To(MatchError(ContainSubstring("create rule r1: invalid rule JSON")))
			_, err = kuiper("create", "rule", "r1", "-f", filepath.Join(GinkgoT().TempDir(), "missing.json"))
			Expect(err).To(MatchError(ContainSubstring("missing.json")))
			Expect(e.Rules()).To(BeEmpty())
		})

		It("shows the server's refusal of a bad datasource", func() {
			ok("create", "stream", "nods", `() WITH (DATASOURCE="api")`)
			_, err := kuiper("create", "rule", "r1", `{"sql":"SELECT * FROM nods","actions":[{"nop":{}}]}`)
			Expect(err).To(MatchError("websocket endpoint should start with /"))
		})

		It("stops, starts, restarts, shows, describes, reports and drops a rule", func() {
			ok("create", "rule", "r1", `{"sql":"SELECT * FROM demo","actions":[{"nop":{}}]}`)
			Expect(ok("stop", "rule", "r1")).To(Equal("Rule r1 was stopped.\n"))

			var status map[string]any
			Expect(json.Unmarshal([]byte(ok("getstatus", "rule", "r1")), &status)).To(Succeed())
			Expect(status).To(HaveKeyWithValue("status", "stopped"))

			Expect(ok("start", "rule", "r1")).To(Equal("Rule r1 was started\n"))
			Expect(ok("restart", "rule", "r1")).To(Equal("Rule r1 was restarted\n"))
			Expect(json.Unmarshal([]byte(ok("getstatus", "rule", "r1")), &status)).To(Succeed())
			Expect(status).To(HaveKeyWithValue("status", "running"))

			Expect(ok("show", "rules")).To(MatchJSON(`[{"id":"r1","status":"running"}]`))
			Expect(ok("describe", "rule", "r1")).To(MatchJSON(`{"id":"r1","sql":"SELECT * FROM demo","actions":[{"nop":{}}],"triggered":true}`))
			Expect(ok("drop", "rule", "r1")).To(Equal("Rule r1 is dropped.\n"))
			Expect(e.Rules()).To(BeEmpty())
		})

		It("fails with the server's message for an unknown rule", func() {
			_, err := kuiper("getstatus", "rule", "nope")
			Expect(err).To(MatchError("get rule status error: Rule nope is not found"))
			_, err = kuiper("start", "rule", "nope")
			Expect(err).To(MatchError("start rule error: Rule nope is not found"))
			_, err = kuiper("drop", "rule", "nope")
			Expect(err).To(MatchError("Delete rule error: Rule nope is not found"))
		})
	})

	DescribeTable("refuses a malformed command line with a usage error",
		func(args ...string) {
			_, err := kuiper(args...)
			var u usageError
			Expect(err).To(BeAssignableToTypeOf(u))
			Expect(err.Error()).To(ContainSubstring("usage: kuiper"))
		},
		Entry("no command"),
		Entry("verb only", "show"),
		Entry("unknown verb", "frobnicate", "stream"),
		Entry("unknown kind", "show", "tables"),
		Entry("missing name", "drop", "stream"),
		Entry("extra name", "start", "rule", "a", "b"),
		Entry("stream start", "start", "stream", "demo"),
		Entry("create stream without definition", "create", "stream"),
		Entry("create rule without JSON", "create", "rule", "r1"),
	)

	It("reports an unreachable server naming the address", func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		_, closedPort, _ := net.SplitHostPort(ln.Addr().String())
		Expect(ln.Close()).To(Succeed())
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var out, errOut bytes.Buffer
		err = run(ctx, []string{"--port", closedPort, "show", "streams"}, &out, &errOut)
		Expect(err).To(MatchError(ContainSubstring("127.0.0.1:" + closedPort)))
	})

	It("prints usage for --help and succeeds", func() {
		var out, errOut bytes.Buffer
		Expect(run(context.Background(), []string{"--help"}, &out, &errOut)).To(Succeed())
		Expect(strings.Contains(errOut.String(), "usage: kuiper")).To(BeTrue())
	})
})
