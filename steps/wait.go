package steps

import (
	"context"
	"fmt"
	"time"

	"github.com/wsconform/wsconform/steps/target"
)

// pollInterval is how often eventually and consistently look again.
const pollInterval = 20 * time.Millisecond

// eventually calls check until it succeeds or target.DefaultTimeout passes,
// and then returns check's last error, saying what was awaited. An attempt
// cut short by the deadline does not hide the error of the attempt before it,
// which tells what was wrong.
func eventually(ctx context.Context, what string, check func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	var last error
	for {
		err := check(ctx)
		if err == nil {
			return nil
		}
		if last == nil || ctx.Err() == nil {
			last = err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: still not after %v: %w", what, target.DefaultTimeout, last)
		case <-tick.C:
		}
	}
}

// consistently calls check until target.QuietWindow passes and fails on the
// first error: it proves that something does not happen.
func consistently(ctx context.Context, what string, check func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	window := time.NewTimer(target.QuietWindow)
	defer window.Stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		if err := check(ctx); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		select {
		case <-window.C:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case <-tick.C:
		}
	}
}
