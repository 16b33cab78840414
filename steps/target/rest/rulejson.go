package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/steps/target/collect"
)

var (
	_ target.RuleJSONCreator = (*restTarget)(nil)
	_ target.RuleLister      = (*restTarget)(nil)
)

// CreateRuleJSON posts def to /rules, its collect action replaced by a rest
// sink posting to a new collector route. Close deletes the rule like any
// rule the scenario made.
func (t *restTarget) CreateRuleJSON(ctx context.Context, id string, def []byte) (target.Rule, error) {
	if err := t.open(); err != nil {
		return nil, err
	}
	m, at, err := target.SplitCollect(def)
	if err != nil {
		return nil, fmt.Errorf("create rule %s: %w", id, err)
	}
	if sql, ok := m["sql"].(string); ok {
		if err := t.refusedFor(sql); err != nil {
			return nil, fmt.Errorf("create rule %s: %w", id, err)
		}
	}
	var body any = json.RawMessage(def)
	r := &rule{id: id, t: t, records: make(chan target.Record)}
	if at >= 0 {
		path := fmt.Sprintf("/r/%s/%d", seg(id), t.d.nextSeq())
		rt, err := t.d.coll.Add(path)
		if err != nil {
			return nil, fmt.Errorf("create rule %s: %w", id, err)
		}
		t.mu.Lock()
		t.routes = append(t.routes, path)
		t.mu.Unlock()
		m["actions"].([]any)[at] = map[string]any{"rest": map[string]any{"url": rt.URL, "method": "post", "sendSingle": true}}
		body, r.records = m, rt.Records()
	}
	if _, err := t.d.client.do(ctx, http.MethodPost, "/rules", body); err != nil {
		var ae *APIError
		if !errors.As(err, &ae) && id != "" {
			// The engine may have made the rule before the call failed.
			t.track(r)
		}
		return nil, fmt.Errorf("create rule %s: %w", id, err)
	}
	if id != "" {
		t.track(r)
	}
	return r, nil
}

// ListRules fetches GET /rules: a JSON list of objects with at least "id"
// and "status".
func (t *restTarget) ListRules(ctx context.Context) ([]target.RuleSummary, error) {
	if err := t.open(); err != nil {
		return nil, err
	}
	body, err := t.d.client.do(ctx, http.MethodGet, "/rules", nil)
	if err != nil {
		return nil, fmt.Errorf("list rules: %w", err)
	}
	var list []struct {
		ID     *string `json:"id"`
		Status *string `json:"status"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&list); err != nil {
		return nil, fmt.Errorf("list rules: want a JSON list of rules, got %q: %w", collect.Preview(body), err)
	}
	out := make([]target.RuleSummary, len(list))
	for i, r := range list {
		if r.ID == nil || r.Status == nil {
			return nil, fmt.Errorf("list rules: entry %d has no \"id\" or no \"status\": %q", i, collect.Preview(body))
		}
		out[i] = target.RuleSummary{ID: *r.ID, Status: *r.Status}
	}
	return out, nil
}
