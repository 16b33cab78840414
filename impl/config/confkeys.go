package config

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
)

// DefaultConfKey is the confKey a stream uses when it names none.
const DefaultConfKey = "default"

// ErrUnknownConfKey is wrapped by Resolve when a stream names a confKey that
// does not exist.
var ErrUnknownConfKey = errors.New("unknown confKey")

// ConfKeys holds the confKeys of etc/sources/websocket.yaml: confKey name
// (lower-cased) → its raw properties.
type ConfKeys map[string]map[string]any

// LoadConfKeys reads etc/sources/websocket.yaml from path. A missing file is an
// error naming it; an empty file gives no confKeys.
func LoadConfKeys(path string) (ConfKeys, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: read confKeys: %w", err)
	}
	return ParseConfKeys(path, data)
}

// ParseConfKeys parses the content of a sources/websocket.yaml; name identifies
// it in errors. confKey names are lower-cased. Every confKey is validated as
// Resolve would, so a bad property is reported with the file, confKey, property
// and value.
func ParseConfKeys(name string, data []byte) (ConfKeys, error) {
	root, err := parseYAMLMap(name, data)
	if err != nil {
		return nil, err
	}
	ck := make(ConfKeys, len(root))
	spelt := make(map[string]string, len(root))
	for k, v := range root {
		lk := strings.ToLower(k)
		if prev, dup := spelt[lk]; dup {
			return nil, fmt.Errorf("config: %s: confKeys %q and %q are the same name once lower-cased", name, prev, k)
		}
		spelt[lk] = k
		if v == nil {
			ck[lk] = map[string]any{}
			continue
		}
		m, ok := asMap(v)
		if !ok {
			return nil, fmt.Errorf("config: %s: confKey %q must be a mapping of properties, found %s", name, k, describe(v))
		}
		ck[lk] = m
	}
	for _, k := range ck.Names() {
		if _, err := ck.Resolve(k); err != nil {
			return nil, fmt.Errorf("config: %s: %w", name, trimPrefix(err))
		}
	}
	return ck, nil
}

// trimPrefix drops the package prefix of an error message already produced by
// this package, so that wrapping does not repeat it.
func trimPrefix(err error) error {
	return prefixTrimmed{err}
}

type prefixTrimmed struct{ err error }

func (p prefixTrimmed) Error() string { return strings.TrimPrefix(p.err.Error(), "config: ") }
func (p prefixTrimmed) Unwrap() error { return p.err }

// Names lists the confKey names, sorted.
func (c ConfKeys) Names() []string {
	return slices.Sorted(maps.Keys(c))
}

// Merged returns the raw properties of key: the named confKey's properties laid
// over those of "default", property by property (names compared
// case-insensitively). key "" means "default". An unknown key is an error
// wrapping ErrUnknownConfKey.
func (c ConfKeys) Merged(key string) (map[string]any, error) {
	lk := strings.ToLower(key)
	if lk == "" {
		lk = DefaultConfKey
	}
	named, ok := c[lk]
	if !ok && lk != DefaultConfKey {
		return nil, fmt.Errorf("config: %w %q (known: %s)", ErrUnknownConfKey, key, strings.Join(c.Names(), ", "))
	}
	merged := make(map[string]any, len(c[DefaultConfKey])+len(named))
	for k, v := range c[DefaultConfKey] {
		merged[k] = v
	}
	if lk == DefaultConfKey {
		return merged, nil
	}
	for k, v := range named {
		for mk := range merged {
			if strings.EqualFold(mk, k) {
				delete(merged, mk)
			}
		}
		merged[k] = v
	}
	return merged, nil
}

// Resolve returns the properties of confKey key ("" means "default"), merged
// over "default" and validated by ParseProps.
func (c ConfKeys) Resolve(key string) (Props, error) {
	merged, err := c.Merged(key)
	if err != nil {
		return Props{}, err
	}
	name := strings.ToLower(key)
	if name == "" {
		name = DefaultConfKey
	}
	p, err := ParseProps(merged)
	if err != nil {
		return Props{}, fmt.Errorf("config: confKey %q: %w", name, trimPrefix(err))
	}
	return p, nil
}
