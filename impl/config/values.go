package config

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// asMap accepts the mapping shapes YAML and JSON decoders produce.
func asMap(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case map[string]any:
		return m, true
	case map[any]any:
		out := make(map[string]any, len(m))
		for k, val := range m {
			out[fmt.Sprint(k)] = val
		}
		return out, true
	}
	return nil, false
}

// readHook, when not nil, is told every key lookup is asked for (tests check
// that each one is documented).
var readHook func(key string)

// lookup finds key in m, preferring an exact match, else a case-insensitive one.
// It returns the value and the key as spelt in m.
func lookup(m map[string]any, key string) (any, string, bool) {
	if readHook != nil {
		readHook(key)
	}
	if v, ok := m[key]; ok {
		return v, key, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, k, true
		}
	}
	return nil, "", false
}

// describe renders a value and its kind for error messages.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("string %q", v)
	case map[string]any, map[any]any:
		return "a mapping"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%T %v", v, v)
}

func toString(v any) (string, error) {
	switch s := v.(type) {
	case string:
		return s, nil
	case int, int64, uint64, float64, bool, json.Number:
		return fmt.Sprint(s), nil
	}
	return "", fmt.Errorf("want a string, found %s", describe(v))
}

func toBool(v any) (bool, error) {
	switch b := v.(type) {
	case bool:
		return b, nil
	case string:
		if p, err := strconv.ParseBool(b); err == nil {
			return p, nil
		}
	}
	return false, fmt.Errorf("want true or false, found %s", describe(v))
}

func toInt64(v any) (int64, error) {
	switch n := v.(type) {
	case int:
		return int64(n), nil
	case int64:
		return n, nil
	case int32:
		return int64(n), nil
	case uint64:
		if n <= math.MaxInt64 {
			return int64(n), nil
		}
	case float64:
		if n == math.Trunc(n) && n >= math.MinInt64 && n < math.MaxInt64 {
			return int64(n), nil
		}
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i, nil
		}
	case string:
		if i, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64); err == nil {
			return i, nil
		}
	}
	return 0, fmt.Errorf("want an integer, found %s", describe(v))
}

// toDuration accepts a Go duration string ("10s", "1m30s", "250ms") or a
// number of milliseconds (as eKuiper reads intervals).
func toDuration(v any) (time.Duration, error) {
	if s, ok := v.(string); ok {
		s = strings.TrimSpace(s)
		if d, err := time.ParseDuration(s); err == nil {
			return d, nil
		}
		if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Duration(ms) * time.Millisecond, nil
		}
		return 0, fmt.Errorf("want a duration such as \"10s\" or a number of milliseconds, found %s", describe(v))
	}
	ms, err := toInt64(v)
	if err != nil {
		return 0, fmt.Errorf("want a duration such as \"10s\" or a number of milliseconds, found %s", describe(v))
	}
	if ms > math.MaxInt64/int64(time.Millisecond) || ms < math.MinInt64/int64(time.Millisecond) {
		return 0, fmt.Errorf("%d milliseconds is out of range", ms)
	}
	return time.Duration(ms) * time.Millisecond, nil
}
