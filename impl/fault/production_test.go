package fault_test

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestProductionCarriesNoDefects checks every file of impl/ that a build
// without the selftest tag compiles (tests and this package aside): none
// imports package fault, declares, reads or sets a field named Faults or
// faults. A deliberate defect belongs in a seams_selftest.go file, behind a
// seam; the Options and Config structs carry one only in such a build.
func TestProductionCarriesNoDefects(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	ctx := build.Default
	ctx.BuildTags = nil
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == filepath.Join(root, "fault") || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		name := d.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		if ok, err := ctx.MatchFile(filepath.Dir(path), name); err != nil || !ok {
			return err
		}
		checked++
		for _, p := range defectUses(t, path) {
			rel, _ := filepath.Rel(root, path)
			t.Errorf("impl/%s:%d: %s outside a selftest-tagged seam file", filepath.ToSlash(rel), p.line, p.what)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("checked %d files of impl/; want the whole engine", checked)
	}
}

type use struct {
	line int
	what string
}

// defectUses returns the places of the file at path that use a deliberate
// defect: an import of package fault, or a field, selector or composite
// literal key named Faults or faults.
func defectUses(t *testing.T, path string) []use {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var uses []use
	add := func(pos token.Pos, what string) { uses = append(uses, use{fset.Position(pos).Line, what}) }
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); strings.HasSuffix(p, "/impl/fault") {
			add(imp.Pos(), "import of impl/fault")
		}
	}
	isDefect := func(name string) bool { return name == "Faults" || name == "faults" }
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Field:
			for _, name := range n.Names {
				if isDefect(name.Name) {
					add(name.Pos(), "field "+name.Name)
				}
			}
		case *ast.SelectorExpr:
			if isDefect(n.Sel.Name) {
				add(n.Sel.Pos(), "."+n.Sel.Name)
			}
		case *ast.KeyValueExpr:
			if id, ok := n.Key.(*ast.Ident); ok && isDefect(id.Name) {
				add(id.Pos(), id.Name+":")
			}
		}
		return true
	})
	return uses
}
