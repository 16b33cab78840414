// Package report renders the human report of a conformance run (report.md and
// report.html): scenarios grouped by area and level, each with its id,
// failures with the failing step and what was expected, skips with the
// reason. With an expectations file, known deviations are shown apart from
// real failures, and unexpected outcomes and flaky scenarios are named at the
// top. Every text that goes into a report passes through a redact.Redactor.
package report

import (
	"bytes"
	"fmt"
	"html/template"
	"sort"
	"strings"
	"time"

	"github.com/wsconform/wsconform/steps/results"
	"github.com/wsconform/wsconform/tools/internal/expectations"
	"github.com/wsconform/wsconform/tools/internal/redact"
)

// Areas are the area tags, in report order.
var Areas = []string{"@client-mode", "@server-mode", "@tls", "@lifecycle", "@json", "@stream-ddl", "@config", "@robustness"}

// Levels are the level tags, in report order, with what each means.
var Levels = []struct{ Tag, Meaning string }{
	{"@must", "documented behaviour of the eKuiper WebSocket source"},
	{"@should", "observed eKuiper behaviour the documentation does not state"},
	{"@extension", "better than eKuiper; the reference implementation does it, eKuiper may not"},
}

// Run is what a report is made from.
type Run struct {
	// Target names the engine under test.
	Target string
	// Started is when the run started; Duration how long it took.
	Started  time.Time
	Duration time.Duration
	// Tags is the tag expression that selected the scenarios, "" for all.
	Tags string
	// Outcomes are the scenarios' results.
	Outcomes []results.Outcome
	// IDs are the scenario ids the run was restricted to, none for all.
	IDs []string
	// Unsupported maps a "@needs-..." tag to the reason the target gives for
	// not supporting it; it explains skipped scenarios.
	Unsupported map[string]string
	// Expectations is the run judged against an expectations file, nil
	// without one.
	Expectations *expectations.Summary
}

// Scenario is one scenario line of the report, redacted.
type Scenario struct {
	ID, Name, Location, Status string
	Step, StepLocation         string
	Error                      string
	Reason                     string
	// Judgement is set when the run has expectations: Kind is "as
	// expected", "known deviation", "unexpected pass", "unexpected failure",
	// "unexpected skip" or "flaky"; Expected the expected outcome and
	// ExpectReason the reason the expectations file gives ("" when the
	// scenario is not listed); Rerun the outcome of the second run alone.
	Kind, Expected, ExpectReason, Rerun string
	// Summary is the judgement in one line after its kind (for unexpected
	// and flaky ones), e.g. "server-404 (server_mode.feature:50): passed;
	// expected failed: ...".
	Summary string
}

// Level is the scenarios of one level in one area. Failed holds real
// failures (with expectations: the unexpected ones); Deviations the failures
// and skips the expectations file expects; Flaky the scenarios whose outcome
// was as expected only when run again alone.
type Level struct {
	Tag, Meaning                               string
	Failed, Flaky, Deviations, Skipped, Passed []Scenario
}

// Expectations is the report's summary of a run judged against an
// expectations file.
type Expectations struct {
	File, Engine                              string
	AsExpected, Deviations, Unexpected, Flaky int
	Line                                      string
	// Unexpected and Flaky scenarios, named at the top of the report.
	UnexpectedList, FlakyList []Scenario
}

// Area is one area of the report.
type Area struct {
	Tag                     string
	Passed, Failed, Skipped int
	Levels                  []Level
}

// Model is the redacted content of a report, shared by both renderings.
type Model struct {
	Target, Started, Duration, Tags string
	IDs                             []string
	Passed, Failed, Skipped         int
	Legend                          []Level
	Areas                           []Area
	// Expectations is nil for a run without an expectations file.
	Expectations *Expectations
}

// Build groups and redacts the run's outcomes.
func Build(run Run, red *redact.Redactor) Model {
	m := Model{
		Target:   red.String(run.Target),
		Started:  run.Started.UTC().Format(time.RFC3339),
		Duration: run.Duration.Round(10 * time.Millisecond).String(),
		Tags:     run.Tags,
		IDs:      run.IDs,
	}
	m.Passed, m.Failed, m.Skipped = results.Counts(run.Outcomes)
	judged := map[string]expectations.Judgement{} // by location
	if e := run.Expectations; e != nil {
		m.Expectations = &Expectations{
			File: red.String(e.File), Engine: red.String(e.Engine), AsExpected: e.AsExpected,
			Deviations: e.Deviations, Unexpected: e.Unexpected, Flaky: e.Flaky, Line: red.String(e.Line()),
		}
		for _, j := range e.Judgements {
			judged[j.Outcome.Location()] = j
		}
		for _, j := range e.Problems() {
			s := scenario(j.Outcome, run.Unsupported, red)
			judge(&s, j, red)
			if j.Verdict == expectations.Flaky {
				m.Expectations.FlakyList = append(m.Expectations.FlakyList, s)
			} else {
				m.Expectations.UnexpectedList = append(m.Expectations.UnexpectedList, s)
			}
		}
	}
	for _, l := range Levels {
		m.Legend = append(m.Legend, Level{Tag: l.Tag, Meaning: l.Meaning})
	}

	byArea := map[string][]results.Outcome{}
	for _, o := range run.Outcomes {
		a := areaOf(o)
		byArea[a] = append(byArea[a], o)
	}
	names := make([]string, 0, len(byArea))
	for a := range byArea {
		names = append(names, a)
	}
	sort.Slice(names, func(i, j int) bool {
		ri, rj := rank(Areas, names[i]), rank(Areas, names[j])
		if ri != rj {
			return ri < rj
		}
		return names[i] < names[j]
	})
	for _, name := range names {
		outs := byArea[name]
		sort.SliceStable(outs, func(i, j int) bool {
			if outs[i].File != outs[j].File {
				return outs[i].File < outs[j].File
			}
			return outs[i].Line < outs[j].Line
		})
		area := Area{Tag: name}
		area.Passed, area.Failed, area.Skipped = results.Counts(outs)
		levels := map[string]*Level{}
		var order []string
		for _, o := range outs {
			tag := levelOf(o)
			l, ok := levels[tag]
			if !ok {
				l = &Level{Tag: tag, Meaning: meaning(tag)}
				levels[tag] = l
				order = append(order, tag)
			}
			s := scenario(o, run.Unsupported, red)
			j, ok := judged[o.Location()]
			if ok {
				judge(&s, j, red)
			}
			switch {
			case ok && j.Verdict == expectations.Flaky:
				l.Flaky = append(l.Flaky, s)
			case ok && j.Deviation():
				l.Deviations = append(l.Deviations, s)
			case o.Status == results.Passed:
				l.Passed = append(l.Passed, s)
			case o.Status == results.Skipped:
				l.Skipped = append(l.Skipped, s)
			default:
				l.Failed = append(l.Failed, s)
			}
		}
		tags := make([]string, 0, len(Levels))
		for _, l := range Levels {
			tags = append(tags, l.Tag)
		}
		sort.SliceStable(order, func(i, j int) bool { return rank(tags, order[i]) < rank(tags, order[j]) })
		for _, t := range order {
			area.Levels = append(area.Levels, *levels[t])
		}
		m.Areas = append(m.Areas, area)
	}
	return m
}

func rank(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return len(list)
}

func areaOf(o results.Outcome) string {
	for _, a := range Areas {
		if o.HasTag(a) {
			return a
		}
	}
	if o.Feature != "" {
		return o.Feature
	}
	return o.File
}

func levelOf(o results.Outcome) string {
	for _, l := range Levels {
		if o.HasTag(l.Tag) {
			return l.Tag
		}
	}
	return "(no level)"
}

func meaning(tag string) string {
	for _, l := range Levels {
		if l.Tag == tag {
			return l.Meaning
		}
	}
	return "scenarios without a level tag"
}

// judge adds a judgement to a scenario line.
func judge(s *Scenario, j expectations.Judgement, red *redact.Redactor) {
	s.Kind, s.Expected, s.ExpectReason = j.Kind(), string(j.Expected), red.String(j.Reason)
	if j.Rerun != nil {
		s.Rerun = string(j.Rerun.Status)
	}
	if j.Verdict != expectations.AsExpected {
		s.Summary = red.String(strings.TrimPrefix(j.Describe(), j.Kind()+": "))
	}
}

func scenario(o results.Outcome, unsupported map[string]string, red *redact.Redactor) Scenario {
	s := Scenario{
		ID:       o.ID,
		Name:     red.String(o.Name),
		Location: o.Location(),
		Status:   string(o.Status),
		Step:     red.String(o.Step),
		Error:    red.String(strings.TrimSpace(o.Error)),
	}
	if o.StepLine > 0 {
		s.StepLocation = fmt.Sprintf("%s:%d", o.File, o.StepLine)
	}
	if o.Status == results.Skipped && o.Reason != "" {
		s.Reason = red.String(o.Reason)
	} else if o.Status == results.Skipped {
		var reasons []string
		for _, t := range o.Tags {
			if r, ok := unsupported[t]; ok {
				reasons = append(reasons, fmt.Sprintf("the target does not support %s: %s", strings.TrimPrefix(t, "@needs-"), r))
			}
		}
		if len(reasons) == 0 {
			reasons = append(reasons, "the target declined the scenario at its step \""+s.Step+"\"; the run's output gives its reason")
		}
		s.Reason = red.String(strings.Join(reasons, "; "))
	}
	return s
}

// Markdown renders the report as Markdown.
func Markdown(m Model) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# wsconform conformance report\n\n")
	fmt.Fprintf(&b, "- Target: %s\n- Started: %s\n- Wall time: %s\n", mdText(m.Target), m.Started, m.Duration)
	if m.Tags != "" {
		fmt.Fprintf(&b, "- Scenarios selected by tags: `%s`\n", mdCode(m.Tags))
	}
	if len(m.IDs) > 0 {
		ids := make([]string, len(m.IDs))
		for i, id := range m.IDs {
			ids[i] = "`" + mdCode(id) + "`"
		}
		fmt.Fprintf(&b, "- Scenarios selected by id: %s\n", strings.Join(ids, ", "))
	}
	e := m.Expectations
	if e != nil {
		fmt.Fprintf(&b, "- Expectations: `%s` (engine: %s)\n", mdCode(e.File), mdText(e.Engine))
	}
	fmt.Fprintf(&b, "\n**%d passed, %d failed, %d skipped**\n\n", m.Passed, m.Failed, m.Skipped)
	if e != nil {
		fmt.Fprintf(&b, "**Expectations: %d as expected (%d known deviations), %d unexpected, %d flaky**\n\n", e.AsExpected, e.Deviations, e.Unexpected, e.Flaky)
		if len(e.UnexpectedList) > 0 {
			b.WriteString("Unexpected outcomes (they fail the run):\n\n")
			for _, s := range e.UnexpectedList {
				fmt.Fprintf(&b, "- **%s** %s\n", strings.ToUpper(s.Kind), mdText(s.Summary))
			}
			b.WriteString("\n")
		}
		if len(e.FlakyList) > 0 {
			b.WriteString("Flaky scenarios (not as expected, then as expected when run again alone):\n\n")
			for _, s := range e.FlakyList {
				fmt.Fprintf(&b, "- **FLAKY** %s\n", mdText(s.Summary))
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("Levels:\n\n")
	for _, l := range m.Legend {
		fmt.Fprintf(&b, "- `%s`: %s\n", l.Tag, l.Meaning)
	}
	b.WriteString("\n| area | passed | failed | skipped |\n|---|---:|---:|---:|\n")
	for _, a := range m.Areas {
		fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", mdText(a.Tag), a.Passed, a.Failed, a.Skipped)
	}
	for _, a := range m.Areas {
		fmt.Fprintf(&b, "\n## %s\n\n%d passed, %d failed, %d skipped\n", mdText(a.Tag), a.Passed, a.Failed, a.Skipped)
		for _, l := range a.Levels {
			fmt.Fprintf(&b, "\n### `%s`: %s\n\n", l.Tag, l.Meaning)
			for _, s := range l.Failed {
				fmt.Fprintf(&b, "- **FAILED** %s (%s)%s\n", mdText(s.Name), mdWhere(s), mdExpected(s))
				mdFailure(&b, s)
			}
			for _, s := range l.Flaky {
				fmt.Fprintf(&b, "- **FLAKY** %s (%s): %s, then %s when run again alone; expected %s\n", mdText(s.Name), mdWhere(s), s.Status, s.Rerun, mdExpectedText(s))
				if s.Status == string(results.Failed) {
					mdFailure(&b, s)
				}
			}
			for _, s := range l.Deviations {
				fmt.Fprintf(&b, "- known deviation: %s: %s (%s), %s\n", mdText(s.ExpectReason), mdText(s.Name), mdWhere(s), s.Status)
				if s.Status == string(results.Failed) && s.Step != "" {
					fmt.Fprintf(&b, "  - failing step: `%s` (`%s`)\n", mdCode(s.Step), s.StepLocation)
				}
			}
			for _, s := range l.Skipped {
				fmt.Fprintf(&b, "- **SKIPPED** %s (%s): %s%s\n", mdText(s.Name), mdWhere(s), mdText(s.Reason), mdExpected(s))
			}
			for _, s := range l.Passed {
				if s.Kind == "unexpected pass" {
					fmt.Fprintf(&b, "- **UNEXPECTED PASS** %s (%s): expected %s\n", mdText(s.Name), mdWhere(s), mdExpectedText(s))
					continue
				}
				fmt.Fprintf(&b, "- passed: %s (%s)\n", mdText(s.Name), mdWhere(s))
			}
		}
	}
	return b.Bytes()
}

// mdWhere is a scenario's id and location, e.g. "`server-404`, `server_mode.feature:50`".
func mdWhere(s Scenario) string {
	if s.ID == "" {
		return "`" + s.Location + "`"
	}
	return "`" + mdCode(s.ID) + "`, `" + s.Location + "`"
}

// mdExpectedText is the expected outcome and its reason.
func mdExpectedText(s Scenario) string {
	if s.ExpectReason == "" {
		return s.Expected + " (not listed)"
	}
	return s.Expected + ": " + mdText(s.ExpectReason)
}

// mdExpected marks an unexpected failure or skip.
func mdExpected(s Scenario) string {
	if !strings.HasPrefix(s.Kind, "unexpected") {
		return ""
	}
	text := "; **" + s.Kind + "**, expected " + mdExpectedText(s)
	if s.Rerun != "" {
		text += " (run again alone: " + s.Rerun + ")"
	}
	return text
}

// mdFailure writes a failure's step and error.
func mdFailure(b *bytes.Buffer, s Scenario) {
	if s.Step != "" {
		fmt.Fprintf(b, "  - failing step: `%s` (`%s`)\n", mdCode(s.Step), s.StepLocation)
	}
	fmt.Fprintf(b, "  - what went wrong:\n\n")
	for _, line := range strings.Split(s.Error, "\n") {
		fmt.Fprintf(b, "        %s\n", line)
	}
	b.WriteString("\n")
}

var mdEscaper = strings.NewReplacer("\\", "\\\\", "*", "\\*", "_", "\\_", "`", "\\`", "[", "\\[", "]", "\\]", "<", "&lt;", ">", "&gt;", "|", "\\|", "\n", " ")

func mdText(s string) string { return mdEscaper.Replace(s) }

func mdCode(s string) string { return strings.NewReplacer("`", "'", "\n", " ").Replace(s) }

var page = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>wsconform conformance report</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}
.failed,.unexpected{color:#b00020}.skipped{color:#8a6d00}.passed{color:#1b5e20}.flaky{color:#b34700}.deviation{color:#555}
.banner{border:2px solid #b00020;padding:.4em .8em}.banner.flaky{border-color:#b34700}
pre{background:#f6f6f6;padding:.6em;white-space:pre-wrap}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em}
code{background:#f6f6f6}
</style></head><body>
<h1>wsconform conformance report</h1>
<ul><li>Target: {{.Target}}</li><li>Started: {{.Started}}</li><li>Wall time: {{.Duration}}</li>{{if .Tags}}<li>Scenarios selected by tags: <code>{{.Tags}}</code></li>{{end}}{{if .IDs}}<li>Scenarios selected by id:{{range .IDs}} <code>{{.}}</code>{{end}}</li>{{end}}{{with .Expectations}}<li>Expectations: <code>{{.File}}</code> (engine: {{.Engine}})</li>{{end}}</ul>
<p><strong>{{.Passed}} passed, {{.Failed}} failed, {{.Skipped}} skipped</strong></p>
{{with .Expectations}}<p><strong>Expectations: {{.AsExpected}} as expected ({{.Deviations}} known deviations), {{.Unexpected}} unexpected, {{.Flaky}} flaky</strong></p>
{{if .UnexpectedList}}<div class="banner"><p>Unexpected outcomes (they fail the run):</p><ul>{{range .UnexpectedList}}<li class="unexpected"><strong>{{.Kind}}</strong> {{.Summary}}</li>{{end}}</ul></div>
{{end}}{{if .FlakyList}}<div class="banner flaky"><p>Flaky scenarios (not as expected, then as expected when run again alone):</p><ul>{{range .FlakyList}}<li class="flaky"><strong>FLAKY</strong> {{.Summary}}</li>{{end}}</ul></div>
{{end}}{{end}}<p>Levels:</p><ul>{{range .Legend}}<li><code>{{.Tag}}</code>: {{.Meaning}}</li>{{end}}</ul>
<table><tr><th>area</th><th>passed</th><th>failed</th><th>skipped</th></tr>
{{range .Areas}}<tr><td>{{.Tag}}</td><td>{{.Passed}}</td><td>{{.Failed}}</td><td>{{.Skipped}}</td></tr>
{{end}}</table>
{{define "where"}}(<code>{{if .ID}}{{.ID}}</code>, <code>{{end}}{{.Location}}</code>){{end}}
{{define "expected"}}{{.Expected}}{{if .ExpectReason}}: {{.ExpectReason}}{{else}} (not listed){{end}}{{end}}
{{define "unexpected"}}{{if eq .Kind "unexpected failure" "unexpected skip"}}; <strong class="unexpected">{{.Kind}}</strong>, expected {{template "expected" .}}{{if .Rerun}} (run again alone: {{.Rerun}}){{end}}{{end}}{{end}}
{{range .Areas}}<h2>{{.Tag}}</h2><p>{{.Passed}} passed, {{.Failed}} failed, {{.Skipped}} skipped</p>
{{range .Levels}}<h3><code>{{.Tag}}</code>: {{.Meaning}}</h3><ul>
{{range .Failed}}<li class="failed"><strong>FAILED</strong> {{.Name}} {{template "where" .}}{{template "unexpected" .}}{{if .Step}}<br>failing step: <code>{{.Step}}</code> (<code>{{.StepLocation}}</code>){{end}}<pre>{{.Error}}</pre></li>
{{end}}{{range .Flaky}}<li class="flaky"><strong>FLAKY</strong> {{.Name}} {{template "where" .}}: {{.Status}}, then {{.Rerun}} when run again alone; expected {{template "expected" .}}{{if .Error}}<pre>{{.Error}}</pre>{{end}}</li>
{{end}}{{range .Deviations}}<li class="deviation">known deviation: {{.ExpectReason}}: {{.Name}} {{template "where" .}}, {{.Status}}{{if .Step}} at <code>{{.Step}}</code>{{end}}</li>
{{end}}{{range .Skipped}}<li class="skipped"><strong>SKIPPED</strong> {{.Name}} {{template "where" .}}: {{.Reason}}{{template "unexpected" .}}</li>
{{end}}{{range .Passed}}{{if eq .Kind "unexpected pass"}}<li class="unexpected"><strong>UNEXPECTED PASS</strong> {{.Name}} {{template "where" .}}: expected {{template "expected" .}}</li>
{{else}}<li class="passed">passed: {{.Name}} {{template "where" .}}</li>
{{end}}{{end}}</ul>
{{end}}{{end}}</body></html>
`))

// HTML renders the report as a standalone HTML page.
func HTML(m Model) ([]byte, error) {
	var b bytes.Buffer
	if err := page.Execute(&b, m); err != nil {
		return nil, fmt.Errorf("render html report: %w", err)
	}
	return b.Bytes(), nil
}
