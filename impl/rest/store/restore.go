package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/wsconform/wsconform/impl/engine"
)

// Restore recreates st in e: confKeys first, then streams, then rules, each
// group in name order. Rules whose Triggered flag is false are created stopped
// and never start. Restore goes on past a failing item and returns every
// failure joined.
func Restore(ctx context.Context, e *engine.Engine, st State) error {
	var errs []error
	for _, name := range sortedKeys(st.ConfKeys) {
		props := st.ConfKeys[name]
		if props == nil {
			if err := e.DeleteConfKey(name); err != nil && !errors.Is(err, engine.ErrNotFound) {
				errs = append(errs, fmt.Errorf("restore: delete confKey %q: %w", name, err))
			}
			continue
		}
		if err := e.PutConfKey(name, props); err != nil {
			errs = append(errs, fmt.Errorf("restore: confKey %q: %w", name, err))
		}
	}
	for _, name := range sortedKeys(st.Streams) {
		if _, err := e.CreateStream(st.Streams[name]); err != nil {
			errs = append(errs, fmt.Errorf("restore: stream %q: %w", name, err))
		}
	}
	for _, id := range sortedKeys(st.Rules) {
		r := st.Rules[id]
		def := engine.RuleDef{ID: r.ID, SQL: r.SQL, Actions: r.Actions, Triggered: &r.Triggered}
		if err := e.CreateRule(ctx, def); err != nil {
			errs = append(errs, fmt.Errorf("restore: rule %q: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
