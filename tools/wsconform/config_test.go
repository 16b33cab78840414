package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.yaml.in/yaml/v3"

	"github.com/wsconform/wsconform/impl/config"
)

// reported returns the files and directories config's output says it wrote
// and made.
func reported(out string) (files, dirs []string) {
	for _, m := range regexp.MustCompile(`(?m)^wrote (\S+)$`).FindAllStringSubmatch(out, -1) {
		files = append(files, m[1])
	}
	for _, m := range regexp.MustCompile(`(?m)^made  (\S+)/$`).FindAllStringSubmatch(out, -1) {
		dirs = append(dirs, m[1])
	}
	return files, dirs
}

// readCert parses the PEM certificate in file.
func readCert(file string) *x509.Certificate {
	GinkgoHelper()
	data, err := os.ReadFile(file)
	Expect(err).NotTo(HaveOccurred())
	block, _ := pem.Decode(data)
	Expect(block).NotTo(BeNil(), file)
	c, err := x509.ParseCertificate(block.Bytes)
	Expect(err).NotTo(HaveOccurred())
	return c
}

// filesUnder lists the regular files under dir.
func filesUnder(dir string) []string {
	var files []string
	Expect(filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, path)
		}
		return err
	})).To(Succeed())
	return files
}

var _ = Describe("wsconform config", func() {
	var stdout, stderr *bytes.Buffer
	runConfig := func(args ...string) int {
		stdout.Reset()
		stderr.Reset()
		return Main(context.Background(), append([]string{"config"}, args...), stdout, stderr)
	}
	BeforeEach(func() { stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{} })

	It("reports every file it writes, certificates included, and how to start the reference daemon", func() {
		dir := GinkgoT().TempDir()
		Expect(runConfig("--out", dir, "--tls")).To(Equal(0), stderr.String())
		files, dirs := reported(stdout.String())
		Expect(files).To(ConsistOf(filesUnder(dir)))
		Expect(len(files)).To(BeNumerically(">", 5), "kuiperd.yaml, websocket.yaml and the certificates")
		Expect(dirs).To(BeEmpty())
		Expect(stdout.String()).To(ContainSubstring("\n  kuiperd --etc " + dir + "\n"))
		Expect(stdout.String()).To(ContainSubstring("wsconform run --target rest --rest-url http://127.0.0.1:9081 --data-url wss://127.0.0.1:10081 --ca " +
			filepath.Join(dir, "certs", "ca.pem")))
		Expect(stdout.String()).To(ContainSubstring("--for ekuiper"))
	})

	It("writes eKuiper's etc, data, log and plugins on the ports asked for, and prints eKuiper's start command", func() {
		dir := GinkgoT().TempDir()
		Expect(runConfig("--for", "ekuiper", "--out", dir, "--rest-port", "19181", "--data-port", "19182")).To(Equal(0), stderr.String())
		files, dirs := reported(stdout.String())
		Expect(files).To(ConsistOf(filesUnder(dir)))
		Expect(files).To(ConsistOf(filepath.Join(dir, "etc", "kuiper.yaml"), filepath.Join(dir, "etc", "sources", "websocket.yaml")))
		for _, d := range []string{"data", "log", "plugins/sources", "plugins/sinks", "plugins/functions", "plugins/portable", "plugins/wasm"} {
			Expect(dirs).To(ContainElement(filepath.Join(dir, d)))
			Expect(filepath.Join(dir, d)).To(BeADirectory())
		}
		etc := filepath.Join(dir, "etc")
		Expect(stdout.String()).To(ContainSubstring(strings.Join([]string{"\n  kuiperd -loadFileType absolute",
			"-etc", etc, "-data", filepath.Join(dir, "data"), "-log", filepath.Join(dir, "log"),
			"-plugins", filepath.Join(dir, "plugins")}, " ") + "\n"))
		Expect(stdout.String()).To(ContainSubstring("wsconform run --target rest --rest-url http://127.0.0.1:19181 --data-url ws://127.0.0.1:19182\n"))

		k, err := config.LoadKuiper(filepath.Join(etc, "kuiper.yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(k.Basic.RestPort).To(Equal(19181))
		Expect(k.Source.HTTPServerPort).To(Equal(19182))
	})

	It("writes wss settings for eKuiper with --tls", func() {
		dir := GinkgoT().TempDir()
		Expect(runConfig("--out", dir, "--for", "ekuiper", "--tls")).To(Equal(0), stderr.String())
		files, _ := reported(stdout.String())
		Expect(files).To(ConsistOf(filesUnder(dir)))
		Expect(files).To(ContainElement(filepath.Join(dir, "certs", "ca.pem")))
		Expect(stdout.String()).To(ContainSubstring("--data-url wss://127.0.0.1:10081 --ca " + filepath.Join(dir, "certs", "ca.pem")))
		k, err := config.LoadKuiper(filepath.Join(dir, "etc", "kuiper.yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(k.Source.HTTPServerTLS).NotTo(BeNil())
	})

	It("keeps the reference layout by default and with --for reference", func() {
		a, b := GinkgoT().TempDir(), GinkgoT().TempDir()
		Expect(runConfig("--out", a)).To(Equal(0), stderr.String())
		Expect(runConfig("--out", b, "--for", "reference")).To(Equal(0), stderr.String())
		for _, dir := range []string{a, b} {
			Expect(filesUnder(dir)).To(ConsistOf(filepath.Join(dir, "kuiper.yaml"), filepath.Join(dir, "sources", "websocket.yaml")))
			data, err := os.ReadFile(filepath.Join(dir, "kuiper.yaml"))
			Expect(err).NotTo(HaveOccurred())
			var doc map[string]any
			Expect(yaml.Unmarshal(data, &doc)).To(Succeed())
			Expect(doc).To(HaveLen(2), "basic and source")
		}
	})

	DescribeTable("refuses wrong usage with status 2 and says why",
		func(want string, args ...string) {
			Expect(runConfig(args...)).To(Equal(2))
			Expect(stderr.String()).To(ContainSubstring(want))
			Expect(stderr.String()).To(ContainSubstring("usage: wsconform config --out DIR [--for ekuiper|reference]"))
		},
		Entry("no --out", "usage:"),
		Entry("an unknown engine", `--for "kuiper": want ekuiper or reference`, "--out", "x", "--for", "kuiper"),
		Entry("a REST port out of range", "--rest-port 70000: want 1..65535, or 0 for the default", "--out", "x", "--rest-port", "70000"),
		Entry("a negative data port", "--data-port -1: want 1..65535", "--out", "x", "--data-port", "-1"),
		Entry("a stray argument", "usage:", "--out", "x", "extra"),
	)

	It("refuses a directory that is not empty unless --force is given", func() {
		dir := GinkgoT().TempDir()
		mine := filepath.Join(dir, "notes.txt")
		Expect(os.WriteFile(mine, []byte("mine"), 0o644)).To(Succeed())
		Expect(runConfig("--out", dir, "--tls")).To(Equal(2))
		Expect(stderr.String()).To(ContainSubstring(`config directory "` + dir + `" is not empty (it holds notes.txt)`))
		Expect(stderr.String()).To(ContainSubstring("pass --force"))
		Expect(filesUnder(dir)).To(ConsistOf(mine), "nothing written")

		Expect(runConfig("--out", dir, "--tls", "--force")).To(Equal(0), stderr.String())
		files, _ := reported(stdout.String())
		Expect(append(files, mine)).To(ConsistOf(filesUnder(dir)))
		Expect(runConfig("--out", dir, "--force")).To(Equal(0), "again over its own files")
		Expect(runConfig("--out", dir)).To(Equal(2), "its own files are something too")
	})

	It("names the --host names in the server certificate and makes it last --days", func() {
		dir := GinkgoT().TempDir()
		Expect(runConfig("--out", dir, "--tls", "--host", "kuiper.test,10.0.0.7", "--host", "engine", "--days", "7")).To(Equal(0), stderr.String())
		cert := readCert(filepath.Join(dir, "certs", "server.pem"))
		Expect(cert.DNSNames).To(ConsistOf("localhost", "kuiper.test", "engine"))
		Expect(cert.VerifyHostname("10.0.0.7")).To(Succeed())
		Expect(cert.VerifyHostname("127.0.0.1")).To(Succeed())
		Expect(cert.NotAfter).To(BeTemporally("~", time.Now().Add(7*24*time.Hour), time.Minute))

		other := GinkgoT().TempDir()
		Expect(runConfig("--out", other, "--tls")).To(Equal(0), stderr.String())
		Expect(readCert(filepath.Join(other, "certs", "ca.pem")).NotAfter).To(BeTemporally("~", time.Now().Add(30*24*time.Hour), time.Minute), "30 days by default")
	})

	DescribeTable("refuses bad --host and --days values, naming them",
		func(want string, args ...string) {
			dir := GinkgoT().TempDir()
			Expect(runConfig(append([]string{"--out", dir}, args...)...)).To(Equal(2))
			Expect(stderr.String()).To(ContainSubstring(want))
			Expect(filesUnder(dir)).To(BeEmpty())
		},
		Entry(nil, `--host "bad host": want a DNS name`, "--tls", "--host", "bad host"),
		Entry(nil, "--host names the data server's certificate, which only --tls makes", "--host", "kuiper.test"),
		Entry(nil, "--days 0: want 1..3650", "--tls", "--days", "0"),
		Entry(nil, "--days 5000: want 1..3650", "--tls", "--days", "5000"),
	)

	It("refuses an unknown flag with status 2", func() {
		Expect(runConfig("--out", GinkgoT().TempDir(), "--engine", "ekuiper")).To(Equal(2))
		Expect(stderr.String()).To(ContainSubstring("-engine"))
	})
})
