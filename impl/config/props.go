package config

import (
	"encoding/base64"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"
)

// DefaultMaxMessageBytes is the default size limit of one WebSocket message.
const DefaultMaxMessageBytes = 16 << 20

// DefaultMessageTimeout is the default bound of the time one message may
// take from its first frame to its last.
const DefaultMessageTimeout = 30 * time.Second

// Default client-mode reconnection backoff: the first attempt follows a lost
// connection by DefaultReconnectInterval, each failed attempt doubles the
// wait, up to DefaultMaxReconnectInterval.
const (
	DefaultReconnectInterval    = 100 * time.Millisecond
	DefaultMaxReconnectInterval = 10 * time.Second
)

// Property names of a websocket confKey (matched case-insensitively).
const (
	PropAddr               = "addr"
	PropScheme             = "scheme"
	PropPath               = "path"
	PropRequestHeader      = "requestHeader"
	PropCertificationPath  = "certificationPath"
	PropPrivateKeyPath     = "privateKeyPath"
	PropRootCaPath         = "rootCaPath"
	PropInsecureSkipVerify = "insecureSkipVerify"
	PropCertficationRaw    = "certficationRaw"
	PropCertificationRaw   = "certificationRaw"
	PropPrivateKeyRaw      = "privateKeyRaw"
	PropRootCARaw          = "rootCARaw"
	PropMaxMessageBytes    = "maxMessageBytes"
	PropMessageTimeout     = "messageTimeout"
	PropReconnectInterval  = "reconnectInterval"
	PropMaxReconnect       = "maxReconnectInterval"
)

// Props are the validated properties of one websocket confKey.
type Props struct {
	// Addr is the remote host:port to dial; "" (the default) selects server mode.
	Addr string
	// Scheme is "ws" (the default) or "wss".
	Scheme string
	// Path is the confKey's "path"; in client mode it wins over the stream's
	// DATASOURCE. "" by default. A confKey property "datasource" is not read:
	// the stream's DATASOURCE replaces it, as in eKuiper.
	Path string
	// RequestHeader is sent on the client-mode handshake. nil by default.
	RequestHeader http.Header
	// CertificationPath is the PEM client certificate presented in client mode.
	CertificationPath string
	// PrivateKeyPath is the PEM private key of the client certificate.
	PrivateKeyPath string
	// RootCaPath is a PEM bundle of CAs trusted for the remote server; empty
	// means the system roots.
	RootCaPath string
	// InsecureSkipVerify disables server certificate verification. Default false.
	InsecureSkipVerify bool
	// CertficationRaw is the base64 of a PEM client certificate, from the
	// property certficationRaw (sic, as eKuiper's documentation spells it) or
	// certificationRaw (as eKuiper's code reads it; it wins when both are
	// set); CertificationPath wins over either.
	CertficationRaw string
	// PrivateKeyRaw is the base64 of a PEM private key; PrivateKeyPath wins.
	PrivateKeyRaw string
	// RootCARaw is the base64 of a PEM CA bundle; RootCaPath wins.
	RootCARaw string
	// MaxMessageBytes limits the size of one message; default DefaultMaxMessageBytes.
	MaxMessageBytes int64
	// MessageTimeout bounds the time one message may take from its first
	// frame to its last (a message kept open by endless fragments ends its
	// connection with close 1008); default DefaultMessageTimeout. The
	// property is a duration ("10s", "500ms") or a number of milliseconds.
	MessageTimeout time.Duration
	// ReconnectInterval is, in client mode, the wait before the first
	// attempt to reconnect after the connection was lost; each failed
	// attempt doubles it, up to MaxReconnectInterval. Default
	// DefaultReconnectInterval; 0 means never reconnect (as eKuiper).
	// A duration or a number of milliseconds.
	ReconnectInterval time.Duration
	// MaxReconnectInterval bounds the wait between reconnection attempts;
	// default DefaultMaxReconnectInterval, never below ReconnectInterval.
	MaxReconnectInterval time.Duration
}

// ServerMode reports whether the source serves an endpoint on the data server
// (no addr) rather than dialing a remote server.
func (p Props) ServerMode() bool { return p.Addr == "" }

// ParseProps validates the raw properties of one confKey. Property names are
// matched case-insensitively; unknown properties are ignored. An error names the
// property and its value.
func ParseProps(raw map[string]any) (Props, error) {
	p := Props{
		Scheme:               "ws",
		MaxMessageBytes:      DefaultMaxMessageBytes,
		MessageTimeout:       DefaultMessageTimeout,
		ReconnectInterval:    DefaultReconnectInterval,
		MaxReconnectInterval: DefaultMaxReconnectInterval,
	}
	str := func(key string, dst *string) error {
		v, _, ok := lookup(raw, key)
		if !ok || v == nil {
			return nil
		}
		s, err := toString(v)
		if err != nil {
			return fmt.Errorf("config: property %s: %w", key, err)
		}
		*dst = s
		return nil
	}
	for _, f := range []struct {
		key string
		dst *string
	}{
		{PropAddr, &p.Addr},
		{PropScheme, &p.Scheme},
		{PropPath, &p.Path},
		{PropCertificationPath, &p.CertificationPath},
		{PropPrivateKeyPath, &p.PrivateKeyPath},
		{PropRootCaPath, &p.RootCaPath},
		{PropCertficationRaw, &p.CertficationRaw},
		{PropCertificationRaw, &p.CertficationRaw}, // after certficationRaw: it wins when both are set
		{PropPrivateKeyRaw, &p.PrivateKeyRaw},
		{PropRootCARaw, &p.RootCARaw},
	} {
		if err := str(f.key, f.dst); err != nil {
			return Props{}, err
		}
	}
	p.Addr = strings.TrimSpace(p.Addr)
	if p.Addr != "" {
		if err := checkAddr(p.Addr); err != nil {
			return Props{}, fmt.Errorf("config: property %s %q: %w", PropAddr, p.Addr, err)
		}
	}
	switch s := strings.ToLower(strings.TrimSpace(p.Scheme)); s {
	case "", "ws":
		p.Scheme = "ws"
	case "wss":
		p.Scheme = "wss"
	default:
		return Props{}, fmt.Errorf("config: property %s %q: want ws or wss", PropScheme, p.Scheme)
	}
	if v, _, ok := lookup(raw, PropInsecureSkipVerify); ok && v != nil {
		b, err := toBool(v)
		if err != nil {
			return Props{}, fmt.Errorf("config: property %s: %w", PropInsecureSkipVerify, err)
		}
		p.InsecureSkipVerify = b
	}
	if v, _, ok := lookup(raw, PropMaxMessageBytes); ok && v != nil {
		n, err := toInt64(v)
		if err != nil {
			return Props{}, fmt.Errorf("config: property %s: %w", PropMaxMessageBytes, err)
		}
		if n <= 0 {
			return Props{}, fmt.Errorf("config: property %s %d: want a positive number of bytes", PropMaxMessageBytes, n)
		}
		p.MaxMessageBytes = n
	}
	for _, d := range []struct {
		key       string
		dst       *time.Duration
		zeroValid bool
	}{
		{PropMessageTimeout, &p.MessageTimeout, false},
		{PropReconnectInterval, &p.ReconnectInterval, true},
		{PropMaxReconnect, &p.MaxReconnectInterval, false},
	} {
		v, _, ok := lookup(raw, d.key)
		if !ok || v == nil {
			continue
		}
		n, err := toDuration(v)
		if err != nil {
			return Props{}, fmt.Errorf("config: property %s: %w", d.key, err)
		}
		if n < 0 || (n == 0 && !d.zeroValid) {
			return Props{}, fmt.Errorf("config: property %s %v: want a positive duration", d.key, v)
		}
		*d.dst = n
	}
	if p.ReconnectInterval > 0 && p.MaxReconnectInterval < p.ReconnectInterval {
		return Props{}, fmt.Errorf("config: property %s %v is below %s %v", PropMaxReconnect, p.MaxReconnectInterval, PropReconnectInterval, p.ReconnectInterval)
	}
	if v, _, ok := lookup(raw, PropRequestHeader); ok && v != nil {
		h, err := toHeader(v)
		if err != nil {
			return Props{}, fmt.Errorf("config: property %s: %w", PropRequestHeader, err)
		}
		p.RequestHeader = h
	}
	certKey := PropCertficationRaw
	if _, _, ok := lookup(raw, PropCertificationRaw); ok {
		certKey = PropCertificationRaw
	}
	for _, r := range []struct{ key, val string }{
		{certKey, p.CertficationRaw},
		{PropPrivateKeyRaw, p.PrivateKeyRaw},
		{PropRootCARaw, p.RootCARaw},
	} {
		if r.val == "" {
			continue
		}
		if _, err := decodeBase64(r.val); err != nil {
			return Props{}, fmt.Errorf("config: property %s (%d characters): not valid base64: %w", r.key, len(r.val), err)
		}
	}
	return p, nil
}

// checkAddr accepts host:port with a non-empty host and a port in 1..65535.
func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("want host:port: %w", err)
	}
	if host == "" {
		return fmt.Errorf("want host:port, the host is empty")
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return fmt.Errorf("port %q is not a number", port)
	}
	if n < 1 || n > 65535 {
		return fmt.Errorf("port %d is out of range 1..65535", n)
	}
	return nil
}

// toHeader accepts a mapping of header name → list of values (or one value).
func toHeader(v any) (http.Header, error) {
	switch hv := v.(type) {
	case http.Header:
		return hv.Clone(), nil
	case map[string][]string:
		return http.Header(hv).Clone(), nil
	case map[string]string:
		h := make(http.Header, len(hv))
		for k, s := range hv {
			h.Add(k, s)
		}
		return h, nil
	}
	m, ok := asMap(v)
	if !ok {
		return nil, fmt.Errorf("want a mapping of header name to values, found %s", describe(v))
	}
	h := make(http.Header, len(m))
	for k, val := range m {
		switch vals := val.(type) {
		case nil:
			h[http.CanonicalHeaderKey(k)] = []string{}
		case []any:
			for _, e := range vals {
				s, err := toString(e)
				if err != nil {
					return nil, fmt.Errorf("header %q: %w", k, err)
				}
				h.Add(k, s)
			}
		case []string:
			for _, s := range vals {
				h.Add(k, s)
			}
		default:
			s, err := toString(val)
			if err != nil {
				return nil, fmt.Errorf("header %q: %w", k, err)
			}
			h.Add(k, s)
		}
	}
	if err := CheckHeader(h); err != nil {
		return nil, err
	}
	return h, nil
}

// CheckHeader returns an error naming the first header name or value that
// cannot be sent in an HTTP request (a name that is not a token, a value with
// a line break or other control character).
func CheckHeader(h http.Header) error {
	for _, k := range slices.Sorted(maps.Keys(h)) {
		if !httpguts.ValidHeaderFieldName(k) {
			return fmt.Errorf("header name %q is not a valid HTTP header name", k)
		}
		for _, v := range h[k] {
			if !httpguts.ValidHeaderFieldValue(v) {
				return fmt.Errorf("header %q: value %q is not a valid HTTP header value", k, v)
			}
		}
	}
	return nil
}

// decodeBase64 decodes standard base64, ignoring line breaks and spaces.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	return base64.StdEncoding.DecodeString(s)
}
