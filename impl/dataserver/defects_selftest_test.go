//go:build selftest

package dataserver_test

import (
	"github.com/wsconform/wsconform/impl/dataserver"
	"github.com/wsconform/wsconform/impl/fault"
)

// withDefects returns cfg with the deliberate defects f, which this build
// (tag selftest) applies.
func withDefects(cfg dataserver.Config, f fault.Set) dataserver.Config {
	cfg.Faults = f
	return cfg
}
