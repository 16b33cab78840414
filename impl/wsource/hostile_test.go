package wsource_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/dataserver"
	"github.com/wsconform/wsconform/impl/wsource"
	"github.com/wsconform/wsconform/internal/pki"
)

// frame encodes one WebSocket frame; clients mask theirs.
func frame(fin bool, opcode byte, payload []byte, mask bool) []byte {
	b0 := opcode
	if fin {
		b0 |= 0x80
	}
	if len(payload) > 125 {
		panic("frame: payloads over 125 bytes are not needed here")
	}
	if !mask {
		return append([]byte{b0, byte(len(payload))}, payload...)
	}
	out := []byte{b0, 0x80 | byte(len(payload))}
	var key [4]byte
	_, _ = rand.Read(key[:])
	out = append(out, key[:]...)
	for i, c := range payload {
		out = append(out, c^key[i%4])
	}
	return out
}

// endlessFragments writes the first frame of a text message and then empty
// continuation frames until the connection fails or stop is closed; it
// returns the number of continuation frames written.
func endlessFragments(nc net.Conn, mask bool, stop <-chan struct{}) int {
	_ = nc.SetWriteDeadline(time.Now().Add(waitFor))
	if _, err := nc.Write(frame(false, 0x1, []byte(`{"never":`), mask)); err != nil {
		return 0
	}
	var batch []byte
	for range 1000 {
		batch = append(batch, frame(false, 0x0, nil, mask)...)
	}
	n := 0
	for {
		select {
		case <-stop:
			return n
		default:
		}
		if _, err := nc.Write(batch); err != nil {
			return n
		}
		n += 1000
	}
}

// endlessHeaderServer answers every request with a 101 status line followed
// by header lines that never end; it counts the bytes it wrote.
type endlessHeaderServer struct {
	ln      net.Listener
	written atomic.Int64
	done    chan struct{}
}

func newEndlessHeaderServer(tc *tls.Config) *endlessHeaderServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	if tc != nil {
		ln = tls.NewListener(ln, tc)
	}
	h := &endlessHeaderServer{ln: ln, done: make(chan struct{})}
	conns := make(chan struct{}, 64)
	go func() {
		defer close(h.done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns <- struct{}{}
			go func() {
				defer func() { <-conns }()
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					line, err := br.ReadString('\n')
					if err != nil {
						return
					}
					if line == "\r\n" {
						break
					}
				}
				_ = c.SetWriteDeadline(time.Now().Add(waitFor))
				chunk := []byte("HTTP/1.1 101 Switching Protocols\r\n")
				for i := 0; ; i++ {
					// Counted before the write: the dialer may read a
					// chunk before Write returns.
					h.written.Add(int64(len(chunk)))
					if _, err := c.Write(chunk); err != nil {
						return
					}
					chunk = fmt.Appendf(chunk[:0], "X-Pad-%d: %s\r\n", i, strings.Repeat("p", 200))
				}
			}()
		}
	}()
	DeferCleanup(func() {
		_ = ln.Close()
		<-h.done
		for range cap(conns) {
			conns <- struct{}{} // every handler has returned
		}
	})
	return h
}

var _ = Describe("hostile peers", func() {
	BeforeEach(checkLeaks)

	Describe("a client-mode handshake response without end", func() {
		var read atomic.Int64
		BeforeEach(func() {
			read.Store(-1)
			wsource.SetHandshakeReadHook(func(n int64) { read.Store(n) })
			DeferCleanup(func() { wsource.SetHandshakeReadHook(nil) })
		})

		for _, secure := range []bool{false, true} {
			name := "ws"
			if secure {
				name = "wss"
			}
			It("fails the dial naming the limit, having read no more than the limit ("+name+")", func() {
				props := config.Props{}
				var tc *tls.Config
				if secure {
					certs, err := pki.NewSet()
					Expect(err).NotTo(HaveOccurred())
					tc = &tls.Config{Certificates: []tls.Certificate{certs.Server.TLS()}}
					props.Scheme = "wss"
					props.RootCARaw = base64.StdEncoding.EncodeToString(certs.CA.CertPEM)
				}
				srv := newEndlessHeaderServer(tc)
				props.Addr = srv.ln.Addr().String()
				s := newSource(wsource.Config{Stream: "hdr", Datasource: "/feed", Props: props, Emit: newSink(1).emit})
				started := time.Now()
				err := s.Start(context.Background())
				Expect(err).To(MatchError(ContainSubstring(fmt.Sprintf("larger than %d bytes (status line and headers)", wsource.MaxHandshakeResponseBytes))))
				Expect(err.Error()).To(HavePrefix("disconnected: "))
				Expect(time.Since(started)).To(BeNumerically("<", wsource.HandshakeTimeout), "the cap, not the handshake timeout, ended the dial")
				Expect(read.Load()).To(BeNumerically("<=", wsource.MaxHandshakeResponseBytes))
				Expect(read.Load()).To(BeNumerically(">", wsource.MaxHandshakeResponseBytes/2))
				Expect(srv.written.Load()).To(BeNumerically(">=", read.Load()))
				Expect(s.Stats().LastException).To(Equal(err.Error()))
			})
		}

		It("leaves a normal handshake and the messages after it alone", func() {
			r := newRemote(nil)
			k := newSink(10)
			s := newSource(wsource.Config{Stream: "ok", Datasource: "/feed", Props: config.Props{Addr: r.addr}, Emit: k.emit})
			Expect(s.Start(context.Background())).To(Succeed())
			Expect(read.Load()).To(BeNumerically(">", 0))
			Expect(read.Load()).To(BeNumerically("<", 4096))
			rc := r.accept()
			big := `{"pad":"` + strings.Repeat("x", 2*wsource.MaxHandshakeResponseBytes) + `"}`
			Expect(rc.WriteMessage(websocket.TextMessage, []byte(big))).To(Succeed())
			Expect(receive(k.ch)).To(Equal(big))
		})
	})

	Describe("endless fragments", func() {
		It("close a server-mode client with 1008 once the message outlasts messageTimeout", func() {
			ds := dataserver.New(dataserver.Config{Addr: "127.0.0.1:0"})
			DeferCleanup(ds.Close)
			k := newSink(10)
			s := newSource(wsource.Config{Stream: "frag", Datasource: "/frag", DataServer: ds, Emit: k.emit,
				Props: config.Props{MessageTimeout: 300 * time.Millisecond}})
			Expect(s.Start(context.Background())).To(Succeed())
			c, _, err := dialWS("ws://"+ds.Addr()+"/frag", nil, nil)
			Expect(err).NotTo(HaveOccurred())
			good, _, err := dialWS("ws://"+ds.Addr()+"/frag", nil, nil)
			Expect(err).NotTo(HaveOccurred())

			readErr := make(chan error, 1)
			go func() { readErr <- readUntilError(c) }()
			stop := make(chan struct{})
			sent := make(chan int, 1)
			go func() { sent <- endlessFragments(c.NetConn(), true, stop) }()
			var got error
			Eventually(readErr).WithTimeout(waitFor).Should(Receive(&got))
			close(stop)
			n := receive(sent)
			Expect(closeCode(got)).To(Equal(websocket.ClosePolicyViolation), "got %v after %d empty continuation frames", got, n)
			Expect(n).To(BeNumerically(">", 1000))
			Eventually(func() string { return s.Stats().LastException }).WithTimeout(waitFor).Should(
				ContainSubstring("not complete within 300ms of its first frame: connection closed with 1008"))
			Expect(k.ch).NotTo(Receive())

			Expect(good.WriteMessage(websocket.TextMessage, []byte(`{"good":true}`))).To(Succeed())
			Expect(receive(k.ch)).To(Equal(`{"good":true}`))
		})

		It("close a client-mode connection with 1008 and record the exception", func() {
			r := newRemote(nil)
			s := newSource(wsource.Config{Stream: "frag", Datasource: "/frag", Emit: newSink(1).emit,
				Props: config.Props{Addr: r.addr, MessageTimeout: 300 * time.Millisecond}})
			Expect(s.Start(context.Background())).To(Succeed())
			rc := r.accept()
			stop := make(chan struct{})
			sent := make(chan int, 1)
			go func() { sent <- endlessFragments(rc.NetConn(), false, stop) }()
			Eventually(rc.closed).WithTimeout(waitFor).Should(BeClosed())
			close(stop)
			receive(sent)
			Expect(closeCode(rc.err)).To(Equal(websocket.ClosePolicyViolation), "got %v", rc.err)
			Expect(s.Stats().LastException).To(ContainSubstring("not complete within 300ms"))
		})

		It("use the default messageTimeout when the confKey sets none", func() {
			p, err := config.ParseProps(map[string]any{})
			Expect(err).NotTo(HaveOccurred())
			Expect(p.MessageTimeout).To(Equal(config.DefaultMessageTimeout))
		})
	})

	Describe("idle timeout of server-mode clients", func() {
		var ds *dataserver.Server
		var s *wsource.Source
		const idle = 150 * time.Millisecond
		BeforeEach(func() {
			ds = dataserver.New(dataserver.Config{Addr: "127.0.0.1:0", IdleTimeout: idle})
			DeferCleanup(ds.Close)
			s = newSource(wsource.Config{Stream: "idle", Datasource: "/idle", DataServer: ds, Emit: newSink(10).emit})
			Expect(s.Start(context.Background())).To(Succeed())
		})

		It("closes a client that neither sends nor answers pings, with 1001, and records why", func() {
			c, _, err := dialWS("ws://"+ds.Addr()+"/idle", nil, nil)
			Expect(err).NotTo(HaveOccurred())
			c.SetPingHandler(func(string) error { return nil }) // a half-open peer: no pong
			readErr := make(chan error, 1)
			go func() { readErr <- readUntilError(c) }()
			var got error
			Eventually(readErr).WithTimeout(waitFor).Should(Receive(&got))
			Expect(closeCode(got)).To(Equal(websocket.CloseGoingAway), "got %v", got)
			Eventually(func() string { return s.Stats().LastException }).WithTimeout(waitFor).Should(
				Equal("no message and no pong for 150ms (idle timeout): connection closed with 1001"))
		})

		It("keeps a quiet client that answers pings", func() {
			c, _, err := dialWS("ws://"+ds.Addr()+"/idle", nil, nil)
			Expect(err).NotTo(HaveOccurred())
			readErr := make(chan error, 1)
			go func() { readErr <- readUntilError(c) }() // answers pings
			Consistently(readErr).WithTimeout(300 * time.Millisecond).ShouldNot(Receive())
			Expect(s.Stats().Exceptions).To(BeZero())
			Expect(c.Close()).To(Succeed())
			Eventually(readErr).WithTimeout(waitFor).Should(Receive())
		})
	})
})

var _ = http.StatusOK
