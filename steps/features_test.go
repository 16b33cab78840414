package steps_test

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/cucumber/godog"
	"github.com/spf13/pflag"
	"go.uber.org/goleak"

	"github.com/wsconform/wsconform/steps"
	"github.com/wsconform/wsconform/steps/target/ref"
)

// godogOpts holds the suite's command-line flags, bound under the "godog."
// prefix (two dashes): go test ./steps -run TestFeatures --godog.tags="@tls and not @extension"
// (the tag expressions of wsconform run --tags).
var godogOpts = godog.Options{Format: "progress"}

func init() {
	godog.BindCommandLineFlags("godog.", &godogOpts)
}

func TestMain(m *testing.M) {
	pflag.Parse()
	// pflag leaves the testing package's -test.* flags alone: parse them too.
	if err := pflag.ParseSkippedFlags(os.Args[1:], flag.CommandLine); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	godogOpts.Paths = pflag.Args()
	goleak.VerifyTestMain(m)
}

// TestFeatures runs every feature against the in-process reference engine,
// each scenario as a subtest.
func TestFeatures(t *testing.T) {
	status := steps.Run(steps.Options{
		Factory:     ref.Factory(ref.Options{}),
		Tags:        godogOpts.Tags,
		Format:      godogOpts.Format,
		Concurrency: flagConcurrency(),
		Paths:       godogOpts.Paths,
		TestingT:    t,
		Randomize:   godogOpts.Randomize,
		Output:      os.Stdout,
	})
	if status != 0 {
		t.Fatalf("the features failed against the reference engine (godog status %d)", status)
	}
}

// flagConcurrency is the -godog.concurrency flag, or 0 (Run's default) when
// it was not given.
func flagConcurrency() int {
	if f := pflag.Lookup("godog.concurrency"); f != nil && f.Changed {
		return godogOpts.Concurrency
	}
	return 0
}
