package ref

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/wsconform/wsconform/impl/engine"
	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/steps/target/collect"
)

var (
	_ target.RuleJSONCreator = (*Target)(nil)
	_ target.RuleLister      = (*Target)(nil)
)

// CreateRuleJSON decodes def as the reference daemon's POST /rules decodes
// it (numbers kept exact) and creates the rule, its collect action replaced
// by a rest sink posting to a route of the target's collector.
func (t *Target) CreateRuleJSON(ctx context.Context, id string, def []byte) (target.Rule, error) {
	m, at, err := target.SplitCollect(def)
	if err != nil {
		return nil, fmt.Errorf("create rule %s: %w", id, err)
	}
	e, err := t.engine()
	if err != nil {
		return nil, err
	}
	var records <-chan target.Record = make(chan target.Record)
	if at >= 0 {
		coll, path, err := t.route()
		if err != nil {
			return nil, fmt.Errorf("create rule %s: %w", id, err)
		}
		header := map[string]string{RuleHeader: id, "Content-Type": "application/json"}
		rt, err := coll.AddRoute(path, collect.RouteOptions{Buffer: recordsBuffer, Header: header, Single: true})
		if err != nil {
			return nil, fmt.Errorf("create rule %s: %w", id, err)
		}
		records = rt.Records()
		r, err := t.createDecoded(ctx, e, id, m, at, rt.URL, records)
		if err != nil {
			coll.Remove(path)
		}
		return r, err
	}
	return t.createDecoded(ctx, e, id, def, -1, "", records)
}

// createDecoded creates the rule def (a decoded rule JSON object, or the
// bytes as given when at is -1), its action at replaced by a rest sink
// posting to url.
func (t *Target) createDecoded(ctx context.Context, e *engine.Engine, id string, def any, at int, url string, records <-chan target.Record) (target.Rule, error) {
	raw, _ := def.([]byte)
	if at >= 0 {
		m := def.(map[string]any)
		m["actions"].([]any)[at] = map[string]any{"rest": map[string]any{
			"url": url, "method": "post", "sendSingle": true,
			"headers": map[string]any{RuleHeader: id}, "timeout": sinkTimeout.Milliseconds(),
		}}
		var err error
		if raw, err = json.Marshal(m); err != nil {
			return nil, fmt.Errorf("create rule %s: %w", id, err)
		}
	}
	var rd engine.RuleDef
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&rd); err != nil {
		return nil, fmt.Errorf("create rule %s: invalid rule json: %w", id, err)
	}
	if err := e.CreateRule(ctx, rd); err != nil {
		return nil, err
	}
	return &rule{id: rd.ID, eng: e, records: records}, nil
}

// route returns the target's collector, made on first use, and a new path
// for a route on it.
func (t *Target) route() (*collect.Collector, string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.coll == nil {
		c, err := collect.New("127.0.0.1:0", "")
		if err != nil {
			return nil, "", err
		}
		t.coll = c
	}
	t.seq++
	return t.coll, fmt.Sprintf("/ref/%d", t.seq), nil
}

// ListRules lists the engine's rules, sorted by id.
func (t *Target) ListRules(ctx context.Context) ([]target.RuleSummary, error) {
	e, err := t.live(ctx)
	if err != nil {
		return nil, err
	}
	rules := e.Rules()
	out := make([]target.RuleSummary, len(rules))
	for i, r := range rules {
		out[i] = target.RuleSummary{ID: r.ID, Status: r.Status}
	}
	return out, nil
}
