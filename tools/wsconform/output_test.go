package main

import (
	"bytes"
	"context"
	"os"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/tools/internal/redact"
)

var _ = Describe("redactingWriter", func() {
	var out *bytes.Buffer
	var w *redactingWriter

	BeforeEach(func() {
		out = &bytes.Buffer{}
		w = newRedactingWriter(out, redact.New("t0k3n-value"))
	})

	write := func(s string) {
		n, err := w.Write([]byte(s))
		ExpectWithOffset(1, err).NotTo(HaveOccurred())
		ExpectWithOffset(1, n).To(Equal(len(s)))
	}

	It("shows progress marks before the line ends", func() {
		write("\x1b[32m.\x1b[0m")
		write("..F-")
		Expect(out.String()).To(Equal("\x1b[32m.\x1b[0m..F-"))
		write(" 5\n")
		Expect(out.String()).To(HaveSuffix(" 5\n"))
	})

	It("holds other text until its line ends, then redacts it", func() {
		write("header was t0k3n")
		Expect(out.String()).To(BeEmpty())
		write("-value, want x\nnext")
		Expect(out.String()).To(Equal("header was [REDACTED], want x\n"))
		Expect(w.Flush()).To(Succeed())
		Expect(out.String()).To(HaveSuffix("next"))
	})

	It("drops godog's totals, which count declined scenarios as passed, and keeps the rest", func() {
		write("\n110 scenarios (110 passed)\n\x1b[32m723 steps (659 passed, 64 skipped)\x1b[0m\n36.055413474s\n1m2.5s\n")
		write("Scenario: 3 scenarios (of 5) stay\n")
		Expect(out.String()).To(Equal("\nScenario: 3 scenarios (of 5) stay\n"))
	})

	It("drops the lines of a PEM block", func() {
		write("cert: -----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJA\nAAAA\n-----END CERTIFICATE----- tail\nafter\n")
		Expect(out.String()).To(Equal("cert: [REDACTED PEM]\n tail\nafter\n"))
		Expect(out.String()).NotTo(ContainSubstring("MIIB"))
	})
})

var _ = Describe("parseFormats", func() {
	It("splits names and files", func() {
		fs, err := parseFormats("pretty, junit:out/j.xml,cucumber:c.json")
		Expect(err).NotTo(HaveOccurred())
		Expect(fs).To(Equal([]format{{"pretty", ""}, {"junit", "out/j.xml"}, {"cucumber", "c.json"}}))
		_, err = parseFormats(":x")
		Expect(err).To(MatchError(ContainSubstring("empty format name")))
	})
})

var _ = Describe("watchInterrupt", func() {
	It("cleans up and exits 130 when interrupted, and does nothing once stopped", func() {
		codes := make(chan int, 1)
		exit = func(code int) { codes <- code }
		DeferCleanup(func() { exit = os.Exit })

		ctx, cancel := context.WithCancel(context.Background())
		closed := make(chan struct{}, 1)
		var stderr bytes.Buffer
		stop := watchInterrupt(ctx, &stderr, func() error { closed <- struct{}{}; return nil })
		cancel()
		Eventually(codes).Should(Receive(Equal(130)))
		Expect(closed).To(Receive())
		stop()
		Expect(stderr.String()).To(ContainSubstring("interrupted"))

		ctx2, cancel2 := context.WithCancel(context.Background())
		stop = watchInterrupt(ctx2, &stderr, func() error { closed <- struct{}{}; return nil })
		stop()
		cancel2()
		Expect(codes).NotTo(Receive()) // the watcher has returned: nothing can exit any more
		Expect(closed).NotTo(Receive())
	})
})
