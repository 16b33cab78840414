package expectations_test

import (
	"encoding/json"
	"errors"
	"testing/fstest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/steps/featureset"
	"github.com/wsconform/wsconform/steps/results"
	"github.com/wsconform/wsconform/tools/internal/expectations"
)

const idFeature = `Feature: Ids
  @id:plain-one
  Scenario: plain
    Given a step

  @id:rows-two
  Scenario Outline: row <n>
    Given a step <n>

    Examples:
      | n |
      | 1 |
      | 2 |
      | 3 |

  @id:other
  Scenario: other
    Given a step
`

func features() []featureset.Feature {
	feats, err := featureset.Load(fstest.MapFS{"ids.feature": {Data: []byte(idFeature)}})
	Expect(err).NotTo(HaveOccurred())
	return feats
}

var _ = Describe("Parse", func() {
	It("reads the engine and the entries, a row's entry winning over its outline's", func() {
		f, err := expectations.Load("testdata/example.yaml")
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Engine).To(Equal("Example engine 1.0"))
		Expect(f.Entries).To(HaveLen(3))
		Expect(f.Entries[0]).To(Equal(expectations.Entry{ID: "plain-one", Outcome: results.Failed, Reason: "the example engine gets this wrong", Line: 4}))
		Expect(f.Check(features())).To(Succeed())

		e, listed := f.For("rows-two/1")
		Expect(listed).To(BeTrue())
		Expect(e.Outcome).To(Equal(results.Skipped))
		e, _ = f.For("rows-two/2")
		Expect(e.Outcome).To(Equal(results.Passed))
		e, listed = f.For("other")
		Expect(listed).To(BeFalse())
		Expect(e.Outcome).To(Equal(results.Passed))
	})

	It("names the file, the entry and the problem", func() {
		_, err := expectations.Parse("bad.yaml", []byte(`engine: x
colour: blue
expectations:
  plain-one:
    outcome: flaky
    reason: "r"
  rows-two:
    outcome: failed
  Bad_Id:
    outcome: passed
    reason: r
  other:
    outcome: failed
    reason: "  "
    owner: me
  rows-two/1: failed
`))
		Expect(err).To(HaveOccurred())
		for _, want := range []string{
			`bad.yaml:2: unknown key "colour" (want engine, expectations)`,
			`bad.yaml:5: entry "plain-one": outcome "flaky": want failed, skipped or passed`,
			`bad.yaml:8: entry "rows-two": no reason`,
			`bad.yaml:9: entry "Bad_Id": not a scenario id`,
			`bad.yaml:14: entry "other": empty reason`,
			`bad.yaml:15: entry "other": unknown key "owner" (want outcome, reason)`,
			`bad.yaml:16: entry "rows-two/1": want a mapping with outcome and reason`,
		} {
			Expect(err.Error()).To(ContainSubstring(want))
		}

		for text, want := range map[string]string{
			"":                       "bad.yaml: empty",
			"[1, 2]":                 "bad.yaml:1: want a mapping",
			"engine: [\n":            "bad.yaml: not YAML",
			"expectations: {}\n":     "bad.yaml:1: no engine",
			"engine: \"\"\n":         "bad.yaml:1: engine: want the engine's name",
			"engine: x\nengine: y\n": `bad.yaml:2: key "engine" given twice`,
			"engine: x\nexpectations:\n  a:\n    outcome: passed\n    reason: r\n  a:\n    outcome: failed\n    reason: r\n": `bad.yaml:6: entry "a": listed twice (first at line 3)`,
			"engine: x\nexpectations: [a]\n": "bad.yaml:2: expectations: want a mapping",
		} {
			_, err := expectations.Parse("bad.yaml", []byte(text))
			Expect(err).To(MatchError(ContainSubstring(want)), text)
		}

		f, err := expectations.Parse("empty.yaml", []byte("engine: x\nexpectations:\n"))
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Entries).To(BeEmpty())

		_, err = expectations.Load("testdata/none.yaml")
		Expect(err).To(MatchError(ContainSubstring("testdata/none.yaml")))
	})

	It("names the entries whose id names no scenario", func() {
		f, err := expectations.Parse("x.yaml", []byte("engine: x\nexpectations:\n  nope:\n    outcome: failed\n    reason: r\n  rows-two/4:\n    outcome: failed\n    reason: r\n  plain-one/1:\n    outcome: failed\n    reason: r\n"))
		Expect(err).NotTo(HaveOccurred())
		err = f.Check(features())
		Expect(err).To(MatchError(ContainSubstring(`x.yaml:3: entry "nope": unknown scenario id`)))
		Expect(err).To(MatchError(ContainSubstring(`x.yaml:6: entry "rows-two/4": unknown scenario id`)))
		Expect(err).To(MatchError(ContainSubstring(`x.yaml:9: entry "plain-one/1": unknown scenario id`)))
	})
})

var _ = Describe("Judge", func() {
	f, err := expectations.Load("testdata/example.yaml")
	Expect(err).NotTo(HaveOccurred())
	out := func(id string, st results.Status) results.Outcome {
		return results.Outcome{ID: id, File: "ids.feature", Name: id, Line: len(id), Status: st, Step: "Then it works", Error: "boom\nmore"}
	}

	It("tells as expected, unexpected and flaky apart, running differing outcomes again", func() {
		var reran []string
		rerun := func(o results.Outcome) (results.Outcome, error) {
			reran = append(reran, o.ID)
			if o.ID == "rows-two/3" {
				return out(o.ID, results.Skipped), nil // as expected the second time
			}
			return o, nil
		}
		s, err := expectations.Judge(f, []results.Outcome{
			out("plain-one", results.Failed),   // known deviation
			out("rows-two/1", results.Skipped), // known deviation
			out("rows-two/2", results.Passed),  // as expected
			out("rows-two/3", results.Failed),  // flaky
			out("other", results.Failed),       // unexpected failure
		}, rerun)
		Expect(err).NotTo(HaveOccurred())
		Expect(reran).To(Equal([]string{"rows-two/3", "other"}))
		Expect([]int{s.AsExpected, s.Deviations, s.Unexpected, s.Flaky}).To(Equal([]int{3, 2, 1, 1}))
		Expect(s.Line()).To(Equal("expectations (testdata/example.yaml): 3 as expected (2 known deviations), 1 unexpected, 1 flaky"))
		Expect(s.Judgements[0].Kind()).To(Equal("known deviation"))
		Expect(s.Judgements[2].Kind()).To(Equal("as expected"))

		problems := s.Problems()
		Expect(problems).To(HaveLen(2))
		Expect(problems[0].Describe()).To(Equal(`unexpected failure: other (ids.feature:5): failed at "Then it works": boom; expected passed (not listed) (run again alone: failed)`))
		Expect(problems[1].Describe()).To(Equal("flaky: rows-two/3 (ids.feature:10): failed, then skipped when run again alone; expected skipped: the example engine cannot run these"))

		data, err := json.Marshal(s.Report())
		Expect(err).NotTo(HaveOccurred())
		var r map[string]any
		Expect(json.Unmarshal(data, &r)).To(Succeed())
		Expect(r["file"]).To(Equal("testdata/example.yaml"))
		Expect(r["engine"]).To(Equal("Example engine 1.0"))
		Expect(r["unexpected"]).To(BeNumerically("==", 1))
		Expect(r["scenarios"]).To(ContainElement(map[string]any{"id": "rows-two/3", "name": "rows-two/3", "location": "ids.feature:10",
			"outcome": "failed", "expected": "skipped", "listed": true, "reason": "the example engine cannot run these", "verdict": "flaky", "rerun": "skipped"}))
	})

	It("names an unexpected pass and an unexpected skip, and keeps a rerun that cannot run unexpected", func() {
		s, err := expectations.Judge(f, []results.Outcome{
			out("plain-one", results.Passed),
			{ID: "other", File: "ids.feature", Line: 17, Status: results.Skipped, Reason: "the target lacks wss"},
		}, func(o results.Outcome) (results.Outcome, error) { return o, errors.New("engine gone") })
		Expect(err).To(MatchError(ContainSubstring("run plain-one again: engine gone")))
		Expect(s.Unexpected).To(Equal(2))
		Expect(s.Judgements[0].Describe()).To(Equal("unexpected pass: plain-one (ids.feature:9): passed; expected failed: the example engine gets this wrong"))
		Expect(s.Judgements[1].Describe()).To(Equal("unexpected skip: other (ids.feature:17): skipped: the target lacks wss; expected passed (not listed)"))
	})
})
