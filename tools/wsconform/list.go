package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/wsconform/wsconform/features"
	"github.com/wsconform/wsconform/steps/featureset"
)

// listCommand prints one line per scenario (per Examples row) that --tags,
// --id and the arguments (ids, FILE:LINE locations) choose, as run chooses
// them, tab separated: its id (what --id and expectations files name),
// location, name and tags (the @id: tag left out).
func listCommand(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("wsconform list", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var c choice
	fl.StringVar(&c.tags, "tags", "", tagsHelp)
	fl.Var(idList{&c.ids}, "id", "list only these scenarios: scenario ids or Examples row ids, comma separated (ids and locations FILE.feature:LINE may also be given as arguments)")
	for rest := args; ; {
		if err := fl.Parse(rest); err != nil {
			return parseStatus(err)
		}
		rest = fl.Args()
		if len(rest) == 0 {
			break
		}
		c.addArg(rest[0])
		rest = rest[1:]
	}
	sel, err := c.selection(features.FS)
	if err != nil {
		fmt.Fprintf(stderr, "wsconform list: %s\n", selectionError(err))
		return 2
	}
	for _, s := range sel.Scenarios {
		var tags []string
		for _, t := range s.Tags {
			if !strings.HasPrefix(t, featureset.IDTagPrefix) {
				tags = append(tags, t)
			}
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", s.ID, s.Location(), s.Name, strings.Join(tags, " "))
	}
	fmt.Fprintf(stderr, "%d scenarios\n", len(sel.Scenarios))
	return 0
}
