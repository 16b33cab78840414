package steps

import (
	"github.com/cucumber/godog"
)

// ddlSteps registers the steps of the statement scenarios whose expected
// message holds double quotes, as eKuiper's `found "EOF", expect ...` does:
// the message is then written between single quotes.
func ddlSteps(sc *godog.ScenarioContext) {
	sc.Step(`^creating this stream fails with '([^']*)':$`, creatingThisStreamFails)
	sc.Step(`^the rule "([^"]*)" running "([^"]*)" is refused with '([^']*)'$`, theRuleRunningIsRefused)
}
