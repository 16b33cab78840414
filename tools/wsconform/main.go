// Command wsconform runs the conformance suite of the eKuiper WebSocket source
// against an engine: the embedded reference implementation (--target ref) or
// any engine with an eKuiper-compatible REST API (--target rest). The features
// are embedded, so the binary is all a user needs:
//
//	go install github.com/wsconform/wsconform/tools/wsconform@latest
//	wsconform config --out etc [--tls]      # configuration for the engine under test
//	wsconform run --target rest --rest-url http://127.0.0.1:9081 --data-url ws://127.0.0.1:10081
//	wsconform run [--id ID[,ID...]] [ID...]   # only these scenarios (ids from wsconform list)
//	wsconform run --expect fixtures/expectations/ekuiper-2.4.0.yaml
//	wsconform list [--tags EXPR]
//
// run prints one line per finished scenario, then the failures with their
// rerun commands and the counts per level, writes reports (junit.xml,
// cucumber.json, report.md, report.html, summary.json, and with --expect
// expectations.json) under --report, ends with "N passed, M failed, K
// skipped" and the wall time, and exits 0 only when no scenario failed. With --expect FILE it exits 0 when every outcome is the one
// FILE expects (scenarios not listed are expected to pass): an outcome that
// differs is run again alone, and is reported as flaky when it then matches,
// as unexpected (exit 1) when it does not. A line
// "expectations (FILE): X as expected (Y known deviations), U unexpected, F flaky"
// follows the summary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	buildversion "github.com/wsconform/wsconform/internal/version"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage: wsconform <command> [flags]

commands:
  run     run the scenarios against an engine and write reports
          (--id or arguments: only these scenario ids; --expect FILE: judge outcomes against an expectations file)
  list    list the scenarios: id, location, name and tags
  version print the version
  config  write kuiper.yaml, sources/websocket.yaml and certificates for an engine under test

"wsconform <command> -h" shows the command's flags.
`

// Main runs the command in args and returns the exit status: 0 success, 1
// failure (a scenario failed, or with --expect an outcome was unexpected), 2
// wrong usage (an unknown scenario id, a bad expectations file) or a run that
// could not start.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "run":
		return runCommand(ctx, args[1:], stdout, stderr)
	case "list":
		return listCommand(args[1:], stdout, stderr)
	case "config":
		return configCommand(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "version", "-version", "--version":
		fmt.Fprintf(stdout, "wsconform %s\n", version())
		return 0
	default:
		fmt.Fprintf(stderr, "wsconform: unknown command %q\n%s", args[0], usage)
		return 2
	}
}

// parseStatus is the exit status of a command whose flags did not parse: 0
// for -h or --help (the usage was printed), 2 otherwise.
func parseStatus(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}

// version is the module version wsconform was built from (see
// version.String).
func version() string { return buildversion.String() }
