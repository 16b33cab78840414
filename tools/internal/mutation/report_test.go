package mutation_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/tools/internal/mutation"
)

var _ = Describe("Report", func() {
	m := func(pkg, file string, line int, orig, mut string) mutation.Mutant {
		return mutation.Mutant{Package: pkg, File: file, Line: line, Operator: mutation.OpNegate, Original: orig, Mutated: mut}
	}

	It("scores caught over caught plus survived per package, timeouts counted as caught", func() {
		rep := &mutation.Report{Results: []mutation.Result{
			{Mutant: m("impl/a", "impl/a/a.go", 3, "x == 1", "x != 1"), Status: mutation.Caught},
			{Mutant: m("impl/a", "impl/a/a.go", 4, "y == 1", "y != 1"), Status: mutation.Caught, Timeout: true},
			{Mutant: m("impl/a", "impl/a/a.go", 2, "z == 1", "z != 1"), Status: mutation.Survived},
			{Mutant: m("impl/a", "impl/a/a.go", 5, "w", "w'"), Status: mutation.Invalid},
			{Mutant: m("impl/b", "impl/b/b.go", 1, "v", "v'"), Status: mutation.NotRun},
		}}
		rep.Score([]string{"impl/a", "impl/b"})
		Expect(rep.Packages[0]).To(Equal(mutation.PackageScore{Package: "impl/a", Mutants: 4, Caught: 2, Timeouts: 1, Survived: 1, Invalid: 1, Score: 200.0 / 3}))
		Expect(rep.Packages[1].NotRun).To(Equal(1))
		Expect(rep.Total.Score).To(BeNumerically("~", 66.67, 0.01))
		Expect(rep.Survivors()).To(HaveLen(1))
		var out bytes.Buffer
		rep.WriteText(&out)
		Expect(out.String()).To(ContainSubstring("impl/a/a.go:2: [negate-condition] z == 1 → z != 1"))
		Expect(out.String()).To(MatchRegexp(`impl/a\s+4\s+2\s+1\s+1\s+1\s+0\s+66.7%`))

		path := filepath.Join(GinkgoT().TempDir(), "m.json")
		Expect(rep.WriteJSON(path)).To(Succeed())
		data, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		var back map[string]any
		Expect(json.Unmarshal(data, &back)).To(Succeed())
		Expect(back["total"].(map[string]any)["survived"]).To(BeEquivalentTo(1))
		Expect(back["results"].([]any)[2].(map[string]any)["status"]).To(Equal("survived"))
	})

	It("matches known-equivalent mutants by file and text, not line", func() {
		path := filepath.Join(GinkgoT().TempDir(), "eq.yaml")
		Expect(os.WriteFile(path, []byte(`
- file: impl/a/a.go
  original: "out := make([]int,   0, n)"
  mutated: "out := make([]int, 1, n)"
  reason: appended to
`), 0o644)).To(Succeed())
		eqs, err := mutation.LoadEquivalents(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(mutation.Match(eqs, m("impl/a", "impl/a/a.go", 99, "out := make([]int, 0, n)", "out := make([]int, 1, n)"))).NotTo(BeNil())
		Expect(mutation.Match(eqs, m("impl/a", "impl/b/a.go", 99, "out := make([]int, 0, n)", "out := make([]int, 1, n)"))).To(BeNil())
		Expect(mutation.LoadEquivalents(filepath.Join(GinkgoT().TempDir(), "none.yaml"))).To(BeEmpty())
		Expect(os.WriteFile(path, []byte("- file: impl/a/a.go\n  original: x\n"), 0o644)).To(Succeed())
		_, err = mutation.LoadEquivalents(path)
		Expect(err).To(MatchError(ContainSubstring("reason")))
	})

	It("matches every mutant of a function named by an entry without original", func() {
		path := filepath.Join(GinkgoT().TempDir(), "eq.yaml")
		Expect(os.WriteFile(path, []byte(`
- file: impl/a/a.go
  func: T.Unused
  reason: nothing calls it
`), 0o644)).To(Succeed())
		eqs, err := mutation.LoadEquivalents(path)
		Expect(err).NotTo(HaveOccurred())
		in := m("impl/a", "impl/a/a.go", 5, "x := 1", "x := 2")
		in.Func = "T.Unused"
		Expect(mutation.Match(eqs, in)).NotTo(BeNil())
		other := in
		other.Func = "T.Used"
		Expect(mutation.Match(eqs, other)).To(BeNil())
		other = in
		other.File = "impl/a/b.go"
		Expect(mutation.Match(eqs, other)).To(BeNil())
	})

	It("samples reproducibly and keeps the order", func() {
		var ms []mutation.Mutant
		for i := range 50 {
			ms = append(ms, mutation.Mutant{ID: i})
		}
		a, b := mutation.Sample(ms, 10, 7), mutation.Sample(ms, 10, 7)
		Expect(a).To(Equal(b))
		Expect(a).To(HaveLen(10))
		for i := 1; i < len(a); i++ {
			Expect(a[i].ID).To(BeNumerically(">", a[i-1].ID))
		}
		Expect(mutation.Sample(ms, 10, 8)).NotTo(Equal(a))
		Expect(mutation.Sample(ms, 0, 7)).To(HaveLen(50))
	})

	It("picks packages by short or full name and refuses the fault package", func() {
		root := GinkgoT().TempDir()
		for _, d := range []string{"impl/engine", "impl/ddl", "impl/fault"} {
			Expect(os.MkdirAll(filepath.Join(root, d), 0o755)).To(Succeed())
		}
		Expect(mutation.ParsePackages(root, "engine, impl/ddl,engine")).To(Equal([]string{"impl/engine", "impl/ddl"}))
		Expect(mutation.ParsePackages(root, "")).To(Equal(mutation.DefaultPackages))
		_, err := mutation.ParsePackages(root, "fault")
		Expect(err).To(HaveOccurred())
		_, err = mutation.ParsePackages(root, "nosuch")
		Expect(err).To(HaveOccurred())
	})
})

var _ = Describe("the project's equivalents file", func() {
	It("parses, and every entry names a file of the engine and says why", func() {
		eqs, err := mutation.LoadEquivalents(filepath.Join("..", "..", "mutation", "equivalent.yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(eqs).NotTo(BeEmpty())
		for _, e := range eqs {
			Expect(filepath.Join("..", "..", "..", e.File)).To(BeAnExistingFile(), "entry for %s", e.File)
		}
	})
})
