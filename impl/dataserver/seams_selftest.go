//go:build selftest

package dataserver

import (
	"github.com/gorilla/websocket"

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

// upgrader is RefuseForeignOrigin.
func (s seams) upgrader(u *websocket.Upgrader) {
	if s.faults.RefuseForeignOrigin {
		u.CheckOrigin = nil // gorilla's default: the Origin host must equal the Host
	}
}

// closeCode is StopCloseNormal: the close code an endpoint's clients get
// when it goes away.
func (s seams) closeCode(code int) int {
	if s.faults.StopCloseNormal {
		return websocket.CloseNormalClosure
	}
	return code
}

func (s seams) closeWhenEmpty() bool     { return !s.faults.NeverCloseDataServer }
func (s seams) serveTLS() bool           { return !s.faults.ServeDataPlain }
func (s seams) upgradeUnknownPath() bool { return s.faults.UnknownPathUpgraded }

// refuseClient is FirstClientOnly: whether ep, just reserved, refuses the client.
func (s seams) refuseClient(ep *endpoint) bool {
	return s.faults.FirstClientOnly && ep.reservedBefore()
}

// conn is IgnorePings.
func (s seams) conn(c *websocket.Conn) {
	if s.faults.IgnorePings {
		c.SetPingHandler(func(string) error { return nil })
	}
}
