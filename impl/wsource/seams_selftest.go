//go:build selftest

package wsource

import (
	"crypto/tls"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/fault"
)

// selftestConfig gives Config, in this build only, the deliberate defects to apply.
type selftestConfig struct {
	// Faults are the defects; the zero value is correct behaviour.
	Faults fault.Set
}

// seams are the points where this build (tag selftest) applies the
// deliberate defects of Config.Faults; seams.go is the correct behaviour
// every other build compiles.
type seams struct{ faults fault.Set }

func newSeams(cfg Config) seams { return seams{faults: cfg.Faults} }

func (s seams) acceptRelativeDatasource() bool { return s.faults.AcceptRelativeDatasource }
func (s seams) readLimit() bool                { return !s.faults.NoReadLimit }
func (s seams) unregisterOnClose() bool        { return !s.faults.KeepEndpointAfterStop }
func (s seams) skipBinary() bool               { return !s.faults.DecodeBinaryFrames }
func (s seams) checkUTF8() bool                { return !s.faults.AcceptInvalidUTF8 }
func (s seams) closeOnDecodeError() bool       { return s.faults.StopOnDecodeError }
func (s seams) remoteCloseDisconnects() bool   { return !s.faults.RemoteCloseStaysConnected }

// handshakeTimeout is SlowHandshakeTimeout.
func (s seams) handshakeTimeout(d time.Duration) time.Duration {
	if s.faults.SlowHandshakeTimeout {
		return time.Minute
	}
	return d
}

// target is IgnoreConfKeyPath and IgnoreQuery: the path and query dialled,
// t being the correct one.
func (s seams) target(t, datasource string) string {
	if s.faults.IgnoreConfKeyPath {
		t = datasource
	}
	if s.faults.IgnoreQuery {
		t, _, _ = strings.Cut(t, "?")
	}
	return t
}

// tlsProps is RawCAIgnored, RawCAWinsOverPath and MissingCertFileIgnored:
// the properties a wss dial builds its TLS settings from.
func (s seams) tlsProps(p config.Props) config.Props {
	if s.faults.RawCAIgnored {
		p.RootCARaw = ""
	}
	if s.faults.RawCAWinsOverPath && p.RootCARaw != "" {
		p.RootCaPath = ""
	}
	if s.faults.MissingCertFileIgnored {
		for _, path := range []*string{&p.RootCaPath, &p.CertificationPath, &p.PrivateKeyPath} {
			if _, err := os.Stat(*path); err != nil {
				*path = ""
			}
		}
	}
	return p
}

// tlsConfig is SkipTLSVerify and NoClientCertificate.
func (s seams) tlsConfig(tc *tls.Config) {
	if s.faults.SkipTLSVerify {
		tc.InsecureSkipVerify = true
	}
	if s.faults.NoClientCertificate {
		tc.Certificates = nil
	}
}

// header is DropRequestHeaders and MangleRequestHeaders: the handshake's
// request headers.
func (s seams) header(h http.Header) http.Header {
	if s.faults.DropRequestHeaders {
		return nil
	}
	if s.faults.MangleRequestHeaders {
		for name, values := range h {
			for i, v := range values {
				values[i] = strings.ToUpper(v) + "-mangled"
			}
			h[name] = values
		}
	}
	return h
}

// stopCloseCode is StopCloseNormal: the close code a stopped endpoint's
// clients get.
func (s seams) stopCloseCode(code int) int {
	if s.faults.StopCloseNormal {
		return websocket.CloseNormalClosure
	}
	return code
}
