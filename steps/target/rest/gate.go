package rest

import (
	"context"
	"sync"
)

// gate lets scenarios share the engine, and lets one scenario that changes
// something every scenario sees (the default confKey) run alone: it waits
// until the others have closed, and new ones wait until it has closed.
type gate struct {
	mu        sync.Mutex
	shared    int           // scenarios holding shared access
	exclusive bool          // a scenario holds exclusive access
	waiting   int           // scenarios waiting for exclusive access
	changed   chan struct{} // closed and replaced on every change
}

func newGate() *gate { return &gate{changed: make(chan struct{})} }

// broadcast wakes the waiters; g.mu is held.
func (g *gate) broadcast() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// enterShared waits while a scenario holds or waits for exclusive access.
func (g *gate) enterShared(ctx context.Context) error {
	for {
		g.mu.Lock()
		if !g.exclusive && g.waiting == 0 {
			g.shared++
			g.mu.Unlock()
			return nil
		}
		ch := g.changed
		g.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// upgrade turns the caller's shared access into exclusive access, waiting for
// every other scenario to leave. On failure the caller keeps shared access.
func (g *gate) upgrade(ctx context.Context) error {
	g.mu.Lock()
	g.shared--
	g.waiting++
	g.broadcast()
	for {
		if !g.exclusive && g.shared == 0 {
			g.waiting--
			g.exclusive = true
			g.mu.Unlock()
			return nil
		}
		ch := g.changed
		g.mu.Unlock()
		select {
		case <-ch:
			g.mu.Lock()
		case <-ctx.Done():
			g.mu.Lock()
			g.waiting--
			g.shared++
			g.broadcast()
			g.mu.Unlock()
			return ctx.Err()
		}
	}
}

// leave gives up the caller's access, shared or exclusive.
func (g *gate) leave(exclusive bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if exclusive {
		g.exclusive = false
	} else {
		g.shared--
	}
	g.broadcast()
}

// tryExclusive takes exclusive access when nobody holds or waits for access,
// and tells whether it did; it never waits.
func (g *gate) tryExclusive() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.exclusive || g.shared > 0 || g.waiting > 0 {
		return false
	}
	g.exclusive = true
	g.broadcast()
	return true
}
