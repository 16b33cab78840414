// Package ddl parses the eKuiper statements the WebSocket source needs:
// CREATE STREAM (with typed or schemaless fields and WITH options), the tail of
// the eKuiper CLI's "create stream" command, and SELECT ... FROM.
package ddl

import (
	"fmt"
	"strings"
)

// FieldType is the type of a stream field, spelt in upper case.
type FieldType string

// The field types of a typed stream.
const (
	Bigint   FieldType = "BIGINT"
	Float    FieldType = "FLOAT"
	String   FieldType = "STRING"
	Datetime FieldType = "DATETIME"
	Boolean  FieldType = "BOOLEAN"
	Bytea    FieldType = "BYTEA"
	Array    FieldType = "ARRAY"
	Struct   FieldType = "STRUCT"
)

// FieldTypes lists every FieldType in eKuiper's order.
var FieldTypes = []FieldType{Bigint, Float, String, Datetime, Boolean, Bytea, Array, Struct}

// Field is one field of a typed stream.
type Field struct {
	// Name is the field name as written.
	Name string `json:"name"`
	// Type is the field type.
	Type FieldType `json:"type"`
	// Elem is the element type of ARRAY(type); nil for a bare ARRAY and other types.
	Elem *Field `json:"elem,omitempty"`
	// Fields are the fields of STRUCT(name type, ...); nil for a bare STRUCT
	// and other types.
	Fields []Field `json:"fields,omitempty"`
}

// String renders the field type as in a CREATE STREAM statement.
func (f Field) String() string {
	var b strings.Builder
	if f.Name != "" {
		b.WriteString(f.Name)
		b.WriteByte(' ')
	}
	b.WriteString(string(f.Type))
	switch {
	case f.Elem != nil:
		b.WriteString("(" + f.Elem.String() + ")")
	case f.Fields != nil:
		b.WriteByte('(')
		for i, sf := range f.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(sf.String())
		}
		b.WriteByte(')')
	}
	return b.String()
}

// Options are the WITH options of a stream. A field is empty when the option is
// absent; the engine decides the defaults (FORMAT json, TYPE websocket, CONF_KEY default).
type Options struct {
	// Datasource is DATASOURCE: the endpoint path (server mode) or dialed path (client mode), maybe with a query.
	Datasource string `json:"datasource,omitempty"`
	// Format is FORMAT as written, e.g. "json".
	Format string `json:"format,omitempty"`
	// Type is TYPE as written, e.g. "websocket".
	Type string `json:"type,omitempty"`
	// ConfKey is CONF_KEY as written.
	ConfKey string `json:"confKey,omitempty"`
	// Shared is SHARED="true".
	Shared bool `json:"shared,omitempty"`
	// Extra holds every other option (KEY, TIMESTAMP, ...) by its upper-cased
	// name; nil when there is none.
	Extra map[string]string `json:"extra,omitempty"`
}

// Stream is a parsed CREATE STREAM statement.
type Stream struct {
	// Name is the stream name as written.
	Name string `json:"name"`
	// Fields are the typed fields; nil for a schemaless stream `name()`.
	Fields []Field `json:"fields"`
	// Options are the WITH options.
	Options Options `json:"options"`
	// SQL is the statement text.
	SQL string `json:"sql"`
}

// Schemaless reports whether the stream declares no fields.
func (s Stream) Schemaless() bool { return s.Fields == nil }

// Select is a parsed `SELECT * FROM s` or `SELECT a, b FROM s`, maybe with a WHERE.
type Select struct {
	// Fields are the selected field names; nil for SELECT *.
	Fields []string `json:"fields"`
	// From is the stream name.
	From string `json:"from"`
	// Where is the WHERE condition; nil when there is none.
	Where *Cond `json:"where,omitempty"`
}

// SyntaxError describes where a statement stops making sense.
type SyntaxError struct {
	// Found is the text found: a word, a string's content, a punctuation mark, or "EOF".
	Found string
	// Pos is the byte offset of Found in the parsed text (0-based).
	Pos int
	// Expected says what would have been accepted there.
	Expected string
}

// Message is the error in eKuiper's wording, without the position:
// `found "EOF", expect valid stream field types(BIGINT | ...).`
func (e *SyntaxError) Message() string {
	return fmt.Sprintf("found %q, expect %s.", e.Found, e.Expected)
}

// Error is Message followed by the position of Found, counted in bytes from 1.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s (at position %d)", e.Message(), e.Pos+1)
}
