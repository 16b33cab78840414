package config

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Defaults of etc/kuiper.yaml, used for every key the file leaves out.
const (
	// DefaultRestIP is the address the REST API listens on.
	DefaultRestIP = "127.0.0.1"
	// DefaultRestPort is the port of the REST API.
	DefaultRestPort = 9081
	// DefaultServerIP is the address the global data server listens on.
	DefaultServerIP = "0.0.0.0"
	// DefaultServerPort is the port of the global data server.
	DefaultServerPort = 10081
)

// Kuiper is the part of etc/kuiper.yaml the engine uses.
type Kuiper struct {
	// Basic is the `basic` section.
	Basic Basic
	// Source is the `source` section: the global data server of server-mode sources.
	Source Source
}

// Basic is the `basic` section of etc/kuiper.yaml.
type Basic struct {
	// RestIP is basic.restIp; default DefaultRestIP.
	RestIP string
	// RestPort is basic.restPort; default DefaultRestPort; 0 picks a free port.
	RestPort int
	// EnablePrivateNet is basic.enablePrivateNet: sinks may post to loopback and
	// private addresses. Default false: a rest sink refuses to connect to a
	// loopback, private, link-local, unspecified or multicast address.
	EnablePrivateNet bool
	// RestAllowedHosts is basic.restAllowedHosts (an extension; a list of
	// host names, or one): the names, besides IP addresses and localhost,
	// that requests to the REST API may give in their Host header. Default
	// none.
	RestAllowedHosts []string
	// RestAllowedOrigins is basic.restAllowedOrigins (an extension; a list
	// of "scheme://host[:port]", or one): the origins whose browser pages may
	// send state-changing requests to the REST API. Default none.
	RestAllowedOrigins []string
}

// Addr is the host:port the REST API listens on.
func (b Basic) Addr() string {
	return net.JoinHostPort(b.RestIP, strconv.Itoa(b.RestPort))
}

// Source is the `source` section of etc/kuiper.yaml.
type Source struct {
	// HTTPServerIP is source.httpServerIp; default DefaultServerIP.
	HTTPServerIP string
	// HTTPServerPort is source.httpServerPort; default DefaultServerPort; 0 picks a free port.
	HTTPServerPort int
	// HTTPServerTLS is source.httpServerTls; nil (the default) serves plain ws.
	HTTPServerTLS *ServerTLS
}

// ServerTLS is source.httpServerTls: the data server then speaks wss only.
type ServerTLS struct {
	// CertFile is httpServerTls.certfile, a PEM certificate chain.
	CertFile string
	// KeyFile is httpServerTls.keyfile, the PEM private key of CertFile.
	KeyFile string
	// ClientCAFile is httpServerTls.clientcafile (an extension): when set, the
	// data server demands a client certificate signed by a CA in this PEM file.
	ClientCAFile string
}

// Addr is the host:port the global data server listens on.
func (s Source) Addr() string {
	return net.JoinHostPort(s.HTTPServerIP, strconv.Itoa(s.HTTPServerPort))
}

// TLSConfig loads the data server certificate. It returns nil, nil when
// HTTPServerTLS is nil. The error names the file that could not be loaded.
func (s Source) TLSConfig() (*tls.Config, error) {
	if s.HTTPServerTLS == nil {
		return nil, nil
	}
	c := s.HTTPServerTLS
	certPEM, err := readFile("source.httpServerTls.certfile", c.CertFile)
	if err != nil {
		return nil, err
	}
	keyPEM, err := readFile("source.httpServerTls.keyfile", c.KeyFile)
	if err != nil {
		return nil, err
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("config: source.httpServerTls: certfile %q with keyfile %q: %w", c.CertFile, c.KeyFile, err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if c.ClientCAFile != "" {
		caPEM, err := readFile("source.httpServerTls.clientcafile", c.ClientCAFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, fmt.Errorf("config: source.httpServerTls.clientcafile %q: no PEM certificate found", c.ClientCAFile)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// Default is the configuration used when etc/kuiper.yaml is absent.
func Default() Kuiper {
	return Kuiper{
		Basic:  Basic{RestIP: DefaultRestIP, RestPort: DefaultRestPort},
		Source: Source{HTTPServerIP: DefaultServerIP, HTTPServerPort: DefaultServerPort},
	}
}

// LoadKuiper reads etc/kuiper.yaml from path. Keys the file leaves out keep
// their defaults; an explicit port 0 is kept (a free port is chosen at listen time).
func LoadKuiper(path string) (Kuiper, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Kuiper{}, fmt.Errorf("config: read kuiper.yaml: %w", err)
	}
	return ParseKuiper(path, data)
}

// ParseKuiper parses the content of a kuiper.yaml; name identifies it in errors.
// Sections and keys other than those of Kuiper are ignored.
func ParseKuiper(name string, data []byte) (Kuiper, error) {
	k := Default()
	root, err := parseYAMLMap(name, data)
	if err != nil {
		return Kuiper{}, err
	}
	basic, err := section(name, root, "basic")
	if err != nil {
		return Kuiper{}, err
	}
	src, err := section(name, root, "source")
	if err != nil {
		return Kuiper{}, err
	}
	if err := setString(name, "basic.restIp", basic, &k.Basic.RestIP); err != nil {
		return Kuiper{}, err
	}
	if err := setPort(name, "basic.restPort", basic, &k.Basic.RestPort); err != nil {
		return Kuiper{}, err
	}
	if err := setBool(name, "basic.enablePrivateNet", basic, &k.Basic.EnablePrivateNet); err != nil {
		return Kuiper{}, err
	}
	if err := setStrings(name, "basic.restAllowedHosts", basic, &k.Basic.RestAllowedHosts); err != nil {
		return Kuiper{}, err
	}
	if err := setStrings(name, "basic.restAllowedOrigins", basic, &k.Basic.RestAllowedOrigins); err != nil {
		return Kuiper{}, err
	}
	for _, o := range k.Basic.RestAllowedOrigins {
		if err := checkOrigin(o); err != nil {
			return Kuiper{}, fmt.Errorf("config: %s: basic.restAllowedOrigins: %w", name, err)
		}
	}
	if err := setString(name, "source.httpServerIp", src, &k.Source.HTTPServerIP); err != nil {
		return Kuiper{}, err
	}
	if err := setPort(name, "source.httpServerPort", src, &k.Source.HTTPServerPort); err != nil {
		return Kuiper{}, err
	}
	tlsSec, err := section(name, src, "httpServerTls")
	if err != nil {
		return Kuiper{}, fmt.Errorf("%w (in section source)", err)
	}
	if len(tlsSec) > 0 {
		t := &ServerTLS{}
		if err := setString(name, "source.httpServerTls.certfile", tlsSec, &t.CertFile); err != nil {
			return Kuiper{}, err
		}
		if err := setString(name, "source.httpServerTls.keyfile", tlsSec, &t.KeyFile); err != nil {
			return Kuiper{}, err
		}
		if err := setString(name, "source.httpServerTls.clientcafile", tlsSec, &t.ClientCAFile); err != nil {
			return Kuiper{}, err
		}
		if t.CertFile == "" || t.KeyFile == "" {
			return Kuiper{}, fmt.Errorf("config: %s: source.httpServerTls needs both certfile and keyfile (certfile %q, keyfile %q)", name, t.CertFile, t.KeyFile)
		}
		k.Source.HTTPServerTLS = t
	}
	return k, nil
}

// parseYAMLMap decodes a YAML document whose top level is a mapping. An empty
// document gives an empty map.
func parseYAMLMap(name string, data []byte) (map[string]any, error) {
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("config: %s: malformed YAML: %w", name, err)
	}
	if doc == nil {
		return map[string]any{}, nil
	}
	m, ok := asMap(doc)
	if !ok {
		return nil, fmt.Errorf("config: %s: the top level must be a mapping, found %s", name, describe(doc))
	}
	return m, nil
}

// section returns the mapping under key (matched case-insensitively); absent or
// null gives nil.
func section(name string, m map[string]any, key string) (map[string]any, error) {
	v, _, ok := lookup(m, key)
	if !ok || v == nil {
		return nil, nil
	}
	sm, ok := asMap(v)
	if !ok {
		return nil, fmt.Errorf("config: %s: %s must be a mapping, found %s", name, key, describe(v))
	}
	return sm, nil
}

// leaf is the last dotted component of a key path.
func leaf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '.' {
			return path[i+1:]
		}
	}
	return path
}

func setString(name, path string, m map[string]any, dst *string) error {
	v, _, ok := lookup(m, leaf(path))
	if !ok || v == nil {
		return nil
	}
	s, err := toString(v)
	if err != nil {
		return fmt.Errorf("config: %s: %s: %w", name, path, err)
	}
	*dst = s
	return nil
}

// setStrings reads a list of strings, or a single string, into dst.
func setStrings(name, path string, m map[string]any, dst *[]string) error {
	v, _, ok := lookup(m, leaf(path))
	if !ok || v == nil {
		return nil
	}
	list, isList := v.([]any)
	if !isList {
		list = []any{v}
	}
	out := make([]string, 0, len(list))
	for i, e := range list {
		s, err := toString(e)
		if err != nil {
			return fmt.Errorf("config: %s: %s[%d]: %w", name, path, i, err)
		}
		out = append(out, s)
	}
	*dst = out
	return nil
}

// checkOrigin accepts a web origin: scheme://host[:port], nothing else.
func checkOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("origin %q: want scheme://host[:port] with scheme http or https", o)
	}
	return nil
}

func setBool(name, path string, m map[string]any, dst *bool) error {
	v, _, ok := lookup(m, leaf(path))
	if !ok || v == nil {
		return nil
	}
	b, err := toBool(v)
	if err != nil {
		return fmt.Errorf("config: %s: %s: %w", name, path, err)
	}
	*dst = b
	return nil
}

func setPort(name, path string, m map[string]any, dst *int) error {
	v, _, ok := lookup(m, leaf(path))
	if !ok || v == nil {
		return nil
	}
	n, err := toInt64(v)
	if err != nil {
		return fmt.Errorf("config: %s: %s: %w", name, path, err)
	}
	if n < 0 || n > 65535 {
		return fmt.Errorf("config: %s: %s: port %d is out of range 0..65535", name, path, n)
	}
	*dst = int(n)
	return nil
}
