package dataserver_test

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/wsconform/wsconform/impl/fault"
)

// withDefects returns f, and skips the spec when f holds a defect that this
// build does not apply: only a build with the selftest tag does.
func withDefects(f fault.Set) fault.Set {
	if f != (fault.Set{}) && !fault.Enabled {
		Skip("deliberate defects apply only in a build with -tags selftest")
	}
	return f
}
