// Package docgen renders the behaviour documentation of the WebSocket source
// from the feature files: per area, each rule in plain words with its level
// and its scenario id and, when an expectations file is given, the outcome
// that file records for the engine it describes (eKuiper's); then the
// configuration reference, from impl/config's declarations of every setting
// it reads, with the scenarios that show each one.
package docgen

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wsconform/wsconform/steps/featureset"
	"github.com/wsconform/wsconform/steps/results"
	"github.com/wsconform/wsconform/tools/internal/expectations"
	"github.com/wsconform/wsconform/tools/internal/genfile"
)

// Levels are the level tags in document order, with what each means.
var Levels = []struct{ Tag, Meaning string }{
	{"@must", "documented behaviour of the eKuiper WebSocket source"},
	{"@should", "observed eKuiper behaviour that its documentation does not state"},
	{"@extension", "better than eKuiper: the reference implementation does it, eKuiper may not"},
}

// Rule is one documented rule: a scenario, or a Scenario Outline with all its
// Examples rows.
type Rule struct {
	Name        string // the scenario's title (an outline's, with its <placeholders>)
	Description string // first line of the scenario's description
	Levels      []string
	Needs       []string // capability tags, without "@needs-"
	Location    string   // file:line
	Examples    int      // Examples rows, 0 for a plain scenario
	ID          string   // the scenario's id (an outline's, without /<n>)
	// Scenarios are the scenario's runnable scenarios: itself, or each of
	// its Examples rows.
	Scenarios []featureset.Scenario
}

// Rules groups a feature's scenarios into rules (one per Scenario or Outline).
func Rules(f featureset.Feature) []Rule {
	var rules []Rule
	index := map[int]int{}
	for _, s := range f.Scenarios {
		i, ok := index[s.Line]
		if !ok {
			name := s.Title
			desc, _, _ := strings.Cut(s.Description, "\n")
			rules = append(rules, Rule{Name: name, Description: desc, Location: s.Path(), ID: featureset.BaseID(s.ID)})
			i = len(rules) - 1
			index[s.Line] = i
		}
		r := &rules[i]
		r.Scenarios = append(r.Scenarios, s)
		if s.RowLine > 0 {
			r.Examples++
		}
		for _, l := range Levels {
			if s.HasTag(l.Tag) && !slices.Contains(r.Levels, strings.TrimPrefix(l.Tag, "@")) {
				r.Levels = append(r.Levels, strings.TrimPrefix(l.Tag, "@"))
			}
		}
		for _, t := range s.Tags {
			if n, ok := strings.CutPrefix(t, "@needs-"); ok && !slices.Contains(r.Needs, n) {
				r.Needs = append(r.Needs, n)
			}
		}
	}
	return rules
}

// areaTags are the tags that name an area.
var areaTags = []string{"@client-mode", "@server-mode", "@tls", "@lifecycle", "@json", "@stream-ddl", "@config", "@robustness", "@sinks"}

// area returns the feature's area tags: its own, else those all its scenarios share.
func area(f featureset.Feature) []string {
	var out []string
	for _, a := range areaTags {
		if slices.Contains(f.Tags, a) {
			out = append(out, a)
		}
	}
	if len(out) > 0 || len(f.Scenarios) == 0 {
		return out
	}
	for _, a := range areaTags {
		all := true
		for _, s := range f.Scenarios {
			all = all && s.HasTag(a)
		}
		if all {
			out = append(out, a)
		}
	}
	return out
}

// Engine is an engine's recorded outcomes to show beside each rule.
type Engine struct {
	// File holds the expectations; Link is the path to it from the document.
	File *expectations.File
	Link string
}

// Outcome says in words what the engine's expectations record for a rule:
// "passes", "deviates: <reason>" or "skipped: <reason>"; for an outline whose
// rows differ, each group of rows with its outcome, e.g. "rows 1, 3 pass;
// row 2 deviates: <reason>".
func (e Engine) Outcome(r Rule) string {
	type group struct {
		outcome results.Status
		reason  string
		rows    []string
	}
	var groups []*group
	for i, s := range r.Scenarios {
		entry, _ := e.File.For(s.ID)
		if entry.Outcome == results.Passed {
			entry.Reason = ""
		}
		var g *group
		for _, have := range groups {
			if have.outcome == entry.Outcome && have.reason == entry.Reason {
				g = have
			}
		}
		if g == nil {
			g = &group{outcome: entry.Outcome, reason: entry.Reason}
			groups = append(groups, g)
		}
		_, n, _ := featureset.SplitID(s.ID)
		if n == 0 {
			n = i + 1
		}
		g.rows = append(g.rows, fmt.Sprint(n))
	}
	say := func(g *group, plural bool) string {
		switch {
		case g.outcome == results.Failed && plural:
			return "deviate: " + g.reason
		case g.outcome == results.Failed:
			return "deviates: " + g.reason
		case g.outcome == results.Skipped:
			return "skipped: " + g.reason
		case plural:
			return "pass"
		default:
			return "passes"
		}
	}
	if len(groups) == 1 {
		return say(groups[0], false)
	}
	var parts []string
	for _, g := range groups {
		noun := "row"
		if len(g.rows) > 1 {
			noun = "rows"
		}
		parts = append(parts, fmt.Sprintf("%s %s %s", noun, strings.Join(g.rows, ", "), say(g, len(g.rows) > 1)))
	}
	return strings.Join(parts, "; ")
}

// tally counts the scenarios (rows) the engine passes, deviates on and skips.
func (e Engine) tally(features []featureset.Feature) (pass, deviate, skip int) {
	for _, f := range features {
		for _, s := range f.Scenarios {
			entry, _ := e.File.For(s.ID)
			switch entry.Outcome {
			case results.Failed:
				deviate++
			case results.Skipped:
				skip++
			default:
				pass++
			}
		}
	}
	return pass, deviate, skip
}

// Render writes the document for features; with engine not nil, each rule
// also shows that engine's recorded outcome.
func Render(features []featureset.Feature, engine *Engine) []byte {
	var b bytes.Buffer
	b.WriteString("# Behaviour of the eKuiper WebSocket source\n\n")
	b.WriteString("<!-- Code generated by docgen from the *.feature files; DO NOT EDIT. -->\n\n")
	b.WriteString("Each rule below is one scenario of the conformance suite (`wsconform run` checks it against an engine). ")
	b.WriteString("The level says how binding it is:\n\n")
	for _, l := range Levels {
		fmt.Fprintf(&b, "- **%s**: %s.\n", strings.TrimPrefix(l.Tag, "@"), l.Meaning)
	}
	b.WriteString("\n*needs* names what the engine must let the suite do for the rule to be checked; an engine that cannot is reported as skipped for it, not failed.\n")
	b.WriteString("*id* is the scenario's id (`wsconform run --id`, expectations files); the n-th Examples row of an outline is `<id>/<n>`.\n\n")
	if engine != nil {
		pass, deviate, skip := engine.tally(features)
		fmt.Fprintf(&b, "The column *%s* is what that engine does, as recorded in [`%s`](%s) (`wsconform run --expect` checks it): ",
			cell(engine.File.Engine), cell(filepath.Base(engine.Link)), engine.Link)
		fmt.Fprintf(&b, "it passes %d scenarios, deviates on %d and skips %d.\n\n", pass, deviate, skip)
	}
	b.WriteString("## Areas\n\n")
	total := 0
	for _, f := range features {
		n := len(Rules(f))
		total += n
		fmt.Fprintf(&b, "- [%s](#%s) (%d rules)\n", f.Name, anchor(f.Name), n)
	}
	fmt.Fprintf(&b, "\n%d rules in %d areas. The [%s](#%s) lists every setting, with complete examples of both files.\n",
		total, len(features), ReferenceTitle, anchor(ReferenceTitle))
	for _, f := range features {
		fmt.Fprintf(&b, "\n## %s\n\n", f.Name)
		meta := "Feature file: `" + f.File + "`"
		if a := area(f); len(a) > 0 {
			meta += "; area tag: `" + strings.Join(a, "`, `") + "`"
		}
		b.WriteString(meta + ".\n\n")
		if f.Description != "" {
			b.WriteString(f.Description + "\n\n")
		}
		if engine != nil {
			fmt.Fprintf(&b, "| level | rule | needs | id | scenario | %s |\n|---|---|---|---|---|---|\n", cell(engine.File.Engine))
		} else {
			b.WriteString("| level | rule | needs | id | scenario |\n|---|---|---|---|---|\n")
		}
		for _, r := range Rules(f) {
			level := strings.Join(r.Levels, ", ")
			if level == "" {
				level = "(none)"
			}
			text := cell(r.Name)
			if r.Description != "" {
				text = "**" + text + "**: " + cell(r.Description)
			}
			if r.Examples > 0 {
				text += fmt.Sprintf(" (%d examples)", r.Examples)
			}
			id := ""
			if r.ID != "" {
				id = "`" + r.ID + "`"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | `%s` |", level, text, cell(strings.Join(r.Needs, ", ")), id, r.Location)
			if engine != nil {
				fmt.Fprintf(&b, " %s |", cell(engine.Outcome(r)))
			}
			b.WriteString("\n")
		}
	}
	renderReference(&b, features, engine)
	return b.Bytes()
}

var cellEscaper = strings.NewReplacer("|", "\\|", "\n", " ", "<", "&lt;", ">", "&gt;")

func cell(s string) string { return cellEscaper.Replace(s) }

func anchor(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
	}
	return b.String()
}

// DefaultExpectations is the expectations file of eKuiper whose outcomes
// the document shows.
const DefaultExpectations = "fixtures/expectations/ekuiper-2.4.0.yaml"

// loadEngine reads the expectations file at path for a document written to
// out; nil when there is no such file, unless the file was asked for
// explicitly.
func loadEngine(path, out string, features []featureset.Feature, explicit bool) (*Engine, error) {
	if path == "" {
		return nil, nil
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) && !explicit {
		return nil, nil
	}
	f, err := expectations.Load(path)
	if err != nil {
		return nil, err
	}
	if err := f.Check(features); err != nil {
		return nil, err
	}
	link := path
	if absOut, err := filepath.Abs(filepath.Dir(out)); err == nil {
		if absExp, err := filepath.Abs(path); err == nil {
			if rel, err := filepath.Rel(absOut, absExp); err == nil {
				link = rel
			}
		}
	}
	return &Engine{File: f, Link: filepath.ToSlash(link)}, nil
}

// Run is the docgen command: args are its flags. It returns the exit status.
func Run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("docgen", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("features", "features", "directory holding the *.feature files")
	out := fl.String("out", "", "generated document (default FEATURES/README.md)")
	check := fl.Bool("check", false, "write nothing; exit 1 when the document is stale")
	exp := fl.String("expectations", DefaultExpectations, "expectations file whose outcomes the document shows per rule (\"\" for none); the default is left out when it does not exist")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "docgen: unexpected arguments %q\n", fl.Args())
		return 2
	}
	if *out == "" {
		*out = filepath.Join(*dir, "README.md")
	}
	features, err := featureset.LoadDir(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "docgen: %v\n", err)
		return 1
	}
	explicit := false
	fl.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "expectations" })
	engine, err := loadEngine(*exp, *out, features, explicit)
	if err != nil {
		fmt.Fprintf(stderr, "docgen: %v\n", err)
		return 1
	}
	if err := genfile.Update(*out, Render(features, engine), *check); err != nil {
		fmt.Fprintf(stderr, "docgen: %v\n", err)
		return 1
	}
	if *check {
		return 0
	}
	fmt.Fprintf(stdout, "docgen: wrote %s\n", *out)
	return 0
}
