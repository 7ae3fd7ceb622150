package runner

import (
	"context"
	"errors"
	"time"

	"github.com/waymark-bpm/waymark/internal/store"
)

// schedule polls for due timers every interval until ctx ends.
func (r *Runner) schedule(ctx context.Context) {
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		if _, err := r.FireDueTimers(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("fire due timers", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// FireDueTimers advances every running instance with a timer due by the
// clock's now and persists it. It returns how many instances moved. An
// instance changed by someone else meanwhile is left for the next poll.
func (r *Runner) FireDueTimers(ctx context.Context) (int, error) {
	now := r.now()
	ids, err := r.store.DueTimerInstances(ctx, now, 100)
	if err != nil {
		return 0, err
	}
	moved := 0
	var errs []error
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		l, err := r.load(ctx, id, "")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		// AdvanceTo fires timers due strictly before the time given; a
		// timer due exactly now fires too.
		l.inst.AdvanceTo(now.Add(time.Microsecond))
		if _, err := r.save(ctx, l, stepInfo{}); err != nil {
			if !errors.Is(err, store.ErrConflict) && !r.failOversized(ctx, id, err) {
				errs = append(errs, err)
			}
			continue
		}
		moved++
	}
	return moved, errors.Join(errs...)
}
