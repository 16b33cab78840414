package engine_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/decode"
	"github.com/wsconform/wsconform/impl/engine"
	"github.com/wsconform/wsconform/impl/fault"
)

// answerServer is an HTTP server that answers each request after delay, or,
// while hang is set, not at all until the request is given up.
type answerServer struct {
	srv      *httptest.Server
	hang     atomic.Bool
	answered atomic.Int64
}

func newAnswerServer(delay time.Duration, hang bool) *answerServer {
	a := &answerServer{}
	a.hang.Store(hang)
	quit := make(chan struct{})
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.hang.Load() {
			select {
			case <-r.Context().Done():
			case <-quit:
			}
			return
		}
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
		a.answered.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	DeferCleanup(func() {
		close(quit)
		a.srv.Close()
	})
	return a
}

var _ = Describe("a rule whose sink fails", func() {
	var e *engine.Engine
	BeforeEach(func() {
		e = newEngine(fault.Set{}, nil)
		_, err := e.CreateStream(`CREATE STREAM s () WITH (DATASOURCE="/s")`)
		Expect(err).NotTo(HaveOccurred())
	})
	restRule := func(id, url string, timeoutMillis int) {
		action := []map[string]map[string]any{{"rest": {"url": url, "timeout": timeoutMillis}}}
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: id, SQL: "SELECT * FROM s", Actions: action})).To(Succeed())
	}
	// sendNumbered sends the messages {"i":0} to {"i":n-1} on a new connection.
	sendNumbered := func(n int) {
		c := mustDial(e, "/s")
		for i := range n {
			send(c, fmt.Sprintf(`{"i":%d}`, i))
		}
	}
	expectAll := func(mem *engine.MemorySink, n int, within time.Duration) {
		deadline := time.After(within)
		for i := range n {
			select {
			case r := <-mem.C():
				ExpectWithOffset(1, r).To(Equal(decode.Record{"i": int64(i)}))
			case <-deadline:
				Fail(fmt.Sprintf("the other rule got %d of %d records within %v", i, n, within))
			}
		}
	}

	It("does not hold back the other rules of its stream when the sink never answers", func() {
		stuck := newAnswerServer(0, true)
		restRule("stuck", stuck.srv.URL, 300)
		live := engine.NewMemorySink(0)
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "live", SQL: "SELECT * FROM s", Sinks: []engine.Sink{live}})).To(Succeed())
		const n = 300
		sendNumbered(n)
		expectAll(live, n, 5*time.Second)

		st := status(e, "stuck")
		Expect(st).To(HaveKeyWithValue("status", "running"))
		Expect(st["sink_rest_0_0_exceptions_total"]).To(BeNumerically(">", n-2*64), "dropped beyond the queue, counted as failed")
		Expect(st["sink_rest_0_0_last_exception"]).To(And(ContainSubstring("Timeout"), ContainSubstring(stuck.srv.URL)))
		Expect(st["sink_rest_0_0_records_out_total"]).To(BeNumerically("==", 0))
	})

	It("keeps lossless backpressure for a sink that answers slowly, and again once a failing sink answers", func() {
		slow := newAnswerServer(2*time.Millisecond, true)
		restRule("slow", slow.srv.URL, 300)
		const n = 200
		sendNumbered(1)
		Eventually(statusOf(e, "slow"), 5*time.Second).Should(HaveKeyWithValue("sink_rest_0_0_exceptions_total", int64(1)))

		slow.hang.Store(false)
		sendNumbered(1)
		Eventually(statusOf(e, "slow"), 5*time.Second).Should(HaveKeyWithValue("sink_rest_0_0_records_out_total", int64(1)))
		sendNumbered(n)
		Eventually(statusOf(e, "slow"), 10*time.Second).Should(HaveKeyWithValue("sink_rest_0_0_records_out_total", int64(n+1)))
		st := status(e, "slow")
		Expect(st).To(HaveKeyWithValue("sink_rest_0_0_exceptions_total", int64(1)), "nothing dropped once it answers")
		Expect(slow.answered.Load()).To(BeNumerically("==", n+1))
	})
})
