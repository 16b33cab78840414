package rest

import (
	"maps"

	"github.com/wsconform/wsconform/impl/engine"
	"github.com/wsconform/wsconform/internal/secret"
)

// HiddenValue replaces, in GET /rules/{id}, the value of every sink header
// whose name carries a credential (Authorization, Proxy-Authorization,
// Cookie, X-Api-Key, names with token, secret or password in them) and of
// every such sink property.
const HiddenValue = "******"

// hideSecrets returns def with the values of its sinks' sensitive headers and
// properties replaced by HiddenValue; def itself is left as it is.
func hideSecrets(def engine.RuleDef) engine.RuleDef {
	actions := make([]map[string]map[string]any, len(def.Actions))
	for i, a := range def.Actions {
		out := make(map[string]map[string]any, len(a))
		for sink, props := range a {
			p := maps.Clone(props)
			for k, v := range p {
				switch {
				case secret.Name(k):
					p[k] = HiddenValue
				case k == "headers":
					if h, ok := v.(map[string]any); ok {
						h = maps.Clone(h)
						for name := range h {
							if secret.Name(name) {
								h[name] = HiddenValue
							}
						}
						p[k] = h
					}
				}
			}
			out[sink] = p
		}
		actions[i] = out
	}
	def.Actions = actions
	return def
}
