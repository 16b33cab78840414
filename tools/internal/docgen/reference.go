package docgen

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/steps/featureset"
	"github.com/wsconform/wsconform/steps/results"
)

// ReferenceTitle is the heading of the configuration reference.
const ReferenceTitle = "Configuration reference"

// maxShown is how many scenarios a setting's row links before "and N more".
const maxShown = 4

// impliedBy are step texts that set a setting without naming it, e.g. a
// step that points a confKey at the suite's server writes its addr.
var impliedBy = map[string][]string{
	config.PropAddr:                     {"points at the remote server", "points at an address where nothing listens"},
	"source.httpServerPort":             {"the data server port"},
	"source.httpServerTls.certfile":     {"the data server uses TLS", "the data server requires client certificates"},
	"source.httpServerTls.keyfile":      {"the data server uses TLS", "the data server requires client certificates"},
	"source.httpServerTls.clientcafile": {"the data server requires client certificates"},
}

// settingNames are the names under which a scenario may mention s: the key,
// and for a kuiper.yaml key its last component too.
func settingNames(s config.Setting) []string {
	names := []string{s.Key}
	if i := strings.LastIndex(s.Key, "."); i >= 0 {
		names = append(names, s.Key[i+1:])
	}
	return names
}

// matcher finds a setting's names in text.
type matcher struct {
	names []string
	words []*regexp.Regexp
}

// newMatcher matches names in backquotes or double quotes in any case, and as
// whole words those that are not plain lower-case words (camelCase and dotted
// names are not prose).
func newMatcher(names []string) matcher {
	m := matcher{names: names}
	for _, n := range names {
		if n != strings.ToLower(n) {
			m.words = append(m.words, regexp.MustCompile(`\b`+regexp.QuoteMeta(n)+`\b`))
		}
	}
	return m
}

// in reports whether text names one of the matcher's names.
func (m matcher) in(text string) bool {
	lower := strings.ToLower(text)
	for _, n := range m.names {
		ln := strings.ToLower(n)
		if strings.Contains(lower, "`"+ln+"`") || strings.Contains(lower, `"`+ln+`"`) {
			return true
		}
	}
	for _, w := range m.words {
		if w.MatchString(text) {
			return true
		}
	}
	return false
}

// shows reports whether scenario sc names the setting (in its title,
// description, a step, a doc string or a table cell), or else runs a step
// that sets it without naming it.
func shows(sc featureset.Scenario, s config.Setting, m matcher) (named, implied bool) {
	names := m.names
	if m.in(sc.Title) || m.in(sc.Description) {
		return true, false
	}
	for _, st := range sc.Steps {
		if m.in(st.Text) || m.in(st.DocString) {
			return true, false
		}
		for _, row := range st.Table {
			for _, c := range row {
				if slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(strings.TrimSpace(c), n) }) {
					return true, false
				}
			}
		}
	}
	for _, st := range sc.Steps {
		for _, phrase := range impliedBy[s.Key] {
			if strings.Contains(st.Text, phrase) {
				implied = true
			}
		}
	}
	return false, implied
}

// ruleRef is a rule as a setting's row links it.
type ruleRef struct {
	rule Rule
	// named: the rule names the setting (rather than only setting it).
	named bool
}

// link is a Markdown link from features/README.md to the rule in its feature file.
func (r ruleRef) link() string {
	file, line, _ := strings.Cut(r.rule.Location, ":")
	return fmt.Sprintf("[`%s`](%s#L%s)", r.rule.ID, file, line)
}

// rulesShowing lists the rules that show s: those naming it first, then
// those only setting it, each in document order.
func rulesShowing(features []featureset.Feature, s config.Setting) []ruleRef {
	var named, implied []ruleRef
	m := newMatcher(settingNames(s))
	for _, f := range features {
		for _, r := range Rules(f) {
			var n, i bool
			for _, sc := range r.Scenarios {
				sn, si := shows(sc, s, m)
				n, i = n || sn, i || si
			}
			switch {
			case n:
				named = append(named, ruleRef{rule: r, named: true})
			case i:
				implied = append(implied, ruleRef{rule: r})
			}
		}
	}
	return append(named, implied...)
}

// deviates reports whether the engine's expectations record a failure for
// any of the rule's scenarios.
func (e Engine) deviates(r Rule) bool {
	for _, s := range r.Scenarios {
		if entry, _ := e.File.For(s.ID); entry.Outcome == results.Failed {
			return true
		}
	}
	return false
}

// findRule returns the rule with id, if the features have it.
func findRule(features []featureset.Feature, id string) (ruleRef, bool) {
	for _, f := range features {
		for _, r := range Rules(f) {
			if r.ID == id {
				return ruleRef{rule: r}, true
			}
		}
	}
	return ruleRef{}, false
}

// ruleLink links the rule with id, or names it when the features lack it.
func ruleLink(features []featureset.Feature, id string) string {
	if r, ok := findRule(features, id); ok {
		return r.link()
	}
	return "`" + id + "`"
}

// settingsTable writes one table row per setting: what it is, the rules that
// show it and, with engine, eKuiper's difference and the rules it deviates on.
func settingsTable(b *bytes.Buffer, features []featureset.Feature, engine *Engine, settings []config.Setting) {
	if engine != nil {
		fmt.Fprintf(b, "| key | type | default | mode | what it does | shown by | %s |\n|---|---|---|---|---|---|---|\n", cell(engine.File.Engine))
	} else {
		b.WriteString("| key | type | default | mode | what it does | shown by | eKuiper |\n|---|---|---|---|---|---|---|\n")
	}
	for _, s := range settings {
		def := "(none)"
		if s.Default != "" {
			def = "`" + cell(s.Default) + "`"
		}
		refs := rulesShowing(features, s)
		shown := links(refs)
		if len(shown) == 0 {
			shown = []string{"(no scenario)"}
		}
		var diff []string
		if s.EKuiper != "" {
			diff = append(diff, cell(strings.TrimSuffix(s.EKuiper, ".")))
		}
		if engine != nil {
			var dev []ruleRef
			for _, r := range refs {
				if r.named && engine.deviates(r.rule) {
					dev = append(dev, r)
				}
			}
			if len(dev) > 0 {
				diff = append(diff, "deviates on "+strings.Join(links(dev), ", "))
			}
		}
		if len(diff) == 0 {
			diff = []string{"same"}
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s | %s | %s |\n", s.Key, cell(s.Type), def, s.Mode, cell(s.Doc),
			strings.Join(shown, ", "), strings.Join(diff, "; "))
	}
}

// links links the first maxShown rules, then says how many more there are.
func links(refs []ruleRef) []string {
	var out []string
	for i, r := range refs {
		if i == maxShown {
			return append(out, fmt.Sprintf("and %d more", len(refs)-maxShown))
		}
		out = append(out, r.link())
	}
	return out
}

// exampleLine is one "key: value" line of an example file, with eKuiper's
// difference as a comment.
func exampleLine(b *strings.Builder, indent int, key, value string, s config.Setting) {
	fmt.Fprintf(b, "%s%s: %s", strings.Repeat("  ", indent), key, value)
	if s.EKuiper != "" {
		fmt.Fprintf(b, "  # eKuiper: %s", strings.TrimSuffix(s.EKuiper, "."))
	}
	b.WriteString("\n")
}

// exampleValue is the value a setting takes in the examples.
func exampleValue(s config.Setting) string {
	if s.Example != "" {
		return s.Example
	}
	return s.Default
}

// KuiperExample is etc/kuiper.yaml with every key of config.KuiperSettings
// set to its example value.
func KuiperExample() string {
	var b strings.Builder
	var open []string
	for _, s := range config.KuiperSettings {
		path := strings.Split(s.Key, ".")
		parents := path[:len(path)-1]
		same := 0
		for same < len(open) && same < len(parents) && open[same] == parents[same] {
			same++
		}
		for i := same; i < len(parents); i++ {
			fmt.Fprintf(&b, "%s%s:\n", strings.Repeat("  ", i), parents[i])
		}
		open = parents
		exampleLine(&b, len(parents), path[len(path)-1], exampleValue(s), s)
	}
	return b.String()
}

// ConfKeysExample is etc/sources/websocket.yaml with a server-mode default
// confKey (the properties server mode reads) and a client-mode confKey
// "remote" holding every property client mode reads.
func ConfKeysExample() string {
	var b strings.Builder
	b.WriteString("# Server mode: a stream without CONF_KEY is served on the data server.\ndefault:\n")
	for _, s := range config.ConfKeyProperties {
		if s.Mode == config.ModeServer || s.Mode == config.ModeBoth {
			exampleLine(&b, 1, s.Key, s.Default, s)
		}
	}
	b.WriteString("# Client mode: a stream with CONF_KEY=\"remote\" dials addr.\nremote:\n")
	for _, s := range config.ConfKeyProperties {
		if s.Mode == config.ModeClient || s.Mode == config.ModeBoth {
			exampleLine(&b, 1, s.Key, exampleValue(s), s)
		}
	}
	return b.String()
}

// renderReference writes the configuration reference: every kuiper.yaml key
// and confKey property the reference implementation reads, complete examples
// of both files, and how to create a stream over REST and with the CLI.
func renderReference(b *bytes.Buffer, features []featureset.Feature, engine *Engine) {
	fmt.Fprintf(b, "\n## %s\n\n", ReferenceTitle)
	b.WriteString("Every setting the WebSocket source and the engine around it read, from the declarations of `impl/config` ")
	b.WriteString("(`config.KuiperSettings`, `config.ConfKeyProperties`). *mode* says who reads it: a client-mode source (a confKey with an `addr`), ")
	b.WriteString("a server-mode source and its data server, both, or the engine (REST API, sinks). ")
	b.WriteString("*shown by* links the scenarios that name the setting, then those whose steps set it")
	if engine != nil {
		fmt.Fprintf(b, "; the last column says where %s differs, with the scenarios it deviates on", cell(engine.File.Engine))
	}
	b.WriteString(".\n\n")

	b.WriteString("### etc/kuiper.yaml\n\n")
	b.WriteString("Keys are matched in any case; keys and sections not listed are ignored by the reference implementation ")
	b.WriteString("(eKuiper needs its complete stock `kuiper.yaml`, with these keys set in it).\n\n")
	settingsTable(b, features, engine, config.KuiperSettings)

	b.WriteString("\n### etc/sources/websocket.yaml: confKeys\n\n")
	b.WriteString("The file maps confKey names to properties. A stream picks one with `CONF_KEY=\"name\"` (default `default`); ")
	b.WriteString("a named confKey is laid over `default` property by property. confKey names are lower-cased, property names are matched in any case, ")
	b.WriteString("unknown properties are ignored. confKeys can also be put over the REST API: ")
	b.WriteString("`curl -X PUT http://127.0.0.1:9081/metadata/sources/websocket/confKeys/remote -H 'Content-Type: application/json' -d '{\"addr\":\"127.0.0.1:8080\"}'` ")
	b.WriteString("(eKuiper ignores `sources/websocket.yaml` while its stock `sources/websocket.json` exists: put confKeys over REST there).\n\n")
	settingsTable(b, features, engine, config.ConfKeyProperties)

	b.WriteString("\n### A complete example\n\n")
	b.WriteString("`etc/kuiper.yaml`, every key the source and the engine read (leave `httpServerTls` out for a plain ws data server):\n\n")
	b.WriteString("```yaml\n" + KuiperExample() + "```\n\n")
	b.WriteString("`etc/sources/websocket.yaml`; `remote` shows every client-mode property at once: a path wins over its `...Raw` variant, ")
	b.WriteString("`certificationRaw` over `certficationRaw`, and `path` over the stream's DATASOURCE, so in practice set one of each:\n\n")
	b.WriteString("```yaml\n" + ConfKeysExample() + "```\n\n")

	b.WriteString("### Creating the stream\n\n")
	b.WriteString("Over the REST API (answer: `Stream demo is created.`), then a rule reading it:\n\n")
	b.WriteString("```sh\n")
	b.WriteString(`curl -X POST http://127.0.0.1:9081/streams -H 'Content-Type: application/json' \` + "\n")
	b.WriteString(`  -d '{"sql":"CREATE STREAM demo () WITH (DATASOURCE=\"/api/data\", FORMAT=\"json\", TYPE=\"websocket\")"}'` + "\n")
	b.WriteString(`curl -X POST http://127.0.0.1:9081/rules -H 'Content-Type: application/json' \` + "\n")
	b.WriteString(`  -d '{"id":"r1","sql":"SELECT * FROM demo","actions":[{"log":{}}]}'` + "\n")
	b.WriteString("```\n\n")
	b.WriteString("Server mode serves `/api/data` on the data server (`ws://127.0.0.1:10081/api/data` with the defaults); ")
	b.WriteString("with `CONF_KEY=\"remote\"` among the WITH options (its quotes written `\\\"` inside the JSON), the stream dials the `remote` confKey's `addr` instead (client mode).\n\n")
	b.WriteString("With the CLI, as eKuiper's documentation gives it (`bin/kuiper` in eKuiper's directory; the reference's CLI is `go run ./impl/cmd/kuiper`, which takes both forms):\n\n")
	b.WriteString("```sh\n")
	b.WriteString(`bin/kuiper CREATE STREAM demo'() with(format="json", datasource="/api/data", type="websocket")'` + "\n")
	b.WriteString(`bin/kuiper create stream demo '() with(format="json", datasource="/api/data", type="websocket")'` + "\n")
	b.WriteString("```\n\n")
	fmt.Fprintf(b, "Where eKuiper differs: a stream without DATASOURCE, as in the documentation's first REST example "+
		"(`CREATE STREAM websocketDemo() WITH (FORMAT=\"json\", TYPE=\"websocket\")`), is created, but a rule on it is refused "+
		"with `websocket endpoint should start with /` (%s); a stream naming an unknown CONF_KEY silently uses `default` on eKuiper, "+
		"and is refused by the reference implementation (%s).\n",
		ruleLink(features, "ddl-datasource-needs-slash"), ruleLink(features, "config-unknown-conf-key-refused"))
}
