package featureset

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	messages "github.com/cucumber/messages/go/v34"
)

// IDTagPrefix starts the tag that names a scenario: "@id:<slug>" on the
// scenario's tag line. The slug is the scenario's id; the n-th Examples row
// of a Scenario Outline (counted from 1 across all its Examples tables) has
// the id "<slug>/<n>".
const IDTagPrefix = "@id:"

var idPattern = regexp.MustCompile(`^[a-z0-9-]+$`)

// ValidID tells whether id is a well-formed scenario id: lower-case letters,
// digits and hyphens, at least one.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// TagIDs returns the values of the @id: tags among tags, in order.
func TagIDs(tags []*messages.Tag) []string {
	var out []string
	for _, t := range tags {
		if v, ok := strings.CutPrefix(t.Name, IDTagPrefix); ok {
			out = append(out, v)
		}
	}
	return out
}

// RowID returns the id of the n-th Examples row (from 1) of the outline
// whose id is id.
func RowID(id string, n int) string { return id + "/" + strconv.Itoa(n) }

// SplitID splits a row id "<id>/<n>" into the outline's id and n; for a
// scenario id it returns the id and 0. ok is false when id is neither.
func SplitID(id string) (scenario string, row int, ok bool) {
	base, num, isRow := strings.Cut(id, "/")
	if !ValidID(base) {
		return "", 0, false
	}
	if !isRow {
		return base, 0, true
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || strconv.Itoa(n) != num {
		return "", 0, false
	}
	return base, n, true
}

// BaseID returns the scenario id of a scenario or row id: "<id>/<n>" gives
// "<id>", anything else is returned as it is.
func BaseID(id string) string {
	base, _, _ := strings.Cut(id, "/")
	return base
}

// unselectedRow is the comment that stands for an Examples row left out of a
// run (see Select); it keeps the numbering of the rows after it.
const unselectedRow = "# (Examples row left out of this run)"

// IDs returns the id of every Scenario and of every Examples body row in doc,
// by AST node id: a scenario's id is the value of its first @id: tag, a row's
// is RowID of its outline's id and its position. A scenario without an @id:
// tag, and its rows, have no entry. Rows left out by Select keep their
// numbers, so the rows that remain keep their ids.
func IDs(doc *messages.GherkinDocument) map[string]string {
	ids := map[string]string{}
	if doc == nil || doc.Feature == nil {
		return ids
	}
	var placeholders []int
	for _, c := range doc.Comments {
		if c != nil && c.Location != nil && strings.TrimSpace(c.Text) == unselectedRow {
			placeholders = append(placeholders, int(c.Location.Line))
		}
	}
	scenarios, starts := outline(doc.Feature)
	for _, sc := range scenarios {
		tagged := TagIDs(sc.Tags)
		if len(tagged) == 0 {
			continue
		}
		id := tagged[0]
		ids[sc.Id] = id
		if len(sc.Examples) == 0 {
			continue
		}
		end := math.MaxInt
		for _, s := range starts {
			if s > int(sc.Location.Line) && s < end {
				end = s
			}
		}
		type item struct {
			line int
			node string // "" for a placeholder
		}
		var items []item
		for _, ex := range sc.Examples {
			for _, row := range ex.TableBody {
				items = append(items, item{int(row.Location.Line), row.Id})
			}
		}
		for _, l := range placeholders {
			if l > int(sc.Location.Line) && l < end {
				items = append(items, item{line: l})
			}
		}
		sort.Slice(items, func(i, j int) bool { return items[i].line < items[j].line })
		for n, it := range items {
			if it.node != "" {
				ids[it.node] = RowID(id, n+1)
			}
		}
	}
	return ids
}

// PickleID returns the id of the pickle whose AstNodeIds are nodes, from the
// map IDs returned: its Examples row's id for an outline, its scenario's
// otherwise; "" when it has none.
func PickleID(ids map[string]string, nodes []string) string {
	switch len(nodes) {
	case 0:
		return ""
	case 1:
		return ids[nodes[0]]
	default:
		return ids[nodes[1]]
	}
}

// outline returns every scenario of feat, those inside rules included, and
// the lines where a background, scenario or rule starts.
func outline(feat *messages.Feature) (scenarios []*messages.Scenario, starts []int) {
	for _, c := range feat.Children {
		switch {
		case c.Background != nil:
			starts = append(starts, int(c.Background.Location.Line))
		case c.Scenario != nil:
			scenarios = append(scenarios, c.Scenario)
			starts = append(starts, int(c.Scenario.Location.Line))
		case c.Rule != nil:
			starts = append(starts, int(c.Rule.Location.Line))
			for _, rc := range c.Rule.Children {
				switch {
				case rc.Background != nil:
					starts = append(starts, int(rc.Background.Location.Line))
				case rc.Scenario != nil:
					scenarios = append(scenarios, rc.Scenario)
					starts = append(starts, int(rc.Scenario.Location.Line))
				}
			}
		}
	}
	return scenarios, starts
}

// UnknownIDsError is the error of Select for ids that name no scenario and no
// Examples row.
type UnknownIDsError struct{ IDs []string }

func (e *UnknownIDsError) Error() string {
	q := make([]string, len(e.IDs))
	for i, id := range e.IDs {
		q[i] = strconv.Quote(id)
	}
	noun := "id"
	if len(e.IDs) > 1 {
		noun = "ids"
	}
	return fmt.Sprintf("unknown scenario %s %s (wsconform list shows them)", noun, strings.Join(q, ", "))
}

// Find returns the scenarios id names: the scenario, every row of an
// outline, or one Examples row; nil when it names none.
func Find(features []Feature, id string) []Scenario {
	if id == "" {
		return nil
	}
	var out []Scenario
	for _, f := range features {
		for _, s := range f.Scenarios {
			if s.ID == id || (s.RowLine > 0 && BaseID(s.ID) == id) {
				out = append(out, s)
			}
		}
	}
	return out
}
