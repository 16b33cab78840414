package mutation_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/tools/internal/mutation"
)

// mutantsOf generates the mutants of one file of package p.
func mutantsOf(src string) []mutation.Mutant {
	ms, err := mutation.GeneratePackage("impl/p", []mutation.SourceFile{{Path: "impl/p/p.go", Src: []byte(src)}})
	Expect(err).NotTo(HaveOccurred())
	return ms
}

// changes lists "operator: original → mutated" of each mutant.
func changes(ms []mutation.Mutant) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Operator+": "+m.Original+" → "+m.Mutated)
	}
	return out
}

const header = "package p\n\nimport (\n\t\"errors\"\n\t\"fmt\"\n\t\"log/slog\"\n\t\"strings\"\n)\n\n"

var _ = Describe("operators", func() {
	It("swap comparison, boolean and arithmetic operators one at a time", func() {
		ms := mutantsOf(header + "func f(a, b int) bool {\n\treturn a < b && a+b >= 3\n}\n")
		Expect(changes(ms)).To(ConsistOf(
			"conditional-boundary: return a < b && a+b >= 3 → return a <= b && a+b >= 3",
			"boolean: return a < b && a+b >= 3 → return a < b || a+b >= 3",
			"arithmetic: return a < b && a+b >= 3 → return a < b && a-b >= 3",
			"conditional-boundary: return a < b && a+b >= 3 → return a < b && a+b > 3",
			"off-by-one: return a < b && a+b >= 3 → return a < b && a+b >= 4",
		))
	})

	It("name the function or method each mutant lies in", func() {
		ms := mutantsOf(header + "type T[E any] struct{}\n\nfunc (t *T[E]) m(a int) bool {\n\tvar b = 2\n\treturn a < b\n}\n\nvar v = 1 + 2\n\nfunc f(a int) bool { return a > 1 }\n")
		funcs := map[string]bool{}
		for _, m := range ms {
			funcs[m.Func] = true
		}
		Expect(funcs).To(Equal(map[string]bool{"T.m": true, "": true, "f": true}))
		for _, m := range ms {
			if strings.Contains(m.Original, "a < b") {
				Expect(m.Func).To(Equal("T.m"), "a mutant after a declaration inside the method")
			}
		}
	})

	It("make source text that is the original with exactly the change", func() {
		src := header + "func f(a int) bool {\n\tif a == 2 {\n\t\treturn true\n\t}\n\treturn a > 10 || a != 7\n}\n"
		for _, m := range mutantsOf(src) {
			out := string(m.Apply([]byte(src)))
			Expect(strings.Count(out, "\n")).To(Equal(strings.Count(src, "\n")))
			Expect(out).To(ContainSubstring(m.Mutated))
			Expect(out).NotTo(Equal(src))
		}
		ms := mutantsOf(src)
		Expect(string(ms[0].Apply([]byte(src)))).To(Equal(strings.Replace(src, "a == 2", "a != 2", 1)))
	})

	It("replace returned errors by nil", func() {
		ms := mutantsOf(header + "var ErrBad = errors.New(\"bad\")\n\nfunc f(err error) (int, error) {\n\tif err != nil {\n\t\treturn 0, err\n\t}\n\treturn 1, fmt.Errorf(\"x: %w\", ErrBad)\n}\n\nfunc g() error { return ErrBad }\n")
		Expect(changes(ms)).To(ContainElements(
			"return-nil-error: return 0, err → return 0, nil",
			`return-nil-error: return 1, fmt.Errorf("x: %w", ErrBad) → return 1, nil`,
			"return-nil-error: func g() error { return ErrBad } → func g() error { return nil }",
		))
	})

	It("remove call statements, defers and appends, but not locks or panics", func() {
		ms := mutantsOf(header + "type c struct{ mu interface{ Lock(); Unlock() } }\n\nfunc (x *c) Close() error { return nil }\n\n" +
			"func f(x *c, s []int) []int {\n\tx.mu.Lock()\n\tdefer x.mu.Unlock()\n\tdefer x.Close()\n\tx.Close()\n\ts = append(s, 1)\n\tif len(s) > 9 {\n\t\tpanic(\"full\")\n\t}\n\treturn s\n}\n")
		var removed []string
		for _, m := range ms {
			if m.Operator == mutation.OpRemoveStmt {
				removed = append(removed, m.Original)
				Expect(m.Mutated).To(BeEmpty())
			}
		}
		Expect(removed).To(ConsistOf("defer x.Close()", "x.Close()", "s = append(s, 1)"))
	})

	It("swap break and continue", func() {
		ms := mutantsOf(header + "func f(s []int) (n int) {\n\tfor _, v := range s {\n\t\tif v < 0 {\n\t\t\tbreak\n\t\t}\n\t\tif v == 0 {\n\t\t\tcontinue\n\t\t}\n\t\tn++\n\t}\n\treturn n\n}\n")
		Expect(changes(ms)).To(ContainElements("break-continue: break → continue", "break-continue: continue → break"))
	})

	It("empty string constants where they are compared, not elsewhere", func() {
		ms := mutantsOf(header + "func f(s string) string {\n\tif s == \"a\" || strings.HasPrefix(s, \"/\") {\n\t\treturn \"yes\"\n\t}\n\tswitch s {\n\tcase \"b\":\n\t\treturn \"\"\n\t}\n\treturn s + \"x\"\n}\n")
		var emptied []string
		for _, m := range ms {
			if m.Operator == mutation.OpEmptyString {
				emptied = append(emptied, m.Mutated)
			}
			Expect(m.Operator).NotTo(Equal(mutation.OpArithmetic), "string concatenation is no arithmetic")
		}
		Expect(emptied).To(ConsistOf(
			`if s == "" || strings.HasPrefix(s, "/") {`,
			`if s == "a" || strings.HasPrefix(s, "") {`,
			`case "":`,
		))
	})

	It("change small integer constants but not capacities, strconv arguments or large ones", func() {
		ms := mutantsOf(header + "func f(s string) []int {\n\tout := make([]int, 0, 8)\n\tm := make(map[string]int, 4)\n\t_ = m\n\tout = append(out, 100, 16)\n\treturn out[1:]\n}\n")
		var lits []string
		for _, m := range ms {
			if m.Operator == mutation.OpOffByOne {
				lits = append(lits, m.Mutated)
			}
		}
		Expect(lits).To(ConsistOf("out := make([]int, 1, 8)", "out = append(out, 100, 17)", "return out[2:]"))
	})

	It("record file, line and column", func() {
		ms := mutantsOf(header + "func f(a int) bool {\n\treturn a == 1\n}\n")
		Expect(ms).NotTo(BeEmpty())
		Expect(ms[0].File).To(Equal("impl/p/p.go"))
		Expect(ms[0].Package).To(Equal("impl/p"))
		Expect(ms[0].Line).To(Equal(11))
		Expect(ms[0].Col).To(Equal(11))
		Expect(ms[0].Describe()).To(Equal("impl/p/p.go:11: [negate-condition] return a == 1 → return a != 1"))
	})
})

var _ = Describe("skipping", func() {
	It("skips test files and generated files", func() {
		Expect(mutation.IsSkippedFile("impl/p/p_test.go", []byte("package p\n"))).To(BeTrue())
		Expect(mutation.IsSkippedFile("impl/p/zz.go", []byte("// Code generated by x. DO NOT EDIT.\n\npackage p\n"))).To(BeTrue())
		Expect(mutation.IsSkippedFile("impl/p/p.go", []byte("package p\n"))).To(BeFalse())
		ms, err := mutation.GeneratePackage("impl/p", []mutation.SourceFile{
			{Path: "impl/p/p_test.go", Src: []byte("package p\n\nfunc t(a int) bool { return a == 1 }\n")},
			{Path: "impl/p/gen.go", Src: []byte("// Code generated by x. DO NOT EDIT.\n\npackage p\n\nfunc g(a int) bool { return a == 1 }\n")},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(ms).To(BeEmpty())
	})

	It("skips files a default build leaves out, such as the seams of deliberate defects", func() {
		Expect(mutation.IsSkippedFile("impl/p/seams_selftest.go", []byte("//go:build selftest\n\npackage p\n"))).To(BeTrue())
		Expect(mutation.IsSkippedFile("impl/p/seams.go", []byte("//go:build !selftest\n\npackage p\n"))).To(BeFalse())
	})

	It("skips branches that run only with a self-test fault, but not their else or live terms", func() {
		ms := mutantsOf(header + `type set struct{ DropAll, Keep bool }
type h struct{ faults set; n int }

func (x *h) f(v int) int {
	if x.faults.DropAll && v > 1 {
		return 0
	} else {
		v = v + 2
	}
	if v == 3 && !x.faults.Keep {
		x.n++
	}
	return v
}
`)
		Expect(changes(ms)).To(ConsistOf(
			"arithmetic: v = v + 2 → v = v - 2",
			"off-by-one: v = v + 2 → v = v + 3",
			"negate-condition: if v == 3 && !x.faults.Keep { → if v != 3 && !x.faults.Keep {",
			"off-by-one: if v == 3 && !x.faults.Keep { → if v == 4 && !x.faults.Keep {",
		))
	})

	It("skips helpers called only from fault branches", func() {
		ms := mutantsOf(header + `type set struct{ Round bool }

func round(v int) int { return v + 1 }

func helper(v int) int { return round(v) * 2 }

func f(faults set, v int) int {
	if faults.Round {
		v = helper(v)
	}
	return v
}
`)
		Expect(ms).To(BeEmpty())
	})

	It("skips logging calls, their arguments and logger nil checks", func() {
		ms := mutantsOf(header + `type s struct{ log *slog.Logger }

func f(x *s, log *slog.Logger, n int) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	x.log.Debug("got", "big", n > 10)
	log.With("k", 1).Warn("w", "err", errors.New("e"))
	if err := errors.New("x"); err != nil && n > 1 {
		log.Error("failed", "err", err)
	}
}
`)
		Expect(ms).To(BeEmpty())
	})
})
