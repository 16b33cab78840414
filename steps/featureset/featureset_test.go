package featureset_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing/fstest"

	gherkin "github.com/cucumber/gherkin/go/v42"
	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/steps/featureset"
	"github.com/wsconform/wsconform/steps/results"
)

const feature = `@json
Feature: Decoding
  Text messages become records.

  Background:
    Given a stream

  @must
  Scenario: an object is one record
    The simplest case.
    Second line.

    When the client sends "{}"
    Then the rule gets 1 record

  Rule: arrays
    @should
    Scenario Outline: <n> elements
      When the client sends:
        """
        <payload>
        """
      Then the rule gets <n> records
        | header | value  |
        | X-Key  | <n>    |

      Examples:
        | n | payload |
        | 0 | []      |
        | 2 | [{},{}] |

      @extension
      Examples: more
        | n | payload    |
        | 3 | [{},{},{}] |
`

var _ = Describe("Parse", func() {
	It("gives one scenario per Examples row with tags, lines and steps", func() {
		f, err := featureset.Parse("json.feature", []byte(feature))
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Name).To(Equal("Decoding"))
		Expect(f.Description).To(Equal("Text messages become records."))
		Expect(f.Tags).To(Equal([]string{"@json"}))
		Expect(f.Scenarios).To(HaveLen(4))

		s := f.Scenarios[0]
		Expect(s.Name).To(Equal("an object is one record"))
		Expect(s.Description).To(Equal("The simplest case.\nSecond line."))
		Expect(s.Path()).To(Equal("json.feature:9"))
		Expect(s.Location()).To(Equal("json.feature:9"))
		Expect(s.Tags).To(Equal([]string{"@json", "@must"}))
		Expect(s.HasTag("must")).To(BeTrue())
		Expect(s.Steps).To(HaveLen(3))
		Expect(s.Steps[0]).To(Equal(featureset.Step{Keyword: "Given ", Text: "a stream", Line: 6}))
		Expect(s.Steps[1].Text).To(Equal(`the client sends "{}"`))

		o := f.Scenarios[2]
		Expect(o.Rule).To(Equal("arrays"))
		Expect(o.Name).To(Equal("2 elements"))
		Expect(o.Title).To(Equal("<n> elements"))
		Expect(o.Line).To(Equal(18))
		Expect(o.RowLine).To(Equal(30))
		Expect(o.Path()).To(Equal("json.feature:18"))
		Expect(o.Location()).To(Equal("json.feature:30"))
		Expect(o.Steps[1].DocString).To(Equal("[{},{}]"))
		Expect(o.Steps[2].Table).To(Equal([][]string{{"header", "value"}, {"X-Key", "2"}}))
		Expect(f.Scenarios[3].Tags).To(Equal([]string{"@json", "@should", "@extension"}))
	})

	It("names the file of a feature that does not parse", func() {
		_, err := featureset.Parse("bad.feature", []byte("Feature: x\n  Scenario: y\n    Given z\n  Oops\n"))
		Expect(err).To(MatchError(ContainSubstring("bad.feature")))
	})
})

var _ = Describe("SelectRow", func() {
	fsys := fstest.MapFS{"json.feature": {Data: []byte(feature)}}

	ran := func(sys fs.FS, path string) []string {
		c := results.NewCollector()
		godog.TestSuite{
			ScenarioInitializer: func(sc *godog.ScenarioContext) {
				sc.Step(`.*`, func(context.Context) error { return nil })
			},
			Options: &godog.Options{Format: c.Format(), Output: io.Discard, FS: sys, Paths: []string{path}, Strict: true},
		}.Run()
		var names []string
		for _, o := range c.Outcomes() {
			names = append(names, o.Name+" @"+o.Location())
		}
		return names
	}

	It("runs only the chosen row of an outline, keeping line numbers", func() {
		Expect(ran(fsys, "json.feature:18")).To(ConsistOf("0 elements @json.feature:29", "2 elements @json.feature:30", "3 elements @json.feature:35"))
		for row, want := range map[int]string{29: "0 elements @json.feature:29", 30: "2 elements @json.feature:30", 35: "3 elements @json.feature:35"} {
			sel, err := featureset.SelectRow(fsys, "json.feature", 18, row)
			Expect(err).NotTo(HaveOccurred())
			Expect(ran(sel, "json.feature:18")).To(Equal([]string{want}))
		}
	})

	It("refuses a line that is not a row of the outline", func() {
		_, err := featureset.SelectRow(fsys, "json.feature", 18, 28)
		Expect(err).To(MatchError(ContainSubstring("not an Examples row")))
		_, err = featureset.SelectRow(fsys, "json.feature", 17, 29)
		Expect(err).To(MatchError(ContainSubstring("no scenario at line 17")))
		_, err = featureset.SelectRow(fsys, "nope.feature", 18, 29)
		Expect(err).To(MatchError(ContainSubstring("nope.feature")))
	})
})

var _ = Describe("Load", func() {
	It("reads every feature at the root, sorted", func() {
		feats, err := featureset.Load(fstest.MapFS{
			"b.feature": {Data: []byte("Feature: B\n  Scenario: b\n    Given x\n")},
			"a.feature": {Data: []byte("Feature: A\n  Scenario: a\n    Given x\n")},
			"README.md": {Data: []byte("# not a feature")},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(feats).To(HaveLen(2))
		Expect(feats[0].File).To(Equal("a.feature"))
		Expect(feats[1].Scenarios[0].Path()).To(Equal("b.feature:2"))
	})
})

var _ = Describe("LoadDir", func() {
	It("reads the features of a directory and refuses one without any", func() {
		dir := GinkgoT().TempDir()
		_, err := featureset.LoadDir(dir)
		Expect(err).To(MatchError("no *.feature file in " + dir))
		Expect(os.WriteFile(filepath.Join(dir, "json.feature"), []byte(feature), 0o644)).To(Succeed())
		feats, err := featureset.LoadDir(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(feats).To(HaveLen(1))
		Expect(feats[0].Scenarios).To(HaveLen(4))
	})
})

var _ = Describe("StepsByID", func() {
	It("finds the steps of backgrounds, scenarios and rules", func() {
		doc, err := gherkin.ParseGherkinDocument(strings.NewReader(feature), (&messages.Incrementing{}).NewId)
		Expect(err).NotTo(HaveOccurred())
		var lines []int
		for id, s := range featureset.StepsByID(doc.Feature) {
			Expect(s.Id).To(Equal(id))
			lines = append(lines, int(s.Location.Line))
		}
		Expect(lines).To(ConsistOf(6, 13, 14, 19, 23))
		Expect(featureset.StepsByID(nil)).To(BeEmpty())
	})
})

const idFeature = `Feature: Ids
  Scenarios name themselves.

  @must @id:plain-one
  Scenario: plain
    Given a step

  Rule: outlines
    @should @id:rows-two
    Scenario Outline: row <n>
      Given a step <n>

      Examples:
        | n |
        | 1 |
        | 2 |

      @extension
      Examples: more
        | n |
        | 3 |

  Scenario: no id
    Given a step
`

var _ = Describe("ids", func() {
	fsys := fstest.MapFS{"ids.feature": {Data: []byte(idFeature)}}

	ids := func(sys fs.FS) []string {
		f, err := featureset.Load(sys)
		Expect(err).NotTo(HaveOccurred())
		var out []string
		for _, s := range f[0].Scenarios {
			out = append(out, s.ID+"@"+s.Location())
		}
		return out
	}

	It("gives each scenario its @id and each Examples row <id>/<n> across the tables", func() {
		Expect(ids(fsys)).To(Equal([]string{"plain-one@ids.feature:5", "rows-two/1@ids.feature:15",
			"rows-two/2@ids.feature:16", "rows-two/3@ids.feature:21", "@ids.feature:23"}))
	})

	It("gives the collector the same ids from the document godog parses", func() {
		doc, err := gherkin.ParseGherkinDocument(strings.NewReader(idFeature), (&messages.Incrementing{}).NewId)
		Expect(err).NotTo(HaveOccurred())
		byNode := featureset.IDs(doc)
		var got []string
		for _, p := range gherkin.Pickles(*doc, "ids.feature", (&messages.Incrementing{}).NewId) {
			got = append(got, featureset.PickleID(byNode, p.AstNodeIds))
		}
		Expect(got).To(Equal([]string{"plain-one", "rows-two/1", "rows-two/2", "rows-two/3", ""}))
	})

	It("checks and splits ids", func() {
		Expect(featureset.ValidID("server-404-after-stop")).To(BeTrue())
		for _, bad := range []string{"", "Upper", "under_score", "sp ace", "a/1"} {
			Expect(featureset.ValidID(bad)).To(BeFalse(), bad)
		}
		for id, want := range map[string][]any{"a-b": {"a-b", 0, true}, "a-b/3": {"a-b", 3, true},
			"a-b/0": {"", 0, false}, "a-b/03": {"", 0, false}, "a-b/x": {"", 0, false}, "A/1": {"", 0, false}} {
			base, n, ok := featureset.SplitID(id)
			Expect([]any{base, n, ok}).To(Equal(want), id)
		}
		Expect(featureset.BaseID("rows-two/2")).To(Equal("rows-two"))
		Expect(featureset.BaseID("plain-one")).To(Equal("plain-one"))
	})

	It("selects scenarios and rows by id, keeping lines and row ids", func() {
		sel, err := featureset.Select(fsys, []string{"rows-two/2", "plain-one"})
		Expect(err).NotTo(HaveOccurred())
		Expect(sel.Paths).To(Equal([]string{"ids.feature:5", "ids.feature:10"}))
		Expect(sel.Scenarios).To(HaveLen(2))
		Expect(ids(sel.FS)).To(Equal([]string{"plain-one@ids.feature:5", "rows-two/2@ids.feature:16", "@ids.feature:23"}))

		sel, err = featureset.Select(fsys, []string{"rows-two", "rows-two/3"})
		Expect(err).NotTo(HaveOccurred())
		Expect(sel.Paths).To(Equal([]string{"ids.feature:10"}))
		Expect(sel.Scenarios).To(HaveLen(3))

		sel, err = featureset.Select(fsys, []string{"rows-two/3"})
		Expect(err).NotTo(HaveOccurred())
		c := results.NewCollector()
		godog.TestSuite{
			ScenarioInitializer: func(sc *godog.ScenarioContext) {
				sc.Step(`.*`, func(context.Context) error { return nil })
			},
			Options: &godog.Options{Format: c.Format(), Output: io.Discard, FS: sel.FS, Paths: sel.Paths, Strict: true},
		}.Run()
		Expect(c.Outcomes()).To(HaveLen(1))
		Expect(c.Outcomes()[0].Location()).To(Equal("ids.feature:21"))
		Expect(c.Outcomes()[0].ID).To(Equal("rows-two/3"))
	})

	It("names every unknown id", func() {
		_, err := featureset.Select(fsys, []string{"plain-one", "nope", "rows-two/4", ""})
		var unknown *featureset.UnknownIDsError
		Expect(errors.As(err, &unknown)).To(BeTrue())
		Expect(unknown.IDs).To(Equal([]string{"nope", "rows-two/4", ""}))
		Expect(err).To(MatchError(`unknown scenario ids "nope", "rows-two/4", "" (wsconform list shows them)`))
		Expect(featureset.Find(nil, "")).To(BeNil())
	})
})
