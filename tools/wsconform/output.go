package main

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/wsconform/wsconform/tools/internal/redact"
)

// progressOnly matches a partial line made of godog progress marks only
// (with their colours), which can be shown before the line ends.
var progressOnly = regexp.MustCompile(`^(?:\x1b\[[0-9;]*m|[.FUPA\- ])*$`)

// godogTotals matches the totals godog's formatters print at the end
// ("110 scenarios (110 passed)", "723 steps (659 passed, 64 skipped)" and
// the duration). godog counts a scenario the target declined as passed, so
// these lines are dropped: the run prints its own totals, which tell skipped
// from passed.
var godogTotals = regexp.MustCompile(`^(?:\x1b\[[0-9;]*m)*(?:\d+ (?:scenarios?|steps?) \(.*\)|No scenarios|No steps|\d+(?:\.\d+)?(?:ns|µs|ms|s|m\d.*s?))(?:\x1b\[[0-9;]*m)*\s*$`)

// redactingWriter passes output through a Redactor line by line. Lines inside
// a PEM block are dropped whole, and so are godog's own totals (godogTotals). Progress marks are written at once so that
// progress shows while scenarios run. It is safe for concurrent use.
type redactingWriter struct {
	mu    sync.Mutex
	w     io.Writer
	red   *redact.Redactor
	buf   []byte // pending partial line
	inPEM bool
}

func newRedactingWriter(w io.Writer, red *redact.Redactor) *redactingWriter {
	return &redactingWriter{w: w, red: red}
}

// Write implements io.Writer.
func (r *redactingWriter) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buf = append(r.buf, p...)
	for {
		i := bytes.IndexByte(r.buf, '\n')
		if i < 0 {
			break
		}
		line := string(r.buf[:i+1])
		r.buf = r.buf[i+1:]
		if !r.inPEM && godogTotals.MatchString(line) {
			continue
		}
		if _, err := io.WriteString(r.w, r.line(line)); err != nil {
			return len(p), err
		}
	}
	if len(r.buf) > 0 && !r.inPEM && progressOnly.Match(r.buf) {
		_, err := r.w.Write(r.buf)
		r.buf = r.buf[:0]
		return len(p), err
	}
	return len(p), nil
}

// line redacts one line, tracking PEM blocks that span lines.
func (r *redactingWriter) line(l string) string {
	if r.inPEM {
		if strings.Contains(l, "-----END ") {
			r.inPEM = false
			_, after, _ := strings.Cut(l, "-----END ")
			if _, rest, ok := strings.Cut(after, "-----"); ok {
				return r.red.String(rest)
			}
		}
		return ""
	}
	if i := strings.Index(l, "-----BEGIN "); i >= 0 && !strings.Contains(l[i:], "-----END ") {
		r.inPEM = true
		return r.red.String(l[:i]) + "[REDACTED PEM]\n"
	}
	return r.red.String(l)
}

// Flush writes what is left of a partial line.
func (r *redactingWriter) Flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) == 0 {
		return nil
	}
	rest := string(r.buf)
	r.buf = r.buf[:0]
	if r.inPEM {
		return nil
	}
	_, err := io.WriteString(r.w, r.red.String(rest))
	return err
}
