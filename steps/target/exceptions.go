package target

import (
	"fmt"
	"sort"
	"strings"
)

// LastExceptions lists the rule's last exceptions: the metrics whose key ends
// with "_last_exception", has a non-empty value and starts with one of
// prefixes (every such metric when none is given), sorted by key, as
// "key: message" joined by "; ". It returns "" when there is none.
func (s Status) LastExceptions(prefixes ...string) string {
	var out []string
	for k, v := range s.Metrics {
		if v == nil || !strings.HasSuffix(k, "_last_exception") || !hasAnyPrefix(k, prefixes) {
			continue
		}
		if msg := strings.TrimSpace(fmt.Sprint(v)); msg != "" {
			out = append(out, k+": "+msg)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

func hasAnyPrefix(s string, prefixes []string) bool {
	if len(prefixes) == 0 {
		return true
	}
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
