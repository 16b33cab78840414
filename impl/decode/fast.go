package decode

import (
	"encoding/json"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds nesting like encoding/json does.
const maxDepth = 10000

// parser is a single-pass JSON reader for the common case. It gives up (ok
// false) on anything unusual; Decode then falls back to encoding/json, which
// is authoritative for both values and errors.
type parser struct {
	b []byte
	i int
	// typed is set for a stream with a schema, whose fields convert from
	// the number as written.
	typed bool
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *parser) skipSpace() {
	for p.i < len(p.b) && isSpace(p.b[p.i]) {
		p.i++
	}
}

// value parses one JSON value at p.i.
func (p *parser) value(depth int) (any, bool) {
	p.skipSpace()
	if p.i >= len(p.b) {
		return nil, false
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	}
	return nil, false
}

func (p *parser) literal(lit string) bool {
	if len(p.b)-p.i < len(lit) || string(p.b[p.i:p.i+len(lit)]) != lit {
		return false
	}
	p.i += len(lit)
	return true
}

func (p *parser) object(depth int) (map[string]any, bool) {
	if depth > maxDepth {
		return nil, false
	}
	p.i++ // {
	m := make(map[string]any)
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return m, true
	}
	for {
		p.skipSpace()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, false
		}
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		p.skipSpace()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, false
		}
		p.i++
		v, ok := p.value(depth)
		if !ok {
			return nil, false
		}
		m[k] = v
		more, ok := p.separator('}')
		if !ok {
			return nil, false
		}
		if !more {
			return m, true
		}
	}
}

func (p *parser) array(depth int) ([]any, bool) {
	if depth > maxDepth {
		return nil, false
	}
	p.i++ // [
	a := []any{}
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return a, true
	}
	for {
		v, ok := p.value(depth)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		more, ok := p.separator(']')
		if !ok {
			return nil, false
		}
		if !more {
			return a, true
		}
	}
}

// separator consumes what follows an element of an object or array: a comma
// (more is true) or the closing byte (more is false); anything else is not ok.
func (p *parser) separator(closer byte) (more, ok bool) {
	p.skipSpace()
	if p.i >= len(p.b) {
		return false, false
	}
	switch p.b[p.i] {
	case ',':
		p.i++
		return true, true
	case closer:
		p.i++
		return false, true
	}
	return false, false
}

// str parses a string at p.i (the opening quote), with encoding/json's
// treatment of escapes and invalid UTF-8 (replaced by U+FFFD).
func (p *parser) str() (string, bool) {
	start := p.i + 1
	ascii := true
	for j := start; j < len(p.b); j++ {
		c := p.b[j]
		switch {
		case c == '"':
			s := p.b[start:j]
			if !ascii && !utf8.Valid(s) {
				return p.slowStr(start)
			}
			p.i = j + 1
			return string(s), true
		case c == '\\':
			return p.slowStr(start)
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}

func (p *parser) slowStr(start int) (string, bool) {
	out := make([]byte, 0, 32)
	j := start
	for j < len(p.b) {
		c := p.b[j]
		switch {
		case c == '"':
			p.i = j + 1
			return string(out), true
		case c < 0x20:
			return "", false
		case c == '\\':
			if j+1 >= len(p.b) {
				return "", false
			}
			switch e := p.b[j+1]; e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := hex4(p.b, j+2)
				if !ok {
					return "", false
				}
				j += 6
				if utf16.IsSurrogate(r) {
					r2, ok2 := rune(-1), false
					if j+1 < len(p.b) && p.b[j] == '\\' && p.b[j+1] == 'u' {
						r2, ok2 = hex4(p.b, j+2)
					}
					if dec := utf16.DecodeRune(r, r2); ok2 && dec != utf8.RuneError {
						j += 6
						r = dec
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
				continue
			default:
				return "", false
			}
			j += 2
		case c < utf8.RuneSelf:
			out = append(out, c)
			j++
		default:
			r, size := utf8.DecodeRune(p.b[j:])
			if r == utf8.RuneError && size == 1 {
				out = utf8.AppendRune(out, utf8.RuneError)
			} else {
				out = append(out, p.b[j:j+size]...)
			}
			j += size
		}
	}
	return "", false
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
	}
	return r, true
}

// number parses a number with JSON's grammar: integers as int64 (json.Number
// beyond int64), other numbers as float64.
func (p *parser) number() (any, bool) {
	start := p.i
	j := p.i
	neg := false
	if p.b[j] == '-' {
		neg = true
		j++
	}
	digits := j
	if j >= len(p.b) {
		return nil, false
	}
	if p.b[j] == '0' {
		j++
	} else {
		for j < len(p.b) && p.b[j] >= '0' && p.b[j] <= '9' {
			j++
		}
	}
	if j == digits {
		return nil, false
	}
	intEnd := j
	isInt := true
	if j < len(p.b) && p.b[j] == '.' {
		isInt = false
		j++
		k := j
		for j < len(p.b) && p.b[j] >= '0' && p.b[j] <= '9' {
			j++
		}
		if j == k {
			return nil, false
		}
	}
	if j < len(p.b) && (p.b[j] == 'e' || p.b[j] == 'E') {
		isInt = false
		j++
		if j < len(p.b) && (p.b[j] == '+' || p.b[j] == '-') {
			j++
		}
		k := j
		for j < len(p.b) && p.b[j] >= '0' && p.b[j] <= '9' {
			j++
		}
		if j == k {
			return nil, false
		}
	}
	p.i = j
	lit := p.b[start:j]
	if isInt && intEnd-digits <= 18 {
		// Up to 18 digits always fit in int64.
		var n int64
		for _, c := range p.b[digits:intEnd] {
			n = n*10 + int64(c-'0')
		}
		if neg {
			if n == 0 && p.typed {
				// -0 is the integer 0 but the float -0: a FLOAT field
				// holds -0 and a STRING field "-0", as on the
				// encoding/json path.
				return json.Number(lit), true
			}
			n = -n
		}
		return n, true
	}
	if isInt {
		if n, err := strconv.ParseInt(string(lit), 10, 64); err == nil {
			return n, true
		}
		return json.Number(lit), true
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		return nil, false
	}
	return f, true
}
