// Package redact removes request header values and key material from text
// that goes into reports and logs.
package redact

import (
	"encoding/json"
	"html"
	"regexp"
	"sort"
	"strings"

	"github.com/wsconform/wsconform/tools/featureset"
)

// Mask replaces every redacted value.
const Mask = "[REDACTED]"

var (
	// pemBlock is a PEM block, also when its newlines are escaped as \n.
	pemBlock = regexp.MustCompile(`(?s)-----BEGIN [A-Z0-9 ]+-----.*?(-----END [A-Z0-9 ]+-----|$)`)
	// pemBase64 is base64 of text starting with "-----BEGIN" (a *Raw confKey
	// property).
	pemBase64 = regexp.MustCompile(`LS0tLS1CRUdJTi[A-Za-z0-9+/=]*`)
	// sensitive header names followed by their value, as "Name: value",
	// "Name=value", "Name:[value]" (a Go http.Header) or "Name" "value".
	sensitiveHeader = regexp.MustCompile(`(?i)\b((?:proxy-)?authorization|cookie|set-cookie|x-api-key|api-key|[a-z0-9-]*(?:token|secret|password)[a-z0-9-]*)("?:\[|"?\s*[:=]\s*"?|"?\s+")([^"\]\r\n]*)`)
	// headerWord finds steps about headers.
	headerWord = regexp.MustCompile(`(?i)header`)
	// quoted finds "double quoted" step parameters.
	quoted = regexp.MustCompile(`"([^"]*)"`)
	// headerName looks like an HTTP header name.
	headerName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*$`)
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
			s = strings.ReplaceAll(s, v, Mask)
		}
	}
	s = pemBlock.ReplaceAllString(s, "[REDACTED PEM]")
	s = pemBase64.ReplaceAllString(s, Mask)
	s = sensitiveHeader.ReplaceAllStringFunc(s, func(m string) string {
		sub := sensitiveHeader.FindStringSubmatch(m)
		if strings.TrimSpace(sub[3]) == "" || strings.HasPrefix(sub[3], "[REDACTED") {
			return m
		}
		return sub[1] + sub[2] + Mask
	})
	return s
}

// Bytes is String for a byte slice.
func (r *Redactor) Bytes(b []byte) []byte { return []byte(r.String(string(b))) }

// FeatureSecrets returns the header values the features send: in steps that
// mention a header, every quoted parameter but a header name right after the
// word "header", the cells of data tables but their first column, and the values of
// "Name: value" lines of doc strings.
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
	if !headerWord.MatchString(st.Text) && !headerWord.MatchString(st.DocString) {
		return nil
	}
	var out []string
	if headerWord.MatchString(st.Text) {
		for _, m := range quoted.FindAllStringSubmatchIndex(st.Text, -1) {
			value := st.Text[m[2]:m[3]]
			before := strings.ToLower(strings.TrimSpace(st.Text[:m[0]]))
			if headerName.MatchString(value) && (strings.HasSuffix(before, "header") || strings.HasSuffix(before, "headers")) {
				continue // the header's name
			}
			out = append(out, value)
		}
	}
	for _, row := range st.Table {
		if len(row) > 1 {
			out = append(out, row[1:]...)
		}
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
