package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/goleak"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/rest/store"
)

func TestKuiperd(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	RegisterFailHandler(Fail)
	RunSpecs(t, "kuiperd")
	goleak.VerifyNone(t, ignore,
		// Ginkgo's interrupt handler outlives RunSpecs by design.
		goleak.IgnoreTopFunction("github.com/onsi/ginkgo/v2/internal/interrupt_handler.(*InterruptHandler).registerForInterrupts.func2"))
}

// syncBuffer is an io.Writer safe for the daemon's and the spec's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// writeEtc writes an etc directory whose REST API and data server take free
// loopback ports, with confKeys yaml as sources/websocket.yaml.
func writeEtc(yaml string) string {
	dir := GinkgoT().TempDir()
	Expect(os.WriteFile(filepath.Join(dir, "kuiper.yaml"), []byte(
		"basic:\n  restIp: 127.0.0.1\n  restPort: 0\nsource:\n  httpServerIp: 127.0.0.1\n  httpServerPort: 0\n"), 0o644)).To(Succeed())
	Expect(os.MkdirAll(filepath.Join(dir, "sources"), 0o755)).To(Succeed())
	Expect(os.WriteFile(filepath.Join(dir, "sources", "websocket.yaml"), []byte(yaml), 0o644)).To(Succeed())
	return dir
}

// daemon is one in-process run of kuiperd.
type daemon struct {
	base   string
	cancel context.CancelFunc
	done   chan error
	stderr *syncBuffer
	client *http.Client
}

// startDaemon runs run() with args plus an --addr-file and waits until the
// REST API's address is written.
func startDaemon(args ...string) *daemon {
	addrFile := filepath.Join(GinkgoT().TempDir(), "rest-addr")
	ctx, cancel := context.WithCancel(context.Background())
	d := &daemon{cancel: cancel, done: make(chan error, 1), stderr: &syncBuffer{}}
	go func() {
		d.done <- run(ctx, append(args, "--addr-file", addrFile), io.Discard, io.MultiWriter(d.stderr, GinkgoWriter))
	}()
	var addr string
	Eventually(func() (string, error) {
		select {
		case err := <-d.done:
			d.done <- err
			StopTrying("kuiperd exited: " + errString(err)).Now()
		default:
		}
		data, err := os.ReadFile(addrFile)
		addr = strings.TrimSpace(string(data))
		return addr, err
	}, 10*time.Second, 10*time.Millisecond).ShouldNot(BeEmpty())
	d.base = "http://" + addr
	d.client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	DeferCleanup(d.stop)
	return d
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// stop cancels the daemon and waits for run to return; it is idempotent.
func (d *daemon) stop() error {
	d.cancel()
	select {
	case err := <-d.done:
		d.done <- err
		return err
	case <-time.After(5 * time.Second):
		Fail("kuiperd did not stop within 5 s")
		return nil
	}
}

func (d *daemon) do(method, path, body string) (int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, strings.NewReader(body))
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := d.client.Do(req)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	return resp.StatusCode, string(data)
}

func (d *daemon) mustDo(method, path, body string, want int) string {
	code, text := d.do(method, path, body)
	ExpectWithOffset(1, code).To(Equal(want), "%s %s: %s", method, path, text)
	return text
}

func (d *daemon) status(id string) map[string]any {
	var st map[string]any
	ExpectWithOffset(1, json.Unmarshal([]byte(d.mustDo(http.MethodGet, "/rules/"+id+"/status", "", http.StatusOK)), &st)).To(Succeed())
	return st
}

// remote is a WebSocket server that counts the connections it accepts.
type remote struct {
	srv   *httptest.Server
	conns chan struct{}
}

func newRemote() *remote {
	r := &remote{conns: make(chan struct{}, 16)}
	up := websocket.Upgrader{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		c, err := up.Upgrade(w, req, nil)
		if err != nil {
			return
		}
		defer c.Close()
		r.conns <- struct{}{}
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	}))
	DeferCleanup(func() {
		r.srv.CloseClientConnections()
		r.srv.Close()
	})
	return r
}

func sqlBody(sql string) string {
	b, _ := json.Marshal(map[string]string{"sql": sql})
	return string(b)
}

var _ = Describe("kuiperd", func() {
	It("keeps streams, rules with their state and confKeys across a restart", func() {
		peer := newRemote()
		etc := writeEtc("default:\n  addr: \"\"\nfromEtc:\n  addr: 127.0.0.1:1\n")
		data := filepath.Join(GinkgoT().TempDir(), "data")

		d := startDaemon("--etc", etc, "--data", data)
		const keys = "/metadata/sources/websocket/confKeys/"
		d.mustDo(http.MethodPut, keys+"remote", `{"addr":"`+peer.srv.Listener.Addr().String()+`"}`, http.StatusOK)
		d.mustDo(http.MethodDelete, keys+"fromEtc", "", http.StatusOK)
		d.mustDo(http.MethodPost, "/streams", sqlBody(`CREATE STREAM local () WITH (DATASOURCE="/local", FORMAT="json", TYPE="websocket")`), http.StatusCreated)
		d.mustDo(http.MethodPost, "/streams", sqlBody(`CREATE STREAM far () WITH (DATASOURCE="/feed", CONF_KEY="remote")`), http.StatusCreated)
		d.mustDo(http.MethodPost, "/streams", sqlBody(`CREATE STREAM old () WITH (DATASOURCE="/old", CONF_KEY="fromEtc")`), http.StatusCreated)
		d.mustDo(http.MethodPost, "/rules", `{"id":"serve","sql":"SELECT * FROM local","actions":[{"nop":{}}]}`, http.StatusCreated)
		d.mustDo(http.MethodPost, "/rules", `{"id":"dial","sql":"SELECT * FROM far","actions":[{"nop":{}}]}`, http.StatusCreated)
		d.mustDo(http.MethodPost, "/rules", `{"id":"halt","sql":"SELECT * FROM local","actions":[{"log":{}}]}`, http.StatusCreated)
		d.mustDo(http.MethodPost, "/rules/halt/stop", "", http.StatusOK)
		Eventually(peer.conns, 5*time.Second).Should(Receive())
		Expect(d.stop()).To(Succeed())

		d2 := startDaemon("--etc", etc, "--data", data)
		Expect(d2.base).NotTo(Equal(""))
		Expect(d2.mustDo(http.MethodGet, "/streams", "", http.StatusOK)).To(MatchJSON(`["far","local","old"]`))
		Expect(d2.mustDo(http.MethodGet, "/rules", "", http.StatusOK)).To(MatchJSON(
			`[{"id":"dial","status":"running"},{"id":"halt","status":"stopped"},{"id":"serve","status":"running"}]`))
		Expect(d2.mustDo(http.MethodGet, "/rules/halt", "", http.StatusOK)).To(MatchJSON(
			`{"id":"halt","sql":"SELECT * FROM local","actions":[{"log":{}}],"triggered":false}`))
		By("the restored confKey: the client-mode rule dials the peer again")
		Eventually(peer.conns, 5*time.Second).Should(Receive())
		Expect(d2.status("dial")).To(HaveKeyWithValue("source_far_0_connection_status", BeNumerically("==", 1)))
		By("the deleted confKey from etc stays deleted")
		code, body := d2.do(http.MethodPost, "/rules", `{"id":"again","sql":"SELECT * FROM old","actions":[{"nop":{}}]}`)
		Expect(code).To(Equal(http.StatusBadRequest))
		Expect(body).To(MatchRegexp(`unknown confKey.*(?i:fromEtc)`))
		Expect(d2.stop()).To(Succeed())
	})

	It("restores stopped rules without opening the data server port or dialing the remote", func() {
		peer := newRemote()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		dsAddr := ln.Addr().String()
		Expect(ln.Close()).To(Succeed()) // free again for the daemon's data server
		etc := writeEtc("remote:\n  addr: " + peer.srv.Listener.Addr().String() + "\n")
		data := filepath.Join(GinkgoT().TempDir(), "data")
		portClosed := func() error {
			c, err := net.DialTimeout("tcp", dsAddr, time.Second)
			if err == nil {
				_ = c.Close()
				return errors.New("the data server port " + dsAddr + " is open")
			}
			return nil
		}

		d := startDaemon("--etc", etc, "--data", data, "--data-server", dsAddr)
		d.mustDo(http.MethodPost, "/streams", sqlBody(`CREATE STREAM local () WITH (DATASOURCE="/local")`), http.StatusCreated)
		d.mustDo(http.MethodPost, "/streams", sqlBody(`CREATE STREAM far () WITH (DATASOURCE="/feed", CONF_KEY="remote")`), http.StatusCreated)
		d.mustDo(http.MethodPost, "/rules", `{"id":"serve","sql":"SELECT * FROM local","actions":[{"nop":{}}],"triggered":false}`, http.StatusCreated)
		d.mustDo(http.MethodPost, "/rules", `{"id":"dial","sql":"SELECT * FROM far","actions":[{"nop":{}}],"triggered":false}`, http.StatusCreated)
		Expect(portClosed()).To(Succeed())
		Expect(d.stop()).To(Succeed())

		d2 := startDaemon("--etc", etc, "--data", data, "--data-server", dsAddr)
		Expect(d2.mustDo(http.MethodGet, "/rules", "", http.StatusOK)).To(MatchJSON(
			`[{"id":"dial","status":"stopped"},{"id":"serve","status":"stopped"}]`))
		Consistently(portClosed, 300*time.Millisecond, 20*time.Millisecond).Should(Succeed())
		Consistently(peer.conns, 100*time.Millisecond).ShouldNot(Receive(), "the client-mode rule never dialed")
		Expect(d2.status("serve")).To(Equal(map[string]any{"status": "stopped", "message": "canceled manually"}),
			"no metrics: the rule never ran")

		By("starting the rules opens the port and dials the remote")
		d2.mustDo(http.MethodPost, "/rules/serve/start", "", http.StatusOK)
		Expect(portClosed()).NotTo(Succeed())
		d2.mustDo(http.MethodPost, "/rules/dial/start", "", http.StatusOK)
		Eventually(peer.conns, 5*time.Second).Should(Receive())
		Expect(d2.stop()).To(Succeed())
	})

	It("fails on a taken REST address before any saved rule starts", func() {
		peer := newRemote()
		etc := writeEtc("remote:\n  addr: " + peer.srv.Listener.Addr().String() + "\n")
		data := filepath.Join(GinkgoT().TempDir(), "data")
		st, err := store.Open(data)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.PutStream("far", `CREATE STREAM far () WITH (DATASOURCE="/feed", CONF_KEY="remote")`)).To(Succeed())
		Expect(st.PutRule(store.Rule{ID: "dial", SQL: "SELECT * FROM far", Actions: []map[string]map[string]any{{"nop": {}}}, Triggered: true})).To(Succeed())
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(ln.Close)

		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = run(ctx, []string{"--etc", etc, "--data", data, "--rest", ln.Addr().String()}, io.Discard, GinkgoWriter)
		Expect(err).To(MatchError(ContainSubstring("REST API listen on " + ln.Addr().String())))
		Consistently(peer.conns, 200*time.Millisecond).ShouldNot(Receive(), "the saved client-mode rule never dialed")
	})

	It("answers GET / with its version and platform, and lists the confKeys it holds", func() {
		etc := writeEtc("default:\n  addr: \"\"\n  maxMessageBytes: 64\n  requestHeader:\n    X-Team: blue\nfar:\n  addr: 127.0.0.1:1\n")
		d := startDaemon("--etc", etc)
		var info map[string]any
		Expect(json.Unmarshal([]byte(d.mustDo(http.MethodGet, "/", "", http.StatusOK)), &info)).To(Succeed())
		Expect(info).To(HaveKeyWithValue("version", versionString()))
		Expect(info).To(HaveKeyWithValue("os", runtime.GOOS))
		Expect(info).To(HaveKeyWithValue("arch", runtime.GOARCH))
		Expect(info).To(HaveKeyWithValue("upTimeSeconds", BeNumerically(">=", 0)))

		const list = "/metadata/sources/yaml/websocket"
		Expect(d.mustDo(http.MethodGet, list, "", http.StatusOK)).To(MatchJSON(
			`{"default":{"addr":"","maxMessageBytes":64,"requestHeader":{"X-Team":"blue"}},"far":{"addr":"127.0.0.1:1"}}`))
		d.mustDo(http.MethodPut, "/metadata/sources/websocket/confKeys/near", `{"addr":"127.0.0.1:2"}`, http.StatusOK)
		d.mustDo(http.MethodDelete, "/metadata/sources/websocket/confKeys/far", "", http.StatusOK)
		Expect(d.mustDo(http.MethodGet, list, "", http.StatusOK)).To(MatchJSON(
			`{"default":{"addr":"","maxMessageBytes":64,"requestHeader":{"X-Team":"blue"}},"near":{"addr":"127.0.0.1:2"}}`))
	})

	It("reports the build's version, or devel", func() {
		defer func(v string) { version = v }(version)
		version = "1.2.3-test"
		Expect(versionString()).To(Equal("1.2.3-test"))
		version = ""
		Expect(versionString()).NotTo(BeEmpty())
	})

	It("runs on the etc settings without --data and saves nothing", func() {
		etc := writeEtc("")
		d := startDaemon("--etc", etc)
		d.mustDo(http.MethodGet, "/ping", "", http.StatusOK)
		d.mustDo(http.MethodPost, "/streams", sqlBody(`CREATE STREAM s () WITH (DATASOURCE="/s")`), http.StatusCreated)
		Expect(d.stop()).To(Succeed())
		entries, err := os.ReadDir(etc)
		Expect(err).NotTo(HaveOccurred())
		Expect(entries).To(HaveLen(2), "only kuiper.yaml and sources/")
	})

	It("applies basic.enablePrivateNet and basic.restAllowedHosts from kuiper.yaml", func() {
		posted := make(chan struct{}, 8)
		sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			posted <- struct{}{}
		}))
		DeferCleanup(sink.Close)
		etc := writeEtc("")
		Expect(os.WriteFile(filepath.Join(etc, "kuiper.yaml"), []byte("basic:\n  restIp: 127.0.0.1\n  restPort: 0\n"+
			"  restAllowedHosts: [kuiper.lan]\nsource:\n  httpServerIp: 127.0.0.1\n  httpServerPort: 0\n"), 0o644)).To(Succeed())
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		dsAddr := ln.Addr().String()
		Expect(ln.Close()).To(Succeed()) // free again for the daemon's data server
		d := startDaemon("--etc", etc, "--data-server", dsAddr)

		ping := func(host string) int {
			req, err := http.NewRequest(http.MethodGet, d.base+"/ping", nil)
			Expect(err).NotTo(HaveOccurred())
			req.Host = host
			resp, err := d.client.Do(req)
			Expect(err).NotTo(HaveOccurred())
			_ = resp.Body.Close()
			return resp.StatusCode
		}
		Expect(ping("kuiper.lan")).To(Equal(http.StatusOK))
		Expect(ping("attacker.example")).To(Equal(http.StatusMisdirectedRequest))

		d.mustDo(http.MethodPost, "/streams", sqlBody(`CREATE STREAM s () WITH (DATASOURCE="/s")`), http.StatusCreated)
		d.mustDo(http.MethodPost, "/rules", `{"id":"r","sql":"SELECT * FROM s","actions":[{"rest":{"url":"`+sink.URL+`"}}]}`, http.StatusCreated)
		c, _, err := websocket.DefaultDialer.Dial("ws://"+dsAddr+"/s", nil)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(c.Close)
		Expect(c.WriteMessage(websocket.TextMessage, []byte(`{"a":1}`))).To(Succeed())
		Eventually(func() any { return d.status("r")["sink_rest_0_0_last_exception"] }, 5*time.Second).
			Should(ContainSubstring("is in internal network"), "enablePrivateNet is false by default")
		Expect(posted).NotTo(Receive())
	})

	It("lets --rest and --data-server override kuiper.yaml", func() {
		etc := GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(etc, "kuiper.yaml"), []byte("basic:\n  restPort: 1\n"), 0o644)).To(Succeed())
		d := startDaemon("--etc", etc, "--rest", "127.0.0.1:0", "--data-server", "127.0.0.1:0")
		d.mustDo(http.MethodGet, "/ping", "", http.StatusOK)
		Expect(d.base).NotTo(HaveSuffix(":1"))
		Expect(d.stderr.String()).To(ContainSubstring("no sources/websocket.yaml"))
	})

	DescribeTable("refuses a bad command line or configuration, naming the culprit",
		func(args func() []string, want string) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := run(ctx, args(), io.Discard, GinkgoWriter)
			Expect(err).To(MatchError(ContainSubstring(want)))
		},
		Entry("unknown flag", func() []string { return []string{"--nope"} }, "nope"),
		Entry("stray argument", func() []string { return []string{"extra"} }, `"extra"`),
		Entry("missing etc", func() []string { return []string{"--etc", "/does/not/exist"} }, "/does/not/exist"),
		Entry("bad kuiper.yaml", func() []string {
			dir := GinkgoT().TempDir()
			Expect(os.WriteFile(filepath.Join(dir, "kuiper.yaml"), []byte("basic: [\n"), 0o644)).To(Succeed())
			return []string{"--etc", dir}
		}, "kuiper.yaml"),
		Entry("bad websocket.yaml", func() []string {
			return []string{"--etc", writeEtc("default:\n  addr: nohost\n")}
		}, "websocket.yaml"),
		Entry("bad --data-server", func() []string { return []string{"--data-server", "nohost"} }, "nohost"),
		Entry("bad --log-level", func() []string { return []string{"--log-level", "loud"} }, "loud"),
		Entry("REST address in use", func() []string {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(ln.Close)
			return []string{"--rest", ln.Addr().String(), "--data-server", "127.0.0.1:0"}
		}, "REST API listen on 127.0.0.1:"),
	)

	It("uses the built-in defaults without --etc", func() {
		k, keys, err := loadEtc("", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(k).To(Equal(config.Default()))
		Expect(k.Basic.Addr()).To(Equal("127.0.0.1:9081"))
		Expect(k.Source.Addr()).To(Equal("0.0.0.0:10081"))
		Expect(keys).To(BeEmpty())
	})

	Describe("the binary", Ordered, func() {
		const builtVersion = "9.8.7-wsconform-test"
		var bin string
		BeforeAll(func() {
			bin = filepath.Join(GinkgoT().TempDir(), "kuiperd")
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			out, err := exec.CommandContext(ctx, "go", "build", "-ldflags", "-X main.version="+builtVersion, "-o", bin, ".").CombinedOutput()
			Expect(err).NotTo(HaveOccurred(), string(out))
		})

		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
			It("exits 0 within 5 s of "+sig.String()+" with a rule running", func() {
				dir := GinkgoT().TempDir()
				addrFile := filepath.Join(dir, "addr")
				var logs syncBuffer
				cmd := exec.Command(bin, "--rest", "127.0.0.1:0", "--data-server", "127.0.0.1:0",
					"--data", filepath.Join(dir, "data"), "--addr-file", addrFile)
				cmd.Stdout, cmd.Stderr = &logs, &logs
				Expect(cmd.Start()).To(Succeed())
				exited := make(chan error, 1)
				go func() { exited <- cmd.Wait() }()
				DeferCleanup(func() {
					_ = cmd.Process.Kill()
					<-exited
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
				Expect(d.status("r")).To(HaveKeyWithValue("status", "running"))
				Expect(d.mustDo(http.MethodGet, "/", "", http.StatusOK)).To(ContainSubstring(`"version":"` + builtVersion + `"`))

				Expect(cmd.Process.Signal(sig)).To(Succeed())
				var err error
				Eventually(exited, 5*time.Second).Should(Receive(&err), "log: %s", logs.String())
				Expect(err).NotTo(HaveOccurred(), "log: %s", logs.String())
				exited <- nil // for the cleanup
				Expect(logs.String()).To(ContainSubstring("shutting down"))
				Expect(addrFile).NotTo(BeAnExistingFile(), "the address file is removed at exit")

				_, err = net.DialTimeout("tcp", addr, time.Second)
				var opErr *net.OpError
				Expect(errors.As(err, &opErr)).To(BeTrue(), "the REST port is closed")
			})
		}
	})
})
