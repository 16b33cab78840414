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
