package rest_test

import (
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.yaml.in/yaml/v3"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/steps/target/rest"
)

// kuiperSections reads a kuiper.yaml as nested maps.
func kuiperSections(path string) map[string]map[string]any {
	data, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	var doc map[string]map[string]any
	Expect(yaml.Unmarshal(data, &doc)).To(Succeed(), string(data))
	return doc
}

var _ = Describe("WriteConfigWith for eKuiper", func() {
	It("writes a complete kuiper.yaml and the directories eKuiper starts from", func() {
		dir := GinkgoT().TempDir()
		c, err := rest.WriteConfigWith(dir, rest.ConfigOptions{For: rest.EngineEKuiper, RestPort: 19181, DataPort: 19182})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.For).To(Equal(rest.EngineEKuiper))
		Expect(c.EtcDir).To(Equal(filepath.Join(dir, "etc")))
		Expect(c.DataDir).To(Equal(filepath.Join(dir, "data")))
		Expect(c.LogDir).To(Equal(filepath.Join(dir, "log")))
		Expect(c.PluginsDir).To(Equal(filepath.Join(dir, "plugins")))
		Expect(c.KuiperFile).To(Equal(filepath.Join(dir, "etc", "kuiper.yaml")))
		Expect(c.WebsocketFile).To(Equal(filepath.Join(dir, "etc", "sources", "websocket.yaml")))
		Expect(c.RestURL).To(Equal("http://127.0.0.1:19181"))
		Expect(c.DataURL).To(Equal("ws://127.0.0.1:19182"))
		Expect(c.Start).To(Equal([]string{"kuiperd", "-loadFileType", "absolute",
			"-etc", c.EtcDir, "-data", c.DataDir, "-log", c.LogDir, "-plugins", c.PluginsDir}))

		doc := kuiperSections(c.KuiperFile)
		Expect(doc).To(HaveKey("basic"))
		Expect(doc).To(HaveKey("rule"))
		Expect(doc).To(HaveKey("sink"))
		Expect(doc).To(HaveKey("source"))
		Expect(doc).To(HaveKey("store"))
		Expect(doc).To(HaveKey("portable"))
		Expect(doc).To(HaveKey("openTelemetry"))

		basic := doc["basic"]
		Expect(basic).To(HaveKeyWithValue("restIp", "127.0.0.1"))
		Expect(basic).To(HaveKeyWithValue("restPort", 19181))
		Expect(basic).To(HaveKeyWithValue("ip", "127.0.0.1"))
		Expect(basic).To(HaveKeyWithValue("port", 0), "the CLI RPC server takes a free port")
		Expect(basic).To(HaveKeyWithValue("pprof", false))
		Expect(basic).To(HaveKeyWithValue("prometheus", false))
		Expect(basic).To(HaveKeyWithValue("enablePrivateNet", true))
		Expect(basic).To(HaveKeyWithValue("fileLog", true))
		Expect(basic).To(HaveKeyWithValue("consoleLog", false))
		Expect(basic).To(HaveKeyWithValue("logLevel", "info"))
		Expect(doc["rule"]).To(HaveKey("checkpointInterval"))
		Expect(doc["sink"]).To(HaveKeyWithValue("bufferPageSize", 256))
		Expect(doc["sink"]).To(HaveKeyWithValue("memoryCacheThreshold", 1024))
		Expect(doc["source"]).To(Equal(map[string]any{"httpServerIp": "127.0.0.1", "httpServerPort": 19182}))
		Expect(doc["store"]).To(HaveKeyWithValue("type", "sqlite"))
		Expect(doc["store"]).To(HaveKeyWithValue("extStateType", "sqlite"))
		Expect(doc["store"]).To(HaveKey("sqlite"))
		Expect(doc["portable"]).To(HaveKey("pythonBin"))

		for _, d := range []string{"sources", "sinks", "functions", "portable", "wasm"} {
			Expect(filepath.Join(c.PluginsDir, d)).To(BeADirectory())
		}
		Expect(c.DataDir).To(BeADirectory())
		Expect(c.LogDir).To(BeADirectory())
		for _, d := range c.Dirs {
			Expect(d).To(BeADirectory())
		}
		Expect(c.Dirs).To(ContainElements(c.DataDir, c.LogDir, filepath.Join(c.PluginsDir, "wasm")))
		Expect(filepath.Join(c.EtcDir, "sources", "websocket.json")).NotTo(BeAnExistingFile(),
			"eKuiper ignores websocket.yaml while websocket.json exists")

		keys, err := config.LoadConfKeys(c.WebsocketFile)
		Expect(err).NotTo(HaveOccurred())
		Expect(keys).To(Equal(config.ConfKeys{"default": {"addr": ""}}))
		Expect(writtenFiles(dir)).To(ConsistOf(c.Files))

		By("the reference daemon reads the same kuiper.yaml")
		k, err := config.LoadKuiper(c.KuiperFile)
		Expect(err).NotTo(HaveOccurred())
		Expect(k.Basic.Addr()).To(Equal("127.0.0.1:19181"))
		Expect(k.Source.Addr()).To(Equal("127.0.0.1:19182"))
		Expect(k.Basic.EnablePrivateNet).To(BeTrue())
	})

	It("serves wss with the certificates it writes beside etc", func() {
		dir := GinkgoT().TempDir()
		c, err := rest.WriteConfigWith(dir, rest.ConfigOptions{For: rest.EngineEKuiper, TLS: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.RestURL).To(Equal("http://127.0.0.1:9081"))
		Expect(c.DataURL).To(Equal("wss://127.0.0.1:10081"))
		Expect(c.CAFile).To(Equal(filepath.Join(dir, "certs", "ca.pem")))
		doc := kuiperSections(c.KuiperFile)
		Expect(doc["basic"]).To(HaveKeyWithValue("restPort", 9081))
		Expect(doc["source"]).To(HaveKeyWithValue("httpServerPort", 10081))
		Expect(doc["source"]).To(HaveKeyWithValue("httpServerTls", map[string]any{
			"certfile": c.ServerCertFile, "keyfile": c.ServerKeyFile,
		}))
		Expect(c.ServerCertFile).To(BeARegularFile())
		Expect(c.ServerKeyFile).To(BeARegularFile())
		Expect(writtenFiles(dir)).To(ConsistOf(c.Files))
		k, err := config.LoadKuiper(c.KuiperFile)
		Expect(err).NotTo(HaveOccurred())
		_, err = k.Source.TLSConfig()
		Expect(err).NotTo(HaveOccurred())
	})
})
