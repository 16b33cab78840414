// Package report renders the human report of a conformance run (report.md and
// report.html): scenarios grouped by area and level, failures with the failing
// step and what was expected, skips with the reason. Every text that goes into
// a report passes through a redact.Redactor.
package report

import (
	"bytes"
	"fmt"
	"html/template"
	"sort"
	"strings"
	"time"

	"github.com/wsconform/wsconform/steps/results"
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
	// Unsupported maps a "@needs-..." tag to the reason the target gives for
	// not supporting it; it explains skipped scenarios.
	Unsupported map[string]string
}

// Scenario is one scenario line of the report, redacted.
type Scenario struct {
	Name, Location, Status string
	Step, StepLocation     string
	Error                  string
	Reason                 string
}

// Level is the scenarios of one level in one area.
type Level struct {
	Tag, Meaning            string
	Failed, Skipped, Passed []Scenario
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
	Passed, Failed, Skipped         int
	Legend                          []Level
	Areas                           []Area
}

// Build groups and redacts the run's outcomes.
func Build(run Run, red *redact.Redactor) Model {
	m := Model{
		Target:   red.String(run.Target),
		Started:  run.Started.UTC().Format(time.RFC3339),
		Duration: run.Duration.Round(10 * time.Millisecond).String(),
		Tags:     run.Tags,
	}
	m.Passed, m.Failed, m.Skipped = results.Counts(run.Outcomes)
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
			switch o.Status {
			case results.Passed:
				l.Passed = append(l.Passed, s)
			case results.Skipped:
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

func scenario(o results.Outcome, unsupported map[string]string, red *redact.Redactor) Scenario {
	s := Scenario{
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
	fmt.Fprintf(&b, "\n**%d passed, %d failed, %d skipped**\n\n", m.Passed, m.Failed, m.Skipped)
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
				fmt.Fprintf(&b, "- **FAILED** %s (`%s`)\n", mdText(s.Name), s.Location)
				if s.Step != "" {
					fmt.Fprintf(&b, "  - failing step: `%s` (`%s`)\n", mdCode(s.Step), s.StepLocation)
				}
				fmt.Fprintf(&b, "  - what went wrong:\n\n")
				for _, line := range strings.Split(s.Error, "\n") {
					fmt.Fprintf(&b, "        %s\n", line)
				}
				b.WriteString("\n")
			}
			for _, s := range l.Skipped {
				fmt.Fprintf(&b, "- **SKIPPED** %s (`%s`): %s\n", mdText(s.Name), s.Location, mdText(s.Reason))
			}
			for _, s := range l.Passed {
				fmt.Fprintf(&b, "- passed: %s (`%s`)\n", mdText(s.Name), s.Location)
			}
		}
	}
	return b.Bytes()
}

var mdEscaper = strings.NewReplacer("\\", "\\\\", "*", "\\*", "_", "\\_", "`", "\\`", "[", "\\[", "]", "\\]", "<", "&lt;", ">", "&gt;", "|", "\\|", "\n", " ")

func mdText(s string) string { return mdEscaper.Replace(s) }

func mdCode(s string) string { return strings.NewReplacer("`", "'", "\n", " ").Replace(s) }

var page = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>wsconform conformance report</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}
.failed{color:#b00020}.skipped{color:#8a6d00}.passed{color:#1b5e20}
pre{background:#f6f6f6;padding:.6em;white-space:pre-wrap}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em}
code{background:#f6f6f6}
</style></head><body>
<h1>wsconform conformance report</h1>
<ul><li>Target: {{.Target}}</li><li>Started: {{.Started}}</li><li>Wall time: {{.Duration}}</li>{{if .Tags}}<li>Scenarios selected by tags: <code>{{.Tags}}</code></li>{{end}}</ul>
<p><strong>{{.Passed}} passed, {{.Failed}} failed, {{.Skipped}} skipped</strong></p>
<p>Levels:</p><ul>{{range .Legend}}<li><code>{{.Tag}}</code>: {{.Meaning}}</li>{{end}}</ul>
<table><tr><th>area</th><th>passed</th><th>failed</th><th>skipped</th></tr>
{{range .Areas}}<tr><td>{{.Tag}}</td><td>{{.Passed}}</td><td>{{.Failed}}</td><td>{{.Skipped}}</td></tr>
{{end}}</table>
{{range .Areas}}<h2>{{.Tag}}</h2><p>{{.Passed}} passed, {{.Failed}} failed, {{.Skipped}} skipped</p>
{{range .Levels}}<h3><code>{{.Tag}}</code>: {{.Meaning}}</h3><ul>
{{range .Failed}}<li class="failed"><strong>FAILED</strong> {{.Name}} (<code>{{.Location}}</code>){{if .Step}}<br>failing step: <code>{{.Step}}</code> (<code>{{.StepLocation}}</code>){{end}}<pre>{{.Error}}</pre></li>
{{end}}{{range .Skipped}}<li class="skipped"><strong>SKIPPED</strong> {{.Name}} (<code>{{.Location}}</code>): {{.Reason}}</li>
{{end}}{{range .Passed}}<li class="passed">passed: {{.Name}} (<code>{{.Location}}</code>)</li>
{{end}}</ul>
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
