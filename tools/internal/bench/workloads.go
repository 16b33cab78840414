package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wsconform/wsconform/steps/target"
)

// handshakeTimeout bounds one WebSocket handshake of the bench's clients.
const handshakeTimeout = 10 * time.Second

// quiet is how long a count must stay the same, after the senders are done,
// before a run takes it as final.
const quiet = 1500 * time.Millisecond

// runner runs the workloads of one Run.
type runner struct {
	opts Options
	eng  engineUnderTest
	res  *Result
	// rawIdle is how many idle connections the raw loop holds: both ends
	// are in this process, so the open-file limit may allow fewer than the
	// engine's.
	rawIdle int
}

func (b *runner) workload(ctx context.Context, w string) {
	switch w {
	case ServerIngest:
		b.serverIngest(ctx)
	case ClientIngest:
		b.clientIngest(ctx)
	case Latency:
		b.latency(ctx)
	case Idle:
		b.idle(ctx)
	case Storm:
		b.storm(ctx)
	}
}

func (b *runner) add(f Figure, engErr, rawErr error) {
	var msgs []string
	if engErr != nil {
		msgs = append(msgs, "engine: "+engErr.Error())
	}
	if rawErr != nil {
		msgs = append(msgs, "raw loop: "+rawErr.Error())
	}
	if len(msgs) > 0 {
		f.Error = fmt.Sprint(msgs)
	}
	if f.Engine > 0 && f.Raw > 0 {
		f.Ratio = f.Engine / f.Raw
	}
	b.res.Figures = append(b.res.Figures, f)
}

// scenario is one workload's engine: a target with a server-mode stream
// read by a rule.
type scenario struct {
	t      target.Target
	path   string
	stream string
	rule   target.Rule
}

// open makes a target, a server-mode stream on a fresh path and a rule on it,
// with a nop sink unless collect.
func (b *runner) open(ctx context.Context, env target.Env, key string, collect bool) (*scenario, error) {
	t, err := b.eng.factory(ctx)
	if err != nil {
		return nil, err
	}
	sc := &scenario{t: t, stream: uniq("wsbench"), path: "/" + uniq("bench")}
	if err := b.build(ctx, sc, env, key, collect); err != nil {
		_ = t.Close()
		return nil, err
	}
	return sc, nil
}

func (b *runner) build(ctx context.Context, sc *scenario, env target.Env, key string, collect bool) error {
	if ds := sc.t.DataServer(); ds.TLS && key == "" {
		return errors.New("the data server speaks wss; bench needs a plain ws data server")
	}
	if err := sc.t.Apply(ctx, env); err != nil {
		return err
	}
	with := fmt.Sprintf(`DATASOURCE=%q, FORMAT="json", TYPE="websocket"`, sc.path)
	if key != "" {
		with += fmt.Sprintf(`, CONF_KEY=%q`, key)
	}
	if err := sc.t.CreateStream(ctx, fmt.Sprintf("CREATE STREAM %s () WITH (%s)", sc.stream, with)); err != nil {
		return err
	}
	sql := "SELECT * FROM " + sc.stream
	id := uniq("wsbenchr")
	var err error
	if collect {
		sc.rule, err = sc.t.CreateRule(ctx, id, sql)
	} else {
		nr, ok := sc.t.(target.NopRuleCreator)
		if !ok {
			return errNoNop
		}
		sc.rule, err = nr.CreateNopRule(ctx, id, sql)
	}
	return err
}

func (sc *scenario) close() { _ = sc.t.Close() }

func (sc *scenario) addr() string { return sc.t.DataServer().Addr }

// metric reads an integer metric of st by key prefix and suffix.
func metric(st target.Status, prefix, suffix string) int64 {
	v, ok := st.Metric(prefix, suffix)
	if !ok {
		return 0
	}
	f, err := strconv.ParseFloat(fmt.Sprint(v), 64)
	if err != nil {
		return 0
	}
	return int64(f)
}

// countWait waits until count() reaches want, or until the senders are done
// (sent closed) and the count has not changed for quiet, or until timeout. It
// returns the last count and when it last changed.
func countWait(ctx context.Context, count func(context.Context) (int64, error), want int64, sent <-chan struct{}, poll, timeout time.Duration) (int64, time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	t := time.NewTicker(poll)
	defer t.Stop()
	var last int64
	lastChange := time.Now()
	for {
		n, err := count(ctx)
		if err != nil && ctx.Err() == nil {
			return last, lastChange, err
		}
		if n != last {
			last, lastChange = n, time.Now()
		}
		if last >= want {
			return last, lastChange, nil
		}
		select {
		case <-sent:
			if time.Since(lastChange) > quiet {
				return last, lastChange, nil
			}
		default:
		}
		select {
		case <-ctx.Done():
			return last, lastChange, fmt.Errorf("%d of %d after %s", last, want, timeout)
		case <-t.C:
		}
	}
}

// delivered reads the rule's delivered count: its sink's records in.
func delivered(r target.Rule) func(context.Context) (int64, error) {
	return func(ctx context.Context) (int64, error) {
		st, err := r.Status(ctx)
		if err != nil {
			return 0, err
		}
		return metric(st, "sink_", "_records_in_total"), nil
	}
}

// dialRetry upgrades path on addr, retrying while the engine has not yet
// registered the endpoint (404), for at most timeout.
func dialRetry(ctx context.Context, addr, path string, timeout time.Duration) (*rawClient, error) {
	deadline := time.Now().Add(timeout)
	wait := 10 * time.Millisecond
	for {
		c, err := dialRaw(ctx, addr, path, handshakeTimeout)
		if err == nil || time.Now().After(deadline) || ctx.Err() != nil {
			return c, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// dialMany opens n connections with parallel dialers and returns those that
// succeeded, the first error, and how long it took.
func dialMany(ctx context.Context, addr, path string, n, parallel int) ([]*rawClient, int, error, time.Duration) {
	conns := make([]*rawClient, n)
	var next atomic.Int64
	var failed atomic.Int64
	var firstErr error
	var errOnce sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for range min(parallel, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				c, err := dialRaw(ctx, addr, path, handshakeTimeout)
				if err != nil {
					failed.Add(1)
					errOnce.Do(func() { firstErr = err })
					continue
				}
				conns[i] = c
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	out := conns[:0]
	for _, c := range conns {
		if c != nil {
			out = append(out, c)
		}
	}
	return out, int(failed.Load()), firstErr, elapsed
}

func closeAll(conns []*rawClient) {
	var wg sync.WaitGroup
	for chunk := range slices.Chunk(conns, 256) {
		wg.Go(func() {
			for _, c := range chunk {
				c.close()
			}
		})
	}
	wg.Wait()
}

// sendSpread writes n frames spread over conns, one writer each, and closes
// done when every writer has finished.
func sendSpread(conns []*rawClient, n int) (done chan struct{}, errs func() error) {
	done = make(chan struct{})
	var mu sync.Mutex
	var all error
	var wg sync.WaitGroup
	for i, c := range conns {
		share := n / len(conns)
		if i < n%len(conns) {
			share++
		}
		wg.Go(func() {
			if err := maskedFrames.write(c, share); err != nil {
				mu.Lock()
				all = errors.Join(all, err)
				mu.Unlock()
			}
		})
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	return done, func() error {
		<-done
		mu.Lock()
		defer mu.Unlock()
		return all
	}
}

// serverIngest: Messages over Conns connections to a server-mode endpoint;
// the rate is what the rule delivered per second.
func (b *runner) serverIngest(ctx context.Context) {
	n, k := b.opts.Messages, b.opts.Conns
	f := Figure{Workload: ServerIngest, Metric: fmt.Sprintf("msgs/s delivered (%d msgs, %d conns)", n, k)}
	details := map[string]any{"sent": n, "conns": k}

	rawRun := func() (float64, error) {
		var rawCount atomic.Int64
		srv, err := newRawServer(func(map[string]any) { rawCount.Add(1) })
		if err != nil {
			return 0, err
		}
		defer srv.close()
		conns, _, err, _ := dialMany(ctx, srv.addr(), "/raw", k, k)
		if err != nil {
			closeAll(conns)
			return 0, err
		}
		defer closeAll(conns)
		start := time.Now()
		sent, sendErr := sendSpread(conns, n)
		got, last, err := countWait(ctx, func(context.Context) (int64, error) { return rawCount.Load(), nil }, int64(n), sent, time.Millisecond, b.opts.Timeout)
		if err := errors.Join(err, sendErr()); err != nil {
			return 0, err
		}
		if got != int64(n) {
			return 0, fmt.Errorf("the raw loop got %d of %d messages", got, n)
		}
		return float64(got) / last.Sub(start).Seconds(), nil
	}
	rawBefore, rawErr := rawRun()

	engRate, engErr := func() (float64, error) {
		sc, err := b.open(ctx, target.Env{}, "", false)
		if err != nil {
			return 0, err
		}
		defer sc.close()
		first, err := dialRetry(ctx, sc.addr(), sc.path, 10*time.Second)
		if err != nil {
			return 0, err
		}
		conns := []*rawClient{first}
		if k > 1 {
			more, _, err, _ := dialMany(ctx, sc.addr(), sc.path, k-1, k-1)
			conns = append(conns, more...)
			if err != nil {
				closeAll(conns)
				return 0, err
			}
		}
		defer closeAll(conns)
		start := time.Now()
		sent, sendErr := sendSpread(conns, n)
		got, last, err := countWait(ctx, delivered(sc.rule), int64(n), sent, b.eng.pollEvery, b.opts.Timeout)
		if err := errors.Join(sendErr(), err); err != nil && got == 0 {
			return 0, err
		}
		<-sent
		details["send_seconds"] = round(time.Since(start).Seconds(), 3)
		details["delivered"] = got
		details["lost"] = int64(n) - got
		details["lost_percent"] = round(100*float64(int64(n)-got)/float64(n), 2)
		if st, err := sc.rule.Status(ctx); err == nil {
			details["source_records_in"] = metric(st, "source_", "_records_in_total")
		}
		return float64(got) / last.Sub(start).Seconds(), err
	}()
	rawRate, rawErr := bracket(details, rawBefore, rawErr, rawRun)
	f.Engine, f.Raw, f.Details = round(engRate, 0), round(rawRate, 0), details
	b.add(f, engErr, rawErr)
}

// bracket measures the raw loop a second time, after the engine, and
// returns the mean of both runs: the engine's run lies between them in time,
// so neither a busy moment of the machine nor what an earlier run left
// behind (sockets closing, a grown heap) favours one side. Both runs go into
// details.
func bracket(details map[string]any, first float64, firstErr error, again func() (float64, error)) (float64, error) {
	second, err := again()
	details["raw_runs"] = []float64{round(first, 0), round(second, 0)}
	switch {
	case firstErr != nil && err != nil:
		return 0, errors.Join(firstErr, err)
	case firstErr != nil:
		return second, nil
	case err != nil:
		return first, nil
	}
	return (first + second) / 2, nil
}

// clientIngest: the suite's server sends ClientMessages to the engine's
// client-mode connection.
func (b *runner) clientIngest(ctx context.Context) {
	n := b.opts.ClientMessages
	f := Figure{Workload: ClientIngest, Metric: fmt.Sprintf("msgs/s delivered (%d msgs, client mode)", n)}
	details := map[string]any{"sent": n}

	rawRun := func() (float64, error) {
		var rawCount atomic.Int64
		srv, err := newSendServer(n)
		if err != nil {
			return 0, err
		}
		dctx, cancel := context.WithTimeout(ctx, handshakeTimeout)
		c, _, err := websocket.DefaultDialer.DialContext(dctx, "ws://"+srv.addr()+"/feed", nil)
		cancel()
		if err != nil {
			_ = srv.close()
			return 0, err
		}
		start := <-srv.accepted
		read := make(chan struct{})
		go func() {
			defer close(read)
			readDecode(c, func(map[string]any) { rawCount.Add(1) })
		}()
		got, last, err := countWait(ctx, func(context.Context) (int64, error) { return rawCount.Load(), nil }, int64(n), nil, time.Millisecond, b.opts.Timeout)
		_ = c.Close()
		<-read
		err = errors.Join(err, srv.close())
		if err == nil && got != int64(n) {
			err = fmt.Errorf("the raw loop got %d of %d messages", got, n)
		}
		if err != nil {
			return 0, err
		}
		return float64(got) / last.Sub(start).Seconds(), nil
	}
	rawBefore, rawErr := rawRun()

	engRate, engErr := func() (float64, error) {
		srv, err := newSendServer(n)
		if err != nil {
			return 0, err
		}
		defer srv.close()
		key := uniq("wsbenchk")
		env := target.Env{ConfKeys: map[string]map[string]any{key: {"addr": srv.addr()}}}
		t, err := b.eng.factory(ctx)
		if err != nil {
			return 0, err
		}
		sc := &scenario{t: t, stream: uniq("wsbench"), path: "/feed"}
		defer sc.close()
		if err := b.build(ctx, sc, env, key, false); err != nil {
			return 0, err
		}
		var start time.Time
		select {
		case start = <-srv.accepted:
		case <-time.After(handshakeTimeout):
			return 0, errors.New("the engine did not connect to the suite's server")
		}
		sent := make(chan struct{})
		close(sent)
		got, last, err := countWait(ctx, delivered(sc.rule), int64(n), sent, b.eng.pollEvery, b.opts.Timeout)
		details["delivered"] = got
		details["lost"] = int64(n) - got
		if got == 0 {
			return 0, errors.Join(err, errors.New("nothing delivered"))
		}
		return float64(got) / last.Sub(start).Seconds(), err
	}()
	rawRate, rawErr := bracket(details, rawBefore, rawErr, rawRun)
	f.Engine, f.Raw, f.Details = round(engRate, 0), round(rawRate, 0), details
	b.add(f, engErr, rawErr)
}

// latencyWarmup messages go first and are not timed.
const latencyWarmup = 20

// latency: LatencyCount messages at LatencyRate per second on one
// connection, each carrying its send time; the latency of a record is when
// the suite received it (raw loop: when it was decoded) minus that time.
func (b *runner) latency(ctx context.Context) {
	rate, count := b.opts.LatencyRate, b.opts.LatencyCount
	total := count + latencyWarmup
	epoch := time.Now()
	stamp := func(rec map[string]any) (int, time.Duration, bool) {
		seq, ok1 := toInt(rec["seq"])
		us, ok2 := toInt(rec["us"])
		if !ok1 || !ok2 {
			return 0, 0, false
		}
		return seq, time.Since(epoch) - time.Duration(us)*time.Microsecond, true
	}
	send := func(ctx context.Context, c *gorillaClient) error {
		period := time.Second / time.Duration(rate)
		tick := time.NewTicker(period)
		defer tick.Stop()
		for i := range total {
			msg := fmt.Appendf(nil, `{"seq":%d,"us":%d,"name":"sensor"}`, i, time.Since(epoch).Microseconds())
			_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if err := c.WriteMessage(websocket.TextMessage, msg); err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-tick.C:
			}
		}
		return nil
	}
	wait := time.Duration(total)*time.Second/time.Duration(rate) + b.opts.Timeout

	rawLat, rawErr := func() ([]time.Duration, error) {
		var mu sync.Mutex
		lat := make([]time.Duration, 0, count)
		all := make(chan struct{})
		seen := 0
		srv, err := newRawServer(func(rec map[string]any) {
			seq, d, ok := stamp(rec)
			if !ok {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if seq >= latencyWarmup {
				lat = append(lat, d)
			}
			if seen++; seen == total {
				close(all)
			}
		})
		if err != nil {
			return nil, err
		}
		defer srv.close()
		c, err := dialGorilla(ctx, "ws://"+srv.addr()+"/raw")
		if err != nil {
			return nil, err
		}
		defer c.Close()
		if err := send(ctx, c); err != nil {
			return nil, err
		}
		select {
		case <-all:
		case <-time.After(b.opts.Timeout):
			return nil, fmt.Errorf("%d of %d records after %s", seen, total, b.opts.Timeout)
		}
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(lat), nil
	}()

	engLat, engErr := func() ([]time.Duration, error) {
		sc, err := b.open(ctx, target.Env{}, "", true)
		if err != nil {
			return nil, err
		}
		defer sc.close()
		first, err := dialRetry(ctx, sc.addr(), sc.path, 10*time.Second)
		if err != nil {
			return nil, err
		}
		first.close()
		c, err := dialGorilla(ctx, "ws://"+sc.addr()+sc.path)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		got := make(chan []time.Duration, 1)
		rctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		go func() {
			lat := make([]time.Duration, 0, count)
			for seen := 0; seen < total; {
				select {
				case <-rctx.Done():
					got <- lat
					return
				case rec := <-sc.rule.Records():
					seq, d, ok := stamp(rec)
					if !ok {
						continue
					}
					seen++
					if seq >= latencyWarmup {
						lat = append(lat, d)
					}
				}
			}
			got <- lat
		}()
		sendErr := send(ctx, c)
		lat := <-got
		if sendErr != nil {
			return lat, sendErr
		}
		if len(lat) < count {
			return lat, fmt.Errorf("%d of %d timed records arrived", len(lat), count)
		}
		return lat, nil
	}()

	for _, q := range []struct {
		name string
		p    float64
	}{{"p50", 0.50}, {"p99", 0.99}, {"max", 1}} {
		f := Figure{Workload: Latency, LowerIsBetter: true,
			Metric: fmt.Sprintf("%s latency ms (%d msgs/s)", q.name, rate),
			Engine: round(ms(quantile(engLat, q.p)), 3), Raw: round(ms(quantile(rawLat, q.p)), 3),
			Details: map[string]any{"timed": count, "engine_records": len(engLat), "raw_records": len(rawLat)}}
		b.add(f, engErr, rawErr)
	}
}

// gorillaClient is a client connection with a goroutine that reads (answers
// pings, sees the close) while the bench writes.
type gorillaClient struct {
	*websocket.Conn
	read chan struct{}
}

// Close closes the connection and waits for its reader.
func (c *gorillaClient) Close() error {
	err := c.Conn.Close()
	<-c.read
	return err
}

func dialGorilla(ctx context.Context, url string) (*gorillaClient, error) {
	ctx, cancel := context.WithTimeout(ctx, handshakeTimeout)
	defer cancel()
	c, resp, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	gc := &gorillaClient{Conn: c, read: make(chan struct{})}
	go func() {
		defer close(gc.read)
		for {
			if _, _, err := c.NextReader(); err != nil {
				return
			}
		}
	}()
	return gc, nil
}

// idle: IdleConns connections held open without traffic; the figure is the
// growth of the engine's resident memory divided by the connections.
func (b *runner) idle(ctx context.Context) {
	n := b.opts.IdleConns
	f := Figure{Workload: Idle, LowerIsBetter: true, Metric: fmt.Sprintf("KiB RSS per idle connection (%d conns)", n)}
	details := map[string]any{"conns": n}
	measure := func(pid int, addr, path string, n int) (float64, error) {
		// One connection first, so that what the first one allocates once
		// is not counted.
		warm, err := dialRetry(ctx, addr, path, 10*time.Second)
		if err != nil {
			return 0, err
		}
		defer warm.close()
		before, err := b.rss(pid)
		if err != nil {
			return 0, err
		}
		conns, failed, err, _ := dialMany(ctx, addr, path, n, 32)
		defer closeAll(conns)
		if failed > 0 {
			return 0, fmt.Errorf("%d of %d connections failed: %w", failed, n, err)
		}
		after, err := b.rss(pid)
		if err != nil {
			return 0, err
		}
		return float64(after-before) / float64(n), nil
	}
	rawPer, rawErr := func() (float64, error) {
		srv, err := newRawServer(nil)
		if err != nil {
			return 0, err
		}
		defer srv.close()
		return measure(0, srv.addr(), "/raw", b.rawIdle)
	}()
	engPer, engErr := func() (float64, error) {
		if !b.eng.inProcess && b.eng.pid <= 0 {
			return 0, errors.New("no --pid: the engine's resident memory is unknown")
		}
		sc, err := b.open(ctx, target.Env{}, "", false)
		if err != nil {
			return 0, err
		}
		defer sc.close()
		return measure(b.eng.pid, sc.addr(), sc.path, n)
	}()
	if b.rawIdle != n {
		details["raw_conns"] = b.rawIdle
	}
	if b.eng.inProcess {
		details["measured"] = "bench process after a GC (both ends of every connection are in it)"
	} else {
		details["measured"] = "engine VmRSS; raw loop: bench process after a GC"
	}
	f.Engine, f.Raw, f.Details = round(engPer, 2), round(rawPer, 2), details
	b.add(f, engErr, rawErr)
}

// rss reads the resident memory of pid; for this process (0), after a
// garbage collection that returns freed memory to the system, so that only
// what the connections hold is counted.
func (b *runner) rss(pid int) (int64, error) {
	if pid == 0 {
		runtime.GC()
		debug.FreeOSMemory()
		return rssKiB(0)
	}
	return settledRSS(pid, 200*time.Millisecond, 5*time.Second)
}

// storm: StormConns connections opened by StormParallel dialers as fast as
// the engine accepts them; the figure is completed handshakes per second.
func (b *runner) storm(ctx context.Context) {
	n, p := b.opts.StormConns, b.opts.StormParallel
	f := Figure{Workload: Storm, Metric: fmt.Sprintf("connections/s accepted (%d conns, %d dialers)", n, p)}
	details := map[string]any{"conns": n, "dialers": p}
	run := func(addr, path string) (float64, error) {
		conns, failed, err, elapsed := dialMany(ctx, addr, path, n, p)
		defer closeAll(conns)
		if failed > 0 {
			return float64(len(conns)) / elapsed.Seconds(), fmt.Errorf("%d of %d connections failed: %w", failed, n, err)
		}
		return float64(n) / elapsed.Seconds(), nil
	}
	rawRun := func() (float64, error) {
		srv, err := newRawServer(nil)
		if err != nil {
			return 0, err
		}
		defer srv.close()
		return run(srv.addr(), "/raw")
	}
	rawBefore, rawErr := rawRun()
	engRate, engErr := func() (float64, error) {
		sc, err := b.open(ctx, target.Env{}, "", false)
		if err != nil {
			return 0, err
		}
		defer sc.close()
		warm, err := dialRetry(ctx, sc.addr(), sc.path, 10*time.Second)
		if err != nil {
			return 0, err
		}
		defer warm.close()
		return run(sc.addr(), sc.path)
	}()
	rawRate, rawErr := bracket(details, rawBefore, rawErr, rawRun)
	f.Engine, f.Raw, f.Details = round(engRate, 0), round(rawRate, 0), details
	b.add(f, engErr, rawErr)
}

func quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func round(v float64, digits int) float64 {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0
	}
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case float64:
		return int(x), true
	case json.Number:
		n, err := x.Int64()
		return int(n), err == nil
	case int64:
		return int(x), true
	case int:
		return x, true
	}
	return 0, false
}
