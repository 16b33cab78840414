package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"

	"github.com/wsconform/wsconform/steps/target/collect"
)

// confKeysPath lists the engine's websocket confKeys: name -> properties.
const confKeysPath = "/metadata/sources/yaml/websocket"

// defaultKey is what the driver knows about the engine's default confKey and
// what the run uses as the default. It is set by New and read-only after.
type defaultKey struct {
	// listed says that the engine listed its confKeys at New; without a
	// listing, original and run are Options.DefaultConfKey.
	listed bool
	// unlisted says why the engine could not list its confKeys.
	unlisted error
	// assumed says that the default was neither listed nor given in
	// Options.DefaultConfKey, so original is a guess.
	assumed bool
	// original is the default confKey as the engine held it at New; nil
	// when it held none.
	original map[string]any
	// run is the default the run's scenarios start from and put back when
	// they close: original, made server mode when it was client mode. nil
	// when the engine held none (which is server mode).
	run map[string]any
	// switched says that New put run over a client-mode original, which
	// Driver.Close puts back.
	switched bool
}

// listConfKeys reads the engine's websocket confKeys. It returns listed
// false, with the reason, when the engine cannot list them (no such endpoint,
// or an answer that is not a JSON object); an error only when the engine does
// not answer at all. eKuiper answers 400 while no websocket confKey was ever
// put over REST: that is an empty listing.
func (c *client) listConfKeys(ctx context.Context) (keys map[string]map[string]any, listed bool, reason error, err error) {
	body, err := c.do(ctx, http.MethodGet, confKeysPath, nil)
	var ae *APIError
	switch {
	case errors.As(err, &ae) && ae.StatusCode == http.StatusBadRequest:
		return map[string]map[string]any{}, true, nil, nil
	case errors.As(err, &ae):
		return nil, false, err, nil
	case err != nil:
		return nil, false, nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // put numbers back with every digit
	if err := dec.Decode(&keys); err != nil || keys == nil {
		return nil, false, fmt.Errorf("GET %s: want a JSON object of confKeys, got %q", confKeysPath, collect.Preview(body)), nil
	}
	return keys, true, nil, nil
}

// findDefault returns the properties of the confKey named default (compared
// case-insensitively, the exact spelling first), nil when there is none.
func findDefault(keys map[string]map[string]any) map[string]any {
	if props, ok := keys["default"]; ok {
		return nonNil(props)
	}
	for name, props := range keys {
		if strings.EqualFold(name, "default") {
			return nonNil(props)
		}
	}
	return nil
}

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// serverMode returns props unchanged when they select server mode (no addr,
// or an empty one), and otherwise a copy whose addr is "".
func serverMode(props map[string]any) (map[string]any, bool) {
	changed := false
	for name, v := range props {
		if strings.EqualFold(name, "addr") && v != "" && v != nil {
			changed = true
		}
	}
	if !changed {
		return props, false
	}
	out := make(map[string]any, len(props))
	for name, v := range props {
		if !strings.EqualFold(name, "addr") {
			out[name] = v
		}
	}
	out["addr"] = ""
	return out, true
}

// readDefault learns the engine's default confKey. fallback stands for it
// when the engine cannot list its confKeys; given says that the user gave
// fallback (Options.DefaultConfKey) rather than it being assumed.
func readDefault(ctx context.Context, c *client, given bool, fallback map[string]any) (defaultKey, error) {
	keys, listed, reason, err := c.listConfKeys(ctx)
	if err != nil {
		return defaultKey{}, fmt.Errorf("listing the engine's websocket confKeys: %w", err)
	}
	if !listed {
		return defaultKey{unlisted: reason, assumed: !given, original: fallback, run: fallback}, nil
	}
	dk := defaultKey{listed: true, original: findDefault(keys)}
	dk.run, dk.switched = serverMode(dk.original)
	return dk, nil
}

// startingDefault returns a copy of the default confKey a scenario that
// needs one starts from: the run's default, {} when the engine holds none.
func (dk defaultKey) startingDefault() map[string]any {
	return nonNil(maps.Clone(dk.run))
}

// putDefault makes the engine's default confKey props, or removes it when
// props is nil (a missing default is no error).
func (c *client) putDefault(ctx context.Context, props map[string]any) error {
	if props == nil {
		if _, err := c.do(ctx, http.MethodDelete, confKeyPath("default"), nil); err != nil && !isNotFound(err) {
			return err
		}
		return nil
	}
	_, err := c.do(ctx, http.MethodPut, confKeyPath("default"), props)
	return err
}

// heldConfKeys returns the lower-cased names of the confKeys the engine
// holds now, nil when it cannot list them.
func (c *client) heldConfKeys(ctx context.Context) (map[string]bool, error) {
	keys, listed, _, err := c.listConfKeys(ctx)
	if err != nil || !listed {
		return nil, err
	}
	held := make(map[string]bool, len(keys))
	for name := range keys {
		held[strings.ToLower(name)] = true
	}
	return held, nil
}
