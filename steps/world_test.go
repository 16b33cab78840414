package steps

import (
	"testing"
)

func TestNamesAreRewrittenPerScenario(t *testing.T) {
	w, err := newWorld(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.bgCancel()
	sfx := w.suffix
	sql, name := w.streamSQL(`create stream demo (id BIGINT) WITH (DATASOURCE="/feed?x=1", conf_key = "remote", TYPE="websocket")`)
	wantSQL := `create stream demo_` + sfx + ` (id BIGINT) WITH (DATASOURCE="/` + sfx + `/feed?x=1", conf_key = "remote_` + sfx + `", TYPE="websocket")`
	if sql != wantSQL || name != "demo_"+sfx {
		t.Errorf("streamSQL = %q, %q; want %q, %q", sql, name, wantSQL, "demo_"+sfx)
	}
	if got, _ := w.streamSQL(`CREATE STREAM x () WITH (DATASOURCE="api/data")`); got != `CREATE STREAM x_`+sfx+` () WITH (DATASOURCE="api/data")` {
		t.Errorf("a datasource without a leading slash must stay as written, got %q", got)
	}
	if got := w.selectSQL("SELECT a, b FROM demo"); got != "SELECT a, b FROM demo_"+sfx {
		t.Errorf("selectSQL = %q", got)
	}
	if got := w.unique("default"); got != "default" {
		t.Errorf("the default confKey must keep its name, got %q", got)
	}
	if got := w.unpath(w.path("/a/b")); got != "/a/b" {
		t.Errorf("unpath(path(/a/b)) = %q", got)
	}
	if got, _ := w.text("Item demo already exists, demonstration"); got != "Item demo_"+sfx+" already exists, demonstration" {
		t.Errorf("text = %q", got)
	}
	other, err := newWorld(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.bgCancel()
	if other.unique("demo") == w.unique("demo") {
		t.Error("two scenarios got the same stream name")
	}
}

func TestJSONEqual(t *testing.T) {
	cases := []struct {
		a, b string
		eq   bool
	}{
		{`{"a": 1}`, `{"a": 1.0}`, true},
		{`{"a": 1500}`, `{"a": 1.5e3}`, true},
		{`{"big": 12345678901234567890}`, `{"big": 1.2345678901234567e19}`, false},
		{`{"a": [1, {"b": null}]}`, `{"a": [1, {"b": null}]}`, true},
		{`{"a": [1, 2]}`, `{"a": [2, 1]}`, false},
		{`{"a": 1}`, `{"a": 1, "b": 2}`, false},
		{`{"a": "1"}`, `{"a": 1}`, false},
		{`{"n": null}`, `{}`, false},
		{`{"t": true}`, `{"t": true}`, true},
	}
	for _, c := range cases {
		a, err := parseJSON(c.a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := parseJSON(c.b)
		if err != nil {
			t.Fatal(err)
		}
		if got := jsonEqual(a, b); got != c.eq {
			t.Errorf("jsonEqual(%s, %s) = %v; want %v", c.a, c.b, got, c.eq)
		}
	}
}

func TestSizedMessagesHaveTheirLength(t *testing.T) {
	for _, n := range []int{10, 11, 1024, 4096} {
		msg, err := sized(n)
		if err != nil || len(msg) != n {
			t.Errorf("sized(%d) has %d bytes (%v)", n, len(msg), err)
		}
		if _, err := parseJSON(msg); err != nil {
			t.Errorf("sized(%d) is not JSON: %v", n, err)
		}
	}
	if _, err := sized(9); err == nil {
		t.Error("sized(9) must fail")
	}
}
