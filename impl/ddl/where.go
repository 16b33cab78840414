package ddl

import (
	"cmp"
	"encoding/json"
	"strconv"
	"strings"
)

// Cond is the condition of a WHERE clause: comparisons of a field with a
// value (or with another field), joined by AND and OR.
type Cond struct {
	// Op is "AND", "OR" or a comparison: "=", "!=", "<", "<=", ">", ">=".
	Op string `json:"op"`
	// Args are the two conditions of AND and OR.
	Args []*Cond `json:"args,omitempty"`
	// L and R are the sides of a comparison.
	L *Operand `json:"l,omitempty"`
	R *Operand `json:"r,omitempty"`
}

// Operand is one side of a comparison: a field of the record or a value.
type Operand struct {
	// Field names a field of the record; empty for a value.
	Field string `json:"field,omitempty"`
	// Value is the value when Field is empty: int64, float64, string or bool.
	Value any `json:"value,omitempty"`
}

// whereOnly says which WHERE conditions the reference runs.
const whereOnly = "this engine runs only comparisons (= != < <= > >=) of fields and values, joined by AND and OR"

// where parses a WHERE condition: or := and {OR and}; and := primary {AND
// primary}; primary := ( or ) | operand op operand. NOT and <> are refused,
// as eKuiper refuses them.
func (p *parser) where() (*Cond, error) {
	l, err := p.whereAnd()
	if err != nil {
		return nil, err
	}
	for p.peek().is("OR") {
		p.next()
		r, err := p.whereAnd()
		if err != nil {
			return nil, err
		}
		l = &Cond{Op: "OR", Args: []*Cond{l, r}}
	}
	return l, nil
}

func (p *parser) whereAnd() (*Cond, error) {
	l, err := p.wherePrimary()
	if err != nil {
		return nil, err
	}
	for p.peek().is("AND") {
		p.next()
		r, err := p.wherePrimary()
		if err != nil {
			return nil, err
		}
		l = &Cond{Op: "AND", Args: []*Cond{l, r}}
	}
	return l, nil
}

func (p *parser) wherePrimary() (*Cond, error) {
	if p.peek().isPunct("(") {
		p.next()
		c, err := p.where()
		if err != nil {
			return nil, err
		}
		if err := p.punct(")", "AND, OR or )"); err != nil {
			return nil, err
		}
		return c, nil
	}
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	t := p.next()
	op, ok := comparison(t)
	if !ok {
		return nil, fail(t, "a comparison operator ("+unsupported(t)+")")
	}
	r, err := p.operand()
	if err != nil {
		return nil, err
	}
	return &Cond{Op: op, L: l, R: r}, nil
}

// unsupported words what a WHERE condition may not hold.
func unsupported(t token) string {
	if t.kind == tokEOF {
		return whereOnly
	}
	return t.found() + " is not supported in WHERE: " + whereOnly
}

func comparison(t token) (string, bool) {
	if t.kind != tokPunct {
		return "", false
	}
	switch t.lit {
	case "=", "!=", "<", "<=", ">", ">=":
		return t.lit, true
	}
	return "", false
}

// operand parses a field name, a number (maybe negative), a string, TRUE or FALSE.
func (p *parser) operand() (*Operand, error) {
	t := p.next()
	switch {
	case t.kind == tokNumber:
		return number(t, false)
	case t.kind == tokIllegal && t.lit == "-" && p.peek().kind == tokNumber:
		return number(p.next(), true)
	case t.kind == tokString:
		return &Operand{Value: t.lit}, nil
	case t.is("TRUE"), t.is("FALSE"):
		return &Operand{Value: t.is("TRUE")}, nil
	case t.kind == tokWord && (t.quoted || !isWhereKeyword(t)):
		if n := p.peek(); n.isPunct("(") && !t.quoted {
			return nil, fail(n, "a comparison operator (function "+t.lit+" not found: "+whereOnly+")")
		}
		return &Operand{Field: t.lit}, nil
	}
	return nil, fail(t, "a field name or a value ("+unsupported(t)+")")
}

func isWhereKeyword(t token) bool {
	for _, kw := range []string{"AND", "OR", "NOT", "GROUP", "ORDER", "LIMIT", "HAVING"} {
		if t.is(kw) {
			return true
		}
	}
	return false
}

func number(t token, neg bool) (*Operand, error) {
	lit := t.lit
	if neg {
		lit = "-" + lit
	}
	if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
		return &Operand{Value: n}, nil
	}
	f, err := strconv.ParseFloat(lit, 64) // beyond the float range: ErrRange
	if err != nil {
		return nil, &SyntaxError{Found: lit, Pos: t.pos, Expected: "a number in the float range"}
	}
	return &Operand{Value: f}, nil
}

// Fields lists the fields the condition reads, in order of appearance.
func (c *Cond) Fields() []string {
	if c == nil {
		return nil
	}
	var out []string
	for _, a := range c.Args {
		out = append(out, a.Fields()...)
	}
	for _, o := range []*Operand{c.L, c.R} {
		if o != nil && o.Field != "" {
			out = append(out, o.Field)
		}
	}
	return out
}

// Match tells whether a record meets the condition. A comparison with a
// missing or null field, or of values of different kinds (a number and a
// string), is false; booleans compare with = and != only. Numbers compare by
// value whatever their representation (int64, float64, json.Number).
func (c *Cond) Match(rec map[string]any) bool {
	switch c.Op {
	case "AND":
		return c.Args[0].Match(rec) && c.Args[1].Match(rec)
	case "OR":
		return c.Args[0].Match(rec) || c.Args[1].Match(rec)
	}
	// A missing or null field (nil) is of no kind, so it meets no comparison.
	l, r := c.L.value(rec), c.R.value(rec)
	var order int
	switch lv := l.(type) {
	case string:
		rv, ok := r.(string)
		if !ok {
			return false
		}
		order = strings.Compare(lv, rv)
	case bool:
		rv, ok := r.(bool)
		switch {
		case ok && c.Op == "=":
			return lv == rv
		case ok && c.Op == "!=":
			return lv != rv
		}
		return false
	default:
		var ok bool
		if order, ok = compareNumbers(l, r); !ok {
			return false
		}
	}
	switch c.Op {
	case "=":
		return order == 0
	case "!=":
		return order != 0
	case "<":
		return order < 0
	case "<=":
		return order <= 0
	case ">":
		return order > 0
	case ">=":
		return order >= 0
	}
	return false
}

func (o *Operand) value(rec map[string]any) any {
	if o.Field == "" {
		return o.Value
	}
	return rec[o.Field]
}

// compareNumbers compares two numbers: exactly when both are integers,
// as float64 otherwise. ok is false when either is not a number.
func compareNumbers(a, b any) (int, bool) {
	ai, aInt := a.(int64)
	bi, bInt := b.(int64)
	if aInt && bInt {
		return cmp.Compare(ai, bi), true
	}
	af, ok := toFloat(a)
	if !ok {
		return 0, false
	}
	bf, ok := toFloat(b)
	if !ok {
		return 0, false
	}
	return cmp.Compare(af, bf), true
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}
