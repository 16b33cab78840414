package collect_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wsconform/wsconform/steps/target/collect"
)

func post(t *testing.T, url, body string, header map[string]string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func TestRouteRequiresItsHeaders(t *testing.T) {
	c, err := collect.New("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	}()
	want := map[string]string{"X-Rule": "r1", "Content-Type": "application/json"}
	rt, err := c.AddRoute("/r1", collect.RouteOptions{Buffer: 4, Header: want})
	if err != nil {
		t.Fatal(err)
	}
	if got := post(t, rt.URL, `{"n":1}`, map[string]string{"X-Rule": "r1"}); got != http.StatusBadRequest {
		t.Errorf("post without Content-Type: status %d, want 400", got)
	}
	if got := post(t, rt.URL, `{"n":2}`, map[string]string{"X-Rule": "r2", "Content-Type": "application/json"}); got != http.StatusBadRequest {
		t.Errorf("post with another rule's header: status %d, want 400", got)
	}
	if got := post(t, rt.URL, `[{"n":3},{"n":4}]`, want); got != http.StatusOK {
		t.Errorf("post with the headers: status %d, want 200", got)
	}
	for _, n := range []string{"3", "4"} {
		select {
		case r := <-rt.Records():
			if got := r["n"]; got == nil || got.(interface{ String() string }).String() != n {
				t.Errorf("record %v, want n %s", r, n)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("record n %s not delivered", n)
		}
	}
	select {
	case r := <-rt.Records():
		t.Errorf("refused post delivered %v", r)
	default:
	}
}

func TestSingleRouteRefusesArrays(t *testing.T) {
	c, err := collect.New("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	}()
	rt, err := c.AddRoute("/one", collect.RouteOptions{Buffer: 4, Single: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := post(t, rt.URL, ` [{"n":1}]`, nil); got != http.StatusBadRequest {
		t.Errorf("post of an array: status %d, want 400", got)
	}
	if got := post(t, rt.URL, `{"n":2}`, nil); got != http.StatusOK {
		t.Errorf("post of an object: status %d, want 200", got)
	}
	select {
	case r := <-rt.Records():
		if fmt.Sprint(r["n"]) != "2" {
			t.Errorf("record %v, want n 2 (the array refused)", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("record n 2 not delivered")
	}
}
