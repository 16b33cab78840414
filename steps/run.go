// Package steps is the conformance suite's step library: the godog step
// definitions that drive an engine under test through target.Target and the
// suite's own peers, and Run, which runs the features against a target.
package steps

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/cucumber/godog"

	"github.com/wsconform/wsconform/features"
	"github.com/wsconform/wsconform/steps/featureset"
	"github.com/wsconform/wsconform/steps/results"
	"github.com/wsconform/wsconform/steps/target"
)

// Options configure Run. Only Factory is required.
type Options struct {
	// Factory makes the target of each scenario.
	Factory target.Factory
	// Tags is a tag expression selecting scenarios (featureset.ParseTags):
	// Cucumber's syntax, e.g. "@tls and not @extension", or godog's older
	// one, e.g. "@tls && ~@extension". Empty runs every scenario. With
	// Paths, the scenarios both select.
	Tags string
	// Format is a godog format list, e.g. "pretty" or
	// "progress,junit:reports/junit.xml,cucumber:reports/cucumber.json".
	// Empty means "progress".
	Format string
	// Output receives the formatters' output that names no file. Nil means
	// os.Stdout.
	Output io.Writer
	// Concurrency is how many scenarios run at once. Zero means four per CPU:
	// scenarios mostly wait on sockets.
	Concurrency int
	// Paths are feature paths inside FS; "name.feature:LINE" selects the
	// scenario at that line. Empty means every feature of FS.
	Paths []string
	// FS holds the features. Nil means features.FS.
	FS fs.FS
	// TestingT, when set, reports each scenario as a subtest of it once the
	// run is over: a failed scenario fails its subtest with the failing step
	// and error, a skipped one skips it with the reason.
	TestingT *testing.T
	// Collector, when set, receives every scenario's outcome, skip reasons
	// included.
	Collector *results.Collector
	// Randomize shuffles the scenarios with this seed when non-zero; -1
	// picks a seed.
	Randomize int64
}

// Run runs the features against opts.Factory's targets and returns godog's
// exit status: 0 when every selected scenario passed or was skipped, non-zero
// otherwise. Undefined, pending and ambiguous steps fail the run. A scenario
// tagged @needs-<capability> whose target lacks the capability is skipped,
// and the reason is logged.
func Run(opts Options) int {
	if opts.Factory == nil {
		fmt.Fprintln(os.Stderr, "steps.Run: Options.Factory is nil")
		return 2
	}
	fsys := opts.FS
	if fsys == nil {
		fsys = features.FS
	}
	paths := opts.Paths
	if strings.TrimSpace(opts.Tags) != "" {
		sel, err := selectByTags(fsys, opts.Tags, paths)
		if err != nil {
			fmt.Fprintf(os.Stderr, "steps.Run: %v\n", err)
			return 2
		}
		if len(sel.Paths) == 0 {
			noteToStderr("steps.Run: no scenario is selected by tags %q", opts.Tags)
			if opts.TestingT != nil {
				reportSubtests(opts.TestingT, nil)
			}
			return 0
		}
		fsys, paths = sel.FS, sel.Paths
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	format := opts.Format
	if format == "" {
		format = "progress"
	}
	out := opts.Output
	if out == nil {
		out = os.Stdout
	}
	conc := opts.Concurrency
	if conc <= 0 {
		conc = 4 * runtime.NumCPU()
	}
	coll := opts.Collector
	if coll == nil && opts.TestingT != nil {
		coll = results.NewCollector()
	}
	if coll != nil {
		format += "," + coll.Format()
	}
	onSkip := func(s *godog.Scenario, reason string) {
		noteToStderr("SKIP %s (%s): %s", s.Name, s.Uri, reason)
		if coll != nil {
			coll.NoteSkip(s.Id, reason)
		}
	}
	init := initializer(opts.Factory, onSkip)
	if coll != nil {
		init = timed(init, coll)
	}
	suite := godog.TestSuite{
		Name:                "wsconform",
		ScenarioInitializer: init,
		Options: &godog.Options{
			Strict:      true,
			Format:      format,
			Output:      out,
			NoColors:    !isTerminal(out),
			Concurrency: conc,
			Paths:       paths,
			FS:          fsys,
			Randomize:   opts.Randomize,
		},
	}
	if coll != nil {
		coll.SetTotal(countPickles(suite))
	}
	status := suite.Run()
	if opts.TestingT != nil {
		reportSubtests(opts.TestingT, coll.Outcomes())
	}
	return status
}

// selectByTags returns the Selection of the scenarios of fsys that the tag
// expression selects, among those paths name ("file" or "file:line"; none
// or "." is every feature).
func selectByTags(fsys fs.FS, tags string, paths []string) (featureset.Selection, error) {
	expr, err := featureset.ParseTags(tags)
	if err != nil {
		return featureset.Selection{}, err
	}
	in := map[string]bool{} // by Location; nil: every scenario
	if len(paths) > 0 && !(len(paths) == 1 && paths[0] == ".") {
		feats, err := featureset.Load(fsys)
		if err != nil {
			return featureset.Selection{}, err
		}
		for _, p := range paths {
			found, err := featureset.FindLocation(feats, p)
			if err != nil {
				return featureset.Selection{}, err
			}
			for _, s := range found {
				in[s.Location()] = true
			}
		}
	} else {
		in = nil
	}
	return featureset.Choose(fsys, func(s featureset.Scenario) bool {
		return (in == nil || in[s.Location()]) && expr.Match(s.Tags)
	})
}

// countPickles is how many scenarios (Examples rows counted one by one) the
// suite will run; 0 when the features cannot be read (the run then says why).
func countPickles(suite godog.TestSuite) int {
	feats, err := suite.RetrieveFeatures()
	if err != nil {
		return 0
	}
	n := 0
	for _, f := range feats {
		n += len(f.Pickles)
	}
	return n
}

// reportSubtests makes one subtest per scenario outcome, so that go test shows
// a skipped scenario as skipped, never as passed.
func reportSubtests(t *testing.T, outcomes []results.Outcome) {
	for _, o := range outcomes {
		t.Run(o.Name, func(t *testing.T) {
			switch o.Status {
			case results.Failed:
				t.Errorf("%s: step %q (line %d) failed:\n%s", o.Location(), o.Step, o.StepLine, o.Error)
			case results.Skipped:
				reason := o.Reason
				if reason == "" {
					reason = fmt.Sprintf("skipped at step %q", o.Step)
				}
				t.Skipf("%s: %s", o.Location(), reason)
			}
		})
	}
}

// isTerminal tells whether w is a character device, where colours help.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

var stderrMu sync.Mutex

// noteToStderr prints a note about a scenario on one line of standard error,
// away from the formatters' output.
func noteToStderr(format string, args ...any) {
	stderrMu.Lock()
	defer stderrMu.Unlock()
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}

// InitializeScenario returns a godog scenario initializer that registers the
// suite's steps and hooks, with targets made by f. Use it to run the features
// from a godog.TestSuite of one's own; Run uses it too.
func InitializeScenario(f target.Factory) func(*godog.ScenarioContext) {
	return initializer(f, func(s *godog.Scenario, reason string) {
		noteToStderr("SKIP %s (%s): %s", s.Name, s.Uri, reason)
	})
}

// skipAttachment names the attachment that records why a scenario was skipped
// (it appears as an embedding of the first step in cucumber JSON reports).
const skipAttachment = "skip-reason"

type skipNoted struct{}

func initializer(f target.Factory, onSkip func(s *godog.Scenario, reason string)) func(*godog.ScenarioContext) {
	return func(sc *godog.ScenarioContext) {
		sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
			w, err := newWorld(f)
			if err != nil {
				return ctx, err
			}
			ctx = context.WithValue(ctx, worldKey{}, w)
			if err := w.begin(ctx, s); err != nil {
				if w.skip != "" {
					onSkip(s, w.skip)
				}
				return ctx, err
			}
			return ctx, nil
		})
		// A skipped scenario's reason is attached to its first step, so that
		// reports show it next to the "skipped" status.
		sc.StepContext().After(func(ctx context.Context, _ *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
			w, _ := ctx.Value(worldKey{}).(*World)
			if w == nil || w.skip == "" || status != godog.StepSkipped || ctx.Value(skipNoted{}) != nil {
				return ctx, nil
			}
			ctx = context.WithValue(ctx, skipNoted{}, true)
			return godog.Attach(ctx, godog.Attachment{FileName: skipAttachment, MediaType: "text/plain", Body: []byte(w.skip)}), nil
		})
		sc.After(func(ctx context.Context, _ *godog.Scenario, _ error) (context.Context, error) {
			w, _ := ctx.Value(worldKey{}).(*World)
			if w == nil {
				return ctx, nil
			}
			return ctx, w.end()
		})
		engineSteps(sc)
		remoteSteps(sc)
		clientSteps(sc)
		recordSteps(sc)
		hostileSteps(sc)
		faultSteps(sc)
		engineRuleSteps(sc)
		ddlSteps(sc)
		connSteps(sc)
		configSteps(sc)
		decodeSteps(sc)
		sinkSteps(sc)
	}
}
