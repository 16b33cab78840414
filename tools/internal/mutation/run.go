package mutation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Status is what became of a mutant.
type Status string

const (
	Caught   Status = "caught"   // the test failed or timed out
	Survived Status = "survived" // the test passed with the mutant in
	Invalid  Status = "invalid"  // the mutant does not compile
	NotRun   Status = "not-run"  // the time budget ran out first
	// BuildError: the build failed for a reason outside the mutated file
	// (the tree changed under the run); not counted.
	BuildError Status = "build-error"
)

// Result is the outcome of one mutant.
type Result struct {
	Mutant
	Status   Status        `json:"status"`
	Timeout  bool          `json:"timeout,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	Detail   string        `json:"detail,omitempty"` // the compile error of an invalid mutant
	// Failed are the ids (@id: tags) of the scenarios that failed with the
	// mutant in, from the run's cucumber report; empty for a timeout.
	Failed []string `json:"failed_scenarios,omitempty"`
}

// Runner builds a program with mutants in and runs a test command on it.
type Runner struct {
	// Root is the module root; the build runs there.
	Root string
	// Go is the go command (default "go").
	Go string
	// BuildPkg is the package built into the program under test, e.g. "./tools/wsconform".
	BuildPkg string
	// TestArgs are the arguments the built program is run with; "{report}"
	// in one is replaced by a fresh temporary directory. The program runs in
	// a temporary directory, never in the module.
	TestArgs []string
	// Timeout bounds one test run; a run that takes longer counts as caught.
	Timeout time.Duration
	// TempDir holds the per-mutant files (default os.TempDir()).
	TempDir string
}

// Overlay is the go command's -overlay file format.
type Overlay struct {
	Replace map[string]string `json:"Replace"`
}

// WriteOverlay writes the mutated file and an overlay file mapping the
// original file (abs, an absolute path) to it into dir, and returns the
// overlay file's path.
func WriteOverlay(dir, abs string, mutated []byte) (string, error) {
	mpath := filepath.Join(dir, filepath.Base(abs))
	if err := os.WriteFile(mpath, mutated, 0o644); err != nil {
		return "", err
	}
	data, err := json.Marshal(Overlay{Replace: map[string]string{abs: mpath}})
	if err != nil {
		return "", err
	}
	opath := filepath.Join(dir, "overlay.json")
	return opath, os.WriteFile(opath, data, 0o644)
}

func (r *Runner) goCmd() string {
	if r.Go == "" {
		return "go"
	}
	return r.Go
}

// Build builds BuildPkg into bin, with the overlay file when overlay is not
// empty; it returns the go command's output on failure.
func (r *Runner) Build(ctx context.Context, overlay, bin string) ([]byte, error) {
	args := []string{"build"}
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	args = append(args, "-o", bin, r.BuildPkg)
	cmd := exec.CommandContext(ctx, r.goCmd(), args...)
	cmd.Dir = r.Root
	return cmd.CombinedOutput()
}

// Test runs the built program once in dir, bounded by Timeout. It returns
// whether the program passed and whether it was stopped at the time bound.
// err is set only when the program could not be run or ctx ended.
func (r *Runner) Test(ctx context.Context, bin, dir string) (passed, timedOut bool, err error) {
	report := filepath.Join(dir, "report")
	args := make([]string, len(r.TestArgs))
	for i, a := range r.TestArgs {
		args[i] = strings.ReplaceAll(a, "{report}", report)
	}
	tctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	// The program's temporary files go under dir, which the caller removes:
	// a mutant that crashes or is killed at the time bound leaves nothing
	// in the system's temporary directory.
	tmp := filepath.Join(dir, "tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return false, false, err
	}
	cmd := exec.CommandContext(tctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	setProcessGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	runErr := cmd.Run()
	switch {
	case ctx.Err() != nil:
		return false, false, ctx.Err()
	case tctx.Err() != nil:
		return false, true, nil
	case runErr == nil:
		return true, false, nil
	}
	var exit *exec.ExitError
	if errors.As(runErr, &exit) {
		return false, false, nil
	}
	return false, false, runErr
}

// Baseline builds the program without mutants and runs the test once: it
// must pass. It returns the test's wall time.
func (r *Runner) Baseline(ctx context.Context) (time.Duration, error) {
	dir, err := os.MkdirTemp(r.TempDir, "mutation-base-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "bin")
	if out, err := r.Build(ctx, "", bin); err != nil {
		return 0, fmt.Errorf("building %s: %v\n%s", r.BuildPkg, err, out)
	}
	start := time.Now()
	passed, timedOut, err := r.Test(ctx, bin, dir)
	d := time.Since(start)
	switch {
	case err != nil:
		return d, err
	case timedOut:
		return d, fmt.Errorf("the test did not finish within %v without mutants", r.Timeout)
	case !passed:
		return d, errors.New("the test fails without mutants: fix that first")
	}
	return d, nil
}

// RunMutant applies m to src (the text m was generated from), builds and
// tests. A canceled ctx gives NotRun.
func (r *Runner) RunMutant(ctx context.Context, m Mutant, src []byte) Result {
	res := Result{Mutant: m}
	start := time.Now()
	defer func() { res.Duration = time.Since(start) }()
	fail := func(err error) Result {
		if ctx.Err() != nil {
			res.Status = NotRun
		} else {
			res.Status, res.Detail = BuildError, err.Error()
		}
		return res
	}
	dir, err := os.MkdirTemp(r.TempDir, "mutant-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	abs := filepath.Join(r.Root, filepath.FromSlash(m.File))
	overlay, err := WriteOverlay(dir, abs, m.Apply(src))
	if err != nil {
		return fail(err)
	}
	bin := filepath.Join(dir, "bin")
	if out, err := r.Build(ctx, overlay, bin); err != nil {
		if ctx.Err() != nil {
			return fail(ctx.Err())
		}
		if !bytes.Contains(out, []byte(filepath.Base(m.File))) {
			return fail(fmt.Errorf("%v: %s", err, firstLines(out, 5)))
		}
		res.Status, res.Detail = Invalid, firstLines(out, 5)
		return res
	}
	passed, timedOut, err := r.Test(ctx, bin, dir)
	switch {
	case err != nil:
		return fail(err)
	case passed:
		res.Status = Survived
	default:
		res.Status, res.Timeout = Caught, timedOut
		if !timedOut {
			res.Failed = FailedScenarios(filepath.Join(dir, "report", "cucumber.json"))
		}
	}
	return res
}

// FailedScenarios returns the sorted ids (the values of @id: tags, one per
// scenario or outline) of the scenarios with a step that neither passed nor
// was skipped in a cucumber JSON report; nil when the report cannot be read.
func FailedScenarios(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var features []struct {
		Elements []struct {
			Tags []struct {
				Name string `json:"name"`
			} `json:"tags"`
			Steps []struct {
				Result struct {
					Status string `json:"status"`
				} `json:"result"`
			} `json:"steps"`
		} `json:"elements"`
	}
	if json.Unmarshal(data, &features) != nil {
		return nil
	}
	seen := map[string]bool{}
	var ids []string
	for _, f := range features {
		for _, e := range f.Elements {
			failed := false
			for _, st := range e.Steps {
				if st.Result.Status != "passed" && st.Result.Status != "skipped" {
					failed = true
				}
			}
			if !failed {
				continue
			}
			for _, t := range e.Tags {
				if id, ok := strings.CutPrefix(t.Name, "@id:"); ok && !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
	}
	sort.Strings(ids)
	return ids
}

func firstLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// RunAll runs the mutants with jobs workers. srcs maps a mutant's File to the
// text it was generated from. progress, when not nil, is called after each
// mutant (from one goroutine at a time). When ctx ends, running mutants are
// stopped and they and the rest are NotRun.
func (r *Runner) RunAll(ctx context.Context, mutants []Mutant, srcs map[string][]byte, jobs int, progress func(done int, res Result)) []Result {
	if jobs < 1 {
		jobs = 1
	}
	results := make([]Result, len(mutants))
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				res := r.RunMutant(ctx, mutants[i], srcs[mutants[i].File])
				results[i] = res
				mu.Lock()
				done++
				if progress != nil && res.Status != NotRun {
					progress(done, res)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range mutants {
		if ctx.Err() != nil {
			results[i] = Result{Mutant: mutants[i], Status: NotRun}
			continue
		}
		select {
		case next <- i:
		case <-ctx.Done():
			results[i] = Result{Mutant: mutants[i], Status: NotRun}
		}
	}
	close(next)
	wg.Wait()
	return results
}
