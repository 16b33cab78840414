package rest_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/goleak"

	"github.com/wsconform/wsconform/internal/waits"
)

func TestRest(t *testing.T) {
	defer goleak.VerifyNone(t,
		goleak.IgnoreCurrent(),
		// ginkgo's interrupt watcher outlives RunSpecs.
		goleak.IgnoreAnyFunction("github.com/onsi/ginkgo/v2/internal/interrupt_handler.(*InterruptHandler).registerForInterrupts.func2"),
	)
	RegisterFailHandler(Fail)
	SetDefaultEventuallyTimeout(waits.Event)
	RunSpecs(t, "REST target Suite")
}
