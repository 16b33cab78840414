package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"

	"github.com/wsconform/wsconform/features"
	"github.com/wsconform/wsconform/steps"
	"github.com/wsconform/wsconform/steps/featureset"
	"github.com/wsconform/wsconform/steps/results"
	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/steps/target/ref"
	restt "github.com/wsconform/wsconform/steps/target/rest"
	"github.com/wsconform/wsconform/tools/internal/expectations"
	"github.com/wsconform/wsconform/tools/internal/junit"
	"github.com/wsconform/wsconform/tools/internal/redact"
	"github.com/wsconform/wsconform/tools/internal/report"
)

// capabilities the suite may need, by the tag that says so.
var capabilities = []target.Capability{target.ServerTLS, target.ServerClientAuth, target.DataServerLifecycle, target.MessageLimit, target.DataServerLimits, target.EngineFiles}

type runFlags struct {
	// tmpRoot holds the run's temporary files ("": the system's temporary
	// directory); not a flag.
	tmpRoot     string
	target      string
	rest        restt.Options
	tags        string
	ids         []string
	locations   []string
	rerunFailed string
	expect      string
	format      string
	reportDir   string
	concurrency int
}

// idList is the value of --id: scenario or row ids, comma separated, the
// flag repeatable.
type idList struct{ ids *[]string }

func (l idList) String() string {
	if l.ids == nil {
		return ""
	}
	return strings.Join(*l.ids, ",")
}

func (l idList) Set(v string) error {
	for _, id := range strings.Split(v, ",") {
		if id = strings.TrimSpace(id); id != "" {
			*l.ids = append(*l.ids, id)
		}
	}
	return nil
}

func parseRunFlags(args []string, stderr io.Writer) (runFlags, error) {
	env := restt.OptionsFromEnv()
	var f runFlags
	fl := flag.NewFlagSet("wsconform run", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.StringVar(&f.target, "target", "ref", "engine under test: ref (the embedded reference implementation) or rest (an engine with an eKuiper-compatible REST API)")
	fl.StringVar(&f.rest.RestURL, "rest-url", env.RestURL, "rest target: the engine's REST API base URL (default "+restt.DefaultRestURL+"; env "+restt.EnvRestURL+")")
	fl.StringVar(&f.rest.DataURL, "data-url", env.DataURL, "rest target: the engine's data server, ws://host:port or wss://host:port (default "+restt.DefaultDataURL+"; env "+restt.EnvDataURL+")")
	fl.StringVar(&f.rest.CAFile, "ca", env.CAFile, "rest target: PEM file of the CA to trust for a wss data server (env "+restt.EnvCA+")")
	fl.StringVar(&f.rest.CollectorAddr, "collector", env.CollectorAddr, "rest target: host:port the record collector listens on (default "+restt.DefaultCollectorAddr+"; env "+restt.EnvCollector+")")
	fl.StringVar(&f.rest.CollectorURL, "collector-url", env.CollectorURL, "rest target: base URL the engine posts records to, when it reaches the collector under another name (env "+restt.EnvCollectorURL+")")
	fl.BoolVar(&f.rest.Exclusive, "exclusive", env.Exclusive, "rest target: the engine serves only this run (start a fresh engine for it): scenarios run one at a time "+
		"(--concurrency is forced to 1), each one checks that the engine holds no rule when it starts, and the @needs-lifecycle scenarios run (env "+restt.EnvExclusive+"=1)")
	fl.StringVar(&f.tags, "tags", "", tagsHelp)
	fl.Var(idList{&f.ids}, "id", "run only these scenarios: scenario ids or Examples row ids (<id>/<n>), comma separated (wsconform list shows them; "+
		"ids and locations FILE.feature:LINE, the line of a scenario or of an Examples row, may also be given as arguments); with --tags, the scenarios both select")
	fl.StringVar(&f.rerunFailed, "rerun-failed", "", "`summary.json` of an earlier run (reports/summary.json): run the scenarios that failed in it")
	fl.StringVar(&f.expect, "expect", "", "expectations file (YAML: engine, and per scenario id the outcome and reason): the run passes when every outcome is the "+
		"expected one; an outcome that differs is run again alone, and is flaky if it then matches (see fixtures/expectations/README.md)")
	fl.StringVar(&f.format, "format", "progress", "godog formats, comma separated; NAME writes to stdout, NAME:FILE to a file, e.g. pretty,junit:out.xml")
	fl.StringVar(&f.reportDir, "report", "reports", "directory for junit.xml, cucumber.json, report.md, report.html and, with --expect, expectations.json")
	fl.IntVar(&f.concurrency, "concurrency", 0, "scenarios run at once (0: the step library's default; 1 with --exclusive)")
	if v := os.Getenv(restt.EnvExclusive); v != "" {
		if _, err := strconv.ParseBool(v); err != nil {
			return f, fmt.Errorf("%s=%q: want 1, true, 0 or false", restt.EnvExclusive, v)
		}
	}
	// Arguments are scenario ids and locations; flags may come before,
	// between and after them.
	c := choice{ids: f.ids}
	for rest := args; ; {
		if err := fl.Parse(rest); err != nil {
			return f, err
		}
		rest = fl.Args()
		if len(rest) == 0 {
			break
		}
		// In the order given: --id and ids as arguments add to f.ids.
		c.ids = f.ids
		c.addArg(rest[0])
		f.ids = c.ids
		rest = rest[1:]
	}
	f.locations = c.locations
	if f.target != "ref" && f.target != "rest" {
		return f, fmt.Errorf("--target %q: want ref or rest", f.target)
	}
	if f.concurrency < 0 {
		return f, fmt.Errorf("--concurrency %d: want 0 or more", f.concurrency)
	}
	if f.reportDir == "" {
		return f, errors.New("--report: empty directory")
	}
	if f.target == "rest" && f.rest.Exclusive && f.concurrency != 1 {
		if f.concurrency > 1 {
			fmt.Fprintf(stderr, "wsconform run: --exclusive runs one scenario at a time; --concurrency %d becomes 1\n", f.concurrency)
		}
		f.concurrency = 1
	}
	return f, nil
}

// plan is what a run needs besides its target, checked before the target
// is made: an error here is wrong usage (exit 2).
type plan struct {
	formats  []format
	features []featureset.Feature
	// selection runs the scenarios that --tags, --id, the locations and
	// --rerun-failed choose; it may hold none.
	selection *featureset.Selection
	// nothingFailed says that --rerun-failed named a summary in which no
	// scenario failed: there is nothing to run.
	nothingFailed bool
	// expect is the --expect file, nil without one.
	expect *expectations.File
}

// prepare reads what f names: the formats, the tag expression, the
// scenarios of --id, the locations and --rerun-failed, and the expectations
// file, which must name only scenarios of the suite.
func prepare(f runFlags) (plan, error) {
	var p plan
	var err error
	if p.formats, err = parseFormats(f.format); err != nil {
		return p, err
	}
	if p.features, err = featureset.Load(features.FS); err != nil {
		return p, err
	}
	c := choice{tags: f.tags, ids: f.ids, locations: f.locations}
	if f.rerunFailed != "" {
		ids, locs, err := failedInSummary(f.rerunFailed)
		if err != nil {
			return p, err
		}
		if len(ids)+len(locs) == 0 {
			p.nothingFailed = true
		}
		c.ids, c.locations = append(c.ids, ids...), append(c.locations, locs...)
	}
	sel, err := c.selection(features.FS)
	if err != nil {
		return p, errors.New(selectionError(err))
	}
	p.selection = &sel
	if f.expect != "" {
		if p.expect, err = expectations.Load(f.expect); err != nil {
			return p, err
		}
		if err := p.expect.Check(p.features); err != nil {
			return p, err
		}
	}
	return p, nil
}

// formatNames are the godog formats --format accepts, sorted.
func formatNames() []string {
	var names []string
	for name := range godog.AvailableFormatters() {
		if !strings.HasPrefix(name, "wsconform-") { // the outcome collectors
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// format is one godog format of --format.
type format struct{ name, file string }

func parseFormats(s string) ([]format, error) {
	var out []format
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, file, _ := strings.Cut(part, ":")
		if name == "" {
			return nil, fmt.Errorf("--format %q: empty format name", s)
		}
		if _, ok := godog.AvailableFormatters()[name]; !ok {
			return nil, fmt.Errorf("--format %q: unknown format %q; want one of %s", s, name, strings.Join(formatNames(), ", "))
		}
		out = append(out, format{name: name, file: file})
	}
	return out, nil
}

func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, err := parseRunFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "wsconform run: %v\n", err)
		}
		return parseStatus(err)
	}
	p, err := prepare(f)
	if err != nil {
		fmt.Fprintf(stderr, "wsconform run: %v\n", err)
		return 2
	}
	if p.nothingFailed {
		fmt.Fprintf(stdout, "wsconform run: no scenario failed in %s; nothing to rerun\n", f.rerunFailed)
		return 0
	}
	start := time.Now()

	factory, closeTarget, err := makeFactory(ctx, f)
	if err != nil {
		fmt.Fprintf(stderr, "wsconform run: %v\n", err)
		return 2
	}
	defer func() {
		if err := closeTarget(); err != nil {
			fmt.Fprintf(stderr, "wsconform run: close target: %v\n", err)
		}
	}()
	// The temporary files live in a directory of the run's own, which an
	// interrupt removes as well before the process exits.
	if f.tmpRoot, err = os.MkdirTemp("", "wsconform-run-"); err != nil {
		fmt.Fprintf(stderr, "wsconform run: %v\n", err)
		return 2
	}
	defer os.RemoveAll(f.tmpRoot)
	stopWatch := watchInterrupt(ctx, stderr, func() error {
		defer os.RemoveAll(f.tmpRoot)
		return closeTarget()
	})
	defer stopWatch()
	return execute(ctx, f, p, factory, start, stdout, stderr)
}

// exit ends the process; a variable so that nothing else calls os.Exit.
var exit = os.Exit

// watchInterrupt ends the process with status 130 when ctx is done (SIGINT or
// SIGTERM) before the returned stop is called, after closeTarget has removed
// what the scenarios made on the engine. The scenarios themselves cannot be
// cancelled midway.
func watchInterrupt(ctx context.Context, stderr io.Writer, closeTarget func() error) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-done:
		case <-ctx.Done():
			fmt.Fprintln(stderr, "\nwsconform run: interrupted; cleaning up the target")
			if err := closeTarget(); err != nil {
				fmt.Fprintf(stderr, "wsconform run: close target: %v\n", err)
			}
			exit(130)
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

// execute runs the scenarios f selects against factory's targets, writes the
// reports and the summary, and returns the exit status.
func execute(ctx context.Context, f runFlags, p plan, factory target.Factory, start time.Time, stdout, stderr io.Writer) int {
	name, engine, unsupported, err := probe(ctx, factory)
	if err != nil {
		fmt.Fprintf(stderr, "wsconform run: %v\n", err)
		return 2
	}
	red := redact.New(redact.FeatureSecrets(p.features)...)

	if err := os.MkdirAll(f.reportDir, 0o755); err != nil {
		fmt.Fprintf(stderr, "wsconform run: report directory: %v\n", err)
		return 2
	}
	tmp, err := os.MkdirTemp(f.tmpRoot, "wsconform-")
	if err != nil {
		fmt.Fprintf(stderr, "wsconform run: %v\n", err)
		return 2
	}
	defer os.RemoveAll(tmp)

	// godog writes every file format into tmp; the redacted copies go where
	// the user asked.
	type copyOut struct{ from, to string }
	copies := []copyOut{
		{filepath.Join(tmp, "cucumber.json"), filepath.Join(f.reportDir, "cucumber.json")},
	}
	godogFormats := []string{"cucumber:" + copies[0].from}
	progress := false // godog's progress on stdout becomes one line per scenario
	for i, ft := range p.formats {
		if ft.file == "" && ft.name == "progress" {
			progress = true
			continue
		}
		if ft.file == "" {
			godogFormats = append(godogFormats, ft.name)
			continue
		}
		from := filepath.Join(tmp, fmt.Sprintf("format-%d", i))
		copies = append(copies, copyOut{from, ft.file})
		godogFormats = append(godogFormats, ft.name+":"+from)
	}
	collector := results.NewCollector()

	fmt.Fprintf(stdout, "wsconform %s: running against %s\n", version(), name)
	out := newRedactingWriter(stdout, red)
	if progress {
		collector.OnDone((&scenarioProgress{w: out, expect: p.expect}).done)
	}
	opts := steps.Options{
		Factory:     factory,
		Format:      strings.Join(godogFormats, ","),
		Output:      out,
		Concurrency: f.concurrency,
		FS:          features.FS,
		Collector:   collector,
	}
	status := 0
	if p.selection != nil {
		opts.FS, opts.Paths = p.selection.FS, p.selection.Paths
	}
	if p.selection == nil || len(p.selection.Paths) > 0 {
		status = steps.Run(opts)
	} else if err := os.WriteFile(copies[0].from, []byte("[]\n"), 0o644); err != nil {
		// Nothing selected: an empty cucumber report, and no godog run,
		// which would take no paths for every feature.
		fmt.Fprintf(stderr, "wsconform run: %v\n", err)
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(stderr, "wsconform run: %v\n", err)
	}

	outcomes := collector.Outcomes()
	passed, failed, skipped := results.Counts(outcomes)
	code := 0
	if failed > 0 || status != 0 {
		code = 1
	}
	var judged *expectations.Summary
	if p.expect != nil {
		s, err := expectations.Judge(p.expect, outcomes, rerunAlone(factory, stdout))
		if err != nil {
			fmt.Fprintf(stderr, "wsconform run: %v\n", err)
		}
		judged = &s
		code = 0
		if s.Unexpected > 0 || (status != 0 && failed == 0) {
			code = 1
		}
	}
	elapsed := time.Since(start)

	for _, c := range copies {
		if _, err := os.Stat(c.from); err != nil && status == 0 && len(outcomes) == 0 {
			continue // nothing ran, so the format wrote nothing
		}
		if err := copyRedacted(c.from, c.to, red); err != nil {
			fmt.Fprintf(stderr, "wsconform run: %v\n", err)
			code = 1
		}
	}
	if err := writeJUnit(f.reportDir, junit.Run{Name: "wsconform", Target: name, SuiteVersion: version(), Engine: engine,
		Started: start, Duration: elapsed, Outcomes: outcomes}, red); err != nil {
		fmt.Fprintf(stderr, "wsconform run: %v\n", err)
		code = 1
	}
	model := report.Build(report.Run{
		Target: name, TargetKind: f.target, SuiteVersion: version(), Engine: engine, Rerun: rerunPrefix(f),
		Started: start, Duration: elapsed, Tags: f.tags, IDs: f.ids,
		Outcomes: outcomes, Unsupported: unsupported, Expectations: judged,
	}, red)
	if err := writeReports(f.reportDir, model); err != nil {
		fmt.Fprintf(stderr, "wsconform run: %v\n", err)
		code = 1
	}
	written := []string{
		filepath.Join(f.reportDir, "report.md"), filepath.Join(f.reportDir, "report.html"),
		filepath.Join(f.reportDir, "junit.xml"), filepath.Join(f.reportDir, "cucumber.json"),
	}
	if path, err := writeSummary(f.reportDir, model, red); err != nil {
		fmt.Fprintf(stderr, "wsconform run: %v\n", err)
		code = 1
	} else {
		written = append(written, path)
	}
	if path, err := writeExpectations(f.reportDir, judged, red); err != nil {
		fmt.Fprintf(stderr, "wsconform run: %v\n", err)
		code = 1
	} else if path != "" {
		written = append(written, path)
	}
	if len(outcomes) == 0 {
		fmt.Fprintf(stderr, "wsconform run: no scenario was run (%s selects none)\n", describeChoice(choice{tags: f.tags, ids: f.ids, locations: f.locations}))
		code = 1
	}
	if status != 0 && failed == 0 {
		fmt.Fprintf(stderr, "wsconform run: the suite exited with status %d\n", status)
	}
	if progress {
		printFailures(out, model)
		if err := out.Flush(); err != nil {
			fmt.Fprintf(stderr, "wsconform run: %v\n", err)
		}
	}
	fmt.Fprintf(stdout, "\nreports: %s\n", strings.Join(written, ", "))
	if judged != nil {
		if problems := judged.Problems(); len(problems) > 0 {
			fmt.Fprintln(stdout)
			for _, j := range problems {
				fmt.Fprintln(stdout, red.String(j.Describe()))
			}
		}
	}
	if len(outcomes) > 0 {
		printLevels(stdout, model)
	}
	fmt.Fprintf(stdout, "%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	if judged != nil {
		fmt.Fprintln(stdout, judged.Line())
	}
	fmt.Fprintf(stdout, "wall time %s\n", elapsed.Round(10*time.Millisecond))
	return code
}

// rerunAlone runs one scenario or row, named by its outcome's id, once more
// by itself through factory, after the main run, and returns its outcome.
func rerunAlone(factory target.Factory, stdout io.Writer) expectations.Rerun {
	return func(o results.Outcome) (results.Outcome, error) {
		if o.ID == "" {
			return o, fmt.Errorf("%s has no id", o.Location())
		}
		sel, err := featureset.Select(features.FS, []string{o.ID})
		if err != nil {
			return o, err
		}
		fmt.Fprintf(stdout, "%s: %s, not as expected; running it again alone\n", o.ID, o.Status)
		collector := results.NewCollector()
		steps.Run(steps.Options{
			Factory: factory, FS: sel.FS, Paths: sel.Paths, Collector: collector,
			Format: "progress", Output: io.Discard, Concurrency: 1,
		})
		outs := collector.Outcomes()
		if len(outs) != 1 {
			return o, fmt.Errorf("running %s alone ran %d scenarios", o.ID, len(outs))
		}
		return outs[0], nil
	}
}

// expectationsFile is the JSON report of a run with --expect.
const expectationsFile = "expectations.json"

// writeExpectations writes the judged outcomes as JSON into dir and returns
// its path; without judged outcomes it removes the file a previous run may
// have left, so that no stale verdict is read, and returns "".
func writeExpectations(dir string, judged *expectations.Summary, red *redact.Redactor) (string, error) {
	p := filepath.Join(dir, expectationsFile)
	if judged == nil {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("remove stale %s: %w", p, err)
		}
		return "", nil
	}
	rep := judged.Report()
	rep.Engine = red.String(rep.Engine)
	for i, r := range rep.Scenarios {
		rep.Scenarios[i].Name, rep.Scenarios[i].Reason = red.String(r.Name), red.String(r.Reason)
	}
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encode %s: %w", p, err)
	}
	if err := os.WriteFile(p, append(data, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("write report %s: %w", p, err)
	}
	return p, nil
}

// makeFactory builds the target factory of --target and what releases it;
// for the rest target it first runs the driver's preflight checks.
func makeFactory(ctx context.Context, f runFlags) (target.Factory, func() error, error) {
	if f.target == "ref" {
		return ref.Factory(ref.Options{}), func() error { return nil }, nil
	}
	d, err := restt.New(ctx, f.rest)
	if err != nil {
		return nil, nil, fmt.Errorf("rest target: %w", err)
	}
	// The checks every scenario depends on, in seconds, before the first.
	if err := d.Preflight(ctx); err != nil {
		if cerr := d.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
		return nil, nil, fmt.Errorf("rest target: %w", err)
	}
	return d.Factory(), d.Close, nil
}

// probe makes one target to learn its name, its engine and what it does not
// support.
func probe(ctx context.Context, factory target.Factory) (string, string, map[string]string, error) {
	t, err := factory(ctx)
	if err != nil {
		return "", "", nil, fmt.Errorf("make target: %w", err)
	}
	name, engine := t.Name(), engineOf(ctx, t)
	unsupported := map[string]string{}
	for _, c := range capabilities {
		if ok, reason := t.Supports(c); !ok {
			unsupported["@needs-"+string(c)] = reason
		}
	}
	if err := t.Close(); err != nil {
		return "", "", nil, fmt.Errorf("close probe target: %w", err)
	}
	return name, engine, unsupported, nil
}

func copyRedacted(from, to string, red *redact.Redactor) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("read report %s: %w", from, err)
	}
	if dir := filepath.Dir(to); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("report directory %s: %w", dir, err)
		}
	}
	if err := os.WriteFile(to, red.Bytes(data), 0o644); err != nil {
		return fmt.Errorf("write report %s: %w", to, err)
	}
	return nil
}

func writeReports(dir string, m report.Model) error {
	page, err := report.HTML(m)
	if err != nil {
		return err
	}
	for name, data := range map[string][]byte{"report.md": report.Markdown(m), "report.html": page} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return fmt.Errorf("write report %s: %w", p, err)
		}
	}
	return nil
}

// writeJUnit writes dir/junit.xml from the run's own outcomes: one testcase
// per scenario or Examples row, skips with their reason, failures with the
// failing step, all redacted.
func writeJUnit(dir string, run junit.Run, red *redact.Redactor) error {
	b, err := junit.Marshal(redactOutcomes(run, red))
	if err != nil {
		return err
	}
	p := filepath.Join(dir, "junit.xml")
	if err := os.WriteFile(p, red.Bytes(b), 0o644); err != nil {
		return fmt.Errorf("write report %s: %w", p, err)
	}
	return nil
}
