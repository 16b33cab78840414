package main

import (
	"flag"
	"fmt"
	"io"

	restt "github.com/wsconform/wsconform/steps/target/rest"
)

// configCommand writes the configuration of an engine under test and tells
// how to run the suite against it.
func configCommand(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("wsconform config", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("out", "", "directory to write kuiper.yaml, sources/websocket.yaml (and certs/ with --tls) into (required)")
	withTLS := fl.Bool("tls", false, "serve the data server as wss with certificates generated under DIR/certs")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fl.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: wsconform config --out DIR [--tls]")
		return 2
	}
	cfg, err := restt.WriteConfig(*out, *withTLS)
	if err != nil {
		fmt.Fprintf(stderr, "wsconform config: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s\nwrote %s\n", cfg.KuiperFile, cfg.WebsocketFile)
	if cfg.CAFile != "" {
		fmt.Fprintf(stdout, "wrote %s, %s, %s\n", cfg.CAFile, cfg.ServerCertFile, cfg.ServerKeyFile)
	}
	run := fmt.Sprintf("wsconform run --target rest --rest-url %s --data-url %s", cfg.RestURL, cfg.DataURL)
	if cfg.CAFile != "" {
		run += " --ca " + cfg.CAFile
	}
	fmt.Fprintf(stdout, "\nstart the engine with this configuration directory (eKuiper: its etc/), then run:\n  %s\n", run)
	return 0
}
