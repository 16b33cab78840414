package steps

import (
	"context"
	"errors"
	"testing"

	"github.com/wsconform/wsconform/steps/target"
)

// statusRule is a rule whose status is fixed.
type statusRule struct {
	st  target.Status
	err error
}

func (r statusRule) ID() string                                    { return "r" }
func (r statusRule) Records() <-chan target.Record                 { return nil }
func (r statusRule) Status(context.Context) (target.Status, error) { return r.st, r.err }

// A step that waits for records in vain says what the rule's status holds
// against its sink and source.
func TestRuleExceptionsNameTheSinkAndSourceErrors(t *testing.T) {
	t.Parallel()
	r := statusRule{st: target.Status{State: "running", Metrics: map[string]any{
		"sink_rest_0_0_last_exception":  "rest sink POST http://127.0.0.1:1/r: connection refused",
		"source_s_0_last_exception":     "",
		"op_2_decoder_0_last_exception": "not a sink or source",
	}}}
	got := ruleExceptions(context.Background(), r)
	want := "; the rule's status shows sink_rest_0_0_last_exception: rest sink POST http://127.0.0.1:1/r: connection refused"
	if got != want {
		t.Errorf("ruleExceptions = %q, want %q", got, want)
	}
	if got := ruleExceptions(context.Background(), statusRule{err: errors.New("down")}); got != "" {
		t.Errorf("ruleExceptions of an unreadable status = %q, want nothing", got)
	}
}
