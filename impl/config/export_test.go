package config

// SetReadHook makes f see every key the parsers look up; nil stops it.
func SetReadHook(f func(key string)) { readHook = f }
