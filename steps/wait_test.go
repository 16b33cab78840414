package steps

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
)

// When the last attempt is cut short by the deadline, eventually reports the
// error of the attempt before it, which says what was wrong.
func TestEventuallyReportsTheLastRealMismatch(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	err := eventually(context.Background(), "the record", func(ctx context.Context) error {
		if calls.Add(1) == 1 {
			return errors.New(`got {"a":1}; want {"a":2}`)
		}
		<-ctx.Done()
		return ctx.Err()
	})
	if err == nil || !strings.Contains(err.Error(), `want {"a":2}`) {
		t.Fatalf("want the mismatch reported, got %v", err)
	}
}
