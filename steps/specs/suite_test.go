// Package specs_test runs every conformance scenario as a ginkgo spec against
// the in-process reference target. The specs are generated from the features
// by tools/specgen (zz_generated_specs_test.go); the scenario's Gherkin tags
// are its labels. WSCONFORM_TAGS selects them with the tag expressions of
// wsconform run --tags (featureset.ParseTags), so
//
//	WSCONFORM_TAGS='@tls and not @extension' go tool ginkgo ./steps/specs
//
// runs the TLS scenarios of level must and should; ginkgo's own
// --label-filter='tls && !extension' does the same, and both may be given.
package specs_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
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
	suiteConfig, reporterConfig := GinkgoConfiguration()
	filter, err := labelFilter(os.Getenv(envTags), suiteConfig.LabelFilter)
	if err != nil {
		t.Fatal(err)
	}
	suiteConfig.LabelFilter = filter
	RunSpecs(t, "conformance scenarios against the reference target", suiteConfig, reporterConfig)
}

// envTags holds a tag expression selecting the specs.
const envTags = "WSCONFORM_TAGS"

// labelFilter returns the ginkgo label filter that selects what the tag
// expression tags selects, and what the label filter given selects too.
func labelFilter(tags, given string) (string, error) {
	if strings.TrimSpace(tags) == "" {
		return given, nil
	}
	expr, err := featureset.ParseTags(tags)
	if err != nil {
		var te *featureset.TagExprError
		if errors.As(err, &te) {
			return "", fmt.Errorf("%s: %w\n%s", envTags, err, te.Where())
		}
		return "", fmt.Errorf("%s: %w", envTags, err)
	}
	filter := expr.LabelFilter()
	if given != "" {
		filter = "(" + given + ") && " + filter
	}
	return filter, nil
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
