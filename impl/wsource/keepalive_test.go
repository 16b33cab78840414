package wsource_test

import (
	"context"
	"net"
	"time"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/dataserver"
	"github.com/wsconform/wsconform/impl/wsource"
)

var _ = Describe("server mode with pingInterval", func() {
	var ds *dataserver.Server

	BeforeEach(func() {
		checkLeaks()
		ds = dataserver.New(dataserver.Config{Addr: "127.0.0.1:0"})
		DeferCleanup(ds.Close)
	})

	start := func(iv time.Duration) *wsource.Source {
		s := newSource(wsource.Config{Stream: "demo", Datasource: "/live", DataServer: ds,
			Emit: newSink(10).emit, Props: config.Props{PingInterval: iv}})
		Expect(s.Start(context.Background())).To(Succeed())
		DeferCleanup(s.Close)
		return s
	}

	It("drops a client that answers no ping and records a ping timeout", func() {
		s := start(100 * time.Millisecond)
		// A raw TCP client that completes the handshake and then reads
		// nothing: it never answers a ping.
		c, _, err := dialWS("ws://"+ds.Addr()+"/live", nil, nil)
		Expect(err).NotTo(HaveOccurred())
		c.SetPingHandler(func(string) error { return nil })
		readErr := make(chan error, 1)
		go func() { readErr <- readUntilError(c) }()
		Eventually(func() string { return s.Stats().LastException }).WithTimeout(waitFor).
			Should(ContainSubstring("ping timeout"))
		Eventually(readErr).WithTimeout(waitFor).Should(Receive())
		Expect(s.Stats().Exceptions).To(BeEquivalentTo(1), "one exception, not a second for the closed read")
	})

	It("keeps a client that answers the pings", func() {
		s := start(50 * time.Millisecond)
		c, _, err := dialWS("ws://"+ds.Addr()+"/live", nil, nil)
		Expect(err).NotTo(HaveOccurred())
		pings := make(chan struct{}, 100)
		c.SetPingHandler(func(data string) error {
			pings <- struct{}{}
			return c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		})
		readErr := make(chan error, 1)
		go func() { readErr <- readUntilError(c) }()
		for range 5 {
			Eventually(pings).WithTimeout(waitFor).Should(Receive())
		}
		Expect(s.Stats().Exceptions).To(BeZero())
		Expect(c.WriteMessage(websocket.TextMessage, []byte(`{}`))).To(Succeed())
		_ = c.Close()
		Eventually(readErr).WithTimeout(waitFor).Should(Receive())
	})

	It("sends no pings when off", func() {
		start(0)
		c, _, err := dialWS("ws://"+ds.Addr()+"/live", nil, nil)
		Expect(err).NotTo(HaveOccurred())
		pinged := make(chan struct{}, 1)
		c.SetPingHandler(func(string) error { pinged <- struct{}{}; return nil })
		readErr := make(chan error, 1)
		go func() { readErr <- readUntilError(c) }()
		Consistently(pinged, 300*time.Millisecond).ShouldNot(Receive())
		_ = c.UnderlyingConn().(*net.TCPConn).Close()
		Eventually(readErr).WithTimeout(waitFor).Should(Receive())
	})
})
