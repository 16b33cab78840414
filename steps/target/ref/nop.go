package ref

import (
	"context"
	"fmt"

	"github.com/wsconform/wsconform/impl/engine"
	"github.com/wsconform/wsconform/steps/target"
)

var _ target.NopRuleCreator = (*Target)(nil)

// CreateNopRule creates and starts a rule whose records go to a nop sink.
func (t *Target) CreateNopRule(ctx context.Context, id, sql string) (target.Rule, error) {
	e, err := t.engine()
	if err != nil {
		return nil, err
	}
	def := engine.RuleDef{ID: id, SQL: sql, Actions: []map[string]map[string]any{{"nop": {}}}}
	if err := e.CreateRule(ctx, def); err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed || t.eng != e {
		return nil, fmt.Errorf("create rule %s: %w", id, errClosed)
	}
	return &rule{id: id, eng: e, records: make(chan target.Record)}, nil
}
