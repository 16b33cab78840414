package rest_test

import (
	"time"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/steps/target/rest"
)

var _ = Describe("a rule with a sink that never answers", func() {
	It("posts to a collector route that never answers, with the timeout, and closes promptly", func() {
		ctx := bounded()
		ref := startEngine()
		drv := newDriver(ctx, rest.Options{RestURL: ref.api.URL, DataURL: "ws://" + ref.dataAddr})
		tgt := newTarget(ctx, drv)
		ok, _ := tgt.Supports(target.HangingSink)
		Expect(ok).To(BeTrue())
		h, isHanging := tgt.(target.HangingSinks)
		Expect(isHanging).To(BeTrue())

		Expect(tgt.CreateStream(ctx, `CREATE STREAM hs () WITH (DATASOURCE="/hs", FORMAT="json", TYPE="websocket")`)).To(Succeed())
		_, err := h.CreateRuleWithHangingSink(ctx, "hr", "SELECT * FROM hs", 0)
		Expect(err).To(MatchError(ContainSubstring("want a positive duration")))
		rule, err := h.CreateRuleWithHangingSink(ctx, "hr", "SELECT * FROM hs", 200*time.Millisecond)
		Expect(err).NotTo(HaveOccurred())

		c, _, err := websocket.DefaultDialer.DialContext(ctx, "ws://"+ref.dataAddr+"/hs", nil)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(c.Close)
		Expect(c.WriteMessage(websocket.TextMessage, []byte(`{"a":1}`))).To(Succeed())
		Eventually(status(ctx, rule), 5*time.Second).Should(WithTransform(func(st target.Status) any {
			v, _ := st.Metric("sink_", "_last_exception")
			return v
		}, ContainSubstring("Timeout")))
		Consistently(rule.Records(), target.QuietWindow).ShouldNot(Receive())

		start := time.Now()
		Expect(tgt.Close()).To(Succeed())
		Expect(drv.Close()).To(Succeed())
		Expect(time.Since(start)).To(BeNumerically("<", 2*time.Second), "no request is left hanging")
	})
})
