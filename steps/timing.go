package steps

import (
	"context"
	"time"

	"github.com/cucumber/godog"

	"github.com/wsconform/wsconform/steps/results"
)

type startedKey struct{}

// timed wraps a scenario initializer so that coll learns how long each
// scenario ran, from before its target is made to after it is closed. godog
// hands formatters a concurrent scenario's events only when it has ended, so
// the collector cannot time it from them.
func timed(init func(*godog.ScenarioContext), coll *results.Collector) func(*godog.ScenarioContext) {
	return func(sc *godog.ScenarioContext) {
		sc.Before(func(ctx context.Context, _ *godog.Scenario) (context.Context, error) {
			return context.WithValue(ctx, startedKey{}, time.Now()), nil
		})
		init(sc)
		sc.After(func(ctx context.Context, s *godog.Scenario, _ error) (context.Context, error) {
			if t, ok := ctx.Value(startedKey{}).(time.Time); ok {
				coll.NoteDuration(s.Id, time.Since(t))
			}
			return ctx, nil
		})
	}
}
