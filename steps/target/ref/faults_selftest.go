//go:build selftest

package ref

import (
	"github.com/wsconform/wsconform/impl/engine"
	"github.com/wsconform/wsconform/impl/fault"
)

// withFaults returns o with the deliberate defects f, which an engine of this
// build (tag selftest) applies.
func withFaults(o engine.Options, f fault.Set) engine.Options {
	o.Faults = f
	return o
}
