//go:build !selftest

package dataserver

import "github.com/gorilla/websocket"

// seams are the points where a build with the selftest tag applies the
// deliberate defects (seams_selftest.go). In every other build they are
// the correct behaviour, hold nothing and compile away.
type seams struct{}

// selftestConfig holds nothing in this build: Config has no defects to carry.
type selftestConfig struct{}

func newSeams(Config) seams { return seams{} }

func (seams) upgrader(*websocket.Upgrader) {}
func (seams) closeCode(code int) int       { return code }
func (seams) closeWhenEmpty() bool         { return true }
func (seams) serveTLS() bool               { return true }
func (seams) refuseClient(*endpoint) bool  { return false }
func (seams) upgradeUnknownPath() bool     { return false }
func (seams) conn(*websocket.Conn)         {}
