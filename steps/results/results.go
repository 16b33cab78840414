// Package results collects the outcome of every scenario of a godog run
// through a godog formatter, for reports and for runners that must tell a
// skipped scenario from a passed one.
package results

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cucumber/godog"
	"github.com/cucumber/godog/formatters"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/wsconform/wsconform/steps/featureset"
)

// Status is a scenario's outcome.
type Status string

// The outcomes of a scenario. Undefined, pending and ambiguous steps make a
// scenario Failed.
const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Skipped Status = "skipped"
)

// Outcome is the result of one scenario (one Examples row for an outline).
type Outcome struct {
	// ID is the scenario's stable id (see featureset.Scenario.ID): its @id:
	// tag's value, "<id>/<n>" for the n-th Examples row of an outline, ""
	// when the scenario has none.
	ID string
	// Feature is the feature's title.
	Feature string
	// File is the feature file's path as godog saw it, without a ":line" filter.
	File string
	// Name is the scenario's name with Examples values filled in.
	Name string
	// Line is the line of the scenario, or of its Examples row.
	Line int
	// Tags are the scenario's tags including inherited ones, with "@".
	Tags []string
	// Status is the outcome; a scenario that ran no step is Failed.
	Status Status
	// Step is, for Failed, the failing step and, for Skipped, the first
	// skipped step: keyword and text, e.g. "Then the rule gets 2 records".
	Step string
	// StepLine is the line of Step in the feature file.
	StepLine int
	// Error is the failing step's error message.
	Error string
	// Reason is, for Skipped, why the scenario was skipped when the run said
	// so through NoteSkip.
	Reason string
	// Example is, for an Examples row of an outline, the row's values as
	// "column=value" pairs in column order; nil for a plain scenario.
	Example []string
	// Duration is the time from the scenario's start to its last step's end.
	Duration time.Duration
	// Steps are the scenario's steps in order, each with its own outcome.
	Steps []Step

	steps   int
	total   int // steps of the pickle
	started time.Time
}

// Step is the outcome of one step of a scenario.
type Step struct {
	// Text is the keyword and text, e.g. "Then the rule gets 2 records".
	Text string
	// Line is the step's line in the feature file.
	Line int
	// Argument is the step's doc string or data table as text ("" when it
	// has none), a table's cells separated by " | ".
	Argument string
	// Status is passed, failed, skipped, undefined, pending or ambiguous.
	Status string
	// Error is the error of a step that did not pass or skip.
	Error string
}

// Location returns "file:line".
func (o Outcome) Location() string { return fmt.Sprintf("%s:%d", o.File, o.Line) }

// HasTag tells whether the scenario carries tag (with "@").
func (o Outcome) HasTag(tag string) bool {
	for _, t := range o.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// Collector gathers outcomes from the godog runs it is attached to. It is safe
// for concurrent use.
type Collector struct {
	name string

	mu       sync.Mutex
	outcomes map[string]*Outcome // by pickle id
	reasons  map[string]string   // skip reasons by pickle id
	took     map[string]time.Duration
	order    []string
	features map[string]featureInfo // by uri
	done     int
	total    int
	onDone   func(o Outcome, done, total int)
}

type featureInfo struct {
	name  string
	steps map[string]stepInfo
	ids   map[string]string   // scenario ids by AST node id
	rows  map[string][]string // "column=value" pairs by Examples row AST node id
}

type stepInfo struct {
	keyword string
	line    int
}

var seq atomic.Int64

// NewCollector registers a godog formatter that feeds the new Collector; add
// Format() to a run's format list to attach it.
func NewCollector() *Collector {
	c := &Collector{
		name:     "wsconform-results-" + strconv.FormatInt(seq.Add(1), 10),
		outcomes: map[string]*Outcome{},
		reasons:  map[string]string{},
		took:     map[string]time.Duration{},
		features: map[string]featureInfo{},
	}
	godog.Format(c.name, "collects scenario outcomes for wsconform", func(string, io.Writer) formatters.Formatter {
		return &formatter{c: c}
	})
	return c
}

// OnDone sets fn to be called once per scenario, right after its last step's
// outcome, with the scenario's outcome, how many scenarios are done and how
// many the run has (0 when SetTotal was not called). fn is called from the
// run's goroutines, one call at a time; it must not call the Collector.
func (c *Collector) OnDone(fn func(o Outcome, done, total int)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.onDone = fn
}

// SetTotal records how many scenarios the run has, for OnDone.
func (c *Collector) SetTotal(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total = n
}

// Format is the godog format name of the collector's formatter.
func (c *Collector) Format() string { return c.name }

// Outcomes returns the outcomes in the order scenarios started.
func (c *Collector) Outcomes() []Outcome {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Outcome, 0, len(c.order))
	for _, id := range c.order {
		out = append(out, c.final(id))
	}
	return out
}

// final is the outcome of the scenario with pickle id as reports show it;
// it is called with c.mu held.
func (c *Collector) final(id string) Outcome {
	o := *c.outcomes[id]
	o.Steps = append([]Step(nil), o.Steps...)
	if o.Status == Skipped {
		o.Reason = c.reasons[id]
	}
	if d, ok := c.took[id]; ok {
		o.Duration = d
	}
	if o.steps == 0 && o.Status == Passed {
		o.Status = Failed
		o.Error = "the scenario ran no step"
	}
	return o
}

// NoteSkip records why the scenario with the given pickle id is skipped. It is
// called by the step library when a target declines a scenario.
func (c *Collector) NoteSkip(pickleID, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reasons[pickleID] = reason
}

// NoteDuration records how long the scenario with the given pickle id ran,
// as its runner measured it; it wins over the time between the scenario's
// first and last formatter events, which godog may deliver at once.
func (c *Collector) NoteDuration(pickleID string, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.took[pickleID] = d
}

// Counts returns how many scenarios passed, failed and were skipped.
func Counts(outcomes []Outcome) (passed, failed, skipped int) {
	for _, o := range outcomes {
		switch o.Status {
		case Passed:
			passed++
		case Skipped:
			skipped++
		default:
			failed++
		}
	}
	return passed, failed, skipped
}

var lineSuffix = regexp.MustCompile(`:\d+$`)

type formatter struct{ c *Collector }

func (f *formatter) TestRunStarted() {}
func (f *formatter) Summary()        {}

func (f *formatter) Feature(doc *messages.GherkinDocument, uri string, _ []byte) {
	info := featureInfo{steps: map[string]stepInfo{}}
	if doc != nil && doc.Feature != nil {
		info.name = doc.Feature.Name
		info.ids = featureset.IDs(doc)
		info.rows = exampleRows(doc.Feature)
		for id, s := range featureset.StepsByID(doc.Feature) {
			info.steps[id] = stepInfo{keyword: s.Keyword, line: int(s.Location.Line)}
		}
	}
	f.c.mu.Lock()
	f.c.features[uri] = info
	f.c.mu.Unlock()
}

func (f *formatter) Pickle(p *messages.Pickle) {
	o := &Outcome{
		File:   lineSuffix.ReplaceAllString(p.Uri, ""),
		Name:   p.Name,
		Status: Passed,
	}
	if p.Location != nil {
		o.Line = int(p.Location.Line)
	}
	for _, t := range p.Tags {
		o.Tags = append(o.Tags, t.Name)
	}
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	info := f.c.features[p.Uri]
	o.Feature = info.name
	o.ID = featureset.PickleID(info.ids, p.AstNodeIds)
	if len(p.AstNodeIds) > 1 {
		o.Example = info.rows[p.AstNodeIds[1]]
	}
	o.total = len(p.Steps)
	for _, st := range p.Steps {
		info := info.steps[firstID(st.AstNodeIds)]
		o.Steps = append(o.Steps, Step{Text: info.keyword + st.Text, Line: info.line, Argument: argument(st.Argument)})
	}
	o.started = now()
	if _, ok := f.c.outcomes[p.Id]; !ok {
		f.c.order = append(f.c.order, p.Id)
	}
	f.c.outcomes[p.Id] = o
}

func (f *formatter) Defined(*messages.Pickle, *messages.PickleStep, *formatters.StepDefinition) {}

func (f *formatter) Passed(p *messages.Pickle, s *messages.PickleStep, _ *formatters.StepDefinition) {
	f.update(p, s, "passed", "", func(o *Outcome) {})
}

func (f *formatter) Failed(p *messages.Pickle, s *messages.PickleStep, _ *formatters.StepDefinition, err error) {
	msg := "failed"
	if err != nil {
		msg = err.Error()
	}
	f.fail(p, s, "failed", msg)
}

func (f *formatter) Skipped(p *messages.Pickle, s *messages.PickleStep, _ *formatters.StepDefinition) {
	f.update(p, s, "skipped", "", func(o *Outcome) {
		if o.Status == Passed {
			o.Status = Skipped
			o.Step, o.StepLine = f.stepText(p, s)
		}
	})
}

func (f *formatter) Undefined(p *messages.Pickle, s *messages.PickleStep, _ *formatters.StepDefinition) {
	f.fail(p, s, "undefined", "undefined step: no step definition matches it")
}

func (f *formatter) Pending(p *messages.Pickle, s *messages.PickleStep, _ *formatters.StepDefinition) {
	f.fail(p, s, "pending", "pending step: its definition is not implemented")
}

func (f *formatter) Ambiguous(p *messages.Pickle, s *messages.PickleStep, _ *formatters.StepDefinition, err error) {
	msg := "ambiguous step"
	if err != nil {
		msg = err.Error()
	}
	f.fail(p, s, "ambiguous", msg)
}

func (f *formatter) fail(p *messages.Pickle, s *messages.PickleStep, status, msg string) {
	f.update(p, s, status, msg, func(o *Outcome) {
		if o.Status != Failed {
			o.Status = Failed
			o.Step, o.StepLine = f.stepText(p, s)
			o.Error = msg
		}
	})
}

// stepText is called with f.c.mu held.
func (f *formatter) stepText(p *messages.Pickle, s *messages.PickleStep) (string, int) {
	if s == nil {
		return "", 0
	}
	info := f.c.features[p.Uri].steps[firstID(s.AstNodeIds)]
	return info.keyword + s.Text, info.line
}

// update records step s's status and error, applies fn, and, after the
// scenario's last step, calls the OnDone function.
func (f *formatter) update(p *messages.Pickle, s *messages.PickleStep, status, msg string, fn func(*Outcome)) {
	c := f.c
	c.mu.Lock()
	defer c.mu.Unlock()
	o, ok := c.outcomes[p.Id]
	if !ok {
		return
	}
	o.steps++
	if s != nil {
		for i, st := range p.Steps {
			if st.Id == s.Id && i < len(o.Steps) {
				o.Steps[i].Status, o.Steps[i].Error = status, msg
			}
		}
	}
	fn(o)
	o.Duration = now().Sub(o.started)
	if o.steps == o.total {
		c.done++
		if c.onDone != nil {
			c.onDone(c.final(p.Id), c.done, c.total)
		}
	}
}

// argument renders a step's doc string or data table as text.
func argument(a *messages.PickleStepArgument) string {
	switch {
	case a == nil:
		return ""
	case a.DocString != nil:
		return a.DocString.Content
	case a.DataTable != nil:
		rows := make([]string, 0, len(a.DataTable.Rows))
		for _, r := range a.DataTable.Rows {
			cells := make([]string, 0, len(r.Cells))
			for _, c := range r.Cells {
				cells = append(cells, c.Value)
			}
			rows = append(rows, "| "+strings.Join(cells, " | ")+" |")
		}
		return strings.Join(rows, "\n")
	}
	return ""
}

// now is time.Now; a variable for tests.
var now = time.Now

// exampleRows returns the values of every Examples row of the feature's
// outlines, by the row's AST node id, as "column=value" pairs.
func exampleRows(feat *messages.Feature) map[string][]string {
	rows := map[string][]string{}
	add := func(sc *messages.Scenario) {
		if sc == nil {
			return
		}
		for _, ex := range sc.Examples {
			if ex.TableHeader == nil {
				continue
			}
			for _, row := range ex.TableBody {
				pairs := make([]string, 0, len(row.Cells))
				for i, c := range row.Cells {
					if i < len(ex.TableHeader.Cells) {
						pairs = append(pairs, ex.TableHeader.Cells[i].Value+"="+c.Value)
					}
				}
				rows[row.Id] = pairs
			}
		}
	}
	for _, c := range feat.Children {
		add(c.Scenario)
		if c.Rule != nil {
			for _, rc := range c.Rule.Children {
				add(rc.Scenario)
			}
		}
	}
	return rows
}

func firstID(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}
