package main

import (
	"bytes"

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
