// Package secret keeps credentials and key material out of messages and
// reports: it knows which header and property names carry secrets, describes
// their values without showing them, and masks them in text by structure
// (every value after a sensitive name, in plain, Go, JSON, escaped JSON and
// XML/HTML-escaped forms; every PEM block; base64 of PEM).
package secret

import (
	"fmt"
	"regexp"
	"strings"
)

// Mask replaces every masked value.
const Mask = "[REDACTED]"

// PEMMask replaces a PEM block.
const PEMMask = "[REDACTED PEM]"

var (
	// sensitiveName matches header and property names whose values are
	// secrets: credentials, cookies, API keys, tokens, passwords and the
	// base64 key material properties of a confKey.
	sensitiveName = regexp.MustCompile(`(?i)^(?:(?:proxy-)?authorization|(?:set-)?cookie2?|(?:x-)?api-?key|[a-z0-9_-]*(?:token|secret|password|passwd|credential)[a-z0-9_-]*|certi?f?ication-?raw|rootca-?raw|privatekey-?raw)$`)
	// nameBefore finds a candidate name followed by a separator; the name
	// is checked with sensitiveName.
	nameBefore = regexp.MustCompile(`(?i)\b([a-z][a-z0-9_-]*)((?:\\?"|&#34;|&quot;)?)(\s*[:=]\s*|\s+(?:\\?"|&#34;|&quot;))`)
	// pemBlock is a PEM block, also when its newlines are escaped as \n.
	pemBlock = regexp.MustCompile(`(?s)-----BEGIN [A-Z0-9 ]+-----.*?(-----END [A-Z0-9 ]+-----|$)`)
	// pemBase64 is base64 of text starting with "-----BEGIN" (a *Raw confKey
	// property).
	pemBase64 = regexp.MustCompile(`LS0tLS1CRUdJTi[A-Za-z0-9+/=]*`)
)

// quotes are the forms a double quote takes in text: plain, escaped in a
// JSON or Go string, and escaped in XML or HTML.
var quotes = []string{`\"`, `"`, "&#34;", "&quot;"}

// Name tells whether values of the header or property name are secrets.
func Name(name string) bool { return sensitiveName.MatchString(strings.TrimSpace(name)) }

// Values describes the values of header or property name for a message: the
// values themselves, quoted, for an ordinary name, and only how many there are
// and how long they are for a sensitive one.
func Values(name string, values []string) string {
	if !Name(name) {
		return fmt.Sprintf("%q", values)
	}
	switch len(values) {
	case 0:
		return "no value"
	case 1:
		return fmt.Sprintf("1 value of %d characters (not shown)", len(values[0]))
	}
	lens := make([]string, len(values))
	for i, v := range values {
		lens[i] = fmt.Sprint(len(v))
	}
	return fmt.Sprintf("%d values of %s characters (not shown)", len(values), strings.Join(lens, ", "))
}

// Text returns s with every PEM block, every base64 PEM text and every value
// of a sensitive name masked. A value follows its name after ":" or "=" (or a
// space and a quote); it is a quoted string, a bracketed list (Go's
// [a b] and ["a" "b"], JSON's ["a","b"]) or the rest of the line. Quotes may
// be plain, backslash-escaped or XML-escaped; masking keeps them, so JSON and
// XML stay well formed.
func Text(s string) string {
	s = pemBlock.ReplaceAllString(s, PEMMask)
	s = pemBase64.ReplaceAllString(s, Mask)
	var b strings.Builder
	for {
		m := nameBefore.FindStringSubmatchIndex(s)
		if m == nil {
			b.WriteString(s)
			return b.String()
		}
		if !Name(s[m[2]:m[3]]) {
			b.WriteString(s[:m[3]])
			s = s[m[3]:]
			continue
		}
		// A separator that ends with a quote opens the value.
		end := m[1]
		sep := s[m[6]:m[7]]
		for _, q := range quotes {
			if strings.HasSuffix(sep, q) && strings.TrimSpace(strings.TrimSuffix(sep, q)) == "" {
				end -= len(q)
				break
			}
		}
		b.WriteString(s[:end])
		s = s[end:]
		n, masked := value(s)
		b.WriteString(masked)
		s = s[n:]
	}
}

// value masks the value at the start of s and returns how many bytes of s it
// spans and its masked form.
func value(s string) (int, string) {
	if q := quoteAt(s); q != "" {
		n := closing(s, len(q), q)
		if n < 0 {
			return len(s), q + Mask
		}
		return n + len(q), q + Mask + q
	}
	if strings.HasPrefix(s, "[") {
		return list(s)
	}
	n := bare(s)
	if n == 0 || strings.HasPrefix(s, Mask) || strings.HasPrefix(s, PEMMask) {
		return 0, ""
	}
	return n, Mask
}

// list masks the bracketed list at the start of s: every quoted item, or
// the whole content of an unquoted list (Go's [a b]).
func list(s string) (int, string) {
	for _, done := range []string{"[" + Mask + "]", Mask, PEMMask} {
		if strings.HasPrefix(s, done) {
			return len(done), done
		}
	}
	var b strings.Builder
	b.WriteByte('[')
	for i := 1; i < len(s); {
		switch c := s[i]; {
		case c == ']':
			b.WriteByte(']')
			return i + 1, b.String()
		case c == '\n' || c == '\r':
			return i, b.String()
		case c == ' ' || c == ',' || c == '\t':
			b.WriteByte(c)
			i++
			continue
		}
		if q := quoteAt(s[i:]); q != "" {
			n := closing(s, i+len(q), q)
			if n < 0 {
				b.WriteString(q + Mask)
				return len(s), b.String()
			}
			b.WriteString(q + Mask + q)
			i = n + len(q)
			continue
		}
		j := i
		for j < len(s) && s[j] != ']' && s[j] != '\n' && s[j] != '\r' {
			j++
		}
		b.WriteString(Mask)
		i = j
	}
	return len(s), b.String()
}

// quoteAt is the quote s starts with, "" when none.
func quoteAt(s string) string {
	for _, q := range quotes {
		if strings.HasPrefix(s, q) {
			return q
		}
	}
	return ""
}

// closing is the index of the quote q that closes a string starting at from,
// -1 when there is none. A plain quote preceded by a backslash does not close.
func closing(s string, from int, q string) int {
	for i := from; i < len(s); {
		j := strings.Index(s[i:], q)
		if j < 0 {
			return -1
		}
		at := i + j
		if q == `"` && at > 0 && s[at-1] == '\\' {
			i = at + 1
			continue
		}
		if q == `\"` && at > 0 && s[at-1] == '\\' { // \\\" inside escaped text
			i = at + 2
			continue
		}
		return at
	}
	return -1
}

// bare is the length of an unquoted value: up to the end of the line, a
// quote in any form, a bracket or an escaped newline.
func bare(s string) int {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\r', '\n', '"', '[', ']':
			return i
		case '\\':
			if i+1 < len(s) && strings.IndexByte(`"nrt\`, s[i+1]) >= 0 {
				return i
			}
		case '&':
			if strings.HasPrefix(s[i:], "&#34;") || strings.HasPrefix(s[i:], "&quot;") {
				return i
			}
		}
	}
	return len(s)
}
