package engine_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/decode"
	"github.com/wsconform/wsconform/impl/engine"
	"github.com/wsconform/wsconform/impl/fault"
)

var _ = Describe("engine defects", func() {
	DescribeTable("a lower case CREATE STREAM",
		func(faults fault.Set, accepted bool) {
			e := newEngine(faults, nil)
			_, err := e.CreateStream(`create stream low () with (datasource="/low")`)
			if accepted {
				Expect(err).NotTo(HaveOccurred())
			} else {
				Expect(err).To(MatchError(engine.ErrInvalid))
			}
		},
		Entry("is accepted", fault.Set{}, true),
		Entry("is refused with the UpperCaseKeywordsOnly fault", fault.Set{UpperCaseKeywordsOnly: true}, false),
	)

	DescribeTable("a number in a typed STRING field",
		func(faults fault.Set, want decode.Record) {
			e := newEngine(faults, nil)
			_, err := e.CreateStream(`CREATE STREAM t (id BIGINT, name STRING) WITH (DATASOURCE="/t")`)
			Expect(err).NotTo(HaveOccurred())
			out := engine.NewMemorySink(4)
			Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM t", Sinks: []engine.Sink{out}})).To(Succeed())
			send(mustDial(e, "/t"), `{"id":1,"name":5}`, `{"id":2,"name":"b"}`)
			Expect(next(out)).To(Equal(want))
		},
		Entry("becomes its text", fault.Set{}, decode.Record{"id": int64(1), "name": "5"}),
		Entry("is a decode error with the NumberToStringRefused fault", fault.Set{NumberToStringRefused: true},
			decode.Record{"id": int64(2), "name": "b"}),
	)
})
