package rest

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/wsconform/wsconform/internal/pki"
	"github.com/wsconform/wsconform/steps/peer"
)

// Default ports WriteConfig gives the engine.
const (
	DefaultRestPort = 9081
	DefaultDataPort = 10081
)

// Engine names the engine a configuration is written for.
type Engine string

const (
	// EngineReference is the reference daemon, impl/cmd/kuiperd: the
	// configuration directory is its --etc.
	EngineReference Engine = "reference"
	// EngineEKuiper is LF Edge eKuiper's kuiperd: the configuration
	// directory holds its etc, data, log and plugins directories.
	EngineEKuiper Engine = "ekuiper"
)

// ParseEngine returns the Engine named s: "reference" or "ekuiper".
func ParseEngine(s string) (Engine, error) {
	switch e := Engine(s); e {
	case EngineReference, EngineEKuiper:
		return e, nil
	}
	return "", fmt.Errorf("%q: want %s or %s", s, EngineEKuiper, EngineReference)
}

// ConfigOptions choose what WriteConfigWith writes. The zero value is a
// plain ws data server on the default ports for the reference daemon.
type ConfigOptions struct {
	// For is the engine the configuration is for. Default EngineReference.
	For Engine
	// TLS makes the data server speak wss with certificates generated under
	// DIR/certs.
	TLS bool
	// RestPort is the REST API port. Default DefaultRestPort.
	RestPort int
	// DataPort is the data server port. Default DefaultDataPort.
	DataPort int
	// Hosts, with TLS, are IP addresses and DNS names the data server's
	// certificate holds besides 127.0.0.1, ::1 and localhost, for an engine
	// reached under another name (in a container, on another host).
	Hosts []string
	// Days, with TLS, is how many days the certificates stay valid.
	// Default DefaultCertDays.
	Days int
	// Force lets WriteConfigWith write into a directory that is not empty,
	// over the files it writes. Default false: a directory holding anything
	// is refused.
	Force bool
}

// DefaultCertDays is how many days the certificates WriteConfigWith makes
// stay valid by default.
const DefaultCertDays = 30

// MaxCertDays bounds ConfigOptions.Days (ten years).
const MaxCertDays = 3650

// Config is what WriteConfig wrote and how the suite reaches an engine
// started with it.
type Config struct {
	// For is the engine the configuration is for.
	For Engine
	// Dir is the absolute configuration directory: the reference daemon's
	// --etc, or for eKuiper the directory holding etc, data, log, plugins
	// and certs.
	Dir string
	// EtcDir is the engine's etc directory: Dir for the reference daemon,
	// Dir/etc for eKuiper.
	EtcDir string
	// DataDir, LogDir and PluginsDir are eKuiper's -data, -log and -plugins
	// directories under Dir; empty for the reference daemon.
	DataDir, LogDir, PluginsDir string
	// KuiperFile is EtcDir/kuiper.yaml; WebsocketFile is
	// EtcDir/sources/websocket.yaml.
	KuiperFile, WebsocketFile string
	// Files are every file written, in the order they were written.
	Files []string
	// Dirs are the directories eKuiper needs that were made besides those
	// holding Files: data, log, the plugins folders and the empty folders
	// eKuiper reads at start.
	Dirs []string
	// Start is the command line that starts the engine from this
	// configuration; Start[0] is the engine's binary, named kuiperd for
	// both engines.
	Start []string
	// RestURL is the engine's REST API, e.g. http://127.0.0.1:9081.
	RestURL string
	// DataURL is the engine's data server, ws://127.0.0.1:10081 or wss://...
	DataURL string
	// CAFile, with TLS, is the CA that signed the data server's certificate.
	CAFile string
	// ServerCertFile and ServerKeyFile, with TLS, are the data server's
	// certificate and key.
	ServerCertFile, ServerKeyFile string
}

// Options returns driver Options for an engine started with this
// configuration.
func (c Config) Options() Options {
	return Options{RestURL: c.RestURL, DataURL: c.DataURL, CAFile: c.CAFile}
}

// WriteConfig writes an eKuiper configuration directory for the reference
// daemon under test: dir/kuiper.yaml (REST and data server on 127.0.0.1,
// loopback sinks allowed) and dir/sources/websocket.yaml (a server-mode
// default confKey); with withTLS also certificates under dir/certs and a wss
// data server.
func WriteConfig(dir string, withTLS bool) (Config, error) {
	return WriteConfigWith(dir, ConfigOptions{TLS: withTLS})
}

// refKuiperYAML is the kuiper.yaml of the reference daemon: the settings it
// reads.
type refKuiperYAML struct {
	Basic  refBasicYAML `yaml:"basic"`
	Source sourceYAML   `yaml:"source"`
}

type refBasicYAML struct {
	RestIP           string `yaml:"restIp"`
	RestPort         int    `yaml:"restPort"`
	EnablePrivateNet bool   `yaml:"enablePrivateNet"`
}

type sourceYAML struct {
	HTTPServerIP   string   `yaml:"httpServerIp"`
	HTTPServerPort int      `yaml:"httpServerPort"`
	HTTPServerTLS  *tlsYAML `yaml:"httpServerTls,omitempty"`
}

type tlsYAML struct {
	CertFile string `yaml:"certfile"`
	KeyFile  string `yaml:"keyfile"`
}

// WriteConfigWith writes the configuration opts describe into dir.
//
// For the reference daemon (the default) dir is its etc directory, as
// WriteConfig writes it. For eKuiper dir gets etc/ (a complete kuiper.yaml,
// sources/websocket.yaml and the empty directories eKuiper reads at start),
// data/, log/ and plugins/ (with the empty sources, sinks, functions,
// portable and wasm directories eKuiper needs), and with TLS certs/; Start
// is then eKuiper's
//
//	kuiperd -loadFileType absolute -etc DIR/etc -data DIR/data -log DIR/log -plugins DIR/plugins
func WriteConfigWith(dir string, opts ConfigOptions) (Config, error) {
	if dir == "" {
		return Config{}, fmt.Errorf("config directory: empty path")
	}
	engine := opts.For
	if engine == "" {
		engine = EngineReference
	}
	if _, err := ParseEngine(string(engine)); err != nil {
		return Config{}, fmt.Errorf("config for engine %w", err)
	}
	restPort, err := port("rest port", opts.RestPort, DefaultRestPort)
	if err != nil {
		return Config{}, err
	}
	dataPort, err := port("data port", opts.DataPort, DefaultDataPort)
	if err != nil {
		return Config{}, err
	}
	days := opts.Days
	if days == 0 {
		days = DefaultCertDays
	}
	if days < 1 || days > MaxCertDays {
		return Config{}, fmt.Errorf("certificate validity %d days: want 1..%d", opts.Days, MaxCertDays)
	}
	for _, h := range opts.Hosts {
		if net.ParseIP(h) == nil && !pki.ValidHostName(h) {
			return Config{}, fmt.Errorf("certificate host %q: want an IP address or a DNS name (letters, digits, hyphens, dots)", h)
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Config{}, fmt.Errorf("config directory %q: %w", dir, err)
	}
	if !opts.Force {
		if err := emptyDir(abs); err != nil {
			return Config{}, err
		}
	}
	const host = "127.0.0.1"
	c := Config{
		For:     engine,
		Dir:     abs,
		EtcDir:  abs,
		RestURL: "http://" + net.JoinHostPort(host, strconv.Itoa(restPort)),
		DataURL: "ws://" + net.JoinHostPort(host, strconv.Itoa(dataPort)),
	}
	if engine == EngineEKuiper {
		c.EtcDir = filepath.Join(abs, "etc")
		c.DataDir = filepath.Join(abs, "data")
		c.LogDir = filepath.Join(abs, "log")
		c.PluginsDir = filepath.Join(abs, "plugins")
	}
	c.KuiperFile = filepath.Join(c.EtcDir, "kuiper.yaml")
	c.WebsocketFile = filepath.Join(c.EtcDir, "sources", "websocket.yaml")
	if err := os.MkdirAll(filepath.Dir(c.WebsocketFile), 0o755); err != nil {
		return Config{}, fmt.Errorf("config directory %q: %w", dir, err)
	}

	src := sourceYAML{HTTPServerIP: host, HTTPServerPort: dataPort}
	if opts.TLS {
		certs, err := peer.NewCertsWith(filepath.Join(abs, "certs"), pki.SetOptions{
			Hosts: opts.Hosts, Validity: time.Duration(days) * 24 * time.Hour,
		})
		if err != nil {
			return Config{}, fmt.Errorf("config directory %q: certificates: %w", dir, err)
		}
		c.DataURL = "wss://" + net.JoinHostPort(host, strconv.Itoa(dataPort))
		c.CAFile, c.ServerCertFile, c.ServerKeyFile = certs.CAFile, certs.ServerCertFile, certs.ServerKeyFile
		c.Files = append(c.Files, certs.CAFile, certs.ServerCertFile, certs.ServerKeyFile,
			certs.ClientCertFile, certs.ClientKeyFile,
			certs.UntrustedCAFile, certs.UntrustedCertFile, certs.UntrustedKeyFile)
		src.HTTPServerTLS = &tlsYAML{CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile}
	}

	var kuiper any = refKuiperYAML{
		Basic:  refBasicYAML{RestIP: host, RestPort: restPort, EnablePrivateNet: true},
		Source: src,
	}
	if engine == EngineEKuiper {
		kuiper = ekuiperConfig(host, restPort, src)
	}
	if err := c.writeYAML(c.KuiperFile, kuiper); err != nil {
		return Config{}, err
	}
	ws := map[string]map[string]string{"default": {"addr": ""}}
	if err := c.writeYAML(c.WebsocketFile, ws); err != nil {
		return Config{}, err
	}

	if engine == EngineReference {
		c.Start = []string{"kuiperd", "--etc", c.EtcDir}
		return c, nil
	}
	dirs := []string{c.DataDir, c.LogDir}
	for _, d := range ekuiperEtcDirs {
		dirs = append(dirs, filepath.Join(c.EtcDir, d))
	}
	for _, d := range ekuiperDataDirs {
		dirs = append(dirs, filepath.Join(c.DataDir, d))
	}
	for _, d := range ekuiperPluginDirs {
		dirs = append(dirs, filepath.Join(c.PluginsDir, d))
	}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return Config{}, fmt.Errorf("config directory %q: %w", dir, err)
		}
		c.Dirs = append(c.Dirs, d)
	}
	c.Start = []string{"kuiperd", "-loadFileType", "absolute",
		"-etc", c.EtcDir, "-data", c.DataDir, "-log", c.LogDir, "-plugins", c.PluginsDir}
	return c, nil
}

// emptyDir fails unless dir is missing or empty, naming what it holds.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("config directory %q: %w", dir, err)
	}
	if len(entries) == 0 {
		return nil
	}
	names := make([]string, 0, 3)
	for _, e := range entries[:min(len(entries), 3)] {
		names = append(names, e.Name())
	}
	if len(entries) > 3 {
		names = append(names, "...")
	}
	return fmt.Errorf("config directory %q is not empty (it holds %s): %w", dir, strings.Join(names, ", "), ErrDirNotEmpty)
}

// ErrDirNotEmpty is the error WriteConfigWith wraps when the directory holds
// something and ConfigOptions.Force is false.
var ErrDirNotEmpty = errors.New("directory not empty")

func port(what string, p, def int) (int, error) {
	if p == 0 {
		return def, nil
	}
	if p < 1 || p > 65535 {
		return 0, fmt.Errorf("%s %d: want 1..65535", what, p)
	}
	return p, nil
}

// writeYAML writes v to path and records the file.
func (c *Config) writeYAML(path string, v any) error {
	b, err := yaml.Marshal(v)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	c.Files = append(c.Files, path)
	return nil
}
