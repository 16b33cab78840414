package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/wsconform/wsconform/tools/internal/bench"
)

const benchUsage = `usage: wsconform bench [flags]             measure an engine next to a raw gorilla read loop
       wsconform bench report [flags] FILE...  BENCHMARKS.md and a chart from bench.json files
`

// benchCommand runs `wsconform bench`: the workloads against one engine,
// a table on stdout, bench.json and bench.svg under --out.
func benchCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "report" {
		return benchReportCommand(args[1:], stdout, stderr)
	}
	fl := flag.NewFlagSet("wsconform bench", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprint(stderr, benchUsage)
		fl.PrintDefaults()
	}
	var o bench.Options
	var only, out string
	fl.StringVar(&o.Target, "target", "ref", "engine under test: ref (in-process reference) or rest (any engine with the eKuiper REST API)")
	fl.StringVar(&o.Rest.RestURL, "rest-url", "", "rest target: the engine's REST API base URL (default http://127.0.0.1:9081)")
	fl.StringVar(&o.Rest.DataURL, "data-url", "", "rest target: the engine's data server, ws://host:port (default ws://127.0.0.1:10081)")
	fl.IntVar(&o.PID, "pid", 0, "rest target: the engine's process id, for its resident memory (/proc/PID/status)")
	fl.StringVar(&o.Label, "label", "", "the engine's name in reports")
	fl.StringVar(&only, "only", "", "comma-separated workloads to run (default all: "+strings.Join(bench.Workloads, ",")+")")
	fl.IntVar(&o.Messages, "messages", bench.DefaultMessages, "server-mode ingest: messages sent")
	fl.IntVar(&o.Conns, "conns", bench.DefaultConns, "server-mode ingest: connections they are spread over")
	fl.IntVar(&o.ClientMessages, "client-messages", bench.DefaultClientMessages, "client-mode ingest: messages the suite's server sends")
	fl.IntVar(&o.LatencyRate, "latency-rate", bench.DefaultLatencyRate, "latency: messages per second")
	fl.IntVar(&o.LatencyCount, "latency-count", bench.DefaultLatencyCount, "latency: messages timed")
	fl.IntVar(&o.IdleConns, "idle-conns", bench.DefaultIdleConns, fmt.Sprintf("idle: connections held open (at most %d, and what the open-file limits allow)", bench.MaxIdleConns))
	fl.IntVar(&o.StormConns, "storm-conns", bench.DefaultStormConns, "storm: connections opened")
	fl.IntVar(&o.StormParallel, "storm-parallel", bench.DefaultStormParallel, "storm: concurrent dialers")
	fl.DurationVar(&o.Timeout, "timeout", bench.DefaultTimeout, "bound of each workload's wait for the engine")
	fl.StringVar(&out, "out", "bench", "directory for bench.json and bench.svg")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "wsconform bench: unexpected arguments %q\n", fl.Args())
		return 2
	}
	if only != "" {
		known := map[string]bool{}
		for _, w := range bench.Workloads {
			known[w] = true
		}
		for _, w := range strings.Split(only, ",") {
			if !known[w] {
				fmt.Fprintf(stderr, "wsconform bench: unknown workload %q (known: %s)\n", w, strings.Join(bench.Workloads, ","))
				return 2
			}
			o.Only = append(o.Only, w)
		}
	}
	if o.Target != "ref" && o.Target != "rest" {
		fmt.Fprintf(stderr, "wsconform bench: --target %q: want ref or rest\n", o.Target)
		return 2
	}
	o.Progress = stderr
	res, err := bench.Run(ctx, o)
	if res == nil {
		fmt.Fprintf(stderr, "wsconform bench: %v\n", err)
		return 1
	}
	if werr := bench.WriteTable(stdout, res); werr != nil {
		err = errors.Join(err, werr)
	}
	if werr := bench.WriteJSON(filepath.Join(out, "bench.json"), res); werr != nil {
		err = errors.Join(err, werr)
	}
	if werr := bench.WriteSVG(filepath.Join(out, "bench.svg"), []*bench.Result{res}); werr != nil {
		err = errors.Join(err, werr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "wsconform bench: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "wsconform bench: wrote %s and %s\n", filepath.Join(out, "bench.json"), filepath.Join(out, "bench.svg"))
	return 0
}

// benchReportCommand runs `wsconform bench report`: BENCHMARKS.md and a
// chart from the bench.json of several runs.
func benchReportCommand(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("wsconform bench report", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var md, svg, command string
	fl.StringVar(&md, "markdown", "BENCHMARKS.md", "the Markdown report to write")
	fl.StringVar(&svg, "svg", "BENCHMARKS.svg", "the chart to write (linked from the report by its base name)")
	fl.StringVar(&command, "command", "make bench-ekuiper", "the command that produced the runs, for the report")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fl.NArg() == 0 {
		fmt.Fprint(stderr, "wsconform bench report: give the bench.json files of the runs\n")
		return 2
	}
	var rs []*bench.Result
	for _, p := range fl.Args() {
		r, err := bench.ReadJSON(p)
		if err != nil {
			fmt.Fprintf(stderr, "wsconform bench report: %v\n", err)
			return 1
		}
		rs = append(rs, r)
	}
	if err := bench.WriteSVG(svg, rs); err != nil {
		fmt.Fprintf(stderr, "wsconform bench report: %v\n", err)
		return 1
	}
	rel, err := filepath.Rel(filepath.Dir(md), svg)
	if err != nil {
		rel = filepath.Base(svg)
	}
	if err := bench.WriteMarkdown(md, rs, command, filepath.ToSlash(rel)); err != nil {
		fmt.Fprintf(stderr, "wsconform bench report: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s and %s\n", md, svg)
	return 0
}
