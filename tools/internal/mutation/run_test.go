package mutation_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/tools/internal/mutation"
)

// tinyMain is a program whose "test" is itself: it exits 1 when check is
// wrong, and with the argument "sleep" it never finishes.
const tinyMain = `package main

import (
	"os"
	"time"
)

func check(n int) bool { return n > 2 }

func main() {
	if len(os.Args) > 1 && os.Args[1] == "sleep" {
		time.Sleep(time.Hour)
	}
	if !check(3) || check(2) {
		os.Exit(1)
	}
	_ = os.WriteFile(os.Args[len(os.Args)-1]+".done", nil, 0o644)
}
`

// tinyModule writes a one-package module and returns its root.
func tinyModule() string {
	root := GinkgoT().TempDir()
	Expect(os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/tiny\n\ngo 1.26\n"), 0o644)).To(Succeed())
	Expect(os.WriteFile(filepath.Join(root, "main.go"), []byte(tinyMain), 0o644)).To(Succeed())
	return root
}

func tinyMutants() []mutation.Mutant {
	ms, err := mutation.GeneratePackage(".", []mutation.SourceFile{{Path: "main.go", Src: []byte(tinyMain)}})
	Expect(err).NotTo(HaveOccurred())
	return ms
}

func find(ms []mutation.Mutant, mutated string) mutation.Mutant {
	for _, m := range ms {
		if m.Mutated == mutated {
			return m
		}
	}
	Fail("no mutant gives " + mutated)
	return mutation.Mutant{}
}

var _ = Describe("WriteOverlay", func() {
	It("writes the mutant and an overlay file mapping the original path to it", func() {
		dir := GinkgoT().TempDir()
		path, err := mutation.WriteOverlay(dir, "/repo/impl/p/p.go", []byte("package p // mutated\n"))
		Expect(err).NotTo(HaveOccurred())
		data, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		var ov mutation.Overlay
		Expect(json.Unmarshal(data, &ov)).To(Succeed())
		Expect(ov.Replace).To(Equal(map[string]string{"/repo/impl/p/p.go": filepath.Join(dir, "p.go")}))
		Expect(os.ReadFile(filepath.Join(dir, "p.go"))).To(Equal([]byte("package p // mutated\n")))
	})
})

var _ = Describe("Runner", Ordered, func() {
	var (
		root string
		r    *mutation.Runner
		ms   []mutation.Mutant
	)
	BeforeAll(func() {
		root = tinyModule()
		r = &mutation.Runner{Root: root, BuildPkg: ".", TestArgs: []string{"{report}"}, Timeout: time.Minute, TempDir: GinkgoT().TempDir()}
		ms = tinyMutants()
	})

	It("passes the unmutated program and runs it outside the module", func(ctx SpecContext) {
		_, err := r.Baseline(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(filepath.Join(root, "report.done")).NotTo(BeAnExistingFile())
	})

	It("counts a mutant the test fails on as caught, and leaves the module as it was", func(ctx SpecContext) {
		res := r.RunMutant(ctx, find(ms, "func check(n int) bool { return n >= 2 }"), []byte(tinyMain))
		Expect(res.Status).To(Equal(mutation.Caught))
		Expect(res.Timeout).To(BeFalse())
		Expect(os.ReadFile(filepath.Join(root, "main.go"))).To(Equal([]byte(tinyMain)))
		entries, _ := os.ReadDir(root)
		Expect(entries).To(HaveLen(2))
	})

	It("counts a mutant the test passes with as survived", func(ctx SpecContext) {
		// The test never passes "sleep", nor "": the emptied constant goes unseen.
		res := r.RunMutant(ctx, find(ms, `if len(os.Args) > 1 && os.Args[1] == "" {`), []byte(tinyMain))
		Expect(res.Status).To(Equal(mutation.Survived))
	})

	It("counts a mutant that does not compile as invalid", func(ctx SpecContext) {
		m := find(ms, "func check(n int) bool { return n > 3 }")
		bad := mutation.Mutant{File: m.File, Package: m.Package}
		res := r.RunMutant(ctx, bad, []byte("package main\n\nfunc main() { undefined() }\n"))
		Expect(res.Status).To(Equal(mutation.Invalid))
		Expect(res.Detail).To(ContainSubstring("undefined"))
	})

	It("counts a test that runs past the time bound as caught, and stops it", func(ctx SpecContext) {
		slow := *r
		slow.TestArgs = []string{"sleep"}
		slow.Timeout = 300 * time.Millisecond
		start := time.Now()
		res := slow.RunMutant(ctx, find(ms, "func check(n int) bool { return n > 3 }"), []byte(tinyMain))
		Expect(res.Status).To(Equal(mutation.Caught))
		Expect(res.Timeout).To(BeTrue())
		Expect(time.Since(start)).To(BeNumerically("<", 30*time.Second))
	})

	It("marks mutants not run when the time budget ends", func() {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		res := r.RunAll(ctx, ms[:3], map[string][]byte{"main.go": []byte(tinyMain)}, 2, nil)
		Expect(res).To(HaveLen(3))
		for _, x := range res {
			Expect(x.Status).To(Equal(mutation.NotRun))
		}
	})
})

var _ = Describe("FailedScenarios", func() {
	It("lists the ids of the scenarios with a step that failed, once each", func() {
		path := filepath.Join(GinkgoT().TempDir(), "cucumber.json")
		Expect(os.WriteFile(path, []byte(`[{"elements": [
			{"tags": [{"name": "@json"}, {"name": "@id:b-row"}], "steps": [{"result": {"status": "passed"}}, {"result": {"status": "failed"}}]},
			{"tags": [{"name": "@id:b-row"}], "steps": [{"result": {"status": "undefined"}}]},
			{"tags": [{"name": "@id:a-passes"}], "steps": [{"result": {"status": "passed"}}, {"result": {"status": "skipped"}}]},
			{"tags": [{"name": "@id:a-fails"}], "steps": [{"result": {"status": "failed"}}]}
		]}]`), 0o644)).To(Succeed())
		Expect(mutation.FailedScenarios(path)).To(Equal([]string{"a-fails", "b-row"}))
		Expect(mutation.FailedScenarios(filepath.Join(GinkgoT().TempDir(), "none.json"))).To(BeNil())
	})
})
