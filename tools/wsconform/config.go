package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/wsconform/wsconform/internal/pki"
	restt "github.com/wsconform/wsconform/steps/target/rest"
)

const configUsage = "usage: wsconform config --out DIR [--for ekuiper|reference] [--tls] [--host NAME,...] [--days N] [--rest-port N] [--data-port N] [--force]"

// configCommand writes the configuration of an engine under test and tells
// how to start the engine and run the suite against it.
func configCommand(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("wsconform config", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("out", "", "`DIR` to write the configuration into (required): for the reference daemon its etc directory "+
		"(kuiper.yaml, sources/websocket.yaml, with --tls certs/); for eKuiper etc/, data/, log/, plugins/ and with --tls certs/")
	engine := fl.String("for", string(restt.EngineReference), "the `engine` to configure: ekuiper or reference")
	withTLS := fl.Bool("tls", false, "serve the data server as wss with certificates generated under DIR/certs")
	restPort := fl.Int("rest-port", 0, fmt.Sprintf("the engine's REST API `port` on 127.0.0.1 (0: %d)", restt.DefaultRestPort))
	dataPort := fl.Int("data-port", 0, fmt.Sprintf("the engine's data server `port` on 127.0.0.1 (0: %d)", restt.DefaultDataPort))
	var hosts []string
	fl.Var(idList{&hosts}, "host", "with --tls, an extra `NAME` (DNS name or IP address) the data server's certificate holds besides 127.0.0.1, ::1 "+
		"and localhost, for an engine reached under another name (in a container); repeatable or comma separated")
	days := fl.Int("days", restt.DefaultCertDays, "with --tls, how many `days` the certificates stay valid")
	force := fl.Bool("force", false, "write into DIR even when it is not empty (the configuration's files are written over, other files are kept)")
	if err := fl.Parse(args); err != nil {
		return parseStatus(err)
	}
	if *out == "" || fl.NArg() > 0 {
		fmt.Fprintln(stderr, configUsage)
		return 2
	}
	forEngine, err := restt.ParseEngine(*engine)
	if err != nil {
		fmt.Fprintf(stderr, "wsconform config: --for %v\n%s\n", err, configUsage)
		return 2
	}
	for _, p := range []struct {
		flag string
		port int
	}{{"--rest-port", *restPort}, {"--data-port", *dataPort}} {
		if p.port < 0 || p.port > 65535 {
			fmt.Fprintf(stderr, "wsconform config: %s %d: want 1..65535, or 0 for the default\n%s\n", p.flag, p.port, configUsage)
			return 2
		}
	}
	if *days < 1 || *days > restt.MaxCertDays {
		fmt.Fprintf(stderr, "wsconform config: --days %d: want 1..%d\n%s\n", *days, restt.MaxCertDays, configUsage)
		return 2
	}
	for _, h := range hosts {
		if net.ParseIP(h) == nil && !pki.ValidHostName(h) {
			fmt.Fprintf(stderr, "wsconform config: --host %q: want a DNS name (letters, digits, hyphens, dots) or an IP address\n%s\n", h, configUsage)
			return 2
		}
	}
	if len(hosts) > 0 && !*withTLS {
		fmt.Fprintf(stderr, "wsconform config: --host names the data server's certificate, which only --tls makes\n%s\n", configUsage)
		return 2
	}
	cfg, err := restt.WriteConfigWith(*out, restt.ConfigOptions{
		For: forEngine, TLS: *withTLS, RestPort: *restPort, DataPort: *dataPort, Hosts: hosts, Days: *days, Force: *force,
	})
	if errors.Is(err, restt.ErrDirNotEmpty) {
		fmt.Fprintf(stderr, "wsconform config: %v; choose a new or empty --out directory, or pass --force to write the configuration over it\n", err)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "wsconform config: %v\n", err)
		return 1
	}
	for _, f := range cfg.Files {
		fmt.Fprintf(stdout, "wrote %s\n", f)
	}
	for _, d := range cfg.Dirs {
		fmt.Fprintf(stdout, "made  %s/\n", d)
	}

	run := fmt.Sprintf("wsconform run --target rest --rest-url %s --data-url %s", cfg.RestURL, cfg.DataURL)
	if cfg.CAFile != "" {
		run += " --ca " + cfg.CAFile
	}
	start := strings.Join(cfg.Start, " ")
	switch cfg.For {
	case restt.EngineEKuiper:
		fmt.Fprintf(stdout, "\nstart eKuiper with this configuration (kuiperd: eKuiper's daemon binary):\n  %s\n", start)
		fmt.Fprintf(stdout, "the reference daemon starts from it too:\n  kuiperd --etc %s --data %s\n", cfg.EtcDir, cfg.DataDir)
	default:
		fmt.Fprintf(stdout, "\nstart the reference daemon with this configuration "+
			"(kuiperd: go run github.com/wsconform/wsconform/impl/cmd/kuiperd@latest; add --data DIR to keep its state):\n  %s\n", start)
		fmt.Fprintf(stdout, "for eKuiper, write its configuration with: wsconform config --for ekuiper --out DIR\n")
	}
	fmt.Fprintf(stdout, "then run:\n  %s\n", run)
	return 0
}
