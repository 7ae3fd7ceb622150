package bpmn

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a BPMN or DMN file, located precisely enough
// for the modeler to put a marker on the element: the file, the element id
// (empty for file-level problems such as malformed XML) and the XML line.
// In JSON (`web check --json`) "element" is always present, empty for a
// file-level problem, so report readers need not test for the key.
type Problem struct {
	File      string `json:"file"`
	ElementID string `json:"element"`
	Line      int    `json:"line,omitempty"`
	Msg       string `json:"message"`
	// Warning marks a problem that does not stop the files from loading:
	// it lies where no run can reach (see Parser.Warnings).
	Warning bool `json:"warning,omitempty"`
}

func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.ElementID != "" {
		fmt.Fprintf(&b, ": %s", p.ElementID)
	}
	b.WriteString(": ")
	if p.Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is the error returned when files do not load: every problem found,
// sorted by file and line.
type Problems []Problem

func (ps Problems) Error() string {
	switch len(ps) {
	case 0:
		return "no problems"
	case 1:
		return ps[0].Error()
	}
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return fmt.Sprintf("%d problems:\n%s", len(ps), strings.Join(lines, "\n"))
}

func (ps Problems) sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		return ps[i].Line < ps[j].Line
	})
}
