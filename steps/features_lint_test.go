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
)

var (
	areaTags  = []string{"@client-mode", "@server-mode", "@tls", "@lifecycle", "@json", "@stream-ddl", "@config", "@robustness"}
	levelTags = []string{"@must", "@should", "@extension"}
	needsTags = []string{"@needs-server-tls", "@needs-server-client-auth", "@needs-lifecycle", "@needs-message-limit"}
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
// first line and carries exactly one area and one level tag, and the suite is
// as large as promised.
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

  @json @client-mode
  Scenario: No rule sentence
    no full stop here
    Given a remote WebSocket server
`)}}
	problems, _ := lintFeatures(bad)
	want := []string{"no description", "unknown tag @wip", "first line", "also used", "exactly one area and one level", "want at least 60"}
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
	for _, file := range files {
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			bad("%s: %v", file, err)
			continue
		}
		ids := (&messages.Incrementing{}).NewId
		doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(data), ids)
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
		for _, p := range gherkin.Pickles(*doc, file, ids) {
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
