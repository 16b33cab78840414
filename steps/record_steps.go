package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/cucumber/godog"

	"github.com/wsconform/wsconform/internal/waits"
	"github.com/wsconform/wsconform/steps/target"
)

// recordSteps registers the steps that check what rules output.
func recordSteps(sc *godog.ScenarioContext) {
	sc.Step(`^the rule "([^"]*)" outputs (\[.*\]|\{.*\})$`, theRuleOutputsJSON)
	sc.Step(`^the rule "([^"]*)" outputs:$`, theRuleOutputs)
	sc.Step(`^the rule "([^"]*)" outputs, in any order:$`, theRuleOutputsInAnyOrder)
	sc.Step(`^the rule "([^"]*)" outputs nothing(?: more)?$`, theRuleOutputsNothingMore)
	sc.Step(`^the rule "([^"]*)" outputs (\d+) numbered records in order$`, theRuleOutputsNumberedRecordsInOrder)
	sc.Step(`^the rule "([^"]*)" outputs (\d+) records?$`, theRuleOutputsRecords)
	sc.Step(`^the rule "([^"]*)" outputs (\d+) records? within (\d+) seconds$`, theRuleOutputsRecordsWithin)
	sc.Step(`^the rule "([^"]*)" outputs the (\d+) distinct messages of (\d+) KiB, exact and in order$`, theRuleOutputsTheDistinctMessages)
}

// next waits up to DefaultTimeout for the rule's next record and returns it
// in canonical JSON form.
func (w *World) next(ctx context.Context, id string) (any, error) {
	return w.nextWithin(ctx, id, target.DefaultTimeout)
}

// nextWithin is next, waiting up to bound.
func (w *World) nextWithin(ctx context.Context, id string, bound time.Duration) (any, error) {
	r, err := w.rule(id)
	if err != nil {
		return nil, err
	}
	timer := time.NewTimer(bound)
	defer timer.Stop()
	select {
	case rec := <-r.Records():
		return canonical(rec)
	case <-timer.C:
		return nil, fmt.Errorf("rule %q output no record within %v%s", id, bound, ruleExceptions(ctx, r))
	case <-ctx.Done():
		return nil, fmt.Errorf("rule %q: %w", id, ctx.Err())
	}
}

// ruleExceptions returns the rule's last sink and source exceptions from its
// status, as "; the rule's status shows ...", or "" when it shows none or
// cannot be read within a second.
func ruleExceptions(ctx context.Context, r target.Rule) string {
	sctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	st, err := r.Status(sctx)
	if err != nil {
		return ""
	}
	if ex := st.LastExceptions("sink_", "source_"); ex != "" {
		return "; the rule's status shows " + ex
	}
	return ""
}

// expectInOrder reads len(want) records and compares them one by one.
func (w *World) expectInOrder(ctx context.Context, id string, want []any) error {
	for i, exp := range want {
		got, err := w.next(ctx, id)
		if err != nil {
			return fmt.Errorf("record %d of %d, want %s: %w", i+1, len(want), compact(exp), err)
		}
		if !jsonEqual(exp, got) {
			return fmt.Errorf("rule %q record %d of %d is %s; want %s", id, i+1, len(want), compact(got), compact(exp))
		}
	}
	return nil
}

func theRuleOutputsJSON(ctx context.Context, id, text string) error {
	want, err := records(text)
	if err != nil {
		return err
	}
	return worldFrom(ctx).expectInOrder(ctx, id, want)
}

func theRuleOutputs(ctx context.Context, id string, doc *godog.DocString) error {
	return theRuleOutputsJSON(ctx, id, doc.Content)
}

func theRuleOutputsInAnyOrder(ctx context.Context, id string, doc *godog.DocString) error {
	w := worldFrom(ctx)
	want, err := records(doc.Content)
	if err != nil {
		return err
	}
	left := append([]any(nil), want...)
	var got []any
	for range want {
		rec, err := w.next(ctx, id)
		if err != nil {
			return fmt.Errorf("after %s: %w", compact(got), err)
		}
		got = append(got, rec)
		found := -1
		for i, exp := range left {
			if jsonEqual(exp, rec) {
				found = i
				break
			}
		}
		if found < 0 {
			return fmt.Errorf("rule %q output %s, which is not among the expected %s", id, compact(rec), compact(left))
		}
		left = append(left[:found], left[found+1:]...)
	}
	return nil
}

func theRuleOutputsNothingMore(ctx context.Context, id string) error {
	w := worldFrom(ctx)
	r, err := w.rule(id)
	if err != nil {
		return err
	}
	quiet := time.NewTimer(target.QuietWindow)
	defer quiet.Stop()
	select {
	case rec := <-r.Records():
		return fmt.Errorf("rule %q output %s; want no more records", id, compact(rec))
	case <-quiet.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// theRuleOutputsNumberedRecordsInOrder checks a burst record by record. A lost
// or reordered record fails at the next one; each record is waited for up to
// waits.Heavy, not the usual step bound, since a burst of thousands under the
// race detector on a loaded machine can pause for seconds.
func theRuleOutputsNumberedRecordsInOrder(ctx context.Context, id string, n int) error {
	w := worldFrom(ctx)
	for i := 0; i < n; i++ {
		got, err := w.nextWithin(ctx, id, waits.Heavy)
		if err != nil {
			return fmt.Errorf("after %d of %d numbered records: %w", i, n, err)
		}
		rec, ok := got.(map[string]any)
		seq, _ := rec["seq"].(json.Number)
		if !ok || seq.String() != strconv.Itoa(i) {
			return fmt.Errorf("rule %q record %d of %d is %s; want %s", id, i+1, n, compact(got), numbered(i))
		}
	}
	wctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	return w.waitSenders(wctx)
}

func theRuleOutputsRecords(ctx context.Context, id string, n int) error {
	w := worldFrom(ctx)
	for i := 0; i < n; i++ {
		if _, err := w.next(ctx, id); err != nil {
			return fmt.Errorf("after %d of %d records: %w", i, n, err)
		}
	}
	return nil
}

// theRuleOutputsRecordsWithin waits for n records, all within seconds
// (scaled like every wait: waits.Of), for records that take long to make,
// such as megabytes decoded under the race detector.
func theRuleOutputsRecordsWithin(ctx context.Context, id string, n, seconds int) error {
	w := worldFrom(ctx)
	deadline := time.Now().Add(waits.Of(time.Duration(seconds) * time.Second))
	for i := 0; i < n; i++ {
		if _, err := w.nextWithin(ctx, id, time.Until(deadline)); err != nil {
			return fmt.Errorf("after %d of %d records: %w", i, n, err)
		}
	}
	return nil
}

// theRuleOutputsTheDistinctMessages checks every record of a series of
// distinct messages (clientSendsDistinctMessages) by content: its seq and its
// whole pad, so a record whose bytes changed after it was read is caught.
func theRuleOutputsTheDistinctMessages(ctx context.Context, id string, n, kib int) error {
	w := worldFrom(ctx)
	size := kib << 10
	for i := 0; i < n; i++ {
		got, err := w.next(ctx, id)
		if err != nil {
			return fmt.Errorf("after %d of %d distinct messages: %w", i, n, err)
		}
		rec, _ := got.(map[string]any)
		seq, _ := rec["seq"].(json.Number)
		pad, _ := rec["pad"].(string)
		if seq.String() != strconv.Itoa(i) || len(rec) != 2 {
			return fmt.Errorf("rule %q record %d of %d has seq %v and fields %v; want seq %d and fields seq, pad", id, i+1, n, rec["seq"], sortedKeys(rec), i)
		}
		if want := distinctPad(i, size); pad != want {
			at := 0
			for at < len(pad) && at < len(want) && pad[at] == want[at] {
				at++
			}
			return fmt.Errorf("rule %q record %d of %d (seq %d): its pad of %d bytes differs from the message sent (%d bytes) from byte %d on", id, i+1, n, i, len(pad), len(want), at)
		}
	}
	wctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	return w.waitSenders(wctx)
}
