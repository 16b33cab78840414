package bench

import (
	"fmt"
	"strings"
)

// WriteMarkdown writes the report of several runs (one per engine) to path:
// the command, the machine, the figures side by side with each run's raw
// loop, the reference engine's goals, and the chart at svgRel.
func WriteMarkdown(path string, rs []*Result, command, svgRel string) error {
	return writeFile(path, []byte(Markdown(rs, command, svgRel)))
}

// Markdown renders the report WriteMarkdown writes.
func Markdown(rs []*Result, command, svgRel string) string {
	var b strings.Builder
	b.WriteString("# Benchmarks\n\n")
	b.WriteString("`wsconform bench` measures an engine's WebSocket source under load and, in the same run, a raw\n" +
		"gorilla read loop (a minimal gorilla/websocket server in the bench process that decodes each text\n" +
		"message with encoding/json) on the same workload; every engine figure is shown with its ratio to\n" +
		"that run's raw loop. Every socket is on 127.0.0.1. Messages are small JSON objects\n" +
		"(`{\"id\":1,\"temperature\":21.5,\"humidity\":41,\"name\":\"sensor-1\"}`); ingest rules use a `nop` sink and\n" +
		"the delivered count is the rule status's `sink_*_records_in_total`; latency goes through the\n" +
		"suite's collecting sink (a memory sink in process, a `rest` sink posting to the suite's collector\n" +
		"over REST).\n\n")
	fmt.Fprintf(&b, "Produced by `%s`", command)
	if len(rs) > 0 {
		fmt.Fprintf(&b, " on %s", rs[0].Started.Format("2006-01-02 15:04 UTC"))
	}
	b.WriteString(".\n\n")
	if len(rs) == 0 {
		return b.String()
	}
	m := rs[0].Machine
	b.WriteString("## Machine\n\n")
	fmt.Fprintf(&b, "| cores | memory | Go | kernel | OS/arch | open files (bench) | ephemeral ports |\n|---|---|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| %d | %.1f GiB | %s | %s | %s/%s | %d | %s |\n\n", m.Cores, float64(m.MemoryKiB)/(1<<20), m.GoVersion, m.Kernel, m.OS, m.Arch, m.OpenFiles, m.EphemeralPorts)
	b.WriteString("Load average (1 min) when each run started: ")
	var loads []string
	loaded := false
	for _, r := range rs {
		loads = append(loads, fmt.Sprintf("%s %.1f", r.Engine, r.Machine.LoadAvg))
		loaded = loaded || r.Machine.LoadAvg > float64(r.Machine.Cores)
	}
	b.WriteString(strings.Join(loads, ", ") + ".")
	if loaded {
		b.WriteString(" **The machine was busy with other work during these runs** (load above the number of cores):\n" +
			"absolute figures are lower than on a quiet machine; the ratios to the raw loop of the same run\n" +
			"are the steadier numbers.")
	}
	b.WriteString("\n\n")

	b.WriteString("## Figures\n\n")
	b.WriteString("Each engine cell: the engine's figure and, in brackets, its ratio to the raw loop measured in the\n" +
		"same run (for latency and memory, lower is better). The raw loop column is the first run's.\n\n")
	b.WriteString("| workload | metric | raw gorilla loop |")
	for _, r := range rs {
		fmt.Fprintf(&b, " %s |", r.Engine)
	}
	b.WriteString("\n|---|---|---|" + strings.Repeat("---|", len(rs)) + "\n")
	for _, f := range rs[0].Figures {
		fmt.Fprintf(&b, "| %s | %s | %s |", f.Workload, f.Metric, num(f.Raw))
		for _, r := range rs {
			g, ok := figure(r, f)
			switch {
			case !ok || g.Engine == 0:
				reason := "n/a"
				if ok && g.Error != "" {
					reason = "n/a: " + g.Error
				}
				fmt.Fprintf(&b, " %s |", escapeCell(reason))
			default:
				cell := num(g.Engine)
				if g.Ratio > 0 {
					cell += fmt.Sprintf(" (%s)", ratio(g))
				}
				if lost, ok := g.Details["lost"]; ok && count(lost) != "0" {
					cell += fmt.Sprintf(", **lost %s", count(lost))
					if p, ok := g.Details["lost_percent"]; ok {
						cell += fmt.Sprintf(" (%v %%)", p)
					}
					cell += "**"
				} else if ok {
					cell += ", 0 lost"
				}
				if c, ok := g.Details["conns"]; ok && g.Workload == Idle {
					cell += fmt.Sprintf(" at %s conns", count(c))
				}
				fmt.Fprintf(&b, " %s |", escapeCell(cell))
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "![bars per figure: raw loop and each engine](%s)\n\n", svgRel)

	if goals := goals(rs); goals != "" {
		b.WriteString("## Goals of the reference engine\n\n")
		b.WriteString(goals)
		b.WriteString("\n")
	}

	b.WriteString("## Runs\n\n")
	for _, r := range rs {
		o := r.Options
		fmt.Fprintf(&b, "- **%s** (target %s", r.Engine, r.Target)
		if r.Version != "" {
			fmt.Fprintf(&b, ", version %s", r.Version)
		}
		fmt.Fprintf(&b, "), %.0f s: %d msgs over %d conns, %d client-mode msgs, latency %d msgs at %d/s, %d idle conns, storm %d conns by %d dialers",
			r.Seconds, o.Messages, o.Conns, o.ClientMessages, o.LatencyCount, o.LatencyRate, o.IdleConns, o.StormConns, o.StormParallel)
		if r.EngineOpenFiles > 0 {
			fmt.Fprintf(&b, "; engine open files %d", r.EngineOpenFiles)
		}
		b.WriteString(".")
		for _, n := range r.Notes {
			b.WriteString(" " + strings.ToUpper(n[:1]) + n[1:] + ".")
		}
		for _, f := range r.Figures {
			if f.Error != "" {
				fmt.Fprintf(&b, " %s: %s.", f.Workload, f.Error)
			}
			if f.Workload == Idle {
				if v, ok := f.Details["measured"]; ok {
					fmt.Fprintf(&b, " Idle memory: %v.", v)
				}
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// key names what a figure measures regardless of the run's counts: its
// workload and its metric without the bracketed counts.
func key(f Figure) string {
	m, _, _ := strings.Cut(f.Metric, " (")
	return f.Workload + "/" + m
}

// figure returns run r's figure that measures what want does.
func figure(r *Result, want Figure) (Figure, bool) {
	for _, f := range r.Figures {
		if key(f) == key(want) {
			return f, true
		}
	}
	return Figure{}, false
}

// count formats a count from Details (a float64 once read back from JSON).
func count(v any) string {
	switch n := v.(type) {
	case float64:
		return groupThousands(fmt.Sprintf("%.0f", n))
	case int:
		return groupThousands(fmt.Sprint(n))
	case int64:
		return groupThousands(fmt.Sprint(n))
	}
	return fmt.Sprint(v)
}

func find(rs []*Result, pred func(*Result) bool) *Result {
	for _, r := range rs {
		if pred(r) {
			return r
		}
	}
	return nil
}

func byWorkload(r *Result, w string, metricPrefix string) (Figure, bool) {
	if r == nil {
		return Figure{}, false
	}
	for _, f := range r.Figures {
		if f.Workload == w && strings.HasPrefix(f.Metric, metricPrefix) {
			return f, true
		}
	}
	return Figure{}, false
}

// goals checks the reference engine (the run with target ref) against its
// goals, next to eKuiper (the run whose name mentions eKuiper).
func goals(rs []*Result) string {
	refRun := find(rs, func(r *Result) bool { return r.Target == "ref" })
	if refRun == nil {
		return ""
	}
	ek := find(rs, func(r *Result) bool { return strings.Contains(strings.ToLower(r.Engine), "ekuiper") })
	var b strings.Builder
	b.WriteString("| goal | measured | met |\n|---|---|---|\n")
	row := func(goal, measured string, ok bool) {
		mark := "no"
		if ok {
			mark = "yes"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", goal, measured, mark)
	}
	if f, ok := byWorkload(refRun, ServerIngest, ""); ok {
		row("server-mode ingest ≥ 90 % of the raw loop", fmt.Sprintf("%s msgs/s, %.0f %% of %s", num(f.Engine), 100*f.Ratio, num(f.Raw)), f.Ratio >= 0.9)
		lost := count(f.Details["lost"])
		row(fmt.Sprintf("nothing lost (%s msgs)", count(f.Details["sent"])), "lost "+lost, lost == "0")
		if e, ok := byWorkload(ek, ServerIngest, ""); ok && e.Engine > 0 {
			x := f.Engine / e.Engine
			row("≥ 8× eKuiper's delivered rate", fmt.Sprintf("%.1f× (%s vs %s msgs/s)", x, num(f.Engine), num(e.Engine)), x >= 8)
		}
	}
	for _, r := range rs {
		if r != refRun && !strings.Contains(strings.ToLower(r.Engine), "kuiperd") {
			continue
		}
		if f, ok := byWorkload(r, Idle, ""); ok {
			how := ""
			if m, ok := f.Details["measured"]; ok {
				how = fmt.Sprintf(" (%v)", m)
			}
			row("≤ 10 KiB RSS per idle connection at 10,000", fmt.Sprintf("%s: %s KiB at %s conns%s", r.Engine, num(f.Engine), count(f.Details["conns"]), how), f.Engine > 0 && f.Engine <= 10)
		}
	}
	if f, ok := byWorkload(refRun, Latency, "p99"); ok {
		if e, ok := byWorkload(ek, Latency, "p99"); ok && e.Engine > 0 {
			row("p99 latency no worse than eKuiper's", fmt.Sprintf("%s ms vs %s ms", num(f.Engine), num(e.Engine)), f.Engine > 0 && f.Engine <= e.Engine)
		}
	}
	return b.String()
}
