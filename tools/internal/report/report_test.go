package report_test

import (
	"encoding/json"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/steps/results"
	"github.com/wsconform/wsconform/tools/internal/expectations"
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

	It("counts every level, in the run and in each area, and puts failures first", func() {
		Expect(m.Levels).To(Equal([]report.Totals{
			{Tag: "@must", Passed: 1, Failed: 1, Skipped: 1},
			{Tag: "@should", Failed: 1},
			{Tag: "@extension", Skipped: 1},
		}))
		Expect(m.Areas[1].Totals[0]).To(Equal(report.Totals{Tag: "@must", Skipped: 1}))
		Expect(m.Scenarios).To(HaveLen(6))
		Expect(m.Scenarios[0].Status).To(Equal("failed"))
		Expect(m.Scenarios[1].Status).To(Equal("failed"))
		Expect(m.Scenarios[2].Status).To(Equal("skipped"))
		md := string(report.Markdown(m))
		Expect(md).To(ContainSubstring("| `@must` | 1 | 1 | 1 |\n| `@should` | 0 | 1 | 0 |\n| `@extension` | 0 | 0 | 1 |\n"))
	})

	It("writes summary.json with versions, counts per level and area, and every scenario", func() {
		r := run
		r.TargetKind, r.SuiteVersion, r.Engine, r.Rerun = "ref", "v1.2.3", "Engine 9", "wsconform run --target ref"
		r.Outcomes = append([]results.Outcome{{ID: "json-rows/2", Feature: "JSON", File: "json.feature", Name: "rows", Line: 41, Tags: []string{"@json", "@must"},
			Status: results.Failed, Step: "Then it fails", StepLine: 38, Error: "Authorization: [\"BEARER T0K3N-mangled\"]", Example: []string{"message={}", "n=2"},
			Duration: 1500 * time.Millisecond}}, r.Outcomes...)
		b, err := report.JSON(report.Build(r, red))
		Expect(err).NotTo(HaveOccurred())
		var got map[string]any
		Expect(json.Unmarshal(b, &got)).To(Succeed())
		Expect(got).To(HaveKeyWithValue("schema", "wsconform.summary/v1"))
		Expect(got["suite"]).To(Equal(map[string]any{"name": "wsconform", "version": "v1.2.3"}))
		Expect(got["target"]).To(HaveKeyWithValue("name", "ref"))
		Expect(got["target"]).To(HaveKeyWithValue("engine", "Engine 9"))
		Expect(got).To(HaveKeyWithValue("started", "2026-11-25T19:00:00Z"))
		Expect(got).To(HaveKeyWithValue("duration_ms", BeNumerically("==", 1500)))
		Expect(got["totals"]).To(Equal(map[string]any{"passed": 2.0, "failed": 3.0, "skipped": 2.0}))
		Expect(got["levels"]).To(HaveKeyWithValue("must", map[string]any{"passed": 1.0, "failed": 2.0, "skipped": 1.0}))
		Expect(got["areas"]).To(HaveKeyWithValue("tls", HaveKeyWithValue("extension", map[string]any{"passed": 0.0, "failed": 0.0, "skipped": 1.0})))
		var first map[string]any
		for _, sc := range got["scenarios"].([]any) {
			if sc.(map[string]any)["id"] == "json-rows/2" {
				first = sc.(map[string]any)
			}
		}
		Expect(got["scenarios"].([]any)[0]).To(HaveKeyWithValue("status", "failed"), "failures first")
		Expect(first).To(Equal(map[string]any{
			"id": "json-rows/2", "name": "rows", "feature": "features/json.feature", "line": 41.0, "area": "json", "level": "must",
			"tags": []any{"@json", "@must"}, "example": map[string]any{"message": "{}", "n": "2"}, "status": "failed", "duration_ms": 1500.0,
			"message": `Authorization: ["[REDACTED]"]`, "step": "Then it fails", "step_line": 38.0, "rerun": "wsconform run --target ref --id json-rows/2",
		}))
		Expect(string(b)).NotTo(ContainSubstring("T0K3N"))
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
		Expect(string(page)).To(MatchRegexp(`<details class="scenario" id="s-" data-id="" data-name="nulls are kept" data-status="failed" data-level="should" data-area="json" open>`))
		Expect(string(page)).To(ContainSubstring(`<span class="passed">2 passed</span><span class="failed">2 failed</span><span class="skipped">2 skipped</span>`))
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

var _ = Describe("report with ids and expectations", func() {
	red := redact.New("tok-SECRET-1")
	outs := []results.Outcome{
		{ID: "json-array", Feature: "JSON", File: "json.feature", Name: "an array", Line: 12, Tags: []string{"@json", "@must"}, Status: results.Passed},
		{ID: "json-nulls", Feature: "JSON", File: "json.feature", Name: "nulls are kept", Line: 30, Tags: []string{"@json", "@must"}, Status: results.Failed,
			Step: "Then the rule gets 2 records", StepLine: 33, Error: "expected 2 records, got 1"},
		{ID: "json-rows/1", Feature: "JSON", File: "json.feature", Name: "row one", Line: 40, Tags: []string{"@json", "@must"}, Status: results.Passed},
		{ID: "json-rows/2", Feature: "JSON", File: "json.feature", Name: "row two", Line: 41, Tags: []string{"@json", "@must"}, Status: results.Failed,
			Step: "Then it works", StepLine: 38, Error: "header tok-SECRET-1 missing"},
		{ID: "json-flaky", Feature: "JSON", File: "json.feature", Name: "sometimes", Line: 50, Tags: []string{"@json", "@should"}, Status: results.Failed,
			Step: "Then it works", StepLine: 52, Error: "timed out"},
		{ID: "tls-wss", Feature: "TLS", File: "tls.feature", Name: "wss", Line: 4, Tags: []string{"@tls", "@must"}, Status: results.Skipped, Reason: "no wss here"},
	}
	file, err := expectations.Parse("exp.yaml", []byte(`engine: Engine 9 <beta>
expectations:
  json-nulls: {outcome: failed, reason: "drops nulls"}
  json-array: {outcome: failed, reason: "splits arrays wrongly"}
  tls-wss: {outcome: skipped, reason: "needs a wss data server"}
`))
	Expect(err).NotTo(HaveOccurred())
	summary, err := expectations.Judge(file, outs, func(o results.Outcome) (results.Outcome, error) {
		if o.ID == "json-flaky" {
			o.Status = results.Passed
		}
		return o, nil
	})
	Expect(err).NotTo(HaveOccurred())
	m := report.Build(report.Run{Target: "engine", Outcomes: outs, IDs: []string{"json-nulls", "json-rows"}, Expectations: &summary}, red)

	It("sorts scenarios into failures, flaky ones, known deviations, skips and passes", func() {
		l := m.Areas[1].Levels[0]
		Expect(m.Areas[1].Tag).To(Equal("@json"))
		Expect(l.Failed).To(HaveLen(1))
		Expect(l.Failed[0].ID).To(Equal("json-rows/2"))
		Expect(l.Failed[0].Kind).To(Equal("unexpected failure"))
		Expect(l.Deviations).To(HaveLen(1))
		Expect(l.Deviations[0].ExpectReason).To(Equal("drops nulls"))
		Expect(m.Areas[1].Levels[1].Flaky[0].Rerun).To(Equal("passed"))
		Expect(m.Expectations.Unexpected).To(Equal(2))
		Expect(m.Expectations.UnexpectedList).To(HaveLen(2))
		Expect(m.Expectations.FlakyList).To(HaveLen(1))
	})

	It("shows ids, known deviations apart from failures, and names the unexpected and flaky at the top, in Markdown", func() {
		md := string(report.Markdown(m))
		Expect(md).To(ContainSubstring("- Scenarios selected by id: `json-nulls`, `json-rows`"))
		Expect(md).To(ContainSubstring("- Expectations: `exp.yaml` (engine: Engine 9 &lt;beta&gt;)"))
		Expect(md).To(ContainSubstring("**Expectations: 3 as expected (2 known deviations), 2 unexpected, 1 flaky**"))
		Expect(md).To(ContainSubstring("- **UNEXPECTED PASS** json-array (json.feature:12): passed; expected failed: splits arrays wrongly"))
		Expect(md).To(ContainSubstring("- **UNEXPECTED FAILURE** json-rows/2 (json.feature:41): failed at"))
		Expect(md).To(ContainSubstring("- **FLAKY** json-flaky (json.feature:50): failed, then passed when run again alone"))
		Expect(md).To(ContainSubstring("- known deviation: drops nulls: nulls are kept (`json-nulls`, `json.feature:30`), failed\n  - failing step: `Then the rule gets 2 records`"))
		Expect(md).To(ContainSubstring("- **FAILED** row two (`json-rows/2`, `json.feature:41`); **unexpected failure**, expected passed (not listed) (run again alone: failed)"))
		Expect(md).To(ContainSubstring("- **UNEXPECTED PASS** an array (`json-array`, `json.feature:12`): expected failed: splits arrays wrongly"))
		Expect(md).To(ContainSubstring("- passed: row one (`json-rows/1`, `json.feature:40`)"))
		Expect(md).To(ContainSubstring("- known deviation: needs a wss data server: wss (`tls-wss`, `tls.feature:4`), skipped"))
		Expect(md).NotTo(ContainSubstring("**FAILED** nulls are kept"))
		Expect(md).NotTo(ContainSubstring("tok-SECRET-1"))
	})

	It("shows the same in HTML", func() {
		page, err := report.HTML(m)
		Expect(err).NotTo(HaveOccurred())
		html := string(page)
		Expect(html).To(ContainSubstring("Expectations: 3 as expected (2 known deviations), 2 unexpected, 1 flaky"))
		Expect(html).To(ContainSubstring(`data-id="json-nulls" data-name="nulls are kept" data-status="failed" data-level="must" data-area="json" data-verdict="known-deviation">`))
		Expect(html).To(ContainSubstring(`<p class="judgement">Expected failed: drops nulls</p>`))
		Expect(html).To(ContainSubstring(`data-id="json-array" data-name="an array" data-status="passed" data-level="must" data-area="json" data-verdict="unexpected-pass">`))
		Expect(html).To(ContainSubstring(`data-id="json-flaky" data-name="sometimes" data-status="failed" data-level="should" data-area="json" data-verdict="flaky" open>`))
		Expect(html).To(ContainSubstring(`<p class="judgement">Expected passed (not listed); run again alone: passed</p>`))
		Expect(html).To(ContainSubstring(`data-id="json-rows/1" data-name="row one" data-status="passed" data-level="must" data-area="json" data-verdict="as-expected">`))
		Expect(html).To(ContainSubstring(`<th>known deviations</th>`))
		Expect(html).To(ContainSubstring("engine: Engine 9 &lt;beta&gt;"))
		Expect(html).NotTo(ContainSubstring("tok-SECRET-1"))
	})
})
