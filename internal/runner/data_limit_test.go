package runner_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
)

// TestTaskDataLimit: a step whose task data would make the instance's
// stored state larger than MaxDataBytes is refused with an error naming
// the variable and the task, and nothing of it is stored; a step under the
// limit then goes through.
func TestTaskDataLimit(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "approval")
	e.open(t, runner.Options{MaxDataBytes: 64 << 10})

	t.Run("start with too much data creates nothing", func(t *testing.T) {
		_, err := e.runner.Start(ctx, alice, "group/approval", "", map[string]any{"attachment": strings.Repeat("a", 100<<10)})
		var de *runner.DataTooLargeError
		if !errors.Is(err, runner.ErrDataTooLarge) || !errors.As(err, &de) {
			t.Fatalf("Start: err = %v, want ErrDataTooLarge", err)
		}
		if de.Variable != "attachment" || de.Limit != 64<<10 || de.VariableSize < 100<<10 {
			t.Errorf("error = %+v, want variable attachment over a 64 KiB limit", de)
		}
		if _, err := e.store.Instance(ctx, 1); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("instance 1 after the refused start: err = %v, want not found", err)
		}
	})

	id, err := e.runner.Start(ctx, alice, "group/approval", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	request := openTask(t, e, id, "request")
	before := instance(t, e, id)

	t.Run("completion with a too large variable is refused", func(t *testing.T) {
		err := e.runner.CompleteTask(ctx, alice, id, request, map[string]any{"item": strings.Repeat("x", 80<<10), "amount": 5})
		var de *runner.DataTooLargeError
		if !errors.As(err, &de) {
			t.Fatalf("CompleteTask: err = %v, want a DataTooLargeError", err)
		}
		if de.Variable != "item" || de.Element != "request" {
			t.Errorf("error names variable %q of task %q, want item of request", de.Variable, de.Element)
		}
		want := `variable "item" of task request holds 80.0 KiB`
		if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "WAYMARK_TASK_DATA_MAX_BYTES") {
			t.Errorf("message %q, want it to contain %q and the variable name", err.Error(), want)
		}
		after := instance(t, e, id)
		if after.Version != before.Version || string(after.Snapshot) != string(before.Snapshot) {
			t.Errorf("instance changed by the refused step: version %d -> %d", before.Version, after.Version)
		}
		if got := openTask(t, e, id, "request"); got != request {
			t.Errorf("open request task = %d, want %d", got, request)
		}
	})

	t.Run("completion under the limit goes through", func(t *testing.T) {
		if err := e.runner.CompleteTask(ctx, alice, id, request, map[string]any{"item": "Laptop", "amount": 1200}); err != nil {
			t.Fatal(err)
		}
		openTask(t, e, id, "approve")
	})
}

// TestTaskDataLimitInBackground: a timer whose step builds more task data
// than the limit puts the instance in error, naming the variable, with its
// state from before the step; the scheduler then leaves it alone instead
// of refusing the same step on every poll.
func TestTaskDataLimitInBackground(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "bigtimer")
	e.open(t, runner.Options{MaxDataBytes: 64 << 10})
	id, err := e.runner.Start(ctx, alice, "group/bigtimer", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	before := instance(t, e, id)
	e.clock.Add(61 * time.Minute)
	if n, err := e.runner.FireDueTimers(ctx); err != nil || n != 0 {
		t.Fatalf("fire: moved %d, err %v; want the step refused without an error", n, err)
	}
	after := instance(t, e, id)
	if after.Status != store.StatusError || after.ErrorElement != "build" || after.ErrorWhere != "data" ||
		!strings.Contains(after.ErrorMessage, `variable "report" of task build`) {
		t.Errorf("instance after the refused step = status %s, error %q at %s (%s)", after.Status, after.ErrorMessage, after.ErrorElement, after.ErrorWhere)
	}
	if string(after.Snapshot) != string(before.Snapshot) {
		t.Error("the refused step's state was stored")
	}
	if ids, err := e.store.ClaimDueTimerInstances(ctx, e.clock.Now(), time.Minute, 10); err != nil || len(ids) != 0 {
		t.Errorf("due timer instances after the error = %v, %v; want none", ids, err)
	}
	if n, err := e.runner.FireDueTimers(ctx); err != nil || n != 0 {
		t.Errorf("second poll: moved %d, err %v", n, err)
	}
}
