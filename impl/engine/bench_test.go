package engine_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/engine"
)

// benchPayload is a small JSON object like a sensor would send.
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

// ingest sends n messages through a server-mode rule with a memory sink and
// returns how many records arrived and how long it took.
func ingest(b *testing.B, n int) (int, time.Duration) {
	b.Helper()
	k := config.Default()
	k.Source.HTTPServerIP = "127.0.0.1"
	k.Source.HTTPServerPort = 0
	e := engine.New(engine.Options{Kuiper: k})
	defer e.Close()
	if _, err := e.CreateStream(`CREATE STREAM s () WITH (DATASOURCE="/s")`); err != nil {
		b.Fatal(err)
	}
	mem := engine.NewMemorySink(1024)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
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
	sent := sendAll(c, n)
	arrived := 0
	for arrived < n {
		select {
		case <-mem.C():
			arrived++
		case <-ctx.Done():
			b.Errorf("%d of %d records arrived", arrived, n)
			return arrived, time.Since(start)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if err := <-sent; err != nil {
		b.Fatal(err)
	}
	return arrived, elapsed
}

// BenchmarkEngineIngest measures server-mode ingest through the whole engine:
// one loopback connection, small JSON objects, a rule with a memory sink.
func BenchmarkEngineIngest(b *testing.B) {
	_, elapsed := ingest(b, b.N)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "records/s")
}

// BenchmarkEngineMillion sends 1,000,000 messages in one burst and reports how
// many records arrived (all of them, or it fails) and the rate. One run takes
// a few seconds: use -benchtime 1x.
func BenchmarkEngineMillion(b *testing.B) {
	const n = 1_000_000
	for range b.N {
		arrived, elapsed := ingest(b, n)
		b.ReportMetric(float64(arrived), "arrived")
		b.ReportMetric(float64(arrived)/elapsed.Seconds(), "records/s")
	}
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
		b.Fatalf("read %d of %d", count, n)
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "records/s")
}
