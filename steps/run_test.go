package steps_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/wsconform/wsconform/steps"
	"github.com/wsconform/wsconform/steps/results"
	"github.com/wsconform/wsconform/steps/target"
)

// limited is a target that lacks the data server lifecycle capability; the
// scenarios below never reach its other methods.
type limited struct{ target.Target }

func (limited) Name() string { return "limited" }
func (limited) Supports(c target.Capability) (bool, string) {
	if c == target.DataServerLifecycle {
		return false, "its data server is shared"
	}
	return true, ""
}
func (limited) Close() error { return nil }

const skipFeature = `Feature: Skips
  A scenario needing a capability the target lacks is skipped.

  @lifecycle @must @needs-lifecycle
  Scenario: Needs the lifecycle
    A rule.

    Given a server-mode stream "demo" on "/api/data"
    Then the data server port is closed
`

func TestScenarioNeedingAMissingCapabilityIsSkippedWithItsReason(t *testing.T) {
	report := filepath.Join(t.TempDir(), "cucumber.json")
	status := steps.Run(steps.Options{
		Factory: func(context.Context) (target.Target, error) { return limited{}, nil },
		FS:      fstest.MapFS{"skip.feature": {Data: []byte(skipFeature)}},
		Format:  "cucumber:" + report,
		Output:  io.Discard,
	})
	if status != 0 {
		t.Fatalf("a skipped scenario failed the run: status %d", status)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if strings.Contains(text, `"passed"`) || strings.Count(text, `"skipped"`) != 2 {
		t.Errorf("want both steps skipped, got report:\n%s", text)
	}
	reason := base64.StdEncoding.EncodeToString([]byte(`limited needs "lifecycle": its data server is shared`))
	if !strings.Contains(text, reason) || !strings.Contains(text, `"skip-reason"`) {
		t.Errorf("the report does not carry the skip reason; report:\n%s", text)
	}
}

func TestTheCollectorGetsTheSkipReason(t *testing.T) {
	collector := results.NewCollector()
	status := steps.Run(steps.Options{
		Factory:   func(context.Context) (target.Target, error) { return limited{}, nil },
		FS:        fstest.MapFS{"skip.feature": {Data: []byte(skipFeature)}},
		Collector: collector,
		Output:    io.Discard,
	})
	if status != 0 {
		t.Fatalf("a skipped scenario failed the run: status %d", status)
	}
	outcomes := collector.Outcomes()
	if len(outcomes) != 1 {
		t.Fatalf("want 1 outcome, got %+v", outcomes)
	}
	o := outcomes[0]
	if o.Status != results.Skipped || !strings.Contains(o.Reason, "its data server is shared") {
		t.Errorf("want skipped with the target's reason, got status %q reason %q", o.Status, o.Reason)
	}
}

func TestATargetThatCannotStartFailsTheScenario(t *testing.T) {
	status := steps.Run(steps.Options{
		Factory: func(context.Context) (target.Target, error) { return nil, errors.New("engine unavailable") },
		FS:      fstest.MapFS{"skip.feature": {Data: []byte(skipFeature)}},
		Output:  io.Discard,
	})
	if status == 0 {
		t.Fatal("a scenario whose target could not be made passed")
	}
}

func TestUndefinedStepsFailTheRun(t *testing.T) {
	status := steps.Run(steps.Options{
		Factory: func(context.Context) (target.Target, error) { return limited{}, nil },
		FS: fstest.MapFS{"undefined.feature": {Data: []byte(`Feature: Undefined
  Scenario: A step nobody wrote
    Given a step nobody wrote
`)}},
		Output: io.Discard,
	})
	if status == 0 {
		t.Fatal("an undefined step passed the run; Run must be strict")
	}
}
