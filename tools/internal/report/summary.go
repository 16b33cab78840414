package report

import (
	"encoding/json"
	"fmt"
	"strings"
)

// SummarySchema names the format of summary.json; it changes when a field
// changes meaning or goes away.
const SummarySchema = "wsconform.summary/v1"

// Summary is summary.json: a run's outcomes for tools, with the suite's and
// the engine's versions, counts per level and per area and level, and every
// scenario with its rerun command.
type Summary struct {
	Schema string `json:"schema"`
	Suite  struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"suite"`
	Target struct {
		// Name is the --target ("ref" or "rest"); Description how the
		// target names itself; Engine the engine and its version.
		Name        string `json:"name"`
		Description string `json:"description"`
		Engine      string `json:"engine"`
	} `json:"target"`
	Started    string `json:"started"`
	DurationMS int64  `json:"duration_ms"`
	Totals     Count  `json:"totals"`
	// Levels are keyed by level without "@": must, should, extension.
	Levels map[string]Count `json:"levels"`
	// Areas are keyed by area without "@", then by level.
	Areas map[string]map[string]Count `json:"areas"`
	// Expectations is set for a run judged by an expectations file.
	Expectations *struct {
		File       string `json:"file"`
		Engine     string `json:"engine"`
		AsExpected int    `json:"as_expected"`
		Unexpected int    `json:"unexpected"`
		Flaky      int    `json:"flaky"`
	} `json:"expectations,omitempty"`
	Scenarios []SummaryScenario `json:"scenarios"`
}

// Count is the outcome counts of a group of scenarios; KnownDeviations is
// set only for a run judged by an expectations file.
type Count struct {
	Passed          int  `json:"passed"`
	Failed          int  `json:"failed"`
	Skipped         int  `json:"skipped"`
	KnownDeviations *int `json:"known_deviations,omitempty"`
}

// SummaryScenario is one scenario (or Examples row) of summary.json.
type SummaryScenario struct {
	ID      string            `json:"id"`
	Name    string            `json:"name"`
	Feature string            `json:"feature"`
	Line    int               `json:"line"`
	Area    string            `json:"area"`
	Level   string            `json:"level"`
	Tags    []string          `json:"tags"`
	Example map[string]string `json:"example"`
	Status  string            `json:"status"`
	// DurationMS is how long the scenario ran, in milliseconds.
	DurationMS int64 `json:"duration_ms"`
	// Message is what went wrong (failed) or why it was skipped.
	Message string `json:"message"`
	// Step is the failing (or first skipped) step, "" for a pass.
	Step     string           `json:"step,omitempty"`
	StepLine int              `json:"step_line,omitempty"`
	Rerun    string           `json:"rerun"`
	Expected *SummaryExpected `json:"expected,omitempty"`
}

// SummaryExpected is a scenario's verdict against an expectations file.
type SummaryExpected struct {
	// Outcome is the expected outcome; Reason why (empty when the
	// scenario is not listed, and so expected to pass).
	Outcome string `json:"outcome"`
	Reason  string `json:"reason,omitempty"`
	// Verdict is as-expected, unexpected or flaky; Kind says it in words
	// ("known deviation", "unexpected pass", ...).
	Verdict string `json:"verdict"`
	Kind    string `json:"kind"`
	// Rerun is the outcome of the scenario run again alone, when it ran.
	Rerun string `json:"rerun,omitempty"`
}

// FeatureDir is the directory of the feature files in the repository; a
// scenario's feature path in summary.json starts with it.
const FeatureDir = "features/"

// untag is a tag without its "@".
func untag(t string) string { return strings.TrimPrefix(t, "@") }

func count(t Totals, judged bool) Count {
	c := Count{Passed: t.Passed, Failed: t.Failed, Skipped: t.Skipped}
	if judged {
		d := t.Deviations
		c.KnownDeviations = &d
	}
	return c
}

// SummaryOf returns the summary.json content of m.
func SummaryOf(m Model) Summary {
	judged := m.Expectations != nil
	var s Summary
	s.Schema = SummarySchema
	s.Suite.Name, s.Suite.Version = "wsconform", m.SuiteVersion
	s.Target.Name, s.Target.Description, s.Target.Engine = m.TargetKind, m.Target, m.Engine
	s.Started = m.Started
	s.DurationMS = m.Elapsed.Milliseconds()
	var all Totals
	s.Levels = map[string]Count{}
	for _, t := range m.Levels {
		s.Levels[untag(t.Tag)] = count(t, judged)
		all.Deviations += t.Deviations
	}
	all.Passed, all.Failed, all.Skipped = m.Passed, m.Failed, m.Skipped
	s.Totals = count(all, judged)
	s.Areas = map[string]map[string]Count{}
	for _, a := range m.Areas {
		levels := map[string]Count{}
		for _, t := range a.Totals {
			levels[untag(t.Tag)] = count(t, judged)
		}
		s.Areas[untag(a.Tag)] = levels
	}
	if e := m.Expectations; e != nil {
		s.Expectations = &struct {
			File       string `json:"file"`
			Engine     string `json:"engine"`
			AsExpected int    `json:"as_expected"`
			Unexpected int    `json:"unexpected"`
			Flaky      int    `json:"flaky"`
		}{e.File, e.Engine, e.AsExpected, e.Unexpected, e.Flaky}
	}
	s.Scenarios = []SummaryScenario{}
	for _, sc := range m.Scenarios {
		out := SummaryScenario{
			ID: sc.ID, Name: sc.Name, Feature: FeatureDir + sc.File, Line: sc.Line,
			Area: untag(sc.Area), Level: untag(sc.Level), Tags: sc.Tags, Status: sc.Status,
			DurationMS: sc.Duration.Milliseconds(), Rerun: sc.RerunCommand,
		}
		if out.Tags == nil {
			out.Tags = []string{}
		}
		if len(sc.Example) > 0 {
			out.Example = map[string]string{}
			for _, p := range sc.Example {
				out.Example[p.Column] = p.Value
			}
		}
		switch sc.Status {
		case "failed":
			out.Message = sc.Error
			out.Step, out.StepLine = sc.Step, stepLine(sc)
		case "skipped":
			out.Message = sc.Reason
			out.Step, out.StepLine = sc.Step, stepLine(sc)
		}
		if judged && sc.Kind != "" {
			out.Expected = &SummaryExpected{Outcome: sc.Expected, Reason: sc.ExpectReason, Kind: sc.Kind, Rerun: sc.Rerun, Verdict: verdictOf(sc.Kind)}
		}
		s.Scenarios = append(s.Scenarios, out)
	}
	return s
}

func stepLine(sc Scenario) int {
	var n int
	if i := strings.LastIndexByte(sc.StepLocation, ':'); i >= 0 {
		fmt.Sscan(sc.StepLocation[i+1:], &n)
	}
	return n
}

func verdictOf(kind string) string {
	switch {
	case kind == "flaky":
		return "flaky"
	case strings.HasPrefix(kind, "unexpected"):
		return "unexpected"
	}
	return "as-expected"
}

// JSON renders summary.json.
func JSON(m Model) ([]byte, error) {
	b, err := json.MarshalIndent(SummaryOf(m), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("render summary.json: %w", err)
	}
	return append(b, '\n'), nil
}
