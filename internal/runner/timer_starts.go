package runner

import (
	"context"
	"errors"
	"fmt"
	"path"
	"time"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
	"github.com/waymark-bpm/waymark/internal/store"
)

// timerStartBatch is how many due timer start events one tick starts.
const timerStartBatch = 100

// FireTimerStarts brings the schedule of timer start events in line with
// the repository (new, changed, moved and deleted models) and starts one
// instance for each due time reached. A due time missed while the server
// was down starts one instance, not one per missed occurrence. It returns
// how many instances it started.
func (r *Runner) FireTimerStarts(ctx context.Context) (int, error) {
	now := r.now()
	if err := r.syncTimerStarts(ctx, now); err != nil {
		return 0, err
	}
	due, err := r.store.DueTimerStarts(ctx, now, timerStartBatch)
	if err != nil {
		return 0, err
	}
	started := 0
	var errs []error
	for _, ts := range due {
		if ctx.Err() != nil {
			break
		}
		ok, err := r.fireTimerStart(ctx, ts, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			started++
		}
	}
	return started, errors.Join(errs...)
}

// timerDefinition is what a timer start event is scheduled from.
func timerDefinition(d *spec.EventDef) string {
	src := ""
	if d.TimerExpr != nil {
		src = d.TimerExpr.Source()
	}
	return fmt.Sprintf("%d:%s", d.TimerType, src)
}

// syncTimerStarts schedules the timer start events the repository has and
// the schedule lacks (or holds with another definition) and drops the ones
// that are gone.
func (r *Runner) syncTimerStarts(ctx context.Context, now time.Time) error {
	procs, err := r.startTargets(ctx, "timer", "")
	if err != nil {
		return err
	}
	rows, err := r.store.TimerStarts(ctx)
	if err != nil {
		return err
	}
	type key struct{ model, process, element string }
	have := make(map[key]store.TimerStart, len(rows))
	for _, ts := range rows {
		have[key{ts.ModelID, ts.ProcessID, ts.ElementID}] = ts
	}
	var errs []error
	for _, p := range procs {
		modelID := path.Dir(p.File)
		for _, st := range p.Starts {
			for _, d := range st.Events {
				if d.Type != spec.EventTimer {
					continue
				}
				k := key{modelID, p.ID, st.ID}
				def := timerDefinition(d)
				old, ok := have[k]
				delete(have, k)
				if ok && old.Definition == def {
					continue
				}
				ts, err := r.scheduleTimerStart(ctx, modelID, p.ID, st.ID, def, now)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				if err := r.store.PutTimerStart(ctx, ts); err != nil {
					errs = append(errs, err)
				}
				r.log.Info("timer start scheduled", "model", modelID, "process", p.ID, "element", st.ID, "due", ts.NextDue)
			}
		}
	}
	for _, gone := range have {
		if err := r.store.DeleteTimerStart(ctx, gone); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// scheduleTimerStart works out the first due time of a timer start event
// by arming it as the engine does, at now.
func (r *Runner) scheduleTimerStart(ctx context.Context, modelID, processID, elementID, def string, now time.Time) (store.TimerStart, error) {
	ts := store.TimerStart{ModelID: modelID, ProcessID: processID, ElementID: elementID, Definition: def}
	lib, _, err := r.specs.LoadModel(ctx, modelID)
	if err != nil {
		return ts, fmt.Errorf("schedule timer start %s of %s: %w", elementID, modelID, err)
	}
	in, err := engine.Start(lib, engine.StartOptions{Process: processID}, r.env(&serviceCalls{model: modelID}, &scriptCtx{ctx: ctx, modelID: modelID}))
	if err != nil {
		return ts, fmt.Errorf("schedule timer start %s of %s: %w", elementID, modelID, err)
	}
	for _, t := range in.Tasks() {
		if t.Node.ID != elementID {
			continue
		}
		if t.State != engine.Waiting || t.Due.IsZero() {
			msg := "its timer does not give a due time"
			if te := in.Err(); te != nil {
				msg = te.Error()
			}
			return ts, fmt.Errorf("schedule timer start %s of %s: %s", elementID, modelID, msg)
		}
		ts.NextDue, ts.Period, ts.Remaining = t.Due, t.Period, t.Cycles
		if t.Period <= 0 {
			ts.Remaining = 1
		}
		return ts, nil
	}
	return ts, fmt.Errorf("schedule timer start %s of %s: the process did not arm it", elementID, modelID)
}

// fireTimerStart starts one instance for the due time of ts and moves the
// schedule on in the same transaction. It reports false when another tick
// or process took the due time first.
func (r *Runner) fireTimerStart(ctx context.Context, ts store.TimerStart, now time.Time) (bool, error) {
	next, remaining := time.Time{}, 0
	if ts.Period > 0 && ts.Remaining != 1 {
		next = ts.NextDue.Add(ts.Period)
		if !next.After(now) {
			// Occurrences missed while down collapse into this one.
			missed := now.Sub(next)/ts.Period + 1
			next = next.Add(missed * ts.Period)
		}
		remaining = ts.Remaining
		if remaining > 0 {
			remaining--
		}
	}
	lib, _, err := r.specs.LoadModel(ctx, ts.ModelID)
	if err != nil {
		return false, fmt.Errorf("timer start %s of %s: %w", ts.ElementID, ts.ModelID, err)
	}
	p := lib.Process(ts.ProcessID)
	if p == nil {
		return false, fmt.Errorf("timer start %s of %s: the model has no process %q", ts.ElementID, ts.ModelID, ts.ProcessID)
	}
	svc := &serviceCalls{model: ts.ModelID}
	sc := &scriptCtx{ctx: ctx, modelID: ts.ModelID}
	opts := engine.StartOptions{Process: ts.ProcessID, FireTimerStart: ts.ElementID}
	in, err := engine.Start(lib, opts, r.env(svc, sc))
	if err != nil {
		return false, fmt.Errorf("timer start %s of %s: %w", ts.ElementID, ts.ModelID, err)
	}
	name := p.Name
	if name == "" {
		name = p.ID
	}
	l := &loaded{row: store.Instance{ModelID: ts.ModelID, ProcessID: ts.ProcessID, ProcessName: name},
		lib: lib, inst: in, svc: svc, before: map[int]engine.State{}, sc: sc}
	reserved, err := r.startOver(ctx, l, func(env engine.Env) (*engine.Instance, error) { return engine.Start(lib, opts, env) })
	if err != nil {
		return false, fmt.Errorf("timer start %s of %s: %w", ts.ElementID, ts.ModelID, err)
	}
	id, err := r.save(ctx, l, stepInfo{
		events: []store.Event{{Event: "started", Detail: fmt.Sprintf("%s %s by timer start event %s due %s", ts.ModelID, ts.ProcessID,
			ts.ElementID, ts.NextDue.UTC().Format(time.RFC3339Nano))}},
		inTx: func(ctx context.Context, tx *store.Tx) error { return tx.AdvanceTimerStart(ctx, ts, next, remaining) },
	})
	if err != nil {
		r.dropReserved(ctx, reserved)
	}
	if errors.Is(err, store.ErrConflict) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("timer start %s of %s: %w", ts.ElementID, ts.ModelID, err)
	}
	r.log.Info("instance started", "instance", id, "model", ts.ModelID, "process", ts.ProcessID, "by", "timer", "element", ts.ElementID,
		"due", ts.NextDue, "status", l.row.Status)
	return true, nil
}
