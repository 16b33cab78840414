package config_test

import (
	"crypto/x509"

	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/internal/pki"
)

// testPKI is a CA and a certificate for 127.0.0.1, usable by a server and by a
// client, generated at run time.
type testPKI struct {
	caPEM, certPEM, keyPEM    []byte
	caFile, certFile, keyFile string
}

func newTestPKI(dir string) testPKI {
	ca, err := pki.NewCA("config test CA")
	Expect(err).NotTo(HaveOccurred())
	leaf, err := ca.Issue("127.0.0.1", x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth)
	Expect(err).NotTo(HaveOccurred())
	paths, err := pki.WriteFiles(dir, map[string][]byte{
		"ca.pem":   ca.CertPEM,
		"cert.pem": leaf.CertPEM,
		"key.pem":  leaf.KeyPEM,
	})
	Expect(err).NotTo(HaveOccurred())
	return testPKI{
		caPEM:    ca.CertPEM,
		certPEM:  leaf.CertPEM,
		keyPEM:   leaf.KeyPEM,
		caFile:   paths["ca.pem"],
		certFile: paths["cert.pem"],
		keyFile:  paths["key.pem"],
	}
}
