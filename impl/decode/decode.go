// Package decode turns the JSON text of one WebSocket message into stream
// records: an object gives one record, an array of objects one record per
// element, and a typed stream's schema filters and converts the fields.
package decode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/wsconform/wsconform/impl/ddl"
)

// Record is one decoded record: field name → value. Values are nil, bool,
// string, int64, float64, json.Number (an integer beyond int64), []byte
// (BYTEA), []any and map[string]any.
type Record = map[string]any

// payloadPrefix is how much of a rejected payload an Error keeps.
const payloadPrefix = 64

// Error is returned for every payload that cannot be decoded; the whole message
// is then rejected and yields no record.
type Error struct {
	// Payload is the first 64 bytes of the payload.
	Payload string
	// Size is the length of the whole payload in bytes.
	Size int
	// Reason says what is wrong.
	Reason string
	// Err is the underlying JSON error, if any.
	Err error
}

// Error renders the reason and the start of the payload.
func (e *Error) Error() string {
	more := ""
	if e.Size > len(e.Payload) {
		more = fmt.Sprintf(" (first %d of %d bytes)", len(e.Payload), e.Size)
	}
	return fmt.Sprintf("decode payload %q%s: %s", e.Payload, more, e.Reason)
}

// Unwrap returns the underlying JSON error.
func (e *Error) Unwrap() error { return e.Err }

func newError(payload []byte, reason string, err error) *Error {
	p := payload
	if len(p) > payloadPrefix {
		p = p[:payloadPrefix]
	}
	return &Error{Payload: string(p), Size: len(payload), Reason: reason, Err: err}
}

// Decode decodes one JSON message. fields nil means a schemaless stream: every
// field is kept, integers become int64 (json.Number beyond int64) and other
// numbers float64. With fields, fields outside the schema are dropped and the
// others converted to their declared types. null values are kept as nil.
// A JSON object gives one record, {} an empty one; an array of objects gives one
// record per element in order, [] none. Anything else, or any conversion
// failure, rejects the whole message with a *Error.
func Decode(payload []byte, fields []ddl.Field) ([]Record, error) {
	p := parser{b: payload, typed: fields != nil}
	p.skipSpace()
	if p.i < len(payload) && (payload[p.i] == '{' || payload[p.i] == '[') {
		if v, ok := p.value(0); ok {
			p.skipSpace()
			if p.i == len(payload) {
				return records(payload, v, fields)
			}
		}
	}
	// Scalars, invalid JSON and anything the fast reader declines: encoding/json
	// decides and words the error.
	return decodeStd(payload, fields)
}

// decodeStd is Decode done with encoding/json.
func decodeStd(payload []byte, fields []ddl.Field) ([]Record, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, newError(payload, "invalid JSON: "+err.Error(), err)
	}
	for _, c := range payload[dec.InputOffset():] {
		if !isSpace(c) {
			return nil, newError(payload, fmt.Sprintf("invalid JSON: data after the value at offset %d", dec.InputOffset()), nil)
		}
	}
	if fields == nil {
		var err error
		if v, err = normalize(v); err != nil {
			return nil, newError(payload, err.Error(), err)
		}
	}
	return records(payload, v, fields)
}

// records splits a decoded message into records and applies the schema.
func records(payload []byte, v any, fields []ddl.Field) ([]Record, error) {
	var recs []Record
	switch t := v.(type) {
	case map[string]any:
		recs = []Record{t}
	case []any:
		if len(t) == 0 {
			return nil, nil
		}
		recs = make([]Record, len(t))
		for i, e := range t {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, newError(payload, fmt.Sprintf("element %d of the array is %s, want an object", i, describe(e)), nil)
			}
			recs[i] = m
		}
	default:
		return nil, newError(payload, fmt.Sprintf("the message is %s, want an object or an array of objects", describe(v)), nil)
	}
	if fields == nil {
		return recs, nil
	}
	for i, r := range recs {
		if err := applySchema(r, fields); err != nil {
			if len(recs) > 1 {
				err = fmt.Errorf("element %d: %w", i, err)
			}
			return nil, newError(payload, err.Error(), err)
		}
	}
	return recs, nil
}

// describe names a decoded JSON value for error messages.
func describe(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		return "the boolean " + strconv.FormatBool(t)
	case int64, float64:
		return fmt.Sprintf("the number %v", t)
	case json.Number:
		return "the number " + string(t)
	case string:
		if len(t) > 32 {
			t = t[:32] + "..."
		}
		return fmt.Sprintf("the string %q", t)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// isIntLiteral reports whether a JSON number has no fraction and no exponent.
func isIntLiteral(n json.Number) bool {
	return !strings.ContainsAny(string(n), ".eE")
}

// number converts a JSON number for a schemaless stream.
func number(n json.Number) (any, error) {
	if isIntLiteral(n) {
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i, nil
		}
		return n, nil
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return nil, fmt.Errorf("the number %s is out of the float range", n)
	}
	return f, nil
}

// normalize converts the numbers inside v in place and returns v's new value.
func normalize(v any) (any, error) {
	switch t := v.(type) {
	case json.Number:
		return number(t)
	case map[string]any:
		return t, normalizeMap(t)
	case []any:
		for i, e := range t {
			ne, err := normalize(e)
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			t[i] = ne
		}
	}
	return v, nil
}

func normalizeMap(m map[string]any) error {
	for k, e := range m {
		switch e.(type) {
		case nil, bool, string:
			continue
		}
		ne, err := normalize(e)
		if err != nil {
			return fmt.Errorf("field %q: %w", k, err)
		}
		m[k] = ne
	}
	return nil
}

// applySchema drops the fields of m outside fields and converts the others, in place.
func applySchema(m map[string]any, fields []ddl.Field) error {
	for k, v := range m {
		f := find(fields, k)
		if f == nil {
			delete(m, k)
			continue
		}
		cv, err := convert(v, f)
		if err != nil {
			return fmt.Errorf("field %q: %w", k, err)
		}
		m[k] = cv
	}
	return nil
}

func find(fields []ddl.Field, name string) *ddl.Field {
	for i := range fields {
		if fields[i].Name == name {
			return &fields[i]
		}
	}
	return nil
}

// convert turns v into the type of f; null stays nil.
func convert(v any, f *ddl.Field) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch f.Type {
	case ddl.Bigint:
		switch t := v.(type) {
		case int64:
			return v, nil
		case float64:
			// eKuiper reads BIGINT with fastjson's Int64, which refuses a
			// fraction or an exponent even when the value is integral (3.0, 1e3).
			return nil, fmt.Errorf("cannot convert the number %s to BIGINT: not an integer", strconv.FormatFloat(t, 'g', -1, 64))
		case json.Number:
			return toBigint(t)
		}
	case ddl.Float:
		switch t := v.(type) {
		case int64:
			return float64(t), nil
		case float64:
			return v, nil
		case json.Number:
			x, err := strconv.ParseFloat(string(t), 64)
			if err != nil {
				return nil, fmt.Errorf("the number %s is out of the FLOAT range", t)
			}
			return x, nil
		}
	case ddl.String:
		switch t := v.(type) {
		case string:
			return v, nil
		case int64:
			return numberString(float64(t)), nil
		case float64:
			return numberString(t), nil
		case json.Number:
			return numberText(t)
		}
	case ddl.Boolean:
		switch t := v.(type) {
		case bool:
			return v, nil
		case string:
			if b, err := strconv.ParseBool(t); err == nil {
				return b, nil
			}
		case int64:
			return t != 0, nil
		case float64:
			return t != 0, nil
		case json.Number:
			// Beyond the float range ParseFloat gives ±Inf (and ErrRange),
			// which is not 0: true, as eKuiper has it.
			x, _ := strconv.ParseFloat(string(t), 64)
			return x != 0, nil
		}
	case ddl.Datetime:
		switch t := v.(type) {
		case string, int64, float64:
			return v, nil
		case json.Number:
			return number(t)
		}
	case ddl.Bytea:
		if s, ok := v.(string); ok {
			return decodeBase64(s), nil
		}
	case ddl.Array:
		if a, ok := v.([]any); ok {
			if f.Elem == nil {
				return normalize(a)
			}
			for i, e := range a {
				ce, err := convert(e, f.Elem)
				if err != nil {
					return nil, fmt.Errorf("element %d: %w", i, err)
				}
				a[i] = ce
			}
			return a, nil
		}
	case ddl.Struct:
		if m, ok := v.(map[string]any); ok {
			if f.Fields == nil {
				return m, normalizeMap(m)
			}
			return m, applySchema(m, f.Fields)
		}
	default:
		return nil, fmt.Errorf("unknown field type %q", f.Type)
	}
	return nil, fmt.Errorf("cannot convert %s to %s", describe(v), f.Type)
}

// toBigint accepts integer literals within int64, as eKuiper does: 3.0 and
// 1e3 are refused like 3.7.
func toBigint(n json.Number) (any, error) {
	if !isIntLiteral(n) {
		return nil, fmt.Errorf("cannot convert the number %s to BIGINT: not an integer", n)
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("the number %s is out of the BIGINT range", n)
	}
	return i, nil
}

// numberString renders a number as a STRING value the way eKuiper does
// (fmt's %v of the float64): the shortest digits, with an exponent below 1e-4
// and from 1e6 on (5 → "5", 100.0 → "100", 1234567 → "1.234567e+06",
// 1e21 → "1e+21", 1e-7 → "1e-07").
func numberString(x float64) string {
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// numberText is numberString for a JSON number beyond int64 or the float fast path.
func numberText(n json.Number) (string, error) {
	x, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return "", fmt.Errorf("the number %s is out of the float range", n)
	}
	return numberString(x), nil
}
