// Package specs_test runs every conformance scenario as a ginkgo spec against
// the in-process reference target. The specs are generated from the features
// by tools/specgen (zz_generated_specs_test.go); the scenario's Gherkin tags
// are its labels, so
//
//	go run github.com/onsi/ginkgo/v2/ginkgo --label-filter='tls && !extension' ./steps/specs
//
// runs the TLS scenarios of level must and should.
package specs_test

import (
	"fmt"
	"io/fs"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/goleak"

	"github.com/wsconform/wsconform/features"
	"github.com/wsconform/wsconform/steps"
	"github.com/wsconform/wsconform/steps/featureset"
	"github.com/wsconform/wsconform/steps/results"
	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/steps/target/ref"
)

func TestSpecs(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(),
		goleak.IgnoreTopFunction("github.com/onsi/ginkgo/v2/internal/interrupt_handler.(*InterruptHandler).registerForInterrupts.func2"))
	RegisterFailHandler(Fail)
	RunSpecs(t, "conformance scenarios against the reference target")
}

// runScenario runs the scenario of file at line (when rowLine is not zero,
// only its Examples row at rowLine) against a fresh reference target. It fails
// the spec when the scenario fails, and skips the spec when the scenario was
// skipped: a skipped scenario never counts as passed.
func runScenario(file string, line, rowLine int) {
	GinkgoHelper()
	o, status := scenario(ref.Factory(ref.Options{}), file, line, rowLine)
	switch o.Status {
	case results.Failed:
		Fail(fmt.Sprintf("%s failed at %q (%s:%d):\n%s", o.Location(), o.Step, o.File, o.StepLine, o.Error))
	case results.Skipped:
		Expect(status).To(Equal(0), "a skipped scenario must not fail the run")
		Skip(skipReason(o))
	}
	Expect(status).To(Equal(0), "godog exit status")
}

// scenario runs one scenario (or one Examples row) against factory's target
// and returns its outcome and godog's exit status.
func scenario(factory target.Factory, file string, line, rowLine int) (results.Outcome, int) {
	GinkgoHelper()
	var fsys fs.FS = features.FS
	if rowLine > 0 {
		var err error
		fsys, err = featureset.SelectRow(features.FS, file, line, rowLine)
		Expect(err).NotTo(HaveOccurred())
	}
	collector := results.NewCollector()
	status := steps.Run(steps.Options{
		Factory:     factory,
		Paths:       []string{fmt.Sprintf("%s:%d", file, line)},
		FS:          fsys,
		Collector:   collector,
		Format:      "progress",
		Output:      GinkgoWriter,
		Concurrency: 1,
	})
	outcomes := collector.Outcomes()
	Expect(outcomes).To(HaveLen(1), "godog ran %d scenarios for %s:%d", len(outcomes), file, line)
	return outcomes[0], status
}

// skipReason says why the scenario was skipped, as the run recorded it, or
// where it stopped.
func skipReason(o results.Outcome) string {
	if o.Reason != "" {
		return fmt.Sprintf("%s: %s", o.Location(), o.Reason)
	}
	return fmt.Sprintf("%s: skipped at %q", o.Location(), o.Step)
}
