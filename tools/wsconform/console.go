package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/wsconform/wsconform/steps/results"
	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/tools/internal/expectations"
	"github.com/wsconform/wsconform/tools/internal/junit"
	"github.com/wsconform/wsconform/tools/internal/redact"
	"github.com/wsconform/wsconform/tools/internal/report"
)

// engineOf is how t names the engine it drives, "" when it cannot say.
func engineOf(ctx context.Context, t target.Target) string {
	d, ok := t.(target.Describer)
	if !ok {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return d.Engine(ctx)
}

// scenarioProgress prints one line per finished scenario:
// "  37/228 passed  server-404-after-stop"; with an expectations file, an
// outcome other than passed that the file expects is marked "(expected)".
type scenarioProgress struct {
	mu     sync.Mutex
	w      io.Writer
	expect *expectations.File
}

func (p *scenarioProgress) done(o results.Outcome, n, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	status := string(o.Status)
	if o.Status == results.Failed {
		status = "FAILED"
	}
	width := len(fmt.Sprint(total))
	name := o.ID
	if name == "" {
		name = o.Name + " (" + o.Location() + ")"
	}
	note := ""
	if p.expect != nil && o.Status != results.Passed {
		if e, _ := p.expect.For(o.ID); e.Outcome == o.Status {
			note = " (expected)"
		}
	}
	fmt.Fprintf(p.w, "%*d/%d %-7s %s%s\n", width, n, total, status, name, note)
}

// rerunPrefix is the command that runs the suite again against the target
// of f; a scenario's rerun command adds "--id ID".
func rerunPrefix(f runFlags) string {
	args := []string{"wsconform", "run", "--target", f.target}
	if f.target == "rest" {
		add := func(flag, v string) {
			if v != "" {
				args = append(args, flag, shellQuote(v))
			}
		}
		restURL := f.rest.RestURL
		if u, err := url.Parse(restURL); err == nil {
			restURL = u.Redacted()
		}
		add("--rest-url", restURL)
		add("--data-url", f.rest.DataURL)
		add("--ca", f.rest.CAFile)
		add("--collector", f.rest.CollectorAddr)
		add("--collector-url", f.rest.CollectorURL)
		if f.rest.Exclusive {
			args = append(args, "--exclusive")
		}
	}
	return strings.Join(args, " ")
}

// shellQuote quotes s for a POSIX shell when it holds anything but plain
// characters.
func shellQuote(s string) string {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_-./:,@%+=", c)) {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}

// summaryFile is the JSON summary of a run, for tools.
const summaryFile = "summary.json"

// writeSummary writes dir/summary.json from the report model (redacted
// already) once more through red, and returns its path.
func writeSummary(dir string, m report.Model, red *redact.Redactor) (string, error) {
	b, err := report.JSON(m)
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, summaryFile)
	if err := os.WriteFile(p, red.Bytes(b), 0o644); err != nil {
		return "", fmt.Errorf("write report %s: %w", p, err)
	}
	return p, nil
}

// printFailures prints every failure that is not a known deviation: where
// it is, the failing step, what went wrong and how to run it again.
func printFailures(w io.Writer, m report.Model) {
	first := true
	for _, s := range m.Scenarios {
		if s.Status != string(results.Failed) || s.Kind == "known deviation" {
			continue
		}
		if first {
			fmt.Fprintln(w, "\nfailed:")
			first = false
		}
		name := s.ID
		if name == "" {
			name = s.Name
		}
		fmt.Fprintf(w, "\n  %s (%s) %s\n", name, s.Location, s.Name)
		if s.Step != "" {
			fmt.Fprintf(w, "    step:  %s (%s)\n", s.Step, s.StepLocation)
		}
		for i, line := range strings.Split(s.Error, "\n") {
			label := "    error: "
			if i > 0 {
				label = "           "
			}
			fmt.Fprintf(w, "%s%s\n", label, line)
		}
		if s.RerunCommand != "" {
			fmt.Fprintf(w, "    rerun: %s\n", s.RerunCommand)
		}
	}
}

// printLevels prints one line of counts per level, with the known
// deviations when the run is judged by an expectations file.
func printLevels(w io.Writer, m report.Model) {
	for _, t := range m.Levels {
		fmt.Fprintf(w, "%-11s %d passed, %d failed, %d skipped", t.Tag, t.Passed, t.Failed, t.Skipped)
		if m.Expectations != nil {
			fmt.Fprintf(w, " (%d known deviations)", t.Deviations)
		}
		fmt.Fprintln(w)
	}
}

// redactOutcomes redacts the texts of run's outcomes before they are encoded,
// so that no escaping hides a secret from the redactor.
func redactOutcomes(run junit.Run, red *redact.Redactor) junit.Run {
	outs := make([]results.Outcome, len(run.Outcomes))
	for i, o := range run.Outcomes {
		o.Name, o.Step, o.Error, o.Reason = red.String(o.Name), red.String(o.Step), red.String(o.Error), red.String(o.Reason)
		ex := make([]string, len(o.Example))
		for j, e := range o.Example {
			ex[j] = red.String(e)
		}
		if o.Example != nil {
			o.Example = ex
		}
		outs[i] = o
	}
	run.Target, run.Engine, run.Outcomes = red.String(run.Target), red.String(run.Engine), outs
	return run
}
