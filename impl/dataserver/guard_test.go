package dataserver_test

import (
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/dataserver"
)

var _ = Describe("ReadGuard", func() {
	// pair returns a guarded connection and its peer, closed at the end.
	pair := func() (*dataserver.ReadGuard, net.Conn) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		defer ln.Close()
		peer, err := net.Dial("tcp", ln.Addr().String())
		Expect(err).NotTo(HaveOccurred())
		c, err := ln.Accept()
		Expect(err).NotTo(HaveOccurred())
		g := dataserver.NewReadGuard(c)
		DeferCleanup(func() {
			_ = g.Close()
			_ = peer.Close()
		})
		return g, peer
	}
	readErr := func(g *dataserver.ReadGuard) error {
		_, err := g.Read(make([]byte, 16))
		return err
	}

	It("applies the policy's deadline before a read", func() {
		g, _ := pair()
		calls := 0
		g.SetReadPolicy(func() time.Time { calls++; return time.Now().Add(50 * time.Millisecond) })
		Expect(errors.Is(readErr(g), os.ErrDeadlineExceeded)).To(BeTrue())
		Expect(calls).To(Equal(1))
	})

	It("lets an earlier explicit deadline win over the policy's", func() {
		g, _ := pair()
		g.SetReadPolicy(func() time.Time { return time.Now().Add(time.Hour) })
		Expect(g.SetReadDeadline(time.Now().Add(50 * time.Millisecond))).To(Succeed())
		start := time.Now()
		Expect(errors.Is(readErr(g), os.ErrDeadlineExceeded)).To(BeTrue())
		Expect(time.Since(start)).To(BeNumerically("<", 5*time.Second))
	})

	It("lets an earlier policy deadline win over an explicit one, and unblocks a read when set", func() {
		g, _ := pair()
		Expect(g.SetReadDeadline(time.Now().Add(time.Hour))).To(Succeed())
		g.SetReadPolicy(func() time.Time { return time.Now().Add(50 * time.Millisecond) })
		Expect(errors.Is(readErr(g), os.ErrDeadlineExceeded)).To(BeTrue())

		// A read blocked under the policy ends at an explicit deadline set meanwhile.
		g.SetReadPolicy(func() time.Time { return time.Time{} })
		done := make(chan error, 1)
		go func() { done <- readErr(g) }()
		Consistently(done).WithTimeout(100 * time.Millisecond).ShouldNot(Receive())
		Expect(g.SetReadDeadline(time.Now())).To(Succeed())
		var err error
		Eventually(done).WithTimeout(5 * time.Second).Should(Receive(&err))
		Expect(errors.Is(err, os.ErrDeadlineExceeded)).To(BeTrue())
	})

	It("goes back to the explicit deadline when the policy is removed", func() {
		g, peer := pair()
		g.SetReadPolicy(func() time.Time { return time.Now().Add(-time.Second) })
		Expect(errors.Is(readErr(g), os.ErrDeadlineExceeded)).To(BeTrue())
		g.SetReadPolicy(nil)
		_, err := peer.Write([]byte("data"))
		Expect(err).NotTo(HaveOccurred())
		buf := make([]byte, 4)
		n, err := g.Read(buf)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(buf[:n])).To(Equal("data"))
	})

	Describe("awaitReadable", func() {
		// await runs AwaitReadable on a goroutine of its own; its channel
		// gets the result when the wait ends.
		await := func(g *dataserver.ReadGuard, limit time.Time) chan bool {
			done := make(chan bool, 1)
			go func() { done <- g.AwaitReadable(limit) }()
			return done
		}
		BeforeEach(func() {
			if runtime.GOOS != "linux" {
				Skip("awaitReadable watches sockets on Linux only")
			}
		})

		It("waits for the peer's first bytes and leaves them to read", func() {
			g, peer := pair()
			done := await(g, time.Time{})
			Consistently(done).WithTimeout(100 * time.Millisecond).ShouldNot(Receive())
			_, err := peer.Write([]byte("data"))
			Expect(err).NotTo(HaveOccurred())
			Eventually(done).WithTimeout(5 * time.Second).Should(Receive(BeTrue()))
			buf := make([]byte, 4)
			Expect(io.ReadFull(g, buf)).To(Equal(4))
			Expect(string(buf)).To(Equal("data"))
		})

		It("ends when the peer closes, the next read seeing the end", func() {
			g, peer := pair()
			done := await(g, time.Time{})
			Expect(peer.Close()).To(Succeed())
			Eventually(done).WithTimeout(5 * time.Second).Should(Receive(BeTrue()))
			Expect(readErr(g)).To(MatchError(io.EOF))
		})

		It("ends at an explicit deadline set meanwhile", func() {
			g, _ := pair()
			done := await(g, time.Time{})
			Consistently(done).WithTimeout(100 * time.Millisecond).ShouldNot(Receive())
			Expect(g.SetReadDeadline(time.Now())).To(Succeed())
			Eventually(done).WithTimeout(5 * time.Second).Should(Receive(BeTrue()))
			Expect(errors.Is(readErr(g), os.ErrDeadlineExceeded)).To(BeTrue())
		})

		It("ends at its limit, which then fails the next read, whatever the policy", func() {
			g, _ := pair()
			Eventually(await(g, time.Now().Add(50*time.Millisecond))).WithTimeout(5 * time.Second).Should(Receive(BeTrue()))
			g.SetReadPolicy(func() time.Time { return time.Now().Add(time.Hour) })
			Expect(errors.Is(readErr(g), os.ErrDeadlineExceeded)).To(BeTrue())
		})

		It("drops its limit once the peer has sent something", func() {
			g, peer := pair()
			done := await(g, time.Now().Add(200*time.Millisecond))
			_, err := peer.Write([]byte("x"))
			Expect(err).NotTo(HaveOccurred())
			Eventually(done).WithTimeout(5 * time.Second).Should(Receive(BeTrue()))
			buf := make([]byte, 1)
			Expect(g.Read(buf)).To(Equal(1))
			// A read past the limit goes on waiting for the peer.
			read := make(chan error, 1)
			go func() { read <- readErr(g) }()
			Consistently(read).WithTimeout(400 * time.Millisecond).ShouldNot(Receive())
			Expect(peer.Close()).To(Succeed())
			Eventually(read).WithTimeout(5 * time.Second).Should(Receive(MatchError(io.EOF)))
		})

		It("returns false at once for a connection it cannot watch", func() {
			a, b := net.Pipe()
			DeferCleanup(func() { _ = a.Close(); _ = b.Close() })
			Expect(dataserver.NewReadGuard(a).AwaitReadable(time.Time{})).To(BeFalse())
		})
	})
})
