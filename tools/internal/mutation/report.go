package mutation

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"go.yaml.in/yaml/v3"
)

// Equivalent is a mutant known not to change behaviour, keyed by file and
// the mutant's text (not its line, so that edits elsewhere keep it matched).
// An entry with Func and no Original matches every mutant of that function
// (code the engine never runs).
type Equivalent struct {
	File     string `yaml:"file" json:"file"`
	Func     string `yaml:"func,omitempty" json:"func,omitempty"`
	Original string `yaml:"original,omitempty" json:"original,omitempty"`
	Mutated  string `yaml:"mutated" json:"mutated"`
	Reason   string `yaml:"reason" json:"reason"`
}

// LoadEquivalents reads a YAML list of Equivalent. A missing file is an
// empty list.
func LoadEquivalents(path string) ([]Equivalent, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var eqs []Equivalent
	if err := yaml.Unmarshal(data, &eqs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i, e := range eqs {
		if e.File == "" || (e.Original == "" && e.Func == "") || strings.TrimSpace(e.Reason) == "" {
			return nil, fmt.Errorf("%s: entry %d needs file, original (or func) and reason", path, i+1)
		}
		eqs[i].Original, eqs[i].Mutated = collapse(e.Original), collapse(e.Mutated)
	}
	return eqs, nil
}

// Match returns the entry m matches, or nil.
func Match(eqs []Equivalent, m Mutant) *Equivalent {
	for i, e := range eqs {
		if e.File != m.File || (e.Func != "" && e.Func != m.Func) {
			continue
		}
		if e.Original == "" || (e.Original == m.Original && e.Mutated == m.Mutated) {
			return &eqs[i]
		}
	}
	return nil
}

// EquivalentMutant is a generated mutant excluded by the equivalents file.
type EquivalentMutant struct {
	Mutant
	Reason string `json:"reason"`
}

// PackageScore is one package's line of the report.
type PackageScore struct {
	Package    string  `json:"package"`
	Mutants    int     `json:"mutants"` // run: caught + survived + invalid
	Caught     int     `json:"caught"`
	Timeouts   int     `json:"timeouts"` // of Caught
	Survived   int     `json:"survived"`
	Invalid    int     `json:"invalid"`
	NotRun     int     `json:"not_run"`
	BuildError int     `json:"build_errors"`
	Equivalent int     `json:"equivalent"`
	Score      float64 `json:"score_percent"` // caught / (caught + survived)
}

// Report is the whole run, also written as JSON.
type Report struct {
	Test            string             `json:"test"`
	Seed            uint64             `json:"seed"`
	Sample          int                `json:"sample"` // 0: all
	Generated       int                `json:"generated"`
	Selected        int                `json:"selected"`
	Jobs            int                `json:"jobs"`
	BaselineSeconds float64            `json:"baseline_seconds"`
	TimeoutSeconds  float64            `json:"timeout_seconds"`
	ElapsedSeconds  float64            `json:"elapsed_seconds"`
	StoppedEarly    bool               `json:"stopped_early"`
	Packages        []PackageScore     `json:"packages"`
	Total           PackageScore       `json:"total"`
	Results         []Result           `json:"results"`
	Equivalents     []EquivalentMutant `json:"equivalents"`
}

// Score fills Packages and Total from Results and Equivalents; pkgs fixes the
// order of the packages.
func (r *Report) Score(pkgs []string) {
	by := map[string]*PackageScore{}
	r.Packages = nil
	for _, p := range pkgs {
		by[p] = &PackageScore{Package: p}
	}
	get := func(p string) *PackageScore {
		if by[p] == nil {
			by[p] = &PackageScore{Package: p}
			pkgs = append(pkgs, p)
		}
		return by[p]
	}
	for _, res := range r.Results {
		s := get(res.Package)
		switch res.Status {
		case Caught:
			s.Caught++
			if res.Timeout {
				s.Timeouts++
			}
		case Survived:
			s.Survived++
		case Invalid:
			s.Invalid++
		case NotRun:
			s.NotRun++
		case BuildError:
			s.BuildError++
		}
	}
	for _, e := range r.Equivalents {
		get(e.Package).Equivalent++
	}
	r.Total = PackageScore{Package: "total"}
	for _, p := range pkgs {
		s := by[p]
		s.Mutants = s.Caught + s.Survived + s.Invalid
		s.Score = score(s.Caught, s.Survived)
		r.Packages = append(r.Packages, *s)
		r.Total.Caught += s.Caught
		r.Total.Timeouts += s.Timeouts
		r.Total.Survived += s.Survived
		r.Total.Invalid += s.Invalid
		r.Total.NotRun += s.NotRun
		r.Total.BuildError += s.BuildError
		r.Total.Equivalent += s.Equivalent
	}
	r.Total.Mutants = r.Total.Caught + r.Total.Survived + r.Total.Invalid
	r.Total.Score = score(r.Total.Caught, r.Total.Survived)
}

func score(caught, survived int) float64 {
	if caught+survived == 0 {
		return 0
	}
	return 100 * float64(caught) / float64(caught+survived)
}

// Survivors are the surviving mutants, by file and line.
func (r *Report) Survivors() []Result {
	var s []Result
	for _, res := range r.Results {
		if res.Status == Survived {
			s = append(s, res)
		}
	}
	sort.Slice(s, func(i, j int) bool {
		if s[i].File != s[j].File {
			return s[i].File < s[j].File
		}
		return s[i].Line < s[j].Line || (s[i].Line == s[j].Line && s[i].Col < s[j].Col)
	})
	return s
}

// WriteText prints the per-package table, the survivors and the known
// equivalent mutants.
func (r *Report) WriteText(w io.Writer) {
	sample := "all"
	if r.Sample > 0 {
		sample = fmt.Sprintf("a sample of %d (seed %d)", r.Selected, r.Seed)
	}
	fmt.Fprintf(w, "\nmutation testing with %s as the test\n", r.Test)
	fmt.Fprintf(w, "%d mutants generated, %s run, %d known equivalent; %d worker(s), test bound %s (unmutated run %s), %s in all\n",
		r.Generated, sample, len(r.Equivalents), r.Jobs,
		secs(r.TimeoutSeconds), secs(r.BaselineSeconds), secs(r.ElapsedSeconds))
	if r.StoppedEarly {
		fmt.Fprintf(w, "stopped at -max-time: %d mutants not run\n", r.Total.NotRun)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "package\tmutants\tcaught\t(timeout)\tsurvived\tinvalid\tequivalent\tscore\t")
	line := func(s PackageScore) {
		sc := "-"
		if s.Caught+s.Survived > 0 {
			sc = fmt.Sprintf("%.1f%%", s.Score)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t\n", s.Package, s.Mutants, s.Caught, s.Timeouts, s.Survived, s.Invalid, s.Equivalent, sc)
	}
	for _, s := range r.Packages {
		line(s)
	}
	line(r.Total)
	tw.Flush()
	if r.Total.BuildError > 0 {
		fmt.Fprintf(w, "%d mutants not counted: the build failed outside the mutated file (the tree changed during the run?)\n", r.Total.BuildError)
	}
	surv := r.Survivors()
	fmt.Fprintf(w, "\nsurviving mutants (%d): behaviour no scenario pins\n", len(surv))
	for _, s := range surv {
		fmt.Fprintf(w, "  %s\n", s.Describe())
	}
	if len(r.Equivalents) > 0 {
		fmt.Fprintf(w, "\nknown equivalent mutants, not scored (%d):\n", len(r.Equivalents))
		// Mutants excluded for one reason in one file are told once.
		type group struct {
			first EquivalentMutant
			n     int
		}
		var order []string
		groups := map[string]*group{}
		for _, e := range r.Equivalents {
			k := e.File + "\x00" + e.Reason
			if g, ok := groups[k]; ok {
				g.n++
				continue
			}
			groups[k] = &group{first: e, n: 1}
			order = append(order, k)
		}
		for _, k := range order {
			g := groups[k]
			if g.n == 1 {
				fmt.Fprintf(w, "  %s\n      %s\n", g.first.Describe(), g.first.Reason)
				continue
			}
			where := g.first.File
			if g.first.Func != "" {
				where += " (" + g.first.Func + ")"
			}
			fmt.Fprintf(w, "  %s: %d mutants\n      %s\n", where, g.n, g.first.Reason)
		}
	}
}

func secs(s float64) string {
	return (time.Duration(s * float64(time.Second))).Round(100 * time.Millisecond).String()
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
