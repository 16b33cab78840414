package wsource_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/goleak"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/dataserver"
	"github.com/wsconform/wsconform/impl/fault"
	"github.com/wsconform/wsconform/impl/wsource"
	"github.com/wsconform/wsconform/internal/selftest"
	"github.com/wsconform/wsconform/internal/waits"
)

func TestWSource(t *testing.T) {
	RegisterFailHandler(Fail)
	SetDefaultEventuallyTimeout(waits.Event)
	suite, reporter := selftest.Suite()
	RunSpecs(t, "wsource", suite, reporter)
}

// checkLeaks makes the current spec fail when a goroutine started during it
// outlives its cleanups.
func checkLeaks() {
	leaks := goleak.IgnoreCurrent()
	DeferCleanup(func() { Expect(goleak.Find(leaks)).To(Succeed()) })
}

var _ = Describe("New", func() {
	It("refuses a datasource that does not start with /", func() {
		for _, ds := range []string{"", "api/data", "ws://x/y"} {
			_, err := wsource.New(wsource.Config{Datasource: ds, Emit: newSink(1).emit,
				Props: config.Props{Addr: "127.0.0.1:1"}})
			Expect(err).To(MatchError(wsource.ErrEndpoint), "datasource %q", ds)
			Expect(err.Error()).To(Equal("websocket endpoint should start with /"))
		}
	})

	It("accepts such a datasource with the AcceptRelativeDatasource fault", Label(selftest.Label), func() {
		for _, ds := range []string{"", "api/data"} {
			s, err := wsource.New(withDefects(wsource.Config{Datasource: ds, Emit: newSink(1).emit,
				Props: config.Props{Addr: "127.0.0.1:1"}}, fault.Set{AcceptRelativeDatasource: true}))
			Expect(err).NotTo(HaveOccurred(), "datasource %q", ds)
			Expect(s.Close()).To(Succeed())
		}
	})

	It("needs a data server in server mode", func() {
		_, err := wsource.New(wsource.Config{Stream: "s1", Datasource: "/a", Emit: newSink(1).emit})
		Expect(err).To(MatchError(ContainSubstring(`"s1"`)))
	})
})

var _ = Describe("server mode", func() {
	var (
		ds  *dataserver.Server
		url func(path string) string
	)

	BeforeEach(func() {
		checkLeaks()
		ds = dataserver.New(dataserver.Config{Addr: "127.0.0.1:0"})
		DeferCleanup(ds.Close)
		url = func(path string) string { return "ws://" + ds.Addr() + path }
	})

	start := func(cfg wsource.Config) *wsource.Source {
		cfg.DataServer = ds
		if cfg.Stream == "" {
			cfg.Stream = "demo"
		}
		s := newSource(cfg)
		Expect(s.Start(context.Background())).To(Succeed())
		return s
	}

	It("serves the datasource path while started and hands text messages to Emit in order", func() {
		k := newSink(100)
		s := start(wsource.Config{Datasource: "/api/data?ignored=1", Emit: k.emit})
		Expect(s.Stats().Connected).To(BeTrue())
		addr := ds.Addr()

		c, _, err := dialWS(url("/api/data"), nil, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.WriteMessage(websocket.TextMessage, []byte(`{"a":1}`))).To(Succeed())
		Expect(c.WriteMessage(websocket.BinaryMessage, []byte(`{"binary":true}`))).To(Succeed())
		Expect(c.WriteMessage(websocket.TextMessage, []byte(`{"a":2}`))).To(Succeed())
		Expect(c.WriteMessage(websocket.TextMessage, nil)).To(Succeed())
		Eventually(k.ch).WithTimeout(waitFor).Should(Receive(Equal(`{"a":1}`)))
		Eventually(k.ch).WithTimeout(waitFor).Should(Receive(Equal(`{"a":2}`)))
		Eventually(k.ch).WithTimeout(waitFor).Should(Receive(Equal(``)))
		Expect(s.Stats().RecordsIn).To(BeEquivalentTo(3))
		Expect(s.Stats().Exceptions).To(BeZero())

		// Ping is answered.
		pong := make(chan string, 1)
		c.SetPongHandler(func(p string) error { pong <- p; return nil })
		Expect(c.WriteControl(websocket.PingMessage, []byte("hello"), time.Now().Add(time.Second))).To(Succeed())
		readErr := make(chan error, 1)
		go func() { readErr <- readUntilError(c) }()
		Eventually(pong).WithTimeout(waitFor).Should(Receive(Equal("hello")))

		Expect(s.Close()).To(Succeed())
		var err2 error
		Eventually(readErr).WithTimeout(waitFor).Should(Receive(&err2))
		Expect(closeCode(err2)).To(Equal(websocket.CloseGoingAway))
		Expect(s.Stats().Connected).To(BeFalse())
		Expect(ds.Addr()).To(BeEmpty(), "data server still listening on %s", addr)
		Expect(s.Close()).To(Succeed())
		Expect(s.Start(context.Background())).To(MatchError(wsource.ErrClosed))
	})

	It("answers 404 after Close while other endpoints keep the server up", func() {
		start(wsource.Config{Datasource: "/other", Emit: newSink(1).emit})
		s := start(wsource.Config{Datasource: "/gone", Emit: newSink(1).emit})
		c, _, err := dialWS(url("/gone"), nil, nil)
		Expect(err).NotTo(HaveOccurred())
		answerClose(c)
		Expect(s.Close()).To(Succeed())
		_, resp, err := dialWS(url("/gone"), nil, nil)
		Expect(err).To(MatchError(websocket.ErrBadHandshake))
		Expect(resp.StatusCode).To(Equal(http.StatusNotFound))
	})

	It("keeps the endpoint after Close with the KeepEndpointAfterStop fault", Label(selftest.Label), func() {
		start(wsource.Config{Datasource: "/other", Emit: newSink(1).emit})
		s := start(withDefects(wsource.Config{Datasource: "/kept", Emit: newSink(1).emit}, fault.Set{KeepEndpointAfterStop: true}))
		Expect(s.Close()).To(Succeed())
		c, _, err := dialWS(url("/kept"), nil, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(closeCode(readUntilError(c))).To(Equal(websocket.CloseGoingAway))
		ds.Unregister("/kept")
	})

	It("refuses a second source on the same path, naming it", func() {
		start(wsource.Config{Datasource: "/same", Emit: newSink(1).emit})
		s2 := newSource(wsource.Config{Stream: "two", Datasource: "/same", Emit: newSink(1).emit, DataServer: ds})
		err := s2.Start(context.Background())
		Expect(err).To(MatchError(ContainSubstring(`"/same"`)))
		Expect(err).To(MatchError(ContainSubstring(`"two"`)))
		Expect(s2.Stats().Connected).To(BeFalse())
	})

	It("feeds one stream from many clients, one Emit at a time, each client in order", func() {
		const clients, each = 6, 200
		k := newSink(clients * each)
		s := start(wsource.Config{Datasource: "/many", Emit: k.emit})
		var conns []*websocket.Conn
		for range clients {
			c, _, err := dialWS(url("/many"), nil, http.Header{"Origin": {"http://elsewhere.example"}})
			Expect(err).NotTo(HaveOccurred())
			conns = append(conns, c)
		}
		var wg sync.WaitGroup
		for i, c := range conns {
			wg.Go(func() {
				defer GinkgoRecover()
				for j := range each {
					Expect(c.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, "%d %d", i, j))).To(Succeed())
				}
			})
		}
		wg.Wait()
		next := make([]int, clients)
		for range clients * each {
			m := receive(k.ch)
			var i, j int
			_, err := fmt.Sscanf(m, "%d %d", &i, &j)
			Expect(err).NotTo(HaveOccurred())
			Expect(j).To(Equal(next[i]), "client %d out of order", i)
			next[i]++
		}
		Expect(k.overlap.Load()).To(BeFalse(), "Emit called concurrently")
		Expect(s.Stats().RecordsIn).To(BeEquivalentTo(clients * each))
	})

	It("records a client that drops without a close frame and keeps serving", func() {
		k := newSink(10)
		var seen []error
		var mu sync.Mutex
		s := start(wsource.Config{Datasource: "/drop", Emit: k.emit, Exception: func(err error) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, err)
		}})
		c, _, err := dialWS(url("/drop"), nil, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.WriteMessage(websocket.TextMessage, []byte(`{}`))).To(Succeed())
		Eventually(k.ch).WithTimeout(waitFor).Should(Receive())
		Expect(c.NetConn().Close()).To(Succeed())
		Eventually(func() int64 { return s.Stats().Exceptions }).WithTimeout(waitFor).Should(BeEquivalentTo(1))
		st := s.Stats()
		Expect(st.LastException).To(Equal("websocket: close 1006 (abnormal closure): unexpected EOF"))
		Expect(st.LastExceptionTime).To(BeTemporally("~", time.Now(), waitFor))
		Expect(st.Connected).To(BeTrue())
		// The source counts an exception before it calls Exception; a
		// failed assertion must not keep mu, which Exception takes.
		Eventually(func() int {
			mu.Lock()
			defer mu.Unlock()
			return len(seen)
		}).WithTimeout(waitFor).Should(Equal(1))

		c2, _, err := dialWS(url("/drop"), nil, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c2.WriteMessage(websocket.TextMessage, []byte(`{"again":1}`))).To(Succeed())
		Eventually(k.ch).WithTimeout(waitFor).Should(Receive(Equal(`{"again":1}`)))

		// A clean close by the client is no exception.
		Expect(c2.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))).To(Succeed())
		Expect(closeCode(readUntilError(c2))).To(Equal(websocket.CloseNormalClosure))
		Consistently(func() int64 { return s.Stats().Exceptions }).WithTimeout(waits.Quiet).Should(BeEquivalentTo(1))
	})

	It("closes a connection with 1007 on invalid UTF-8, leaving the others", func() {
		k := newSink(10)
		s := start(wsource.Config{Datasource: "/utf8", Emit: k.emit})
		bad, _, err := dialWS(url("/utf8"), nil, nil)
		Expect(err).NotTo(HaveOccurred())
		good, _, err := dialWS(url("/utf8"), nil, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(bad.WriteMessage(websocket.TextMessage, []byte{'{', 0xff, 0xfe, '}'})).To(Succeed())
		Expect(closeCode(readUntilError(bad))).To(Equal(websocket.CloseInvalidFramePayloadData))
		Expect(s.Stats().Exceptions).To(BeEquivalentTo(1))
		Expect(s.Stats().LastException).To(ContainSubstring("UTF-8"))
		Expect(s.Stats().RecordsIn).To(BeZero())

		Expect(good.WriteMessage(websocket.TextMessage, []byte(`{"ok":"é"}`))).To(Succeed())
		Eventually(k.ch).WithTimeout(waitFor).Should(Receive(Equal(`{"ok":"é"}`)))
	})

	It("accepts invalid UTF-8 with the AcceptInvalidUTF8 fault", Label(selftest.Label), func() {
		k := newSink(10)
		start(withDefects(wsource.Config{Datasource: "/utf8", Emit: k.emit}, fault.Set{AcceptInvalidUTF8: true}))
		c, _, err := dialWS(url("/utf8"), nil, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.WriteMessage(websocket.TextMessage, []byte{0xff})).To(Succeed())
		Eventually(k.ch).WithTimeout(waitFor).Should(Receive(Equal("\xff")))
	})

	It("closes a connection with 1009 on a message over the limit, leaving the others", func() {
		k := newSink(10)
		s := start(wsource.Config{Datasource: "/big", Emit: k.emit, Props: config.Props{MaxMessageBytes: 1024}})
		big, _, err := dialWS(url("/big"), nil, nil)
		Expect(err).NotTo(HaveOccurred())
		good, _, err := dialWS(url("/big"), nil, nil)
		Expect(err).NotTo(HaveOccurred())

		Expect(good.WriteMessage(websocket.TextMessage, []byte(strings.Repeat("x", 1024)))).To(Succeed())
		Eventually(k.ch).WithTimeout(waitFor).Should(Receive(HaveLen(1024)))
		Expect(big.WriteMessage(websocket.TextMessage, []byte(strings.Repeat("x", 1025)))).To(Succeed())
		Expect(closeCode(readUntilError(big))).To(Equal(websocket.CloseMessageTooBig))
		Eventually(func() int64 { return s.Stats().Exceptions }).WithTimeout(waitFor).Should(BeEquivalentTo(1))
		Expect(s.Stats().LastException).To(ContainSubstring("1024"))

		Expect(good.WriteMessage(websocket.TextMessage, []byte(`{}`))).To(Succeed())
		Eventually(k.ch).WithTimeout(waitFor).Should(Receive(Equal(`{}`)))
	})

	It("applies no limit with the NoReadLimit fault", Label(selftest.Label), func() {
		k := newSink(10)
		start(withDefects(wsource.Config{Datasource: "/big", Emit: k.emit, Props: config.Props{MaxMessageBytes: 1024}}, fault.Set{NoReadLimit: true}))
		c, _, err := dialWS(url("/big"), nil, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.WriteMessage(websocket.TextMessage, []byte(strings.Repeat("x", 4096)))).To(Succeed())
		Eventually(k.ch).WithTimeout(waitFor).Should(Receive(HaveLen(4096)))
	})

	It("delivers binary frames with the DecodeBinaryFrames fault", Label(selftest.Label), func() {
		k := newSink(10)
		start(withDefects(wsource.Config{Datasource: "/bin", Emit: k.emit}, fault.Set{DecodeBinaryFrames: true}))
		c, _, err := dialWS(url("/bin"), nil, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.WriteMessage(websocket.BinaryMessage, []byte(`{"b":1}`))).To(Succeed())
		Eventually(k.ch).WithTimeout(waitFor).Should(Receive(Equal(`{"b":1}`)))
	})

	It("keeps the connection open when Emit fails", func() {
		k := newSink(10)
		k.fail = "not json"
		s := start(wsource.Config{Datasource: "/dec", Emit: k.emit})
		c, _, err := dialWS(url("/dec"), nil, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.WriteMessage(websocket.TextMessage, []byte("not json"))).To(Succeed())
		Expect(c.WriteMessage(websocket.TextMessage, []byte(`{"after":1}`))).To(Succeed())
		Eventually(k.ch).WithTimeout(waitFor).Should(Receive(Equal(`{"after":1}`)))
		Expect(s.Stats().Exceptions).To(BeZero())
		Expect(s.Stats().RecordsIn).To(BeEquivalentTo(2))
	})

	It("closes the connection when Emit fails with the StopOnDecodeError fault", Label(selftest.Label), func() {
		k := newSink(10)
		k.fail = "not json"
		s := start(withDefects(wsource.Config{Datasource: "/dec", Emit: k.emit}, fault.Set{StopOnDecodeError: true}))
		c, _, err := dialWS(url("/dec"), nil, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.WriteMessage(websocket.TextMessage, []byte("not json"))).To(Succeed())
		Expect(closeCode(readUntilError(c))).To(Equal(websocket.CloseUnsupportedData))
		Expect(s.Stats().LastException).To(ContainSubstring("decode error"))
	})

	It("applies backpressure: a blocked Emit stops the reads, nothing is lost or reordered", func() {
		const n, size = 2000, 4096
		gate := make(chan struct{})
		got := make(chan string, n)
		s := start(wsource.Config{Datasource: "/slow", Emit: func(ctx context.Context, p []byte) error {
			select {
			case <-gate:
			case <-ctx.Done():
				return ctx.Err()
			}
			got <- string(p[:8])
			return nil
		}})
		c, _, err := dialWS(url("/slow"), nil, nil)
		Expect(err).NotTo(HaveOccurred())
		sent := make(chan error, 1)
		go func() {
			pad := strings.Repeat("x", size-8)
			for i := range n {
				if err := c.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, "%08d%s", i, pad)); err != nil {
					sent <- err
					return
				}
			}
			sent <- nil
		}()
		// 8 MiB cannot fit in the socket buffers: the writer must stall while
		// Emit is blocked, and the source must not have read ahead.
		Consistently(sent).WithTimeout(waits.Quiet).ShouldNot(Receive())
		Expect(s.Stats().RecordsIn).To(BeEquivalentTo(1))

		close(gate)
		for i := range n {
			m := receive(got)
			if m != fmt.Sprintf("%08d", i) {
				Fail(fmt.Sprintf("message %d arrived as %q", i, m))
			}
		}
		Eventually(sent).WithTimeout(waitFor).Should(Receive(BeNil()))
		Expect(s.Stats().RecordsIn).To(BeEquivalentTo(n))
	})

	It("unblocks a blocked Emit on Close and waits for it", func() {
		entered := make(chan struct{})
		returned := make(chan error, 1)
		s := start(wsource.Config{Datasource: "/stuck", Emit: func(ctx context.Context, _ []byte) error {
			close(entered)
			<-ctx.Done()
			returned <- ctx.Err()
			return ctx.Err()
		}})
		c, _, err := dialWS(url("/stuck"), nil, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.WriteMessage(websocket.TextMessage, []byte(`{}`))).To(Succeed())
		Eventually(entered).WithTimeout(waitFor).Should(BeClosed())
		readErr := make(chan error, 1)
		go func() { readErr <- readUntilError(c) }()
		closed := make(chan struct{})
		go func() { defer close(closed); _ = s.Close() }()
		Eventually(closed).WithTimeout(waitFor).Should(BeClosed())
		Expect(returned).To(Receive(MatchError(context.Canceled)), "Close returned before Emit")
		Eventually(readErr).WithTimeout(waitFor).Should(Receive(WithTransform(closeCode, Equal(websocket.CloseGoingAway))))
		Expect(s.Stats().Exceptions).To(BeZero())
	})

	It("survives clients connecting while the source closes", func() {
		s := start(wsource.Config{Datasource: "/race", Emit: newSink(1 << 14).emit})
		addr := ds.Addr()
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() {
				d := &websocket.Dialer{HandshakeTimeout: 2 * time.Second}
				for ctx.Err() == nil {
					c, _, err := d.DialContext(ctx, "ws://"+addr+"/race", nil)
					if err != nil {
						continue // 404 or refused once the source is gone
					}
					_ = c.WriteMessage(websocket.TextMessage, []byte(`{}`))
					_ = c.WriteControl(websocket.CloseMessage,
						websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
					_ = readUntilError(c)
					_ = c.Close()
				}
			})
		}
		Eventually(func() int64 { return s.Stats().RecordsIn }).WithTimeout(waitFor).Should(BeNumerically(">", 3))
		Expect(s.Close()).To(Succeed())
		cancel()
		wg.Wait()
	})
})
