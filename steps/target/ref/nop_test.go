package ref_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/steps/target/ref"
)

var _ = Describe("CreateNopRule", func() {
	It("runs a rule whose records go to a nop sink, counted in its status", func() {
		ctx := bounded()
		tgt := newTarget(ref.Options{})
		Expect(tgt.CreateStream(ctx, serverStream("nops"))).To(Succeed())
		r, err := tgt.(target.NopRuleCreator).CreateNopRule(ctx, "nopr", "SELECT * FROM nops")
		Expect(err).NotTo(HaveOccurred())
		c := dial(ctx, tgt, "/nops", nil)
		Expect(c.SendText(ctx, `{"a":1}`)).To(Succeed())
		Expect(c.SendText(ctx, `{"a":2}`)).To(Succeed())
		Eventually(func(g Gomega) any {
			st, err := r.Status(ctx)
			g.Expect(err).NotTo(HaveOccurred())
			v, ok := st.Metric("sink_nop_", "_records_in_total")
			g.Expect(ok).To(BeTrue(), "no sink_nop_*_records_in_total in %v", st.Metrics)
			return v
		}).WithContext(ctx).Should(BeEquivalentTo("2"))
		Consistently(r.Records(), target.QuietWindow).ShouldNot(Receive())
	})

	It("refuses a rule on a stream that does not exist", func() {
		ctx := bounded()
		tgt := newTarget(ref.Options{})
		_, err := tgt.(target.NopRuleCreator).CreateNopRule(ctx, "nopr", "SELECT * FROM missing")
		Expect(err).To(HaveOccurred())
	})
})
