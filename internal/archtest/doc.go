// Package archtest holds no code, only deps_test.go: the import policy of
// DESIGN.md ("Layout and dependency direction") as a test.
package archtest
