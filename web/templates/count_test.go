package templates

import "testing"

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 tasks", 1: "1 task", 2: "2 tasks", 21: "21 tasks"} {
		if got := Count(n, "task", "tasks"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestCountAtLeast(t *testing.T) {
	for _, c := range []struct {
		n       int
		atLeast bool
		want    string
	}{
		{1, false, "1 task"}, {1030, false, "1030 tasks"}, {1, true, "1+ tasks"}, {999, true, "999+ tasks"},
		{1000, true, "1,000+ tasks"}, {2025, true, "2,025+ tasks"}, {1234567, true, "1,234,567+ tasks"},
	} {
		if got := CountAtLeast(c.n, c.atLeast, "task", "tasks"); got != c.want {
			t.Errorf("CountAtLeast(%d, %v) = %q, want %q", c.n, c.atLeast, got, c.want)
		}
	}
}
