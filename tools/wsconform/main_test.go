package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/fault"
	"github.com/wsconform/wsconform/internal/selftest"
	"github.com/wsconform/wsconform/steps/target/ref"
)

var summaryLine = regexp.MustCompile(`(?m)^(\d+) passed, (\d+) failed, (\d+) skipped\nwall time \S+\n\z`)

// secrets are header values the features send; no report may contain them.
var secrets = []string{"t0k3n", "north", "BEGIN CERTIFICATE", "PRIVATE KEY"}

func noSecrets(dir string, stdout string) {
	GinkgoHelper()
	for _, s := range secrets {
		Expect(stdout).NotTo(ContainSubstring(s))
	}
	for _, name := range []string{"junit.xml", "cucumber.json", "report.md", "report.html"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		Expect(err).NotTo(HaveOccurred(), name)
		for _, s := range secrets {
			Expect(string(b)).NotTo(ContainSubstring(s), name)
		}
	}
}

func validReports(dir string) {
	GinkgoHelper()
	b, err := os.ReadFile(filepath.Join(dir, "cucumber.json"))
	Expect(err).NotTo(HaveOccurred())
	var cj []map[string]any
	Expect(json.Unmarshal(b, &cj)).To(Succeed(), "cucumber.json is JSON")
	Expect(cj).NotTo(BeEmpty())
	b, err = os.ReadFile(filepath.Join(dir, "junit.xml"))
	Expect(err).NotTo(HaveOccurred())
	var suites struct {
		XMLName xml.Name `xml:"testsuites"`
		Tests   int      `xml:"tests,attr"`
	}
	Expect(xml.Unmarshal(b, &suites)).To(Succeed(), "junit.xml is XML")
	Expect(suites.Tests).To(BeNumerically(">", 0))
}

// junitDoc is what the specs read of a junit.xml.
type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Skipped  int `xml:"skipped,attr"`
	Suites   []struct {
		Cases []struct {
			Properties []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"properties>property"`
			Failure *struct{} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func readJUnit(dir string) junitDoc {
	GinkgoHelper()
	b, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	Expect(err).NotTo(HaveOccurred())
	var d junitDoc
	Expect(xml.Unmarshal(b, &d)).To(Succeed(), "junit.xml is XML")
	return d
}

// failedIDs are the scenario ids of the failed testcases.
func (d junitDoc) failedIDs() []string {
	var ids []string
	for _, s := range d.Suites {
		for _, c := range s.Cases {
			if c.Failure == nil {
				continue
			}
			for _, p := range c.Properties {
				if p.Name == "id" {
					ids = append(ids, p.Value)
				}
			}
		}
	}
	return ids
}

var _ = Describe("wsconform", func() {
	var stdout, stderr *bytes.Buffer
	var ctx context.Context

	BeforeEach(func() {
		stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), 2*time.Minute)
		DeferCleanup(cancel)
	})

	It("answers --help with exit 0 at every level, and --version", func() {
		for _, args := range [][]string{{"--help"}, {"run", "--help"}, {"list", "-h"}, {"config", "--help"}} {
			Expect(Main(ctx, args, stdout, stderr)).To(Equal(0), "%q", args)
		}
		stdout.Reset()
		Expect(Main(ctx, []string{"--version"}, stdout, stderr)).To(Equal(0))
		Expect(stdout.String()).To(MatchRegexp(`^wsconform \S+`))
	})

	It("refuses an unknown --format before running anything", func() {
		dir := GinkgoT().TempDir()
		Expect(Main(ctx, []string{"run", "--report", dir, "--format", "progress,bogus:x.txt"}, stdout, stderr)).To(Equal(2))
		Expect(stderr.String()).To(ContainSubstring(`unknown format "bogus"; want one of cucumber, events, junit, pretty, progress`))
		Expect(filepath.Join(dir, "report.md")).NotTo(BeAnExistingFile())
	})

	It("shows usage and refuses unknown commands and flags", func() {
		Expect(Main(ctx, nil, stdout, stderr)).To(Equal(2))
		Expect(stderr.String()).To(ContainSubstring("usage: wsconform"))
		Expect(Main(ctx, []string{"frobnicate"}, stdout, stderr)).To(Equal(2))
		Expect(stderr.String()).To(ContainSubstring(`unknown command "frobnicate"`))
		Expect(Main(ctx, []string{"run", "--target", "kuiper"}, stdout, stderr)).To(Equal(2))
		Expect(stderr.String()).To(ContainSubstring(`--target "kuiper": want ref or rest`))
	})

	It("fails clearly when the rest engine does not answer, or no scenario is selected", func() {
		dir := GinkgoT().TempDir()
		Expect(Main(ctx, []string{"run", "--target", "rest", "--rest-url", "http://127.0.0.1:1", "--report", dir}, stdout, stderr)).To(Equal(2))
		Expect(stderr.String()).To(ContainSubstring("rest target: engine at http://127.0.0.1:1 does not answer"))

		stderr.Reset()
		Expect(Main(ctx, []string{"run", "--tags", "@no-such-tag", "--report", dir}, stdout, stderr)).To(Equal(1))
		Expect(stderr.String()).To(ContainSubstring(`no scenario was run (tags "@no-such-tag" selects none)`))
		Expect(stdout.String()).To(ContainSubstring("\n0 passed, 0 failed, 0 skipped\nwall time "))
	})

	It("lists the scenarios with their tags, filtered by a tag expression", func() {
		Expect(Main(ctx, []string{"list"}, stdout, stderr)).To(Equal(0), stderr.String())
		all := strings.Split(strings.TrimSpace(stdout.String()), "\n")
		Expect(len(all)).To(BeNumerically(">=", 60))
		Expect(all[0]).To(MatchRegexp(`^[a-z0-9-]+(/\d+)?\t\w+\.feature:\d+\t.+\t@`))
		Expect(stdout.String()).NotTo(ContainSubstring("@id:"))

		stdout.Reset()
		Expect(Main(ctx, []string{"list", "--tags", "@json"}, stdout, stderr)).To(Equal(0), stderr.String())
		some := strings.Split(strings.TrimSpace(stdout.String()), "\n")
		Expect(len(some)).To(BeNumerically(">", 0))
		Expect(len(some)).To(BeNumerically("<", len(all)))
		for _, l := range some {
			Expect(l).To(ContainSubstring("@json"))
		}
	})

	It("writes an engine configuration through the rest target", func() {
		dir := GinkgoT().TempDir()
		Expect(Main(ctx, []string{"config", "--out", dir, "--tls"}, stdout, stderr)).To(Equal(0), stderr.String())
		Expect(filepath.Join(dir, "kuiper.yaml")).To(BeARegularFile())
		Expect(filepath.Join(dir, "sources", "websocket.yaml")).To(BeARegularFile())
		Expect(stdout.String()).To(ContainSubstring("wsconform run --target rest"))
		Expect(stdout.String()).To(ContainSubstring("--data-url wss://"))
		Expect(Main(ctx, []string{"config"}, stdout, stderr)).To(Equal(2))
	})

	It("runs the @must scenarios of @json against the reference and reports them", func() {
		dir := filepath.Join(GinkgoT().TempDir(), "reports")
		code := Main(ctx, []string{"run", "--target", "ref", "--tags", "@json and @must", "--report", dir}, stdout, stderr)
		Expect(code).To(Equal(0), stdout.String()+stderr.String())
		m := summaryLine.FindStringSubmatch(stdout.String())
		Expect(m).NotTo(BeNil(), stdout.String())
		Expect(m[1]).NotTo(Equal("0"))
		Expect(m[2]).To(Equal("0"))
		validReports(dir)
		md, err := os.ReadFile(filepath.Join(dir, "report.md"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(md)).To(ContainSubstring("## @json"))
		Expect(string(md)).To(ContainSubstring("Scenarios selected by tags: `@json and @must`"))
		Expect(string(md)).To(ContainSubstring(m[1] + " passed, 0 failed"))
		Expect(filepath.Join(dir, "report.html")).To(BeARegularFile())
		noSecrets(dir, stdout.String())
	})

	It("exits 1 and reports the failing step when the engine is wrong, without secrets", Label(selftest.Label), func() {
		if !fault.Enabled {
			Skip("runs the reference with deliberate defects, which only a build with -tags selftest applies")
		}
		dir := GinkgoT().TempDir()
		// Scenarios of two areas, some of which the defects fail: one that
		// sends request headers, whose values no report may show.
		f, err := parseRunFlags([]string{"--id", "json-text-message-becomes-records,json-large-integers-exact,client-request-headers-sent,client-messages-become-records",
			"--report", dir, "--format", "progress,junit:" + filepath.Join(dir, "extra", "j.xml")}, stderr)
		Expect(err).NotTo(HaveOccurred())
		p, err := prepare(f)
		Expect(err).NotTo(HaveOccurred())
		broken := ref.Factory(ref.Options{Faults: fault.Set{ArrayAsOneRecord: true, DropRequestHeaders: true}})
		code := execute(ctx, f, p, broken, time.Now(), stdout, stderr)
		Expect(code).To(Equal(1), stdout.String()+stderr.String())
		m := summaryLine.FindStringSubmatch(stdout.String())
		Expect(m).NotTo(BeNil(), stdout.String())
		Expect(m[2]).NotTo(Equal("0"))
		md, err := os.ReadFile(filepath.Join(dir, "report.md"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(md)).To(ContainSubstring("**FAILED**"))
		Expect(string(md)).To(ContainSubstring("  - failing step: `Then"))
		Expect(string(md)).To(MatchRegexp(`(?s)## @client-mode.*request headers.*REDACTED`))
		Expect(filepath.Join(dir, "extra", "j.xml")).To(BeARegularFile())
		validReports(dir)
		noSecrets(dir, stdout.String())
		b, _ := os.ReadFile(filepath.Join(dir, "extra", "j.xml"))
		for _, s := range secrets {
			Expect(string(b)).NotTo(ContainSubstring(s))
		}
	})
})
