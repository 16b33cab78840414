package engine

import "errors"

// Sentinel errors of the engine. Errors returned by Engine methods wrap one of
// them, so callers can tell the kind of failure with errors.Is while the message
// stays the one a user should read.
var (
	// ErrNotFound: the named stream, rule or confKey does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists: a stream or rule with that name already exists.
	ErrExists = errors.New("already exists")
	// ErrInvalid: the statement, rule definition or property is not acceptable.
	ErrInvalid = errors.New("invalid")
	// ErrClosed: the engine has been closed.
	ErrClosed = errors.New("engine is closed")
)

// kindError carries a sentinel kind next to an error whose message is shown as is.
type kindError struct {
	kind error
	err  error
}

func (k *kindError) Error() string { return k.err.Error() }

func (k *kindError) Unwrap() []error { return []error{k.kind, k.err} }

// withKind marks err as being of the given kind, keeping its message.
func withKind(kind, err error) error {
	if err == nil {
		return nil
	}
	return &kindError{kind: kind, err: err}
}
