//go:build !selftest

package fault

// Enabled tells whether this build applies deliberate defects. Only a build
// with the selftest tag does; in any other build a Set is ignored.
const Enabled = false
