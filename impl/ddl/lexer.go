package ddl

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind int

const (
	tokEOF     tokKind = iota
	tokWord            // identifier or keyword, possibly backquoted
	tokString          // a quoted string value
	tokPunct           // one of ( ) , = ; * < > <= >= <> !=
	tokNumber          // a number: digits, maybe a fraction
	tokIllegal         // a character no rule accepts
	tokError           // a lexical error, carried in err
)

type token struct {
	kind   tokKind
	lit    string // the word, the string content or the punctuation
	pos    int    // byte offset of the token in the input
	quoted bool   // a backquoted word: never a keyword
	single bool   // a single-quoted string
	err    *SyntaxError
}

// found is how the token is named in a SyntaxError.
func (t token) found() string {
	if t.kind == tokEOF {
		return "EOF"
	}
	return t.lit
}

// is reports whether t is the keyword kw (case-insensitive, not backquoted).
func (t token) is(kw string) bool {
	return t.kind == tokWord && !t.quoted && strings.EqualFold(t.lit, kw)
}

// isPunct reports whether t is the punctuation p.
func (t token) isPunct(p string) bool {
	return t.kind == tokPunct && t.lit == p
}

// lex splits src into tokens, ending with tokEOF or at the first tokError.
func lex(src string) []token {
	var toks []token
	i := 0
	for {
		for i < len(src) {
			r, n := utf8.DecodeRuneInString(src[i:])
			if !unicode.IsSpace(r) {
				break
			}
			i += n
		}
		if i >= len(src) {
			return append(toks, token{kind: tokEOF, pos: len(src)})
		}
		start := i
		c := src[i]
		switch {
		case c == '(' || c == ')' || c == ',' || c == '=' || c == ';' || c == '*':
			toks = append(toks, token{kind: tokPunct, lit: src[i : i+1], pos: start})
			i++
		case c == '<' || c == '>' || c == '!':
			n := 1
			if i+1 < len(src) && (src[i+1] == '=' || (c == '<' && src[i+1] == '>')) {
				n = 2
			}
			kind := tokPunct
			if c == '!' && n == 1 {
				kind = tokIllegal
			}
			toks = append(toks, token{kind: kind, lit: src[i : i+n], pos: start})
			i += n
		case c >= '0' && c <= '9':
			i = scanNumber(src, i)
			toks = append(toks, token{kind: tokNumber, lit: src[start:i], pos: start})
		case c == '"' || c == '\'':
			s, end, ok := scanString(src, i)
			switch {
			case !ok:
				return append(toks, token{kind: tokError, pos: start, err: &SyntaxError{
					Found: src[start:], Pos: start, Expected: "a closing " + string(c),
				}})
			case end < 0:
				return append(toks, token{kind: tokError, pos: start, err: &SyntaxError{
					Found: "invalid string: " + s, Pos: start, Expected: `a string with valid escapes (\n \t \" \\ \uXXXX ...)`,
				}})
			}
			toks = append(toks, token{kind: tokString, lit: s, pos: start, single: c == '\''})
			i = end
		case c == '`':
			end := strings.IndexByte(src[i+1:], '`')
			if end < 0 {
				return append(toks, token{kind: tokError, pos: start, err: &SyntaxError{
					Found: src[start:], Pos: start, Expected: "a closing `",
				}})
			}
			toks = append(toks, token{kind: tokWord, lit: src[i+1 : i+1+end], pos: start, quoted: true})
			i += end + 2
		default:
			for i < len(src) {
				r, n := utf8.DecodeRuneInString(src[i:])
				if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					break
				}
				i += n
			}
			if i == start {
				_, n := utf8.DecodeRuneInString(src[i:])
				toks = append(toks, token{kind: tokIllegal, lit: src[i : i+n], pos: start})
				i += n
				continue
			}
			toks = append(toks, token{kind: tokWord, lit: src[start:i], pos: start})
		}
	}
}

// scanNumber returns the offset after the number at src[i]: digits, then
// maybe a decimal point and the digits of a fraction, none included (eKuiper
// reads 2. as 2). An exponent is not read, as eKuiper reads none.
func scanNumber(src string, i int) int {
	digits := func(j int) int {
		for j < len(src) && src[j] >= '0' && src[j] <= '9' {
			j++
		}
		return j
	}
	i = digits(i)
	if i < len(src) && src[i] == '.' {
		i = digits(i + 1)
	}
	return i
}

// scanString reads a string quoted by src[i]. Its escapes are Go's, as
// eKuiper reads them (strconv.Unquote): \n \t \" \\ \uXXXX \xXX and the
// others; in a single-quoted string \' is a quote too. It returns the content
// and the offset after the closing quote; ok false when the string does not
// end; end -1 with the string as written when an escape is invalid.
func scanString(src string, i int) (s string, end int, ok bool) {
	q := src[i]
	var b strings.Builder // the string as a double-quoted Go literal
	b.WriteByte('"')
	for j := i + 1; j < len(src); j++ {
		c := src[j]
		switch {
		case c == q:
			b.WriteByte('"')
			u, err := strconv.Unquote(b.String())
			if err != nil {
				return src[i : j+1], -1, true
			}
			return u, j + 1, true
		case c == '\\' && j+1 < len(src):
			j++
			if q == '\'' && src[j] == '\'' {
				b.WriteByte('\'')
			} else {
				b.WriteByte('\\')
				b.WriteByte(src[j])
			}
		case c == '"':
			b.WriteString(`\"`)
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, false
}
