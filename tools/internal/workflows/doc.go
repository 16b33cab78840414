// Package workflows holds the test that lints, with actionlint, every GitHub
// Actions file of the repository: the project's workflow CI.yml (and any
// under .github/workflows), the composite action action.yml (its steps as a
// workflow of their own, and every input its callers pass), and the caller's
// example in README.md.
package workflows
