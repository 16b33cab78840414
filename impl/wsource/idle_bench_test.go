package wsource_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/dataserver"
	"github.com/wsconform/wsconform/impl/wsource"
)

// idleConns is how many connections BenchmarkIdleConnection holds per
// iteration: both ends are in this process, two descriptors each.
const idleConns = 2000

// dialIdle completes a WebSocket handshake by hand and returns the bare TCP
// connection, which then holds no goroutine and no buffer in this process.
func dialIdle(b testing.TB, addr string) net.Conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	_, err = io.WriteString(c, "GET /idle HTTP/1.1\r\nHost: "+addr+"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	if err != nil {
		b.Fatal(err)
	}
	br := bufio.NewReaderSize(c, 256)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			b.Fatal(err)
		}
		if strings.HasPrefix(line, "HTTP/") && !strings.HasPrefix(line, "HTTP/1.1 101") {
			b.Fatalf("handshake: %s", line)
		}
		if line == "\r\n" {
			return c
		}
	}
}

// inUse is the memory the Go runtime holds for live objects and for stacks.
func inUse() (heap, stack uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse, m.StackInuse
}

// BenchmarkIdleConnection measures what one idle server-mode connection
// keeps in memory (heap and stack, both ends of the connection counted;
// the client end is a bare socket): bytes/conn, and apart its heap and its
// stack (the connection's goroutine, waiting for the client's first frame on
// the runtime's smallest stack where the system allows it: see
// dataserver.Server.AwaitReadable).
func BenchmarkIdleConnection(b *testing.B) {
	var heap, stack int64
	for range b.N {
		b.StopTimer()
		ds := dataserver.New(dataserver.Config{Addr: "127.0.0.1:0"})
		src, err := wsource.New(wsource.Config{Stream: "idle", Datasource: "/idle", Props: config.Props{}, DataServer: ds,
			Emit: func(context.Context, []byte) error { return nil }})
		if err != nil {
			b.Fatal(err)
		}
		if err := src.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		// One connection first, so that what the first one allocates once
		// is not counted.
		warm := dialIdle(b, ds.Addr())
		heap0, stack0 := inUse()
		b.StartTimer()
		conns := make([]net.Conn, idleConns)
		for i := range conns {
			conns[i] = dialIdle(b, ds.Addr())
		}
		b.StopTimer()
		heap1, stack1 := inUse()
		heap += int64(heap1) - int64(heap0)
		stack += int64(stack1) - int64(stack0)
		// Close waits for every connection's goroutine, so the next
		// iteration starts clean.
		_ = src.Close()
		_ = ds.Close()
		_ = warm.Close()
		for _, c := range conns {
			_ = c.Close()
		}
		b.StartTimer()
	}
	n := float64(b.N * idleConns)
	b.ReportMetric(float64(heap+stack)/n, "bytes/conn")
	b.ReportMetric(float64(heap)/n, "heap-bytes/conn")
	b.ReportMetric(float64(stack)/n, "stack-bytes/conn")
}
