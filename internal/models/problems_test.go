package models

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestProblemsUserMessageIsBounded: the refusal text names the first
// problems with file, line and element, says how many more there are, and
// stays short enough for the session cookie that carries it to the next
// page, whatever the problems hold.
func TestProblemsUserMessageIsBounded(t *testing.T) {
	var ps []Problem
	for i := 0; i < 8; i++ {
		ps = append(ps, Problem{File: "g/m/a.bpmn", Line: 10 + i, Element: "Task_1", Message: "script: " + strings.Repeat("é", 2000)})
	}
	msg := (&ProblemsError{Problems: ps}).UserMessage()
	if !strings.HasPrefix(msg, "The model's files have problems: g/m/a.bpmn:10: Task_1: script: é") {
		t.Errorf("message starts %q", msg[:80])
	}
	if !strings.Contains(msg, "(and 3 more)") || strings.Contains(msg, "a.bpmn:15") {
		t.Errorf("message does not stop after %d problems: %q", maxUserProblems, msg)
	}
	if len(msg) > 1400 || !utf8.ValidString(msg) {
		t.Errorf("message of %d bytes (valid UTF-8: %v), want at most 1400", len(msg), utf8.ValidString(msg))
	}

	one := (&ProblemsError{Problems: []Problem{{File: "g/m/a.bpmn", Line: 3, Element: "x", Message: "script task has no script"}}}).UserMessage()
	if one != "The model's files have a problem: g/m/a.bpmn:3: x: script task has no script." {
		t.Errorf("one problem: %q", one)
	}
}
