package wsource

// SetHandshakeReadHook makes f receive, after every client-mode dial, the
// bytes read before the handshake was over; nil removes it.
func SetHandshakeReadHook(f func(n int64)) {
	if f == nil {
		handshakeReadHook.Store(nil)
		return
	}
	handshakeReadHook.Store(&f)
}
