package peer_test

import (
	"bytes"
	"io"
	"net"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/steps/peer"
)

// tcpSink accepts one connection and reports every chunk it reads, then the
// end of the stream (a nil chunk).
type tcpSink struct {
	ln     net.Listener
	chunks chan []byte
	conn   chan net.Conn
	done   chan struct{}
}

func newTCPSink() *tcpSink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	s := &tcpSink{ln: ln, chunks: make(chan []byte, 4096), conn: make(chan net.Conn, 1), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		s.conn <- c
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if n > 0 {
				s.chunks <- bytes.Clone(buf[:n])
			}
			if err != nil {
				s.chunks <- nil
				return
			}
		}
	}()
	DeferCleanup(func() {
		_ = ln.Close()
		select {
		case c := <-s.conn:
			_ = c.Close()
		default:
		}
		<-s.done
	})
	return s
}

// received collects chunks until want bytes arrived or the stream ended.
func (s *tcpSink) received(want int) ([]byte, bool) {
	var got []byte
	for len(got) < want {
		select {
		case c := <-s.chunks:
			if c == nil {
				return got, true
			}
			got = append(got, c...)
		case <-time.After(5 * time.Second):
			return got, false
		}
	}
	return got, false
}

func proxyTo(s *tcpSink) (*peer.Proxy, net.Conn) {
	p, err := peer.NewProxy(s.ln.Addr().String())
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(p.Close)
	c, err := net.Dial("tcp", p.Addr())
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(c.Close)
	return p, c
}

var _ = Describe("Proxy", func() {
	It("relays both directions untouched by default", func() {
		s := newTCPSink()
		_, c := proxyTo(s)
		_, err := c.Write([]byte("hello"))
		Expect(err).NotTo(HaveOccurred())
		got, _ := s.received(5)
		Expect(string(got)).To(Equal("hello"))

		var server net.Conn
		Eventually(s.conn).Should(Receive(&server))
		s.conn <- server // for the cleanup
		_, err = server.Write([]byte("back"))
		Expect(err).NotTo(HaveOccurred())
		buf := make([]byte, 4)
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = io.ReadFull(c, buf)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(buf)).To(Equal("back"))
	})

	It("cuts mid-frame: relays half of the next chunk, then closes both connections", func() {
		s := newTCPSink()
		p, c := proxyTo(s)
		p.Set(peer.CutMidFrame)
		_, err := c.Write([]byte("0123456789"))
		Expect(err).NotTo(HaveOccurred())
		got, ended := s.received(10)
		Expect(string(got)).To(Equal("01234"))
		Expect(ended).To(BeTrue(), "the server's connection ends")
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = c.Read(make([]byte, 1))
		Expect(err).To(MatchError(io.EOF), "the client's connection ends")
	})

	It("half-open: relays nothing and keeps both sockets open, until the fault ends", func() {
		s := newTCPSink()
		p, c := proxyTo(s)
		_, err := c.Write([]byte("a"))
		Expect(err).NotTo(HaveOccurred())
		got, _ := s.received(1)
		Expect(string(got)).To(Equal("a"))
		p.Set(peer.HalfOpen)
		_, err = c.Write([]byte("b"))
		Expect(err).NotTo(HaveOccurred())
		Consistently(s.chunks, 300*time.Millisecond).ShouldNot(Receive(), "nothing is relayed, the connection is not ended")
		p.Set(peer.Pass)
		got, ended := s.received(1)
		Expect(string(got)).To(Equal("b"))
		Expect(ended).To(BeFalse())
	})

	It("drips what the client sends one byte at a time", func() {
		s := newTCPSink()
		p, c := proxyTo(s)
		p.Set(peer.Drip)
		start := time.Now()
		_, err := c.Write([]byte("abcdef"))
		Expect(err).NotTo(HaveOccurred())
		var chunks [][]byte
		for len(chunks) < 6 {
			var ch []byte
			Eventually(s.chunks, 5*time.Second).Should(Receive(&ch))
			chunks = append(chunks, ch)
		}
		for _, ch := range chunks {
			Expect(ch).To(HaveLen(1))
		}
		Expect(time.Since(start)).To(BeNumerically(">=", 5*peer.DripInterval), "at the drip's pace, not at once")
	})

	It("adds latency to every chunk", func() {
		s := newTCPSink()
		p, c := proxyTo(s)
		p.SetDelay(200 * time.Millisecond)
		start := time.Now()
		_, err := c.Write([]byte("x"))
		Expect(err).NotTo(HaveOccurred())
		got, _ := s.received(1)
		Expect(string(got)).To(Equal("x"))
		Expect(time.Since(start)).To(BeNumerically(">=", 200*time.Millisecond))
	})

	It("closes every relayed connection on Close, and Close is idempotent", func() {
		s := newTCPSink()
		p, c := proxyTo(s)
		_, err := c.Write([]byte("a"))
		Expect(err).NotTo(HaveOccurred())
		s.received(1)
		p.Set(peer.HalfOpen)
		Expect(p.Close()).To(Succeed())
		Expect(p.Close()).To(Succeed())
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = c.Read(make([]byte, 1))
		Expect(err).To(MatchError(io.EOF))
	})
})
