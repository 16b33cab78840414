package engine

import (
	"errors"
	"testing"
)

func TestRefusePrivateNet(t *testing.T) {
	for addr, private := range map[string]bool{
		"127.0.0.1:80":          true,
		"127.1.2.3:80":          true,
		"[::1]:80":              true,
		"[::ffff:127.0.0.1]:80": true,
		"10.1.2.3:80":           true,
		"172.16.0.1:80":         true,
		"172.31.255.255:80":     true,
		"192.168.1.1:80":        true,
		"169.254.169.254:80":    true,
		"[fe80::1]:80":          true,
		"[fd00::1]:80":          true,
		"0.0.0.0:80":            true,
		"[::]:80":               true,
		"224.0.0.1:80":          true,
		"172.32.0.1:80":         false,
		"8.8.8.8:443":           false,
		"[2001:db8::1]:443":     false,
	} {
		err := refusePrivateNet("tcp", addr, nil)
		var pe *privateNetError
		if got := errors.As(err, &pe); got != private {
			t.Errorf("refusePrivateNet(%s) = %v; want refused: %v", addr, err, private)
		}
	}
	if err := refusePrivateNet("tcp", "no-port", nil); err == nil {
		t.Error("refusePrivateNet(no-port) = nil; want an error naming the address")
	}
}
