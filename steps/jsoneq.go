package steps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"
)

// parseJSON decodes text with numbers kept as json.Number.
func parseJSON(text string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("parse JSON %q: %w", text, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("parse JSON %q: more than one value", text)
	}
	return v, nil
}

// canonical turns any value a target produced into the form parseJSON gives,
// by a JSON round trip.
func canonical(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %v as JSON: %w", v, err)
	}
	return parseJSON(string(b))
}

// compact renders a value as one line of JSON for messages.
func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return string(b)
	}
	return buf.String()
}

// jsonEqual compares two values decoded by parseJSON. Numbers are equal when
// they denote the same rational number (1, 1.0 and 1e0 are equal;
// 12345678901234567890 and 1.2345678901234567e19 are not).
func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		rx, okx := new(big.Rat).SetString(x.String())
		ry, oky := new(big.Rat).SetString(y.String())
		return okx && oky && rx.Cmp(ry) == 0
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// records parses the expected records of a step: a JSON array of objects, or
// one object.
func records(text string) ([]any, error) {
	v, err := parseJSON(text)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case []any:
		return x, nil
	case map[string]any:
		return []any{x}, nil
	}
	return nil, fmt.Errorf("expected records %q: want a JSON object or array", text)
}

// sortedKeys returns a map's keys in order, for stable messages.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
