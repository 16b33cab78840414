// Package version tells the version of this module a binary was built from.
package version

import "runtime/debug"

// String is the module version the running binary was built from ("v1.2.3"
// when installed with go install ...@v1.2.3), or "devel" followed by the VCS
// revision (and "(modified)" for a modified checkout) when it was built from
// a checkout.
func String() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	v := "devel"
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
		if s.Key == "vcs.modified" && s.Value == "true" {
			v += " (modified)"
		}
	}
	return v
}
