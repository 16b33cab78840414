package engine_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/goleak"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/decode"
	"github.com/wsconform/wsconform/impl/engine"
	"github.com/wsconform/wsconform/impl/fault"
	"github.com/wsconform/wsconform/internal/selftest"
	"github.com/wsconform/wsconform/internal/waits"
)

var _ = Describe("streams", func() {
	var e *engine.Engine
	BeforeEach(func() { e = newEngine(fault.Set{}, nil) })

	It("stores, lists, describes and drops streams", func() {
		_, err := e.CreateStream(`CREATE STREAM s2 () WITH (DATASOURCE="/b", FORMAT="json", TYPE="websocket")`)
		Expect(err).NotTo(HaveOccurred())
		s, err := e.CreateStream(`CREATE STREAM s1 (id BIGINT) WITH (DATASOURCE="/a")`)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Name).To(Equal("s1"))
		Expect(e.Streams()).To(Equal([]string{"s1", "s2"}))
		got, err := e.Stream("s1")
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Options.Datasource).To(Equal("/a"))
		Expect(e.DropStream("s1")).To(Succeed())
		Expect(e.Streams()).To(Equal([]string{"s2"}))
		Expect(e.DropStream("s1")).To(MatchError(isKind(engine.ErrNotFound), "ErrNotFound"))
		_, err = e.Stream("s1")
		Expect(err).To(MatchError(isKind(engine.ErrNotFound), "ErrNotFound"))
	})

	It("refuses a duplicate stream with eKuiper's message", func() {
		_, err := e.CreateStream(`CREATE STREAM s9 () WITH (DATASOURCE="/s9")`)
		Expect(err).NotTo(HaveOccurred())
		_, err = e.CreateStream(`CREATE STREAM s9 () WITH (DATASOURCE="/other")`)
		Expect(err).To(MatchError(isKind(engine.ErrExists), "ErrExists"))
		Expect(err).To(MatchError("Create stream fails: Item s9 already exists."))
	})

	It("refuses bad SQL as invalid", func() {
		_, err := e.CreateStream(`CREATE STREAM bad (a`)
		Expect(err).To(MatchError(isKind(engine.ErrInvalid), "ErrInvalid"))
		Expect(e.Streams()).To(BeEmpty())
	})

	It("keeps a stream that a running rule reads", func() {
		_, err := e.CreateStream(`CREATE STREAM s () WITH (DATASOURCE="/s")`)
		Expect(err).NotTo(HaveOccurred())
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Actions: nopAction()})).To(Succeed())
		err = e.DropStream("s")
		Expect(err).To(MatchError(isKind(engine.ErrInvalid), "ErrInvalid"))
		Expect(err).To(MatchError(ContainSubstring("stream s has been referenced by other rules: r running")), "eKuiper's message, with the rules named")
		Expect(e.StopRule("r")).To(Succeed())
		Expect(e.DropStream("s")).To(Succeed())
	})

	It("forgets the source of a dropped stream", func() {
		for _, name := range []string{"a", "b", "c"} {
			_, err := e.CreateStream(`CREATE STREAM ` + name + ` () WITH (DATASOURCE="/` + name + `")`)
			Expect(err).NotTo(HaveOccurred())
			Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: name, SQL: "SELECT * FROM " + name, Actions: nopAction()})).To(Succeed())
			Expect(e.DeleteRule(name)).To(Succeed())
			Expect(e.DropStream(name)).To(Succeed())
		}
		Expect(engine.HubCount(e)).To(BeZero())
	})

	It("keeps a stream that a starting rule is about to read", func() {
		// A remote that accepts TCP but never answers the handshake holds the
		// rule in its start.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		accepted := make(chan net.Conn, 1)
		go func() {
			c, err := ln.Accept()
			if err == nil {
				accepted <- c
			}
			close(accepted)
		}()
		e := newEngine(fault.Set{}, config.ConfKeys{"default": {}, "remote": {"addr": ln.Addr().String()}})
		_, err = e.CreateStream(`CREATE STREAM s () WITH (DATASOURCE="/s", CONF_KEY="remote")`)
		Expect(err).NotTo(HaveOccurred())
		created := make(chan error, 1)
		ctx := ctxT()
		go func() {
			created <- e.CreateRule(ctx, engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Actions: nopAction()})
		}()
		var conn net.Conn
		Eventually(accepted, waits.Event).Should(Receive(&conn))
		dropErr := e.DropStream("s")
		// End the dial: the rule is then stopped by error.
		Expect(conn.Close()).To(Succeed())
		Expect(ln.Close()).To(Succeed())
		Eventually(created, waits.Event).Should(Receive(BeNil()))
		Expect(dropErr).To(MatchError(ContainSubstring("r")), "the stream was dropped under a starting rule")
		Expect(e.Streams()).To(Equal([]string{"s"}))
	})
})

func nopAction() []map[string]map[string]any {
	return []map[string]map[string]any{{"nop": {}}}
}

var _ = Describe("rule validation", func() {
	var e *engine.Engine
	BeforeEach(func() {
		e = newEngine(fault.Set{}, config.ConfKeys{"default": {}, "remote": {"addr": "127.0.0.1:1"}})
	})

	DescribeTable("refuses the rule",
		func(stream, sql string, actions []map[string]map[string]any, kind error, msg string) {
			if stream != "" {
				_, err := e.CreateStream(stream)
				Expect(err).NotTo(HaveOccurred())
			}
			err := e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: sql, Actions: actions})
			Expect(err).To(MatchError(isKind(kind), fmt.Sprint(kind)))
			Expect(err.Error()).To(ContainSubstring(msg))
			_, err = e.Rule("r")
			Expect(err).To(MatchError(isKind(engine.ErrNotFound), "ErrNotFound"))
		},
		Entry("unknown stream", "", "SELECT * FROM nope", nopAction(), engine.ErrNotFound, "nope"),
		Entry("bad SQL", `CREATE STREAM s () WITH (DATASOURCE="/s")`, "SELEKT * FROM s", nopAction(), engine.ErrInvalid, "r"),
		Entry("unknown action", `CREATE STREAM s () WITH (DATASOURCE="/s")`, "SELECT * FROM s",
			[]map[string]map[string]any{{"kafka": {}}}, engine.ErrInvalid, "kafka"),
		Entry("no action", `CREATE STREAM s () WITH (DATASOURCE="/s")`, "SELECT * FROM s", nil, engine.ErrInvalid, "actions"),
		Entry("rest without url", `CREATE STREAM s () WITH (DATASOURCE="/s")`, "SELECT * FROM s",
			[]map[string]map[string]any{{"rest": {"method": "post"}}}, engine.ErrInvalid, "url"),
		Entry("rest with a bad header name", `CREATE STREAM s () WITH (DATASOURCE="/s")`, "SELECT * FROM s",
			[]map[string]map[string]any{{"rest": {"url": "http://127.0.0.1:1/", "headers": map[string]any{"a\nb": "c"}}}}, engine.ErrInvalid, "headers"),
		Entry("rest with a timeout past a day", `CREATE STREAM s () WITH (DATASOURCE="/s")`, "SELECT * FROM s",
			[]map[string]map[string]any{{"rest": {"url": "http://127.0.0.1:1/", "timeout": float64(1e13)}}}, engine.ErrInvalid, "timeout"),
		Entry("unknown confKey", `CREATE STREAM s () WITH (DATASOURCE="/s", CONF_KEY="missing")`, "SELECT * FROM s",
			nopAction(), engine.ErrInvalid, "missing"),
		Entry("unknown field of a typed stream", `CREATE STREAM t (id BIGINT) WITH (DATASOURCE="/t")`, "SELECT name FROM t",
			nopAction(), engine.ErrInvalid, "name"),
	)

	DescribeTable("refuses a datasource that does not start with /",
		func(stream string) {
			_, err := e.CreateStream(stream)
			Expect(err).NotTo(HaveOccurred())
			err = e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Actions: nopAction()})
			Expect(err).To(MatchError(isKind(engine.ErrInvalid), "ErrInvalid"))
			Expect(err).To(MatchError("websocket endpoint should start with /"))
		},
		Entry("relative path", `CREATE STREAM s () WITH (DATASOURCE="api", FORMAT="json", TYPE="websocket")`),
		Entry("no datasource", `CREATE STREAM s () WITH (FORMAT="json", TYPE="websocket")`),
		Entry("client mode", `CREATE STREAM s () WITH (DATASOURCE="x", CONF_KEY="remote")`),
	)

	It("refuses a duplicate rule id", func() {
		_, err := e.CreateStream(`CREATE STREAM s () WITH (DATASOURCE="/s")`)
		Expect(err).NotTo(HaveOccurred())
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Actions: nopAction()})).To(Succeed())
		err = e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Actions: nopAction()})
		Expect(err).To(MatchError(isKind(engine.ErrExists), "ErrExists"))
	})

	It("reports unknown rules as not found", func() {
		_, err := e.RuleStatus("nope")
		Expect(err).To(MatchError("Rule nope is not found"))
		Expect(err).To(MatchError(isKind(engine.ErrNotFound), "ErrNotFound"))
		Expect(e.StopRule("nope")).To(MatchError(isKind(engine.ErrNotFound), "ErrNotFound"))
		Expect(e.StartRule(ctxT(), "nope")).To(MatchError(isKind(engine.ErrNotFound), "ErrNotFound"))
		Expect(e.DeleteRule("nope")).To(MatchError(isKind(engine.ErrNotFound), "ErrNotFound"))
	})
})

var _ = Describe("server mode", func() {
	var e *engine.Engine
	BeforeEach(func() {
		e = newEngine(fault.Set{}, nil)
		_, err := e.CreateStream(`CREATE STREAM s () WITH (DATASOURCE="/s", FORMAT="json", TYPE="websocket")`)
		Expect(err).NotTo(HaveOccurred())
	})

	It("delivers every record of objects and arrays in order and counts them", func() {
		mem := engine.NewMemorySink(16)
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Actions: nopAction(), Sinks: []engine.Sink{mem}})).To(Succeed())
		Expect(status(e, "r")).To(HaveKeyWithValue("status", "running"))
		c := mustDial(e, "/s")
		send(c, `{"a":1}`, `[{"a":2},{"a":3}]`, `[]`, `{}`)
		Expect(next(mem)).To(Equal(decode.Record{"a": int64(1)}))
		Expect(next(mem)).To(Equal(decode.Record{"a": int64(2)}))
		Expect(next(mem)).To(Equal(decode.Record{"a": int64(3)}))
		Expect(next(mem)).To(Equal(decode.Record{}))
		Eventually(statusOf(e, "r")).Should(And(
			HaveKeyWithValue("source_s_0_records_in_total", int64(4)),
			HaveKeyWithValue("source_s_0_connection_status", int64(1)),
			HaveKeyWithValue("op_2_decoder_0_records_in_total", int64(4)),
			HaveKeyWithValue("op_2_decoder_0_records_out_total", int64(4)),
			HaveKeyWithValue("sink_nop_0_0_records_in_total", int64(4)),
			HaveKeyWithValue("sink_memory_1_0_records_out_total", int64(4)),
			HaveKeyWithValue("op_2_decoder_0_exceptions_total", int64(0)),
		))
		Expect(e.Rules()).To(Equal([]engine.RuleSummary{{ID: "r", Status: "running"}}))
	})

	It("feeds every record to two rules on one stream", func() {
		m1, m2 := engine.NewMemorySink(16), engine.NewMemorySink(16)
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r1", SQL: "SELECT * FROM s", Sinks: []engine.Sink{m1}})).To(Succeed())
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r2", SQL: "SELECT a FROM s", Sinks: []engine.Sink{m2}})).To(Succeed())
		c1, c2 := mustDial(e, "/s"), mustDial(e, "/s")
		send(c1, `{"a":1,"b":1}`)
		Expect(next(m1)).To(Equal(decode.Record{"a": int64(1), "b": int64(1)}))
		Expect(next(m2)).To(Equal(decode.Record{"a": int64(1)}))
		send(c2, `{"a":2,"b":2}`)
		Expect(next(m1)).To(Equal(decode.Record{"a": int64(2), "b": int64(2)}))
		Expect(next(m2)).To(Equal(decode.Record{"a": int64(2)}))
	})

	It("counts a decode error and keeps the connection", func() {
		mem := engine.NewMemorySink(16)
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Sinks: []engine.Sink{mem}})).To(Succeed())
		c := mustDial(e, "/s")
		send(c, `not json`, `42`, `{"ok":true}`)
		Expect(next(mem)).To(Equal(decode.Record{"ok": true}))
		st := status(e, "r")
		Expect(st).To(HaveKeyWithValue("op_2_decoder_0_exceptions_total", int64(2)))
		Expect(st).To(HaveKeyWithValue("op_2_decoder_0_last_exception", Not(BeEmpty())))
		Expect(st).To(HaveKeyWithValue("source_s_0_connection_status", int64(1)))
		Expect(st).To(HaveKeyWithValue("status", "running"))
	})

	It("stops, answers 404 while stopped, and starts and restarts again", func() {
		// A second stream keeps the data server listening while r is stopped.
		_, err := e.CreateStream(`CREATE STREAM keep () WITH (DATASOURCE="/keep")`)
		Expect(err).NotTo(HaveOccurred())
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "keep", SQL: "SELECT * FROM keep", Actions: nopAction()})).To(Succeed())

		mem := engine.NewMemorySink(16)
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Sinks: []engine.Sink{mem}})).To(Succeed())
		c := mustDial(e, "/s")
		send(c, `{"n":1}`)
		Expect(next(mem)).To(Equal(decode.Record{"n": int64(1)}))

		Expect(e.StopRule("r")).To(Succeed())
		st := status(e, "r")
		Expect(st).To(HaveKeyWithValue("status", "stopped"))
		Expect(st).To(HaveKeyWithValue("message", "canceled manually"))
		Expect(st).To(HaveKeyWithValue("source_s_0_connection_status", int64(-1)))
		_, resp, err := dial(e, "/s")
		Expect(err).To(HaveOccurred())
		Expect(resp).NotTo(BeNil())
		Expect(resp.StatusCode).To(Equal(http.StatusNotFound))

		Expect(e.StartRule(ctxT(), "r")).To(Succeed())
		Expect(status(e, "r")).To(HaveKeyWithValue("status", "running"))
		c = mustDial(e, "/s")
		send(c, `{"n":2}`)
		Expect(next(mem)).To(Equal(decode.Record{"n": int64(2)}))

		Expect(e.RestartRule(ctxT(), "r")).To(Succeed())
		Expect(status(e, "r")).To(HaveKeyWithValue("status", "running"))
		c = mustDial(e, "/s")
		send(c, `{"n":3}`)
		Expect(next(mem)).To(Equal(decode.Record{"n": int64(3)}))

		Expect(e.DeleteRule("r")).To(Succeed())
		_, err = e.Rule("r")
		Expect(err).To(MatchError(isKind(engine.ErrNotFound), "ErrNotFound"))
		_, resp, err = dial(e, "/s")
		Expect(err).To(HaveOccurred())
		Expect(resp).NotTo(BeNil())
		Expect(resp.StatusCode).To(Equal(http.StatusNotFound))
	})

	It("closes the data server port when the last rule stops", func() {
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Actions: nopAction()})).To(Succeed())
		addr := e.DataServerAddr()
		Expect(addr).NotTo(BeEmpty())
		Expect(e.StopRule("r")).To(Succeed())
		Expect(e.DataServerAddr()).To(BeEmpty())
	})

	It("projects the fields of a typed stream", func() {
		_, err := e.CreateStream(`CREATE STREAM t (id BIGINT, name STRING, temp FLOAT) WITH (DATASOURCE="/t")`)
		Expect(err).NotTo(HaveOccurred())
		all, some := engine.NewMemorySink(4), engine.NewMemorySink(4)
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "all", SQL: "SELECT * FROM t", Sinks: []engine.Sink{all}})).To(Succeed())
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "some", SQL: "SELECT id, temp FROM t", Sinks: []engine.Sink{some}})).To(Succeed())
		c := mustDial(e, "/t")
		send(c, `{"id":7,"name":5,"temp":1.5,"extra":"x"}`)
		Expect(next(all)).To(Equal(decode.Record{"id": int64(7), "name": "5", "temp": 1.5}))
		Expect(next(some)).To(Equal(decode.Record{"id": int64(7), "temp": 1.5}))
	})

	It("shares a path's endpoint between the streams on it", func() {
		_, err := e.CreateStream(`CREATE STREAM s2 () WITH (DATASOURCE="/s")`)
		Expect(err).NotTo(HaveOccurred())
		m1, m2 := engine.NewMemorySink(4), engine.NewMemorySink(4)
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r1", SQL: "SELECT * FROM s", Sinks: []engine.Sink{m1}})).To(Succeed())
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r2", SQL: "SELECT * FROM s2", Sinks: []engine.Sink{m2}})).To(Succeed())
		Expect(status(e, "r2")).To(HaveKeyWithValue("status", "running"))
		c := mustDial(e, "/s")
		send(c, `{"a":1}`)
		Expect(next(m1)).To(Equal(decode.Record{"a": int64(1)}))
		Expect(next(m2)).To(Equal(decode.Record{"a": int64(1)}))
		Eventually(statusOf(e, "r2")).Should(HaveKeyWithValue("source_s2_0_records_in_total", int64(1)))
	})

	It("gives a second stream on the same path with other fields a start error", func() {
		_, err := e.CreateStream(`CREATE STREAM s2 (a BIGINT) WITH (DATASOURCE="/s")`)
		Expect(err).NotTo(HaveOccurred())
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r1", SQL: "SELECT * FROM s", Actions: nopAction()})).To(Succeed())
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r2", SQL: "SELECT * FROM s2", Actions: nopAction()})).To(Succeed())
		st := status(e, "r2")
		Expect(st).To(HaveKeyWithValue("status", "stopped by error"))
		Expect(st).To(HaveKeyWithValue("message", And(ContainSubstring("/s"), ContainSubstring("fields differ"))))
		Expect(status(e, "r1")).To(HaveKeyWithValue("status", "running"))
	})

	It("does not lose a record when the sink is slow", func() {
		const n = 20000
		mem := engine.NewMemorySink(1)
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Sinks: []engine.Sink{mem}})).To(Succeed())
		c := mustDial(e, "/s")
		sent := make(chan error, 1)
		go func() {
			for i := range n {
				if err := c.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, `{"i":%d}`, i)); err != nil {
					sent <- err
					return
				}
			}
			sent <- nil
		}()
		deadline := time.After(waits.Heavy)
		for i := range n {
			if i%1000 == 999 {
				time.Sleep(time.Millisecond) // a slow reader
			}
			select {
			case r := <-mem.C():
				Expect(r).To(Equal(decode.Record{"i": int64(i)}))
			case <-deadline:
				Fail(fmt.Sprintf("only %d of %d records arrived", i, n))
			}
		}
		Eventually(sent).Should(Receive(BeNil()))
		Expect(status(e, "r")).To(HaveKeyWithValue("sink_memory_0_0_records_out_total", int64(n)))
	})

	It("holds only a few megabytes of messages for a rule whose sink does not read", func() {
		const n, size = 24, 1 << 20
		mem := engine.NewMemorySink(0)
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Sinks: []engine.Sink{mem}})).To(Succeed())
		c := mustDial(e, "/s")
		sent := make(chan error, 1)
		go func() {
			for i := range n {
				msg := fmt.Appendf(nil, `{"i":%d,"pad":"%s"}`, i, strings.Repeat("x", size))
				if err := c.WriteMessage(websocket.TextMessage, msg); err != nil {
					sent <- err
					return
				}
			}
			sent <- nil
		}()
		in := func() any { return status(e, "r")["source_s_0_records_in_total"] }
		// At most 4 MiB queued (the message in the sink counts until it
		// leaves), and one message waiting for room.
		// Four 1 MiB messages take well over a second to arrive and decode
		// under the race detector on two cores: wait for them, boundedly.
		Eventually(in).WithTimeout(waits.Heavy).Should(BeNumerically(">=", 4))
		Consistently(in, waits.Quiet).Should(BeNumerically("<=", 6))
		for i := range n {
			Expect(next(mem)).To(HaveKeyWithValue("i", int64(i)))
		}
		Eventually(sent).Should(Receive(BeNil()))
	})

	It("does not hang a shared stream on a stopped rule whose sink is full", func() {
		stuck, live := engine.NewMemorySink(0), engine.NewMemorySink(64)
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "stuck", SQL: "SELECT * FROM s", Sinks: []engine.Sink{stuck}})).To(Succeed())
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "live", SQL: "SELECT * FROM s", Sinks: []engine.Sink{live}})).To(Succeed())
		c := mustDial(e, "/s")
		for i := range 200 {
			send(c, fmt.Sprintf(`{"i":%d}`, i))
		}
		Expect(next(live)).To(Equal(decode.Record{"i": int64(0)}))
		Expect(e.StopRule("stuck")).To(Succeed())
		for i := 1; i < 200; i++ {
			Expect(next(live)).To(Equal(decode.Record{"i": int64(i)}))
		}
	})

	It("stays consistent under concurrent starts, stops and status reads", func() {
		const rules = 4
		sinks := make([]*engine.MemorySink, rules)
		for i := range rules {
			sinks[i] = engine.NewMemorySink(4)
			Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: fmt.Sprint("r", i), SQL: "SELECT * FROM s", Sinks: []engine.Sink{sinks[i]}})).To(Succeed())
		}
		var wg sync.WaitGroup
		for i := range rules {
			wg.Add(1)
			go func() {
				defer GinkgoRecover()
				defer wg.Done()
				id := fmt.Sprint("r", i)
				for range 20 {
					Expect(e.StopRule(id)).To(Succeed())
					Expect(e.StartRule(ctxT(), id)).To(Succeed())
					Expect(e.RuleStatus(id)).To(HaveKeyWithValue("status", "running"))
					_ = e.Rules()
				}
			}()
		}
		wg.Wait()
		c := mustDial(e, "/s")
		send(c, `{"all":true}`)
		for _, m := range sinks {
			Expect(next(m)).To(Equal(decode.Record{"all": true}))
		}
	})

	It("leaves no goroutine behind after Close", func() {
		ignore := goleak.IgnoreCurrent()
		e2 := newEngine(fault.Set{}, nil)
		_, err := e2.CreateStream(`CREATE STREAM s () WITH (DATASOURCE="/s")`)
		Expect(err).NotTo(HaveOccurred())
		mem := engine.NewMemorySink(0)
		Expect(e2.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Actions: []map[string]map[string]any{{"log": {}}}, Sinks: []engine.Sink{mem}})).To(Succeed())
		c := mustDial(e2, "/s")
		send(c, `{"a":1}`, `{"a":2}`)
		Eventually(statusOf(e2, "r")).Should(HaveKeyWithValue("source_s_0_records_in_total", int64(2)))
		Expect(e2.Close()).To(Succeed())
		_ = c.Close() // the background reader may have closed it already
		Expect(goleak.Find(ignore)).To(Succeed())
		Expect(e2.Close()).To(Succeed())
		Expect(e2.CreateRule(ctxT(), engine.RuleDef{ID: "x", SQL: "SELECT * FROM s", Actions: nopAction()})).To(MatchError(engine.ErrClosed))
	})
})

var _ = Describe("client mode", func() {
	It("reports a refused dial as stopped by error", func() {
		addr := refusedAddr()
		e := newEngine(fault.Set{}, config.ConfKeys{"default": {}, "remote": {"addr": addr}})
		_, err := e.CreateStream(`CREATE STREAM c () WITH (DATASOURCE="/feed", CONF_KEY="remote")`)
		Expect(err).NotTo(HaveOccurred())
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM c", Actions: nopAction()})).To(Succeed())
		st := status(e, "r")
		Expect(st).To(HaveKeyWithValue("status", "stopped by error"))
		Expect(st).To(HaveKeyWithValue("message", And(ContainSubstring(addr), ContainSubstring("connection refused"))))
		Expect(st).To(HaveKeyWithValue("source_c_0_last_exception", st["message"]))
		Expect(st).To(HaveKeyWithValue("source_c_0_exceptions_total", int64(1)))
		Expect(st).To(HaveKeyWithValue("source_c_0_connection_status", int64(-1)))
		Expect(e.Rules()).To(Equal([]engine.RuleSummary{{ID: "r", Status: "stopped by error"}}))
		Expect(e.StopRule("r")).To(Succeed())
		Expect(status(e, "r")).To(HaveKeyWithValue("message", "canceled manually"))
	})

	It("reads records from the remote server", func() {
		rem := newRemote()
		e := newEngine(fault.Set{}, config.ConfKeys{"default": {}, "remote": {"addr": rem.addr()}})
		_, err := e.CreateStream(`CREATE STREAM c () WITH (DATASOURCE="/feed", CONF_KEY="remote")`)
		Expect(err).NotTo(HaveOccurred())
		mem := engine.NewMemorySink(4)
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM c", Sinks: []engine.Sink{mem}})).To(Succeed())
		conn := rem.accept()
		Expect(<-rem.paths).To(Equal("/feed"))
		Expect(conn.WriteMessage(websocket.TextMessage, []byte(`{"x":"y"}`))).To(Succeed())
		Expect(next(mem)).To(Equal(decode.Record{"x": "y"}))
		Expect(status(e, "r")).To(HaveKeyWithValue("source_c_0_connection_status", int64(1)))
	})

	DescribeTable("gives each stream on the same path its own connection",
		func(faults fault.Set, shared bool) {
			rem1, rem2 := newRemote(), newRemote()
			e := newEngine(faults, config.ConfKeys{"default": {}, "k1": {"addr": rem1.addr()}, "k2": {"addr": rem2.addr()}})
			_, err := e.CreateStream(`CREATE STREAM c1 () WITH (DATASOURCE="/feed", CONF_KEY="k1")`)
			Expect(err).NotTo(HaveOccurred())
			_, err = e.CreateStream(`CREATE STREAM c2 () WITH (DATASOURCE="/feed", CONF_KEY="k2")`)
			Expect(err).NotTo(HaveOccurred())
			m1, m2 := engine.NewMemorySink(4), engine.NewMemorySink(4)
			Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r1", SQL: "SELECT * FROM c1", Sinks: []engine.Sink{m1}})).To(Succeed())
			Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r2", SQL: "SELECT * FROM c2", Sinks: []engine.Sink{m2}})).To(Succeed())
			conn1 := rem1.accept()
			Expect(conn1.WriteMessage(websocket.TextMessage, []byte(`{"from":1}`))).To(Succeed())
			Expect(next(m1)).To(Equal(decode.Record{"from": int64(1)}))
			if shared {
				Expect(next(m2)).To(Equal(decode.Record{"from": int64(1)}))
				Consistently(rem2.conns, waits.Quiet).ShouldNot(Receive())
				return
			}
			conn2 := rem2.accept()
			Expect(conn2.WriteMessage(websocket.TextMessage, []byte(`{"from":2}`))).To(Succeed())
			Expect(next(m2)).To(Equal(decode.Record{"from": int64(2)}))
			Expect(m1.C()).NotTo(Receive())
		},
		Entry("correct", fault.Set{}, false),
		Entry("under ShareClientByPath", Label(selftest.Label), fault.Set{ShareClientByPath: true}, true),
	)
})

var _ = Describe("faults", func() {
	DescribeTable("break the pipeline as they say",
		func(faults fault.Set, sql string, msgs []string, want []decode.Record) {
			e := newEngine(faults, nil)
			_, err := e.CreateStream(`CREATE STREAM s (a BIGINT) WITH (DATASOURCE="/s")`)
			Expect(err).NotTo(HaveOccurred())
			_, err = e.CreateStream(`CREATE STREAM u () WITH (DATASOURCE="/u")`)
			Expect(err).NotTo(HaveOccurred())
			mem := engine.NewMemorySink(256)
			Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: sql, Sinks: []engine.Sink{mem}})).To(Succeed())
			path := "/" + strings.TrimSpace(sql[strings.LastIndex(sql, " "):])
			c := mustDial(e, path)
			send(c, msgs...)
			send(c, `{"a":-1}`)
			var got []decode.Record
			for {
				r := next(mem)
				if r["a"] == int64(-1) {
					break
				}
				got = append(got, r)
			}
			Expect(got).To(Equal(want))
		},
		Entry("ArrayAsOneRecord", Label(selftest.Label), fault.Set{ArrayAsOneRecord: true}, "SELECT * FROM u",
			[]string{`[{"a":1},{"a":2}]`}, []decode.Record{{"a": int64(1)}}),
		Entry("TypedKeepsUnknownFields", Label(selftest.Label), fault.Set{TypedKeepsUnknownFields: true}, "SELECT * FROM s",
			[]string{`{"a":1,"b":2}`}, []decode.Record{{"a": int64(1), "b": int64(2)}}),
		Entry("DropOnePercent", Label(selftest.Label), fault.Set{DropOnePercent: true}, "SELECT * FROM u",
			[]string{`[` + strings.Repeat(`{"a":0},`, 99) + `{"a":100}]`}, repeat(decode.Record{"a": int64(0)}, 99)),
	)

	DescribeTable("count the messages received unless NoRecordsInCount",
		func(faults fault.Set, want int64) {
			e := newEngine(faults, nil)
			_, err := e.CreateStream(`CREATE STREAM s () WITH (DATASOURCE="/s")`)
			Expect(err).NotTo(HaveOccurred())
			mem := engine.NewMemorySink(4)
			Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Sinks: []engine.Sink{mem}})).To(Succeed())
			send(mustDial(e, "/s"), `{"n":1}`, `{"n":2}`)
			Expect(next(mem)).To(Equal(decode.Record{"n": int64(1)}))
			Expect(next(mem)).To(Equal(decode.Record{"n": int64(2)}))
			Expect(status(e, "r")).To(HaveKeyWithValue("source_s_0_records_in_total", want))
		},
		Entry("correct", fault.Set{}, int64(2)),
		Entry("NoRecordsInCount", Label(selftest.Label), fault.Set{NoRecordsInCount: true}, int64(0)),
	)

	DescribeTable("merge a named confKey over default unless NamedConfKeyAlone",
		func(faults fault.Set, wantPath string) {
			rem := newRemote()
			e := newEngine(faults, config.ConfKeys{"default": {"path": "/fromdefault"}, "remote": {"addr": rem.addr()}})
			_, err := e.CreateStream(`CREATE STREAM c () WITH (DATASOURCE="/feed", CONF_KEY="remote")`)
			Expect(err).NotTo(HaveOccurred())
			Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM c", Actions: nopAction()})).To(Succeed())
			rem.accept()
			Expect(<-rem.paths).To(Equal(wantPath))
		},
		Entry("correct", fault.Set{}, "/fromdefault"),
		Entry("NamedConfKeyAlone", Label(selftest.Label), fault.Set{NamedConfKeyAlone: true}, "/feed"),
	)

	It("accept a datasource without a leading slash with AcceptRelativeDatasource", Label(selftest.Label), func() {
		e := newEngine(fault.Set{AcceptRelativeDatasource: true}, nil)
		_, err := e.CreateStream(`CREATE STREAM s () WITH (DATASOURCE="api/data")`)
		Expect(err).NotTo(HaveOccurred())
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Actions: nopAction()})).To(Succeed())
		Expect(status(e, "r")).To(HaveKeyWithValue("status", "running"))
	})

	DescribeTable("hang up a stopped client-mode rule unless StopLeavesClientOpen",
		func(faults fault.Set, redials bool) {
			rem := newRemote()
			e := newEngine(faults, config.ConfKeys{"default": {}, "remote": {"addr": rem.addr()}})
			_, err := e.CreateStream(`CREATE STREAM c () WITH (DATASOURCE="/feed", CONF_KEY="remote")`)
			Expect(err).NotTo(HaveOccurred())
			mem := engine.NewMemorySink(4)
			Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM c", Sinks: []engine.Sink{mem}})).To(Succeed())
			first := rem.accept()
			Expect(e.StopRule("r")).To(Succeed())
			Expect(e.StartRule(ctxT(), "r")).To(Succeed())
			if redials {
				conn := rem.accept()
				Expect(conn.WriteMessage(websocket.TextMessage, []byte(`{"conn":2}`))).To(Succeed())
				Expect(next(mem)).To(Equal(decode.Record{"conn": int64(2)}))
				return
			}
			// The first connection was never closed, so the restarted rule reads it.
			Consistently(rem.conns, waits.Quiet).ShouldNot(Receive())
			Expect(first.WriteMessage(websocket.TextMessage, []byte(`{"conn":1}`))).To(Succeed())
			Expect(next(mem)).To(Equal(decode.Record{"conn": int64(1)}))
		},
		Entry("correct", fault.Set{}, true),
		Entry("StopLeavesClientOpen", Label(selftest.Label), fault.Set{StopLeavesClientOpen: true}, false),
	)

	DescribeTable("share one connection between the rules of a client-mode stream unless ConnectionPerRule",
		func(faults fault.Set, conns int) {
			rem := newRemote()
			e := newEngine(faults, config.ConfKeys{"default": {}, "remote": {"addr": rem.addr()}})
			_, err := e.CreateStream(`CREATE STREAM c () WITH (DATASOURCE="/feed", CONF_KEY="remote")`)
			Expect(err).NotTo(HaveOccurred())
			for _, id := range []string{"r1", "r2"} {
				Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: id, SQL: "SELECT * FROM c", Actions: nopAction()})).To(Succeed())
			}
			for range conns {
				rem.accept()
			}
			Consistently(rem.conns, waits.Quiet).ShouldNot(Receive())
		},
		Entry("correct", fault.Set{}, 1),
		Entry("ConnectionPerRule", Label(selftest.Label), fault.Set{ConnectionPerRule: true}, 2),
	)
})

func repeat(r decode.Record, n int) []decode.Record {
	out := make([]decode.Record, n)
	for i := range out {
		out[i] = r
	}
	return out
}

var _ = Describe("rest sink", func() {
	It("posts each record as one JSON object with the headers", func() {
		col := newPostCollector(http.StatusOK)
		e := newEngine(fault.Set{}, nil)
		_, err := e.CreateStream(`CREATE STREAM s () WITH (DATASOURCE="/s")`)
		Expect(err).NotTo(HaveOccurred())
		action := []map[string]map[string]any{{"rest": {
			"url": col.srv.URL + "/r1", "method": "put", "sendSingle": true,
			"headers": map[string]any{"X-Test": "yes"},
		}}}
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Actions: action})).To(Succeed())
		c := mustDial(e, "/s")
		send(c, `[{"a":1},{"a":2}]`)
		var body map[string]any
		var req *http.Request
		Eventually(col.bodies).Should(Receive(&body))
		Expect(body).To(HaveKeyWithValue("a", BeEquivalentTo("1")))
		Eventually(col.reqs).Should(Receive(&req))
		Expect(req.Method).To(Equal(http.MethodPut))
		Expect(req.URL.Path).To(Equal("/r1"))
		Expect(req.Header.Get("X-Test")).To(Equal("yes"))
		Expect(req.Header.Get("Content-Type")).To(Equal("application/json"))
		Eventually(col.bodies).Should(Receive(&body))
		Expect(body).To(HaveKeyWithValue("a", BeEquivalentTo("2")))
		Eventually(statusOf(e, "r")).Should(HaveKeyWithValue("sink_rest_0_0_records_out_total", int64(2)))
	})

	It("counts a failed POST as a sink exception and goes on", func() {
		col := newPostCollector(http.StatusInternalServerError)
		e := newEngine(fault.Set{}, nil)
		_, err := e.CreateStream(`CREATE STREAM s () WITH (DATASOURCE="/s")`)
		Expect(err).NotTo(HaveOccurred())
		mem := engine.NewMemorySink(4)
		action := []map[string]map[string]any{{"rest": {"url": col.srv.URL}}}
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Actions: action, Sinks: []engine.Sink{mem}})).To(Succeed())
		c := mustDial(e, "/s")
		send(c, `{"a":1}`, `{"a":2}`)
		Expect(next(mem)).To(Equal(decode.Record{"a": int64(1)}))
		Expect(next(mem)).To(Equal(decode.Record{"a": int64(2)}))
		st := status(e, "r")
		Expect(st).To(HaveKeyWithValue("sink_rest_0_0_exceptions_total", int64(2)))
		Expect(st).To(HaveKeyWithValue("sink_rest_0_0_last_exception", ContainSubstring("500")))
		Expect(st).To(HaveKeyWithValue("status", "running"))
	})

	It("tries a record again when its connection fails before a response", func() {
		var mu sync.Mutex
		var got []string
		var calls int
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			calls++
			first := calls == 1
			if !first {
				got = append(got, string(body))
			}
			mu.Unlock()
			if first {
				if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
					_ = conn.Close()
				}
				return
			}
			w.WriteHeader(http.StatusOK)
		}))
		DeferCleanup(srv.Close)
		e := newEngine(fault.Set{}, nil)
		_, err := e.CreateStream(`CREATE STREAM s () WITH (DATASOURCE="/s")`)
		Expect(err).NotTo(HaveOccurred())
		action := []map[string]map[string]any{{"rest": {"url": srv.URL}}}
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Actions: action})).To(Succeed())
		send(mustDial(e, "/s"), `{"a":1}`, `{"a":2}`)
		Eventually(statusOf(e, "r")).Should(HaveKeyWithValue("sink_rest_0_0_records_out_total", int64(2)))
		Expect(status(e, "r")).To(HaveKeyWithValue("sink_rest_0_0_exceptions_total", int64(0)))
		mu.Lock()
		defer mu.Unlock()
		Expect(got).To(Equal([]string{`{"a":1}`, `{"a":2}`}))
	})
})

var _ = Describe("confKeys", func() {
	It("puts, lists and deletes keys but keeps default", func() {
		e := newEngine(fault.Set{}, nil)
		Expect(e.ConfKeys()).To(HaveKey("default"))
		Expect(e.PutConfKey("Remote", map[string]any{"addr": "127.0.0.1:18090"})).To(Succeed())
		Expect(e.ConfKeys()).To(HaveKeyWithValue("remote", HaveKeyWithValue("addr", "127.0.0.1:18090")))
		Expect(e.PutConfKey("bad", map[string]any{"addr": "127.0.0.1:99999"})).To(MatchError(isKind(engine.ErrInvalid), "ErrInvalid"))
		Expect(e.ConfKeys()).NotTo(HaveKey("bad"))
		Expect(e.DeleteConfKey("default")).To(HaveOccurred())
		Expect(e.DeleteConfKey("remote")).To(Succeed())
		Expect(e.DeleteConfKey("remote")).To(MatchError(isKind(engine.ErrNotFound), "ErrNotFound"))
	})
})

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var _ = Describe("log sink", func() {
	It("logs each record at info level", func() {
		var buf syncBuffer
		k := config.Default()
		k.Source.HTTPServerIP, k.Source.HTTPServerPort = "127.0.0.1", 0
		e := engine.New(engine.Options{Kuiper: k, Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))})
		DeferCleanup(func() { Expect(e.Close()).To(Succeed()) })
		_, err := e.CreateStream(`CREATE STREAM s () WITH (DATASOURCE="/s")`)
		Expect(err).NotTo(HaveOccurred())
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "logged", SQL: "SELECT * FROM s", Actions: []map[string]map[string]any{{"log": {}}}})).To(Succeed())
		send(mustDial(e, "/s"), `{"marker":"m-42"}`)
		Eventually(buf.String).Should(And(ContainSubstring("level=INFO"), ContainSubstring("rule=logged"), ContainSubstring("m-42")))
		Eventually(statusOf(e, "logged")).Should(HaveKeyWithValue("sink_log_0_0_records_out_total", int64(1)))
	})
})

// portOpen tells whether a TCP connection to addr succeeds.
func portOpen(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

var _ = Describe("a rule created with Triggered false", func() {
	notTriggered := func() *bool { f := false; return &f }

	It("never opens the data server port until it is started", func() {
		addr := refusedAddr() // free a moment ago; the data server binds it on start
		host, port, err := net.SplitHostPort(addr)
		Expect(err).NotTo(HaveOccurred())
		k := config.Default()
		k.Source.HTTPServerIP = host
		k.Source.HTTPServerPort, err = strconv.Atoi(port)
		Expect(err).NotTo(HaveOccurred())
		e := engine.New(engine.Options{Kuiper: k})
		DeferCleanup(func() { Expect(e.Close()).To(Succeed()) })
		_, err = e.CreateStream(`CREATE STREAM s () WITH (DATASOURCE="/s")`)
		Expect(err).NotTo(HaveOccurred())

		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Actions: nopAction(), Triggered: notTriggered()})).To(Succeed())
		Expect(e.Rules()).To(Equal([]engine.RuleSummary{{ID: "r", Status: "stopped"}}))
		Expect(status(e, "r")).To(Equal(map[string]any{"status": "stopped", "message": "canceled manually"}),
			"no metrics: the rule never ran")
		def, err := e.Rule("r")
		Expect(err).NotTo(HaveOccurred())
		Expect(def.Triggered).To(HaveValue(BeFalse()))
		Expect(e.DataServerAddr()).To(BeEmpty())
		Consistently(func() bool { return portOpen(addr) }, waits.Quiet, 20*time.Millisecond).Should(BeFalse())

		Expect(e.StartRule(ctxT(), "r")).To(Succeed())
		Expect(status(e, "r")).To(HaveKeyWithValue("status", "running"))
		Expect(e.DataServerAddr()).To(Equal(addr))
		Expect(portOpen(addr)).To(BeTrue())
		def, err = e.Rule("r")
		Expect(err).NotTo(HaveOccurred())
		Expect(def.Triggered).To(HaveValue(BeTrue()))
	})

	It("never dials the remote until it is started", func() {
		rem := newRemote()
		e := newEngine(fault.Set{}, config.ConfKeys{"default": {}, "remote": {"addr": rem.addr()}})
		_, err := e.CreateStream(`CREATE STREAM c () WITH (DATASOURCE="/feed", CONF_KEY="remote")`)
		Expect(err).NotTo(HaveOccurred())
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM c", Actions: nopAction(), Triggered: notTriggered()})).To(Succeed())
		Consistently(rem.conns, waits.Quiet).ShouldNot(Receive())
		Expect(e.StartRule(ctxT(), "r")).To(Succeed())
		rem.accept()
		Expect(status(e, "r")).To(HaveKeyWithValue("source_c_0_connection_status", int64(1)))
	})

	It("is validated like any rule", func() {
		e := newEngine(fault.Set{}, nil)
		_, err := e.CreateStream(`CREATE STREAM bad () WITH (DATASOURCE="api")`)
		Expect(err).NotTo(HaveOccurred())
		err = e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM bad", Actions: nopAction(), Triggered: notTriggered()})
		Expect(err).To(MatchError("websocket endpoint should start with /"))
		err = e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM nope", Actions: nopAction(), Triggered: notTriggered()})
		Expect(err).To(MatchError(isKind(engine.ErrNotFound), "ErrNotFound"))
		Expect(e.Rules()).To(BeEmpty())
	})
})
