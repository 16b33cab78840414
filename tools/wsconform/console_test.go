package main

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	restt "github.com/wsconform/wsconform/steps/target/rest"
)

var _ = Describe("rerun commands", func() {
	It("name the target as the run did, without a password", func() {
		Expect(rerunPrefix(runFlags{target: "ref"})).To(Equal("wsconform run --target ref"))
		f := runFlags{target: "rest", rest: restt.Options{
			RestURL: "http://admin:pw-1@127.0.0.1:9081", DataURL: "wss://127.0.0.1:10081", CAFile: "/tmp/my certs/ca.pem", Exclusive: true,
		}}
		Expect(rerunPrefix(f)).To(Equal("wsconform run --target rest --rest-url http://admin:xxxxx@127.0.0.1:9081 " +
			"--data-url wss://127.0.0.1:10081 --ca '/tmp/my certs/ca.pem' --exclusive"))
	})
})
