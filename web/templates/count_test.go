package templates

import "testing"

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 tasks", 1: "1 task", 2: "2 tasks", 21: "21 tasks"} {
		if got := Count(n, "task", "tasks"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}
