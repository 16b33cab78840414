// Package results collects the outcome of every scenario of a godog run
// through a godog formatter, for reports and for runners that must tell a
// skipped scenario from a passed one.
package results

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
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

	steps   int
	started time.Time
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
	order    []string
	features map[string]featureInfo // by uri
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
		features: map[string]featureInfo{},
	}
	godog.Format(c.name, "collects scenario outcomes for wsconform", func(string, io.Writer) formatters.Formatter {
		return &formatter{c: c}
	})
	return c
}

// Format is the godog format name of the collector's formatter.
func (c *Collector) Format() string { return c.name }

// Outcomes returns the outcomes in the order scenarios started.
func (c *Collector) Outcomes() []Outcome {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Outcome, 0, len(c.order))
	for _, id := range c.order {
		o := *c.outcomes[id]
		if o.Status == Skipped {
			o.Reason = c.reasons[id]
		}
		if o.steps == 0 && o.Status == Passed {
			o.Status = Failed
			o.Error = "the scenario ran no step"
		}
		out = append(out, o)
	}
	return out
}

// NoteSkip records why the scenario with the given pickle id is skipped. It is
// called by the step library when a target declines a scenario.
func (c *Collector) NoteSkip(pickleID, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reasons[pickleID] = reason
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
	o.started = now()
	if _, ok := f.c.outcomes[p.Id]; !ok {
		f.c.order = append(f.c.order, p.Id)
	}
	f.c.outcomes[p.Id] = o
}

func (f *formatter) Defined(*messages.Pickle, *messages.PickleStep, *formatters.StepDefinition) {}

func (f *formatter) Passed(p *messages.Pickle, _ *messages.PickleStep, _ *formatters.StepDefinition) {
	f.update(p, func(o *Outcome) { o.steps++ })
}

func (f *formatter) Failed(p *messages.Pickle, s *messages.PickleStep, _ *formatters.StepDefinition, err error) {
	msg := "failed"
	if err != nil {
		msg = err.Error()
	}
	f.fail(p, s, msg)
}

func (f *formatter) Skipped(p *messages.Pickle, s *messages.PickleStep, _ *formatters.StepDefinition) {
	f.update(p, func(o *Outcome) {
		o.steps++
		if o.Status == Passed {
			o.Status = Skipped
			o.Step, o.StepLine = f.stepText(p, s)
		}
	})
}

func (f *formatter) Undefined(p *messages.Pickle, s *messages.PickleStep, _ *formatters.StepDefinition) {
	f.fail(p, s, "undefined step: no step definition matches it")
}

func (f *formatter) Pending(p *messages.Pickle, s *messages.PickleStep, _ *formatters.StepDefinition) {
	f.fail(p, s, "pending step: its definition is not implemented")
}

func (f *formatter) Ambiguous(p *messages.Pickle, s *messages.PickleStep, _ *formatters.StepDefinition, err error) {
	msg := "ambiguous step"
	if err != nil {
		msg = err.Error()
	}
	f.fail(p, s, msg)
}

func (f *formatter) fail(p *messages.Pickle, s *messages.PickleStep, msg string) {
	f.update(p, func(o *Outcome) {
		o.steps++
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

func (f *formatter) update(p *messages.Pickle, fn func(*Outcome)) {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	o, ok := f.c.outcomes[p.Id]
	if !ok {
		return
	}
	fn(o)
	o.Duration = now().Sub(o.started)
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
