package decode_test

import (
	"encoding/json"
	"errors"
	"math"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/ddl"
	"github.com/wsconform/wsconform/impl/decode"
)

type rec = decode.Record

// schema parses the field list of a CREATE STREAM statement.
func schema(fields string) []ddl.Field {
	st, err := ddl.ParseStream("CREATE STREAM t (" + fields + ") WITH ()")
	Expect(err).NotTo(HaveOccurred())
	return st.Fields
}

// decodeError asserts err is a *decode.Error and returns it.
func decodeError(err error) *decode.Error {
	var de *decode.Error
	ExpectWithOffset(1, errors.As(err, &de)).To(BeTrue(), "want a *decode.Error, got %v", err)
	return de
}

var _ = Describe("Decode, schemaless", func() {
	DescribeTable("gives records",
		func(payload string, want []decode.Record) {
			got, err := decode.Decode([]byte(payload), nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want))
		},
		Entry("an object: one record", `{"a":"x","b":true}`, []rec{{"a": "x", "b": true}}),
		Entry("{}: one empty record", `{}`, []rec{{}}),
		Entry("an array of objects: one each, in order", `[{"i":1},{"i":2},{"i":3}]`, []rec{{"i": int64(1)}, {"i": int64(2)}, {"i": int64(3)}}),
		Entry("[]: no record", `[]`, nil),
		Entry("[{}]: one empty record", `[{}]`, []rec{{}}),
		Entry("null fields, kept", `{"a":null}`, []rec{{"a": nil}}),
		Entry("nested objects and arrays, kept",
			`{"o":{"p":[1,2.5,{"q":null}]},"l":[]}`,
			[]rec{{"o": map[string]any{"p": []any{int64(1), 2.5, map[string]any{"q": nil}}}, "l": []any{}}}),
		Entry("integers as int64, exact beyond 2^53", `{"n":9007199254740993,"m":-9223372036854775808}`,
			[]rec{{"n": int64(9007199254740993), "m": int64(-9223372036854775808)}}),
		Entry("integers beyond int64 as exact json.Number", `{"n":12345678901234567890}`,
			[]rec{{"n": json.Number("12345678901234567890")}}),
		Entry("other numbers as float64", `{"f":1.5,"e":1e3,"z":-0.0,"w":2.0}`, []rec{{"f": 1.5, "e": 1000.0, "z": 0.0, "w": 2.0}}),
		Entry("surrounding whitespace", " \n{\"a\":1}\r\n ", []rec{{"a": int64(1)}}),
		Entry("unicode escapes", `{"s":"caf\u00e9 \ud83d\ude00"}`, []rec{{"s": "café 😀"}}),
		Entry("every escape", `{"s":"\"\\\/\b\f\n\r\t"}`, []rec{{"s": "\"\\/\b\f\n\r\t"}}),
		Entry("a lone surrogate as U+FFFD", `{"s":"a\ud800b"}`, []rec{{"s": "a\ufffdb"}}),
		Entry("invalid UTF-8 as U+FFFD, as encoding/json does", "{\"s\":\"a\xffb\"}", []rec{{"s": "a\ufffdb"}}),
		Entry("a duplicate key: the last wins", `{"a":1,"a":2}`, []rec{{"a": int64(2)}}),
		Entry("18 and 19 digit integers", `{"a":999999999999999999,"b":-1000000000000000000}`,
			[]rec{{"a": int64(999999999999999999), "b": int64(-1000000000000000000)}}),
	)

	DescribeTable("rejects the whole message with a *decode.Error",
		func(payload, reason string) {
			got, err := decode.Decode([]byte(payload), nil)
			Expect(got).To(BeNil())
			de := decodeError(err)
			Expect(de.Reason).To(ContainSubstring(reason))
			Expect(de.Payload).To(Equal(payload[:min(len(payload), 64)]))
			Expect(err.Error()).To(ContainSubstring(reason))
		},
		Entry("a number", `42`, "the number 42, want an object"),
		Entry("a string", `"x"`, `the string "x", want an object`),
		Entry("null", `null`, "null, want an object"),
		Entry("a boolean", `true`, "the boolean true"),
		Entry("an array of strings", `["x"]`, `element 0 of the array is the string "x"`),
		Entry("an array of numbers", `[1]`, "element 0 of the array is the number 1"),
		Entry("an array with a non-object after objects", `[{}, 3]`, "element 1 of the array is the number 3"),
		Entry("nested arrays", `[[{}]]`, "element 0 of the array is an array"),
		Entry("not JSON", `not json`, "invalid JSON"),
		Entry("an empty message", ``, "invalid JSON"),
		Entry("truncated JSON", `{"a":`, "invalid JSON"),
		Entry("two values", `{}{}`, "data after the value at offset 2"),
		Entry("trailing garbage", `{"a":1} x`, "data after the value"),
		Entry("a number beyond the float range", `{"f":1e400}`, `field "f": the number 1e400 is out of the float range`),
		Entry("a control character in a string", "{\"s\":\"a\tb\"}", "invalid JSON"),
		Entry("a leading zero", `{"a":01}`, "invalid JSON"),
		Entry("a bad escape", `{"s":"\x"}`, "invalid JSON"),
		Entry("a vertical tab after the value", "{}\v", "data after the value"),
		Entry("nesting deeper than 10000", strings.Repeat("[", 10001)+strings.Repeat("]", 10001), "invalid JSON"),
	)

	It("keeps only the first 64 bytes of a rejected payload and says so", func() {
		payload := `"` + strings.Repeat("x", 100) + `"`
		_, err := decode.Decode([]byte(payload), nil)
		de := decodeError(err)
		Expect(de.Payload).To(Equal(payload[:64]))
		Expect(de.Size).To(Equal(102))
		Expect(err.Error()).To(ContainSubstring("first 64 of 102 bytes"))
	})

	It("wraps the JSON syntax error", func() {
		_, err := decode.Decode([]byte(`{"a":tru}`), nil)
		var se *json.SyntaxError
		Expect(errors.As(err, &se)).To(BeTrue())
	})
})

var _ = Describe("Decode, typed", func() {
	var fields []ddl.Field
	BeforeEach(func() {
		fields = schema("id BIGINT, name STRING, temp FLOAT, ok BOOLEAN, at DATETIME, raw BYTEA, tags ARRAY, meta STRUCT")
	})

	DescribeTable("converts as eKuiper does",
		func(payload string, want decode.Record) {
			got, err := decode.Decode([]byte(payload), fields)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal([]decode.Record{want}))
		},
		Entry("matching types", `{"id":1,"name":"n","temp":20.5,"ok":true}`, rec{"id": int64(1), "name": "n", "temp": 20.5, "ok": true}),
		Entry("unknown fields dropped", `{"id":1,"extra":"x","Name":"case differs"}`, rec{"id": int64(1)}),
		Entry("a number as STRING", `{"name":5}`, rec{"name": "5"}),
		Entry("a fractional number as STRING", `{"name":2.50}`, rec{"name": "2.5"}),
		Entry("an integral float as STRING, without .0", `{"name":5.0}`, rec{"name": "5"}),
		Entry("a huge integer as STRING, as its float64", `{"name":123456789012345678901234567890}`, rec{"name": "1.2345678901234568e+29"}),
		Entry("an int64 from 1e6 on as STRING, with an exponent", `{"name":1234567}`, rec{"name": "1.234567e+06"}),
		Entry("a large float as STRING", `{"name":1e21}`, rec{"name": "1e+21"}),
		Entry("a small float as STRING", `{"name":1e-7}`, rec{"name": "1e-07"}),
		Entry("100.0 as STRING", `{"name":100.0}`, rec{"name": "100"}),
		Entry("-0 as STRING, as its float64", `{"name":-0}`, rec{"name": "-0"}),
		Entry("-0 as STRING, by the encoding/json path", `{"name" :-0}`, rec{"name": "-0"}),
		Entry("-0 as BIGINT", `{"id":-0}`, rec{"id": int64(0)}),
		Entry("-0 inside a STRUCT without fields", `{"meta":{"z":-0}}`, rec{"meta": map[string]any{"z": int64(0)}}),
		Entry("0.0001 as STRING, without an exponent", `{"name":0.0001}`, rec{"name": "0.0001"}),
		Entry(`"true" as BOOLEAN`, `{"ok":"true"}`, rec{"ok": true}),
		Entry(`"false" as BOOLEAN`, `{"ok":"false"}`, rec{"ok": false}),
		Entry("a BIGINT beyond 2^53, exact", `{"id":9007199254740993}`, rec{"id": int64(9007199254740993)}),
		Entry("the largest BIGINT", `{"id":9223372036854775807}`, rec{"id": int64(9223372036854775807)}),
		Entry("an integer as FLOAT", `{"temp":20}`, rec{"temp": 20.0}),
		Entry("nulls kept for every type", `{"id":null,"name":null,"temp":null,"ok":null,"at":null,"raw":null,"tags":null,"meta":null}`,
			rec{"id": nil, "name": nil, "temp": nil, "ok": nil, "at": nil, "raw": nil, "tags": nil, "meta": nil}),
		Entry("DATETIME as a string or a number", `{"at":"2026-11-25T10:00:00Z"}`, rec{"at": "2026-11-25T10:00:00Z"}),
		Entry("DATETIME as epoch milliseconds", `{"at":1764064800000}`, rec{"at": int64(1764064800000)}),
		Entry("BYTEA from base64", `{"raw":"aGk="}`, rec{"raw": []byte("hi")}),
		Entry("BYTEA from unpadded base64: not base64, its own bytes", `{"raw":"aGk"}`, rec{"raw": []byte("aGk")}),
		Entry("BYTEA from a string that is not base64: its own bytes", `{"raw":"not base64!"}`, rec{"raw": []byte("not base64!")}),
		Entry("a non-zero number as BOOLEAN", `{"ok":2.5}`, rec{"ok": true}),
		Entry("1 as BOOLEAN", `{"ok":1}`, rec{"ok": true}),
		Entry("0 as BOOLEAN", `{"ok":0}`, rec{"ok": false}),
		Entry(`"1" and "t" as BOOLEAN`, `{"ok":"1"}`, rec{"ok": true}),
		Entry("an integer beyond int64 as BOOLEAN", `{"ok":12345678901234567890}`, rec{"ok": true}),
		Entry("ARRAY and STRUCT kept, numbers normalised", `{"tags":[1,"a",{"b":2.5}],"meta":{"k":[7]}}`,
			rec{"tags": []any{int64(1), "a", map[string]any{"b": 2.5}}, "meta": map[string]any{"k": []any{int64(7)}}}),
		Entry("a missing field stays absent", `{}`, rec{}),
	)

	DescribeTable("rejects the whole message",
		func(payload, reason string) {
			got, err := decode.Decode([]byte(payload), fields)
			Expect(got).To(BeNil())
			Expect(decodeError(err).Reason).To(ContainSubstring(reason))
		},
		Entry(`"2" as BIGINT`, `{"id":"2"}`, `field "id": cannot convert the string "2" to BIGINT`),
		Entry("3.7 as BIGINT", `{"id":3.7}`, `field "id": cannot convert the number 3.7 to BIGINT: not an integer`),
		Entry("a BIGINT beyond int64", `{"id":9223372036854775808}`, "out of the BIGINT range"),
		Entry("3.0 as BIGINT", `{"id":3.0}`, "cannot convert the number 3 to BIGINT: not an integer"),
		Entry("1e3 as BIGINT", `{"id":1e3}`, "cannot convert the number 1000 to BIGINT: not an integer"),
		Entry("a boolean as STRING", `{"name":false}`, "the boolean false to STRING"),
		Entry("a boolean as BIGINT", `{"id":true}`, "the boolean true to BIGINT"),
		Entry("a string as FLOAT", `{"temp":"20.5"}`, `the string "20.5" to FLOAT`),
		Entry("a word as BOOLEAN", `{"ok":"yes"}`, `the string "yes" to BOOLEAN`),
		Entry("an object as STRING", `{"name":{}}`, "an object to STRING"),
		Entry("a boolean as DATETIME", `{"at":true}`, "to DATETIME"),
		Entry("a number as BYTEA", `{"raw":1}`, "the number 1 to BYTEA"),
		Entry("an object as ARRAY", `{"tags":{}}`, "an object to ARRAY"),
		Entry("an array as STRUCT", `{"meta":[]}`, "an array to STRUCT"),
		Entry("one bad element of an array", `[{"id":1},{"id":"x"}]`, `element 1: field "id"`),
	)

	It("applies ARRAY(type) and STRUCT(fields) schemas inside", func() {
		f := schema("xs ARRAY(BIGINT), p STRUCT(a STRING, b ARRAY(STRUCT(c BOOLEAN)))")
		got, err := decode.Decode([]byte(`{"xs":[1,2,null],"p":{"a":7,"drop":1,"b":[{"c":"true","d":0}]}}`), f)
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(Equal([]decode.Record{{
			"xs": []any{int64(1), int64(2), nil},
			"p":  map[string]any{"a": "7", "b": []any{map[string]any{"c": true}}},
		}}))

		_, err = decode.Decode([]byte(`{"xs":[1,2.5]}`), f)
		Expect(decodeError(err).Reason).To(ContainSubstring(`field "xs": element 1: cannot convert the number 2.5 to BIGINT`))
		_, err = decode.Decode([]byte(`{"p":{"b":[{"c":"yes"}]}}`), f)
		Expect(decodeError(err).Reason).To(ContainSubstring(`field "p": field "b": element 0: field "c"`))
	})

	It("keeps the sign of -0 in a FLOAT field on both decoding paths", func() {
		for _, payload := range []string{`{"temp":-0}`, `{"temp" :-0}`} {
			got, err := decode.Decode([]byte(payload), fields)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(HaveLen(1))
			Expect(got[0]["temp"]).To(BeAssignableToTypeOf(0.0))
			Expect(math.Signbit(got[0]["temp"].(float64))).To(BeTrue(), payload)
		}
	})

	It("treats an empty, non-nil schema as typed with no fields", func() {
		got, err := decode.Decode([]byte(`{"a":1}`), []ddl.Field{})
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(Equal([]decode.Record{{}}))
	})
})
