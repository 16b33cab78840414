package engine

import (
	"fmt"
	"regexp"
	"strings"
)

// idPattern is what a stream name or rule id may be made of, as in eKuiper.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// ValidateID checks a stream name or rule id the way eKuiper does: it must
// be one or more ASCII letters, digits, hyphens and underscores. Names such
// as ".", ".." or "a/b" would be rewritten by an HTTP router and could then
// not be reached or deleted over the REST API. The error wraps ErrInvalid
// and quotes the name.
func ValidateID(id string) error {
	switch {
	case id == "":
		return withKind(ErrInvalid, fmt.Errorf("id cannot be empty"))
	case id != strings.TrimSpace(id):
		return withKind(ErrInvalid, fmt.Errorf("id '%s' contains leading or trailing whitespace", id))
	case !idPattern.MatchString(id):
		return withKind(ErrInvalid, fmt.Errorf("id '%s' contains invalid characters: only alphanumeric, hyphens and underscores are allowed", id))
	}
	return nil
}
