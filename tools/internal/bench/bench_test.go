package bench

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/engine"
	"github.com/wsconform/wsconform/impl/fault"
	restapi "github.com/wsconform/wsconform/impl/rest"
	"github.com/wsconform/wsconform/internal/selftest"
	"github.com/wsconform/wsconform/steps/target/ref"
	restt "github.com/wsconform/wsconform/steps/target/rest"
)

// small are counts that keep a run to a few seconds.
func small(o Options) Options {
	o.Messages, o.Conns = 3000, 3
	o.ClientMessages = 3000
	o.LatencyRate, o.LatencyCount = 1000, 50
	o.IdleConns = 100
	o.StormConns, o.StormParallel = 100, 8
	o.Timeout = 20 * time.Second
	return o
}

func bounded() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	DeferCleanup(cancel)
	return ctx
}

func byName(r *Result, workload, metricPrefix string) Figure {
	f, ok := byWorkload(r, workload, metricPrefix)
	ExpectWithOffset(1, ok).To(BeTrue(), "no %s figure %q in %+v", workload, metricPrefix, r.Figures)
	return f
}

// checkComplete: every figure has both sides, no error, and ingest lost
// nothing.
func checkComplete(r *Result) {
	ExpectWithOffset(1, r.Figures).To(HaveLen(7))
	for _, f := range r.Figures {
		ExpectWithOffset(1, f.Error).To(BeEmpty(), "%s %s", f.Workload, f.Metric)
		ExpectWithOffset(1, f.Engine).To(BeNumerically(">", 0), "%s %s", f.Workload, f.Metric)
		ExpectWithOffset(1, f.Raw).To(BeNumerically(">", 0), "%s %s", f.Workload, f.Metric)
		ExpectWithOffset(1, f.Ratio).To(BeNumerically("~", f.Engine/f.Raw, 1e-9))
	}
	for _, w := range []string{ServerIngest, ClientIngest} {
		f := byName(r, w, "")
		ExpectWithOffset(1, f.Details["delivered"]).To(BeEquivalentTo(f.Details["sent"]), w)
		ExpectWithOffset(1, f.Details["lost"]).To(BeEquivalentTo(0), w)
	}
}

var _ = Describe("Run", func() {
	It("measures every workload of the in-process reference next to the raw loop", func() {
		r, err := Run(bounded(), small(Options{Target: "ref"}))
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Engine).To(Equal("reference (in-process)"))
		Expect(r.Machine.Cores).To(BeNumerically(">", 0))
		Expect(r.Machine.OpenFiles).To(BeNumerically(">", 0))
		checkComplete(r)
		Expect(byName(r, ServerIngest, "").Details["source_records_in"]).To(BeEquivalentTo(3000))
		p50, p99, pmax := byName(r, Latency, "p50"), byName(r, Latency, "p99"), byName(r, Latency, "max")
		Expect(p50.Engine).To(BeNumerically("<=", p99.Engine))
		Expect(p99.Engine).To(BeNumerically("<=", pmax.Engine))
		Expect(p50.Details["engine_records"]).To(Equal(50))
	})

	It("reports the loss of an engine that drops records", Label(selftest.Label), func() {
		if !fault.Enabled {
			Skip("runs the reference with deliberate defects, which only a build with -tags selftest applies")
		}
		o := small(Options{Target: "ref", Only: []string{ServerIngest, ClientIngest},
			refFactory: ref.Factory(ref.Options{Faults: fault.Set{DropOnePercent: true}})})
		r, err := Run(bounded(), o)
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Figures).To(HaveLen(2))
		for _, f := range r.Figures {
			Expect(f.Details["lost"]).To(BeEquivalentTo(30), f.Workload)
			Expect(f.Details["delivered"]).To(BeEquivalentTo(2970), f.Workload)
		}
		Expect(r.Figures[0].Details["lost_percent"]).To(BeEquivalentTo(1))
	})

	It("measures an engine over REST, with its memory read by process id", func() {
		dataAddr := freeLoopback()
		k := config.Default()
		host, port, _ := strings.Cut(dataAddr, ":")
		k.Source.HTTPServerIP = host
		k.Basic.EnablePrivateNet = true // the collector listens on loopback
		_, err := fmt.Sscan(port, &k.Source.HTTPServerPort)
		Expect(err).NotTo(HaveOccurred())
		e := engine.New(engine.Options{Kuiper: k})
		DeferCleanup(e.Close)
		api := httptest.NewServer(restapi.New(restapi.Config{Engine: e}))
		DeferCleanup(api.Close)

		o := small(Options{Target: "rest", PID: os.Getpid(), Label: "daemon",
			Rest: restt.Options{RestURL: api.URL, DataURL: "ws://" + dataAddr}})
		r, err := Run(bounded(), o)
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Engine).To(Equal("daemon"))
		checkComplete(r)
		Expect(e.Rules()).To(BeEmpty(), "every rule the run made is gone")
		Expect(e.Streams()).To(BeEmpty(), "every stream the run made is gone")
	})

	It("says why a figure is missing: no pid for an engine over REST", func() {
		dataAddr := freeLoopback()
		k := config.Default()
		host, port, _ := strings.Cut(dataAddr, ":")
		k.Source.HTTPServerIP = host
		k.Basic.EnablePrivateNet = true // the collector listens on loopback
		_, _ = fmt.Sscan(port, &k.Source.HTTPServerPort)
		e := engine.New(engine.Options{Kuiper: k})
		DeferCleanup(e.Close)
		api := httptest.NewServer(restapi.New(restapi.Config{Engine: e}))
		DeferCleanup(api.Close)
		o := small(Options{Target: "rest", Only: []string{Idle},
			Rest: restt.Options{RestURL: api.URL, DataURL: "ws://" + dataAddr}})
		r, err := Run(bounded(), o)
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Figures).To(HaveLen(1))
		Expect(r.Figures[0].Error).To(ContainSubstring("--pid"))
		Expect(r.Figures[0].Engine).To(BeZero())
		Expect(r.Figures[0].Raw).To(BeNumerically(">", 0))
	})

	It("fails for an engine it cannot reach", func() {
		_, err := Run(bounded(), Options{Target: "rest", Rest: restt.Options{RestURL: "http://" + freeLoopback()}})
		Expect(err).To(HaveOccurred())
		_, err = Run(bounded(), Options{Target: "nope"})
		Expect(err).To(MatchError(ContainSubstring(`"nope"`)))
	})
})

var _ = Describe("limits", func() {
	It("caps idle connections by the open-file limits, two descriptors each in process", func() {
		res := &Result{Machine: Machine{OpenFiles: 2256}}
		Expect(idleCap(Options{IdleConns: 10000}, engineUnderTest{inProcess: true}, res)).To(Equal(1000))
		Expect(res.Notes).To(ContainElement(ContainSubstring("2256")))
		res = &Result{Machine: Machine{OpenFiles: 2256}}
		Expect(idleCap(Options{IdleConns: 10000}, engineUnderTest{}, res)).To(Equal(2000))
		res = &Result{Machine: Machine{OpenFiles: 100000}, EngineOpenFiles: 1280}
		Expect(idleCap(Options{IdleConns: 10000}, engineUnderTest{}, res)).To(Equal(1024))
		res = &Result{Machine: Machine{OpenFiles: 100000}}
		Expect(idleCap(Options{IdleConns: 500}, engineUnderTest{inProcess: true}, res)).To(Equal(500))
		Expect(res.Notes).To(BeEmpty())
	})

	It("bounds the options: idle connections at most MaxIdleConns, never more connections than messages", func() {
		o := Options{IdleConns: 50000, Messages: 2, Conns: 8}.withDefaults()
		Expect(o.IdleConns).To(Equal(MaxIdleConns))
		Expect(o.Conns).To(Equal(2))
		Expect(o.Target).To(Equal("ref"))
	})
})

var _ = Describe("countWait", func() {
	It("returns at once when the count is reached", func() {
		n, _, err := countWait(bounded(), func(context.Context) (int64, error) { return 5, nil }, 5, nil, time.Millisecond, time.Second)
		Expect(err).NotTo(HaveOccurred())
		Expect(n).To(BeEquivalentTo(5))
	})

	It("takes a count that stopped moving after the senders finished as final", func() {
		sent := make(chan struct{})
		close(sent)
		n, _, err := countWait(bounded(), func(context.Context) (int64, error) { return 3, nil }, 5, sent, time.Millisecond, 10*time.Second)
		Expect(err).NotTo(HaveOccurred())
		Expect(n).To(BeEquivalentTo(3))
	})

	It("gives up after its timeout while the senders still run", func() {
		n, _, err := countWait(bounded(), func(context.Context) (int64, error) { return 1, nil }, 5, nil, time.Millisecond, 100*time.Millisecond)
		Expect(err).To(MatchError(ContainSubstring("1 of 5")))
		Expect(n).To(BeEquivalentTo(1))
	})
})

var _ = Describe("reports", func() {
	runs := func() []*Result {
		mk := func(target, engine string, ingest, p99, idle float64, lost int) *Result {
			return &Result{Target: target, Engine: engine, Machine: Machine{Cores: 2, LoadAvg: 3, MemoryKiB: 1 << 20},
				Figures: []Figure{
					{Workload: ServerIngest, Metric: "msgs/s delivered", Engine: ingest, Raw: 100, Ratio: ingest / 100,
						Details: map[string]any{"sent": 1000, "lost": lost}},
					{Workload: Latency, Metric: "p99 latency ms", LowerIsBetter: true, Engine: p99, Raw: 1, Ratio: p99},
					{Workload: Idle, Metric: "KiB RSS per idle connection", LowerIsBetter: true, Engine: idle, Raw: 18, Ratio: idle / 18,
						Details: map[string]any{"conns": 10000}},
				}}
		}
		return []*Result{mk("ref", "reference", 95, 2, 7.5, 0), mk("rest", "eKuiper 2.4.0", 10, 3, 22, 400)}
	}

	It("judges the reference's goals against eKuiper", func() {
		md := Markdown(runs(), "make bench-ekuiper", "BENCHMARKS.svg")
		Expect(md).To(ContainSubstring("| server-mode ingest ≥ 90 % of the raw loop | 95.0 msgs/s, 95 % of 100 | yes |"))
		Expect(md).To(ContainSubstring("| ≥ 8× eKuiper's delivered rate | 9.5× (95.0 vs 10.0 msgs/s) | yes |"))
		Expect(md).To(ContainSubstring("| ≤ 10 KiB RSS per idle connection at 10,000 | reference: 7.50 KiB at 10,000 conns | yes |"))
		Expect(md).To(ContainSubstring("| p99 latency no worse than eKuiper's | 2.00 ms vs 3.00 ms | yes |"))
		Expect(md).To(ContainSubstring("**lost 400**"))
		Expect(md).To(ContainSubstring("busy with other work"))
		Expect(md).To(ContainSubstring("![bars per figure: raw loop and each engine](BENCHMARKS.svg)"))

		rs := runs()
		rs[0].Figures[0].Engine, rs[0].Figures[0].Ratio = 50, 0.5
		rs[0].Figures[0].Details["lost"] = 3
		md = Markdown(rs, "make bench-ekuiper", "x.svg")
		Expect(md).To(ContainSubstring("| server-mode ingest ≥ 90 % of the raw loop | 50.0 msgs/s, 50 % of 100 | no |"))
		Expect(md).To(ContainSubstring("| nothing lost (1,000 msgs) | lost 3 | no |"))
	})

	It("draws a bar per engine and figure, as well-formed SVG", func() {
		svg := SVG(runs())
		dec := xml.NewDecoder(bytes.NewReader(svg))
		rects := 0
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			Expect(err).NotTo(HaveOccurred())
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
				rects++
			}
		}
		// background, 3 legend entries, 3 figures × 3 bars
		Expect(rects).To(Equal(1 + 3 + 9))
		Expect(string(svg)).To(ContainSubstring("eKuiper 2.4.0"))
	})

	It("writes and reads bench.json, and prints a table", func() {
		dir := GinkgoT().TempDir()
		p := filepath.Join(dir, "sub", "bench.json")
		Expect(WriteJSON(p, runs()[1])).To(Succeed())
		back, err := ReadJSON(p)
		Expect(err).NotTo(HaveOccurred())
		Expect(back.Engine).To(Equal("eKuiper 2.4.0"))
		Expect(back.Figures).To(HaveLen(3))
		var out bytes.Buffer
		Expect(WriteTable(&out, back)).To(Succeed())
		Expect(out.String()).To(ContainSubstring("lost 400"))
		Expect(out.String()).To(ContainSubstring("0.10×"))
	})
})
