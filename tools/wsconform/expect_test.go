package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/features"
	"github.com/wsconform/wsconform/impl/fault"
	"github.com/wsconform/wsconform/internal/selftest"
	"github.com/wsconform/wsconform/steps/featureset"
	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/steps/target/ref"
	"github.com/wsconform/wsconform/tools/internal/expectations"
)

// The scenarios these specs run: a plain one every engine passes, and the one
// the UnknownPathUpgraded defect breaks.
const (
	passingID = "server-messages-become-records"
	brokenID  = "server-unknown-path-404"
)

var expectLine = `(?m)^expectations \(%s\): %d as expected \(%d known deviations\), %d unexpected, %d flaky$`

func writeExpect(dir, text string) string {
	GinkgoHelper()
	p := filepath.Join(dir, "expect.yaml")
	Expect(os.WriteFile(p, []byte(text), 0o644)).To(Succeed())
	return p
}

func readJudged(dir string) expectations.Report {
	GinkgoHelper()
	b, err := os.ReadFile(filepath.Join(dir, "expectations.json"))
	Expect(err).NotTo(HaveOccurred())
	var r expectations.Report
	Expect(json.Unmarshal(b, &r)).To(Succeed())
	return r
}

func record(r expectations.Report, id string) expectations.Record {
	GinkgoHelper()
	for _, s := range r.Scenarios {
		if s.ID == id {
			return s
		}
	}
	Fail("expectations.json has no scenario " + id)
	return expectations.Record{}
}

// runWith runs execute with args against factory.
func runWith(ctx context.Context, factory target.Factory, stdout, stderr *bytes.Buffer, args ...string) int {
	GinkgoHelper()
	f, err := parseRunFlags(args, stderr)
	Expect(err).NotTo(HaveOccurred())
	p, err := prepare(f)
	Expect(err).NotTo(HaveOccurred())
	return execute(ctx, f, p, factory, time.Now(), stdout, stderr)
}

var _ = Describe("wsconform run --id and --expect", func() {
	var stdout, stderr *bytes.Buffer
	var ctx context.Context
	var dir string

	BeforeEach(func() {
		stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), 2*time.Minute)
		DeferCleanup(cancel)
		dir = GinkgoT().TempDir()
	})

	It("runs only the scenarios and rows named by id, as --id or as arguments", func() {
		feats, err := featureset.Load(features.FS)
		Expect(err).NotTo(HaveOccurred())
		var row featureset.Scenario
		for _, f := range feats {
			for _, s := range f.Scenarios {
				if s.RowLine > 0 && row.ID == "" && strings.HasSuffix(s.ID, "/2") && !s.HasTag("@needs-lifecycle") {
					row = s
				}
			}
		}
		Expect(row.ID).NotTo(BeEmpty())

		reports := filepath.Join(dir, "reports")
		code := Main(ctx, []string{"run", "--report", reports, row.ID, "--id", passingID}, stdout, stderr)
		Expect(code).To(Equal(0), stdout.String()+stderr.String())
		Expect(stdout.String()).To(MatchRegexp(`(?m)^2 passed, 0 failed, 0 skipped$`))
		md, err := os.ReadFile(filepath.Join(reports, "report.md"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(md)).To(ContainSubstring("- Scenarios selected by id: `" + row.ID + "`, `" + passingID + "`"))
		Expect(string(md)).To(ContainSubstring("(`" + row.ID + "`, `" + row.Location() + "`)"))
		Expect(string(md)).To(ContainSubstring("`" + passingID + "`, `server_mode.feature:"))
		Expect(filepath.Join(reports, "expectations.json")).NotTo(BeAnExistingFile())
	})

	It("refuses an unknown id with exit 2, naming it", func() {
		Expect(Main(ctx, []string{"run", "--report", dir, "--id", passingID + ",no-such-scenario", passingID + "/1"}, stdout, stderr)).To(Equal(2))
		Expect(stderr.String()).To(ContainSubstring(`unknown scenario ids "no-such-scenario", "` + passingID + `/1"`))
		Expect(stdout.String()).To(BeEmpty())
	})

	It("passes when every outcome is as expected, a known deviation included", Label(selftest.Label), func() {
		if !fault.Enabled {
			Skip("runs the reference with deliberate defects, which only a build with -tags selftest applies")
		}
		broken := ref.Factory(ref.Options{Faults: fault.Set{UnknownPathUpgraded: true}})
		exp := writeExpect(dir, "engine: Broken reference 0.1\nexpectations:\n  "+brokenID+":\n    outcome: failed\n    reason: it upgrades unknown paths\n")
		reports := filepath.Join(dir, "reports")
		code := runWith(ctx, broken, stdout, stderr, "--report", reports, "--expect", exp, "--id", passingID+","+brokenID)
		Expect(code).To(Equal(0), stdout.String()+stderr.String())
		out := stdout.String()
		Expect(out).To(MatchRegexp(`(?m)^1 passed, 1 failed, 0 skipped\nexpectations \(.*\): .*\nwall time \S+\n\z`))
		Expect(out).To(MatchRegexp(expectLine, regexp.QuoteMeta(exp), 2, 1, 0, 0))
		Expect(out).NotTo(ContainSubstring("running it again"))
		Expect(out).To(MatchRegexp(`(?m)^\d/2 FAILED  ` + brokenID + ` \(expected\)$`))
		Expect(out).To(MatchRegexp(`(?m)^@should +0 passed, 1 failed, 0 skipped \(1 known deviations\)$`))

		md, err := os.ReadFile(filepath.Join(reports, "report.md"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(md)).To(ContainSubstring("- known deviation: it upgrades unknown paths: "))
		Expect(string(md)).NotTo(ContainSubstring("**FAILED**"))
		Expect(string(md)).To(ContainSubstring("(engine: Broken reference 0.1)"))
		// junit.xml counts what the summary line counts, one testcase per
		// scenario, the failure on the broken one.
		j := readJUnit(reports)
		Expect([]int{j.Tests, j.Failures, j.Skipped}).To(Equal([]int{2, 1, 0}))
		Expect(j.failedIDs()).To(ConsistOf(brokenID))
		r := readJudged(reports)
		Expect(r.Engine).To(Equal("Broken reference 0.1"))
		Expect(record(r, brokenID)).To(knownDeviation(brokenID))
		Expect(record(r, passingID).Verdict).To(Equal(expectations.AsExpected))
		Expect(record(r, passingID).Listed).To(BeFalse())

		// The same run without --expect fails, and leaves no stale expectations.json.
		stdout.Reset()
		code = runWith(ctx, broken, stdout, stderr, "--report", reports, "--id", passingID+","+brokenID)
		Expect(code).To(Equal(1))
		Expect(filepath.Join(reports, "expectations.json")).NotTo(BeAnExistingFile())
	})

	It("fails on an unexpected pass, naming the id, after running it again alone", func() {
		exp := writeExpect(dir, "engine: Reference\nexpectations:\n  "+passingID+":\n    outcome: failed\n    reason: thought broken\n")
		code := Main(ctx, []string{"run", "--report", dir, "--expect", exp, passingID}, stdout, stderr)
		Expect(code).To(Equal(1), stdout.String()+stderr.String())
		out := stdout.String()
		Expect(out).To(ContainSubstring(passingID + ": passed, not as expected; running it again alone"))
		Expect(out).To(MatchRegexp(`(?m)^unexpected pass: ` + passingID + ` \(server_mode\.feature:\d+\): passed; expected failed: thought broken \(run again alone: passed\)$`))
		Expect(out).To(MatchRegexp(`(?m)^1 passed, 0 failed, 0 skipped$`))
		Expect(out).To(MatchRegexp(expectLine, regexp.QuoteMeta(exp), 0, 0, 1, 0))
		md, err := os.ReadFile(filepath.Join(dir, "report.md"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(md)).To(ContainSubstring("- **UNEXPECTED PASS** " + passingID))
		rec := record(readJudged(dir), passingID)
		Expect(rec.Verdict).To(Equal(expectations.Unexpected))
		Expect(rec.Outcome).To(Equal("passed"))
		Expect(rec.Expected).To(Equal("failed"))
		Expect(rec.Reason).To(Equal("thought broken"))
		Expect(rec.Rerun).To(Equal("passed"))
		html, err := os.ReadFile(filepath.Join(dir, "report.html"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(html)).To(ContainSubstring("UNEXPECTED PASS"))
	})

	It("reports an outcome that is as expected only when run again alone as flaky, and passes", func() {
		// The first scenario target fails to start; the probe and the second run work.
		var calls atomic.Int32
		inner := ref.Factory(ref.Options{})
		hiccup := func(ctx context.Context) (target.Target, error) {
			if calls.Add(1) == 2 {
				return nil, errors.New("engine hiccup")
			}
			return inner(ctx)
		}
		exp := writeExpect(dir, "engine: Reference\nexpectations:\n")
		code := runWith(ctx, hiccup, stdout, stderr, "--report", dir, "--expect", exp, "--id", passingID)
		Expect(code).To(Equal(0), stdout.String()+stderr.String())
		out := stdout.String()
		Expect(out).To(MatchRegexp(`(?m)^flaky: ` + passingID + ` \(server_mode\.feature:\d+\): failed, then passed when run again alone; expected passed \(not listed\)$`))
		Expect(out).To(MatchRegexp(`(?m)^0 passed, 1 failed, 0 skipped$`))
		Expect(out).To(MatchRegexp(expectLine, regexp.QuoteMeta(exp), 0, 0, 0, 1))
		md, err := os.ReadFile(filepath.Join(dir, "report.md"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(md)).To(ContainSubstring("- **FLAKY** " + passingID))
		Expect(string(md)).To(ContainSubstring("engine hiccup"))
		rec := record(readJudged(dir), passingID)
		Expect(rec.Verdict).To(Equal(expectations.Flaky))
		Expect(rec.Rerun).To(Equal("passed"))
		Expect(calls.Load()).To(Equal(int32(3)))
	})

	It("refuses a bad expectations file with exit 2, naming the file, the entry and the problem", func() {
		for text, want := range map[string]string{
			"engine: x\nexpectations:\n  " + passingID + ":\n    outcome: failed\n    reason: r\n    ticket: 12\n": `:6: entry "` + passingID + `": unknown key "ticket"`,
			"engine: x\nexpectations:\n  no-such-scenario:\n    outcome: failed\n    reason: r\n":                  `:3: entry "no-such-scenario": unknown scenario id`,
			"engine: x\nexpectations:\n  " + passingID + ":\n    outcome: failed\n":                                `:4: entry "` + passingID + `": no reason`,
			"engine: x\nexpectations:\n  " + passingID + ":\n    outcome: broken\n    reason: r\n":                 `:4: entry "` + passingID + `": outcome "broken": want failed, skipped or passed`,
			"engine: x\nexpected: {}\n": `:2: unknown key "expected"`,
		} {
			exp := writeExpect(dir, text)
			stderr.Reset()
			Expect(Main(ctx, []string{"run", "--report", dir, "--expect", exp, passingID}, stdout, stderr)).To(Equal(2), text)
			Expect(stderr.String()).To(ContainSubstring(exp+want), text)
		}
		stderr.Reset()
		Expect(Main(ctx, []string{"run", "--report", dir, "--expect", filepath.Join(dir, "missing.yaml")}, stdout, stderr)).To(Equal(2))
		Expect(stderr.String()).To(ContainSubstring("missing.yaml"))
		Expect(stdout.String()).To(BeEmpty())
	})
})

// knownDeviation checks an expectations.json record of a known deviation.
func knownDeviation(id string) OmegaMatcher {
	return And(
		HaveField("ID", id), HaveField("Outcome", "failed"), HaveField("Expected", "failed"),
		HaveField("Listed", true), HaveField("Reason", "it upgrades unknown paths"), HaveField("Verdict", expectations.AsExpected),
		HaveField("Rerun", ""),
	)
}
