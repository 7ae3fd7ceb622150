package dmn

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a DMN file, located so that an editor can
// put a marker on the element.
type Problem struct {
	File      string
	ElementID string // id of the element at fault (decision, rule, inputEntry, ...); may be empty
	Line      int    // 1-based line in the file; 0 when unknown
	Msg       string
}

// Error formats the problem as "file:line: element: msg", leaving out the
// parts that are unknown.
func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.ElementID != "" {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(p.ElementID)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is every problem found in one file, in document order. Parse
// returns it as its error; errors.As finds both the list and its first
// Problem.
type Problems []Problem

// Error joins the problems, one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes each problem to errors.As and errors.Is.
func (ps Problems) Unwrap() []error {
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errs
}
