package config_test

import (
	"encoding/json"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
)

var _ = Describe("pingInterval", func() {
	DescribeTable("is a duration or a number of milliseconds",
		func(v any, want time.Duration) {
			p, err := config.ParseProps(map[string]any{"pingInterval": v})
			Expect(err).NotTo(HaveOccurred())
			Expect(p.PingInterval).To(Equal(want))
		},
		Entry("a Go duration", "200ms", 200*time.Millisecond),
		Entry("seconds", " 30s ", 30*time.Second),
		Entry("a JSON number of milliseconds", float64(250), 250*time.Millisecond),
		Entry("a json.Number", json.Number("1000"), time.Second),
		Entry("zero: off", "0s", time.Duration(0)),
	)

	It("is off by default", func() {
		p, err := config.ParseProps(map[string]any{})
		Expect(err).NotTo(HaveOccurred())
		Expect(p.PingInterval).To(BeZero())
	})

	DescribeTable("refuses what is not a duration, naming the property",
		func(v any) {
			_, err := config.ParseProps(map[string]any{"pingInterval": v})
			Expect(err).To(MatchError(ContainSubstring("pingInterval")))
		},
		Entry("text", "soon"),
		Entry("a negative duration", "-1s"),
		Entry("a boolean", true),
	)
})
