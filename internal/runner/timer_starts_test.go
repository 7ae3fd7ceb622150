package runner_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
)

func fireTimerStarts(t *testing.T, r *runner.Runner) int {
	t.Helper()
	n, err := r.FireTimerStarts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A timer start cycle of one second starts one instance a second:
// overlapping ticks and a second process on the same database never start
// one due time twice, and the seconds missed while the server was down
// start one instance when it is back.
func TestTimerStartCycle(t *testing.T) {
	forEachDatabase(t, []string{"timerstart"}, testTimerStartCycle)
}

func testTimerStartCycle(t *testing.T, e *env) {
	count := func() int { return len(instancesOf(t, e, "group/timerstart")) }

	if n := fireTimerStarts(t, e.runner); n != 0 {
		t.Fatalf("first tick started %d, want 0 (the first occurrence is a second away)", n)
	}
	sched, err := e.store.TimerStarts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(sched) != 1 || sched[0].ProcessID != "ticker" || !sched[0].NextDue.Equal(e.clock.Now().Add(time.Second)) || sched[0].Period != time.Second {
		t.Fatalf("schedule = %+v, want ticker due in one second", sched)
	}
	for i := 1; i <= 3; i++ {
		e.clock.Add(time.Second)
		if n := fireTimerStarts(t, e.runner); n != 1 {
			t.Fatalf("second %d: started %d, want 1", i, n)
		}
		// A second tick at the same time starts nothing.
		if n := fireTimerStarts(t, e.runner); n != 0 {
			t.Fatalf("second %d, repeated tick: started %d, want 0", i, n)
		}
	}
	if got := count(); got != 3 {
		t.Fatalf("%d instances after three seconds, want 3", got)
	}
	for _, in := range instancesOf(t, e, "group/timerstart") {
		if in.Status != store.StatusCompleted {
			t.Fatalf("instance %d is %s, want completed", in.ID, in.Status)
		}
	}

	// Two processes tick at once, many times over.
	other := runner.New(runner.Options{Store: e.store, Specs: e.specs, Clock: e.clock})
	for i := 0; i < 5; i++ {
		e.clock.Add(time.Second)
		var wg sync.WaitGroup
		for _, r := range []*runner.Runner{e.runner, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := r.FireTimerStarts(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	if got := count(); got != 8 {
		t.Fatalf("%d instances after eight seconds with two processes, want 8", got)
	}

	// Down for ten seconds: one instance when back, then one a second.
	e.open(t, runner.Options{})
	e.clock.Add(10 * time.Second)
	if n := fireTimerStarts(t, e.runner); n != 1 {
		t.Fatalf("after the restart: started %d, want 1 for the missed seconds", n)
	}
	if n := fireTimerStarts(t, e.runner); n != 0 {
		t.Fatalf("after the restart, again: started %d, want 0", n)
	}
	e.clock.Add(time.Second)
	if n := fireTimerStarts(t, e.runner); n != 1 {
		t.Fatalf("a second after the restart: started %d, want 1", n)
	}
	if got := count(); got != 10 {
		t.Fatalf("%d instances, want 10", got)
	}
}

// Saving the model with another timer reschedules it; removing the timer
// start event removes its schedule.
func TestTimerStartRescheduledWithModel(t *testing.T) {
	e := newEnv(t, "timerstart")
	fireTimerStarts(t, e.runner)
	file := filepath.Join(e.specs.dirs["group/timerstart"], "timerstart.bpmn")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(b), `"R/PT1S"`, `"R2/PT1M"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Second)
	if n := fireTimerStarts(t, e.runner); n != 0 {
		t.Fatalf("after rescheduling to a minute: started %d, want 0", n)
	}
	sched, err := e.store.TimerStarts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(sched) != 1 || !sched[0].NextDue.Equal(e.clock.Now().Add(time.Minute)) || sched[0].Remaining != 2 {
		t.Fatalf("schedule = %+v, want due in a minute with 2 occurrences", sched)
	}
	// R2: two occurrences, then no more.
	for i := 0; i < 4; i++ {
		e.clock.Add(time.Minute)
		fireTimerStarts(t, e.runner)
	}
	if got := len(instancesOf(t, e, "group/timerstart")); got != 2 {
		t.Fatalf("%d instances of an R2 cycle, want 2", got)
	}

	if err := os.WriteFile(file, []byte(strings.Replace(string(b), `<bpmn:timerEventDefinition id="ted1">
        <bpmn:timeCycle xsi:type="bpmn:tFormalExpression">"R/PT1S"</bpmn:timeCycle>
      </bpmn:timerEventDefinition>`, "", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	fireTimerStarts(t, e.runner)
	if sched, err := e.store.TimerStarts(context.Background()); err != nil || len(sched) != 0 {
		t.Fatalf("schedule after removing the timer = %+v, %v; want empty", sched, err)
	}
}

// A timer start date starts one instance at the date; a duration (here
// bare ISO-8601 text, not an expression) one instance that long after the
// server first scheduled it. Neither fires again.
func TestTimerStartDateAndDuration(t *testing.T) {
	e := newEnv(t, "timeronce")
	byProcess := func() map[string]int {
		out := map[string]int{}
		for _, in := range instancesOf(t, e, "group/timeronce") {
			out[in.ProcessID]++
		}
		return out
	}
	fireTimerStarts(t, e.runner) // 09:00: scheduled
	e.clock.Add(10 * time.Minute)
	if n := fireTimerStarts(t, e.runner); n != 1 {
		t.Fatalf("at 09:10: started %d, want the duration's one", n)
	}
	e.clock.Add(20 * time.Minute)
	if n := fireTimerStarts(t, e.runner); n != 1 {
		t.Fatalf("at 09:30: started %d, want the date's one", n)
	}
	e.clock.Add(24 * time.Hour)
	if n := fireTimerStarts(t, e.runner); n != 0 {
		t.Fatalf("a day later: started %d, want none", n)
	}
	if got := byProcess(); got["at_date"] != 1 || got["after_duration"] != 1 {
		t.Fatalf("instances by process: %v, want one each", got)
	}
}
