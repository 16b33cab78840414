package rest

import (
	"crypto/x509"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// Default addresses of an engine started with the output of WriteConfig.
const (
	DefaultRestURL       = "http://127.0.0.1:9081"
	DefaultDataURL       = "ws://127.0.0.1:10081"
	DefaultCollectorAddr = "127.0.0.1:0"
)

// Environment variables read by OptionsFromEnv.
const (
	EnvRestURL       = "WSCONFORM_REST_URL"
	EnvDataURL       = "WSCONFORM_DATA_URL"
	EnvCA            = "WSCONFORM_CA"
	EnvCollector     = "WSCONFORM_COLLECTOR"
	EnvCollectorURL  = "WSCONFORM_COLLECTOR_URL"
	EnvExclusive     = "WSCONFORM_EXCLUSIVE"
	envCollectorHelp = "host:port"
)

// Options say where the engine under test is and where the suite collects
// the records its rules emit. The zero value drives an engine on the default
// loopback ports.
type Options struct {
	// RestURL is the base URL of the engine's REST API.
	// Default DefaultRestURL.
	RestURL string
	// DataURL is where remote clients reach the engine's data server: ws://
	// or wss://host:port. Default DefaultDataURL.
	DataURL string
	// CAFile is a PEM file with the CA to trust for a wss DataURL. Empty
	// means the system roots.
	CAFile string
	// CollectorAddr is the host:port the suite's record collector listens
	// on. Default DefaultCollectorAddr.
	CollectorAddr string
	// CollectorURL is the base URL the engine posts records to, for an
	// engine that reaches the collector under another name (a container,
	// another host). Default http:// and the collector's listening address.
	CollectorURL string
	// DefaultConfKey holds the properties of the engine's default confKey
	// for an engine that cannot list its confKeys (GET
	// /metadata/sources/yaml/websocket). A scenario that changes the default
	// confKey starts from these, and its Close puts them back. Default
	// {"addr": ""}, as WriteConfig writes it. Ignored when the engine lists
	// its confKeys: New reads the default from the listing.
	DefaultConfKey map[string]any
	// Exclusive says that the engine serves only this run and that the
	// scenarios run one at a time: the engine was started for this run, and
	// nothing else makes rules on it. The driver then makes at most one
	// Target at a time, checks that the engine holds no rule when a scenario
	// starts, and supports target.DataServerLifecycle (the data server's port
	// opens and closes with that one scenario's rules). Default false: the
	// engine may be shared and scenarios run concurrently.
	Exclusive bool
	// HTTPClient makes the REST calls. Default: a client of its own whose
	// idle connections are closed by Driver.Close.
	HTTPClient *http.Client
}

// OptionsFromEnv returns Options filled from WSCONFORM_REST_URL,
// WSCONFORM_DATA_URL, WSCONFORM_CA, WSCONFORM_COLLECTOR,
// WSCONFORM_COLLECTOR_URL and WSCONFORM_EXCLUSIVE (exclusive mode when it is
// 1 or true, as strconv.ParseBool reads it); unset variables leave the
// defaults.
func OptionsFromEnv() Options {
	exclusive, _ := strconv.ParseBool(os.Getenv(EnvExclusive))
	return Options{
		RestURL:       os.Getenv(EnvRestURL),
		DataURL:       os.Getenv(EnvDataURL),
		CAFile:        os.Getenv(EnvCA),
		CollectorAddr: os.Getenv(EnvCollector),
		CollectorURL:  os.Getenv(EnvCollectorURL),
		Exclusive:     exclusive,
	}
}

// resolved are validated Options with defaults filled in.
type resolved struct {
	rest       *url.URL
	dataAddr   string
	dataTLS    bool
	caFile     string
	collector  string
	postBase   string
	defaultKey map[string]any // Options.DefaultConfKey or its default
	defaultSet bool           // Options.DefaultConfKey was given
	exclusive  bool
}

func (o Options) resolve() (resolved, error) {
	var r resolved
	restURL := o.RestURL
	if restURL == "" {
		restURL = DefaultRestURL
	}
	u, err := url.Parse(restURL)
	if err != nil {
		return r, fmt.Errorf("rest url %q: %w", restURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return r, fmt.Errorf("rest url %q: want http://host:port or https://host:port", restURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawQuery, u.Fragment = "", ""
	r.rest = u

	dataURL := o.DataURL
	if dataURL == "" {
		dataURL = DefaultDataURL
	}
	d, err := url.Parse(dataURL)
	if err != nil {
		return r, fmt.Errorf("data url %q: %w", dataURL, err)
	}
	switch d.Scheme {
	case "ws":
	case "wss":
		r.dataTLS = true
	default:
		return r, fmt.Errorf("data url %q: want ws://host:port or wss://host:port", dataURL)
	}
	if d.Host == "" || (d.Path != "" && d.Path != "/") {
		return r, fmt.Errorf("data url %q: want ws://host:port or wss://host:port without a path", dataURL)
	}
	r.dataAddr = d.Host
	if d.Port() == "" {
		port := "80"
		if r.dataTLS {
			port = "443"
		}
		r.dataAddr = net.JoinHostPort(d.Hostname(), port)
	}

	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return r, fmt.Errorf("ca file: %w", err)
		}
		if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			return r, fmt.Errorf("ca file %s: no PEM certificate in it", o.CAFile)
		}
		r.caFile = o.CAFile
	}

	r.collector = o.CollectorAddr
	if r.collector == "" {
		r.collector = DefaultCollectorAddr
	}
	if _, _, err := net.SplitHostPort(r.collector); err != nil {
		return r, fmt.Errorf("collector address %q: want %s: %w", r.collector, envCollectorHelp, err)
	}
	if o.CollectorURL != "" {
		c, err := url.Parse(o.CollectorURL)
		if err != nil {
			return r, fmt.Errorf("collector url %q: %w", o.CollectorURL, err)
		}
		if c.Scheme != "http" || c.Host == "" {
			return r, fmt.Errorf("collector url %q: want http://host:port", o.CollectorURL)
		}
		r.postBase = strings.TrimSuffix(c.String(), "/")
	}
	r.exclusive = o.Exclusive
	r.defaultKey = maps.Clone(o.DefaultConfKey)
	r.defaultSet = r.defaultKey != nil
	if r.defaultKey == nil {
		r.defaultKey = map[string]any{"addr": ""}
	}
	return r, nil
}
