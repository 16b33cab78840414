package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/cucumber/godog"

	"github.com/wsconform/wsconform/features"
	"github.com/wsconform/wsconform/steps/featureset"
)

// listCommand prints one line per scenario (per Examples row), tab
// separated: its id (what --id and expectations files name), location, name
// and tags (the @id: tag left out).
func listCommand(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("wsconform list", flag.ContinueOnError)
	fl.SetOutput(stderr)
	tags := fl.String("tags", "", "godog tag expression selecting scenarios, e.g. '@tls && ~@extension'")
	if err := fl.Parse(args); err != nil {
		return parseStatus(err)
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "wsconform list: unexpected arguments %q\n", fl.Args())
		return 2
	}
	fs, err := featureset.Load(features.FS)
	if err != nil {
		fmt.Fprintf(stderr, "wsconform list: %v\n", err)
		return 1
	}
	selected := map[string]bool{}
	if *tags != "" {
		locs, err := selectByTags(*tags)
		if err != nil {
			fmt.Fprintf(stderr, "wsconform list: %v\n", err)
			return 2
		}
		selected = locs
	}
	n := 0
	for _, f := range fs {
		for _, s := range f.Scenarios {
			if *tags != "" && !selected[s.Location()] {
				continue
			}
			n++
			var tags []string
			for _, t := range s.Tags {
				if !strings.HasPrefix(t, featureset.IDTagPrefix) {
					tags = append(tags, t)
				}
			}
			fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", s.ID, s.Location(), s.Name, strings.Join(tags, " "))
		}
	}
	fmt.Fprintf(stderr, "%d scenarios\n", n)
	return 0
}

// selectByTags returns the locations (file:line of the scenario or Examples
// row) of the scenarios the tag expression selects, as godog selects them.
func selectByTags(tags string) (map[string]bool, error) {
	feats, err := godog.TestSuite{Options: &godog.Options{FS: features.FS, Tags: tags, Paths: []string{"."}}}.RetrieveFeatures()
	if err != nil {
		return nil, fmt.Errorf("select scenarios by tags %q: %w", tags, err)
	}
	out := map[string]bool{}
	for _, f := range feats {
		for _, p := range f.Pickles {
			if p.Location != nil {
				out[fmt.Sprintf("%s:%d", p.Uri, p.Location.Line)] = true
			}
		}
	}
	return out, nil
}
