// Package junit writes a conformance run's outcomes as JUnit XML, the format
// Jenkins, GitLab and most CI systems read: one <testsuite> per feature, one
// <testcase> per scenario or Examples row (named with the row's values), a
// <skipped> with the reason, a <failure> with the failing step and what went
// wrong, and no per-step entries.
package junit

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"github.com/wsconform/wsconform/steps/results"
)

// Run is what the XML is made from.
type Run struct {
	// Name names the whole run, e.g. "wsconform".
	Name string
	// Target names the engine under test; it becomes a property of each suite.
	Target string
	// SuiteVersion (the wsconform version) and Engine (the engine and its
	// version, "" when unknown) become properties of each suite too.
	SuiteVersion, Engine string
	// Started is when the run started; Duration how long it took.
	Started  time.Time
	Duration time.Duration
	// Outcomes are the scenarios' results, in run order.
	Outcomes []results.Outcome
}

type testsuites struct {
	XMLName  xml.Name    `xml:"testsuites"`
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Suites   []testsuite `xml:"testsuite"`
}

type testsuite struct {
	Name       string     `xml:"name,attr"`
	Tests      int        `xml:"tests,attr"`
	Failures   int        `xml:"failures,attr"`
	Errors     int        `xml:"errors,attr"`
	Skipped    int        `xml:"skipped,attr"`
	Time       string     `xml:"time,attr"`
	Timestamp  string     `xml:"timestamp,attr"`
	Properties []property `xml:"properties>property,omitempty"`
	Cases      []testcase `xml:"testcase"`
}

type property struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type testcase struct {
	Name       string     `xml:"name,attr"`
	Classname  string     `xml:"classname,attr"`
	Time       string     `xml:"time,attr"`
	File       string     `xml:"file,attr,omitempty"`
	Line       int        `xml:"line,attr,omitempty"`
	Properties []property `xml:"properties>property,omitempty"`
	Skipped    *message   `xml:"skipped"`
	Failure    *message   `xml:"failure"`
}

type message struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// CaseName is a testcase's name: the scenario's name, with an Examples row's
// values in brackets.
func CaseName(o results.Outcome) string {
	if len(o.Example) == 0 {
		return o.Name
	}
	return o.Name + " [" + strings.Join(o.Example, ", ") + "]"
}

// Marshal renders the run as a JUnit XML document.
func Marshal(run Run) ([]byte, error) {
	doc := testsuites{Name: run.Name, Time: seconds(run.Duration)}
	byFeature := map[string]int{}
	var durations []time.Duration // by suite
	for _, o := range run.Outcomes {
		i, ok := byFeature[o.File]
		if !ok {
			i = len(doc.Suites)
			byFeature[o.File] = i
			s := testsuite{Name: o.Feature, Timestamp: run.Started.UTC().Format("2006-01-02T15:04:05")}
			for _, p := range []property{{"target", run.Target}, {"wsconform.version", run.SuiteVersion}, {"engine", run.Engine}} {
				if p.Value != "" {
					s.Properties = append(s.Properties, p)
				}
			}
			doc.Suites = append(doc.Suites, s)
			durations = append(durations, 0)
		}
		durations[i] += o.Duration
		s := &doc.Suites[i]
		c := testcase{
			Name:      CaseName(o),
			Classname: o.Feature,
			Time:      seconds(o.Duration),
			File:      o.File,
			Line:      o.Line,
			Properties: []property{
				{Name: "id", Value: o.ID},
				{Name: "tags", Value: strings.Join(o.Tags, " ")},
				{Name: "location", Value: o.Location()},
			},
		}
		s.Tests++
		doc.Tests++
		switch o.Status {
		case results.Skipped:
			reason := o.Reason
			if reason == "" {
				reason = fmt.Sprintf("skipped at step %q", o.Step)
			}
			c.Skipped = &message{Message: reason}
			s.Skipped++
			doc.Skipped++
		case results.Failed:
			first, _, _ := strings.Cut(o.Error, "\n")
			c.Failure = &message{
				Message: fmt.Sprintf("%s: %s", o.Step, first),
				Type:    "failed",
				Text:    fmt.Sprintf("%s\nstep: %s (%s:%d)\n%s\n", o.Location(), o.Step, o.File, o.StepLine, o.Error),
			}
			s.Failures++
			doc.Failures++
		}
		s.Cases = append(s.Cases, c)
	}
	for i, d := range durations {
		doc.Suites[i].Time = seconds(d)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("junit: %w", err)
	}
	buf.WriteString("\n")
	return buf.Bytes(), nil
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%.3f", d.Seconds())
}
