package dmn

import (
	"fmt"
	"regexp"
	"strings"
)

// FEEL unary tests (DMN 1.3, section 10.3.2.11) that an input entry may
// hold beside the Python forms, each rewritten into a Python expression
// over the input value:
//
//   - intervals: "[1..10]", "(1..10)", "]1..10[", "[1..10)" and the like;
//     the endpoints are expressions ("[low..high]");
//   - disjunctions: "1, 2, 3", `"a", "b"`, "< 5, > 10", "[1..3], 7" match
//     when any of their tests does; a comma inside brackets, parentheses
//     or quotes does not split ("[1, 2]" stays a Python list);
//   - negation: "not(1, 2)", `not("a")`, "not([1..5])" match when none of
//     their tests does;
//   - null: matches None;
//   - "= x" (as "x"), besides the comparisons "< x", "<= x", "> x", ">= x"
//     and "!= x" the Python forms already read.
//
// A top-level comma and "not(" are read as FEEL: in Python they would make
// a tuple or negate one, which no decision table means.

// intervalRe splits "[a..b]": open bracket, endpoints, close bracket.
var intervalRe = regexp.MustCompile(`^([\[\(\]])\s*(.+?)\s*\.\.\s*(.+?)\s*([\]\)\[])$`)

// feelUnary rewrites src when it is one of the FEEL forms above; ok is
// false for anything else, which is then read as before. err is set for a
// FEEL form that is malformed (an empty test in a list).
func feelUnary(src string) (out string, ok bool, err error) {
	parts := splitTopLevel(src, ',')
	neg := false
	if inner, isNot := notCall(src); isNot {
		neg = true
		parts = splitTopLevel(inner, ',')
	} else if len(parts) == 1 && !isInterval(src) && strings.TrimSpace(src) != "null" && !strings.HasPrefix(strings.TrimSpace(src), "= ") {
		return "", false, nil
	}
	tests := make([]string, 0, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			return "", true, fmt.Errorf("an empty test in the list %q", src)
		}
		tests = append(tests, "("+unaryTest(p)+")")
	}
	out = strings.Join(tests, " or ")
	if neg {
		out = "not (" + out + ")"
	}
	return out, true, nil
}

// unaryTest rewrites one test of a list.
func unaryTest(p string) string {
	if replaced, ok := replacePlaceholder(p); ok {
		return replaced
	}
	if m := intervalRe.FindStringSubmatch(p); m != nil && isInterval(p) {
		lo, hi := "<=", "<="
		if m[1] != "[" {
			lo = "<"
		}
		if m[4] != "]" {
			hi = "<"
		}
		return "(" + m[2] + ") " + lo + " " + inputVar + " and " + inputVar + " " + hi + " (" + m[3] + ")"
	}
	switch {
	case p == "null":
		return inputVar + " is None"
	case strings.HasPrefix(p, "== "), strings.HasPrefix(p, "!="), strings.HasPrefix(p, "<"), strings.HasPrefix(p, ">"),
		strings.HasPrefix(p, "in "), strings.HasPrefix(p, "not in "):
		return inputVar + " " + p
	case strings.HasPrefix(p, "="):
		return inputVar + " == (" + strings.TrimSpace(p[1:]) + ")"
	}
	return inputVar + " == (" + p + ")"
}

// isInterval reports whether p is a whole interval: brackets at both ends
// and ".." outside quotes.
func isInterval(p string) bool {
	p = strings.TrimSpace(p)
	if intervalRe.FindStringSubmatch(p) == nil {
		return false
	}
	return len(splitTopLevelString(p[1:len(p)-1], "..")) == 2
}

// notCall returns the argument text of a whole "not(...)".
func notCall(src string) (string, bool) {
	s := strings.TrimSpace(src)
	if !strings.HasPrefix(s, "not(") && !strings.HasPrefix(s, "not (") || !strings.HasSuffix(s, ")") {
		return "", false
	}
	open := strings.IndexByte(s, '(')
	// The parenthesis opened after "not" must close at the very end.
	depth := 0
	var quote byte
	for i := open; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			depth--
			if depth == 0 && i != len(s)-1 {
				return "", false
			}
		}
	}
	return s[open+1 : len(s)-1], true
}

// intervalInListRe finds intervals inside a list; endpoints hold no
// brackets, parentheses or commas.
var intervalInListRe = regexp.MustCompile(`[\[\(\]]\s*[^\[\]\(\)\{\},]+?\s*\.\.\s*[^\[\]\(\)\{\},]+?\s*[\]\)\[]`)

// splitTopLevel splits s at sep outside quotes, brackets and parentheses.
// Intervals are set aside first: their brackets need not pair ("]1..5[").
func splitTopLevel(s string, sep byte) []string {
	var saved []string
	masked := intervalInListRe.ReplaceAllStringFunc(s, func(m string) string {
		saved = append(saved, m)
		return fmt.Sprintf("\x00%d\x00", len(saved)-1)
	})
	var parts []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(masked); i++ {
		c := masked[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			if depth > 0 {
				depth--
			}
		case c == sep && depth == 0:
			parts = append(parts, masked[start:i])
			start = i + 1
		}
	}
	parts = append(parts, masked[start:])
	for i, p := range parts {
		for j, m := range saved {
			p = strings.ReplaceAll(p, fmt.Sprintf("\x00%d\x00", j), m)
		}
		parts[i] = p
	}
	return parts
}

// splitTopLevelString splits s at sep outside quotes.
func splitTopLevelString(s, sep string) []string {
	var parts []string
	start := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case strings.HasPrefix(s[i:], sep):
			parts = append(parts, s[start:i])
			start = i + len(sep)
			i += len(sep) - 1
		}
	}
	return append(parts, s[start:])
}
