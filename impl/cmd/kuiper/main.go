// Command kuiper is a command line client of the eKuiper REST API, with
// eKuiper's command syntax:
//
//	kuiper [--host HOST] [--port PORT] COMMAND
//
//	create stream NAME '(FIELDS) WITH (OPTIONS)'
//	create rule ID -f FILE.json | create rule ID 'JSON'
//	show streams | show rules
//	describe stream NAME | describe rule ID
//	drop stream NAME | drop rule ID
//	start rule ID | stop rule ID | restart rule ID
//	getstatus rule ID
//
// The exit status is non-zero when a command fails; the server's message is
// printed.
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
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a command line that names no valid command.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg + "\n" + usage }

const usage = `usage: kuiper [--host HOST] [--port PORT] COMMAND
commands:
  create stream NAME '(FIELDS) WITH (OPTIONS)'
  create rule ID -f FILE.json | create rule ID 'JSON'
  show streams | show rules
  describe stream NAME | describe rule ID
  drop stream NAME | drop rule ID
  start rule ID | stop rule ID | restart rule ID
  getstatus rule ID`

// run executes one command line against the REST API.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("kuiper", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() { fmt.Fprintln(stderr, usage); fset.PrintDefaults() }
	host := fset.String("host", "127.0.0.1", "`HOST` of the REST API")
	port := fset.Int("port", 9081, "`PORT` of the REST API")
	timeout := fset.Duration("timeout", defaultTimeout, "bound on each request")
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	c := newClient(*host, *port, *timeout)
	defer c.close()
	return dispatch(ctx, c, fset.Args(), stdout)
}
