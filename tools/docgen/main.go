// Command docgen generates features/README.md, the behaviour documentation of
// the eKuiper WebSocket source, from features/*.feature: per area, each rule in
// plain words with its level and scenario id, and eKuiper's outcome for it as
// recorded in fixtures/expectations/ekuiper-2.4.0.yaml (no such column when
// that file does not exist). With -check it writes nothing and exits 1 when
// the document is stale.
//
//	go run ./tools/docgen [-features features] [-out features/README.md] [-expectations FILE] [-check]
package main

import (
	"os"

	"github.com/wsconform/wsconform/tools/internal/docgen"
)

func main() {
	os.Exit(docgen.Run(os.Args[1:], os.Stdout, os.Stderr))
}
