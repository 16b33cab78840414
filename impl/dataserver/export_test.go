package dataserver

import "time"

// SetUpgradedHook makes f run between every upgrade and the connection's
// registration with its endpoint; nil removes it.
func SetUpgradedHook(f func(path string)) {
	if f == nil {
		upgradedHook.Store(nil)
		return
	}
	upgradedHook.Store(&f)
}

// AwaitReadable is ReadGuard.awaitReadable.
func (g *ReadGuard) AwaitReadable(limit time.Time) bool { return g.awaitReadable(limit) }
