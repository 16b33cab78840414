// Package selftest configures the ginkgo suites of the packages that have
// specs of deliberate defects (see impl/fault).
package selftest

import (
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/wsconform/wsconform/impl/fault"
)

// Label marks the specs that use deliberate defects.
const Label = "selftest"

// Suite returns ginkgo's configuration for such a suite. In a build with the
// selftest tag, unless a label filter is given (-ginkgo.label-filter), only
// the specs labelled Label run: the build without the tag runs every other
// spec, and skips these with the reason.
func Suite() (types.SuiteConfig, types.ReporterConfig) {
	suite, reporter := ginkgo.GinkgoConfiguration()
	if fault.Enabled && suite.LabelFilter == "" {
		suite.LabelFilter = Label
	}
	return suite, reporter
}
