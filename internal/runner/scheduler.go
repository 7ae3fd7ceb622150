package runner

import (
	"context"
	"errors"
	"time"

	"github.com/waymark-bpm/waymark/internal/store"
)

// schedule polls for due timers and timer start events every interval
// until ctx ends.
func (r *Runner) schedule(ctx context.Context) {
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		if _, err := r.FireDueTimers(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("fire due timers", "err", err)
		}
		if _, err := r.FireTimerStarts(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("fire timer start events", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// timerLease is how long a claim on due timers keeps other processes
// sharing the database away from them; it matters only when the claiming
// process dies before it saves or releases them.
const timerLease = time.Minute

// FireDueTimers advances every running instance with a timer due by the
// clock's now and persists it. It returns how many instances moved. An
// instance changed by someone else meanwhile is left for the next poll.
// The due timers are claimed first, so processes sharing a database fire
// each once.
func (r *Runner) FireDueTimers(ctx context.Context) (int, error) {
	now := r.now()
	ids, err := r.store.ClaimDueTimerInstances(ctx, now, timerLease, 100)
	if err != nil {
		return 0, err
	}
	moved := 0
	var errs []error
	// Claims on instances not moved end, so the next poll tries them again.
	release := func(id int64) {
		if err := r.store.ReleaseTimers(context.WithoutCancel(ctx), id); err != nil {
			errs = append(errs, err)
		}
	}
	for i, id := range ids {
		if ctx.Err() != nil {
			for _, rest := range ids[i:] {
				release(rest)
			}
			break
		}
		l, err := r.load(ctx, id, "")
		if err != nil {
			errs = append(errs, err)
			release(id)
			continue
		}
		// AdvanceTo fires timers due strictly before the time given; a
		// timer due exactly now fires too.
		l.inst.AdvanceTo(now.Add(time.Microsecond))
		if _, err := r.save(ctx, l, stepInfo{}); err != nil {
			if !errors.Is(err, store.ErrConflict) && !r.failOversized(ctx, id, err) {
				errs = append(errs, err)
			}
			release(id)
			continue
		}
		moved++
	}
	return moved, errors.Join(errs...)
}
