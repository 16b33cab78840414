package steps_test

import (
	"context"
	"testing"

	"github.com/wsconform/wsconform/steps"
	"github.com/wsconform/wsconform/steps/target"
)

// newMyEngineTarget would start the engine under test and return its
// target.Target implementation.
func newMyEngineTarget(ctx context.Context) (target.Target, error) {
	return nil, target.ErrUnsupported
}

// An engine written in Go runs the whole suite from its own test by
// implementing target.Target and passing a Factory to Run; each scenario
// becomes a subtest, and scenarios needing a capability the engine lacks are
// skipped with the reason its Supports gives.
func ExampleRun() {
	var t *testing.T // from func TestConformance(t *testing.T)
	status := steps.Run(steps.Options{
		Factory:  newMyEngineTarget,
		Tags:     "~@extension", // documented and observed eKuiper behaviour only
		TestingT: t,
	})
	if status != 0 {
		t.Fatal("the engine does not conform")
	}
}
