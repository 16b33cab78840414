package engine

import (
	"fmt"
	"net"
	"syscall"
)

// privateNetError is a rest sink connection refused because its address is
// in a private network while basic.enablePrivateNet is false.
type privateNetError struct{ ip net.IP }

func (p *privateNetError) Error() string {
	// eKuiper's wording, and the setting that allows it.
	return fmt.Sprintf("ip %s is in internal network (basic.enablePrivateNet is false)", p.ip)
}

// isPrivateIP tells whether ip is loopback, private (10/8, 172.16/12,
// 192.168/16, fc00::/7), link-local, unspecified or multicast: the addresses
// eKuiper's rest sink refuses unless basic.enablePrivateNet is true.
func isPrivateIP(ip net.IP) bool {
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsMulticast() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast()
}

// refusePrivateNet is a net.Dialer Control function: it runs after name
// resolution, for the very address about to be connected, so a host name
// that resolves (or is rebound) to a private address is refused too.
func refusePrivateNet(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip != nil && isPrivateIP(ip) {
		return &privateNetError{ip: ip}
	}
	return nil
}
