// Package redact removes request header values and key material from text
// that goes into reports and logs: the values the features send, wherever
// they appear, and, by structure, whatever secret.Text masks (every value
// of a sensitive header or property name, PEM blocks, base64 PEM).
package redact

import (
	"encoding/json"
	"html"
	"regexp"
	"sort"
	"strings"

	"github.com/wsconform/wsconform/internal/secret"
	"github.com/wsconform/wsconform/steps/featureset"
)

// Mask replaces every redacted value.
const Mask = secret.Mask

var (
	// headerWord finds steps about headers.
	headerWord = regexp.MustCompile(`(?i)header`)
	// quoted finds "double quoted" step parameters.
	quoted = regexp.MustCompile(`"([^"]*)"`)
	// headerLine is "Name: value".
	headerLine = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9-]*):\s*(.+)$`)
	// valueWord ends the text before a quoted header value in a step.
	valueWord = regexp.MustCompile(`\b(with|values?)$`)
)

// Redactor removes known secret values and key material from text. The zero
// value removes key material and sensitive header values only.
type Redactor struct {
	secrets []string // longest first
}

// New returns a Redactor that also removes every occurrence of secrets
// (values shorter than 3 characters are ignored: they would mask ordinary
// text).
func New(secrets ...string) *Redactor {
	seen := map[string]bool{}
	r := &Redactor{}
	for _, s := range secrets {
		for _, v := range variants(s) {
			if len(v) < 3 || seen[v] {
				continue
			}
			seen[v] = true
			r.secrets = append(r.secrets, v)
		}
	}
	sort.Slice(r.secrets, func(i, j int) bool {
		if len(r.secrets[i]) != len(r.secrets[j]) {
			return len(r.secrets[i]) > len(r.secrets[j])
		}
		return r.secrets[i] < r.secrets[j]
	})
	return r
}

// variants are the forms a value takes in plain text, JSON and XML/HTML.
func variants(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	out := []string{s}
	if b, err := json.Marshal(s); err == nil {
		out = append(out, string(b[1:len(b)-1]))
	}
	out = append(out, html.EscapeString(s), strings.ReplaceAll(html.EscapeString(s), "&#34;", "&quot;"))
	return out
}

// String returns s without secrets, PEM blocks, base64 PEM and values of
// sensitive headers.
func (r *Redactor) String(s string) string {
	if r != nil {
		for _, v := range r.secrets {
			s = replaceWord(s, v)
		}
	}
	return secret.Text(s)
}

// replaceWord replaces v in s by Mask where v does not continue a word: a
// value "red" is masked in "X-Team: red" but not in "stored".
func replaceWord(s, v string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, v)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(v)
		if (i > 0 && isWord(s[i-1]) && isWord(v[0])) || (end < len(s) && isWord(s[end]) && isWord(v[len(v)-1])) {
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		b.WriteString(s[:i])
		b.WriteString(Mask)
		s = s[end:]
	}
}

func isWord(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// Bytes is String for a byte slice.
func (r *Redactor) Bytes(b []byte) []byte { return []byte(r.String(string(b))) }

// FeatureSecrets returns the header values the features send: in steps that
// mention a header, the value of every quoted "Name: value" and every quoted
// parameter right after the word "with", "value" or "values", the cells of data
// tables but their first column, and the values of "Name: value" lines of doc
// strings; in any step, the values of a table row whose first cell names a
// header (a requestHeader property, as a JSON map or plain).
func FeatureSecrets(features []featureset.Feature) []string {
	var out []string
	for _, f := range features {
		for _, sc := range f.Scenarios {
			for _, st := range sc.Steps {
				out = append(out, StepSecrets(st)...)
			}
		}
	}
	return out
}

// StepSecrets returns the header values one step carries (see FeatureSecrets).
func StepSecrets(st featureset.Step) []string {
	var out []string
	if headerWord.MatchString(st.Text) {
		for _, m := range quoted.FindAllStringSubmatchIndex(st.Text, -1) {
			value := st.Text[m[2]:m[3]]
			if nv := headerLine.FindStringSubmatch(value); nv != nil {
				out = append(out, nv[2]) // "Name: value"
				continue
			}
			before := strings.ToLower(strings.TrimSpace(st.Text[:m[0]]))
			if valueWord.MatchString(before) {
				out = append(out, value) // `header "X-Team" with "red"`, `... the value "red"`
			}
		}
	}
	for _, row := range st.Table {
		if len(row) < 2 {
			continue
		}
		switch {
		case headerWord.MatchString(row[0]):
			out = append(out, headerValues(row[1:])...)
		case headerWord.MatchString(st.Text):
			out = append(out, row[1:]...)
		}
	}
	if !headerWord.MatchString(st.Text) && !headerWord.MatchString(st.DocString) {
		return out
	}
	for _, line := range strings.Split(st.DocString, "\n") {
		if i := strings.Index(line, ":"); i > 0 {
			v := strings.Trim(strings.TrimSpace(line[i+1:]), `"',[]{}`)
			if v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// headerValues returns the values of header maps written as JSON
// ({"Name": ["v1", "v2"]} or {"Name": "v"}); cells that are not JSON are
// values themselves.
func headerValues(cells []string) []string {
	var out []string
	for _, c := range cells {
		var multi map[string][]string
		var single map[string]string
		switch {
		case json.Unmarshal([]byte(c), &multi) == nil:
			for _, vs := range multi {
				out = append(out, vs...)
			}
		case json.Unmarshal([]byte(c), &single) == nil:
			for _, v := range single {
				out = append(out, v)
			}
		default:
			out = append(out, c)
		}
	}
	return out
}
