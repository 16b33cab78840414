// Package specgen generates the ginkgo suite of the conformance features: one
// It per scenario (per Examples row of an outline), the scenario's Gherkin
// tags as ginkgo labels, each running that scenario through the step library.
// Generation fails, naming the step and its file:line, when a step matches no
// step definition or more than one.
package specgen

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cucumber/godog"

	"github.com/wsconform/wsconform/tools/featureset"
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

	fsys := os.DirFS(*dir)
	features, err := featureset.Load(fsys)
	if err != nil {
		fmt.Fprintf(stderr, "specgen: %v\n", err)
		return 1
	}
	if len(features) == 0 {
		fmt.Fprintf(stderr, "specgen: no *.feature file in %s\n", *dir)
		return 1
	}
	paths := make([]string, len(features))
	for i, f := range features {
		paths[i] = f.File
	}
	problems, err := CheckSteps(fsys, paths, init)
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
	if *check {
		have, err := os.ReadFile(*out)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(stderr, "specgen: %v\n", err)
			return 1
		}
		if !bytes.Equal(have, code) {
			fmt.Fprintf(stderr, "specgen: %s is stale: run make generate\n", *out)
			return 1
		}
		return 0
	}
	if err := os.WriteFile(*out, code, 0o644); err != nil {
		fmt.Fprintf(stderr, "specgen: %v\n", err)
		return 1
	}
	n := 0
	for _, f := range features {
		n += len(f.Scenarios)
	}
	fmt.Fprintf(stdout, "specgen: wrote %s (%d specs from %d features)\n", *out, n, len(features))
	return 0
}
