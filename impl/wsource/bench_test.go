package wsource_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/dataserver"
	"github.com/wsconform/wsconform/impl/wsource"
)

// benchMessages are small JSON objects like a sensor feed's, cycled by the
// writers.
var benchMessages = func() [][]byte {
	m := make([][]byte, 1024)
	for i := range m {
		m[i] = fmt.Appendf(nil, `{"id":%d,"temperature":%d.5,"humidity":%d,"name":"sensor-%d"}`, i, 20+i%10, 40+i%30, i%8)
	}
	return m
}()

// counter counts arrivals and closes done when target is reached.
type counter struct {
	n      atomic.Int64
	target int64
	done   chan struct{}
}

func newCounter(target int) *counter {
	return &counter{target: int64(target), done: make(chan struct{})}
}

func (c *counter) add() {
	if c.n.Add(1) == c.target {
		close(c.done)
	}
}

// wait returns how many arrived when the target was reached or timeout passed.
func (c *counter) wait(timeout time.Duration) int64 {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-c.done:
	case <-t.C:
	}
	return c.n.Load()
}

// send writes n messages on conn from a goroutine; the result arrives on the
// returned channel.
func send(conn *websocket.Conn, n int) <-chan error {
	res := make(chan error, 1)
	go func() {
		for i := range n {
			if err := conn.WriteMessage(websocket.TextMessage, benchMessages[i%len(benchMessages)]); err != nil {
				res <- fmt.Errorf("message %d: %w", i, err)
				return
			}
		}
		res <- nil
	}()
	return res
}

func benchDial(b *testing.B, url string) *websocket.Conn {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	if err != nil {
		b.Fatalf("dial %s: %v", url, err)
	}
	return c
}

// ingestSource starts a server-mode source whose Emit hands payloads to a
// consumer goroutine through a buffered channel (as the engine's memory sink
// does), and dials one client connection to it. Everything is closed when the
// benchmark ends.
func ingestSource(b *testing.B, c *counter) *websocket.Conn {
	b.Helper()
	ds := dataserver.New(dataserver.Config{Addr: "127.0.0.1:0"})
	records := make(chan []byte, 1024)
	consumed := make(chan struct{})
	go func() {
		defer close(consumed)
		for range records {
			c.add()
		}
	}()
	src, err := wsource.New(wsource.Config{
		Stream:     "bench",
		Datasource: "/bench",
		Props:      config.Props{},
		DataServer: ds,
		Emit: func(ctx context.Context, p []byte) error {
			select {
			case records <- p:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := src.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	conn := benchDial(b, "ws://"+ds.Addr()+"/bench")
	b.Cleanup(func() {
		_ = conn.Close()
		_ = src.Close()
		_ = ds.Close()
		close(records)
		<-consumed
	})
	return conn
}

// rawServer runs a plain gorilla read loop that only counts text messages,
// and dials one client connection to it.
func rawServer(b *testing.B, c *counter) *websocket.Conn {
	b.Helper()
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		for {
			mt, _, err := conn.ReadMessage()
			if err != nil {
				return
			}
			if mt == websocket.TextMessage {
				c.add()
			}
		}
	}))
	conn := benchDial(b, "ws://"+srv.Listener.Addr().String()+"/raw")
	b.Cleanup(func() {
		_ = conn.Close()
		srv.Close()
	})
	return conn
}

// run sends n messages on conn and waits for c to count them.
func run(b *testing.B, conn *websocket.Conn, c *counter, n int) (arrived int64, elapsed time.Duration) {
	b.Helper()
	start := time.Now()
	sent := send(conn, n)
	arrived = c.wait(time.Minute)
	elapsed = time.Since(start)
	if err := <-sent; err != nil {
		b.Fatalf("send: %v", err)
	}
	return arrived, elapsed
}

// BenchmarkServerIngest measures the server-mode source on one connection:
// small JSON objects through Emit to a consuming goroutine.
func BenchmarkServerIngest(b *testing.B) { benchIngest(b, ingestSource) }

// BenchmarkRawGorilla measures a bare gorilla read loop over the same kind of
// connection, as the reference rate for BenchmarkServerIngest.
func BenchmarkRawGorilla(b *testing.B) { benchIngest(b, rawServer) }

// benchIngest sends b.N messages on the connection serve sets up, fails
// unless every one is counted, and reports the rate.
func benchIngest(b *testing.B, serve func(*testing.B, *counter) *websocket.Conn) {
	c := newCounter(b.N)
	conn := serve(b, c)
	b.ReportAllocs()
	b.ResetTimer()
	arrived, elapsed := run(b, conn, c, b.N)
	b.StopTimer()
	if arrived != int64(b.N) {
		b.Fatalf("%d of %d messages arrived", arrived, b.N)
	}
	b.ReportMetric(float64(arrived)/elapsed.Seconds(), "records/s")
}

// BenchmarkMillion sends 1,000,000 messages through the server-mode source
// per iteration and fails unless every one arrives.
func BenchmarkMillion(b *testing.B) {
	const n = 1_000_000
	var arrivedTotal, sentTotal int64
	var elapsedTotal time.Duration
	for range b.N {
		b.StopTimer()
		c := newCounter(n)
		conn := ingestSource(b, c)
		b.StartTimer()
		arrived, elapsed := run(b, conn, c, n)
		arrivedTotal += arrived
		sentTotal += n
		elapsedTotal += elapsed
		if arrived != n {
			b.Fatalf("%d of %d messages arrived", arrived, n)
		}
	}
	b.ReportMetric(float64(sentTotal)/float64(b.N), "sent")
	b.ReportMetric(float64(arrivedTotal)/float64(b.N), "arrived")
	b.ReportMetric(float64(arrivedTotal)/elapsedTotal.Seconds(), "records/s")
}
