package config_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
)

// kuiperKeyLiteral is a string literal naming a kuiper.yaml key by its path.
var kuiperKeyLiteral = regexp.MustCompile(`^(basic|source)\.[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$`)

// readKeys finds, in the package's own source (tests left out), the names the
// parsers read: the string constants named Prop*, the literal keys passed to
// lookup, and every literal kuiper.yaml key path ("source.httpServerPort").
func readKeys() (props, lookups, kuiper map[string]string) {
	props, lookups, kuiper = map[string]string{}, map[string]string{}, map[string]string{}
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	Expect(err).NotTo(HaveOccurred())
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		Expect(err).NotTo(HaveOccurred())
		files = append(files, f)
	}
	Expect(files).NotTo(BeEmpty())
	unquote := func(e ast.Expr) (string, bool) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(lit.Value)
		return s, err == nil
	}
	for _, file := range files {
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if strings.HasPrefix(id.Name, "Prop") && i < len(n.Values) {
						if s, ok := unquote(n.Values[i]); ok {
							props[s] = fset.Position(id.Pos()).String()
						}
					}
				}
			case *ast.CallExpr:
				if fn, ok := n.Fun.(*ast.Ident); ok && fn.Name == "lookup" && len(n.Args) == 2 {
					if s, ok := unquote(n.Args[1]); ok {
						lookups[s] = fset.Position(n.Pos()).String()
					}
				}
			case *ast.BasicLit:
				if s, ok := unquote(n); ok && kuiperKeyLiteral.MatchString(s) {
					kuiper[s] = fset.Position(n.Pos()).String()
				}
			}
			return true
		})
	}
	return props, lookups, kuiper
}

func keysOf(settings []config.Setting) []string {
	var keys []string
	for _, s := range settings {
		keys = append(keys, s.Key)
	}
	return keys
}

var _ = Describe("the settings reference", func() {
	props, lookups, kuiper := readKeys()

	It("finds what the parsers read in the source", func() {
		Expect(props).To(HaveKey("maxMessageBytes"))
		Expect(props).To(HaveKey("requestHeader"))
		Expect(kuiper).To(HaveKey("source.httpServerPort"))
		Expect(kuiper).To(HaveKey("source.httpServerTls.clientcafile"))
	})

	It("documents every confKey property the parser reads", func() {
		documented := keysOf(config.ConfKeyProperties)
		for _, k := range slices.Sorted(maps.Keys(props)) {
			Expect(documented).To(ContainElement(k), "property %q (declared at %s) is read but missing from config.ConfKeyProperties in reference.go", k, props[k])
		}
		kuiperLeaves := map[string]bool{}
		for _, s := range config.KuiperSettings {
			kuiperLeaves[s.Key[strings.LastIndex(s.Key, ".")+1:]] = true
		}
		for _, k := range slices.Sorted(maps.Keys(lookups)) {
			Expect(slices.Contains(documented, k) || kuiperLeaves[k]).To(BeTrue(),
				"key %q (looked up at %s) is read but missing from config.ConfKeyProperties and config.KuiperSettings in reference.go", k, lookups[k])
		}
	})

	It("documents every key the parsers look up while they parse", func() {
		read := map[string]bool{}
		config.SetReadHook(func(key string) { read[key] = true })
		DeferCleanup(func() { config.SetReadHook(nil) })
		_, err := config.ParseProps(map[string]any{})
		Expect(err).NotTo(HaveOccurred())
		_, err = config.ParseKuiper("full.yaml", []byte("basic: {restPort: 1}\nsource:\n  httpServerTls: {certfile: c.pem, keyfile: k.pem}\n"))
		Expect(err).NotTo(HaveOccurred())
		config.SetReadHook(nil)
		Expect(read).To(HaveKey(config.PropMaxMessageBytes))

		known := map[string]bool{}
		for _, s := range config.ConfKeyProperties {
			known[s.Key] = true
		}
		for _, s := range config.KuiperSettings {
			for part := range strings.SplitSeq(s.Key, ".") {
				known[part] = true // the key's sections and its own name
			}
		}
		for _, k := range slices.Sorted(maps.Keys(read)) {
			Expect(known).To(HaveKey(k), "the parsers read %q, which config.ConfKeyProperties and config.KuiperSettings in reference.go do not declare", k)
		}
	})

	It("documents every kuiper.yaml key the parser reads", func() {
		documented := keysOf(config.KuiperSettings)
		for _, k := range slices.Sorted(maps.Keys(kuiper)) {
			Expect(documented).To(ContainElement(k), "kuiper.yaml key %q (read at %s) is missing from config.KuiperSettings in reference.go", k, kuiper[k])
		}
	})

	It("documents nothing the parsers do not read, each key once, each with a type, a mode and a description", func() {
		for _, set := range []struct {
			name     string
			settings []config.Setting
			read     map[string]string
		}{{"ConfKeyProperties", config.ConfKeyProperties, props}, {"KuiperSettings", config.KuiperSettings, kuiper}} {
			seen := map[string]bool{}
			for _, s := range set.settings {
				Expect(set.read).To(HaveKey(s.Key), "config.%s documents %q, which the parser does not read", set.name, s.Key)
				Expect(seen).NotTo(HaveKey(strings.ToLower(s.Key)), "config.%s documents %q twice", set.name, s.Key)
				seen[strings.ToLower(s.Key)] = true
				Expect(s.Type).NotTo(BeEmpty(), s.Key)
				Expect(s.Doc).NotTo(BeEmpty(), s.Key)
				Expect([]config.Mode{config.ModeClient, config.ModeServer, config.ModeBoth, config.ModeEngine}).To(ContainElement(s.Mode), s.Key)
			}
		}
	})

	It("gives the defaults the parsers apply", func() {
		def := map[string]string{}
		for _, s := range append(slices.Clone(config.KuiperSettings), config.ConfKeyProperties...) {
			def[s.Key] = s.Default
		}
		p, err := config.ParseProps(map[string]any{})
		Expect(err).NotTo(HaveOccurred())
		Expect(def[config.PropScheme]).To(Equal(p.Scheme))
		Expect(def[config.PropMaxMessageBytes]).To(Equal(strconv.FormatInt(p.MaxMessageBytes, 10)))
		Expect(def[config.PropInsecureSkipVerify]).To(Equal(strconv.FormatBool(p.InsecureSkipVerify)))
		Expect(def[config.PropAddr]).To(Equal(strconv.Quote(p.Addr)))

		k, err := config.ParseKuiper("empty.yaml", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(def["basic.restIp"]).To(Equal(k.Basic.RestIP))
		Expect(def["basic.restPort"]).To(Equal(strconv.Itoa(k.Basic.RestPort)))
		Expect(def["basic.enablePrivateNet"]).To(Equal(strconv.FormatBool(k.Basic.EnablePrivateNet)))
		Expect(def["source.httpServerIp"]).To(Equal(k.Source.HTTPServerIP))
		Expect(def["source.httpServerPort"]).To(Equal(strconv.Itoa(k.Source.HTTPServerPort)))
		Expect(k.Source.HTTPServerTLS).To(BeNil())
		Expect(def["source.httpServerTls.certfile"]).To(BeEmpty())
	})
})
