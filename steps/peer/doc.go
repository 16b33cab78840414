// Package peer provides the conformance suite's own network peers: a ws/wss
// server that an engine's client-mode source dials, a ws/wss client that
// connects to an engine's server-mode endpoint, and TLS material generated at
// run time.
//
// Everything runs over real TCP on the loopback interface. Every goroutine a
// peer starts is stopped and waited for by the peer's Close method.
package peer

import (
	"context"
	"time"
)

// DefaultTimeout bounds a blocking operation whose context has no deadline.
const DefaultTimeout = 5 * time.Second

// closeWait bounds how long a graceful close waits for the other side to
// answer the close frame before the TCP connection is closed anyway.
const closeWait = 2 * time.Second

// deadline returns the deadline of ctx, or now plus DefaultTimeout when ctx has
// none.
func deadline(ctx context.Context) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return time.Now().Add(DefaultTimeout)
}
