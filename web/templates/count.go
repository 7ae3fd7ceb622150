package templates

import "strconv"

// Count writes n with the noun in the number it needs: "1 task",
// "0 tasks", "2 tasks".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// ModelCount is the number of models in a group and all groups under it.
func ModelCount(g GroupNode) int {
	n := len(g.Models)
	for _, c := range g.Groups {
		n += ModelCount(c)
	}
	return n
}

// CountAtLeast is Count, or where atLeast says n is a lower bound, n with
// thousands separators and a plus: "1,000+ tasks".
func CountAtLeast(n int, atLeast bool, one, many string) string {
	if !atLeast {
		return Count(n, one, many)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s + "+ " + many
}
