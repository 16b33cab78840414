// Package features holds the conformance suite's Gherkin features: the
// normative description of the eKuiper WebSocket source, one file per area.
package features

import "embed"

// FS holds every *.feature file of the suite, at the root of the file system.
//
//go:embed *.feature
var FS embed.FS
