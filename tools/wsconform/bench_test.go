package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("wsconform bench", func() {
	run := func(args ...string) (int, string, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		var out, errb bytes.Buffer
		code := Main(ctx, args, &out, &errb)
		return code, out.String(), errb.String()
	}

	It("measures the reference and writes bench.json and bench.svg, then a report from them", func() {
		dir := GinkgoT().TempDir()
		code, out, errs := run("bench", "--target", "ref", "--only", "server-ingest,storm",
			"--messages", "2000", "--conns", "2", "--storm-conns", "50", "--out", dir)
		Expect(code).To(Equal(0), errs)
		Expect(out).To(ContainSubstring("server-ingest"))
		Expect(out).To(ContainSubstring("storm"))
		Expect(out).To(ContainSubstring("lost 0"))
		Expect(filepath.Join(dir, "bench.json")).To(BeARegularFile())
		Expect(filepath.Join(dir, "bench.svg")).To(BeARegularFile())

		md, svg := filepath.Join(dir, "B.md"), filepath.Join(dir, "B.svg")
		code, _, errs = run("bench", "report", "--markdown", md, "--svg", svg, "--command", "make x", filepath.Join(dir, "bench.json"))
		Expect(code).To(Equal(0), errs)
		b, err := os.ReadFile(md)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(b)).To(ContainSubstring("Produced by `make x`"))
		Expect(string(b)).To(ContainSubstring("](B.svg)"))
		Expect(svg).To(BeARegularFile())
	})

	DescribeTable("refuses wrong usage with status 2",
		func(args ...string) {
			code, _, errs := run(args...)
			Expect(code).To(Equal(2))
			Expect(errs).NotTo(BeEmpty())
		},
		Entry("an unknown target", "bench", "--target", "nope"),
		Entry("an unknown workload", "bench", "--only", "fast"),
		Entry("stray arguments", "bench", "extra"),
		Entry("a report without runs", "bench", "report"),
	)
})
