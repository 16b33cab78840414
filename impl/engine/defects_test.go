//go:build !selftest

package engine_test

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/wsconform/wsconform/impl/engine"
	"github.com/wsconform/wsconform/impl/fault"
)

// withDefects returns cfg. This build applies no deliberate defect, so a spec
// that asks for one is skipped, saying so: only a build with the selftest tag
// does (defects_selftest_test.go).
func withDefects(cfg engine.Options, f fault.Set) engine.Options {
	if f != (fault.Set{}) {
		Skip("deliberate defects apply only in a build with -tags selftest")
	}
	return cfg
}
