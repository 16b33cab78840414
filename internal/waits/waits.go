// Package waits holds the bounds of the tests' waits for events, and of the
// suite's steps (steps/target.DefaultTimeout), all scaled by one factor so
// that a loaded machine or a slow engine can be given more time in one
// place: WSCONFORM_TIME_SCALE=3 go test ./... triples every bound.
//
// A wait for an event returns as soon as the event happens; the bound only
// decides how long a test waits before it reports the event missing. Proving
// that something did not happen uses one short window, Quiet, which is not
// scaled: a loaded machine only makes such a check easier to pass.
package waits

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// Quiet is how long a test or a step watches to prove that something did not
// happen; steps/target.QuietWindow is the same window.
const Quiet = 300 * time.Millisecond

// EnvScale names the environment variable holding the scale factor: a
// positive number, default 1.
const EnvScale = "WSCONFORM_TIME_SCALE"

// Scale is the factor read from EnvScale. A value that is not a positive
// number stops the test binary with a message naming it.
var Scale = readScale(os.Getenv(EnvScale))

// Event bounds a wait for something that happens promptly on an idle
// machine (a message delivered, a connection made, a status changed):
// 10 s × Scale. Ginkgo suites make it the default Eventually timeout.
var Event = Of(10 * time.Second)

// Heavy bounds a wait for work that takes seconds under the race detector
// on a loaded machine (megabytes decoded, thousands of messages): 30 s × Scale.
var Heavy = Of(30 * time.Second)

// Of returns d × Scale.
func Of(d time.Duration) time.Duration { return time.Duration(float64(d) * Scale) }

func readScale(v string) float64 {
	if v == "" {
		return 1
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f > 0) || f > 1000 {
		panic(fmt.Sprintf("%s=%q: want a positive number up to 1000, e.g. 2 to double every wait of the tests", EnvScale, v))
	}
	return f
}
