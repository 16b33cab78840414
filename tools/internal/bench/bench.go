// Package bench measures an engine's WebSocket source under load, next to a
// raw gorilla read loop running the same workload in the same run: server-mode
// ingest, client-mode ingest, end-to-end latency at a fixed rate, resident
// memory per idle connection, and a connection storm. Every socket is on
// 127.0.0.1; every count and wait is bounded.
package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/steps/target/ref"
	restt "github.com/wsconform/wsconform/steps/target/rest"
)

// Defaults of Options, chosen so that a run against one engine takes about a
// minute on two busy cores.
const (
	DefaultMessages       = 200_000
	DefaultConns          = 4
	DefaultClientMessages = 200_000
	DefaultLatencyRate    = 500
	DefaultLatencyCount   = 1_000
	DefaultIdleConns      = 10_000
	DefaultStormConns     = 2_000
	DefaultStormParallel  = 32
	DefaultTimeout        = 60 * time.Second
	// MaxIdleConns bounds Options.IdleConns.
	MaxIdleConns = 10_000
)

// Workload names, in the order a run measures them.
const (
	ServerIngest = "server-ingest"
	ClientIngest = "client-ingest"
	Latency      = "latency"
	Idle         = "idle"
	Storm        = "storm"
)

// Workloads lists every workload in run order.
var Workloads = []string{ServerIngest, ClientIngest, Latency, Idle, Storm}

// Options configure a run. The zero value measures the in-process reference
// engine with the defaults above.
type Options struct {
	// Target is "ref" (the in-process reference engine, the default) or
	// "rest" (any engine with the eKuiper REST API, through Rest).
	Target string
	// Rest says where the engine is for Target "rest". Its data server must
	// speak plain ws.
	Rest restt.Options
	// PID is the engine's process id, for resident memory; with Target
	// "rest" and no PID the idle workload reports no memory figure.
	PID int
	// Label names the engine in reports; default the target's name, or for
	// "rest" the version the engine reports.
	Label string
	// Only lists the workloads to run; empty means all of Workloads.
	Only []string
	// Messages are sent in server-mode ingest, spread over Conns connections.
	// Defaults DefaultMessages and DefaultConns.
	Messages int
	Conns    int
	// ClientMessages are sent by the suite's server in client-mode ingest.
	// Default DefaultClientMessages.
	ClientMessages int
	// LatencyRate is the messages per second of the latency workload and
	// LatencyCount how many are timed. Defaults DefaultLatencyRate and
	// DefaultLatencyCount.
	LatencyRate  int
	LatencyCount int
	// IdleConns are held open in the idle workload, at most MaxIdleConns
	// and at most what the open-file limits allow. Default DefaultIdleConns.
	IdleConns int
	// StormConns are opened as fast as StormParallel dialers can in the
	// storm workload. Defaults DefaultStormConns and DefaultStormParallel.
	StormConns    int
	StormParallel int
	// Timeout bounds each workload's wait for the engine. Default DefaultTimeout.
	Timeout time.Duration
	// Progress, when set, receives a line per step.
	Progress io.Writer

	// refFactory, when set, makes the in-process targets of Target "ref"
	// (tests build the reference engine with faults).
	refFactory target.Factory
}

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if o.Target == "" {
		o.Target = "ref"
	}
	def(&o.Messages, DefaultMessages)
	def(&o.Conns, DefaultConns)
	def(&o.ClientMessages, DefaultClientMessages)
	def(&o.LatencyRate, DefaultLatencyRate)
	def(&o.LatencyCount, DefaultLatencyCount)
	def(&o.IdleConns, DefaultIdleConns)
	def(&o.StormConns, DefaultStormConns)
	def(&o.StormParallel, DefaultStormParallel)
	if o.IdleConns > MaxIdleConns {
		o.IdleConns = MaxIdleConns
	}
	if o.Conns > o.Messages {
		o.Conns = o.Messages
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	return o
}

// Figure is one measured quantity of the engine beside the raw loop's.
type Figure struct {
	Workload string `json:"workload"`
	// Metric names the quantity, e.g. "delivered msgs/s" or "p99 ms".
	Metric string `json:"metric"`
	// LowerIsBetter tells how to read Ratio.
	LowerIsBetter bool    `json:"lower_is_better"`
	Engine        float64 `json:"engine"`
	Raw           float64 `json:"raw"`
	// Ratio is Engine / Raw (0 when either is missing).
	Ratio float64 `json:"ratio"`
	// Details are the counts behind the figure (sent, delivered, lost, ...).
	Details map[string]any `json:"details,omitempty"`
	// Error says why the engine's figure is missing or partial.
	Error string `json:"error,omitempty"`
}

// Result is one run against one engine.
type Result struct {
	Target  string    `json:"target"`
	Engine  string    `json:"engine"`
	Version string    `json:"version,omitempty"`
	Started time.Time `json:"started"`
	Seconds float64   `json:"seconds"`
	Machine Machine   `json:"machine"`
	// EngineOpenFiles is the engine process's open-file limit, when known.
	EngineOpenFiles uint64   `json:"engine_open_files_limit,omitempty"`
	Options         RunShape `json:"options"`
	Figures         []Figure `json:"figures"`
	Notes           []string `json:"notes,omitempty"`
}

// RunShape are the counts a run used.
type RunShape struct {
	Messages       int `json:"messages"`
	Conns          int `json:"conns"`
	ClientMessages int `json:"client_messages"`
	LatencyRate    int `json:"latency_rate"`
	LatencyCount   int `json:"latency_count"`
	IdleConns      int `json:"idle_conns"`
	StormConns     int `json:"storm_conns"`
	StormParallel  int `json:"storm_parallel"`
}

// engineUnderTest is how a run reaches the engine.
type engineUnderTest struct {
	factory   target.Factory
	inProcess bool
	pid       int
	pollEvery time.Duration
}

// Run measures every workload of opts on the engine and returns the figures.
// A workload the engine fails is reported with its error; Run fails only when
// the engine cannot be reached or ctx ends.
func Run(ctx context.Context, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	limit, err := raiseOpenFiles()
	if err != nil {
		return nil, err
	}
	res := &Result{Target: opts.Target, Started: time.Now().UTC(), Machine: machine(limit)}
	var eng engineUnderTest
	switch opts.Target {
	case "ref":
		f := opts.refFactory
		if f == nil {
			f = ref.Factory(ref.Options{})
		}
		eng = engineUnderTest{factory: f, inProcess: true, pollEvery: 10 * time.Millisecond}
		res.Engine = "reference (in-process)"
	case "rest":
		d, err := restt.New(ctx, opts.Rest)
		if err != nil {
			return nil, err
		}
		defer d.Close()
		eng = engineUnderTest{factory: d.Factory(), pid: opts.PID, pollEvery: 25 * time.Millisecond}
		res.Version = engineVersion(ctx, opts.Rest.RestURL)
		res.Engine = "rest"
		if res.Version != "" {
			res.Engine = "rest (" + res.Version + ")"
		}
		if opts.PID > 0 {
			res.EngineOpenFiles = openFilesOf(opts.PID)
		}
	default:
		return nil, fmt.Errorf("bench: unknown target %q (want ref or rest)", opts.Target)
	}
	if opts.Label != "" {
		res.Engine = opts.Label
	}
	opts.IdleConns = idleCap(opts, eng, res)
	res.Options = RunShape{
		Messages: opts.Messages, Conns: opts.Conns, ClientMessages: opts.ClientMessages,
		LatencyRate: opts.LatencyRate, LatencyCount: opts.LatencyCount, IdleConns: opts.IdleConns,
		StormConns: opts.StormConns, StormParallel: opts.StormParallel,
	}
	if res.Machine.Cores > 0 && res.Machine.LoadAvg > float64(res.Machine.Cores) {
		res.Notes = append(res.Notes, fmt.Sprintf("the machine was busy when the run started (load average %.1f on %d cores): figures are lower than on a quiet machine", res.Machine.LoadAvg, res.Machine.Cores))
	}
	only := map[string]bool{}
	for _, w := range opts.Only {
		only[w] = true
	}
	b := &runner{opts: opts, eng: eng, res: res, rawIdle: idleCap(opts, engineUnderTest{inProcess: true}, &Result{Machine: res.Machine})}
	for _, w := range Workloads {
		if len(only) > 0 && !only[w] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		fmt.Fprintf(opts.Progress, "bench: %s\n", w)
		b.workload(ctx, w)
	}
	res.Seconds = time.Since(res.Started).Seconds()
	return res, ctx.Err()
}

// idleCap bounds the idle connections by the open-file limits: in process
// every connection takes two descriptors (both ends), otherwise one in each
// process.
func idleCap(opts Options, eng engineUnderTest, res *Result) int {
	const reserve = 256
	n := opts.IdleConns
	limit := int(res.Machine.OpenFiles)
	per := 1
	if eng.inProcess {
		per = 2
	}
	if limit > 0 && (limit-reserve)/per < n {
		n = (limit - reserve) / per
		res.Notes = append(res.Notes, fmt.Sprintf("idle connections capped at %d by the bench process's open-file limit (%d)", n, limit))
	}
	if el := int(res.EngineOpenFiles); el > 0 && el-reserve < n {
		n = el - reserve
		res.Notes = append(res.Notes, fmt.Sprintf("idle connections capped at %d by the engine's open-file limit (%d)", n, el))
	}
	if n < 1 {
		n = 1
	}
	return n
}

// engineVersion reads "version" from GET / of the REST API; "" when unknown.
func engineVersion(ctx context.Context, base string) string {
	if base == "" {
		base = restt.DefaultRestURL
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/", nil)
	if err != nil {
		return ""
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var v struct {
		Version string `json:"version"`
	}
	if json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&v) != nil {
		return ""
	}
	return v.Version
}

// uniq returns a name no other run uses: prefix and random hex.
func uniq(prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// errNoNop is returned for a target that cannot run a nop-sink rule.
var errNoNop = errors.New("the target cannot create a rule with a nop sink")
