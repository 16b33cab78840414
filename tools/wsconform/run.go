package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wsconform/wsconform/features"
	"github.com/wsconform/wsconform/steps"
	"github.com/wsconform/wsconform/steps/featureset"
	"github.com/wsconform/wsconform/steps/results"
	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/steps/target/ref"
	restt "github.com/wsconform/wsconform/steps/target/rest"
	"github.com/wsconform/wsconform/tools/internal/redact"
	"github.com/wsconform/wsconform/tools/internal/report"
)

// capabilities the suite may need, by the tag that says so.
var capabilities = []target.Capability{target.ServerTLS, target.ServerClientAuth, target.DataServerLifecycle, target.MessageLimit}

type runFlags struct {
	target      string
	rest        restt.Options
	tags        string
	format      string
	reportDir   string
	concurrency int
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
	fl.StringVar(&f.tags, "tags", "", "godog tag expression selecting scenarios, e.g. '@tls && ~@extension' (default: all)")
	fl.StringVar(&f.format, "format", "progress", "godog formats, comma separated; NAME writes to stdout, NAME:FILE to a file, e.g. pretty,junit:out.xml")
	fl.StringVar(&f.reportDir, "report", "reports", "directory for junit.xml, cucumber.json, report.md and report.html")
	fl.IntVar(&f.concurrency, "concurrency", 0, "scenarios run at once (0: the step library's default; 1 with --exclusive)")
	if v := os.Getenv(restt.EnvExclusive); v != "" {
		if _, err := strconv.ParseBool(v); err != nil {
			return f, fmt.Errorf("%s=%q: want 1, true, 0 or false", restt.EnvExclusive, v)
		}
	}
	if err := fl.Parse(args); err != nil {
		return f, err
	}
	if fl.NArg() > 0 {
		return f, fmt.Errorf("unexpected arguments %q", fl.Args())
	}
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
		return 2
	}
	formats, err := parseFormats(f.format)
	if err != nil {
		fmt.Fprintf(stderr, "wsconform run: %v\n", err)
		return 2
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
	stopWatch := watchInterrupt(ctx, stderr, closeTarget)
	defer stopWatch()
	return execute(ctx, f, formats, factory, start, stdout, stderr)
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
func execute(ctx context.Context, f runFlags, formats []format, factory target.Factory, start time.Time, stdout, stderr io.Writer) int {
	name, unsupported, err := probe(ctx, factory)
	if err != nil {
		fmt.Fprintf(stderr, "wsconform run: %v\n", err)
		return 2
	}

	feats, err := featureset.Load(features.FS)
	if err != nil {
		fmt.Fprintf(stderr, "wsconform run: %v\n", err)
		return 2
	}
	red := redact.New(redact.FeatureSecrets(feats)...)

	if err := os.MkdirAll(f.reportDir, 0o755); err != nil {
		fmt.Fprintf(stderr, "wsconform run: report directory: %v\n", err)
		return 2
	}
	tmp, err := os.MkdirTemp("", "wsconform-")
	if err != nil {
		fmt.Fprintf(stderr, "wsconform run: %v\n", err)
		return 2
	}
	defer os.RemoveAll(tmp)

	// godog writes every file format into tmp; the redacted copies go where
	// the user asked.
	type copyOut struct{ from, to string }
	copies := []copyOut{
		{filepath.Join(tmp, "junit.xml"), filepath.Join(f.reportDir, "junit.xml")},
		{filepath.Join(tmp, "cucumber.json"), filepath.Join(f.reportDir, "cucumber.json")},
	}
	godogFormats := []string{"junit:" + copies[0].from, "cucumber:" + copies[1].from}
	for i, ft := range formats {
		if ft.file == "" {
			godogFormats = append(godogFormats, ft.name)
			continue
		}
		from := filepath.Join(tmp, fmt.Sprintf("format-%d", i))
		copies = append(copies, copyOut{from, ft.file})
		godogFormats = append(godogFormats, ft.name+":"+from)
	}
	collector := results.NewCollector()

	fmt.Fprintf(stdout, "wsconform: running against %s\n", name)
	out := newRedactingWriter(stdout, red)
	status := steps.Run(steps.Options{
		Factory:     factory,
		Tags:        f.tags,
		Format:      strings.Join(godogFormats, ","),
		Output:      out,
		Concurrency: f.concurrency,
		FS:          features.FS,
		Collector:   collector,
	})
	if err := out.Flush(); err != nil {
		fmt.Fprintf(stderr, "wsconform run: %v\n", err)
	}
	elapsed := time.Since(start)

	outcomes := collector.Outcomes()
	passed, failed, skipped := results.Counts(outcomes)
	code := 0
	if failed > 0 || status != 0 {
		code = 1
	}
	for _, c := range copies {
		if err := copyRedacted(c.from, c.to, red); err != nil {
			fmt.Fprintf(stderr, "wsconform run: %v\n", err)
			code = 1
		}
	}
	model := report.Build(report.Run{
		Target: name, Started: start, Duration: elapsed, Tags: f.tags,
		Outcomes: outcomes, Unsupported: unsupported,
	}, red)
	if err := writeReports(f.reportDir, model); err != nil {
		fmt.Fprintf(stderr, "wsconform run: %v\n", err)
		code = 1
	}
	if len(outcomes) == 0 {
		fmt.Fprintf(stderr, "wsconform run: no scenario was run (tags %q)\n", f.tags)
		code = 1
	}
	if status != 0 && failed == 0 {
		fmt.Fprintf(stderr, "wsconform run: the suite exited with status %d\n", status)
	}
	fmt.Fprintf(stdout, "\nreports: %s\n", strings.Join([]string{
		filepath.Join(f.reportDir, "report.md"), filepath.Join(f.reportDir, "report.html"),
		filepath.Join(f.reportDir, "junit.xml"), filepath.Join(f.reportDir, "cucumber.json"),
	}, ", "))
	fmt.Fprintf(stdout, "%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	fmt.Fprintf(stdout, "wall time %s\n", elapsed.Round(10*time.Millisecond))
	return code
}

// makeFactory builds the target factory of --target and what releases it.
func makeFactory(ctx context.Context, f runFlags) (target.Factory, func() error, error) {
	if f.target == "ref" {
		return ref.Factory(ref.Options{}), func() error { return nil }, nil
	}
	d, err := restt.New(ctx, f.rest)
	if err != nil {
		return nil, nil, fmt.Errorf("rest target: %w", err)
	}
	return d.Factory(), d.Close, nil
}

// probe makes one target to learn its name and what it does not support.
func probe(ctx context.Context, factory target.Factory) (string, map[string]string, error) {
	t, err := factory(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("make target: %w", err)
	}
	name := t.Name()
	unsupported := map[string]string{}
	for _, c := range capabilities {
		if ok, reason := t.Supports(c); !ok {
			unsupported["@needs-"+string(c)] = reason
		}
	}
	if err := t.Close(); err != nil {
		return "", nil, fmt.Errorf("close probe target: %w", err)
	}
	return name, unsupported, nil
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
