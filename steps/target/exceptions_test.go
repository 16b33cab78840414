package target_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/steps/target"
)

var _ = Describe("Status.LastExceptions", func() {
	st := target.Status{Metrics: map[string]any{
		"sink_rest_0_0_last_exception":      "rest sink POST http://127.0.0.1:1/r: connection refused",
		"sink_rest_0_0_last_exception_time": int64(17),
		"source_s_0_last_exception":         "",
		"op_2_decoder_0_last_exception":     "invalid character",
		"source_t_0_last_exception":         nil,
		"source_u_0_last_exception":         "read: connection reset",
	}}

	It("lists the non-empty last exceptions of the prefixes asked for, sorted", func() {
		Expect(st.LastExceptions("sink_", "source_")).To(Equal(
			"sink_rest_0_0_last_exception: rest sink POST http://127.0.0.1:1/r: connection refused; source_u_0_last_exception: read: connection reset"))
		Expect(st.LastExceptions()).To(HavePrefix("op_2_decoder_0_last_exception: invalid character; sink_"))
		Expect(target.Status{}.LastExceptions()).To(BeEmpty())
	})
})
