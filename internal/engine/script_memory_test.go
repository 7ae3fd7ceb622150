package engine_test

import (
	"strings"
	"testing"

	"github.com/waymark-bpm/waymark/internal/engine"
)

// TestScriptMemoryLimit: a script that builds thirty lists of 16 MiB is
// stopped by the per-run allocation budget; its task is in ERROR with a
// message naming the task, the script line and the limit.
func TestScriptMemoryLimit(t *testing.T) {
	cases := []struct {
		name string
		env  engine.Env
		msg  string
	}{
		{"default budget", engine.Env{}, "script exceeded the memory limit of 64 MiB"},
		{"configured budget", engine.Env{ScriptMaxBytes: 8 << 20}, "script exceeded the memory limit of 8 MiB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lib := load(t, "memory_limit.bpmn")
			env := c.env
			env.Clock = &testClock{now: t0}
			in, err := engine.Start(lib, engine.StartOptions{Process: "p_hoard"}, env)
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			if in.Status() != engine.Failed {
				t.Fatalf("status = %v, want %v", in.Status(), engine.Failed)
			}
			te := in.Err()
			if te == nil {
				t.Fatal("no task error")
			}
			if te.NodeID != "hoard" || te.Where != "script" || te.Line != 3 || !strings.HasPrefix(te.Msg, c.msg) {
				t.Errorf("error = %+v, want task hoard, script line 3, message starting %q", te, c.msg)
			}
			if !strings.HasPrefix(te.Error(), "hoard script line 3: "+c.msg) {
				t.Errorf("Error() = %q", te.Error())
			}
		})
	}
}
