package rest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/wsconform/wsconform/steps/peer"
)

// Default ports WriteConfig gives the engine.
const (
	DefaultRestPort = 9081
	DefaultDataPort = 10081
)

// ConfigOptions choose what WriteConfigWith writes. The zero value is a
// plain ws data server on the default ports.
type ConfigOptions struct {
	// TLS makes the data server speak wss with certificates generated under
	// DIR/certs.
	TLS bool
	// RestPort is the REST API port. Default DefaultRestPort.
	RestPort int
	// DataPort is the data server port. Default DefaultDataPort.
	DataPort int
}

// Config is what WriteConfig wrote and how the suite reaches an engine
// started with it.
type Config struct {
	// Dir is the absolute configuration directory (the engine's etc).
	Dir string
	// KuiperFile is Dir/kuiper.yaml; WebsocketFile is Dir/sources/websocket.yaml.
	KuiperFile, WebsocketFile string
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

// WriteConfig writes an eKuiper configuration directory for an engine under
// test: dir/kuiper.yaml (REST and data server on 127.0.0.1, loopback sinks
// allowed) and dir/sources/websocket.yaml (a server-mode default confKey);
// with withTLS also certificates under dir/certs and a wss data server.
func WriteConfig(dir string, withTLS bool) (Config, error) {
	return WriteConfigWith(dir, ConfigOptions{TLS: withTLS})
}

type kuiperYAML struct {
	Basic  basicYAML  `yaml:"basic"`
	Source sourceYAML `yaml:"source"`
}

type basicYAML struct {
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

// WriteConfigWith is WriteConfig with ports of the caller's choice.
func WriteConfigWith(dir string, opts ConfigOptions) (Config, error) {
	if dir == "" {
		return Config{}, fmt.Errorf("config directory: empty path")
	}
	restPort, err := port("rest port", opts.RestPort, DefaultRestPort)
	if err != nil {
		return Config{}, err
	}
	dataPort, err := port("data port", opts.DataPort, DefaultDataPort)
	if err != nil {
		return Config{}, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Config{}, fmt.Errorf("config directory %q: %w", dir, err)
	}
	const host = "127.0.0.1"
	c := Config{
		Dir:           abs,
		KuiperFile:    filepath.Join(abs, "kuiper.yaml"),
		WebsocketFile: filepath.Join(abs, "sources", "websocket.yaml"),
		RestURL:       "http://" + net.JoinHostPort(host, strconv.Itoa(restPort)),
		DataURL:       "ws://" + net.JoinHostPort(host, strconv.Itoa(dataPort)),
	}
	if err := os.MkdirAll(filepath.Dir(c.WebsocketFile), 0o755); err != nil {
		return Config{}, fmt.Errorf("config directory %q: %w", dir, err)
	}
	k := kuiperYAML{
		Basic:  basicYAML{RestIP: host, RestPort: restPort, EnablePrivateNet: true},
		Source: sourceYAML{HTTPServerIP: host, HTTPServerPort: dataPort},
	}
	if opts.TLS {
		certs, err := peer.NewCerts(filepath.Join(abs, "certs"))
		if err != nil {
			return Config{}, fmt.Errorf("config directory %q: certificates: %w", dir, err)
		}
		c.DataURL = "wss://" + net.JoinHostPort(host, strconv.Itoa(dataPort))
		c.CAFile, c.ServerCertFile, c.ServerKeyFile = certs.CAFile, certs.ServerCertFile, certs.ServerKeyFile
		k.Source.HTTPServerTLS = &tlsYAML{CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile}
	}
	if err := writeYAML(c.KuiperFile, k); err != nil {
		return Config{}, err
	}
	ws := map[string]map[string]string{"default": {"addr": ""}}
	if err := writeYAML(c.WebsocketFile, ws); err != nil {
		return Config{}, err
	}
	return c, nil
}

func port(what string, p, def int) (int, error) {
	if p == 0 {
		return def, nil
	}
	if p < 1 || p > 65535 {
		return 0, fmt.Errorf("%s %d: want 1..65535", what, p)
	}
	return p, nil
}

func writeYAML(path string, v any) error {
	b, err := yaml.Marshal(v)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
