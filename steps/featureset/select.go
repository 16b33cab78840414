package featureset

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"
)

// Selection is what runs exactly a chosen set of scenarios: godog run on FS
// with Paths runs Scenarios and nothing else.
type Selection struct {
	// FS serves the features, with the Examples rows that are not chosen left
	// out of their outlines (line numbers and row ids stay the same).
	FS fs.FS
	// Paths are the godog paths, "file:line", one per scenario or outline.
	Paths []string
	// Scenarios are the chosen scenarios and rows, in file order.
	Scenarios []Scenario
}

// Select returns the Selection that runs the scenarios ids name among the
// features of fsys: a scenario id runs the scenario (every row of an
// outline), a row id "<id>/<n>" that row. Ids that name nothing make an
// *UnknownIDsError naming them all.
func Select(fsys fs.FS, ids []string) (Selection, error) {
	features, err := Load(fsys)
	if err != nil {
		return Selection{}, err
	}
	chosen := map[string]bool{} // by Location
	var unknown []string
	for _, id := range ids {
		found := Find(features, id)
		if len(found) == 0 {
			unknown = append(unknown, id)
		}
		for _, s := range found {
			chosen[s.Location()] = true
		}
	}
	if len(unknown) > 0 {
		return Selection{}, &UnknownIDsError{IDs: unknown}
	}
	return choose(fsys, features, func(s Scenario) bool { return chosen[s.Location()] })
}

// Choose returns the Selection that runs the scenarios (Examples rows) of
// the features of fsys for which keep is true. It may choose none: then
// Paths is empty, and running the Selection means running nothing.
func Choose(fsys fs.FS, keep func(Scenario) bool) (Selection, error) {
	features, err := Load(fsys)
	if err != nil {
		return Selection{}, err
	}
	return choose(fsys, features, keep)
}

func choose(fsys fs.FS, features []Feature, keep func(Scenario) bool) (Selection, error) {
	chosen := map[string]bool{} // by Location
	for _, f := range features {
		for _, s := range f.Scenarios {
			if keep(s) {
				chosen[s.Location()] = true
			}
		}
	}
	sel := Selection{FS: fsys}
	blank := map[string]map[int]bool{} // file -> row lines left out
	seen := map[string]bool{}
	for _, f := range features {
		for _, s := range f.Scenarios {
			if !chosen[s.Location()] {
				continue
			}
			sel.Scenarios = append(sel.Scenarios, s)
			if !seen[s.Path()] {
				seen[s.Path()] = true
				sel.Paths = append(sel.Paths, s.Path())
			}
		}
		for _, s := range f.Scenarios {
			if s.RowLine > 0 && !chosen[s.Location()] && seen[s.Path()] {
				if blank[f.File] == nil {
					blank[f.File] = map[int]bool{}
				}
				blank[f.File][s.RowLine] = true
			}
		}
	}
	if len(blank) > 0 {
		files := map[string][]byte{}
		for file, lines := range blank {
			data, err := fs.ReadFile(fsys, file)
			if err != nil {
				return Selection{}, fmt.Errorf("select scenarios: %w", err)
			}
			files[path.Clean(file)] = leaveOut(data, lines)
		}
		sel.FS = overlayFS{FS: fsys, files: files}
	}
	return sel, nil
}

// FindLocation returns the scenarios a location names: "FILE:LINE" where
// LINE is the line of a scenario (every row of an outline) or of one
// Examples row, or "FILE" for every scenario of the file. FILE is matched by
// its name, so "features/json.feature:12" and "json.feature:12" are the same.
// It fails, naming the location, when the location names nothing.
func FindLocation(features []Feature, loc string) ([]Scenario, error) {
	file, line := loc, 0
	if i := strings.LastIndex(loc, ":"); i >= 0 {
		n, err := strconv.Atoi(loc[i+1:])
		if err != nil || n < 1 {
			return nil, fmt.Errorf("location %q: want FILE.feature:LINE with LINE a positive number", loc)
		}
		file, line = loc[:i], n
	}
	name := path.Base(filepath.ToSlash(file))
	var in *Feature
	for i := range features {
		if path.Base(features[i].File) == name {
			in = &features[i]
		}
	}
	if in == nil {
		return nil, fmt.Errorf("location %q: the suite has no feature file %s (wsconform list shows the locations)", loc, name)
	}
	var out []Scenario
	for _, s := range in.Scenarios {
		if line == 0 || s.Line == line || s.RowLine == line {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("location %q: no scenario and no Examples row of %s is at line %d (wsconform list shows the locations)", loc, in.File, line)
	}
	return out, nil
}

// IsLocation tells whether arg looks like a location FindLocation reads
// ("x.feature" or "x.feature:LINE") rather than a scenario id.
func IsLocation(arg string) bool {
	file, _, _ := strings.Cut(arg, ":")
	return strings.HasSuffix(file, ".feature")
}

// leaveOut replaces the given lines (Examples rows) of a feature file by a
// comment saying the row is left out, keeping their indentation.
func leaveOut(data []byte, rows map[int]bool) []byte {
	lines := strings.SplitAfter(string(data), "\n")
	for i, l := range lines {
		if rows[i+1] {
			indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
			lines[i] = indent + unselectedRow + "\n"
		}
	}
	return []byte(strings.Join(lines, ""))
}

// SelectRow returns a file system that serves fsys unchanged except for file,
// in which every Examples body row of the outline at scenarioLine other than
// rowLine is left out (line numbers and row ids stay the same). Running
// "file:scenarioLine" on it runs only that row.
func SelectRow(fsys fs.FS, file string, scenarioLine, rowLine int) (fs.FS, error) {
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, fmt.Errorf("select row %s:%d: %w", file, rowLine, err)
	}
	doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(data), (&messages.Incrementing{}).NewId)
	if err != nil {
		return nil, fmt.Errorf("select row %s:%d: %w", file, rowLine, err)
	}
	idx := index(doc.Feature)
	var outline *messages.Scenario
	for _, sc := range idx.scenarios {
		if int(sc.Location.Line) == scenarioLine {
			outline = sc
		}
	}
	if outline == nil {
		return nil, fmt.Errorf("select row %s:%d: no scenario at line %d", file, rowLine, scenarioLine)
	}
	blank := map[int]bool{}
	found := false
	for _, ex := range outline.Examples {
		for _, row := range ex.TableBody {
			if int(row.Location.Line) == rowLine {
				found = true
				continue
			}
			blank[int(row.Location.Line)] = true
		}
	}
	if !found {
		return nil, fmt.Errorf("select row %s:%d: not an Examples row of the outline at line %d", file, rowLine, scenarioLine)
	}
	return overlayFS{FS: fsys, files: map[string][]byte{path.Clean(file): leaveOut(data, blank)}}, nil
}
