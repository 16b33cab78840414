// Package mutation is a mutation-testing harness: it makes small, plausible
// defects (mutants) in Go source files, builds a program with each one through
// the go command's -overlay flag (the files on disk are never touched), runs a
// test command against the build and records whether the test caught it.
package mutation

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io"
	"path"
	"strconv"
	"strings"
)

// Operator names, as they appear in reports.
const (
	OpBoundary    = "conditional-boundary" // < <-> <=, > <-> >=
	OpNegate      = "negate-condition"     // == <-> !=
	OpBoolean     = "boolean"              // && <-> ||
	OpArithmetic  = "arithmetic"           // + <-> -
	OpOffByOne    = "off-by-one"           // small integer n -> n+1
	OpRemoveStmt  = "remove-statement"     // call statement, defer or append assignment removed
	OpReturnNil   = "return-nil-error"     // return err -> return nil
	OpBranch      = "break-continue"       // break <-> continue
	OpEmptyString = "empty-string"         // compared string constant -> ""
)

// maxSmallInt is the largest integer literal the off-by-one operator changes.
const maxSmallInt = 16

// Mutant is one change to one file.
type Mutant struct {
	ID       int    `json:"id"`
	Package  string `json:"package"`
	File     string `json:"file"` // slash path relative to the module root
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Operator string `json:"operator"`
	// Func is the function the mutant lies in, "Name" or "Recv.Name" for a
	// method; empty outside functions.
	Func string `json:"func,omitempty"`
	// Original is the source line (or lines, for a statement spanning several)
	// the mutant changes, with runs of white space collapsed; Mutated is the
	// same text after the change ("" for a removed statement).
	Original string `json:"original"`
	Mutated  string `json:"mutated"`

	start, end int    // byte offsets of the replaced span in the file
	repl       string // what replaces it
}

// Apply returns src with the mutant's change made. src must be the text the
// mutant was generated from.
func (m Mutant) Apply(src []byte) []byte {
	out := make([]byte, 0, len(src)+len(m.repl))
	out = append(out, src[:m.start]...)
	out = append(out, m.repl...)
	return append(out, src[m.end:]...)
}

// Describe is the mutant's one-line form: file:line: [operator] original → mutated.
func (m Mutant) Describe() string {
	mut := m.Mutated
	if mut == "" {
		mut = "(removed)"
	}
	return fmt.Sprintf("%s:%d: [%s] %s → %s", m.File, m.Line, m.Operator, m.Original, mut)
}

// SourceFile is one file to mutate.
type SourceFile struct {
	Path string // slash path relative to the module root, used in reports
	Src  []byte
}

// IsSkippedFile tells whether a file is never mutated: test files, generated
// files, and files that a default build for this platform leaves out, such as
// the seams_selftest.go files of deliberate defects (tag selftest): a mutant
// of code that is not compiled could not be caught.
func IsSkippedFile(name string, src []byte) bool {
	if strings.HasSuffix(name, "_test.go") || !strings.HasSuffix(name, ".go") {
		return true
	}
	ctx := build.Default
	ctx.OpenFile = func(string) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(src)), nil }
	if ok, err := ctx.MatchFile(".", path.Base(name)); err != nil || !ok {
		return true
	}
	f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.PackageClauseOnly|parser.ParseComments)
	return err != nil || ast.IsGenerated(f)
}

// GeneratePackage returns the mutants of the files of one package (pkg is its
// slash path relative to the module root). The files are considered together
// so that a helper function called only from self-test code (branches on a
// fault set) is recognised as such and left alone. Test and generated files
// are skipped.
func GeneratePackage(pkg string, files []SourceFile) ([]Mutant, error) {
	fset := token.NewFileSet()
	type parsed struct {
		sf   SourceFile
		file *ast.File
		tf   *token.File
	}
	var ps []parsed
	for _, sf := range files {
		if IsSkippedFile(sf.Path, sf.Src) {
			continue
		}
		f, err := parser.ParseFile(fset, sf.Path, sf.Src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		ps = append(ps, parsed{sf: sf, file: f, tf: fset.File(f.Pos())})
	}
	var asts []*ast.File
	for _, p := range ps {
		asts = append(asts, p.file)
	}
	skip := skipRanges(asts)
	var all []Mutant
	for _, p := range ps {
		g := &generator{fset: fset, tf: p.tf, src: p.sf.Src, path: p.sf.Path, pkg: pkg, skip: skip}
		g.walk(p.file)
		all = append(all, g.out...)
	}
	return all, nil
}

// span is a half-open range of positions of one FileSet.
type span struct{ from, to token.Pos }

type spans []span

func (s spans) contains(p token.Pos) bool {
	for _, r := range s {
		if p >= r.from && p < r.to {
			return true
		}
	}
	return false
}

// skipRanges returns the code no mutant is made in: if statements that run
// only with a self-test fault enabled (condition and body, not the else
// branch), if statements that only log, logging calls and their arguments, nil checks of loggers, and
// unexported functions used only from such code.
func skipRanges(files []*ast.File) spans {
	var s spans
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.IfStmt:
				if faultOnlyCond(n.Cond) || loggerNilCheck(n.Cond) || (n.Else == nil && logsOnly(n.Body)) {
					s = append(s, span{n.Pos(), n.Body.End()})
				}
			case *ast.CallExpr:
				if isLoggingCall(n) {
					s = append(s, span{n.Pos(), n.End()})
				}
			}
			return true
		})
	}
	// Unexported functions whose every use lies in skipped code, to a fixed point.
	decls := map[string][]*ast.FuncDecl{}
	for _, f := range files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil && !fd.Name.IsExported() && fd.Name.Name != "init" && fd.Name.Name != "main" {
				decls[fd.Name.Name] = append(decls[fd.Name.Name], fd)
			}
		}
	}
	done := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for name, fds := range decls {
			if done[name] {
				continue
			}
			uses, live := 0, false
			for _, f := range files {
				ast.Inspect(f, func(n ast.Node) bool {
					id, ok := n.(*ast.Ident)
					if !ok || id.Name != name || live {
						return !live
					}
					for _, fd := range fds {
						if id == fd.Name {
							return true
						}
					}
					uses++
					if !s.contains(id.Pos()) {
						live = true
					}
					return true
				})
			}
			if uses > 0 && !live {
				done[name] = true
				changed = true
				for _, fd := range fds {
					s = append(s, span{fd.Pos(), fd.End()})
				}
			}
		}
	}
	return s
}

// refsFaults tells whether an expression reads a self-test fault set: a field
// or variable named faults or Faults.
func refsFaults(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && (id.Name == "faults" || id.Name == "Faults") {
			found = true
		}
		return !found
	})
	return found
}

// faultOnlyCond tells whether a condition can be true only with a fault
// enabled: one of its && terms is a fault flag itself (not negated).
func faultOnlyCond(cond ast.Expr) bool {
	for _, t := range andTerms(cond) {
		if sel, ok := t.(*ast.SelectorExpr); ok && refsFaults(sel.X) {
			return true
		}
	}
	return false
}

func andTerms(e ast.Expr) []ast.Expr {
	e = ast.Unparen(e)
	if b, ok := e.(*ast.BinaryExpr); ok && b.Op == token.LAND {
		return append(andTerms(b.X), andTerms(b.Y)...)
	}
	return []ast.Expr{e}
}

// logName tells whether an identifier names a logger or a logging package.
func logName(name string) bool {
	l := strings.ToLower(name)
	return l == "log" || l == "slog" || strings.HasSuffix(l, "logger")
}

// lastName is the last identifier of x, y.x or a call's function.
func lastName(e ast.Expr) string {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	case *ast.CallExpr:
		return lastName(e.Fun)
	}
	return ""
}

// isLoggingCall: log.Printf, slog.New, s.log.Debug, h.logger.With(...).Warn, ...
func isLoggingCall(c *ast.CallExpr) bool {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	for x := sel.X; x != nil; {
		if logName(lastName(x)) {
			return true
		}
		switch v := ast.Unparen(x).(type) {
		case *ast.CallExpr:
			if s, ok := v.Fun.(*ast.SelectorExpr); ok {
				x = s.X
				continue
			}
		}
		return false
	}
	return false
}

// logsOnly tells whether a block holds nothing but logging calls.
func logsOnly(b *ast.BlockStmt) bool {
	for _, s := range b.List {
		e, ok := s.(*ast.ExprStmt)
		if !ok {
			return false
		}
		if c, ok := e.X.(*ast.CallExpr); !ok || !isLoggingCall(c) {
			return false
		}
	}
	return len(b.List) > 0
}

// loggerNilCheck: if log == nil, if cfg.Logger != nil.
func loggerNilCheck(cond ast.Expr) bool {
	b, ok := ast.Unparen(cond).(*ast.BinaryExpr)
	if !ok || (b.Op != token.EQL && b.Op != token.NEQ) {
		return false
	}
	isNil := func(e ast.Expr) bool { id, ok := e.(*ast.Ident); return ok && id.Name == "nil" }
	return (isNil(b.Y) && logName(lastName(b.X))) || (isNil(b.X) && logName(lastName(b.Y)))
}

type generator struct {
	fset *token.FileSet
	tf   *token.File
	src  []byte
	path string
	pkg  string
	skip spans
	fn   string // the function being walked
	out  []Mutant
}

var binarySwaps = map[token.Token]struct {
	to token.Token
	op string
}{
	token.LSS:  {token.LEQ, OpBoundary},
	token.LEQ:  {token.LSS, OpBoundary},
	token.GTR:  {token.GEQ, OpBoundary},
	token.GEQ:  {token.GTR, OpBoundary},
	token.EQL:  {token.NEQ, OpNegate},
	token.NEQ:  {token.EQL, OpNegate},
	token.LAND: {token.LOR, OpBoolean},
	token.LOR:  {token.LAND, OpBoolean},
	token.ADD:  {token.SUB, OpArithmetic},
	token.SUB:  {token.ADD, OpArithmetic},
}

// stringCompareFuncs are the strings functions whose string constant
// arguments are compared with the other argument.
var stringCompareFuncs = map[string]bool{
	"HasPrefix": true, "HasSuffix": true, "EqualFold": true, "Contains": true,
	"TrimPrefix": true, "TrimSuffix": true, "CutPrefix": true, "CutSuffix": true,
}

func (g *generator) walk(f *ast.File) {
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		var parent ast.Node
		if len(stack) > 0 {
			parent = stack[len(stack)-1]
		}
		switch n := n.(type) {
		case *ast.FuncDecl:
			g.fn = funcName(n)
		case *ast.GenDecl:
			if n.Tok == token.IMPORT {
				return false
			}
			if _, top := parent.(*ast.File); top {
				g.fn = ""
			}
		case *ast.ArrayType, *ast.Field:
			// Array lengths, struct tags, parameter types. Inspect makes no
			// closing call for a node it does not descend into.
			return false
		}
		stack = append(stack, n)
		switch n := n.(type) {
		case *ast.BinaryExpr:
			g.binary(n)
		case *ast.BasicLit:
			g.literal(n, parent)
		case *ast.BlockStmt:
			g.statements(n.List)
		case *ast.CaseClause:
			g.statements(n.Body)
		case *ast.CommClause:
			g.statements(n.Body)
		case *ast.ReturnStmt:
			g.returns(n)
		case *ast.BranchStmt:
			if n.Label == nil && (n.Tok == token.BREAK || n.Tok == token.CONTINUE) {
				to := token.CONTINUE
				if n.Tok == token.CONTINUE {
					to = token.BREAK
				}
				g.add(OpBranch, n.Pos(), n.End(), to.String())
			}
		}
		return true
	})
}

func (g *generator) binary(b *ast.BinaryExpr) {
	sw, ok := binarySwaps[b.Op]
	if !ok || refsFaults(b.X) || refsFaults(b.Y) {
		return
	}
	if b.Op == token.ADD && (stringy(b.X) || stringy(b.Y)) {
		return
	}
	g.add(sw.op, b.OpPos, b.OpPos+token.Pos(len(b.Op.String())), sw.to.String())
}

// stringy tells whether an expression is visibly a string: a string literal
// or a concatenation with one.
func stringy(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.BasicLit:
		return e.Kind == token.STRING
	case *ast.BinaryExpr:
		return e.Op == token.ADD && (stringy(e.X) || stringy(e.Y))
	}
	return false
}

func (g *generator) literal(l *ast.BasicLit, parent ast.Node) {
	switch l.Kind {
	case token.INT:
		v, err := strconv.ParseInt(strings.ReplaceAll(l.Value, "_", ""), 0, 64)
		if err != nil || v < 0 || v > maxSmallInt || capacityArg(l, parent) || strconvArg(parent) {
			return
		}
		g.add(OpOffByOne, l.Pos(), l.End(), strconv.FormatInt(v+1, 10))
	case token.STRING:
		if s, err := strconv.Unquote(l.Value); err != nil || s == "" || !compared(l, parent) {
			return
		}
		g.add(OpEmptyString, l.Pos(), l.End(), `""`)
	}
}

// capacityArg: the capacity of make([]T, n, c), or the size hint of make(map[K]V, n),
// which no behaviour depends on.
func capacityArg(l *ast.BasicLit, parent ast.Node) bool {
	c, ok := parent.(*ast.CallExpr)
	if !ok || lastName(c.Fun) != "make" || len(c.Args) < 2 {
		return false
	}
	if _, isMap := c.Args[0].(*ast.MapType); isMap && c.Args[1] == ast.Expr(l) {
		return true
	}
	if _, isChan := c.Args[0].(*ast.ChanType); isChan {
		return false // a channel's buffer size changes behaviour
	}
	return len(c.Args) == 3 && c.Args[2] == ast.Expr(l)
}

// strconvArg: the base and bit size arguments of strconv.ParseInt and the like.
func strconvArg(parent ast.Node) bool {
	c, ok := parent.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "strconv"
}

// compared tells whether a string literal is compared: an operand of == or
// !=, a switch case, or an argument of strings.HasPrefix and the like.
func compared(l *ast.BasicLit, parent ast.Node) bool {
	switch p := parent.(type) {
	case *ast.BinaryExpr:
		return p.Op == token.EQL || p.Op == token.NEQ
	case *ast.CaseClause:
		return true
	case *ast.CallExpr:
		sel, ok := p.Fun.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		pkg, ok := sel.X.(*ast.Ident)
		return ok && (pkg.Name == "strings" || pkg.Name == "bytes") && stringCompareFuncs[sel.Sel.Name]
	}
	return false
}

// noRemove are calls whose removal is not a mutant worth a suite run: a
// removed panic is rarely valid Go, a removed Unlock deadlocks (always caught,
// at the time bound) and a removed Lock is a data race no test sees reliably.
var noRemove = map[string]bool{"panic": true, "Lock": true, "Unlock": true, "RLock": true, "RUnlock": true}

func (g *generator) statements(list []ast.Stmt) {
	for _, s := range list {
		var call *ast.CallExpr
		switch s := s.(type) {
		case *ast.ExprStmt:
			call, _ = s.X.(*ast.CallExpr)
		case *ast.DeferStmt:
			call = s.Call
		case *ast.AssignStmt:
			if s.Tok == token.ASSIGN && len(s.Lhs) == 1 && len(s.Rhs) == 1 {
				if c, ok := s.Rhs[0].(*ast.CallExpr); ok {
					if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "append" {
						call = c
					}
				}
			}
		}
		if call == nil || refsFaults(s) || noRemove[lastName(call.Fun)] {
			continue
		}
		g.add(OpRemoveStmt, s.Pos(), s.End(), "")
	}
}

func (g *generator) returns(r *ast.ReturnStmt) {
	for _, res := range r.Results {
		if errorValue(res) && !refsFaults(res) {
			g.add(OpReturnNil, res.Pos(), res.End(), "nil")
		}
	}
}

// errorValue: err, ErrSomething, pkg.ErrSomething, fmt.Errorf(...), errors.New(...), errors.Join(...).
func errorValue(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == "err" || sentinelName(e.Name)
	case *ast.SelectorExpr:
		return sentinelName(e.Sel.Name)
	case *ast.CallExpr:
		sel, ok := e.Fun.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		pkg, ok := sel.X.(*ast.Ident)
		if !ok {
			return false
		}
		return (pkg.Name == "fmt" && sel.Sel.Name == "Errorf") || (pkg.Name == "errors" && (sel.Sel.Name == "New" || sel.Sel.Name == "Join"))
	}
	return false
}

func sentinelName(n string) bool {
	return len(n) > 3 && strings.HasPrefix(n, "Err") && n[3] >= 'A' && n[3] <= 'Z'
}

func (g *generator) add(op string, from, to token.Pos, repl string) {
	if g.skip.contains(from) {
		return
	}
	start, end := g.tf.Offset(from), g.tf.Offset(to)
	ls := bytes.LastIndexByte(g.src[:start], '\n') + 1
	le := end
	if i := bytes.IndexByte(g.src[end:], '\n'); i >= 0 {
		le = end + i
	} else {
		le = len(g.src)
	}
	if repl == "" && to > from {
		// A removed statement: show the statement, not what stays around it.
		ls, le = start, end
	}
	orig := collapse(string(g.src[ls:le]))
	mut := collapse(string(g.src[ls:start]) + repl + string(g.src[end:le]))
	pos := g.fset.Position(from)
	g.out = append(g.out, Mutant{
		Package: g.pkg, File: g.path, Line: pos.Line, Col: pos.Column, Operator: op, Func: g.fn,
		Original: orig, Mutated: mut, start: start, end: end, repl: repl,
	})
}

// funcName is "Name" for a function and "Recv.Name" for a method.
func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
			continue
		case *ast.IndexExpr:
			t = x.X
			continue
		case *ast.IndexListExpr:
			t = x.X
			continue
		case *ast.Ident:
			return x.Name + "." + fd.Name.Name
		}
		return fd.Name.Name
	}
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }
