package runner_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/waymark-bpm/waymark/internal/runner"
)

// A completion is logged at info level with its instance, task, element,
// user and status, and not at all when the level is above info.
func TestCompletionLogFollowsLevel(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelError} {
		var logs bytes.Buffer
		e := &env{specs: newSpecs(t, "approval"), clock: &fakeClock{now: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)},
			dbPath: filepath.Join(t.TempDir(), "waymark.db")}
		e.open(t, runner.Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: level}))})
		ctx := context.Background()
		id, err := e.runner.Start(ctx, alice, "group/approval", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		request := openTask(t, e, id, "request")
		if err := e.runner.CompleteTask(ctx, alice, id, request, map[string]any{"item": "Laptop", "amount": 1200}); err != nil {
			t.Fatal(err)
		}
		var line string
		for _, l := range strings.Split(logs.String(), "\n") {
			if strings.Contains(l, `msg="task completed"`) {
				line = l
			}
		}
		if level == slog.LevelError {
			if line != "" {
				t.Errorf("level error: logged %q", line)
			}
			continue
		}
		for _, f := range []string{"instance=1", "task=" + strconv.Itoa(request), "element=request", "user=alice", "status=running"} {
			if !strings.Contains(line, f) {
				t.Errorf("%q missing from %q", f, line)
			}
		}
	}
}
