package main

import (
	"bytes"
	"context"
	"net"
	"net/http/httptest"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/engine"
	restapi "github.com/wsconform/wsconform/impl/rest"
	"github.com/wsconform/wsconform/steps/peer"
)

// restEngine is the reference engine behind its REST API on loopback, its
// data server on dataAddr, serving wss with certs when certs is not nil.
type restEngine struct {
	api      string
	dataAddr string
	certs    *peer.Certs
}

func startRestEngine(withTLS bool) restEngine { return startRestEngineWith(withTLS, true) }

// startRestEngineWith starts the engine; privateNet lets its rest sinks post
// to loopback, where the collector listens.
func startRestEngineWith(withTLS, privateNet bool) restEngine {
	GinkgoHelper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	port := ln.Addr().(*net.TCPAddr).Port
	Expect(ln.Close()).To(Succeed())
	k := config.Default()
	k.Source.HTTPServerIP, k.Source.HTTPServerPort = "127.0.0.1", port
	k.Basic.EnablePrivateNet = privateNet
	r := restEngine{dataAddr: ln.Addr().String()}
	if withTLS {
		r.certs, err = peer.NewCerts(GinkgoT().TempDir())
		Expect(err).NotTo(HaveOccurred())
		k.Source.HTTPServerTLS = &config.ServerTLS{CertFile: r.certs.ServerCertFile, KeyFile: r.certs.ServerKeyFile}
	}
	e := engine.New(engine.Options{Kuiper: k})
	DeferCleanup(e.Close)
	api := httptest.NewServer(restapi.New(restapi.Config{Engine: e}))
	DeferCleanup(api.Close)
	r.api = api.URL
	DeferCleanup(func() { Expect(e.Rules()).To(BeEmpty(), "the preflight removes its rule") })
	return r
}

var _ = Describe("wsconform run --target rest preflight", func() {
	var stdout, stderr *bytes.Buffer
	var ctx context.Context

	BeforeEach(func() {
		stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
		DeferCleanup(cancel)
	})

	// fails runs wsconform run against the engine with extra flags and checks
	// that it exits 2 within 5 s with one preflight line containing want.
	fails := func(eng restEngine, dataURL string, extra []string, want ...string) {
		GinkgoHelper()
		args := append([]string{"run", "--target", "rest", "--rest-url", eng.api, "--data-url", dataURL,
			"--report", GinkgoT().TempDir(), "--id", "client-messages-become-records"}, extra...)
		start := time.Now()
		Expect(Main(ctx, args, stdout, stderr)).To(Equal(2), stdout.String()+stderr.String())
		Expect(time.Since(start)).To(BeNumerically("<", 5*time.Second))
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		Expect(lines).To(HaveLen(1), stderr.String())
		Expect(lines[0]).To(HavePrefix("wsconform run: rest target: preflight: "))
		for _, w := range want {
			Expect(lines[0]).To(ContainSubstring(w))
		}
		Expect(stdout.String()).NotTo(ContainSubstring("passed"), "no scenario ran")
	}

	It("passes against a working engine, and leaves nothing on it", func() {
		eng := startRestEngine(true)
		dir := GinkgoT().TempDir()
		Expect(Main(ctx, []string{"run", "--target", "rest", "--rest-url", eng.api, "--data-url", "wss://" + eng.dataAddr,
			"--ca", eng.certs.CAFile, "--report", dir, "--id", "client-messages-become-records"}, stdout, stderr)).To(Equal(0), stdout.String()+stderr.String())
	})

	It("names a CA that did not sign the data server's certificate", func() {
		eng := startRestEngine(true)
		fails(eng, "wss://"+eng.dataAddr, []string{"--ca", eng.certs.UntrustedCAFile},
			"data server handshake at wss://"+eng.dataAddr+"/wsconform-preflight-", "certificate signed by unknown authority",
			"--ca "+eng.certs.UntrustedCAFile+" is not the CA that signed the engine's data server certificate")
	})

	It("names a plain ws URL against a wss data server", func() {
		eng := startRestEngine(true)
		fails(eng, "ws://"+eng.dataAddr, nil,
			"data server handshake at ws://"+eng.dataAddr+"/wsconform-preflight-", "HTTP 400",
			"the data server speaks wss: pass --data-url wss://"+eng.dataAddr)
	})

	It("names a wss URL against a plain ws data server", func() {
		eng := startRestEngine(false)
		fails(eng, "wss://"+eng.dataAddr, nil,
			"data server handshake at wss://"+eng.dataAddr, "the data server does not speak TLS there: pass --data-url ws://"+eng.dataAddr)
	})

	It("names an engine that refuses to post to the collector's private address, with the sink's error", func() {
		eng := startRestEngineWith(false, false)
		fails(eng, "ws://"+eng.dataAddr, nil, "record collector at http://127.0.0.1:", "enablePrivateNet is false",
			"let rest sinks post to private addresses (eKuiper: basic.enablePrivateNet: true")
	})

	It("names a collector the engine cannot reach, with the sink's error", func() {
		eng := startRestEngine(false)
		fails(eng, "ws://"+eng.dataAddr, []string{"--collector-url", "http://127.0.0.1:1"},
			"record collector at http://127.0.0.1:1/wsconform-preflight-", "connection refused", "--collector-url")
	})
})
