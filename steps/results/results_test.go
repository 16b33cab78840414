package results_test

import (
	"context"
	"errors"
	"io"
	"testing/fstest"

	"github.com/cucumber/godog"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/steps/results"
)

const feature = `@area
Feature: Outcomes

  @must @id:passes
  Scenario: passes
    Given a step that passes

  Scenario: fails
    Given a step that passes
    Then a step that fails
    And a step that passes

  Scenario: skipped
    Given a step that skips
    Then a step that passes

  Scenario: skipped before it starts
    Given a step that passes

  Scenario: undefined
    Given a step nobody wrote

  @id:rows
  Scenario Outline: rows
    Given a step that <does>

    @extension
    Examples:
      | does   |
      | passes |
      | fails  |
`

func run(concurrency int) []results.Outcome {
	outs, _ := runWatched(concurrency)
	return outs
}

// done is one call of the OnDone function.
type done struct {
	id, status  string
	done, total int
}

// runWatched runs the feature and also returns the OnDone calls.
func runWatched(concurrency int) ([]results.Outcome, []done) {
	c := results.NewCollector()
	c.SetTotal(7)
	var calls []done
	c.OnDone(func(o results.Outcome, n, total int) {
		calls = append(calls, done{o.Name + o.Location(), string(o.Status), n, total})
	})
	status := godog.TestSuite{
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			sc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
				if p.Name == "skipped before it starts" {
					return ctx, godog.ErrSkip
				}
				return ctx, nil
			})
			sc.Step(`^a step that passes$`, func() error { return nil })
			sc.Step(`^a step that fails$`, func() error { return errors.New("expected 3 records, got 2") })
			sc.Step(`^a step that skips$`, func() error { return godog.ErrSkip })
		},
		Options: &godog.Options{
			Format: "progress," + c.Format(), Output: io.Discard, Strict: true, Concurrency: concurrency,
			FS: fstest.MapFS{"o.feature": {Data: []byte(feature)}}, Paths: []string{"o.feature"},
		},
	}.Run()
	Expect(status).To(Equal(1))
	return c.Outcomes(), calls
}

var _ = Describe("Collector", func() {
	for _, conc := range []int{1, 3} {
		It("tells passed, failed and skipped scenarios apart", func() {
			outs := run(conc)
			Expect(outs).To(HaveLen(7))
			byName := map[string]results.Outcome{}
			for _, o := range outs {
				byName[o.Name+o.Location()] = o
			}
			p := byName["passeso.feature:5"]
			Expect(p.Status).To(Equal(results.Passed))
			Expect(p.Feature).To(Equal("Outcomes"))
			Expect(p.Tags).To(Equal([]string{"@area", "@must", "@id:passes"}))

			f := byName["failso.feature:8"]
			Expect(f.Status).To(Equal(results.Failed))
			Expect(f.Step).To(Equal("Then a step that fails"))
			Expect(f.StepLine).To(Equal(10))
			Expect(f.Error).To(ContainSubstring("expected 3 records, got 2"))

			s := byName["skippedo.feature:13"]
			Expect(s.Status).To(Equal(results.Skipped))
			Expect(s.Step).To(Equal("Given a step that skips"))

			Expect(byName["skipped before it startso.feature:17"].Status).To(Equal(results.Skipped))

			u := byName["undefinedo.feature:20"]
			Expect(u.Status).To(Equal(results.Failed))
			Expect(u.Error).To(ContainSubstring("undefined"))

			Expect(byName["rowso.feature:30"].Status).To(Equal(results.Passed))
			Expect(byName["rowso.feature:30"].Tags).To(ContainElement("@extension"))
			Expect(byName["rowso.feature:31"].Status).To(Equal(results.Failed))

			Expect(p.ID).To(Equal("passes"))
			Expect(f.ID).To(BeEmpty())
			Expect(byName["rowso.feature:30"].ID).To(Equal("rows/1"))
			Expect(byName["rowso.feature:31"].ID).To(Equal("rows/2"))
			Expect(byName["rowso.feature:30"].Example).To(Equal([]string{"does=passes"}))
			Expect(byName["rowso.feature:31"].Example).To(Equal([]string{"does=fails"}))
			Expect(p.Example).To(BeNil())
			Expect(p.Duration).To(BeNumerically(">", 0))

			passed, failed, skipped := results.Counts(outs)
			Expect([]int{passed, failed, skipped}).To(Equal([]int{2, 3, 2}))
		})

		It("records every step's outcome and tells when each scenario is done", func() {
			outs, calls := runWatched(conc)
			byName := map[string]results.Outcome{}
			for _, o := range outs {
				byName[o.Name+o.Location()] = o
			}
			f := byName["failso.feature:8"]
			Expect(f.Steps).To(Equal([]results.Step{
				{Text: "Given a step that passes", Line: 9, Status: "passed"},
				{Text: "Then a step that fails", Line: 10, Status: "failed", Error: "expected 3 records, got 2"},
				{Text: "And a step that passes", Line: 11, Status: "skipped"},
			}))
			Expect(byName["undefinedo.feature:20"].Steps[0].Status).To(Equal("undefined"))

			Expect(calls).To(HaveLen(7))
			for i, c := range calls {
				Expect(c.done).To(Equal(i+1), "calls come one per scenario, counted")
				Expect(c.total).To(Equal(7))
				Expect(c.status).To(Equal(string(byName[c.id].Status)), c.id)
			}
		})
	}
})
