// Package expectations reads an expectations file, the outcome an engine is
// known to have for some scenarios (like a known-failure list), and judges a
// run's outcomes against it: as expected, unexpected, or flaky (unexpected,
// then as expected when run again alone).
//
// The file is YAML:
//
//	engine: eKuiper 2.4.0-27-g0014e7fab   # free text shown in reports
//	expectations:
//	  server-404-after-stop:              # a scenario id, or a row id <id>/<n>
//	    outcome: failed                   # failed | skipped | passed
//	    reason: "eKuiper keeps an endpoint that never had a client"
//
// A scenario id covers every Examples row of an outline; a row's own entry
// wins over its outline's. A scenario not listed is expected to pass. Every
// entry needs an outcome and a reason; unknown keys are errors.
package expectations

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/wsconform/wsconform/steps/featureset"
	"github.com/wsconform/wsconform/steps/results"
)

// Entry is one expectation of the file.
type Entry struct {
	// ID is the scenario id or row id the entry is for.
	ID string
	// Outcome is the expected outcome.
	Outcome results.Status
	// Reason says why the engine has that outcome.
	Reason string
	// Line is the entry's line in the file.
	Line int
}

// File is a parsed expectations file.
type File struct {
	// Path is the file's name as given to Load or Parse.
	Path string
	// Engine is the free text naming the engine the file describes.
	Engine string
	// Entries are the expectations in file order.
	Entries []Entry

	byID map[string]Entry
}

// Load reads and parses the expectations file at path.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("expectations file: %w", err)
	}
	return Parse(path, data)
}

// Parse parses an expectations file; name is its path, used in errors. The
// error lists every problem, one per line, each as "name:line: ...".
func Parse(name string, data []byte) (*File, error) {
	f := &File{Path: name, byID: map[string]Entry{}}
	var problems []string
	bad := func(line int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s:%d: %s", name, line, fmt.Sprintf(format, args...)))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: not YAML: %w", name, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: empty; want the keys engine and expectations", name)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want a mapping with the keys engine and expectations", name, root.Line)
	}
	var haveEngine bool
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if prev, dup := seen[k.Value]; dup {
			bad(k.Line, "key %q given twice (first at line %d)", k.Value, prev)
			continue
		}
		seen[k.Value] = k.Line
		switch k.Value {
		case "engine":
			haveEngine = true
			if v.Kind != yaml.ScalarNode || strings.TrimSpace(v.Value) == "" {
				bad(v.Line, "engine: want the engine's name and version as text")
				continue
			}
			f.Engine = strings.TrimSpace(v.Value)
		case "expectations":
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				continue
			}
			if v.Kind != yaml.MappingNode {
				bad(v.Line, "expectations: want a mapping of scenario ids to {outcome, reason}")
				continue
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				if e, ok := entry(v.Content[j], v.Content[j+1], bad); ok {
					if prev, dup := f.byID[e.ID]; dup {
						bad(e.Line, "entry %q: listed twice (first at line %d)", e.ID, prev.Line)
						continue
					}
					f.byID[e.ID] = e
					f.Entries = append(f.Entries, e)
				}
			}
		default:
			bad(k.Line, "unknown key %q (want engine, expectations)", k.Value)
		}
	}
	if !haveEngine {
		bad(root.Line, "no engine: say which engine (and version) the expectations describe")
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return f, nil
}

// entry reads one "id: {outcome, reason}" pair.
func entry(k, v *yaml.Node, bad func(int, string, ...any)) (Entry, bool) {
	e := Entry{ID: k.Value, Line: k.Line}
	ok := true
	if _, _, valid := featureset.SplitID(e.ID); !valid {
		bad(k.Line, "entry %q: not a scenario id (lower-case [a-z0-9-]+) or a row id (<id>/<n>)", e.ID)
		ok = false
	}
	if v.Kind != yaml.MappingNode {
		bad(v.Line, "entry %q: want a mapping with outcome and reason", e.ID)
		return e, false
	}
	var haveOutcome, haveReason bool
	for i := 0; i+1 < len(v.Content); i += 2 {
		kk, vv := v.Content[i], v.Content[i+1]
		switch kk.Value {
		case "outcome":
			haveOutcome = true
			switch s := results.Status(vv.Value); {
			case vv.Kind == yaml.ScalarNode && (s == results.Failed || s == results.Skipped || s == results.Passed):
				e.Outcome = s
			default:
				bad(vv.Line, "entry %q: outcome %q: want failed, skipped or passed", e.ID, vv.Value)
				ok = false
			}
		case "reason":
			haveReason = true
			if vv.Kind != yaml.ScalarNode || strings.TrimSpace(vv.Value) == "" {
				bad(vv.Line, "entry %q: empty reason: say why the engine has this outcome", e.ID)
				ok = false
				continue
			}
			e.Reason = strings.TrimSpace(vv.Value)
		default:
			bad(kk.Line, "entry %q: unknown key %q (want outcome, reason)", e.ID, kk.Value)
			ok = false
		}
	}
	if !haveOutcome {
		bad(v.Line, "entry %q: no outcome (want failed, skipped or passed)", e.ID)
		ok = false
	}
	if !haveReason {
		bad(v.Line, "entry %q: no reason: say why the engine has this outcome", e.ID)
		ok = false
	}
	return e, ok
}

// Check returns an error naming every entry whose id names no scenario and
// no Examples row of features.
func (f *File) Check(features []featureset.Feature) error {
	var problems []string
	for _, e := range f.Entries {
		if len(featureset.Find(features, e.ID)) == 0 {
			problems = append(problems, fmt.Sprintf("%s:%d: entry %q: unknown scenario id (wsconform list shows them)", f.Path, e.Line, e.ID))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	return nil
}

// For returns the expectation for the scenario or row id: the row's own
// entry, else its outline's, else (listed false) an expected pass.
func (f *File) For(id string) (e Entry, listed bool) {
	if f != nil && id != "" {
		if e, ok := f.byID[id]; ok {
			return e, true
		}
		if e, ok := f.byID[featureset.BaseID(id)]; ok {
			return e, true
		}
	}
	return Entry{ID: id, Outcome: results.Passed}, false
}

// Verdict is how an outcome compares with its expectation.
type Verdict string

// The verdicts.
const (
	// AsExpected: the outcome is the expected one.
	AsExpected Verdict = "as-expected"
	// Unexpected: the outcome differs, and differed again when the scenario
	// ran alone.
	Unexpected Verdict = "unexpected"
	// Flaky: the outcome differed, then was as expected when the scenario
	// ran alone.
	Flaky Verdict = "flaky"
)

// Judgement is one scenario's outcome against its expectation.
type Judgement struct {
	// Outcome is the scenario's outcome in the run.
	Outcome results.Outcome
	// Expected is the expected outcome; Reason the entry's reason, "" when
	// the scenario is not listed (Listed false: expected to pass).
	Expected results.Status
	Reason   string
	Listed   bool
	// Verdict is how Outcome compares with Expected.
	Verdict Verdict
	// Rerun is the outcome of the scenario run again alone, for an outcome
	// that differed from its expectation; nil otherwise.
	Rerun *results.Outcome
}

// Deviation tells whether the judgement is a known deviation: an outcome
// other than passed, as expected.
func (j Judgement) Deviation() bool { return j.Verdict == AsExpected && j.Expected != results.Passed }

// Kind names the judgement in a few words: "unexpected pass", "unexpected
// failure", "unexpected skip", "flaky", "known deviation" or "as expected".
func (j Judgement) Kind() string {
	switch {
	case j.Verdict == Flaky:
		return "flaky"
	case j.Verdict == Unexpected:
		switch j.Outcome.Status {
		case results.Passed:
			return "unexpected pass"
		case results.Skipped:
			return "unexpected skip"
		default:
			return "unexpected failure"
		}
	case j.Deviation():
		return "known deviation"
	default:
		return "as expected"
	}
}

// Rerun runs one scenario (or row), named by its outcome, once more alone and
// returns its new outcome.
type Rerun func(o results.Outcome) (results.Outcome, error)

// Summary is a run judged against an expectations file.
type Summary struct {
	// File is the expectations file's path; Engine its engine text.
	File, Engine string
	// Judgements are one per outcome, in the outcomes' order.
	Judgements []Judgement
	// AsExpected counts the outcomes as expected, Deviations those of them
	// that are not passes; Unexpected and Flaky count the others.
	AsExpected, Deviations, Unexpected, Flaky int
}

// Judge compares outcomes with f. An outcome that differs from its
// expectation is run once more alone through rerun: if it then matches, the
// scenario is flaky, else unexpected. A rerun that cannot run leaves the
// scenario unexpected, and its error is returned along with the summary.
func Judge(f *File, outcomes []results.Outcome, rerun Rerun) (Summary, error) {
	s := Summary{File: f.Path, Engine: f.Engine}
	var errs []error
	for _, o := range outcomes {
		e, listed := f.For(o.ID)
		j := Judgement{Outcome: o, Expected: e.Outcome, Reason: e.Reason, Listed: listed, Verdict: AsExpected}
		if o.Status != e.Outcome {
			j.Verdict = Unexpected
			if rerun != nil {
				again, err := rerun(o)
				if err != nil {
					errs = append(errs, fmt.Errorf("run %s again: %w", name(o), err))
				} else {
					j.Rerun = &again
					if again.Status == e.Outcome {
						j.Verdict = Flaky
					}
				}
			}
		}
		switch {
		case j.Verdict == Flaky:
			s.Flaky++
		case j.Verdict == Unexpected:
			s.Unexpected++
		default:
			s.AsExpected++
			if j.Deviation() {
				s.Deviations++
			}
		}
		s.Judgements = append(s.Judgements, j)
	}
	return s, errors.Join(errs...)
}

func name(o results.Outcome) string {
	if o.ID != "" {
		return o.ID
	}
	return o.Location()
}

// Line is the one-line summary: "expectations (FILE): X as expected (Y known
// deviations), U unexpected, F flaky".
func (s Summary) Line() string {
	return fmt.Sprintf("expectations (%s): %d as expected (%d known deviations), %d unexpected, %d flaky",
		s.File, s.AsExpected, s.Deviations, s.Unexpected, s.Flaky)
}

// Problems returns the unexpected and flaky judgements, unexpected first,
// each group sorted by location.
func (s Summary) Problems() []Judgement {
	var out []Judgement
	for _, v := range []Verdict{Unexpected, Flaky} {
		var group []Judgement
		for _, j := range s.Judgements {
			if j.Verdict == v {
				group = append(group, j)
			}
		}
		sort.SliceStable(group, func(a, b int) bool {
			return lessLocation(group[a].Outcome.Location(), group[b].Outcome.Location())
		})
		out = append(out, group...)
	}
	return out
}

// Describe says in one line what happened to a judged scenario, e.g.
// `unexpected pass: server-404-after-stop (server_mode.feature:50): expected failed: eKuiper keeps ...`.
func (j Judgement) Describe() string {
	o := j.Outcome
	head := fmt.Sprintf("%s: %s (%s)", j.Kind(), name(o), o.Location())
	expected := "expected " + string(j.Expected)
	if j.Reason != "" {
		expected += ": " + j.Reason
	} else if !j.Listed {
		expected += " (not listed)"
	}
	switch {
	case j.Verdict == Flaky:
		return fmt.Sprintf("%s: %s, then %s when run again alone; %s", head, o.Status, j.Rerun.Status, expected)
	case j.Verdict == Unexpected && o.Status == results.Failed:
		msg, _, _ := strings.Cut(strings.TrimSpace(o.Error), "\n")
		detail := "failed"
		if o.Step != "" {
			detail += " at " + strconv.Quote(o.Step)
		}
		if msg != "" {
			detail += ": " + msg
		}
		return fmt.Sprintf("%s: %s; %s%s", head, detail, expected, again(j))
	case j.Verdict == Unexpected && o.Status == results.Skipped && o.Reason != "":
		return fmt.Sprintf("%s: skipped: %s; %s%s", head, o.Reason, expected, again(j))
	case j.Verdict == Unexpected:
		return fmt.Sprintf("%s: %s; %s%s", head, o.Status, expected, again(j))
	default:
		return fmt.Sprintf("%s: %s; %s", head, o.Status, expected)
	}
}

// again tells what the rerun of an unexpected outcome gave, when it ran.
func again(j Judgement) string {
	if j.Rerun == nil {
		return ""
	}
	return fmt.Sprintf(" (run again alone: %s)", j.Rerun.Status)
}

// Record is one scenario of the JSON form of a Summary.
type Record struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Location string  `json:"location"`
	Outcome  string  `json:"outcome"`
	Expected string  `json:"expected"`
	Listed   bool    `json:"listed"`
	Reason   string  `json:"reason,omitempty"`
	Verdict  Verdict `json:"verdict"`
	Rerun    string  `json:"rerun,omitempty"`
}

// Report is the JSON form of a Summary (reports/expectations.json).
type Report struct {
	File            string   `json:"file"`
	Engine          string   `json:"engine"`
	AsExpected      int      `json:"as_expected"`
	KnownDeviations int      `json:"known_deviations"`
	Unexpected      int      `json:"unexpected"`
	Flaky           int      `json:"flaky"`
	Scenarios       []Record `json:"scenarios"`
}

// Report returns the summary's JSON form, scenarios sorted by location.
func (s Summary) Report() Report {
	r := Report{File: s.File, Engine: s.Engine, AsExpected: s.AsExpected, KnownDeviations: s.Deviations,
		Unexpected: s.Unexpected, Flaky: s.Flaky, Scenarios: []Record{}}
	for _, j := range s.Judgements {
		rec := Record{ID: j.Outcome.ID, Name: j.Outcome.Name, Location: j.Outcome.Location(), Outcome: string(j.Outcome.Status),
			Expected: string(j.Expected), Listed: j.Listed, Reason: j.Reason, Verdict: j.Verdict}
		if j.Rerun != nil {
			rec.Rerun = string(j.Rerun.Status)
		}
		r.Scenarios = append(r.Scenarios, rec)
	}
	sort.SliceStable(r.Scenarios, func(a, b int) bool {
		x, y := r.Scenarios[a], r.Scenarios[b]
		if x.Location != y.Location {
			return lessLocation(x.Location, y.Location)
		}
		return x.ID < y.ID
	})
	return r
}

// lessLocation orders "file:line" by file, then by line as a number.
func lessLocation(a, b string) bool {
	fa, la := splitLocation(a)
	fb, lb := splitLocation(b)
	if fa != fb {
		return fa < fb
	}
	return la < lb
}

func splitLocation(loc string) (string, int) {
	i := strings.LastIndexByte(loc, ':')
	if i < 0 {
		return loc, 0
	}
	n, _ := strconv.Atoi(loc[i+1:])
	return loc[:i], n
}
