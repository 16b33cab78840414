package dataserver

// SetUpgradedHook makes f run between every upgrade and the connection's
// registration with its endpoint; nil removes it.
func SetUpgradedHook(f func(path string)) {
	if f == nil {
		upgradedHook.Store(nil)
		return
	}
	upgradedHook.Store(&f)
}

// CapFor is the default connection cap for an open-file limit of n.
func CapFor(n uint64) int { return capFor(n) }
