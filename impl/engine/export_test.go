package engine

// HubCount returns how many source hubs e keeps.
func HubCount(e *Engine) int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return len(e.hubs)
}
