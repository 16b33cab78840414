package config

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// ClientTLS builds the TLS configuration of a client-mode (wss) dial: the
// trusted roots from rootCaPath or rootCARaw, the client certificate from
// certificationPath/privateKeyPath or their raw variants (a path wins over raw),
// and InsecureSkipVerify. An error names the property and the file.
func (p Props) ClientTLS() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: p.InsecureSkipVerify}
	caPEM, caFrom, err := pemFrom(PropRootCaPath, p.RootCaPath, PropRootCARaw, p.RootCARaw)
	if err != nil {
		return nil, err
	}
	if caPEM != nil {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, fmt.Errorf("config: %s: no PEM certificate found", caFrom)
		}
		cfg.RootCAs = pool
	}
	certPEM, certFrom, err := pemFrom(PropCertificationPath, p.CertificationPath, PropCertficationRaw, p.CertficationRaw)
	if err != nil {
		return nil, err
	}
	keyPEM, keyFrom, err := pemFrom(PropPrivateKeyPath, p.PrivateKeyPath, PropPrivateKeyRaw, p.PrivateKeyRaw)
	if err != nil {
		return nil, err
	}
	switch {
	case certPEM != nil && keyPEM == nil:
		return nil, fmt.Errorf("config: %s is set but neither %s nor %s", certFrom, PropPrivateKeyPath, PropPrivateKeyRaw)
	case certPEM == nil && keyPEM != nil:
		return nil, fmt.Errorf("config: %s is set but none of %s, %s, %s", keyFrom, PropCertificationPath, PropCertificationRaw, PropCertficationRaw)
	case certPEM != nil:
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("config: client certificate from %s and %s: %w", certFrom, keyFrom, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// pemFrom reads PEM bytes from a file property, else decodes the raw base64
// property. It returns nil when neither is set, and a description of the source.
func pemFrom(pathKey, path, rawKey, raw string) ([]byte, string, error) {
	if path != "" {
		b, err := readFile(pathKey, path)
		return b, fmt.Sprintf("%s %q", pathKey, path), err
	}
	if raw != "" {
		b, err := decodeBase64(raw)
		if err != nil {
			return nil, rawKey, fmt.Errorf("config: %s: not valid base64: %w", rawKey, err)
		}
		return b, rawKey, nil
	}
	return nil, "", nil
}

// readFile reads a file named by a configuration key; the error names both.
func readFile(key, path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %s %q: %w", key, path, err)
	}
	return b, nil
}
