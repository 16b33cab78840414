package engine_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/decode"
	"github.com/wsconform/wsconform/impl/engine"
	"github.com/wsconform/wsconform/impl/fault"
	"github.com/wsconform/wsconform/internal/selftest"
	"github.com/wsconform/wsconform/internal/waits"
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
		Entry("is refused with the UpperCaseKeywordsOnly fault", Label(selftest.Label), fault.Set{UpperCaseKeywordsOnly: true}, false),
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
		Entry("is a decode error with the NumberToStringRefused fault", Label(selftest.Label), fault.Set{NumberToStringRefused: true},
			decode.Record{"id": int64(2), "name": "b"}),
	)

	DescribeTable("the second rule on a stream",
		func(faults fault.Set, gets bool) {
			e := newEngine(faults, nil)
			_, err := e.CreateStream(`CREATE STREAM two () WITH (DATASOURCE="/two")`)
			Expect(err).NotTo(HaveOccurred())
			out1, out2 := engine.NewMemorySink(4), engine.NewMemorySink(4)
			Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r1", SQL: "SELECT * FROM two", Sinks: []engine.Sink{out1}})).To(Succeed())
			Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r2", SQL: "SELECT * FROM two", Sinks: []engine.Sink{out2}})).To(Succeed())
			send(mustDial(e, "/two"), `{"n":1}`)
			Expect(next(out1)).To(Equal(decode.Record{"n": int64(1)}))
			if gets {
				Expect(next(out2)).To(Equal(decode.Record{"n": int64(1)}))
			} else {
				Consistently(out2.C()).WithTimeout(waits.Quiet).ShouldNot(Receive())
			}
		},
		Entry("gets every record", fault.Set{}, true),
		Entry("gets nothing with the FirstRuleOnly fault", Label(selftest.Label), fault.Set{FirstRuleOnly: true}, false),
	)

	DescribeTable("SELECT with a field list",
		func(faults fault.Set, want decode.Record) {
			e := newEngine(faults, nil)
			_, err := e.CreateStream(`CREATE STREAM p () WITH (DATASOURCE="/p")`)
			Expect(err).NotTo(HaveOccurred())
			out := engine.NewMemorySink(4)
			Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT a FROM p", Sinks: []engine.Sink{out}})).To(Succeed())
			send(mustDial(e, "/p"), `{"a":1,"b":2}`)
			Expect(next(out)).To(Equal(want))
		},
		Entry("keeps only those fields", fault.Set{}, decode.Record{"a": int64(1)}),
		Entry("keeps every field with the ProjectionIgnored fault", Label(selftest.Label), fault.Set{ProjectionIgnored: true},
			decode.Record{"a": int64(1), "b": int64(2)}),
	)

	DescribeTable("a schemaless integer beyond 2^53",
		func(faults fault.Set, want any) {
			e := newEngine(faults, nil)
			_, err := e.CreateStream(`CREATE STREAM big () WITH (DATASOURCE="/big")`)
			Expect(err).NotTo(HaveOccurred())
			out := engine.NewMemorySink(4)
			Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM big", Sinks: []engine.Sink{out}})).To(Succeed())
			send(mustDial(e, "/big"), `{"odd":9007199254740993}`)
			Expect(next(out)).To(Equal(decode.Record{"odd": want}))
		},
		Entry("stays exact", fault.Set{}, int64(9007199254740993)),
		Entry("is rounded with the LargeIntegersAsFloat fault", Label(selftest.Label), fault.Set{LargeIntegersAsFloat: true}, float64(9007199254740992)),
	)

	DescribeTable("a rule on a stream whose CONF_KEY names no confKey",
		func(faults fault.Set, refused bool) {
			e := newEngine(faults, nil)
			_, err := e.CreateStream(`CREATE STREAM k () WITH (DATASOURCE="/k", CONF_KEY="nosuchkey")`)
			Expect(err).NotTo(HaveOccurred())
			err = e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM k", Sinks: []engine.Sink{engine.NewMemorySink(1)}})
			if refused {
				Expect(err).To(MatchError(ContainSubstring("nosuchkey")))
			} else {
				Expect(err).NotTo(HaveOccurred())
			}
		},
		Entry("is refused with the key's name", fault.Set{}, true),
		Entry("runs on default with the UnknownConfKeyFallsBack fault", Label(selftest.Label), fault.Set{UnknownConfKeyFallsBack: true}, false),
	)

	DescribeTable("a second CREATE STREAM with the same name",
		func(faults fault.Set, replaced bool) {
			e := newEngine(faults, nil)
			_, err := e.CreateStream(`CREATE STREAM d () WITH (DATASOURCE="/one")`)
			Expect(err).NotTo(HaveOccurred())
			_, err = e.CreateStream(`CREATE STREAM d () WITH (DATASOURCE="/two")`)
			got, gerr := e.Stream("d")
			Expect(gerr).NotTo(HaveOccurred())
			if replaced {
				Expect(err).NotTo(HaveOccurred())
				Expect(got.Options.Datasource).To(Equal("/two"))
			} else {
				Expect(err).To(MatchError(isKind(engine.ErrExists), "ErrExists"))
				Expect(got.Options.Datasource).To(Equal("/one"))
			}
		},
		Entry("is refused", fault.Set{}, false),
		Entry("replaces the stream with the DuplicateStreamReplaces fault", Label(selftest.Label), fault.Set{DuplicateStreamReplaces: true}, true),
	)
})
