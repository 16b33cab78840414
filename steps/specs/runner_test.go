package specs_test

import (
	"context"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/features"
	"github.com/wsconform/wsconform/steps/featureset"
	"github.com/wsconform/wsconform/steps/results"
	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/steps/target/ref"
)

// withoutTLS is the reference target claiming it cannot serve wss.
type withoutTLS struct{ target.Target }

func (withoutTLS) Supports(c target.Capability) (bool, string) {
	if c == target.ServerTLS {
		return false, "switched off for this spec"
	}
	return true, ""
}

var _ = Describe("the generated specs' runner", Label("runner"), func() {
	// firstNeeding returns a scenario that needs the server-tls capability.
	firstNeeding := func(tag string) featureset.Scenario {
		feats, err := featureset.Load(features.FS)
		Expect(err).NotTo(HaveOccurred())
		for _, f := range feats {
			for _, s := range f.Scenarios {
				if s.HasTag(tag) {
					return s
				}
			}
		}
		Fail("no scenario tagged " + tag)
		return featureset.Scenario{}
	}

	It("reports a scenario the target cannot run as skipped, not passed", func() {
		s := firstNeeding("@needs-server-tls")
		inner := ref.Factory(ref.Options{})
		factory := func(ctx context.Context) (target.Target, error) {
			t, err := inner(ctx)
			if err != nil {
				return nil, err
			}
			return withoutTLS{t}, nil
		}
		o, status := scenario(factory, s.File, s.Line, s.RowLine)
		Expect(o.Status).To(Equal(results.Skipped))
		Expect(status).To(Equal(0))

		o, status = scenario(ref.Factory(ref.Options{}), s.File, s.Line, s.RowLine)
		Expect(o.Status).To(Equal(results.Passed))
		Expect(status).To(Equal(0))
	})
})
