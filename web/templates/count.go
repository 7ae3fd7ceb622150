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
