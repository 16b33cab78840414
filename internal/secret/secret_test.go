package secret_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"strings"
	"testing"

	"github.com/wsconform/wsconform/internal/secret"
)

func TestName(t *testing.T) {
	for name, want := range map[string]bool{
		"Authorization": true, "proxy-authorization": true, "Cookie": true, "Set-Cookie": true,
		"X-Api-Key": true, "apikey": true, "X-Auth-Token": true, "client_secret": true, "Password": true,
		"privateKeyRaw": true, "certificationRaw": true, "certficationRaw": true, "rootCARaw": true,
		"X-Site": false, "Origin": false, "privateKeyPath": false, "addr": false, "confKey": false,
	} {
		if got := secret.Name(name); got != want {
			t.Errorf("Name(%q) = %v; want %v", name, got, want)
		}
	}
}

func TestValues(t *testing.T) {
	if got := secret.Values("Authorization", []string{"BEARER T0K3N-mangled"}); strings.Contains(got, "T0K3N") || !strings.Contains(got, "1 value of 20 characters") {
		t.Errorf("Values(Authorization) = %q", got)
	}
	if got := secret.Values("Cookie", []string{"a=1", "bb=22"}); got != "2 values of 3, 5 characters (not shown)" {
		t.Errorf("Values(Cookie) = %q", got)
	}
	if got := secret.Values("X-Site", []string{"north"}); got != `["north"]` {
		t.Errorf("Values(X-Site) = %q", got)
	}
}

// TestTextMasksEveryForm checks that a secret value is gone from the forms a
// message takes in the console, Markdown, JSON, escaped JSON and XML, and
// that what is around it stays.
func TestTextMasksEveryForm(t *testing.T) {
	const tok = "BEARER T0K3N-mangled"
	goList := fmt.Sprintf("the handshake carried Authorization: %q; want %q", []string{tok, "second"}, "Bearer t0k3n")
	jsonMap, _ := json.Marshal(map[string][]string{"Authorization": {tok, "two"}, "X-Site": {"north"}})
	jsonInString, _ := json.Marshal(goList)
	var xmlText strings.Builder
	_ = xml.EscapeText(&xmlText, []byte(goList))
	cases := []string{
		"Authorization: " + tok,
		"proxy-authorization=" + tok + "\nnext line",
		"map[Authorization:[" + tok + "] X-Site:[north]]",
		goList,
		string(jsonMap),
		string(jsonInString),
		xmlText.String(),
		html.EscapeString(goList),
		`header "Authorization: ` + tok + `" sent`,
		`{"cookie": "` + tok + `", "x-api-key":"` + tok + `"}`,
		`X-Auth-Token "` + tok + `"`,
	}
	for _, c := range cases {
		got := secret.Text(c)
		// The expected value after "want" is no header value: steps keep it
		// out of messages, and a Redactor masks it as a known secret.
		for _, leak := range []string{"T0K3N", "second", "two"} {
			if strings.Contains(got, leak) {
				t.Errorf("Text(%q) = %q: %q is left", c, got, leak)
			}
		}
		if strings.Contains(c, "north") && !strings.Contains(got, "north") {
			t.Errorf("Text(%q) = %q: masked an ordinary header", c, got)
		}
		if secret.Text(got) != got {
			t.Errorf("Text is not idempotent on %q: %q", got, secret.Text(got))
		}
	}
	var v any
	if err := json.Unmarshal([]byte(secret.Text(string(jsonMap))), &v); err != nil {
		t.Errorf("masked JSON is not JSON: %v", err)
	}
	var str string
	if err := json.Unmarshal([]byte(secret.Text(string(jsonInString))), &str); err != nil {
		t.Errorf("masked JSON string is not a JSON string: %v", err)
	}
	if got := secret.Text("proxy-authorization=" + tok + "\nnext line"); !strings.HasSuffix(got, "\nnext line") {
		t.Errorf("a bare value took the next line: %q", got)
	}
}

func TestTextMasksKeyMaterial(t *testing.T) {
	pem := "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5nQJ2\n-----END EC PRIVATE KEY-----"
	for _, c := range []string{
		"key: " + pem + " end",
		strings.ReplaceAll(pem, "\n", `\n`),
		"privateKeyRaw: LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0t",
		`{"certificationRaw":"bWFuZ2xlZA=="}`,
	} {
		got := secret.Text(c)
		for _, leak := range []string{"MHcCAQEE", "LS0tLS1", "bWFuZ2xlZA"} {
			if strings.Contains(got, leak) {
				t.Errorf("Text(%q) = %q: %q is left", c, got, leak)
			}
		}
	}
}

func TestTextLeavesOrdinaryText(t *testing.T) {
	for _, c := range []string{
		"rule \"r1\" output no record within 5s",
		"X-Site: north",
		"the engine requested \"/api/data?x=1\"; want \"/feed\"",
		"privateKeyPath: /tmp/certs/client-key.pem",
	} {
		if got := secret.Text(c); got != c {
			t.Errorf("Text(%q) = %q; want it unchanged", c, got)
		}
	}
}
