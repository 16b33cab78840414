//go:build !selftest

package wsource_test

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/wsconform/wsconform/impl/fault"
	"github.com/wsconform/wsconform/impl/wsource"
)

// withDefects returns cfg. This build applies no deliberate defect, so a spec
// that asks for one is skipped, saying so: only a build with the selftest tag
// does (defects_selftest_test.go).
func withDefects(cfg wsource.Config, f fault.Set) wsource.Config {
	if f != (fault.Set{}) {
		Skip("deliberate defects apply only in a build with -tags selftest")
	}
	return cfg
}
