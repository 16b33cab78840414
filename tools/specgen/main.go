// Command specgen generates the ginkgo suite steps/specs/zz_generated_specs_test.go
// from features/*.feature: one It per scenario (per Examples row of an
// outline), the scenario's Gherkin tags as ginkgo labels, each running that
// scenario through the step library against the reference target.
//
// It fails, naming the step and its file:line, when a step matches no step
// definition or more than one. With -check it writes nothing and exits 1 when
// the generated file is stale.
//
//	go run ./tools/specgen [-features features] [-out steps/specs/zz_generated_specs_test.go] [-check]
package main

import (
	"context"
	"errors"
	"os"

	"github.com/wsconform/wsconform/steps"
	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/tools/internal/specgen"
)

func main() {
	os.Exit(specgen.Run(os.Args[1:], os.Stdout, os.Stderr, steps.InitializeScenario(noTarget)))
}

// noTarget is the factory of the dry run: no step definition runs, so no
// target is ever needed.
func noTarget(context.Context) (target.Target, error) {
	return nil, errors.New("specgen dry run: no target")
}
