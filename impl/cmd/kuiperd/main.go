// Command kuiperd is the reference engine daemon: the WebSocket source behind
// the eKuiper-compatible REST API.
//
//	kuiperd [--etc DIR] [--data DIR] [--rest HOST:PORT] [--data-server HOST:PORT] [--addr-file FILE] [--log-level LEVEL]
//
// DIR/kuiper.yaml and DIR/sources/websocket.yaml are read as eKuiper reads
// them; without --etc the built-in defaults apply (REST API on
// 127.0.0.1:9081, data server on 0.0.0.0:10081). With --data, streams, rules
// (and whether they run) and confKeys changed over the REST API are saved
// under DIR and restored at the next start. SIGINT and SIGTERM stop the
// daemon cleanly.
//
// GET / reports the daemon's version: the one set at build time with
//
//	go build -ldflags "-X main.version=1.2.3" ./impl/cmd/kuiperd
//
// or else the module version of a "go install ...@version" build, or else
// "devel".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/engine"
	"github.com/wsconform/wsconform/impl/rest"
	"github.com/wsconform/wsconform/impl/rest/store"
)

// shutdownTimeout bounds the graceful shutdown of the REST server.
const shutdownTimeout = 4 * time.Second

// version is the daemon's version, set at build time with
// -ldflags "-X main.version=...". Empty means versionString decides.
var version string

// versionString returns version, else the main module's version when the
// binary was built from a tagged module, else rest.DefaultVersion.
func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return rest.DefaultVersion
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kuiperd:", err)
		os.Exit(1)
	}
}

// options are the parsed command line.
type options struct {
	etc, data, rest, dataServer, addrFile string
	level                                 slog.Level
}

func parseArgs(args []string, stderr io.Writer) (options, error) {
	var o options
	fset := flag.NewFlagSet("kuiperd", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.StringVar(&o.etc, "etc", "", "configuration `DIR` holding kuiper.yaml and sources/websocket.yaml (default: built-in defaults)")
	fset.StringVar(&o.data, "data", "", "data `DIR` where streams, rules and confKeys are saved (default: nothing is saved)")
	fset.StringVar(&o.rest, "rest", "", "REST API listen `HOST:PORT`, overriding basic.restIp and basic.restPort (port 0: a free port)")
	fset.StringVar(&o.dataServer, "data-server", "", "data server listen `HOST:PORT`, overriding source.httpServerIp and source.httpServerPort")
	fset.StringVar(&o.addrFile, "addr-file", "", "write the REST API's bound HOST:PORT to `FILE` once it accepts requests; removed at exit")
	level := fset.String("log-level", "info", "log `LEVEL`: debug, info, warn or error")
	if err := fset.Parse(args); err != nil {
		return o, err
	}
	if fset.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fset.Arg(0))
	}
	if err := o.level.UnmarshalText([]byte(*level)); err != nil {
		return o, fmt.Errorf("--log-level %q: %w", *level, err)
	}
	return o, nil
}

// run runs the daemon until ctx is done or the REST server fails.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	started := time.Now()
	o, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: o.level}))

	kcfg, confKeys, err := loadEtc(o.etc, logger)
	if err != nil {
		return err
	}
	restAddr := kcfg.Basic.Addr()
	if o.rest != "" {
		restAddr = o.rest
	}
	if o.dataServer != "" {
		if err := overrideDataServer(&kcfg, o.dataServer); err != nil {
			return err
		}
	}

	var st *store.Store
	if o.data != "" {
		if st, err = store.Open(o.data); err != nil {
			return err
		}
		st.SetFileConfKeys(slices.Collect(maps.Keys(confKeys)))
	}

	// Bind the REST API first, so that a taken address fails the start before
	// any restored rule opens the data server or dials a remote.
	ln, err := net.Listen("tcp", restAddr)
	if err != nil {
		return fmt.Errorf("REST API listen on %s: %w", restAddr, err)
	}

	e := engine.New(engine.Options{Kuiper: kcfg, ConfKeys: confKeys, Logger: logger})
	defer func() {
		if err := e.Close(); err != nil {
			logger.Warn("close engine", "err", err)
		}
	}()
	if st != nil {
		state := st.State()
		if err := store.Restore(ctx, e, state); err != nil {
			logger.Warn("some saved items could not be restored", "err", err)
		}
		logger.Info("restored saved state", "file", st.Path(),
			"streams", len(state.Streams), "rules", len(state.Rules), "confKeys", len(state.ConfKeys))
	}

	srv := &http.Server{
		Handler: rest.New(rest.Config{Engine: e, Logger: logger, Store: st, Version: versionString(), Started: started,
			AllowedHosts: kcfg.Basic.RestAllowedHosts, AllowedOrigins: kcfg.Basic.RestAllowedOrigins}),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	bound := ln.Addr().String()
	logger.Info("REST API listening", "addr", bound, "dataServer", kcfg.Source.Addr(), "version", versionString())
	fmt.Fprintf(stdout, "kuiperd: REST API on http://%s\n", bound)
	if o.addrFile != "" {
		if err := writeFileAtomic(o.addrFile, []byte(bound+"\n")); err != nil {
			_ = srv.Close()
			<-served
			return err
		}
		// A stale address must not mislead the next reader.
		defer os.Remove(o.addrFile)
	}

	select {
	case <-ctx.Done():
		logger.Info("shutting down")
	case err := <-served:
		return fmt.Errorf("REST API on %s: %w", bound, err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Warn("REST API shutdown", "err", err)
		_ = srv.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("REST API on %s: %w", bound, err)
	}
	return nil
}

// loadEtc reads DIR/kuiper.yaml and DIR/sources/websocket.yaml; an absent
// file means its defaults. An empty dir means the built-in defaults.
func loadEtc(dir string, logger *slog.Logger) (config.Kuiper, config.ConfKeys, error) {
	if dir == "" {
		return config.Default(), config.ConfKeys{}, nil
	}
	if fi, err := os.Stat(dir); err != nil {
		return config.Kuiper{}, nil, fmt.Errorf("--etc %q: %w", dir, err)
	} else if !fi.IsDir() {
		return config.Kuiper{}, nil, fmt.Errorf("--etc %q: not a directory", dir)
	}
	kcfg := config.Default()
	kpath := filepath.Join(dir, "kuiper.yaml")
	if _, err := os.Stat(kpath); errors.Is(err, fs.ErrNotExist) {
		logger.Info("no kuiper.yaml, using defaults", "path", kpath)
	} else if kcfg, err = config.LoadKuiper(kpath); err != nil {
		return config.Kuiper{}, nil, err
	}
	confKeys := config.ConfKeys{}
	wpath := filepath.Join(dir, "sources", "websocket.yaml")
	if _, err := os.Stat(wpath); errors.Is(err, fs.ErrNotExist) {
		logger.Info("no sources/websocket.yaml, no confKeys", "path", wpath)
	} else if confKeys, err = config.LoadConfKeys(wpath); err != nil {
		return config.Kuiper{}, nil, err
	}
	return kcfg, confKeys, nil
}

func overrideDataServer(k *config.Kuiper, addr string) error {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--data-server %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return fmt.Errorf("--data-server %q: invalid port %q", addr, portText)
	}
	k.Source.HTTPServerIP = host
	k.Source.HTTPServerPort = port
	return nil
}

// writeFileAtomic writes data to a temporary file beside path and renames it
// over path, so a reader never sees a partial file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write %q: %w", path, err)
	}
	return nil
}
