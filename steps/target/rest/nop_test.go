package rest_test

import (
	"encoding/json"
	"errors"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/steps/peer"
	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/steps/target/rest"
)

var _ = Describe("CreateNopRule over REST", func() {
	It("posts a rule with a nop action, counted in its status, and deletes it on Close", func() {
		ctx := bounded()
		ref := startEngine()
		drv := newDriver(ctx, rest.Options{RestURL: ref.api.URL, DataURL: "ws://" + ref.dataAddr})
		t, err := drv.Factory()(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(t.CreateStream(ctx, `CREATE STREAM nops () WITH (DATASOURCE="/nops", TYPE="websocket")`)).To(Succeed())
		r, err := t.(target.NopRuleCreator).CreateNopRule(ctx, "nopr", "SELECT * FROM nops")
		Expect(err).NotTo(HaveOccurred())
		def, err := ref.eng.Rule("nopr")
		Expect(err).NotTo(HaveOccurred())
		Expect(def.Actions).To(Equal([]map[string]map[string]any{{"nop": {}}}))

		c, err := peer.Dial(ctx, t.DataServer().URL("/nops"), peer.DialOptions{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(c.Close)
		Expect(c.SendText(ctx, `{"a":1}`)).To(Succeed())
		Eventually(status(ctx, r)).Should(WithTransform(func(st target.Status) any {
			return metric(st, "sink_nop_", "_records_in_total")
		}, Equal(json.Number("1"))))
		Consistently(r.Records(), target.QuietWindow).ShouldNot(Receive())

		Expect(t.Close()).To(Succeed())
		Expect(ref.eng.Rules()).To(BeEmpty())
		Expect(ref.eng.Streams()).To(BeEmpty())
	})

	It("carries the engine's refusal", func() {
		ctx := bounded()
		ref := startEngine()
		drv := newDriver(ctx, rest.Options{RestURL: ref.api.URL, DataURL: "ws://" + ref.dataAddr})
		t := newTarget(ctx, drv)
		_, err := t.(target.NopRuleCreator).CreateNopRule(ctx, "nopr", "SELECT * FROM missing")
		var ae *rest.APIError
		Expect(errors.As(err, &ae)).To(BeTrue(), "want the engine's API error, got %v", err)
		Expect(ae.StatusCode).To(Equal(http.StatusBadRequest))
	})
})
