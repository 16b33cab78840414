package rest

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/wsconform/wsconform/steps/target"
)

var _ target.NopRuleCreator = (*restTarget)(nil)

// CreateNopRule posts a rule whose only action is a nop sink. Close deletes
// it like any rule the scenario made.
func (t *restTarget) CreateNopRule(ctx context.Context, id, sql string) (target.Rule, error) {
	if err := t.open(); err != nil {
		return nil, err
	}
	if err := t.refusedFor(sql); err != nil {
		return nil, fmt.Errorf("create rule %s: %w", id, err)
	}
	def := map[string]any{
		"id":      id,
		"sql":     sql,
		"actions": []map[string]any{{"nop": map[string]any{}}},
	}
	r := &rule{id: id, t: t, records: make(chan target.Record)}
	if _, err := t.d.client.do(ctx, http.MethodPost, "/rules", def); err != nil {
		var ae *APIError
		if !errors.As(err, &ae) {
			// The engine may have made the rule before the call failed.
			t.track(r)
		}
		return nil, fmt.Errorf("create rule %s: %w", id, err)
	}
	t.track(r)
	return r, nil
}
