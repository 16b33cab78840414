package steps

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/cucumber/godog"

	"github.com/wsconform/wsconform/steps/peer"
	"github.com/wsconform/wsconform/steps/target"
)

// decodeSteps registers the steps about how messages are decoded: messages
// written with control pictures, and the wording of decode errors.
func decodeSteps(sc *godog.ScenarioContext) {
	sc.Step(`^client "([^"]*)" sends '([^']*)' written with control pictures$`, clientSendsWrittenWithControlPictures)
	sc.Step(`^the rule "([^"]*)" reports a decode error mentioning '([^']*)'$`, theRuleReportsADecodeErrorMentioning)
}

// controlPictures maps the Unicode control pictures a feature writes to the
// white space and control characters they stand for: a feature file cannot
// show a tab or a carriage return, and Gherkin trims the spaces that end a
// table cell.
var controlPictures = strings.NewReplacer(
	"␠", " ", // U+2420 SYMBOL FOR SPACE
	"␉", "\t", // U+2409 SYMBOL FOR HORIZONTAL TABULATION
	"␊", "\n", // U+240A SYMBOL FOR LINE FEED
	"␍", "\r", // U+240D SYMBOL FOR CARRIAGE RETURN
	"␌", "\f", // U+240C SYMBOL FOR FORM FEED
	"␋", "\v", // U+240B SYMBOL FOR VERTICAL TABULATION
)

func clientSendsWrittenWithControlPictures(ctx context.Context, name, msg string) error {
	text := controlPictures.Replace(msg)
	return worldFrom(ctx).onClient(ctx, name, "sends "+strconv.Quote(text), func(ctx context.Context, c *peer.Client) error {
		return c.SendText(ctx, text)
	})
}

// decoderLastException is the last exception the rule's decoder recorded.
func decoderLastException(st target.Status) (string, bool) {
	for k, v := range st.Metrics {
		if strings.HasPrefix(k, "op_") && strings.Contains(k, "_decoder_") && strings.HasSuffix(k, "_last_exception") {
			return fmt.Sprint(v), true
		}
	}
	return "", false
}

func theRuleReportsADecodeErrorMentioning(ctx context.Context, id, text string) error {
	w := worldFrom(ctx)
	return eventually(ctx, fmt.Sprintf("rule %q reporting a decode error mentioning %q", id, text), w.statusCheck(id, func(st target.Status) error {
		last, ok := decoderLastException(st)
		if !ok {
			return fmt.Errorf("no op_*_decoder_*_last_exception metric: status is %s", describe(st))
		}
		if !strings.Contains(last, text) {
			return fmt.Errorf("the decoder's last exception %q does not mention %q", last, text)
		}
		return nil
	}))
}
