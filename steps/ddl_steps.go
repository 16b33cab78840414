package steps

import (
	"context"

	"github.com/cucumber/godog"
)

// ddlSteps registers the steps of the statement scenarios whose text holds
// double quotes: an expected message such as eKuiper's `found "EOF", expect
// ...` is then written between single quotes, and a rule's SQL as a doc string.
func ddlSteps(sc *godog.ScenarioContext) {
	sc.Step(`^creating this stream fails with '([^']*)':$`, creatingThisStreamFails)
	sc.Step(`^the rule "([^"]*)" running "([^"]*)" is refused with '([^']*)'$`, theRuleRunningIsRefused)
	sc.Step(`^the rule "([^"]*)" runs:$`, theRuleRunsTheDocString)
}

// theRuleRunsTheDocString starts a rule whose SQL is the doc string.
func theRuleRunsTheDocString(ctx context.Context, id string, doc *godog.DocString) error {
	return theRuleRuns(ctx, id, doc.Content)
}
