package rest

import "sync"

// keyLock serialises work on one key (a stream, rule or confKey name) so that
// the engine and the store see changes to the same item in the same order,
// while changes to different items proceed in parallel.
type keyLock struct {
	mu   sync.Mutex
	held map[string]*keyEntry
}

type keyEntry struct {
	mu   sync.Mutex
	refs int
}

// lock blocks until key is free and returns the function that frees it.
func (k *keyLock) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.held == nil {
		k.held = map[string]*keyEntry{}
	}
	e := k.held[key]
	if e == nil {
		e = &keyEntry{}
		k.held[key] = e
	}
	e.refs++
	k.mu.Unlock()

	e.mu.Lock()
	return func() {
		e.mu.Unlock()
		k.mu.Lock()
		e.refs--
		if e.refs == 0 {
			delete(k.held, key)
		}
		k.mu.Unlock()
	}
}
