package target_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/steps/target"
)

var _ = Describe("SplitCollect", func() {
	It("finds the collect action and keeps numbers exact", func() {
		m, at, err := target.SplitCollect([]byte(`{"id":"r1","sql":"SELECT * FROM s","actions":[{"log":{}},{"collect":{}},{"rest":{"url":"http://h","timeout":9007199254740993}}]}`))
		Expect(err).NotTo(HaveOccurred())
		Expect(at).To(Equal(1))
		rest := m["actions"].([]any)[2].(map[string]any)["rest"].(map[string]any)
		Expect(rest["timeout"]).To(BeEquivalentTo("9007199254740993"))
	})

	It("returns -1 without a collect action, and for what is no rule object", func() {
		for _, def := range []string{`{"id":"r1","actions":[{"nop":{}}]}`, `{"id":"r1"}`, `{"actions":"x"}`, `[1]`, `not json`} {
			_, at, err := target.SplitCollect([]byte(def))
			Expect(err).NotTo(HaveOccurred(), def)
			Expect(at).To(Equal(-1), def)
		}
	})

	DescribeTable("refuses a collect action the suite cannot deliver from",
		func(def, want string) {
			_, _, err := target.SplitCollect([]byte(def))
			Expect(err).To(MatchError(ContainSubstring(want)))
		},
		Entry("beside another sink", `{"actions":[{"collect":{},"nop":{}}]}`, "beside other sinks"),
		Entry("with properties", `{"actions":[{"collect":{"url":"http://h"}}]}`, "takes no properties"),
		Entry("not an object", `{"actions":[{"collect":true}]}`, "takes no properties"),
		Entry("twice", `{"actions":[{"collect":{}},{"collect":{}}]}`, "more than one"),
	)
})
