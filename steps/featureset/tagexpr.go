package featureset

import (
	"fmt"
	"strings"
	"unicode"
)

// TagExpr is a parsed tag expression: it tells whether a set of tags is
// selected.
//
// ParseTags reads Cucumber's tag expressions: tags combined with "and",
// "or", "not" and parentheses, "not" binding tighter than "and", "and"
// tighter than "or" (both left-associative), e.g.
// "@tls and not (@extension or @slow)". A backslash escapes a space, a
// parenthesis or a backslash inside a tag name. It also reads godog's older
// syntax, used when the expression has "&&", "," or "~" and none of the
// Cucumber operators or parentheses: "&&" is and, "," is or (binding
// tighter than "&&"), "~" is not, e.g. "@tls && ~@extension" or
// "@json,@tls".
type TagExpr interface {
	// Match tells whether a scenario with tags (with "@") is selected.
	Match(tags []string) bool
	// String renders the expression in Cucumber's syntax, fully
	// parenthesized, as the Cucumber implementations format it.
	String() string
	// LabelFilter renders the expression as a ginkgo label filter: the tag
	// names without "@", "&&", "||", "!" and parentheses.
	LabelFilter() string
}

// TagExprError is a tag expression that does not parse.
type TagExprError struct {
	// Expr is the expression as given.
	Expr string
	// Reason is what is wrong, e.g. "Expected operator.".
	Reason string
	// Pos is the byte offset in Expr where the problem is.
	Pos int
}

// Error returns the message the Cucumber implementations give, e.g.
// `Tag expression "@a @b or" could not be parsed because of syntax error:
// Expected operator.`
func (e *TagExprError) Error() string {
	return `Tag expression "` + e.Expr + `" could not be parsed because of syntax error: ` + e.Reason
}

// Column is the 1-based column (in characters) of the problem.
func (e *TagExprError) Column() int {
	pos := min(max(e.Pos, 0), len(e.Expr))
	return len([]rune(e.Expr[:pos])) + 1
}

// Where shows the expression with a caret under the problem, on two lines.
func (e *TagExprError) Where() string {
	col := e.Column()
	return fmt.Sprintf("  %s\n  %s^ column %d", e.Expr, strings.Repeat(" ", col-1), col)
}

// commaReason is Cucumber's message for a comma between tags.
const commaReason = `An invalid tag combination operator was detected. The use of a comma (",") to combine tags is not supported. ` +
	`Please replace it with either the "or" or "and" operators for tag combinations. For example, use "@tag1 or @tag2" or "@tag1 and @tag2"`

// ParseTags parses a tag expression (see TagExpr). An empty or blank
// expression selects every scenario. An expression that does not parse
// returns a *TagExprError with the position of the problem.
func ParseTags(expr string) (TagExpr, error) {
	if strings.TrimSpace(expr) == "" {
		return trueExpr{}, nil
	}
	if isGodogSyntax(expr) {
		return parseGodog(expr)
	}
	return parseCucumber(expr)
}

// isGodogSyntax tells whether expr is written in godog's older syntax: it has
// "&&", "," or "~", and no parenthesis, backslash or Cucumber operator.
func isGodogSyntax(expr string) bool {
	if !strings.Contains(expr, "&&") && !strings.ContainsAny(expr, ",~") {
		return false
	}
	if strings.ContainsAny(expr, `()\`) {
		return false
	}
	for _, w := range strings.Fields(expr) {
		if w == "and" || w == "or" || w == "not" {
			return false
		}
	}
	return true
}

type token struct {
	text string
	pos  int
	// literal: a tag name (escapes resolved), not an operator or parenthesis.
	literal bool
}

func tokenize(expr string) ([]token, error) {
	var toks []token
	var cur strings.Builder
	start, escaped, quoted := -1, false, false
	flush := func() {
		if start >= 0 {
			text := cur.String()
			lit := quoted || (text != "and" && text != "or" && text != "not")
			toks = append(toks, token{text: text, pos: start, literal: lit})
			cur.Reset()
			start, quoted = -1, false
		}
	}
	for i, c := range expr {
		switch {
		case escaped:
			if c != '(' && c != ')' && c != '\\' && !unicode.IsSpace(c) {
				return nil, &TagExprError{Expr: expr, Reason: fmt.Sprintf(`Illegal escape before "%c".`, c), Pos: i - 1}
			}
			cur.WriteRune(c)
			escaped = false
		case c == '\\':
			if start < 0 {
				start = i
			}
			escaped, quoted = true, true
		case c == '(' || c == ')' || unicode.IsSpace(c):
			flush()
			if !unicode.IsSpace(c) {
				toks = append(toks, token{text: string(c), pos: i})
			}
		case c == ',':
			return nil, &TagExprError{Expr: expr, Reason: commaReason, Pos: i}
		default:
			if start < 0 {
				start = i
			}
			cur.WriteRune(c)
		}
	}
	if escaped {
		return nil, &TagExprError{Expr: expr, Reason: "Illegal escape at the end.", Pos: len(expr) - 1}
	}
	flush()
	return toks, nil
}

var (
	precedence = map[string]int{"or": 0, "and": 1, "not": 2}
)

// parseCucumber is the shunting-yard parse of the Cucumber implementations.
func parseCucumber(expr string) (TagExpr, error) {
	toks, err := tokenize(expr)
	if err != nil {
		return nil, err
	}
	fail := func(reason string, pos int) error { return &TagExprError{Expr: expr, Reason: reason, Pos: pos} }
	var operands []TagExpr
	var operators []token
	apply := func(op token) error {
		switch op.text {
		case "not":
			if len(operands) < 1 {
				return fail("Expected operand.", op.pos)
			}
			operands[len(operands)-1] = notExpr{operands[len(operands)-1]}
		default:
			if len(operands) < 2 {
				return fail("Expected operand.", op.pos)
			}
			l, r := operands[len(operands)-2], operands[len(operands)-1]
			operands = operands[:len(operands)-2]
			operands = append(operands, binExpr{op: op.text, l: l, r: r})
		}
		return nil
	}
	wantOperand := true
	expect := func(operand bool, t token) error {
		if operand == wantOperand {
			return nil
		}
		if wantOperand {
			return fail("Expected operand.", t.pos)
		}
		return fail("Expected operator.", t.pos)
	}
	for _, t := range toks {
		switch {
		case t.literal:
			if err := expect(true, t); err != nil {
				return nil, err
			}
			if !strings.HasPrefix(t.text, "@") {
				return nil, fail(fmt.Sprintf("Tag %q does not start with @ (every tag of the suite does: write @%s).", t.text, t.text), t.pos)
			}
			operands = append(operands, literal(t.text))
			wantOperand = false
		case t.text == "not" || t.text == "(":
			if err := expect(true, t); err != nil {
				return nil, err
			}
			operators = append(operators, t)
		case t.text == "and" || t.text == "or":
			if err := expect(false, t); err != nil {
				return nil, err
			}
			for len(operators) > 0 {
				top := operators[len(operators)-1]
				if top.text == "(" || precedence[t.text] > precedence[top.text] {
					break
				}
				operators = operators[:len(operators)-1]
				if err := apply(top); err != nil {
					return nil, err
				}
			}
			operators = append(operators, t)
			wantOperand = true
		case t.text == ")":
			if err := expect(false, t); err != nil {
				return nil, err
			}
			for len(operators) > 0 && operators[len(operators)-1].text != "(" {
				top := operators[len(operators)-1]
				operators = operators[:len(operators)-1]
				if err := apply(top); err != nil {
					return nil, err
				}
			}
			if len(operators) == 0 {
				return nil, fail("Unmatched ).", t.pos)
			}
			operators = operators[:len(operators)-1]
		}
	}
	if wantOperand {
		return nil, fail("Expected operand.", len(expr))
	}
	for len(operators) > 0 {
		top := operators[len(operators)-1]
		operators = operators[:len(operators)-1]
		if top.text == "(" {
			return nil, fail("Unmatched (.", top.pos)
		}
		if err := apply(top); err != nil {
			return nil, err
		}
	}
	if len(operands) != 1 {
		return nil, fail("Expected operator.", len(expr))
	}
	return operands[0], nil
}

// parseGodog reads godog's syntax: "&&" between groups that must all match,
// "," between the alternatives of a group, "~" before a tag that must be
// absent. A tag without "@" gets one, as godog compared tags without it.
func parseGodog(expr string) (TagExpr, error) {
	var and TagExpr
	pos := 0
	for _, group := range strings.Split(expr, "&&") {
		var or TagExpr
		gpos := pos
		for _, alt := range strings.Split(group, ",") {
			text := strings.TrimSpace(alt)
			at := gpos + strings.Index(alt, text)
			if text == "" {
				at = gpos + len(alt)
				if alt == "" && gpos > 0 {
					at = gpos
				}
				return nil, &TagExprError{Expr: expr, Reason: "Expected a tag (godog syntax: tags joined by && and \",\", ~ before a tag negates it).", Pos: at}
			}
			negate := strings.HasPrefix(text, "~")
			name := strings.TrimSpace(strings.TrimPrefix(text, "~"))
			if name == "" || strings.ContainsAny(name, " \t~") {
				return nil, &TagExprError{Expr: expr, Reason: fmt.Sprintf("Expected one tag, got %q (godog syntax: tags joined by && and \",\", ~ before a tag negates it).", text), Pos: at}
			}
			var e TagExpr = literal("@" + strings.TrimPrefix(name, "@"))
			if negate {
				e = notExpr{e}
			}
			if or == nil {
				or = e
			} else {
				or = binExpr{op: "or", l: or, r: e}
			}
			gpos += len(alt) + 1
		}
		if and == nil {
			and = or
		} else {
			and = binExpr{op: "and", l: and, r: or}
		}
		pos += len(group) + 2
	}
	return and, nil
}

type trueExpr struct{}

func (trueExpr) Match([]string) bool { return true }
func (trueExpr) String() string      { return "true" }
func (trueExpr) LabelFilter() string { return "" }

type literal string

func (l literal) Match(tags []string) bool {
	for _, t := range tags {
		if t == string(l) {
			return true
		}
	}
	return false
}

func (l literal) String() string {
	var b strings.Builder
	for _, c := range string(l) {
		if c == '\\' || c == '(' || c == ')' || unicode.IsSpace(c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (l literal) LabelFilter() string { return strings.TrimPrefix(string(l), "@") }

type notExpr struct{ x TagExpr }

func (n notExpr) Match(tags []string) bool { return !n.x.Match(tags) }

func (n notExpr) String() string {
	if _, ok := n.x.(binExpr); ok {
		return "not " + n.x.String()
	}
	return "not ( " + n.x.String() + " )"
}

func (n notExpr) LabelFilter() string { return "!(" + n.x.LabelFilter() + ")" }

type binExpr struct {
	op   string // "and" or "or"
	l, r TagExpr
}

func (b binExpr) Match(tags []string) bool {
	if b.op == "and" {
		return b.l.Match(tags) && b.r.Match(tags)
	}
	return b.l.Match(tags) || b.r.Match(tags)
}

func (b binExpr) String() string { return "( " + b.l.String() + " " + b.op + " " + b.r.String() + " )" }

func (b binExpr) LabelFilter() string {
	op := " || "
	if b.op == "and" {
		op = " && "
	}
	return "(" + b.l.LabelFilter() + op + b.r.LabelFilter() + ")"
}
