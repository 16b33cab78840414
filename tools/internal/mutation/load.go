package mutation

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// DefaultPackages are the packages of the reference engine that are mutated
// by default.
var DefaultPackages = []string{
	"impl/decode", "impl/ddl", "impl/config", "impl/dataserver", "impl/wsource", "impl/engine",
}

// excludedPackages serve the self-test only and are never mutated.
var excludedPackages = map[string]bool{"impl/fault": true}

// ParsePackages turns a comma separated -pkg value ("engine,impl/ddl") into
// slash paths relative to the module root; "" or "all" is DefaultPackages.
func ParsePackages(root, list string) ([]string, error) {
	if strings.TrimSpace(list) == "" || list == "all" {
		return DefaultPackages, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.Split(list, ",") {
		p = strings.Trim(strings.TrimSpace(filepath.ToSlash(p)), "/")
		p = strings.TrimPrefix(p, "./")
		if p == "" {
			continue
		}
		if !strings.Contains(p, "/") {
			p = path.Join("impl", p)
		}
		if excludedPackages[p] {
			return nil, fmt.Errorf("%s serves the self-test only and is not mutated", p)
		}
		if st, err := os.Stat(filepath.Join(root, filepath.FromSlash(p))); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("no package directory %s", p)
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// Load reads the Go files of the packages and generates their mutants. It
// returns the mutants, in file and position order, and the text each file
// had when read (mutants are applied to that text, so later edits of the
// tree do not shift them).
func Load(root string, pkgs []string) ([]Mutant, map[string][]byte, error) {
	srcs := map[string][]byte{}
	var all []Mutant
	for _, pkg := range pkgs {
		dir := filepath.Join(root, filepath.FromSlash(pkg))
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			return nil, nil, err
		}
		sort.Strings(names)
		var files []SourceFile
		for _, n := range names {
			src, err := os.ReadFile(n)
			if err != nil {
				return nil, nil, err
			}
			rel := path.Join(pkg, filepath.Base(n))
			if IsSkippedFile(rel, src) {
				continue
			}
			srcs[rel] = src
			files = append(files, SourceFile{Path: rel, Src: src})
		}
		ms, err := GeneratePackage(pkg, files)
		if err != nil {
			return nil, nil, err
		}
		all = append(all, ms...)
	}
	for i := range all {
		all[i].ID = i + 1
	}
	return all, srcs, nil
}

// Sample returns n mutants chosen at random with seed (all of them, in
// order, when n <= 0 or n >= len(ms)); the chosen ones keep their order.
func Sample(ms []Mutant, n int, seed uint64) []Mutant {
	if n <= 0 || n >= len(ms) {
		return ms
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	idx := rng.Perm(len(ms))[:n]
	sort.Ints(idx)
	out := make([]Mutant, n)
	for i, j := range idx {
		out[i] = ms[j]
	}
	return out
}
