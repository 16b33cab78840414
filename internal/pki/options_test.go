package pki_test

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/internal/pki"
)

var _ = Describe("a Set with options", func() {
	It("names the extra hosts in the server certificate and lasts as long as asked", func() {
		set, err := pki.NewSetWith(pki.SetOptions{Hosts: []string{"kuiper.test", "10.1.2.3", "localhost"}, Validity: 30 * 24 * time.Hour})
		Expect(err).NotTo(HaveOccurred())
		srv := set.Server.Certificate
		Expect(srv.DNSNames).To(Equal([]string{"localhost", "kuiper.test"}))
		Expect(srv.IPAddresses).To(ContainElement(Satisfy(func(ip net.IP) bool { return ip.Equal(net.ParseIP("10.1.2.3")) })))
		Expect(srv.VerifyHostname("kuiper.test")).To(Succeed())
		Expect(srv.VerifyHostname("10.1.2.3")).To(Succeed())
		Expect(srv.VerifyHostname("127.0.0.1")).To(Succeed())
		for _, c := range []*pki.Cert{&set.CA.Cert, set.Server, set.Client, &set.UntrustedCA.Cert, set.Untrusted} {
			Expect(c.Certificate.NotAfter).To(BeTemporally("~", time.Now().Add(30*24*time.Hour), time.Minute))
		}
		Expect(set.Untrusted.Certificate.DNSNames).To(Equal([]string{"localhost"}), "only the trusted server gets the hosts")

		// A client that dials the extra name trusts the server.
		err, r := handshake(&tls.Config{Certificates: []tls.Certificate{set.Server.TLS()}},
			&tls.Config{RootCAs: set.CA.Pool(), ServerName: "kuiper.test"})
		Expect(err).NotTo(HaveOccurred())
		Expect(r.err).NotTo(HaveOccurred())
		_, err = srv.Verify(x509.VerifyOptions{Roots: set.CA.Pool(), DNSName: "other.test"})
		Expect(err).To(HaveOccurred())
	})

	It("lasts a day by default", func() {
		set, err := pki.NewSetWith(pki.SetOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(set.Server.Certificate.NotAfter).To(BeTemporally("~", time.Now().Add(pki.Validity), time.Minute))
	})

	DescribeTable("refuses a host that is no IP address or DNS name, naming it",
		func(host string) {
			_, err := pki.NewSetWith(pki.SetOptions{Hosts: []string{host}})
			Expect(err).To(MatchError(ContainSubstring(`certificate host "` + host + `"`)))
		},
		Entry(nil, ""), Entry(nil, "bad host"), Entry(nil, "-x.test"), Entry(nil, "a..b"), Entry(nil, "http://x"),
	)

	It("refuses a negative validity", func() {
		_, err := pki.NewSetWith(pki.SetOptions{Validity: -time.Hour})
		Expect(err).To(MatchError(ContainSubstring("certificate validity -1h0m0s")))
	})
})
