//go:build selftest

package wsource_test

import (
	"github.com/wsconform/wsconform/impl/fault"
	"github.com/wsconform/wsconform/impl/wsource"
)

// withDefects returns cfg with the deliberate defects f, which this build
// (tag selftest) applies.
func withDefects(cfg wsource.Config, f fault.Set) wsource.Config {
	cfg.Faults = f
	return cfg
}
