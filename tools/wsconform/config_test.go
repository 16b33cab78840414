package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

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

	It("refuses an unknown flag with status 2", func() {
		Expect(runConfig("--out", GinkgoT().TempDir(), "--engine", "ekuiper")).To(Equal(2))
		Expect(stderr.String()).To(ContainSubstring("-engine"))
	})
})
