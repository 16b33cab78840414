package featureset

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
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
