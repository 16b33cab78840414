package bench

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

// WriteTable prints the run's figures as a table: the engine's figure, the
// raw loop's, and their ratio.
func WriteTable(w io.Writer, r *Result) error {
	fmt.Fprintf(w, "%s: %d cores, Go %s, kernel %s, load %.1f, open files %d\n",
		r.Engine, r.Machine.Cores, r.Machine.GoVersion, r.Machine.Kernel, r.Machine.LoadAvg, r.Machine.OpenFiles)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "workload\tmetric\tengine\traw loop\tengine/raw\tnotes")
	for _, f := range r.Figures {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", f.Workload, f.Metric, num(f.Engine), num(f.Raw), ratio(f), notes(f))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	return nil
}

func notes(f Figure) string {
	var out []string
	if v, ok := f.Details["lost"]; ok {
		out = append(out, fmt.Sprintf("lost %v", v))
		if p, ok := f.Details["lost_percent"]; ok {
			out[len(out)-1] += fmt.Sprintf(" (%v %%)", p)
		}
	}
	if f.Error != "" {
		out = append(out, f.Error)
	}
	return strings.Join(out, "; ")
}

func ratio(f Figure) string {
	if f.Ratio == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f×", f.Ratio)
}

func num(v float64) string {
	switch {
	case v == 0:
		return "-"
	case v >= 1000:
		return groupThousands(fmt.Sprintf("%.0f", v))
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func groupThousands(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// WriteJSON writes r as indented JSON to path.
func WriteJSON(path string, r *Result) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(path, append(b, '\n'))
}

// ReadJSON reads a Result written by WriteJSON.
func ReadJSON(path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

func writeFile(path string, b []byte) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(path, b, 0o644)
}

// series is one bar colour of the chart.
type series struct {
	label  string
	colour string
}

var palette = []string{"#8c8c8c", "#2f6fb0", "#e08a1e", "#3f9b4f", "#b03a48"}

// SVG draws every figure of the runs as a group of horizontal bars: the raw
// loop (of the first run) and each run's engine, scaled to the largest value
// in the group and labelled with the value. rs must share their figures'
// order (runs of the same workloads).
func SVG(rs []*Result) []byte {
	if len(rs) == 0 {
		return nil
	}
	ss := []series{{label: "raw gorilla loop", colour: palette[0]}}
	for i, r := range rs {
		ss = append(ss, series{label: r.Engine, colour: palette[(i+1)%len(palette)]})
	}
	const (
		width   = 860
		left    = 300
		barH    = 14
		gap     = 4
		groupSp = 18
		labelW  = 120
	)
	figs := rs[0].Figures
	height := 40 + len(ss)*18 + len(figs)*(len(ss)*(barH+gap)+groupSp+16)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	y := 20
	for _, s := range ss {
		fmt.Fprintf(&b, `<rect x="10" y="%d" width="12" height="12" fill="%s"/><text x="28" y="%d">%s</text>`+"\n", y-10, s.colour, y, html.EscapeString(s.label))
		y += 18
	}
	y += 10
	for _, f := range figs {
		vals := []float64{f.Raw}
		for _, r := range rs {
			v := 0.0
			if g, ok := figure(r, f); ok {
				v = g.Engine
			}
			vals = append(vals, v)
		}
		maxV := 0.0
		for _, v := range vals {
			maxV = max(maxV, v)
		}
		better := "higher is better"
		if f.LowerIsBetter {
			better = "lower is better"
		}
		fmt.Fprintf(&b, `<text x="10" y="%d" font-weight="bold">%s</text>`+"\n", y, html.EscapeString(f.Workload+": "+f.Metric+", "+better))
		y += 8
		for i, v := range vals {
			w := 0
			if maxV > 0 {
				w = int(float64(width-left-labelW) * v / maxV)
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" fill="#444">%s</text>`, left-6, y+barH-3, html.EscapeString(ss[i].label))
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`, left, y, w, barH, ss[i].colour)
			text := num(v)
			if v == 0 {
				text = "n/a"
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", left+w+6, y+barH-3, text)
			y += barH + gap
		}
		y += groupSp
	}
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

// WriteSVG writes SVG(rs) to path.
func WriteSVG(path string, rs []*Result) error { return writeFile(path, SVG(rs)) }
