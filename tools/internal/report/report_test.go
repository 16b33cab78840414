package report_test

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/steps/results"
	"github.com/wsconform/wsconform/tools/internal/redact"
	"github.com/wsconform/wsconform/tools/internal/report"
)

const secretPEM = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5nQJ2\n-----END EC PRIVATE KEY-----"

func outcomes() []results.Outcome {
	return []results.Outcome{
		{Feature: "JSON", File: "json.feature", Name: "an array gives one record per element", Line: 12, Tags: []string{"@json", "@must"}, Status: results.Passed},
		{Feature: "JSON", File: "json.feature", Name: "nulls are kept", Line: 30, Tags: []string{"@json", "@should"}, Status: results.Failed,
			Step: "Then the rule gets 2 records", StepLine: 33, Error: "expected 2 records, got 1: [{\"a\":1}]"},
		{Feature: "Client mode", File: "client.feature", Name: "request headers are sent", Line: 7, Tags: []string{"@client-mode", "@must"}, Status: results.Failed,
			Step: `Then the server saw header "X-Token" with "tok-SECRET-1"`, StepLine: 9,
			Error: "handshake headers map[Authorization:[Bearer abc.def] X-Token:[tok-SECRET-1]] lack the value; key " + secretPEM},
		{Feature: "TLS", File: "tls.feature", Name: "wss data server <html>", Line: 4, Tags: []string{"@tls", "@must", "@needs-server-tls"}, Status: results.Skipped,
			Step: "Given a wss data server", StepLine: 5},
		{Feature: "TLS", File: "tls.feature", Name: "skipped at run time", Line: 20, Tags: []string{"@tls", "@extension"}, Status: results.Skipped,
			Step: "Given a confKey", StepLine: 21},
		{Feature: "Misc", File: "misc.feature", Name: "untagged", Line: 3, Status: results.Passed},
	}
}

var _ = Describe("report", func() {
	red := redact.New("tok-SECRET-1")
	run := report.Run{
		Target: "reference (in-process)", Started: time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC), Duration: 1500 * time.Millisecond,
		Tags: "@json", Outcomes: outcomes(),
		Unsupported: map[string]string{"@needs-server-tls": "start the engine with --tls"},
	}
	m := report.Build(run, red)

	It("groups by area in the documented order, then by level", func() {
		var areas []string
		for _, a := range m.Areas {
			areas = append(areas, a.Tag)
		}
		Expect(areas).To(Equal([]string{"@client-mode", "@tls", "@json", "Misc"}))
		Expect(m.Passed).To(Equal(2))
		Expect(m.Failed).To(Equal(2))
		Expect(m.Skipped).To(Equal(2))
		tls := m.Areas[1]
		Expect(tls.Skipped).To(Equal(2))
		Expect(tls.Levels[0].Tag).To(Equal("@must"))
		Expect(tls.Levels[1].Tag).To(Equal("@extension"))
		Expect(m.Areas[3].Levels[0].Tag).To(Equal("(no level)"))
	})

	It("says why a scenario was skipped", func() {
		Expect(m.Areas[1].Levels[0].Skipped[0].Reason).To(Equal("the target does not support server-tls: start the engine with --tls"))
		Expect(m.Areas[1].Levels[1].Skipped[0].Reason).To(ContainSubstring(`declined the scenario at its step "Given a confKey"`))
	})

	It("shows the failing step and its error in Markdown", func() {
		md := string(report.Markdown(m))
		Expect(md).To(ContainSubstring("**2 passed, 2 failed, 2 skipped**"))
		Expect(md).To(ContainSubstring("- `@must`: documented behaviour"))
		Expect(md).To(ContainSubstring("| @json | 1 | 1 | 0 |"))
		Expect(md).To(ContainSubstring("- **FAILED** nulls are kept (`json.feature:30`)\n  - failing step: `Then the rule gets 2 records` (`json.feature:33`)"))
		Expect(md).To(ContainSubstring(`        expected 2 records, got 1: [{"a":1}]`))
		Expect(md).To(ContainSubstring("- passed: an array gives one record per element (`json.feature:12`)"))
		Expect(md).To(ContainSubstring("- **SKIPPED** wss data server &lt;html&gt; (`tls.feature:4`): the target does not support server-tls"))
	})

	It("escapes HTML", func() {
		page, err := report.HTML(m)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(page)).To(ContainSubstring("wss data server &lt;html&gt;"))
		Expect(string(page)).To(ContainSubstring(`<li class="failed"><strong>FAILED</strong> nulls are kept`))
		Expect(string(page)).To(ContainSubstring("2 passed, 2 failed, 2 skipped"))
	})

	It("never shows header values or key material", func() {
		page, err := report.HTML(m)
		Expect(err).NotTo(HaveOccurred())
		for name, doc := range map[string]string{"markdown": string(report.Markdown(m)), "html": string(page)} {
			for _, secret := range []string{"tok-SECRET-1", "Bearer abc.def", "abc.def", "BEGIN EC PRIVATE KEY", "MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5nQJ2"} {
				Expect(doc).NotTo(ContainSubstring(secret), name)
			}
			Expect(strings.Count(doc, "[REDACTED")).To(BeNumerically(">=", 3), name)
			Expect(doc).To(ContainSubstring("X-Token"), name)
		}
	})
})
