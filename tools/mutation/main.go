// Command mutation measures how well the conformance suite pins the
// reference engine: it makes small defects (mutants) in impl/ packages one at
// a time, builds tools/wsconform with each through the go command's -overlay
// flag (the working tree is never written), runs
// `wsconform run --target ref` and counts the mutant caught when the suite
// fails or times out. It prints the score per package and the mutants no
// scenario catches.
//
//	go run ./tools/mutation                      # every mutant of the six impl/ packages
//	go run ./tools/mutation -sample 40 -seed 1   # a random sample
//	go run ./tools/mutation -pkg engine,ddl -list
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/wsconform/wsconform/tools/internal/mutation"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mutation", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pkgs := fs.String("pkg", "all", "packages to mutate, comma separated (engine or impl/engine); all: "+strings.Join(mutation.DefaultPackages, ","))
	sample := fs.Int("sample", 0, "run a random sample of N mutants (0: all)")
	seed := fs.Uint64("seed", 0, "seed of the sample (0: chosen from the clock and printed)")
	jobs := fs.Int("j", 1, "mutants built and tested at once")
	maxTime := fs.Duration("max-time", 0, "stop starting mutants after this long and report what was done (0: no limit)")
	timeout := fs.Duration("timeout", 0, "bound of one suite run; longer counts as caught (0: 3x the unmutated run, at least 60s)")
	jsonOut := fs.String("json", "", "also write the report as JSON to this file")
	equiv := fs.String("equivalent", "tools/mutation/equivalent.yaml", "known-equivalent mutants (YAML: file, original, mutated, reason), excluded from the score")
	list := fs.Bool("list", false, "print the mutants and exit without running anything")
	root := fs.String("C", ".", "directory inside the module")
	fileRe := fs.String("file", "", "only mutants in files whose path matches this regular expression, e.g. 'decode/fast.go'")
	runArgs := fs.String("args", "", "more arguments for `wsconform run`, space separated, e.g. '--tags @json' to screen mutants against part of the suite (a score with -args is of that part only)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	fail := func(err error) int { fmt.Fprintln(stderr, "mutation:", err); return 1 }
	modRoot, err := moduleRoot(*root)
	if err != nil {
		return fail(err)
	}
	selected, err := mutation.ParsePackages(modRoot, *pkgs)
	if err != nil {
		return fail(err)
	}
	all, srcs, err := mutation.Load(modRoot, selected)
	if err != nil {
		return fail(err)
	}
	eqPath := *equiv
	if !filepath.IsAbs(eqPath) {
		eqPath = filepath.Join(modRoot, eqPath)
	}
	eqs, err := mutation.LoadEquivalents(eqPath)
	if err != nil {
		return fail(err)
	}
	var only *regexp.Regexp
	if *fileRe != "" {
		if only, err = regexp.Compile(*fileRe); err != nil {
			fmt.Fprintf(stderr, "mutation: -file %q: %v\n", *fileRe, err)
			return 2
		}
	}
	var candidates []mutation.Mutant
	rep := &mutation.Report{
		Test:      strings.TrimSpace("the conformance suite (wsconform run --target ref) " + *runArgs),
		Generated: len(all), Sample: *sample, Jobs: *jobs,
	}
	for _, m := range all {
		if only != nil && !only.MatchString(m.File) {
			continue
		}
		if e := mutation.Match(eqs, m); e != nil {
			rep.Equivalents = append(rep.Equivalents, mutation.EquivalentMutant{Mutant: m, Reason: e.Reason})
			continue
		}
		candidates = append(candidates, m)
	}
	if *list {
		for _, m := range candidates {
			fmt.Fprintln(stdout, m.Describe())
		}
		fmt.Fprintf(stdout, "%d mutants (%d known equivalent left out)\n", len(candidates), len(rep.Equivalents))
		return 0
	}
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano()%1_000_000) + 1
	}
	rep.Seed = *seed
	chosen := mutation.Sample(candidates, *sample, *seed)
	rep.Selected = len(chosen)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	tmp, err := os.MkdirTemp("", "wsconform-mutation-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(tmp)
	r := &mutation.Runner{
		Root: modRoot, BuildPkg: "./tools/wsconform",
		TestArgs: append([]string{"run", "--target", "ref", "--report", "{report}"}, strings.Fields(*runArgs)...),
		Timeout:  10 * time.Minute, TempDir: tmp,
	}
	start := time.Now()
	fmt.Fprintf(stdout, "%d mutants in %s; running %d (seed %d); unmutated run first\n", len(candidates), strings.Join(selected, " "), len(chosen), *seed)
	base, err := r.Baseline(ctx)
	if err != nil {
		return fail(err)
	}
	r.Timeout = *timeout
	if r.Timeout <= 0 {
		r.Timeout = max(3*base, 60*time.Second)
	}
	rep.BaselineSeconds, rep.TimeoutSeconds = base.Seconds(), r.Timeout.Seconds()
	fmt.Fprintf(stdout, "unmutated run passed in %s; test bound %s\n", base.Round(100*time.Millisecond), r.Timeout)

	runCtx := ctx
	if *maxTime > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithDeadline(ctx, start.Add(*maxTime))
		defer cancel()
	}
	rep.Results = r.RunAll(runCtx, chosen, srcs, *jobs, func(done int, res mutation.Result) {
		mark := string(res.Status)
		if res.Timeout {
			mark += " (timeout)"
		}
		fmt.Fprintf(stdout, "[%d/%d] %-19s %s\n", done, len(chosen), mark, res.Describe())
	})
	rep.ElapsedSeconds = time.Since(start).Seconds()
	rep.Score(selected)
	rep.StoppedEarly = rep.Total.NotRun > 0
	rep.WriteText(stdout)
	if *jsonOut != "" {
		if err := rep.WriteJSON(*jsonOut); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "\nreport: %s\n", *jsonOut)
	}
	if ctx.Err() != nil {
		return 130
	}
	return 0
}

// moduleRoot is the directory of the go.mod at or above dir.
func moduleRoot(dir string) (string, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod at or above %s", dir)
		}
		d = parent
	}
}
