package wsource_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/internal/pki"
)

// newCerts makes run-time TLS material and writes its PEM files under a
// temporary directory of the spec.
func newCerts() (*pki.Set, pki.Files) {
	GinkgoHelper()
	set, err := pki.NewSet()
	Expect(err).NotTo(HaveOccurred())
	files, err := set.WriteFiles(GinkgoT().TempDir())
	Expect(err).NotTo(HaveOccurred())
	return set, files
}
