package dataserver_test

import (
	"crypto/tls"
	"github.com/wsconform/wsconform/internal/pki"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/goleak"

	"github.com/wsconform/wsconform/impl/dataserver"
	"github.com/wsconform/wsconform/impl/fault"
	"github.com/wsconform/wsconform/internal/selftest"
	"github.com/wsconform/wsconform/internal/waits"
)

var _ = Describe("data server defects", func() {
	var leaks goleak.Option
	BeforeEach(func() { leaks = goleak.IgnoreCurrent() })

	newServer := func(cfg dataserver.Config) *dataserver.Server {
		cfg.Addr = "127.0.0.1:0"
		s := dataserver.New(cfg)
		DeferCleanup(func() {
			Expect(s.Close()).To(Succeed())
			Expect(goleak.Find(leaks)).To(Succeed())
		})
		return s
	}

	It("speaks plain ws despite TLS with ServeDataPlain", Label(selftest.Label), func() {
		certs, err := pki.NewSet()
		Expect(err).NotTo(HaveOccurred())
		s := newServer(withDefects(dataserver.Config{TLS: &tls.Config{Certificates: []tls.Certificate{certs.Server.TLS()}}}, fault.Set{ServeDataPlain: true}))
		h := newCollector()
		Expect(s.Register("/plain", h.handle)).To(Succeed())
		c, _, err := dial("ws://"+s.Addr()+"/plain", nil, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.WriteMessage(websocket.TextMessage, []byte("in clear"))).To(Succeed())
		Eventually(h.msgs).WithTimeout(waits.Event).Should(Receive(Equal("in clear")))
	})

	DescribeTable("a second client of an endpoint",
		func(faults fault.Set, want int) {
			s := newServer(withDefects(dataserver.Config{}, faults))
			Expect(s.Register("/many", newCollector().handle)).To(Succeed())
			_, _, err := dial("ws://"+s.Addr()+"/many", nil, nil)
			Expect(err).NotTo(HaveOccurred())
			_, resp, _ := dial("ws://"+s.Addr()+"/many", nil, nil)
			Expect(resp).NotTo(BeNil())
			Expect(resp.StatusCode).To(Equal(want))
		},
		Entry("is accepted", fault.Set{}, http.StatusSwitchingProtocols),
		Entry("is refused with the FirstClientOnly fault", Label(selftest.Label), fault.Set{FirstClientOnly: true}, http.StatusNotFound),
	)

	DescribeTable("the close code on Unregister",
		func(faults fault.Set, want int) {
			s := newServer(withDefects(dataserver.Config{}, faults))
			Expect(s.Register("/bye", newCollector().handle)).To(Succeed())
			c, _, err := dial("ws://"+s.Addr()+"/bye", nil, nil)
			Expect(err).NotTo(HaveOccurred())
			done := make(chan struct{})
			go func() { defer close(done); s.Unregister("/bye") }()
			_, _, err = c.ReadMessage()
			Expect(websocket.IsCloseError(err, want)).To(BeTrue(), "got %v", err)
			Eventually(done).WithTimeout(waits.Event).Should(BeClosed())
		},
		Entry("is 1001", fault.Set{}, websocket.CloseGoingAway),
		Entry("is 1000 with the StopCloseNormal fault", Label(selftest.Label), fault.Set{StopCloseNormal: true}, websocket.CloseNormalClosure),
	)

	It("upgrades an unregistered path, then closes, with UnknownPathUpgraded", Label(selftest.Label), func() {
		s := newServer(withDefects(dataserver.Config{}, fault.Set{UnknownPathUpgraded: true}))
		Expect(s.Register("/known", newCollector().handle)).To(Succeed())
		c, resp, err := dial("ws://"+s.Addr()+"/nowhere", nil, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.StatusCode).To(Equal(http.StatusSwitchingProtocols))
		Expect(c.SetReadDeadline(time.Now().Add(5 * time.Second))).To(Succeed())
		_, _, err = c.ReadMessage()
		Expect(err).To(HaveOccurred())
		Expect(err).NotTo(MatchError(ContainSubstring("timeout")))
	})
})
