package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/fault"
	"github.com/wsconform/wsconform/internal/selftest"
	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/steps/target/ref"
)

// declining is a reference target that says it lacks some capabilities, so
// that the scenarios needing them are skipped.
type declining struct {
	target.Target
	lacks map[target.Capability]bool
}

func (d declining) Supports(c target.Capability) (bool, string) {
	if d.lacks[c] {
		return false, "this target declines " + string(c)
	}
	return d.Target.Supports(c)
}

func (d declining) Engine(ctx context.Context) string {
	return engineOf(ctx, d.Target) + " (declining)"
}

// counts are passed, failed and skipped scenarios.
type counts [3]int

func atoi(s string) int {
	GinkgoHelper()
	n, err := strconv.Atoi(s)
	Expect(err).NotTo(HaveOccurred(), s)
	return n
}

func read(dir, name string) string {
	GinkgoHelper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	Expect(err).NotTo(HaveOccurred(), name)
	return string(b)
}

var levelNames = []string{"must", "should", "extension"}

var _ = Describe("wsconform run reports", Ordered, Label(selftest.Label), func() {
	// One run with passes, failures and skips at more than one level: the
	// reference with deliberate defects (one of them mangles the request
	// headers, whose values must stay out of every report), declining the
	// capabilities some scenarios need.
	var stdout, stderr *bytes.Buffer
	var dir string
	var code int
	BeforeAll(func() {
		if !fault.Enabled {
			Skip("runs the reference with deliberate defects, which only a build with -tags selftest applies")
		}
		stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		dir = filepath.Join(GinkgoT().TempDir(), "reports")
		faults := fault.Set{MangleRequestHeaders: true, ArrayAsOneRecord: true, LargeIntegersAsFloat: true}
		base := ref.Factory(ref.Options{Faults: faults})
		factory := func(ctx context.Context) (target.Target, error) {
			t, err := base(ctx)
			if err != nil {
				return nil, err
			}
			return declining{t, map[target.Capability]bool{target.ServerTLS: true, target.MessageLimit: true}}, nil
		}
		code = runWith(ctx, factory, stdout, stderr, "--report", dir, "--id",
			"json-text-message-becomes-records,client-request-headers-sent,client-messages-become-records,json-large-integers-exact,"+
				"json-typed-converts-values,tls-server-wss,tls-server-refuses-plain-ws,robust-oversized-closes-1009,robust-message-at-limit-accepted")
	})

	{
		It("agree on every count: console, report.md, report.html, junit.xml and summary.json", func() {
			Expect(code).To(Equal(1), stdout.String()+stderr.String())
			console := stdout.String()

			// console: the totals, one line per level, one progress line per scenario
			m := regexp.MustCompile(`(?m)^(\d+) passed, (\d+) failed, (\d+) skipped$`).FindStringSubmatch(console)
			Expect(m).NotTo(BeNil(), console)
			total := counts{atoi(m[1]), atoi(m[2]), atoi(m[3])}
			Expect(total[0]).To(BeNumerically(">", 0))
			Expect(total[1]).To(BeNumerically(">", 0))
			Expect(total[2]).To(BeNumerically(">", 0))
			n := total[0] + total[1] + total[2]
			progress := regexp.MustCompile(`(?m)^ *(\d+)/(\d+) (passed|FAILED|skipped) +\S+$`).FindAllStringSubmatch(console, -1)
			Expect(progress).To(HaveLen(n), console)
			seen := counts{}
			for i, p := range progress {
				Expect(atoi(p[1])).To(Equal(i+1), p[0])
				Expect(atoi(p[2])).To(Equal(n), p[0])
				seen[map[string]int{"passed": 0, "FAILED": 1, "skipped": 2}[p[3]]]++
			}
			Expect(seen).To(Equal(total), "progress lines")
			levels := map[string]counts{}
			for _, l := range levelNames {
				lm := regexp.MustCompile(`(?m)^@` + l + ` +(\d+) passed, (\d+) failed, (\d+) skipped$`).FindStringSubmatch(console)
				Expect(lm).NotTo(BeNil(), "console level "+l)
				levels[l] = counts{atoi(lm[1]), atoi(lm[2]), atoi(lm[3])}
			}
			Expect(levels["must"][1]).To(BeNumerically(">", 0), "a @must failure")
			Expect(levels["must"][2]).To(BeNumerically(">", 0), "a @must skip")
			Expect(levels["extension"][1] + levels["extension"][2]).To(BeNumerically(">", 0))
			sum := counts{}
			for _, c := range levels {
				for i := range c {
					sum[i] += c[i]
				}
			}
			Expect(sum).To(Equal(total), "the levels add up to the totals")

			// report.md
			md := read(dir, "report.md")
			Expect(md).To(ContainSubstring(fmt.Sprintf("**%d passed, %d failed, %d skipped**", total[0], total[1], total[2])))
			for _, l := range levelNames {
				c := levels[l]
				Expect(md).To(ContainSubstring(fmt.Sprintf("| `@%s` | %d | %d | %d |", l, c[0], c[1], c[2])), "report.md level "+l)
			}

			// report.html
			page := read(dir, "report.html")
			Expect(page).To(ContainSubstring(fmt.Sprintf(`<span class="passed">%d passed</span><span class="failed">%d failed</span><span class="skipped">%d skipped</span>`, total[0], total[1], total[2])))
			for _, l := range levelNames {
				c := levels[l]
				Expect(page).To(MatchRegexp(`<tr data-level="%s">.*<td class="n passed">%d</td><td class="n failed">%d</td><td class="n skipped">%d</td></tr>`, l, c[0], c[1], c[2]), "report.html level "+l)
			}
			Expect(strings.Count(page, `<details class="scenario"`)).To(Equal(n))
			for i, status := range []string{"passed", "failed", "skipped"} {
				Expect(strings.Count(page, `data-status="`+status+`"`)).To(Equal(total[i]), "report.html scenarios "+status)
			}

			// junit.xml
			var ju struct {
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
						Skipped *struct{} `xml:"skipped"`
					} `xml:"testcase"`
				} `xml:"testsuite"`
			}
			Expect(xml.Unmarshal([]byte(read(dir, "junit.xml")), &ju)).To(Succeed())
			Expect(counts{ju.Tests - ju.Failures - ju.Skipped, ju.Failures, ju.Skipped}).To(Equal(total), "junit.xml totals")
			junitLevels := map[string]counts{}
			for _, s := range ju.Suites {
				for _, c := range s.Cases {
					i := 0
					if c.Failure != nil {
						i = 1
					} else if c.Skipped != nil {
						i = 2
					}
					for _, p := range c.Properties {
						for _, l := range levelNames {
							if p.Name == "tags" && strings.Contains(" "+p.Value+" ", " @"+l+" ") {
								lc := junitLevels[l]
								lc[i]++
								junitLevels[l] = lc
							}
						}
					}
				}
			}
			for _, l := range levelNames {
				Expect(junitLevels[l]).To(Equal(levels[l]), "junit.xml level "+l)
			}

			// summary.json
			var sum2 struct {
				Schema string `json:"schema"`
				Totals struct {
					Passed, Failed, Skipped int
				} `json:"totals"`
				Levels map[string]struct {
					Passed, Failed, Skipped int
				} `json:"levels"`
				Areas     map[string]map[string]struct{ Passed, Failed, Skipped int } `json:"areas"`
				Scenarios []struct {
					ID, Status, Level, Feature, Rerun string
					Line                              int
					DurationMS                        int `json:"duration_ms"`
				} `json:"scenarios"`
			}
			Expect(json.Unmarshal([]byte(read(dir, "summary.json")), &sum2)).To(Succeed())
			Expect(sum2.Schema).To(Equal("wsconform.summary/v1"))
			Expect(counts{sum2.Totals.Passed, sum2.Totals.Failed, sum2.Totals.Skipped}).To(Equal(total), "summary.json totals")
			areaSum := counts{}
			for _, l := range levelNames {
				c := sum2.Levels[l]
				Expect(counts{c.Passed, c.Failed, c.Skipped}).To(Equal(levels[l]), "summary.json level "+l)
				for _, a := range sum2.Areas {
					areaSum[0] += a[l].Passed
					areaSum[1] += a[l].Failed
					areaSum[2] += a[l].Skipped
				}
			}
			Expect(areaSum).To(Equal(total), "summary.json areas add up")
			Expect(sum2.Scenarios).To(HaveLen(n))
			Expect(sum2.Scenarios[0].Status).To(Equal("failed"), "failures first")
			timed := 0
			for _, s := range sum2.Scenarios {
				if s.DurationMS > 0 {
					timed++
				}
				Expect(s.Feature).To(MatchRegexp(`^features/\w+\.feature$`))
				Expect(s.Line).To(BeNumerically(">", 0))
				Expect(s.Rerun).To(Equal("wsconform run --target ref --id " + s.ID))
			}
			Expect(timed).To(BeNumerically(">", 0), "scenarios are timed, also when they run concurrently")
		})

		It("name the suite's and the engine's versions in every report", func() {
			ver := version()
			engine := "wsconform reference implementation " + ver + " with deliberate defects ArrayAsOneRecord, MangleRequestHeaders, LargeIntegersAsFloat (declining)"
			Expect(read(dir, "report.md")).To(ContainSubstring("- Suite: wsconform " + ver + "\n"))
			Expect(read(dir, "report.md")).To(ContainSubstring("- Engine: " + engine + "\n"))
			Expect(read(dir, "report.html")).To(ContainSubstring(`<dd id="suite">wsconform ` + ver + `</dd>`))
			Expect(read(dir, "report.html")).To(ContainSubstring(`<dd id="engine">` + engine + `</dd>`))
			Expect(read(dir, "junit.xml")).To(ContainSubstring(`<property name="wsconform.version" value="` + ver + `"></property>`))
			Expect(read(dir, "junit.xml")).To(ContainSubstring(`<property name="engine" value="` + engine + `"></property>`))
			var s struct {
				Suite  struct{ Name, Version string }
				Target struct{ Name, Engine string }
			}
			Expect(json.Unmarshal([]byte(read(dir, "summary.json")), &s)).To(Succeed())
			Expect(s.Suite.Version).To(Equal(ver))
			Expect(s.Target.Name).To(Equal("ref"))
			Expect(s.Target.Engine).To(Equal(engine))
		})

		It("keep the header values out, the mangled ones too, while the failure is reported", func() {
			Expect(read(dir, "report.md")).To(ContainSubstring("client-request-headers-sent"))
			Expect(read(dir, "report.md")).To(ContainSubstring("the handshake carried 1 value of 20 characters (not shown) for Authorization; want the value the scenario gives"))
			docs := map[string]string{"console": stdout.String() + stderr.String()}
			for _, name := range []string{"report.md", "report.html", "junit.xml", "cucumber.json", "summary.json"} {
				docs[name] = read(dir, name)
			}
			for name, doc := range docs {
				for _, leak := range []string{"t0k3n", "mangled", "BEARER"} {
					Expect(strings.ToLower(doc)).NotTo(ContainSubstring(strings.ToLower(leak)), name)
				}
			}
		})
	}
})
