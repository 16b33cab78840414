// Package report renders the reports of a conformance run: report.md and
// report.html for people, summary.json for tools. They name the suite's and
// the engine's versions and count scenarios per level and per area and
// level; scenarios are grouped by area and level, each with its id,
// failures with the failing step and what was expected, skips with the
// reason. With an expectations file, known deviations are shown apart from
// real failures, and unexpected outcomes and flaky scenarios are named at the
// top. Every text that goes into a report passes through a redact.Redactor.
package report

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/wsconform/wsconform/steps/results"
	"github.com/wsconform/wsconform/tools/internal/expectations"
	"github.com/wsconform/wsconform/tools/internal/redact"
)

// Areas are the area tags, in report order.
var Areas = []string{"@client-mode", "@server-mode", "@tls", "@lifecycle", "@json", "@stream-ddl", "@config", "@robustness", "@sinks"}

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
	// TargetKind is the --target the run used ("ref" or "rest").
	TargetKind string
	// SuiteVersion is the version of the suite that ran (wsconform --version).
	SuiteVersion string
	// Engine names the engine and its version, as the engine tells them; ""
	// when it does not.
	Engine string
	// Rerun is the command that runs the suite against the same target, e.g.
	// "wsconform run --target ref"; a scenario's rerun command adds its id.
	Rerun string
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
	// Feature is the feature's title; File its path in the features
	// directory and Line the scenario's (or Examples row's) line.
	Feature, File string
	Line          int
	// Area and Level are the area and level tags ("@tls", "@must").
	Area, Level string
	// Tags are all the scenario's tags.
	Tags []string
	// Example is an Examples row's values, nil for a plain scenario.
	Example []Pair
	// Duration is how long the scenario ran.
	Duration time.Duration
	// Steps are the scenario's steps with their outcomes.
	Steps []results.Step
	// RerunCommand runs this scenario alone against the same target.
	RerunCommand string
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

// Pair is one column of an Examples row and its value.
type Pair struct{ Column, Value string }

// Area is one area of the report.
type Area struct {
	Tag                     string
	Passed, Failed, Skipped int
	Levels                  []Level
	// Totals are the area's counts per level, one per entry of Levels (the
	// package variable), in its order.
	Totals []Totals
}

// Totals are the counts of one level (or of the whole run). Failed counts
// every failure, the known deviations among them; Deviations counts the
// failures and skips an expectations file expects.
type Totals struct {
	Tag                                 string
	Passed, Failed, Skipped, Deviations int
}

// Total is the number of scenarios counted.
func (t Totals) Total() int { return t.Passed + t.Failed + t.Skipped }

// Model is the redacted content of a report, shared by its renderings.
type Model struct {
	Target, Started, Duration, Tags string
	// TargetKind, SuiteVersion, Engine and Rerun are those of Run.
	TargetKind, SuiteVersion, Engine, Rerun string
	// StartedAt and Elapsed are Started and Duration unrounded.
	StartedAt               time.Time
	Elapsed                 time.Duration
	IDs                     []string
	Passed, Failed, Skipped int
	Legend                  []Level
	Areas                   []Area
	// Levels are the run's counts per level, in the order of Levels (the
	// package variable).
	Levels []Totals
	// Scenarios are every scenario, failures first: unexpected outcomes,
	// flaky ones, failures, known deviations, skips, passes; then by area
	// and location.
	Scenarios []Scenario
	// Expectations is nil for a run without an expectations file.
	Expectations *Expectations
}

// Build groups and redacts the run's outcomes.
func Build(run Run, red *redact.Redactor) Model {
	m := Model{
		Target:       red.String(run.Target),
		TargetKind:   run.TargetKind,
		SuiteVersion: run.SuiteVersion,
		Engine:       red.String(run.Engine),
		Rerun:        red.String(run.Rerun),
		Started:      run.Started.UTC().Format(time.RFC3339),
		StartedAt:    run.Started,
		Elapsed:      run.Duration,
		Duration:     run.Duration.Round(10 * time.Millisecond).String(),
		Tags:         run.Tags,
		IDs:          run.IDs,
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
			s.Area = name
			if run.Rerun != "" && o.ID != "" {
				s.RerunCommand = m.Rerun + " --id " + o.ID
			}
			j, ok := judged[o.Location()]
			if ok {
				judge(&s, j, red)
			}
			m.Scenarios = append(m.Scenarios, s)
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
	m.Levels = tally(m.Scenarios)
	for i, a := range m.Areas {
		var in []Scenario
		for _, s := range m.Scenarios {
			if s.Area == a.Tag {
				in = append(in, s)
			}
		}
		m.Areas[i].Totals = tally(in)
	}
	sort.SliceStable(m.Scenarios, func(i, j int) bool { return urgency(m.Scenarios[i]) < urgency(m.Scenarios[j]) })
	return m
}

// tally counts scenarios per level, one Totals per entry of Levels.
func tally(scenarios []Scenario) []Totals {
	out := make([]Totals, len(Levels))
	for i, l := range Levels {
		out[i].Tag = l.Tag
	}
	for _, s := range scenarios {
		i := rank(levelTags(), s.Level)
		if i >= len(out) {
			continue
		}
		t := &out[i]
		switch s.Status {
		case string(results.Passed):
			t.Passed++
		case string(results.Skipped):
			t.Skipped++
		default:
			t.Failed++
		}
		if s.Kind == "known deviation" {
			t.Deviations++
		}
	}
	return out
}

func levelTags() []string {
	tags := make([]string, len(Levels))
	for i, l := range Levels {
		tags[i] = l.Tag
	}
	return tags
}

// urgency orders scenarios for reading: what needs attention first.
func urgency(s Scenario) int {
	switch {
	case strings.HasPrefix(s.Kind, "unexpected"):
		return 0
	case s.Kind == "flaky":
		return 1
	case s.Status == string(results.Failed) && s.Kind != "known deviation":
		return 2
	case s.Kind == "known deviation":
		return 3
	case s.Status == string(results.Skipped):
		return 4
	}
	return 5
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
		Feature:  red.String(o.Feature),
		File:     o.File,
		Line:     o.Line,
		Level:    levelOf(o),
		Tags:     o.Tags,
		Duration: o.Duration,
	}
	for _, p := range o.Example {
		col, val, _ := strings.Cut(p, "=")
		s.Example = append(s.Example, Pair{Column: col, Value: red.String(val)})
	}
	for _, st := range o.Steps {
		st.Text, st.Argument, st.Error = red.String(st.Text), red.String(st.Argument), red.String(strings.TrimSpace(st.Error))
		s.Steps = append(s.Steps, st)
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
	fmt.Fprintf(&b, "- Suite: wsconform %s\n- Target: %s\n- Engine: %s\n- Started: %s\n- Wall time: %s\n",
		mdText(m.SuiteVersion), mdText(m.Target), mdText(orUnknown(m.Engine)), m.Started, m.Duration)
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
	b.WriteString("\n| level | passed | failed | skipped |")
	if e != nil {
		b.WriteString(" known deviations |")
	}
	b.WriteString("\n|---|---:|---:|---:|")
	if e != nil {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	for _, t := range m.Levels {
		fmt.Fprintf(&b, "| `%s` | %d | %d | %d |", t.Tag, t.Passed, t.Failed, t.Skipped)
		if e != nil {
			fmt.Fprintf(&b, " %d |", t.Deviations)
		}
		b.WriteString("\n")
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

// orUnknown is s, or a word saying the engine did not tell.
func orUnknown(s string) string {
	if s == "" {
		return "(the engine does not say)"
	}
	return s
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
	if s.RerunCommand != "" {
		fmt.Fprintf(b, "  - rerun: `%s`\n", mdCode(s.RerunCommand))
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

// HTML renders the report as a standalone HTML page.
func HTML(m Model) ([]byte, error) {
	var b bytes.Buffer
	if err := page.Execute(&b, m); err != nil {
		return nil, fmt.Errorf("render html report: %w", err)
	}
	return b.Bytes(), nil
}
