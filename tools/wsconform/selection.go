package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/wsconform/wsconform/steps/featureset"
)

// tagsHelp documents --tags, for run and list alike.
const tagsHelp = "tag `expression` selecting scenarios: Cucumber's syntax, tags joined by and, or, not and parentheses " +
	"(not binds tighter than and, and tighter than or), e.g. '@tls and not (@extension or @slow)'; " +
	"godog's older '@tls && ~@extension' (',' is or) is read too (default: every scenario)"

// choice is what selects the scenarios of a run or a listing: a tag
// expression, and scenario ids and locations (FILE:LINE). A scenario is
// chosen when the tag expression selects it and, if any ids or locations are
// given, one of them names it.
type choice struct {
	tags      string
	ids       []string
	locations []string
}

// selection returns what c chooses among the features of fsys. A tag
// expression that does not parse returns a *featureset.TagExprError.
func (c choice) selection(fsys fs.FS) (featureset.Selection, error) {
	expr, err := featureset.ParseTags(c.tags)
	if err != nil {
		return featureset.Selection{}, err
	}
	feats, err := featureset.Load(fsys)
	if err != nil {
		return featureset.Selection{}, err
	}
	var named map[string]bool // by Location; nil: every scenario
	if len(c.ids) > 0 || len(c.locations) > 0 {
		named = map[string]bool{}
		var unknown []string
		for _, id := range c.ids {
			found := featureset.Find(feats, id)
			if len(found) == 0 {
				unknown = append(unknown, id)
			}
			for _, s := range found {
				named[s.Location()] = true
			}
		}
		if len(unknown) > 0 {
			return featureset.Selection{}, &featureset.UnknownIDsError{IDs: unknown}
		}
		for _, loc := range c.locations {
			found, err := featureset.FindLocation(feats, loc)
			if err != nil {
				return featureset.Selection{}, err
			}
			for _, s := range found {
				named[s.Location()] = true
			}
		}
	}
	return featureset.Choose(fsys, func(s featureset.Scenario) bool {
		return (named == nil || named[s.Location()]) && expr.Match(s.Tags)
	})
}

// addArg records a positional argument: a location when it names a
// .feature file, otherwise scenario ids (comma separated).
func (c *choice) addArg(arg string) {
	if featureset.IsLocation(arg) {
		c.locations = append(c.locations, arg)
		return
	}
	_ = idList{&c.ids}.Set(arg)
}

// selectionError renders an error of choice.selection for flag --tags' user:
// a tag expression error shows where the expression is wrong.
func selectionError(err error) string {
	var te *featureset.TagExprError
	if errors.As(err, &te) {
		return fmt.Sprintf("--tags: %v\n%s", err, te.Where())
	}
	return err.Error()
}

// summarySchema is the schema of the reports/summary.json that
// --rerun-failed reads.
const summarySchema = "wsconform.summary/v1"

// failedInSummary returns the ids of the scenarios (Examples rows) whose
// status is failed in the summary.json at p; a scenario without an id is
// named by its location. It fails when p cannot be read or is not a
// summary of that schema.
func failedInSummary(p string) ([]string, []string, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, nil, fmt.Errorf("--rerun-failed %s: %w (wsconform run writes summary.json into its --report directory)", p, err)
	}
	var sum struct {
		Schema    *string `json:"schema"`
		Scenarios []struct {
			ID      string `json:"id"`
			Status  string `json:"status"`
			Feature string `json:"feature"`
			Line    int    `json:"line"`
		} `json:"scenarios"`
	}
	if err := json.Unmarshal(data, &sum); err != nil {
		return nil, nil, fmt.Errorf("--rerun-failed %s: not a wsconform summary (want JSON with \"schema\": %q): %w", p, summarySchema, err)
	}
	if sum.Schema == nil || *sum.Schema != summarySchema {
		got := "none"
		if sum.Schema != nil {
			got = strconv.Quote(*sum.Schema)
		}
		return nil, nil, fmt.Errorf("--rerun-failed %s: schema %s, want %q (the reports/summary.json of wsconform run)", p, got, summarySchema)
	}
	var ids, locations []string
	for i, s := range sum.Scenarios {
		if s.Status != "failed" {
			continue
		}
		switch {
		case s.ID != "":
			ids = append(ids, s.ID)
		case s.Feature != "" && s.Line > 0:
			locations = append(locations, fmt.Sprintf("%s:%d", path.Base(s.Feature), s.Line))
		default:
			return nil, nil, fmt.Errorf("--rerun-failed %s: scenario %d failed but has neither an id nor a feature and line", p, i+1)
		}
	}
	return ids, locations, nil
}

// describeChoice says what selected the scenarios, for a message.
func describeChoice(c choice) string {
	var parts []string
	if c.tags != "" {
		parts = append(parts, fmt.Sprintf("tags %q", c.tags))
	}
	if len(c.ids) > 0 {
		parts = append(parts, "ids "+strings.Join(c.ids, ","))
	}
	if len(c.locations) > 0 {
		parts = append(parts, "locations "+strings.Join(c.locations, " "))
	}
	if len(parts) == 0 {
		return "every scenario"
	}
	return strings.Join(parts, ", ")
}
