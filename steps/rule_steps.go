package steps

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/wsconform/wsconform/steps/target"
)

// ruleSteps registers the peer-side steps of the rule and integrity
// scenarios.
func ruleSteps(sc *godog.ScenarioContext) {
	sc.Step(`^client "([^"]*)" sends (\d+) distinct messages of (\d+) KiB$`, clientSendsDistinctMessages)
	sc.Step(`^the rule "([^"]*)" runs "([^"]*)" into a sink that never answers, with a timeout of (\d+) ms$`, theRuleRunsIntoASinkThatNeverAnswers)
	sc.Step(`^the rule "([^"]*)" outputs (\d+) numbered records in order within (\d+) seconds$`, theRuleOutputsNumberedRecordsInOrderWithin)
	sc.Step(`^the rule "([^"]*)" reports a sink exception mentioning "([^"]*)"$`, theRuleReportsASinkExceptionMentioning)
	sc.Step(`^the rule "([^"]*)" sink counts (\d+) records? in and (\d+) records? out$`, theRuleSinkCounts)
}

func theRuleRunsIntoASinkThatNeverAnswers(ctx context.Context, id, sql string, ms int) error {
	w := worldFrom(ctx)
	h, ok := w.tgt.(target.HangingSinks)
	if !ok {
		return fmt.Errorf("%s says it supports %q but does not implement target.HangingSinks", w.tgt.Name(), target.HangingSink)
	}
	if err := w.ready(ctx); err != nil {
		return err
	}
	uid, usql := w.unique(id), w.selectSQL(sql)
	tctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	r, err := h.CreateRuleWithHangingSink(tctx, uid, usql, time.Duration(ms)*time.Millisecond)
	if err != nil {
		return fmt.Errorf("create rule %q with %q and a sink that never answers: %w", uid, usql, err)
	}
	w.rules[id] = r
	return nil
}

// theRuleOutputsNumberedRecordsInOrderWithin bounds the whole series, where
// the step without a bound waits up to target.DefaultTimeout for each record.
func theRuleOutputsNumberedRecordsInOrderWithin(ctx context.Context, id string, n, seconds int) error {
	bound := time.Duration(seconds) * time.Second
	bctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	if err := theRuleOutputsNumberedRecordsInOrder(bctx, id, n); err != nil {
		if bctx.Err() != nil && ctx.Err() == nil {
			return fmt.Errorf("rule %q did not output %d numbered records within %v: %w", id, n, bound, err)
		}
		return err
	}
	return nil
}

func theRuleReportsASinkExceptionMentioning(ctx context.Context, id, text string) error {
	w := worldFrom(ctx)
	return eventually(ctx, fmt.Sprintf("rule %q counting a sink exception mentioning %q", id, text), w.statusCheck(id, func(st target.Status) error {
		v, ok := st.Metric("sink_", "_exceptions_total")
		if !ok {
			return fmt.Errorf("no sink_*_exceptions_total metric: status is %s", describe(st))
		}
		if f, ok := number(v); !ok || f == 0 {
			return fmt.Errorf("the sink counts %v exceptions: status is %s", v, describe(st))
		}
		last, _ := st.Metric("sink_", "_last_exception")
		if !strings.Contains(fmt.Sprint(last), text) {
			return fmt.Errorf("the sink's last exception does not mention %q: status is %s", text, describe(st))
		}
		return nil
	}))
}

// distinctAlphabet is what the pad of a distinct message is made of.
const distinctAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// distinctPad returns the pad of distinct message seq of a series whose
// messages are size bytes long: size-len(frame) characters drawn from a
// generator seeded by seq, so that no two messages share their content at any
// offset and the receiver can rebuild every message.
func distinctPad(seq, size int) string {
	n := size - len(distinctFrame(seq, ""))
	if n < 0 {
		n = 0
	}
	rng := rand.New(rand.NewPCG(uint64(seq), 0x5eed))
	b := make([]byte, n)
	for i := range b {
		b[i] = distinctAlphabet[rng.IntN(len(distinctAlphabet))]
	}
	return string(b)
}

// distinctFrame is distinct message seq with the given pad.
func distinctFrame(seq int, pad string) string {
	return `{"seq":` + strconv.Itoa(seq) + `,"pad":"` + pad + `"}`
}

// distinctMessage is message seq of a series of distinct messages of size
// bytes.
func distinctMessage(seq, size int) string { return distinctFrame(seq, distinctPad(seq, size)) }

func clientSendsDistinctMessages(ctx context.Context, name string, n, kib int) error {
	w := worldFrom(ctx)
	c, err := w.client(name)
	if err != nil {
		return err
	}
	size := kib << 10
	w.background(func(ctx context.Context) error {
		for i := 0; i < n; i++ {
			if err := c.SendText(ctx, distinctMessage(i, size)); err != nil {
				return fmt.Errorf("client %q sends distinct message %d of %d: %w", name, i, n, err)
			}
		}
		return nil
	})
	return nil
}

// theRuleSinkCounts waits until the rule's sink_*_records_in_total and
// sink_*_records_out_total metrics are in and out.
func theRuleSinkCounts(ctx context.Context, id string, in, out int) error {
	w := worldFrom(ctx)
	what := fmt.Sprintf("rule %q sink counting %d records in and %d out", id, in, out)
	return eventually(ctx, what, w.statusCheck(id, func(st target.Status) error {
		for _, m := range []struct {
			suffix string
			want   int
		}{{"_records_in_total", in}, {"_records_out_total", out}} {
			v, ok := st.Metric("sink_", m.suffix)
			if !ok {
				return fmt.Errorf("no sink_*%s metric: status is %s", m.suffix, describe(st))
			}
			if f, ok := number(v); !ok || f != float64(m.want) {
				return fmt.Errorf("sink_*%s is %v, want %d: status is %s", m.suffix, v, m.want, describe(st))
			}
		}
		return nil
	}))
}
