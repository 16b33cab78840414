package main

import (
	"bytes"
	"context"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/engine"
	restapi "github.com/wsconform/wsconform/impl/rest"
)

var _ = Describe("wsconform run --exclusive", func() {
	var stdout, stderr *bytes.Buffer

	BeforeEach(func() {
		stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
	})

	It("runs the rest target one scenario at a time", func() {
		f, err := parseRunFlags([]string{"--target", "rest", "--exclusive"}, stderr)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.rest.Exclusive).To(BeTrue())
		Expect(f.concurrency).To(Equal(1))
		Expect(stderr.String()).To(BeEmpty())

		f, err = parseRunFlags([]string{"--target", "rest", "--exclusive", "--concurrency", "4"}, stderr)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.concurrency).To(Equal(1))
		Expect(stderr.String()).To(ContainSubstring("--concurrency 4 becomes 1"))

		f, err = parseRunFlags([]string{"--target", "rest", "--concurrency", "4"}, stderr)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.rest.Exclusive).To(BeFalse())
		Expect(f.concurrency).To(Equal(4))
	})

	It("reads WSCONFORM_EXCLUSIVE and names a value it cannot read", func() {
		GinkgoT().Setenv("WSCONFORM_EXCLUSIVE", "1")
		f, err := parseRunFlags([]string{"--target", "rest"}, stderr)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.rest.Exclusive).To(BeTrue())
		Expect(f.concurrency).To(Equal(1))

		GinkgoT().Setenv("WSCONFORM_EXCLUSIVE", "sometimes")
		_, err = parseRunFlags([]string{"--target", "rest"}, stderr)
		Expect(err).To(MatchError(ContainSubstring(`WSCONFORM_EXCLUSIVE="sometimes"`)))
	})

	It("runs the lifecycle and message-limit scenarios against the reference engine over REST", func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		DeferCleanup(cancel)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		dataAddr := ln.Addr().String()
		Expect(ln.Close()).To(Succeed())
		k := config.Default()
		k.Source.HTTPServerIP = "127.0.0.1"
		k.Source.HTTPServerPort = ln.Addr().(*net.TCPAddr).Port
		k.Basic.EnablePrivateNet = true // the collector listens on loopback
		e := engine.New(engine.Options{Kuiper: k})
		DeferCleanup(e.Close)
		api := httptest.NewServer(restapi.New(restapi.Config{Engine: e}))
		DeferCleanup(api.Close)

		dir := GinkgoT().TempDir()
		code := Main(ctx, []string{"run", "--target", "rest", "--exclusive", "--rest-url", api.URL,
			"--data-url", "ws://" + dataAddr, "--tags", "@needs-lifecycle,@needs-message-limit", "--report", dir}, stdout, stderr)
		Expect(code).To(Equal(0), stdout.String()+stderr.String())
		m := summaryLine.FindStringSubmatch(stdout.String())
		Expect(m).NotTo(BeNil(), stdout.String())
		GinkgoWriter.Print(stdout.String())
		Expect(m[1]).NotTo(Equal("0"))
		Expect(m[2]).To(Equal("0"))
		// Only the scenario whose premise, another program on the closed
		// port, the engine's held port rules out is skipped.
		Expect(m[3]).To(Equal("1"), "nothing else skipped in exclusive mode")
		Expect(stdout.String()).To(MatchRegexp(`skipped +lifecycle-port-taken-stops-rule`))
		md, err := os.ReadFile(filepath.Join(dir, "report.md"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(md)).To(ContainSubstring("## @lifecycle"))
		Expect(e.Rules()).To(BeEmpty())

		// A rule the run did not make stops the next run before any scenario.
		_, err = e.CreateStream(`CREATE STREAM other () WITH (DATASOURCE="/other", TYPE="websocket")`)
		Expect(err).NotTo(HaveOccurred())
		Expect(e.CreateRule(ctx, engine.RuleDef{ID: "other", SQL: "SELECT * FROM other",
			Actions: []map[string]map[string]any{{"nop": {}}}})).To(Succeed())
		stderr.Reset()
		code = Main(ctx, []string{"run", "--target", "rest", "--exclusive", "--rest-url", api.URL,
			"--data-url", "ws://" + dataAddr, "--tags", "@needs-lifecycle", "--report", dir}, stdout, stderr)
		Expect(code).To(Equal(2))
		Expect(stderr.String()).To(ContainSubstring("other (running)"))
		Expect(stderr.String()).To(ContainSubstring("fresh engine"))
	})
})
