package specgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cucumber/godog"
	"github.com/cucumber/godog/formatters"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/wsconform/wsconform/steps/featureset"
)

// Problem is a step that no step definition, or more than one, matches.
type Problem struct {
	// Location is "file:line" of the step.
	Location string
	// Step is the step's keyword and text.
	Step string
	// Reason says what is wrong, e.g. "undefined step".
	Reason string
}

func (p Problem) String() string { return fmt.Sprintf("%s: %s: %s", p.Location, p.Reason, p.Step) }

// errDryRun stops every step before its definition runs.
var errDryRun = errors.New("dry run: step not executed")

// Definition is one registered step expression.
type Definition struct {
	Expr     *regexp.Regexp
	Location string
}

var defLine = regexp.MustCompile(`^\x1b\[33m(.*)\x1b\[0m *\x1b\[1;30m# (.*)\x1b\[0m$`)

// Definitions lists the step expressions init registers, as godog prints them.
func Definitions(init func(*godog.ScenarioContext)) ([]Definition, error) {
	var buf bytes.Buffer
	godog.TestSuite{
		Name:                "specgen-definitions",
		ScenarioInitializer: init,
		Options:             &godog.Options{ShowStepDefinitions: true, Format: "progress", Output: &buf, FS: emptyFS{}},
	}.Run()
	var defs []Definition
	for _, line := range strings.Split(buf.String(), "\n") {
		line = strings.TrimRight(line, " ")
		m := defLine.FindStringSubmatch(strings.Replace(line, "\x1b[0m \x1b[1;30m", "\x1b[0m\x1b[1;30m", 1))
		if m == nil {
			continue
		}
		re, err := regexp.Compile(strings.TrimRight(m[1], " "))
		if err != nil {
			return nil, fmt.Errorf("step definition %q at %s: %w", m[1], m[2], err)
		}
		defs = append(defs, Definition{Expr: re, Location: m[2]})
	}
	return defs, nil
}

// emptyFS holds no file.
type emptyFS struct{}

func (emptyFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

var dryRunSeq atomic.Int64

// CheckSteps matches every step of the features at paths in fsys against the
// step definitions init registers, the way godog does with Strict set, without
// running any step definition. It returns one Problem per step that is
// undefined or ambiguous, in file order.
func CheckSteps(fsys fs.FS, paths []string, init func(*godog.ScenarioContext)) ([]Problem, error) {
	d := &dryRun{docs: map[string]map[string]*messages.Step{}, seen: map[string]bool{}, all: map[string]stepRef{}}
	name := "specgen-dryrun-" + strconv.FormatInt(dryRunSeq.Add(1), 10)
	godog.Format(name, "matches steps without running them", func(string, io.Writer) formatters.Formatter { return d })
	var errOut bytes.Buffer
	status := godog.TestSuite{
		Name: "specgen-check",
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			init(sc)
			sc.StepContext().Before(func(ctx context.Context, _ *godog.Step) (context.Context, error) {
				return ctx, errDryRun
			})
		},
		Options: &godog.Options{
			Format:      name,
			Output:      &errOut,
			Strict:      true,
			NoColors:    true,
			Concurrency: 1,
			FS:          fsys,
			Paths:       paths,
		},
	}.Run()
	if status == 2 {
		return nil, fmt.Errorf("check steps of %s: godog could not run: %s", strings.Join(paths, ", "), strings.TrimSpace(errOut.String()))
	}
	defs, err := Definitions(init)
	if err != nil {
		return nil, err
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	var problems []Problem
	for key, ref := range d.all {
		if d.seen[key] && !d.undefined[key] {
			continue
		}
		p := Problem{Location: ref.location, Step: ref.text}
		switch {
		case !d.seen[key]:
			p.Reason = "step could not be checked (a hook failed before it was matched)"
		default:
			var matches []string
			for _, def := range defs {
				if def.Expr.MatchString(ref.plain) {
					matches = append(matches, fmt.Sprintf("%q (%s)", def.Expr.String(), def.Location))
				}
			}
			switch len(matches) {
			case 0:
				p.Reason = "undefined step: no step definition matches it"
			case 1:
				p.Reason = "undefined step: only " + matches[0] + " matches, for another keyword"
			default:
				p.Reason = "ambiguous step: matched by " + strings.Join(matches, " and ")
			}
		}
		problems = append(problems, p)
	}
	sort.Slice(problems, func(i, j int) bool { return locLess(problems[i].Location, problems[j].Location) })
	return dedupe(problems), nil
}

func locLess(a, b string) bool {
	fa, la := splitLoc(a)
	fb, lb := splitLoc(b)
	if fa != fb {
		return fa < fb
	}
	return la < lb
}

func splitLoc(s string) (string, int) {
	i := strings.LastIndex(s, ":")
	if i < 0 {
		return s, 0
	}
	n, _ := strconv.Atoi(s[i+1:])
	return s[:i], n
}

// dedupe drops repeated problems of one outline step (one per Examples row)
// when they are identical.
func dedupe(ps []Problem) []Problem {
	var out []Problem
	seen := map[Problem]bool{}
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

type stepRef struct {
	location string
	text     string // keyword + text
	plain    string // text only
}

// dryRun is a godog formatter recording, for every step, whether godog found
// exactly one matching definition.
type dryRun struct {
	mu        sync.Mutex
	docs      map[string]map[string]*messages.Step // uri -> step id -> step
	all       map[string]stepRef                   // pickle id/step id -> step
	seen      map[string]bool
	undefined map[string]bool
}

func (d *dryRun) TestRunStarted() {}
func (d *dryRun) Summary()        {}

func (d *dryRun) Feature(doc *messages.GherkinDocument, uri string, _ []byte) {
	var feat *messages.Feature
	if doc != nil {
		feat = doc.Feature
	}
	steps := featureset.StepsByID(feat)
	d.mu.Lock()
	d.docs[uri] = steps
	d.mu.Unlock()
}

func (d *dryRun) Pickle(p *messages.Pickle) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, s := range p.Steps {
		ref := stepRef{location: p.Uri, text: s.Text, plain: s.Text}
		if st, ok := d.docs[p.Uri][s.AstNodeIds[0]]; ok {
			ref.location = fmt.Sprintf("%s:%d", p.Uri, st.Location.Line)
			ref.text = st.Keyword + s.Text
		}
		d.all[p.Id+"/"+s.Id] = ref
	}
}

func (d *dryRun) Defined(p *messages.Pickle, s *messages.PickleStep, def *formatters.StepDefinition) {
	d.mu.Lock()
	defer d.mu.Unlock()
	key := p.Id + "/" + s.Id
	d.seen[key] = true
	if def == nil {
		if d.undefined == nil {
			d.undefined = map[string]bool{}
		}
		d.undefined[key] = true
	}
}

func (d *dryRun) Failed(*messages.Pickle, *messages.PickleStep, *formatters.StepDefinition, error) {}
func (d *dryRun) Passed(*messages.Pickle, *messages.PickleStep, *formatters.StepDefinition)        {}
func (d *dryRun) Skipped(*messages.Pickle, *messages.PickleStep, *formatters.StepDefinition)       {}
func (d *dryRun) Undefined(*messages.Pickle, *messages.PickleStep, *formatters.StepDefinition)     {}
func (d *dryRun) Pending(*messages.Pickle, *messages.PickleStep, *formatters.StepDefinition)       {}
func (d *dryRun) Ambiguous(*messages.Pickle, *messages.PickleStep, *formatters.StepDefinition, error) {
}
