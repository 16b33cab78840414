package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/cucumber/godog"

	"github.com/wsconform/wsconform/steps/target"
)

// sinkSteps registers the steps that create rules from a full rule JSON,
// with the engine's own sinks beside the suite's collector, and read the
// engine's rule list.
func sinkSteps(sc *godog.ScenarioContext) {
	sc.Step(`^the rule "([^"]*)" is created from:$`, theRuleIsCreatedFrom)
	sc.Step(`^creating the rule "([^"]*)" from this JSON is refused with "([^"]*)":$`, creatingTheRuleFromThisJSONIsRefusedWith)
	sc.Step(`^the rule list shows:$`, theRuleListShows)
	sc.Step(`^the rule list does not show "([^"]*)"$`, theRuleListDoesNotShow)
	sc.Step(`^the engine runs with basic\.enablePrivateNet false$`, theEngineRunsWithEnablePrivateNetFalse)
}

func theEngineRunsWithEnablePrivateNetFalse(ctx context.Context) error {
	w := worldFrom(ctx)
	w.env.PrivateNetRefused = true
	w.changed()
	return nil
}

// nowherePlaceholder in a rule JSON becomes an http URL on a loopback port
// where nothing listens: the port of a listener the step opened and closed.
const nowherePlaceholder = "${nowhere-url}"

// ruleJSON rewrites a rule JSON a feature wrote to the scenario's names:
// its "id" and the stream its "sql" reads, and expands placeholders. It
// returns the rule id the engine gets and the JSON.
func (w *World) ruleJSON(doc *godog.DocString) (string, []byte, error) {
	if doc == nil || strings.TrimSpace(doc.Content) == "" {
		return "", nil, errors.New("the step needs the rule JSON as a doc string")
	}
	text := doc.Content
	if strings.Contains(text, nowherePlaceholder) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", nil, fmt.Errorf("find a free port: %w", err)
		}
		addr := ln.Addr().String()
		if err := ln.Close(); err != nil {
			return "", nil, fmt.Errorf("free port %s: %w", addr, err)
		}
		text = strings.ReplaceAll(text, nowherePlaceholder, "http://"+addr+"/nowhere")
	}
	text, err := w.expand(text)
	if err != nil {
		return "", nil, err
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return "", nil, fmt.Errorf("rule JSON: want a JSON object: %v", err)
	}
	id := ""
	if s, ok := m["id"].(string); ok && s != "" {
		id = w.unique(s)
		m["id"] = id
	}
	if s, ok := m["sql"].(string); ok {
		m["sql"] = w.selectSQL(s)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return "", nil, fmt.Errorf("rule JSON: %w", err)
	}
	return id, bytes.TrimSpace(b.Bytes()), nil
}

// createRuleJSON creates the scenario's rule name from a rule JSON.
func (w *World) createRuleJSON(ctx context.Context, name string, doc *godog.DocString) (target.Rule, error) {
	rc, ok := w.tgt.(target.RuleJSONCreator)
	if !ok {
		return nil, fmt.Errorf("%s cannot create a rule from a rule JSON: it does not implement target.RuleJSONCreator (tag the scenario @needs-%s)", w.tgt.Name(), target.RuleJSON)
	}
	id, def, err := w.ruleJSON(doc)
	if err != nil {
		return nil, err
	}
	if err := w.ready(ctx); err != nil {
		return nil, err
	}
	tctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	r, err := rc.CreateRuleJSON(tctx, id, def)
	if err != nil {
		return nil, fmt.Errorf("create rule %q from %s: %w", name, def, err)
	}
	w.rules[name] = r
	return r, nil
}

func theRuleIsCreatedFrom(ctx context.Context, name string, doc *godog.DocString) error {
	_, err := worldFrom(ctx).createRuleJSON(ctx, name, doc)
	return err
}

// creatingTheRuleFromThisJSONIsRefusedWith passes when the engine refuses
// the rule with an error containing want, or takes it and then reports it
// stopped by error with a status mentioning want.
func creatingTheRuleFromThisJSONIsRefusedWith(ctx context.Context, name, want string, doc *godog.DocString) error {
	w := worldFrom(ctx)
	return w.createRefused(ctx, name, want, func() (target.Rule, error) { return w.createRuleJSON(ctx, name, doc) })
}

// listRules fetches the engine's rule list.
func (w *World) listRules(ctx context.Context) ([]target.RuleSummary, error) {
	rl, ok := w.tgt.(target.RuleLister)
	if !ok {
		return nil, fmt.Errorf("%s cannot list rules: it does not implement target.RuleLister (tag the scenario @needs-%s)", w.tgt.Name(), target.RuleList)
	}
	return rl.ListRules(ctx)
}

// theRuleListShows waits until the engine's rule list holds every rule of
// the table (rule | status) with that status, each once. Rules of other
// scenarios may be listed too.
func theRuleListShows(ctx context.Context, table *godog.Table) error {
	w := worldFrom(ctx)
	if table == nil || len(table.Rows) < 2 {
		return errors.New("the step needs a table: a header (rule | status) and a row per rule")
	}
	want := map[string]string{}
	for i, row := range table.Rows[1:] {
		if len(row.Cells) != 2 {
			return fmt.Errorf("rule list table row %d: want 2 cells (rule | status), got %d", i+2, len(row.Cells))
		}
		want[w.unique(strings.TrimSpace(row.Cells[0].Value))] = strings.TrimSpace(row.Cells[1].Value)
	}
	return eventually(ctx, "the rule list showing "+fmt.Sprint(want), func(ctx context.Context) error {
		list, err := w.listRules(ctx)
		if err != nil {
			return err
		}
		seen := map[string]int{}
		for _, r := range list {
			st, ok := want[r.ID]
			if !ok {
				continue
			}
			seen[r.ID]++
			if r.Status != st {
				return fmt.Errorf("rule %s is listed with status %q, want %q: the list is %v", r.ID, r.Status, st, list)
			}
		}
		for id := range want {
			if seen[id] != 1 {
				return fmt.Errorf("rule %s is listed %d times, want once: the list is %v", id, seen[id], list)
			}
		}
		return nil
	})
}

func theRuleListDoesNotShow(ctx context.Context, name string) error {
	w := worldFrom(ctx)
	id := w.unique(name)
	return eventually(ctx, "the rule list without "+id, func(ctx context.Context) error {
		list, err := w.listRules(ctx)
		if err != nil {
			return err
		}
		for _, r := range list {
			if r.ID == id {
				return fmt.Errorf("rule %s is still listed: the list is %v", id, list)
			}
		}
		return nil
	})
}
