package engine_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/engine"
)

// benchPayloads are small JSON objects like a sensor would send.
func benchPayload(i int) []byte {
	return []byte(`{"id":` + strconv.Itoa(i) + `,"name":"sensor-1","temp":21.5,"ok":true}`)
}

// sendAll writes n messages on c and reports the first error.
func sendAll(c *websocket.Conn, n int) <-chan error {
	done := make(chan error, 1)
	go func() {
		for i := range n {
			if err := c.WriteMessage(websocket.TextMessage, benchPayload(i)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	return done
}

// BenchmarkEngineIngest measures server-mode ingest through the whole engine:
// one loopback connection, small JSON objects, a rule with a memory sink.
func BenchmarkEngineIngest(b *testing.B) {
	k := config.Default()
	k.Source.HTTPServerIP = "127.0.0.1"
	k.Source.HTTPServerPort = 0
	e := engine.New(engine.Options{Kuiper: k})
	defer e.Close()
	if _, err := e.CreateStream(`CREATE STREAM s () WITH (DATASOURCE="/s")`); err != nil {
		b.Fatal(err)
	}
	mem := engine.NewMemorySink(1024)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := e.CreateRule(ctx, engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Sinks: []engine.Sink{mem}}); err != nil {
		b.Fatal(err)
	}
	c, _, err := websocket.DefaultDialer.DialContext(ctx, "ws://"+e.DataServerAddr()+"/s", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()

	b.ResetTimer()
	start := time.Now()
	sent := sendAll(c, b.N)
	for i := range b.N {
		select {
		case <-mem.C():
		case <-ctx.Done():
			b.Fatalf("%d of %d records arrived", i, b.N)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if err := <-sent; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "records/s")
}

// BenchmarkRawGorillaRead is the yardstick for BenchmarkEngineIngest: the same
// messages read by a bare gorilla read loop on loopback.
func BenchmarkRawGorillaRead(b *testing.B) {
	got := make(chan int, 1)
	up := websocket.Upgrader{}
	n := b.N
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		count := 0
		for count < n {
			if _, _, err := c.ReadMessage(); err != nil {
				break
			}
			count++
		}
		got <- count
	}))
	defer srv.Close()
	c, _, err := websocket.DefaultDialer.Dial("ws"+srv.URL[len("http"):], nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.ResetTimer()
	start := time.Now()
	sent := sendAll(c, n)
	count := <-got
	elapsed := time.Since(start)
	b.StopTimer()
	if err := <-sent; err != nil {
		b.Fatal(err)
	}
	if count != n {
		b.Fatal(fmt.Sprintf("read %d of %d", count, n))
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "records/s")
}
