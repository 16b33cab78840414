// Package specgen generates the ginkgo suite of the conformance features: one
// It per scenario (per Examples row of an outline), the scenario's Gherkin
// tags as ginkgo labels, each running that scenario through the step library.
// Generation fails, naming the step and its file:line, when a step matches no
// step definition or more than one.
package specgen

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cucumber/godog"

	"github.com/wsconform/wsconform/steps/featureset"
	"github.com/wsconform/wsconform/tools/internal/genfile"
)

// Run is the specgen command: args are its flags; init registers the step
// library the features are checked against. It returns the exit status.
func Run(args []string, stdout, stderr io.Writer, init func(*godog.ScenarioContext)) int {
	fl := flag.NewFlagSet("specgen", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("features", "features", "directory holding the *.feature files")
	out := fl.String("out", filepath.Join("steps", "specs", "zz_generated_specs_test.go"), "generated Go file")
	check := fl.Bool("check", false, "write nothing; exit 1 when the generated file is stale or a step is undefined")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "specgen: unexpected arguments %q\n", fl.Args())
		return 2
	}

	features, err := featureset.LoadDir(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "specgen: %v\n", err)
		return 1
	}
	paths := make([]string, len(features))
	for i, f := range features {
		paths[i] = f.File
	}
	problems, err := CheckSteps(os.DirFS(*dir), paths, init)
	if err != nil {
		fmt.Fprintf(stderr, "specgen: %v\n", err)
		return 1
	}
	if len(problems) > 0 {
		for _, p := range problems {
			p.Location = filepath.Join(*dir, p.Location)
			fmt.Fprintf(stderr, "specgen: %s\n", p)
		}
		fmt.Fprintf(stderr, "specgen: %d step(s) undefined or ambiguous\n", len(problems))
		return 1
	}

	code, err := Generate(features, filepath.ToSlash(filepath.Join(*dir, "*.feature")))
	if err != nil {
		fmt.Fprintf(stderr, "specgen: %v\n", err)
		return 1
	}
	if err := genfile.Update(*out, code, *check); err != nil {
		fmt.Fprintf(stderr, "specgen: %v\n", err)
		return 1
	}
	if *check {
		return 0
	}
	n := 0
	for _, f := range features {
		n += len(f.Scenarios)
	}
	fmt.Fprintf(stdout, "specgen: wrote %s (%d specs from %d features)\n", *out, n, len(features))
	return 0
}
