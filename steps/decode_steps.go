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
	sc.Step(`^client "([^"]*)" sends an object holding (objects|arrays) nested (\d+) deep$`, clientSendsAnObjectHoldingNested)
}

// controlPictures maps the Unicode control pictures a feature writes to the
// white space and control characters they stand for: a feature file cannot
// show a tab, a carriage return or a no-break space, and Gherkin trims the
// spaces that end a table cell.
var controlPictures = strings.NewReplacer(
	"␠", " ", // U+2420 SYMBOL FOR SPACE
	"␉", "\t", // U+2409 SYMBOL FOR HORIZONTAL TABULATION
	"␊", "\n", // U+240A SYMBOL FOR LINE FEED
	"␍", "\r", // U+240D SYMBOL FOR CARRIAGE RETURN
	"␌", "\f", // U+240C SYMBOL FOR FORM FEED
	"␋", "\v", // U+240B SYMBOL FOR VERTICAL TABULATION
	"⍽", "\u00a0", // U+237D SHOULDERED OPEN BOX, the usual picture of a no-break space
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

// nested is an object whose member "a" holds objects or arrays nested so
// that the message is depth levels deep, the outer object included:
// {"a":{"a":...{"a":1}...}} or {"a":[[...[]...]]}.
func nested(kind string, depth int) (string, error) {
	if depth < 1 {
		return "", fmt.Errorf("a nesting depth of %d: want 1 or more", depth)
	}
	var b strings.Builder
	switch kind {
	case "objects":
		b.WriteString(strings.Repeat(`{"a":`, depth))
		b.WriteString("1")
		b.WriteString(strings.Repeat("}", depth))
	case "arrays":
		b.WriteString(`{"a":`)
		b.WriteString(strings.Repeat("[", depth-1))
		b.WriteString(strings.Repeat("]", depth-1))
		b.WriteString("}")
	default:
		return "", fmt.Errorf("nested %q: want objects or arrays", kind)
	}
	return b.String(), nil
}

func clientSendsAnObjectHoldingNested(ctx context.Context, name, kind string, depth int) error {
	msg, err := nested(kind, depth)
	if err != nil {
		return err
	}
	return worldFrom(ctx).onClient(ctx, name, fmt.Sprintf("sends an object holding %s nested %d deep", kind, depth), func(ctx context.Context, c *peer.Client) error {
		return c.SendText(ctx, msg)
	})
}
