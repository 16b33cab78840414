//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/dataserver"
)

// runMainEnv, when set in the environment of this test binary, makes it run
// the daemon's main with its arguments instead of the tests, under the
// open-file limit the variable gives.
const runMainEnv = "KUIPERD_TEST_RUN_MAIN_NOFILE"

func TestMain(m *testing.M) {
	if v := os.Getenv(runMainEnv); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err == nil {
			err = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: n, Max: n})
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "kuiperd test: set the open-file limit:", err)
			os.Exit(2)
		}
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var _ = Describe("kuiperd under an open-file limit", func() {
	It("keeps answering GET /ping within 100 ms with the default cap's worth of idle clients, and refuses the next client with 503", func() {
		const nofile = 256
		want := dataserver.MaxConnectionsFor(nofile)
		Expect(want).To(Equal(160))

		dir := GinkgoT().TempDir()
		addrFile := filepath.Join(dir, "addr")
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		dataAddr := ln.Addr().String()
		Expect(ln.Close()).To(Succeed())

		var logs syncBuffer
		cmd := exec.Command(os.Args[0], "--rest", "127.0.0.1:0", "--data-server", dataAddr,
			"--addr-file", addrFile, "--log-level", "warn")
		cmd.Env = append(os.Environ(), runMainEnv+"="+strconv.Itoa(nofile))
		cmd.Stdout, cmd.Stderr = &logs, &logs
		Expect(cmd.Start()).To(Succeed())
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		DeferCleanup(func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
			}
		})

		var addr string
		Eventually(func() string {
			data, _ := os.ReadFile(addrFile)
			addr = strings.TrimSpace(string(data))
			return addr
		}, 30*time.Second, 20*time.Millisecond).ShouldNot(BeEmpty(), "log: %s", logs.String())
		d := &daemon{base: "http://" + addr, client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}}
		d.mustDo(http.MethodPost, "/streams", sqlBody(`CREATE STREAM s () WITH (DATASOURCE="/s")`), http.StatusCreated)
		d.mustDo(http.MethodPost, "/rules", `{"id":"r","sql":"SELECT * FROM s","actions":[{"nop":{}}]}`, http.StatusCreated)

		url := "ws://" + dataAddr + "/s"
		dialer := &websocket.Dialer{HandshakeTimeout: 5 * time.Second}
		var conns []*websocket.Conn
		DeferCleanup(func() {
			for _, c := range conns {
				_ = c.Close()
			}
		})
		for i := range want {
			c, _, err := dialer.Dial(url, nil)
			Expect(err).NotTo(HaveOccurred(), "client %d of %d; log: %s", i+1, want, logs.String())
			conns = append(conns, c)
		}

		// ping measures one GET /ping on a new connection, as a fresh client
		// (a health check) makes it.
		ping := func() time.Duration {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.base+"/ping", nil)
			Expect(err).NotTo(HaveOccurred())
			start := time.Now()
			resp, err := d.client.Do(req)
			Expect(err).NotTo(HaveOccurred(), "GET /ping with %d idle clients", len(conns))
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(http.StatusOK))
			return time.Since(start)
		}
		var took []time.Duration
		for range 5 {
			took = append(took, ping())
		}
		slices.Sort(took)
		Expect(took[len(took)/2]).To(BeNumerically("<=", 100*time.Millisecond), "GET /ping times %v", took)

		// The next clients are refused with a reason, and cost the REST API nothing.
		for range 3 * refusalsPerRound {
			_, resp, err := dialer.Dial(url, nil)
			Expect(err).To(MatchError(websocket.ErrBadHandshake))
			Expect(resp.StatusCode).To(Equal(http.StatusServiceUnavailable))
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			Expect(string(body)).To(ContainSubstring(fmt.Sprintf("connection limit reached (%d connections)", want)))
		}
		took = took[:0]
		for range 5 {
			took = append(took, ping())
		}
		slices.Sort(took)
		Expect(took[len(took)/2]).To(BeNumerically("<=", 100*time.Millisecond), "GET /ping times after refusals %v", took)

		// The clients already connected still feed the rule.
		Expect(conns[0].WriteMessage(websocket.TextMessage, []byte(`{"n":1}`))).To(Succeed())
		Eventually(func() any {
			return d.status("r")["source_s_0_records_in_total"]
		}, 5*time.Second, 20*time.Millisecond).Should(BeEquivalentTo(1))
	})
})

// refusalsPerRound is how many clients over the cap one round tries.
const refusalsPerRound = 40
