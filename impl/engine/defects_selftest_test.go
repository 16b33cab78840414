//go:build selftest

package engine_test

import (
	"github.com/wsconform/wsconform/impl/engine"
	"github.com/wsconform/wsconform/impl/fault"
)

// withDefects returns cfg with the deliberate defects f, which this build
// (tag selftest) applies.
func withDefects(cfg engine.Options, f fault.Set) engine.Options {
	cfg.Faults = f
	return cfg
}
