package steps_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/wsconform/wsconform/features"
	"github.com/wsconform/wsconform/steps/featureset"
)

var (
	areaTags  = []string{"@client-mode", "@server-mode", "@tls", "@lifecycle", "@json", "@stream-ddl", "@config", "@robustness", "@sinks"}
	levelTags = []string{"@must", "@should", "@extension"}
	needsTags = []string{"@needs-server-tls", "@needs-server-client-auth", "@needs-lifecycle", "@needs-message-limit", "@needs-hanging-sink", "@needs-data-server-limits", "@needs-engine-files", "@needs-rule-json", "@needs-rule-list", "@needs-private-net-refusal"}
)

func oneOf(tag string, set []string) bool {
	for _, s := range set {
		if s == tag {
			return true
		}
	}
	return false
}

// TestFeaturesAreWellFormed checks what readers and tools rely on: every
// feature explains itself, every scenario states its rule in its description's
// first line, carries exactly one area and one level tag and exactly one
// well-formed @id: tag no other scenario uses, and the suite is as large as
// promised.
func TestFeaturesAreWellFormed(t *testing.T) {
	problems, summary := lintFeatures(features.FS)
	for _, p := range problems {
		t.Error(p)
	}
	t.Log(summary)
}

// TestFeatureLintNoticesProblems proves the checks above can fail.
func TestFeatureLintNoticesProblems(t *testing.T) {
	bad := fstest.MapFS{"bad.feature": {Data: []byte(`Feature: Bad

  @json @must @wip
  Scenario: No rule sentence
    Given a remote WebSocket server

  @json @client-mode @id:twice @id:again
  Scenario: No rule sentence
    no full stop here
    Given a remote WebSocket server

  @json @must @id:Not_Lower
  Scenario: Bad id.
    Given a remote WebSocket server

  Rule: a rule
    @json @must @id:twice
    Scenario Outline: Same id in a rule.
      Given a remote WebSocket server

      @id:on-examples
      Examples:
        | a |
        | 1 |
`)}}
	problems, _ := lintFeatures(bad)
	want := []string{"no description", "unknown tag @wip", "first line", "also used", "exactly one area and one level", "want at least 60",
		"No rule sentence: no @id: tag", "more than one @id: tag (twice, again)", `id "Not_Lower" is not lower-case`,
		`id "twice" is also used by bad.feature:8`, "@id: tag on Examples (line 22)"}
	all := strings.Join(problems, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("the lint did not report %q; it reported:\n%s", w, all)
		}
	}
}

// lintFeatures returns the problems of the features in fsys and a summary.
func lintFeatures(fsys fs.FS) (problems []string, summary string) {
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	files, err := fs.Glob(fsys, "*.feature")
	if err != nil || len(files) == 0 {
		return []string{fmt.Sprintf("no features: %v", err)}, ""
	}
	var pickles, blocks int
	names := map[string]string{}
	ids := map[string]string{} // scenario id -> file:line
	for _, file := range files {
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			bad("%s: %v", file, err)
			continue
		}
		newID := (&messages.Incrementing{}).NewId
		doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(data), newID)
		if err != nil {
			bad("%s: %v", file, err)
			continue
		}
		if doc.Feature == nil {
			bad("%s: no feature", file)
			continue
		}
		if strings.TrimSpace(doc.Feature.Description) == "" {
			bad("%s: the feature has no description", file)
		}
		for _, child := range doc.Feature.Children {
			sc := child.Scenario
			if sc == nil {
				continue
			}
			blocks++
			where := file + ": " + sc.Name
			if prev, ok := names[sc.Name]; ok {
				bad("%s: scenario name also used in %s", where, prev)
			}
			names[sc.Name] = file
			first, _, _ := strings.Cut(strings.TrimSpace(sc.Description), "\n")
			if !strings.HasSuffix(first, ".") {
				bad("%s: the description's first line should state the rule as a sentence, got %q", where, first)
			}
		}
		lintIDs(file, doc.Feature, ids, bad)
		for _, p := range gherkin.Pickles(*doc, file, newID) {
			pickles++
			var areas, levels int
			for _, tag := range p.Tags {
				switch {
				case oneOf(tag.Name, areaTags):
					areas++
				case oneOf(tag.Name, levelTags):
					levels++
				case oneOf(tag.Name, needsTags):
				case strings.HasPrefix(tag.Name, "@id:"):
				default:
					bad("%s: %s: unknown tag %s", file, p.Name, tag.Name)
				}
			}
			if areas != 1 || levels != 1 {
				bad("%s: %s: want exactly one area and one level tag, got %d and %d", file, p.Name, areas, levels)
			}
		}
	}
	if pickles < 60 || blocks < 45 {
		bad("the suite has %d scenarios in %d blocks; want at least 60 in 45", pickles, blocks)
	}
	return problems, fmt.Sprintf("%d features, %d scenario blocks, %d scenarios", len(files), blocks, pickles)
}

// lintIDs checks the @id: tags of a feature: one on every scenario (rules
// included), lower-case [a-z0-9-]+, used once in the suite (ids holds those
// seen so far), and none on a feature, rule or Examples table.
func lintIDs(file string, feat *messages.Feature, ids map[string]string, bad func(string, ...any)) {
	if len(featureset.TagIDs(feat.Tags)) > 0 {
		bad("%s: @id: tag on the feature; it belongs on each scenario", file)
	}
	var scenarios []*messages.Scenario
	for _, c := range feat.Children {
		if c.Scenario != nil {
			scenarios = append(scenarios, c.Scenario)
		}
		if c.Rule != nil {
			if len(featureset.TagIDs(c.Rule.Tags)) > 0 {
				bad("%s: rule %q: @id: tag on a rule; it belongs on each scenario", file, c.Rule.Name)
			}
			for _, rc := range c.Rule.Children {
				if rc.Scenario != nil {
					scenarios = append(scenarios, rc.Scenario)
				}
			}
		}
	}
	for _, sc := range scenarios {
		where := fmt.Sprintf("%s:%d: %s", file, sc.Location.Line, sc.Name)
		for _, ex := range sc.Examples {
			if len(featureset.TagIDs(ex.Tags)) > 0 {
				bad("%s: @id: tag on Examples (line %d); rows take their ids from the outline's", where, ex.Location.Line)
			}
		}
		tagged := featureset.TagIDs(sc.Tags)
		switch {
		case len(tagged) == 0:
			bad("%s: no @id: tag; give the scenario a stable id, e.g. @id:server-404-after-stop", where)
			continue
		case len(tagged) > 1:
			bad("%s: more than one @id: tag (%s)", where, strings.Join(tagged, ", "))
		}
		for _, id := range tagged {
			if !featureset.ValidID(id) {
				bad("%s: id %q is not lower-case [a-z0-9-]+", where, id)
			}
			at := fmt.Sprintf("%s:%d", file, sc.Location.Line)
			if prev, ok := ids[id]; ok {
				bad("%s: id %q is also used by %s", where, id, prev)
			} else {
				ids[id] = at
			}
		}
	}
}
