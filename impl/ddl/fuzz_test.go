package ddl_test

import (
	"errors"
	"testing"

	"github.com/wsconform/wsconform/impl/ddl"
)

// FuzzParseStream checks that any input either parses into a stream whose
// statement text re-parses to the same stream, or fails with a *SyntaxError
// pointing inside the input.
func FuzzParseStream(f *testing.F) {
	for _, s := range []string{
		`CREATE STREAM websocketDemo() WITH (FORMAT="json", TYPE="websocket")`,
		`create stream t (id BIGINT, name STRING, temp FLOAT, ok BOOLEAN) with (datasource="/t", conf_key="k", shared="true");`,
		"CREATE STREAM n (xs ARRAY(BIGINT), p STRUCT(a FLOAT)) WITH (KEY=\"id\")",
		"CREATE STREAM s9 (id",
		"CREATE STREAM `s` (`a` BYTEA) WITH (DATASOURCE='/x\\'y')",
		`CREATE STREAM s () WITH (DATASOURCE="/x`,
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		st, err := ddl.ParseStream(sql)
		if err != nil {
			var se *ddl.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseStream(%q): error %v is not a *SyntaxError", sql, err)
			}
			if se.Pos < 0 || se.Pos > len(sql) {
				t.Fatalf("ParseStream(%q): position %d outside the input", sql, se.Pos)
			}
			return
		}
		if st.Name == "" && st.SQL == "" {
			t.Fatalf("ParseStream(%q): empty stream without error", sql)
		}
		again, err := ddl.ParseStream(st.SQL)
		if err != nil {
			t.Fatalf("ParseStream(%q) succeeded but its SQL %q does not re-parse: %v", sql, st.SQL, err)
		}
		if again.Name != st.Name || len(again.Fields) != len(st.Fields) || again.Options.Datasource != st.Options.Datasource {
			t.Fatalf("ParseStream(%q) = %+v, re-parse gives %+v", sql, st, again)
		}
	})
}

// FuzzParseCLIStream checks that the CLI form never panics and reports positions
// inside its arguments.
func FuzzParseCLIStream(f *testing.F) {
	f.Add(`demo '() with(format="json", datasource="/api/data", type="websocket")'`)
	f.Add(`demo() with(format="json")`)
	f.Add(`'`)
	f.Add("")
	f.Add("`")
	f.Add(`demo '(id'`)
	f.Fuzz(func(t *testing.T, args string) {
		_, err := ddl.ParseCLIStream(args)
		var se *ddl.SyntaxError
		if err != nil && errors.As(err, &se) && (se.Pos < 0 || se.Pos > len(args)) {
			t.Fatalf("ParseCLIStream(%q): position %d outside the input", args, se.Pos)
		}
	})
}
