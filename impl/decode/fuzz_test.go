package decode_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/wsconform/wsconform/impl/ddl"
	"github.com/wsconform/wsconform/impl/decode"
)

// FuzzDecode checks that any payload decodes exactly as encoding/json would
// have it, that it gives records only when it is valid JSON whose top level is
// an object or an array, else a *decode.Error, and that typed decoding never
// keeps a field outside the schema.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"id":1,"name":"n","temp":20.5,"ok":true}`, `[{"i":1},{"i":2}]`, `{}`, `[]`,
		`42`, `"x"`, `["x"]`, `[1]`, `not json`, `[{}, 3]`, `{"a":null,"o":{"p":[1,2.5]}}`,
		`{"id":"2"}`, `{"id":3.7}`, `{"id":3.0}`, `{"n":12345678901234567890}`, `{"f":1e400}`,
		`{"raw":"aGk="}`, `{"a":1} x`, ``, `{"s":"a\"b\\c\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800x"}`,
		"{\"s\":\"\xff\xfe caf\xc3\xa9\"}", `{"name":-0,"temp":-0,"tags":[-0]}`, `{"n":-0,"m":-9223372036854775808,"k":9223372036854775808,"f":-1.5e-3}`,
		"{\"a\":1}\v", `[[[[[]]]]]`, `{"a":01}`, `{"a":1.}`, `{"a":"\x"}`, "{\"a\":\"\t\"}",
	} {
		f.Add([]byte(s))
	}
	fields := []ddl.Field{
		{Name: "id", Type: ddl.Bigint}, {Name: "name", Type: ddl.String}, {Name: "temp", Type: ddl.Float},
		{Name: "ok", Type: ddl.Boolean}, {Name: "at", Type: ddl.Datetime}, {Name: "raw", Type: ddl.Bytea},
		{Name: "tags", Type: ddl.Array, Elem: &ddl.Field{Type: ddl.Bigint}}, {Name: "meta", Type: ddl.Struct},
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		for _, schema := range [][]ddl.Field{nil, fields} {
			recs, err := decode.Decode(payload, schema)
			std, stdErr := decode.DecodeStd(payload, schema)
			if (err == nil) != (stdErr == nil) || !reflect.DeepEqual(recs, std) {
				t.Fatalf("Decode(%q) = %#v, %v; encoding/json gives %#v, %v", payload, recs, err, std, stdErr)
			}
			if err != nil {
				var de *decode.Error
				if !errors.As(err, &de) {
					t.Fatalf("Decode(%q): error %v is not a *decode.Error", payload, err)
				}
				if recs != nil {
					t.Fatalf("Decode(%q): records %v with error %v", payload, recs, err)
				}
				continue
			}
			if !json.Valid(payload) {
				t.Fatalf("Decode(%q) accepted invalid JSON", payload)
			}
			var top any
			_ = json.Unmarshal(payload, &top)
			switch v := top.(type) {
			case map[string]any:
				if len(recs) != 1 {
					t.Fatalf("Decode(%q): %d records for an object", payload, len(recs))
				}
			case []any:
				if len(recs) != len(v) {
					t.Fatalf("Decode(%q): %d records for %d elements", payload, len(recs), len(v))
				}
			default:
				t.Fatalf("Decode(%q) accepted a %T", payload, top)
			}
			if schema == nil {
				continue
			}
			for _, r := range recs {
				for k := range r {
					known := false
					for _, fd := range schema {
						known = known || fd.Name == k
					}
					if !known {
						t.Fatalf("Decode(%q): typed record keeps unknown field %q", payload, k)
					}
				}
			}
		}
	})
}
