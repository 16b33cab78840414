// Package featureset reads Gherkin feature files into the scenarios the
// conformance suite runs: one Scenario per pickle (per Examples row for a
// Scenario Outline), with its tags, lines and steps.
package featureset

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"
)

// Feature is one parsed feature file.
type Feature struct {
	// File is the file's path inside the file system it was read from,
	// e.g. "json.feature".
	File string
	// Name is the feature's title.
	Name string
	// Description is the free text under the title, trimmed.
	Description string
	// Tags are the feature's own tags, with "@".
	Tags []string
	// Line is the line of the Feature keyword.
	Line int
	// Scenarios are the runnable scenarios, in file order.
	Scenarios []Scenario
}

// Scenario is one runnable scenario: a plain Scenario, or one Examples row of
// a Scenario Outline.
type Scenario struct {
	// ID is the scenario's stable id, the value of its @id: tag; for an
	// Examples row of an outline it is "<id>/<n>", n counting the outline's
	// rows from 1 across all its Examples tables (see IDTagPrefix). It is ""
	// for a scenario without an @id: tag.
	ID string
	// File is the feature file's path, as in Feature.File.
	File string
	// Feature is the feature's title.
	Feature string
	// Rule is the title of the enclosing Rule, "" when none.
	Rule string
	// Name is the scenario's title with Examples values filled in.
	Name string
	// Title is the scenario's title as written (an outline's keeps its
	// <placeholders>).
	Title string
	// Description is the free text under the scenario's title, trimmed.
	Description string
	// Line is the line of the Scenario (or Scenario Outline) keyword; godog
	// selects scenarios by "file:Line".
	Line int
	// RowLine is the line of the Examples row, 0 for a plain Scenario.
	RowLine int
	// Tags are feature, rule, scenario and examples tags, with "@", in that
	// order and without duplicates.
	Tags []string
	// Steps are the steps as they run, background first.
	Steps []Step
}

// Step is one step of a scenario as it runs (Examples values filled in).
type Step struct {
	// Keyword is the Gherkin keyword with its trailing space, e.g. "Given ".
	Keyword string
	// Text is the step text.
	Text string
	// Line is the line of the step in the feature file.
	Line int
	// DocString is the step's doc string content, "" when none.
	DocString string
	// Table is the step's data table, nil when none.
	Table [][]string
}

// Path returns "file:line", the godog path that selects the scenario.
func (s Scenario) Path() string { return fmt.Sprintf("%s:%d", s.File, s.Line) }

// Location returns "file:line" of the scenario, or of its Examples row for an
// outline.
func (s Scenario) Location() string {
	if s.RowLine > 0 {
		return fmt.Sprintf("%s:%d", s.File, s.RowLine)
	}
	return s.Path()
}

// HasTag tells whether the scenario carries tag (with or without "@").
func (s Scenario) HasTag(tag string) bool {
	tag = "@" + strings.TrimPrefix(tag, "@")
	for _, t := range s.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// Load parses every *.feature file at the root of fsys, sorted by name.
func Load(fsys fs.FS) ([]Feature, error) {
	names, err := fs.Glob(fsys, "*.feature")
	if err != nil {
		return nil, fmt.Errorf("list features: %w", err)
	}
	sort.Strings(names)
	features := make([]Feature, 0, len(names))
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read feature %s: %w", name, err)
		}
		f, err := Parse(name, data)
		if err != nil {
			return nil, err
		}
		features = append(features, f)
	}
	return features, nil
}

// LoadDir parses every *.feature file in directory dir, sorted by name; it
// fails when there is none.
func LoadDir(dir string) ([]Feature, error) {
	features, err := Load(os.DirFS(dir))
	if err != nil {
		return nil, err
	}
	if len(features) == 0 {
		return nil, fmt.Errorf("no *.feature file in %s", dir)
	}
	return features, nil
}

// Parse parses one feature file; name is its path, used in errors and in the
// result.
func Parse(name string, data []byte) (Feature, error) {
	doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(data), (&messages.Incrementing{}).NewId)
	if err != nil {
		return Feature{}, fmt.Errorf("parse feature %s: %w", name, err)
	}
	if doc.Feature == nil {
		return Feature{}, fmt.Errorf("parse feature %s: no Feature", name)
	}
	f := Feature{
		File:        name,
		Name:        strings.TrimSpace(doc.Feature.Name),
		Description: trimDescription(doc.Feature.Description),
		Tags:        tagNames(doc.Feature.Tags),
		Line:        int(doc.Feature.Location.Line),
	}
	idx := index(doc.Feature)
	ids := IDs(doc)
	for _, p := range gherkin.Pickles(*doc, name, (&messages.Incrementing{}).NewId) {
		sc, ok := idx.scenarios[p.AstNodeIds[0]]
		if !ok {
			return Feature{}, fmt.Errorf("parse feature %s: pickle %q has no scenario", name, p.Name)
		}
		s := Scenario{
			ID:          PickleID(ids, p.AstNodeIds),
			File:        name,
			Feature:     f.Name,
			Rule:        idx.rules[sc.Id],
			Name:        p.Name,
			Title:       strings.TrimSpace(sc.Name),
			Description: trimDescription(sc.Description),
			Line:        int(sc.Location.Line),
		}
		if len(p.AstNodeIds) > 1 && p.Location != nil {
			s.RowLine = int(p.Location.Line)
		}
		seen := map[string]bool{}
		for _, t := range p.Tags {
			if !seen[t.Name] {
				seen[t.Name] = true
				s.Tags = append(s.Tags, t.Name)
			}
		}
		for _, ps := range p.Steps {
			st := idx.steps[ps.AstNodeIds[0]]
			step := Step{Text: ps.Text}
			if st != nil {
				step.Keyword = st.Keyword
				step.Line = int(st.Location.Line)
			}
			if ps.Argument != nil {
				if ps.Argument.DocString != nil {
					step.DocString = ps.Argument.DocString.Content
				}
				if ps.Argument.DataTable != nil {
					for _, row := range ps.Argument.DataTable.Rows {
						cells := make([]string, len(row.Cells))
						for i, c := range row.Cells {
							cells[i] = c.Value
						}
						step.Table = append(step.Table, cells)
					}
				}
			}
			s.Steps = append(s.Steps, step)
		}
		f.Scenarios = append(f.Scenarios, s)
	}
	return f, nil
}

type docIndex struct {
	scenarios map[string]*messages.Scenario
	rules     map[string]string // scenario id -> rule name
	steps     map[string]*messages.Step
}

func index(feat *messages.Feature) docIndex {
	idx := docIndex{
		scenarios: map[string]*messages.Scenario{},
		rules:     map[string]string{},
		steps:     StepsByID(feat),
	}
	for _, c := range feat.Children {
		switch {
		case c.Scenario != nil:
			idx.scenarios[c.Scenario.Id] = c.Scenario
			idx.rules[c.Scenario.Id] = ""
		case c.Rule != nil:
			for _, rc := range c.Rule.Children {
				if rc.Scenario != nil {
					idx.scenarios[rc.Scenario.Id] = rc.Scenario
					idx.rules[rc.Scenario.Id] = strings.TrimSpace(c.Rule.Name)
				}
			}
		}
	}
	return idx
}

// StepsByID returns every step written in a parsed feature, by its AST node
// id: the steps of its backgrounds and scenarios, those inside rules
// included. A pickle step's AstNodeIds[0] finds the step it came from. A nil
// feature has no steps.
func StepsByID(feat *messages.Feature) map[string]*messages.Step {
	steps := map[string]*messages.Step{}
	if feat == nil {
		return steps
	}
	add := func(ss []*messages.Step) {
		for _, s := range ss {
			steps[s.Id] = s
		}
	}
	for _, c := range feat.Children {
		if c.Background != nil {
			add(c.Background.Steps)
		}
		if c.Scenario != nil {
			add(c.Scenario.Steps)
		}
		if c.Rule != nil {
			for _, rc := range c.Rule.Children {
				if rc.Background != nil {
					add(rc.Background.Steps)
				}
				if rc.Scenario != nil {
					add(rc.Scenario.Steps)
				}
			}
		}
	}
	return steps
}

func tagNames(tags []*messages.Tag) []string {
	var out []string
	for _, t := range tags {
		out = append(out, t.Name)
	}
	return out
}

// trimDescription removes the common indentation and surrounding blank lines
// of a Gherkin description.
func trimDescription(d string) string {
	lines := strings.Split(d, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
