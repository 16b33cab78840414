package rest

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// Engine names the engine from its GET / answer: its "name" and "version"
// with the platform, e.g. "kuiperd v1.0.0 (linux/amd64)", or, when it gives no
// name, "version 2.4.0-27-g0014e7fab (linux/amd64)" (eKuiper's answer); ""
// when GET / does not answer with a version.
func (t *restTarget) Engine(ctx context.Context) string { return t.d.engine(ctx) }

func (d *Driver) engine(ctx context.Context) string {
	body, err := d.client.do(ctx, http.MethodGet, "/", nil)
	if err != nil {
		return ""
	}
	var info struct {
		Name, Version, OS, Arch string
	}
	if json.Unmarshal(body, &info) != nil || info.Version == "" {
		return ""
	}
	name := strings.TrimSpace(info.Name)
	if name == "" {
		name = "version"
	}
	s := name + " " + info.Version
	if info.OS != "" && info.Arch != "" {
		s += " (" + info.OS + "/" + info.Arch + ")"
	}
	return s
}
