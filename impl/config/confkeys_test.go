package config_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
)

const websocketYAML = `
default:
  addr: ""
  requestHeader:
    X-Trace: ["a", "b"]
  maxMessageBytes: 1024
Remote:
  addr: 127.0.0.1:18090
  scheme: WSS
  path: /fromkey
  insecureSkipVerify: true
empty:
`

var _ = Describe("websocket.yaml confKeys", func() {
	var keys config.ConfKeys

	BeforeEach(func() {
		var err error
		keys, err = config.ParseConfKeys("sources/websocket.yaml", []byte(websocketYAML))
		Expect(err).NotTo(HaveOccurred())
	})

	It("lower-cases confKey names", func() {
		Expect(keys.Names()).To(Equal([]string{"default", "empty", "remote"}))
	})

	It("resolves default for the empty name", func() {
		p, err := keys.Resolve("")
		Expect(err).NotTo(HaveOccurred())
		Expect(p.ServerMode()).To(BeTrue())
		Expect(p.Scheme).To(Equal("ws"))
		Expect(p.MaxMessageBytes).To(Equal(int64(1024)))
		Expect(p.RequestHeader).To(Equal(http.Header{"X-Trace": {"a", "b"}}))
	})

	It("merges a named key over default property by property, any case", func() {
		p, err := keys.Resolve("REMOTE")
		Expect(err).NotTo(HaveOccurred())
		Expect(p).To(Equal(config.Props{
			Addr:               "127.0.0.1:18090",
			Scheme:             "wss",
			Path:               "/fromkey",
			RequestHeader:      http.Header{"X-Trace": {"a", "b"}},
			InsecureSkipVerify: true,
			MaxMessageBytes:    1024,

			MessageTimeout:       config.DefaultMessageTimeout,
			ReconnectInterval:    config.DefaultReconnectInterval,
			MaxReconnectInterval: config.DefaultMaxReconnectInterval,
		}))
		Expect(p.ServerMode()).To(BeFalse())
	})

	It("gives an empty named key the default properties", func() {
		p, err := keys.Resolve("empty")
		Expect(err).NotTo(HaveOccurred())
		d, err := keys.Resolve("default")
		Expect(err).NotTo(HaveOccurred())
		Expect(p).To(Equal(d))
	})

	It("lets a named key override a property spelt in another case", func() {
		ck := config.ConfKeys{"default": {"ADDR": "127.0.0.1:1"}, "k": {"addr": ""}}
		p, err := ck.Resolve("k")
		Expect(err).NotTo(HaveOccurred())
		Expect(p.ServerMode()).To(BeTrue())
	})

	It("refuses an unknown confKey, naming it", func() {
		_, err := keys.Resolve("nosuch")
		Expect(errors.Is(err, config.ErrUnknownConfKey)).To(BeTrue())
		Expect(err).To(MatchError(ContainSubstring(`"nosuch"`)))
	})

	It("resolves default to the defaults when the file has none", func() {
		p, err := config.ConfKeys{}.Resolve("")
		Expect(err).NotTo(HaveOccurred())
		Expect(p).To(Equal(config.Props{
			Scheme:               "ws",
			MaxMessageBytes:      config.DefaultMaxMessageBytes,
			MessageTimeout:       config.DefaultMessageTimeout,
			ReconnectInterval:    config.DefaultReconnectInterval,
			MaxReconnectInterval: config.DefaultMaxReconnectInterval,
		}))
	})

	It("gives no confKeys for an empty file", func() {
		ck, err := config.ParseConfKeys("websocket.yaml", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ck).To(BeEmpty())
	})

	It("loads a file and names a missing one", func() {
		dir := GinkgoT().TempDir()
		path := filepath.Join(dir, "websocket.yaml")
		Expect(os.WriteFile(path, []byte(websocketYAML), 0o600)).To(Succeed())
		ck, err := config.LoadConfKeys(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(ck).To(HaveKey("remote"))
		_, err = config.LoadConfKeys(filepath.Join(dir, "none.yaml"))
		Expect(err).To(MatchError(ContainSubstring("none.yaml")))
	})

	DescribeTable("rejects a bad file, naming the file, confKey, property and value",
		func(doc string, parts ...string) {
			_, err := config.ParseConfKeys("etc/sources/websocket.yaml", []byte(doc))
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(ContainSubstring("etc/sources/websocket.yaml"))
			for _, p := range parts {
				Expect(err.Error()).To(ContainSubstring(p))
			}
		},
		Entry("malformed YAML", "default:\n  addr: [\n", "malformed YAML"),
		Entry("a port out of range", "k:\n  addr: 127.0.0.1:70000\n", `confKey "k"`, "addr", `"127.0.0.1:70000"`, "out of range"),
		Entry("port 0", "k:\n  addr: 127.0.0.1:0\n", `confKey "k"`, `"127.0.0.1:0"`, "out of range"),
		Entry("an addr without a port", "k:\n  addr: localhost\n", "addr", `"localhost"`, "host:port"),
		Entry("an addr with a scheme", "k:\n  addr: ws://127.0.0.1:80\n", "addr", `"ws://127.0.0.1:80"`),
		Entry("an addr without a host", "k:\n  addr: :8080\n", "addr", `":8080"`, "host is empty"),
		Entry("an unknown scheme", "k:\n  scheme: http\n", "scheme", `"http"`),
		Entry("a non-boolean insecureSkipVerify", "k:\n  insecureSkipVerify: often\n", "insecureSkipVerify", `"often"`),
		Entry("a zero maxMessageBytes", "k:\n  maxMessageBytes: 0\n", "maxMessageBytes", "0"),
		Entry("a textual maxMessageBytes", "k:\n  maxMessageBytes: big\n", "maxMessageBytes", `"big"`),
		Entry("a requestHeader that is a list", "k:\n  requestHeader: [a]\n", "requestHeader", "list"),
		Entry("a requestHeader name with a space", "k:\n  requestHeader:\n    'X Bad': [v]\n", "requestHeader", `"X Bad"`),
		Entry("a requestHeader value with a line break", "k:\n  requestHeader:\n    X-Ok: [\"a\\nb\"]\n", "requestHeader", `"X-Ok"`),
		Entry("bad base64 in rootCARaw", "k:\n  rootCARaw: '%%%'\n", "rootCARaw", "base64"),
		Entry("a confKey that is a scalar", "k: 3\n", `confKey "k"`, "mapping"),
		Entry("a bad property on default", "default:\n  addr: x:y\n", `confKey "default"`, `"x:y"`),
		Entry("two names equal once lower-cased", "Abc: {}\nabc: {}\n", "Abc", "abc"),
		Entry("a zero messageTimeout", "k:\n  messageTimeout: 0\n", "messageTimeout", "positive duration"),
		Entry("a messageTimeout that is no duration", "k:\n  messageTimeout: soon\n", "messageTimeout", `"soon"`),
		Entry("a negative reconnectInterval", "k:\n  reconnectInterval: -1s\n", "reconnectInterval", "-1s"),
		Entry("a maxReconnectInterval below reconnectInterval", "k:\n  reconnectInterval: 2s\n  maxReconnectInterval: 1s\n",
			"maxReconnectInterval", "1s", "reconnectInterval", "2s"),
	)

	DescribeTable("ParseProps reads values as JSON or Go callers give them",
		func(raw map[string]any, check func(config.Props)) {
			p, err := config.ParseProps(raw)
			Expect(err).NotTo(HaveOccurred())
			check(p)
		},
		Entry("durations as Go durations or milliseconds",
			map[string]any{"messageTimeout": "1500ms", "reconnectInterval": float64(250), "maxReconnectInterval": "2s"},
			func(p config.Props) {
				Expect(p.MessageTimeout).To(Equal(1500 * time.Millisecond))
				Expect(p.ReconnectInterval).To(Equal(250 * time.Millisecond))
				Expect(p.MaxReconnectInterval).To(Equal(2 * time.Second))
			}),
		Entry("reconnectInterval 0: never reconnect", map[string]any{"reconnectInterval": "0"},
			func(p config.Props) { Expect(p.ReconnectInterval).To(BeZero()) }),
		Entry("a JSON number for maxMessageBytes", map[string]any{"maxMessageBytes": float64(2048)},
			func(p config.Props) { Expect(p.MaxMessageBytes).To(Equal(int64(2048))) }),
		Entry("a json.Number for maxMessageBytes", map[string]any{"maxMessageBytes": json.Number("4096")},
			func(p config.Props) { Expect(p.MaxMessageBytes).To(Equal(int64(4096))) }),
		Entry("a datasource property, not read (the stream's DATASOURCE replaces it)", map[string]any{"datasource": "/ds"},
			func(p config.Props) { Expect(p.Path).To(BeEmpty()) }),
		Entry("path, read beside a datasource property", map[string]any{"datasource": "/ds", "path": "/p"},
			func(p config.Props) { Expect(p.Path).To(Equal("/p")) }),
		Entry("a single string as a header value", map[string]any{"requestHeader": map[string]any{"x-token": "t1"}},
			func(p config.Props) { Expect(p.RequestHeader.Values("X-Token")).To(Equal([]string{"t1"})) }),
		Entry("a Go header map", map[string]any{"requestHeader": map[string][]string{"A": {"1", "2"}}},
			func(p config.Props) { Expect(p.RequestHeader.Values("A")).To(Equal([]string{"1", "2"})) }),
		Entry("property names in any case", map[string]any{"ADDR": "h:1", "InsecureSkipVerify": true},
			func(p config.Props) {
				Expect(p.Addr).To(Equal("h:1"))
				Expect(p.InsecureSkipVerify).To(BeTrue())
			}),
		Entry("raw PEM as base64", map[string]any{"rootCARaw": base64.StdEncoding.EncodeToString([]byte("pem"))},
			func(p config.Props) { Expect(p.RootCARaw).NotTo(BeEmpty()) }),
		Entry("the client certificate as certificationRaw, as eKuiper's code reads it",
			map[string]any{"certificationRaw": base64.StdEncoding.EncodeToString([]byte("cert"))},
			func(p config.Props) {
				Expect(p.CertficationRaw).To(Equal(base64.StdEncoding.EncodeToString([]byte("cert"))))
			}),
		Entry("certificationRaw winning over the documented certficationRaw",
			map[string]any{"certficationRaw": base64.StdEncoding.EncodeToString([]byte("doc")), "certificationRaw": base64.StdEncoding.EncodeToString([]byte("code"))},
			func(p config.Props) {
				Expect(p.CertficationRaw).To(Equal(base64.StdEncoding.EncodeToString([]byte("code"))))
			}),
		Entry("unknown properties, ignored", map[string]any{"bufferLength": 1024},
			func(p config.Props) { Expect(p.Addr).To(BeEmpty()) }),
	)
})
