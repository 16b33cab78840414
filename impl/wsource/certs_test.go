package wsource_test

import (
	"crypto/tls"
	"crypto/x509"

	"github.com/wsconform/wsconform/internal/pki"
)

// testPKI is TLS material generated at run time: a CA, a server certificate
// for 127.0.0.1 and a client certificate both signed by it, and an untrusted
// CA with its own server certificate.
type testPKI struct {
	CAPool        *x509.CertPool
	Server        tls.Certificate
	Client        tls.Certificate
	UntrustedPool *x509.CertPool
	Untrusted     tls.Certificate

	// PEM files of the CA and of the client certificate and key.
	CAFile, ClientCertFile, ClientKeyFile string
}

// newTestPKI makes the material and writes the PEM files under dir.
func newTestPKI(dir string) (*testPKI, error) {
	set, err := pki.NewSet()
	if err != nil {
		return nil, err
	}
	files, err := set.WriteFiles(dir)
	if err != nil {
		return nil, err
	}
	return &testPKI{
		CAPool:         set.CA.Pool(),
		Server:         set.Server.TLS(),
		Client:         set.Client.TLS(),
		UntrustedPool:  set.UntrustedCA.Pool(),
		Untrusted:      set.Untrusted.TLS(),
		CAFile:         files.CA,
		ClientCertFile: files.ClientCert,
		ClientKeyFile:  files.ClientKey,
	}, nil
}
