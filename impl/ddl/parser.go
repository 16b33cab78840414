package ddl

import (
	"strings"
)

// expectFieldTypes is eKuiper's wording for a missing or unknown field type.
const expectFieldTypes = "valid stream field types(BIGINT | FLOAT | STRING | DATETIME | BOOLEAN | BYTEA | ARRAY | STRUCT)"

type parser struct {
	toks []token
	i    int
}

func newParser(src string) *parser { return &parser{toks: lex(src)} }

// peek returns the next token without consuming it.
func (p *parser) peek() token { return p.toks[p.i] }

// next consumes a token; EOF and lexical errors are never consumed.
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF && t.kind != tokError {
		p.i++
	}
	return t
}

// fail reports t as unexpected; a lexical error wins over the expectation.
func fail(t token, expected string) error {
	if t.kind == tokError {
		return t.err
	}
	return &SyntaxError{Found: t.found(), Pos: t.pos, Expected: expected}
}

func (p *parser) keyword(kw, expected string) error {
	if t := p.next(); !t.is(kw) {
		return fail(t, expected)
	}
	return nil
}

func (p *parser) punct(c, expected string) error {
	if t := p.next(); !t.isPunct(c) {
		return fail(t, expected)
	}
	return nil
}

func (p *parser) ident(expected string) (string, error) {
	t := p.next()
	if t.kind != tokWord {
		return "", fail(t, expected)
	}
	return t.lit, nil
}

// end accepts an optional semicolon followed by the end of the text.
func (p *parser) end() error {
	if p.peek().isPunct(";") {
		p.next()
	}
	if t := p.next(); t.kind != tokEOF {
		return fail(t, "semicolon or EOF")
	}
	return nil
}

// ParseStream parses `CREATE STREAM name (field TYPE, ...) WITH (KEY="value", ...)`.
// Keywords, types and option keys are case-insensitive; `name()` declares a
// schemaless stream; an optional semicolon may end the statement. Errors are
// *SyntaxError.
func ParseStream(sql string) (Stream, error) {
	p := newParser(sql)
	if err := p.keyword("CREATE", "CREATE STREAM"); err != nil {
		return Stream{}, err
	}
	if err := p.keyword("STREAM", "keyword stream"); err != nil {
		return Stream{}, err
	}
	return p.streamTail(strings.TrimSpace(sql))
}

// streamTail parses what follows CREATE STREAM.
func (p *parser) streamTail(sql string) (Stream, error) {
	st := Stream{SQL: sql}
	name, err := p.ident("stream name")
	if err != nil {
		return Stream{}, err
	}
	st.Name = name
	if err := p.punct("(", "lparen after stream name"); err != nil {
		return Stream{}, err
	}
	if st.Fields, err = p.fieldList(); err != nil {
		return Stream{}, err
	}
	if st.Options, err = p.options(); err != nil {
		return Stream{}, err
	}
	if err := p.end(); err != nil {
		return Stream{}, err
	}
	return st, nil
}

// fieldList parses fields up to and including the closing parenthesis; the
// opening one is already consumed. `()` gives nil.
func (p *parser) fieldList() ([]Field, error) {
	if p.peek().isPunct(")") {
		p.next()
		return nil, nil
	}
	var fields []Field
	for {
		name, err := p.ident("stream field name")
		if err != nil {
			return nil, err
		}
		f, err := p.fieldType()
		if err != nil {
			return nil, err
		}
		f.Name = name
		fields = append(fields, f)
		t := p.next()
		switch {
		case t.isPunct(","):
		case t.isPunct(")"):
			return fields, nil
		default:
			return nil, fail(t, "comma or right parenthesis")
		}
	}
}

// fieldType parses a type: a simple one, ARRAY or ARRAY(type), STRUCT or
// STRUCT(name type, ...).
func (p *parser) fieldType() (Field, error) {
	t := p.next()
	if t.kind != tokWord { // a backquoted type is the type, as in eKuiper
		return Field{}, fail(t, expectFieldTypes)
	}
	ft := FieldType(strings.ToUpper(t.lit))
	switch ft {
	case Bigint, Float, String, Datetime, Boolean, Bytea:
		return Field{Type: ft}, nil
	case Array:
		f := Field{Type: Array}
		if !p.peek().isPunct("(") {
			return f, nil
		}
		p.next()
		elem, err := p.fieldType()
		if err != nil {
			return Field{}, err
		}
		if err := p.punct(")", "right parenthesis after the ARRAY element type"); err != nil {
			return Field{}, err
		}
		f.Elem = &elem
		return f, nil
	case Struct:
		f := Field{Type: Struct}
		if !p.peek().isPunct("(") {
			return f, nil
		}
		p.next()
		if p.peek().isPunct(")") {
			return Field{}, fail(p.peek(), "stream field name")
		}
		fields, err := p.fieldList()
		if err != nil {
			return Field{}, err
		}
		f.Fields = fields
		return f, nil
	}
	return Field{}, fail(t, expectFieldTypes)
}

// otherOptions are the option keys eKuiper knows besides DATASOURCE, FORMAT,
// TYPE, CONF_KEY and SHARED; the source ignores them.
var otherOptions = map[string]bool{
	"KEY": true, "STRICT_VALIDATION": true, "TIMESTAMP": true, "TIMESTAMP_FORMAT": true,
	"RETAIN_SIZE": true, "SCHEMAID": true, "KIND": true, "DELIMITER": true,
	"VERSION": true, "EXTRA": true, "TEMP": true,
}

// expectOptionKeys is eKuiper's wording for an option key it does not know.
const expectOptionKeys = "unknown option keys(DATASOURCE|FORMAT|KEY|CONF_KEY|SHARED|STRICT_VALIDATION|TYPE|TIMESTAMP|TIMESTAMP_FORMAT|RETAIN_SIZE|SCHEMAID|EXTRA|VERSION|TEMP|KIND|DELIMITER)"

// options parses WITH (KEY="value", ...); commas between options are optional,
// as in eKuiper, and a key eKuiper does not know is refused.
func (p *parser) options() (Options, error) {
	var o Options
	if err := p.keyword("WITH", "with"); err != nil {
		return o, err
	}
	if err := p.punct("(", "stream options"); err != nil {
		return o, err
	}
	for {
		t := p.next()
		switch {
		case t.isPunct(")"):
			return o, nil
		case t.isPunct(","):
			continue
		case t.kind != tokWord:
			return o, fail(t, "option key or right parenthesis")
		}
		if err := p.punct("=", "equals(=) in options"); err != nil {
			return o, err
		}
		// A value is a double-quoted string, or TRUE or FALSE unquoted, as in
		// eKuiper; a single-quoted string is refused.
		v := p.next()
		switch {
		case v.is("TRUE"), v.is("FALSE"):
			v.lit = strings.ToUpper(v.lit)
		case v.kind != tokString || v.single:
			return o, fail(v, "string value in option")
		}
		switch key := strings.ToUpper(t.lit); key {
		case "DATASOURCE":
			o.Datasource = v.lit
		case "FORMAT":
			o.Format = v.lit
		case "TYPE":
			o.Type = v.lit
		case "CONF_KEY":
			o.ConfKey = v.lit
		case "SHARED":
			// eKuiper takes TRUE or FALSE in any case, nothing else ("1", "yes", " true").
			switch strings.ToUpper(v.lit) {
			case "TRUE":
				o.Shared = true
			case "FALSE":
				o.Shared = false
			default:
				return o, &SyntaxError{Found: v.lit, Pos: v.pos, Expected: "TRUE/FALSE value in SHARED option"}
			}
		default:
			if !otherOptions[key] {
				return o, &SyntaxError{Found: key, Pos: t.pos, Expected: expectOptionKeys}
			}
			if o.Extra == nil {
				o.Extra = make(map[string]string)
			}
			o.Extra[key] = v.lit
		}
	}
}

// ParseCLIStream parses what follows `create stream` on the eKuiper command
// line: `demo '() with(format="json", datasource="/api/data", type="websocket")'`,
// where single quotes enclose the part after the name, or the same without them.
// Positions in a *SyntaxError count in args.
func ParseCLIStream(args string) (Stream, error) {
	// Blank out enclosing quotes so that positions stay those of args.
	src := []byte(args)
	start, end := 0, len(src)
	for start < end && isSpace(src[start]) {
		start++
	}
	for end > start && isSpace(src[end-1]) {
		end--
	}
	if end-start >= 2 && src[start] == '\'' && src[end-1] == '\'' {
		// The whole tail, name included, in quotes.
		src[start], src[end-1] = ' ', ' '
	} else {
		i := start
		if i < end && src[i] == '`' {
			// A backquoted name may hold blanks and quotes.
			if j := strings.IndexByte(string(src[i+1:end]), '`'); j >= 0 {
				i += j + 2
			}
		}
		for i < end && src[i] != '\'' && src[i] != '(' && !isSpace(src[i]) {
			i++
		}
		for i < end && isSpace(src[i]) {
			i++
		}
		if i < end-1 && src[i] == '\'' && src[end-1] == '\'' {
			src[i], src[end-1] = ' ', ' '
		}
	}
	const prefix = "CREATE STREAM "
	p := newParser(prefix + string(src))
	p.next() // CREATE
	p.next() // STREAM
	st, err := p.streamTail("")
	if err != nil {
		if se, ok := err.(*SyntaxError); ok {
			moved := *se
			moved.Pos -= len(prefix)
			return Stream{}, &moved
		}
		return Stream{}, err
	}
	nameTok := p.toks[2]
	nameEnd := nameTok.pos - len(prefix) + len(nameTok.lit)
	if nameTok.quoted {
		nameEnd += 2
	}
	st.SQL = prefix + string(src[nameTok.pos-len(prefix):nameEnd]) + " " + strings.TrimSpace(string(src[nameEnd:]))
	return st, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// ParseSelect parses `SELECT * FROM s` or `SELECT a, b FROM s`, maybe with
// a WHERE condition (comparisons joined by AND, OR and NOT), with an
// optional trailing semicolon. Keywords are case-insensitive. Errors are
// *SyntaxError.
func ParseSelect(sql string) (Select, error) {
	p := newParser(sql)
	var sel Select
	if err := p.keyword("SELECT", "a select statement"); err != nil {
		return Select{}, err
	}
	if p.peek().isPunct("*") {
		p.next()
	} else {
		for {
			t := p.next()
			if t.kind != tokWord || t.is("FROM") {
				return Select{}, fail(t, "field name or *")
			}
			if n := p.peek(); n.isPunct("(") && !t.quoted {
				return Select{}, fail(n, "comma or FROM (function "+t.lit+" not found: "+selectOnly+")")
			}
			sel.Fields = append(sel.Fields, t.lit)
			if !p.peek().isPunct(",") {
				break
			}
			p.next()
		}
	}
	if t := p.peek(); !t.is("FROM") && t.kind == tokWord && !t.quoted {
		return Select{}, fail(t, "comma or FROM ("+strings.ToUpper(t.lit)+" is not supported: "+selectOnly+")")
	}
	if err := p.keyword("FROM", "FROM"); err != nil {
		return Select{}, err
	}
	from, err := p.ident("stream name")
	if err != nil {
		return Select{}, err
	}
	sel.From = from
	if p.peek().is("WHERE") {
		p.next()
		if sel.Where, err = p.where(); err != nil {
			return Select{}, err
		}
	}
	if t := p.peek(); t.kind == tokWord && !t.quoted {
		clause := strings.ToUpper(t.lit)
		if n := p.toks[p.i+1]; (clause == "GROUP" || clause == "ORDER") && n.is("BY") {
			clause += " BY"
		}
		return Select{}, fail(t, "semicolon or EOF ("+clause+" is not supported: "+selectOnly+")")
	}
	if err := p.end(); err != nil {
		return Select{}, err
	}
	return sel, nil
}

// selectOnly says which SELECT statements the reference runs; a rule with
// anything more is refused, never run as if the rest were not there.
const selectOnly = "this engine runs only SELECT * FROM stream and SELECT field, ... FROM stream, with an optional WHERE"
