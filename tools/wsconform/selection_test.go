package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/fault"
	"github.com/wsconform/wsconform/internal/selftest"
	"github.com/wsconform/wsconform/steps/target/ref"
)

// ranIDs are the scenario ids of every testcase of a junit.xml.
func (d junitDoc) ranIDs() []string {
	var ids []string
	for _, s := range d.Suites {
		for _, c := range s.Cases {
			for _, p := range c.Properties {
				if p.Name == "id" {
					ids = append(ids, p.Value)
				}
			}
		}
	}
	sort.Strings(ids)
	return ids
}

// listedIDs runs wsconform list with args and returns the ids it shows.
func listedIDs(ctx context.Context, args ...string) []string {
	GinkgoHelper()
	stdout, stderr := &bytes.Buffer{}, &bytes.Buffer{}
	Expect(Main(ctx, append([]string{"list"}, args...), stdout, stderr)).To(Equal(0), stderr.String())
	var ids []string
	for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		if l != "" {
			id, _, _ := strings.Cut(l, "\t")
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

var _ = Describe("selection", func() {
	var stdout, stderr *bytes.Buffer
	var ctx context.Context

	BeforeEach(func() {
		stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), 2*time.Minute)
		DeferCleanup(cancel)
	})

	It("runs exactly what list shows for a Cucumber tag expression", func() {
		const expr = "@tls and not @extension"
		listed := listedIDs(ctx, "--tags", expr)
		Expect(listed).NotTo(BeEmpty())
		Expect(len(listed)).To(BeNumerically("<", len(listedIDs(ctx, "--tags", "@tls"))), "not @extension leaves some out")
		dir := GinkgoT().TempDir()
		Expect(Main(ctx, []string{"run", "--tags", expr, "--report", dir}, stdout, stderr)).To(Equal(0), stdout.String()+stderr.String())
		Expect(readJUnit(dir).ranIDs()).To(Equal(listed))
	})

	It("reads godog's older syntax as the same selection", func() {
		Expect(listedIDs(ctx, "--tags", "@tls && ~@extension")).To(Equal(listedIDs(ctx, "--tags", "@tls and not @extension")))
		Expect(listedIDs(ctx, "--tags", "@json,@tls")).To(Equal(listedIDs(ctx, "--tags", "@json or @tls")))
	})

	DescribeTable("refuses a broken tag expression with exit 2 and its position, in run and list",
		func(expr, reason, caret string) {
			dir := GinkgoT().TempDir()
			for _, args := range [][]string{{"run", "--tags", expr, "--report", dir}, {"list", "--tags", expr}} {
				stderr.Reset()
				Expect(Main(ctx, args, stdout, stderr)).To(Equal(2), "%q", args)
				Expect(stderr.String()).To(ContainSubstring(`--tags: Tag expression "` + expr + `" could not be parsed because of syntax error: ` + reason))
				Expect(stderr.String()).To(ContainSubstring("\n  " + expr + "\n  " + caret))
				Expect(filepath.Join(dir, "report.md")).NotTo(BeAnExistingFile(), "nothing ran")
			}
		},
		Entry(nil, "@tls &&", "Expected a tag", "       ^ column 8"),
		Entry(nil, "@tls || @json", "Expected operator.", "     ^ column 6"),
		Entry(nil, "@tls and (@must", "Unmatched (.", "         ^ column 10"),
	)

	It("runs FILE:LINE locations, of a scenario or of an Examples row, with flags before and after them", func() {
		dir := GinkgoT().TempDir()
		args := []string{"run", "--target", "ref", "features/client_mode.feature:10", "--report", dir, "json.feature:24", "--format", "progress",
			"--id", "json-text-message-becomes-records/3", "client-binary-messages-ignored"}
		Expect(Main(ctx, args, stdout, stderr)).To(Equal(0), stdout.String()+stderr.String())
		Expect(readJUnit(dir).ranIDs()).To(Equal([]string{"client-binary-messages-ignored", "client-messages-become-records",
			"json-text-message-becomes-records/2", "json-text-message-becomes-records/3"}))

		stderr.Reset()
		Expect(Main(ctx, []string{"run", "--report", dir, "json.feature:9"}, stdout, stderr)).To(Equal(2))
		Expect(stderr.String()).To(ContainSubstring(`location "json.feature:9": no scenario and no Examples row of json.feature is at line 9`))
		stderr.Reset()
		Expect(Main(ctx, []string{"run", "--report", dir, "nosuch.feature:3"}, stdout, stderr)).To(Equal(2))
		Expect(stderr.String()).To(ContainSubstring(`location "nosuch.feature:3": the suite has no feature file nosuch.feature`))
	})

	It("lists the same locations it runs", func() {
		Expect(listedIDs(ctx, "json.feature:24", "client_mode.feature:28")).To(Equal([]string{
			"client-dialed-url-addr-datasource-query/1", "client-dialed-url-addr-datasource-query/2",
			"client-dialed-url-addr-datasource-query/3", "json-text-message-becomes-records/2",
		}))
		Expect(listedIDs(ctx, "client_mode.feature:28", "--tags", "not @must")).To(BeEmpty())
	})

	Describe("--rerun-failed", func() {
		write := func(content string) string {
			p := filepath.Join(GinkgoT().TempDir(), "summary.json")
			Expect(os.WriteFile(p, []byte(content), 0o644)).To(Succeed())
			return p
		}

		It("runs the scenarios that failed in the summary", func() {
			p := write(`{"schema":"wsconform.summary/v1","scenarios":[
				{"id":"json-text-message-becomes-records/2","status":"failed","feature":"features/json.feature","line":24},
				{"id":"json-text-message-becomes-records/3","status":"passed","feature":"features/json.feature","line":25},
				{"id":"","status":"failed","feature":"features/client_mode.feature","line":10},
				{"id":"tls-wss-data-server","status":"skipped","feature":"features/tls.feature","line":4}]}`)
			dir := GinkgoT().TempDir()
			Expect(Main(ctx, []string{"run", "--rerun-failed", p, "--report", dir}, stdout, stderr)).To(Equal(0), stdout.String()+stderr.String())
			Expect(readJUnit(dir).ranIDs()).To(Equal([]string{"client-messages-become-records", "json-text-message-becomes-records/2"}))
		})

		It("chooses exactly what failed in the summary.json of a run", Label(selftest.Label), func() {
			if !fault.Enabled {
				Skip("runs the reference with deliberate defects, which only a build with -tags selftest applies")
			}
			dir := GinkgoT().TempDir()
			broken := ref.Factory(ref.Options{Faults: fault.Set{ArrayAsOneRecord: true}})
			code := runWith(ctx, broken, stdout, stderr, "--report", dir, "--tags", "@json and @must")
			Expect(code).To(Equal(1), stdout.String()+stderr.String())
			failed := readJUnit(dir).failedIDs()
			Expect(failed).NotTo(BeEmpty())
			Expect(len(failed)).To(BeNumerically("<", len(readJUnit(dir).ranIDs())), "some passed")

			f, err := parseRunFlags([]string{"--rerun-failed", filepath.Join(dir, "summary.json"), "--report", GinkgoT().TempDir()}, stderr)
			Expect(err).NotTo(HaveOccurred())
			p, err := prepare(f)
			Expect(err).NotTo(HaveOccurred())
			var chosen []string
			for _, s := range p.selection.Scenarios {
				chosen = append(chosen, s.ID)
			}
			Expect(chosen).To(ConsistOf(failed))
		})

		It("exits 0 with a note when nothing failed", func() {
			p := write(`{"schema":"wsconform.summary/v1","scenarios":[{"id":"client-messages-become-records","status":"passed","feature":"features/client_mode.feature","line":10}]}`)
			dir := GinkgoT().TempDir()
			Expect(Main(ctx, []string{"run", "--rerun-failed", p, "--report", dir}, stdout, stderr)).To(Equal(0))
			Expect(stdout.String()).To(ContainSubstring("no scenario failed in " + p + "; nothing to rerun"))
			Expect(filepath.Join(dir, "report.md")).NotTo(BeAnExistingFile())
		})

		It("refuses a missing file, another schema and an unknown id", func() {
			missing := filepath.Join(GinkgoT().TempDir(), "summary.json")
			for p, msg := range map[string]string{
				missing: "--rerun-failed " + missing + ": open " + missing + ": no such file or directory (wsconform run writes summary.json into its --report directory)",
				write(`{"schema":"wsconform.summary/v0","scenarios":[]}`): `schema "wsconform.summary/v0", want "wsconform.summary/v1"`,
				write(`[{"id":"x"}]`):     `not a wsconform summary (want JSON with "schema": "wsconform.summary/v1")`,
				write(`{"scenarios":[]}`): `schema none, want "wsconform.summary/v1"`,
				write(`{"schema":"wsconform.summary/v1","scenarios":[{"id":"no-such-scenario","status":"failed"}]}`): `unknown scenario id "no-such-scenario"`,
			} {
				stderr.Reset()
				Expect(Main(ctx, []string{"run", "--rerun-failed", p, "--report", GinkgoT().TempDir()}, stdout, stderr)).To(Equal(2), p)
				Expect(stderr.String()).To(ContainSubstring(msg))
			}
		})
	})
})
