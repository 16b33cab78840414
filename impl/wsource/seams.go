//go:build !selftest

package wsource

import (
	"crypto/tls"
	"net/http"
	"time"

	"github.com/wsconform/wsconform/impl/config"
)

// seams are the points where a build with the selftest tag applies the
// deliberate defects (seams_selftest.go). In every other build they are
// the correct behaviour, hold nothing and compile away.
type seams struct{}

// selftestConfig holds nothing in this build: Config has no defects to carry.
type selftestConfig struct{}

func newSeams(Config) seams { return seams{} }

func (seams) acceptRelativeDatasource() bool                 { return false }
func (seams) handshakeTimeout(d time.Duration) time.Duration { return d }
func (seams) readLimit() bool                                { return true }
func (seams) unregisterOnClose() bool                        { return true }
func (seams) skipBinary() bool                               { return true }
func (seams) checkUTF8() bool                                { return true }
func (seams) closeOnDecodeError() bool                       { return false }
func (seams) target(t, _ string) string                      { return t }
func (seams) tlsProps(p config.Props) config.Props           { return p }
func (seams) tlsConfig(*tls.Config)                          {}
func (seams) header(h http.Header) http.Header               { return h }
func (seams) remoteCloseDisconnects() bool                   { return true }
func (seams) stopCloseCode(code int) int                     { return code }
