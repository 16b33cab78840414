package ref_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/steps/target/ref"
)

var _ = Describe("the engine's own files", func() {
	It("supports engine-files", func() {
		ok, reason := newTarget(ref.Options{}).Supports(target.EngineFiles)
		Expect(ok).To(BeTrue(), reason)
	})

	It("returns the engine's refusal of a kuiper.yaml, naming the file and the key", func() {
		tgt := newTarget(ref.Options{})
		err := tgt.Apply(bounded(), target.Env{KuiperYAML: "source:\n  httpServerPort: 70000\n"})
		Expect(err).To(MatchError(And(ContainSubstring("kuiper.yaml"), ContainSubstring("source.httpServerPort"))))
	})

	It("returns the engine's refusal of a websocket.yaml, naming the file and the confKey", func() {
		tgt := newTarget(ref.Options{})
		err := tgt.Apply(bounded(), target.Env{WebsocketYAML: "remote: 5\n"})
		Expect(err).To(MatchError(And(ContainSubstring("websocket.yaml"), ContainSubstring(`confKey "remote"`))))
	})

	It("keeps its data server address over the file's and serves streams", func() {
		ctx := bounded()
		tgt := newTarget(ref.Options{})
		Expect(tgt.Apply(ctx, target.Env{KuiperYAML: "source:\n  httpServerIp: 192.0.2.1\n  httpServerPort: 1\n"})).To(Succeed())
		Expect(tgt.CreateStream(ctx, serverStream("files"))).To(Succeed())
		r, err := tgt.CreateRule(ctx, "files", "SELECT * FROM files")
		Expect(err).NotTo(HaveOccurred())
		c := dial(ctx, tgt, "/files", nil)
		Expect(c.SendText(ctx, `{"from": "file"}`)).To(Succeed())
		Expect(receive(ctx, r)).To(HaveKeyWithValue("from", "file"))
	})

	It("refuses files together with the data server settings of Env", func() {
		tgt := newTarget(ref.Options{})
		err := tgt.Apply(bounded(), target.Env{KuiperYAML: "basic: {}\n", MaxConnections: 3})
		Expect(err).To(MatchError(ContainSubstring("MaxConnections")))
	})
})
