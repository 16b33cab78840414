package steps

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/cucumber/godog"

	"github.com/wsconform/wsconform/steps/target"
)

// engineRuleSteps registers the steps that read a rule's metrics in detail
// and run rules into the engine's own sinks.
func engineRuleSteps(sc *godog.ScenarioContext) {
	sc.Step(`^the rule "([^"]*)" runs "([^"]*)" into a nop sink$`, theRuleRunsIntoANopSink)
	sc.Step(`^the rule "([^"]*)" metrics become:$`, theRuleMetricsBecome)
	sc.Step(`^the rule "([^"]*)" metrics stay:$`, theRuleMetricsStay)
	sc.Step(`^the rule "([^"]*)" status message mentions "([^"]*)"$`, theRuleStatusMessageMentions)
}

func theRuleRunsIntoANopSink(ctx context.Context, id, sql string) error {
	w := worldFrom(ctx)
	nr, ok := w.tgt.(target.NopRuleCreator)
	if !ok {
		return fmt.Errorf("%s cannot run a rule into a nop sink: it does not implement target.NopRuleCreator", w.tgt.Name())
	}
	if err := w.ready(ctx); err != nil {
		return err
	}
	uid, usql := w.unique(id), w.selectSQL(sql)
	tctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	r, err := nr.CreateNopRule(tctx, uid, usql)
	if err != nil {
		return fmt.Errorf("create rule %q with %q and a nop sink: %w", uid, usql, err)
	}
	w.rules[id] = r
	return nil
}

// metricWant is one row of a metrics table: the metric keys matching a
// pattern, and what their value must be.
type metricWant struct {
	pattern string // path.Match pattern over the flat key, e.g. source_*_records_in_total
	// one of:
	number   *float64 // the value is this number
	atLeast  bool     // with number: the value is number or more
	empty    bool     // the value is the empty string
	mentions string   // the value is a string containing this text
	time     bool     // the value is a number above 0 (Unix milliseconds)
	absent   bool     // no key matches the pattern
}

func (m metricWant) String() string {
	switch {
	case m.number != nil && m.atLeast:
		return fmt.Sprintf("%s >= %v", m.pattern, *m.number)
	case m.number != nil:
		return fmt.Sprintf("%s = %v", m.pattern, *m.number)
	case m.empty:
		return m.pattern + " empty"
	case m.time:
		return m.pattern + " a time"
	case m.absent:
		return m.pattern + " absent"
	}
	return fmt.Sprintf("%s mentions %q", m.pattern, m.mentions)
}

// metricWants parses a two-column table (metric pattern | value). A value is
// a number, ">= N" (N or more), "empty" (the empty string), "a time" (Unix milliseconds above 0),
// "absent" (no such metric) or mentions "text" (a string containing text).
func (w *World) metricWants(table *godog.Table) ([]metricWant, error) {
	if table == nil || len(table.Rows) == 0 {
		return nil, fmt.Errorf("metrics table: want rows of (metric | value)")
	}
	var out []metricWant
	for i, row := range table.Rows {
		if len(row.Cells) != 2 {
			return nil, fmt.Errorf("metrics table row %d: want 2 cells (metric | value), got %d", i+1, len(row.Cells))
		}
		pat := strings.TrimSpace(row.Cells[0].Value)
		val := strings.TrimSpace(row.Cells[1].Value)
		if i == 0 && pat == "metric" && val == "value" {
			continue // header row
		}
		if _, err := path.Match(pat, ""); err != nil || pat == "" {
			return nil, fmt.Errorf("metrics table row %d: metric pattern %q: want a key with * for any text", i+1, pat)
		}
		m := metricWant{pattern: pat}
		switch {
		case val == "empty":
			m.empty = true
		case val == "a time":
			m.time = true
		case val == "absent":
			m.absent = true
		case strings.HasPrefix(val, "mentions "):
			text, err := strconv.Unquote(strings.TrimSpace(strings.TrimPrefix(val, "mentions ")))
			if err != nil {
				return nil, fmt.Errorf("metrics table row %d: value %q: want mentions \"text\"", i+1, val)
			}
			if text, err = w.text(text); err != nil {
				return nil, err
			}
			m.mentions = text
		default:
			num, atLeast := strings.CutPrefix(val, ">=")
			f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
			if err != nil {
				return nil, fmt.Errorf("metrics table row %d: value %q: want a number, >= N, empty, a time, absent or mentions \"text\"", i+1, val)
			}
			m.number, m.atLeast = &f, atLeast
		}
		out = append(out, m)
	}
	return out, nil
}

// check tells whether every metric matching m's pattern has the value m wants.
func (m metricWant) check(st target.Status) error {
	keys := make([]string, 0, len(st.Metrics))
	for k := range st.Metrics {
		if ok, _ := path.Match(m.pattern, k); ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if m.absent {
		if len(keys) > 0 {
			return fmt.Errorf("want no metric %s, got %s = %v", m.pattern, keys[0], st.Metrics[keys[0]])
		}
		return nil
	}
	if len(keys) == 0 {
		return fmt.Errorf("no metric %s among %s", m.pattern, strings.Join(sortedKeys(st.Metrics), ", "))
	}
	for _, k := range keys {
		v := st.Metrics[k]
		switch {
		case m.number != nil && m.atLeast:
			if f, ok := number(v); !ok || f < *m.number {
				return fmt.Errorf("%s is %v, want %v or more", k, v, *m.number)
			}
		case m.number != nil:
			if f, ok := number(v); !ok || f != *m.number {
				return fmt.Errorf("%s is %v, want %v", k, v, *m.number)
			}
		case m.time:
			if f, ok := number(v); !ok || f <= 0 {
				return fmt.Errorf("%s is %v, want a time (Unix milliseconds)", k, v)
			}
		case m.empty:
			if s, ok := v.(string); !ok || s != "" {
				return fmt.Errorf("%s is %v, want the empty string", k, v)
			}
		default:
			if s, ok := v.(string); !ok || !strings.Contains(s, m.mentions) {
				return fmt.Errorf("%s is %v, want a text mentioning %q", k, v, m.mentions)
			}
		}
	}
	return nil
}

// metricsCheck returns a status check that every row of wants holds.
func (w *World) metricsCheck(id string, wants []metricWant) func(ctx context.Context) error {
	return w.statusCheck(id, func(st target.Status) error {
		var bad []string
		for _, m := range wants {
			if err := m.check(st); err != nil {
				bad = append(bad, err.Error())
			}
		}
		if len(bad) > 0 {
			return fmt.Errorf("%s (status %q, message %q)", strings.Join(bad, "; "), st.State, st.Message)
		}
		return nil
	})
}

func theRuleMetricsBecome(ctx context.Context, id string, table *godog.Table) error {
	w := worldFrom(ctx)
	wants, err := w.metricWants(table)
	if err != nil {
		return err
	}
	return eventually(ctx, fmt.Sprintf("rule %q metrics %s", id, joinWants(wants)), w.metricsCheck(id, wants))
}

// theRuleMetricsStay waits until the metrics hold and then watches them hold
// for target.QuietWindow: no count goes past its value.
func theRuleMetricsStay(ctx context.Context, id string, table *godog.Table) error {
	w := worldFrom(ctx)
	wants, err := w.metricWants(table)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("rule %q metrics %s", id, joinWants(wants))
	if err := eventually(ctx, what, w.metricsCheck(id, wants)); err != nil {
		return err
	}
	return consistently(ctx, what+" changed", w.metricsCheck(id, wants))
}

func joinWants(wants []metricWant) string {
	parts := make([]string, len(wants))
	for i, m := range wants {
		parts[i] = m.String()
	}
	return strings.Join(parts, ", ")
}

// theRuleStatusMessageMentions waits until the status message itself, not a
// last exception, contains text.
func theRuleStatusMessageMentions(ctx context.Context, id, text string) error {
	w := worldFrom(ctx)
	text, err := w.text(text)
	if err != nil {
		return err
	}
	return eventually(ctx, fmt.Sprintf("rule %q status message mentioning %q", id, text), w.statusCheck(id, func(st target.Status) error {
		if !strings.Contains(st.Message, text) {
			return fmt.Errorf("the status message is %q: status is %s", st.Message, describe(st))
		}
		return nil
	}))
}
