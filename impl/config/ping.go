package config

import (
	"fmt"
	"strings"
	"time"
)

// PropPingInterval is the confKey property of server-mode liveness checks.
const PropPingInterval = "pingInterval"

// parsePingInterval reads pingInterval: a Go duration ("500ms", "30s") or a
// number of milliseconds; 0 or absent turns the checks off.
func parsePingInterval(raw map[string]any, p *Props) error {
	v, _, ok := lookup(raw, PropPingInterval)
	if !ok || v == nil {
		return nil
	}
	var d time.Duration
	if s, isString := v.(string); isString {
		s = strings.TrimSpace(s)
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return fmt.Errorf("config: property %s %q: want a duration such as \"30s\" or a number of milliseconds", PropPingInterval, s)
		}
	} else {
		n, err := toInt64(v)
		if err != nil {
			return fmt.Errorf("config: property %s: %w", PropPingInterval, err)
		}
		d = time.Duration(n) * time.Millisecond
	}
	if d < 0 {
		return fmt.Errorf("config: property %s %s: want zero (off) or a positive duration", PropPingInterval, d)
	}
	p.PingInterval = d
	return nil
}
