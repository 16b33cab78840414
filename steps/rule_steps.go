package steps

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/cucumber/godog"
)

// ruleSteps registers the peer-side steps of the rule and integrity
// scenarios.
func ruleSteps(sc *godog.ScenarioContext) {
	sc.Step(`^client "([^"]*)" sends (\d+) distinct messages of (\d+) KiB$`, clientSendsDistinctMessages)
}

// distinctAlphabet is what the pad of a distinct message is made of.
const distinctAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// distinctPad returns the pad of distinct message seq of a series whose
// messages are size bytes long: size-len(frame) characters drawn from a
// generator seeded by seq, so that no two messages share their content at any
// offset and the receiver can rebuild every message.
func distinctPad(seq, size int) string {
	n := size - len(distinctFrame(seq, ""))
	if n < 0 {
		n = 0
	}
	rng := rand.New(rand.NewPCG(uint64(seq), 0x5eed))
	b := make([]byte, n)
	for i := range b {
		b[i] = distinctAlphabet[rng.IntN(len(distinctAlphabet))]
	}
	return string(b)
}

// distinctFrame is distinct message seq with the given pad.
func distinctFrame(seq int, pad string) string {
	return `{"seq":` + strconv.Itoa(seq) + `,"pad":"` + pad + `"}`
}

// distinctMessage is message seq of a series of distinct messages of size
// bytes.
func distinctMessage(seq, size int) string { return distinctFrame(seq, distinctPad(seq, size)) }

func clientSendsDistinctMessages(ctx context.Context, name string, n, kib int) error {
	w := worldFrom(ctx)
	c, err := w.client(name)
	if err != nil {
		return err
	}
	size := kib << 10
	w.background(func(ctx context.Context) error {
		for i := 0; i < n; i++ {
			if err := c.SendText(ctx, distinctMessage(i, size)); err != nil {
				return fmt.Errorf("client %q sends distinct message %d of %d: %w", name, i, n, err)
			}
		}
		return nil
	})
	return nil
}
