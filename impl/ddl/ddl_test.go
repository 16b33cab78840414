package ddl_test

import (
	"encoding/json"
	"errors"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/ddl"
)

// syntaxError extracts the *ddl.SyntaxError of err, failing when it is another error.
func syntaxError(err error) *ddl.SyntaxError {
	var se *ddl.SyntaxError
	ExpectWithOffset(1, errors.As(err, &se)).To(BeTrue(), "want a *ddl.SyntaxError, got %v", err)
	return se
}

var _ = Describe("CREATE STREAM", func() {
	DescribeTable("parses",
		func(sql string, want ddl.Stream) {
			st, err := ddl.ParseStream(sql)
			Expect(err).NotTo(HaveOccurred())
			want.SQL = strings.TrimSpace(sql)
			Expect(st).To(Equal(want))
		},
		Entry("the seed's schemaless stream",
			`CREATE STREAM websocketDemo() WITH (FORMAT="json", TYPE="websocket")`,
			ddl.Stream{Name: "websocketDemo", Options: ddl.Options{Format: "json", Type: "websocket"}}),
		Entry("keywords and option keys in any case",
			`create Stream demo () with (datasource="/api/data", Format="JSON", type="websocket", conf_key="Remote", shared="TRUE");`,
			ddl.Stream{Name: "demo", Options: ddl.Options{Datasource: "/api/data", Format: "JSON", Type: "websocket", ConfKey: "Remote", Shared: true}}),
		Entry("every simple field type",
			"CREATE STREAM t (id BIGINT, temp float, name STRING, at DATETIME, ok Boolean, raw BYTEA, tags ARRAY, meta STRUCT) WITH (DATASOURCE=\"/t\")",
			ddl.Stream{Name: "t", Fields: []ddl.Field{
				{Name: "id", Type: ddl.Bigint}, {Name: "temp", Type: ddl.Float}, {Name: "name", Type: ddl.String},
				{Name: "at", Type: ddl.Datetime}, {Name: "ok", Type: ddl.Boolean}, {Name: "raw", Type: ddl.Bytea},
				{Name: "tags", Type: ddl.Array}, {Name: "meta", Type: ddl.Struct},
			}, Options: ddl.Options{Datasource: "/t"}}),
		Entry("ARRAY(type) and STRUCT(fields), nested",
			"CREATE STREAM n (xs ARRAY(BIGINT), p STRUCT(a FLOAT, b ARRAY(STRUCT(c STRING)))) WITH ()",
			ddl.Stream{Name: "n", Fields: []ddl.Field{
				{Name: "xs", Type: ddl.Array, Elem: &ddl.Field{Type: ddl.Bigint}},
				{Name: "p", Type: ddl.Struct, Fields: []ddl.Field{
					{Name: "a", Type: ddl.Float},
					{Name: "b", Type: ddl.Array, Elem: &ddl.Field{Type: ddl.Struct, Fields: []ddl.Field{{Name: "c", Type: ddl.String}}}},
				}},
			}}),
		Entry("other option keys, kept upper-cased",
			`CREATE STREAM k () WITH (DATASOURCE="/k", KEY="id", timestamp="ts", STRICT_VALIDATION="true")`,
			ddl.Stream{Name: "k", Options: ddl.Options{Datasource: "/k", Extra: map[string]string{"KEY": "id", "TIMESTAMP": "ts", "STRICT_VALIDATION": "true"}}}),
		Entry("options without commas, as eKuiper allows",
			`CREATE STREAM c () WITH (FORMAT="JSON" DATASOURCE="demo" TYPE="edgex")`,
			ddl.Stream{Name: "c", Options: ddl.Options{Format: "JSON", Datasource: "demo", Type: "edgex"}}),
		Entry("a query in the datasource and escapes in strings",
			`CREATE STREAM q () WITH (DATASOURCE="/feed?x=1&y=\"2\"")`,
			ddl.Stream{Name: "q", Options: ddl.Options{Datasource: `/feed?x=1&y="2"`}}),
		Entry("Go escapes in strings, as eKuiper reads them",
			`CREATE STREAM q () WITH (DATASOURCE="/api/d\u0061t\x61", FORMAT="\u006Ason", TYPE="web\tsocket\\")`,
			ddl.Stream{Name: "q", Options: ddl.Options{Datasource: "/api/data", Format: "json", Type: "web\tsocket\\"}}),
		Entry("TRUE and FALSE unquoted, as eKuiper reads them",
			`CREATE STREAM q () WITH (SHARED=true, STRICT_VALIDATION=False)`,
			ddl.Stream{Name: "q", Options: ddl.Options{Shared: true, Extra: map[string]string{"STRICT_VALIDATION": "FALSE"}}}),
		Entry("a backquoted field type",
			"CREATE STREAM q (a `bigint`) WITH ()",
			ddl.Stream{Name: "q", Fields: []ddl.Field{{Name: "a", Type: ddl.Bigint}}}),
		Entry("SHARED in any case",
			`CREATE STREAM q () WITH (SHARED="True")`,
			ddl.Stream{Name: "q", Options: ddl.Options{Shared: true}}),
		Entry("backquoted names that are keywords",
			"CREATE STREAM `select` (`from` BIGINT) WITH (TYPE=\"websocket\")",
			ddl.Stream{Name: "select", Fields: []ddl.Field{{Name: "from", Type: ddl.Bigint}}, Options: ddl.Options{Type: "websocket"}}),
		Entry("line breaks and tabs",
			"CREATE STREAM\n\tm (\n  a BIGINT\n)\nWITH (SHARED=\"false\")\n",
			ddl.Stream{Name: "m", Fields: []ddl.Field{{Name: "a", Type: ddl.Bigint}}}),
	)

	It("keeps the statement text, trimmed", func() {
		st, err := ddl.ParseStream("  CREATE STREAM s () WITH ()  ")
		Expect(err).NotTo(HaveOccurred())
		Expect(st.SQL).To(Equal("CREATE STREAM s () WITH ()"))
		Expect(st.Schemaless()).To(BeTrue())
	})

	It("words a missing field type exactly as eKuiper does", func() {
		_, err := ddl.ParseStream("CREATE STREAM s9 (id")
		se := syntaxError(err)
		Expect(se.Message()).To(Equal(`found "EOF", expect valid stream field types(BIGINT | FLOAT | STRING | DATETIME | BOOLEAN | BYTEA | ARRAY | STRUCT).`))
		Expect(se.Pos).To(Equal(20))
		Expect(err.Error()).To(Equal(se.Message() + " (at position 21)"))
	})

	DescribeTable("reports what was found, where, and what was expected",
		func(sql, found string, pos int, expected string) {
			_, err := ddl.ParseStream(sql)
			se := syntaxError(err)
			Expect(*se).To(Equal(ddl.SyntaxError{Found: found, Pos: pos, Expected: expected}))
			Expect(se.Error()).To(ContainSubstring("found %q", found))
		},
		Entry("an unknown field type", "CREATE STREAM s (a INT) WITH ()", "INT", 19,
			"valid stream field types(BIGINT | FLOAT | STRING | DATETIME | BOOLEAN | BYTEA | ARRAY | STRUCT)"),
		Entry("not CREATE", "DROP STREAM s", "DROP", 0, "CREATE STREAM"),
		Entry("a table", "CREATE TABLE s () WITH ()", "TABLE", 7, "keyword stream"),
		Entry("no name", "CREATE STREAM (", "(", 14, "stream name"),
		Entry("no field list", "CREATE STREAM s WITH ()", "WITH", 16, "lparen after stream name"),
		Entry("a missing comma", "CREATE STREAM s (a BIGINT b FLOAT) WITH ()", "b", 26, "comma or right parenthesis"),
		Entry("a trailing comma", "CREATE STREAM s (a BIGINT,) WITH ()", ")", 26, "stream field name"),
		Entry("no WITH", "CREATE STREAM s ()", "EOF", 18, "with"),
		Entry("WITH without parenthesis", `CREATE STREAM s () WITH DATASOURCE="/x"`, "DATASOURCE", 24, "stream options"),
		Entry("an unknown option key", `CREATE STREAM s () WITH (DATASOURCE="/x", nosuch="y")`, "NOSUCH", 42,
			"unknown option keys(DATASOURCE|FORMAT|KEY|CONF_KEY|SHARED|STRICT_VALIDATION|TYPE|TIMESTAMP|TIMESTAMP_FORMAT|RETAIN_SIZE|SCHEMAID|EXTRA|VERSION|TEMP|KIND|DELIMITER)"),
		Entry("an option without =", `CREATE STREAM s () WITH (DATASOURCE "/x")`, "/x", 36, "equals(=) in options"),
		Entry("an unquoted option value", `CREATE STREAM s () WITH (DATASOURCE=/x)`, "/", 36, "string value in option"),
		Entry("a single-quoted option value", `CREATE STREAM s () WITH (DATASOURCE='/a\'b"c')`, `/a'b"c`, 36, "string value in option"),
		Entry("an unterminated string", `CREATE STREAM s () WITH (DATASOURCE="/x)`, `"/x)`, 36, `a closing "`),
		Entry("a bad SHARED", `CREATE STREAM s () WITH (SHARED="perhaps")`, "perhaps", 32, "TRUE/FALSE value in SHARED option"),
		Entry("SHARED=\"1\"", `CREATE STREAM s () WITH (SHARED="1")`, "1", 32, "TRUE/FALSE value in SHARED option"),
		Entry("SHARED with blanks", `CREATE STREAM s () WITH (SHARED=" true")`, " true", 32, "TRUE/FALSE value in SHARED option"),
		Entry("an escape Go does not know", `CREATE STREAM s () WITH (DATASOURCE="/a\/b")`, `invalid string: "/a\/b"`, 36, `a string with valid escapes (\n \t \" \\ \uXXXX ...)`),
		Entry("a line break in a string", "CREATE STREAM s () WITH (DATASOURCE=\"/a\nb\")", "invalid string: \"/a\nb\"", 36, `a string with valid escapes (\n \t \" \\ \uXXXX ...)`),
		Entry("trailing text", `CREATE STREAM s () WITH () extra`, "extra", 27, "semicolon or EOF"),
		Entry("an unclosed ARRAY", `CREATE STREAM s (a ARRAY(BIGINT b) WITH ()`, "b", 32, "right parenthesis after the ARRAY element type"),
		Entry("an empty STRUCT", `CREATE STREAM s (a STRUCT()) WITH ()`, ")", 26, "stream field name"),
		Entry("an illegal character", `CREATE STREAM s (a BIGINT) WITH (# )`, "#", 33, "option key or right parenthesis"),
		Entry("an unterminated backquote", "CREATE STREAM `s () WITH ()", "`s () WITH ()", 14, "a closing `"),
	)
})

var _ = Describe("the CLI tail of create stream", func() {
	const want = `CREATE STREAM demo () with(format="json", datasource="/api/data", type="websocket")`

	DescribeTable("parses",
		func(args, sql string) {
			st, err := ddl.ParseCLIStream(args)
			Expect(err).NotTo(HaveOccurred())
			Expect(st.Name).To(Equal("demo"))
			Expect(st.Options).To(Equal(ddl.Options{Format: "json", Datasource: "/api/data", Type: "websocket"}))
			Expect(st.SQL).To(Equal(sql))
		},
		Entry("with the shell's single quotes around the tail", `demo '() with(format="json", datasource="/api/data", type="websocket")'`, want),
		Entry("without quotes", `demo() with(format="json", datasource="/api/data", type="websocket")`,
			`CREATE STREAM demo () with(format="json", datasource="/api/data", type="websocket")`),
		Entry("with quotes around everything", `'demo () with(format="json", datasource="/api/data", type="websocket")'`, want),
		Entry("with surrounding blanks", `  demo   '() with(format="json", datasource="/api/data", type="websocket")'  `, want),
	)

	It("parses typed fields and a backquoted name", func() {
		st, err := ddl.ParseCLIStream("`my demo` '(id BIGINT) WITH (DATASOURCE=\"/d\")'")
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Name).To(Equal("my demo"))
		Expect(st.Fields).To(Equal([]ddl.Field{{Name: "id", Type: ddl.Bigint}}))
		Expect(st.SQL).To(Equal("CREATE STREAM `my demo` (id BIGINT) WITH (DATASOURCE=\"/d\")"))
	})

	It("counts error positions in the arguments", func() {
		_, err := ddl.ParseCLIStream(`demo '(id' `)
		se := syntaxError(err)
		Expect(se.Found).To(Equal("EOF"))
		Expect(se.Pos).To(Equal(11))
		_, err = ddl.ParseCLIStream(`demo '(a INT) with()'`)
		se = syntaxError(err)
		Expect(se.Found).To(Equal("INT"))
		Expect(se.Pos).To(Equal(9))
	})
})

// selectOnly is the reference's note on what it runs, in every refusal of a SELECT.
const (
	selectOnly = "this engine runs only SELECT * FROM stream and SELECT field, ... FROM stream, with an optional WHERE"
	whereOnly  = "this engine runs only comparisons (= != < <= > >=) of fields and values, joined by AND and OR"
)

var _ = Describe("SELECT", func() {
	DescribeTable("parses",
		func(sql string, want ddl.Select) {
			sel, err := ddl.ParseSelect(sql)
			Expect(err).NotTo(HaveOccurred())
			Expect(sel).To(Equal(want))
		},
		Entry("SELECT *", "SELECT * FROM s", ddl.Select{From: "s"}),
		Entry("a field list", "select a, b from demo;", ddl.Select{Fields: []string{"a", "b"}, From: "demo"}),
		Entry("one field", "SELECT temp FROM s1", ddl.Select{Fields: []string{"temp"}, From: "s1"}),
		Entry("backquoted names", "SELECT `from` FROM `my s`", ddl.Select{Fields: []string{"from"}, From: "my s"}),
		Entry("a WHERE comparison", "SELECT a FROM s WHERE a >= -1.5", ddl.Select{Fields: []string{"a"}, From: "s",
			Where: &ddl.Cond{Op: ">=", L: &ddl.Operand{Field: "a"}, R: &ddl.Operand{Value: -1.5}}}),
		Entry("AND before OR", "SELECT * FROM s where a != 1 or b = 'x' and `c` = true", ddl.Select{From: "s",
			Where: &ddl.Cond{Op: "OR", Args: []*ddl.Cond{
				{Op: "!=", L: &ddl.Operand{Field: "a"}, R: &ddl.Operand{Value: int64(1)}},
				{Op: "AND", Args: []*ddl.Cond{
					{Op: "=", L: &ddl.Operand{Field: "b"}, R: &ddl.Operand{Value: "x"}},
					{Op: "=", L: &ddl.Operand{Field: "c"}, R: &ddl.Operand{Value: true}},
				}},
			}}}),
	)

	DescribeTable("WHERE matches records",
		func(where string, rec map[string]any, want bool) {
			sel, err := ddl.ParseSelect("SELECT * FROM s WHERE " + where)
			Expect(err).NotTo(HaveOccurred())
			Expect(sel.Where.Match(rec)).To(Equal(want))
		},
		Entry("an integer above", "n > 1", map[string]any{"n": int64(2)}, true),
		Entry("an integer not above", "n > 1", map[string]any{"n": int64(1)}, false),
		Entry("a float against an integer", "n >= 2", map[string]any{"n": 1.5}, false),
		Entry("a large integer", "n = 12345678901234567890", map[string]any{"n": json.Number("12345678901234567890")}, true),
		Entry("exact int64 comparison", "n < 9007199254740993", map[string]any{"n": int64(9007199254740992)}, true),
		Entry("a string", "room = \"hall\"", map[string]any{"room": "hall"}, true),
		Entry("strings in order", "room < \"b\"", map[string]any{"room": "a"}, true),
		Entry("a single-quoted string with quotes", `s = 'a\'b"c'`, map[string]any{"s": `a'b"c`}, true),
		Entry("a number ending in its decimal point", "n < 2.", map[string]any{"n": 1.5}, true),
		Entry("a missing field", "n != 1", map[string]any{}, false),
		Entry("a null field", "n = 1", map[string]any{"n": nil}, false),
		Entry("a string and a number", "n = 1", map[string]any{"n": "1"}, false),
		Entry("booleans", "ok = true", map[string]any{"ok": true}, true),
		Entry("booleans in order", "ok > false", map[string]any{"ok": true}, false),
		Entry("two fields", "a < b", map[string]any{"a": int64(1), "b": 2.5}, true),
		Entry("AND", "a = 1 AND b = 2", map[string]any{"a": int64(1), "b": int64(3)}, false),
		Entry("OR", "a = 1 OR b = 2", map[string]any{"a": int64(0), "b": int64(2)}, true),
		Entry("parentheses", "(a = 1 OR a = 2) AND b = 3", map[string]any{"a": int64(2), "b": int64(4)}, false),
	)

	DescribeTable("rejects",
		func(sql, found, expected string) {
			_, err := ddl.ParseSelect(sql)
			se := syntaxError(err)
			Expect(se.Found).To(Equal(found))
			Expect(se.Expected).To(Equal(expected))
		},
		Entry("no FROM", "SELECT *", "EOF", "FROM"),
		Entry("no stream", "SELECT * FROM", "EOF", "stream name"),
		Entry("an empty field list", "SELECT FROM s", "FROM", "field name or *"),
		Entry("arithmetic in WHERE", "SELECT * FROM s WHERE a + 1 > 2", "+", "a comparison operator (+ is not supported in WHERE: "+whereOnly+")"),
		Entry("a function in WHERE", "SELECT * FROM s WHERE upper(a) = \"X\"", "(", "a comparison operator (function upper not found: "+whereOnly+")"),
		Entry("a WHERE without a condition", "SELECT * FROM s WHERE", "EOF", "a field name or a value ("+whereOnly+")"),
		Entry("an unclosed parenthesis in WHERE", "SELECT * FROM s WHERE (a = 1", "EOF", "AND, OR or )"),
		Entry("NOT in WHERE", "SELECT * FROM s WHERE NOT a = 1", "NOT", "a field name or a value (NOT is not supported in WHERE: "+whereOnly+")"),
		Entry("<> in WHERE", "SELECT * FROM s WHERE a <> 1", "<>", "a comparison operator (<> is not supported in WHERE: "+whereOnly+")"),
		Entry("a clause after WHERE", "SELECT * FROM s WHERE a = 1 LIMIT 1", "LIMIT", "semicolon or EOF (LIMIT is not supported: "+selectOnly+")"),
		Entry("a GROUP BY clause", "SELECT a FROM s GROUP BY a", "GROUP", "semicolon or EOF (GROUP BY is not supported: "+selectOnly+")"),
		Entry("an ORDER BY clause", "SELECT * FROM s order by a", "order", "semicolon or EOF (ORDER BY is not supported: "+selectOnly+")"),
		Entry("a LIMIT clause", "SELECT * FROM s LIMIT 1", "LIMIT", "semicolon or EOF (LIMIT is not supported: "+selectOnly+")"),
		Entry("a function", "SELECT upper(name) FROM s", "(", "comma or FROM (function upper not found: "+selectOnly+")"),
		Entry("an alias", "SELECT a AS b FROM s", "AS", "comma or FROM (AS is not supported: "+selectOnly+")"),
		Entry("an expression", "SELECT a + 1 FROM s", "+", "FROM"),
		Entry("not a SELECT", "CREATE STREAM s", "CREATE", "a select statement"),
		Entry("a trailing comma", "SELECT a, FROM s", "FROM", "field name or *"),
	)
})

var _ = Describe("Field.String", func() {
	It("renders nested types as written", func() {
		st, err := ddl.ParseStream("CREATE STREAM n (p STRUCT(a FLOAT, b ARRAY(BIGINT))) WITH ()")
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Fields[0].String()).To(Equal("p STRUCT(a FLOAT, b ARRAY(BIGINT))"))
	})
})
