package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/store"
)

// ErrDataTooLarge: a step would store more task data for one instance than
// Options.MaxDataBytes allows. The step is refused and nothing is written;
// errors of this kind are *DataTooLargeError.
var ErrDataTooLarge = errors.New("task data too large")

// DataTooLargeError says which variable made an instance's data too large.
type DataTooLargeError struct {
	Size, Limit int // bytes of the instance's stored state, and the limit
	// Variable is the largest task data variable, Element the element id
	// of the task holding it, VariableSize its JSON size in bytes.
	Variable, Element string
	VariableSize      int
}

func (e *DataTooLargeError) Error() string {
	msg := fmt.Sprintf("the task data stored for the instance would be %s, over the limit of %s (WAYMARK_TASK_DATA_MAX_BYTES)", sizeText(e.Size), sizeText(e.Limit))
	if e.Variable != "" {
		msg += fmt.Sprintf(": variable %q of task %s holds %s", e.Variable, e.Element, sizeText(e.VariableSize))
	}
	return msg
}

// Is makes errors.Is(err, ErrDataTooLarge) true.
func (e *DataTooLargeError) Is(target error) bool { return target == ErrDataTooLarge }

// UserMessage is what the person whose step was refused reads: it names
// their own variable, nothing internal.
func (e *DataTooLargeError) UserMessage() string {
	return "The task data is too large to store: " + e.Error() + ". Nothing was saved."
}

// dataTooLarge builds the error for an instance whose snapshot is size
// bytes, finding the largest variable of any task's data (and the
// instance's data objects). It runs only on the refused path.
func dataTooLarge(in *engine.Instance, size, limit int) error {
	e := &DataTooLargeError{Size: size, Limit: limit}
	seen := map[string]bool{}
	consider := func(element string, data map[string]any) {
		for k, v := range data {
			// One variable usually travels unchanged through many tasks;
			// measure each name once per element.
			if seen[element+"\x00"+k] {
				continue
			}
			seen[element+"\x00"+k] = true
			b, err := json.Marshal(v)
			if err != nil {
				continue
			}
			if len(b) > e.VariableSize || (len(b) == e.VariableSize && k < e.Variable) {
				e.Variable, e.Element, e.VariableSize = k, element, len(b)
			}
		}
	}
	consider("(data objects)", in.Data())
	for _, t := range in.Tasks() {
		if t.Node != nil {
			consider(t.Node.ID, t.Data)
		}
	}
	return e
}

func sizeText(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// failOversized puts an instance in error whose background step (a timer,
// a service answer) was refused by the data limit: nobody waits for that
// step to report the error to, and retrying it on every poll would only
// log the same refusal again. The instance keeps its state from before the
// step; its error names the variable, as the refusal did. It reports
// whether err was such a refusal.
func (r *Runner) failOversized(ctx context.Context, id int64, err error) bool {
	var de *DataTooLargeError
	if !errors.As(err, &de) {
		return false
	}
	r.log.Warn("step refused: task data too large; instance put in error", "instance", id, "variable", de.Variable, "element", de.Element, "size", de.Size, "limit", de.Limit)
	row, lerr := r.store.Instance(ctx, id)
	if lerr != nil {
		r.log.Error("put oversized instance in error", "instance", id, "err", lerr)
		return true
	}
	now := r.now()
	row.Status, row.UpdatedAt = store.StatusError, now
	row.ErrorTask, row.ErrorElement, row.ErrorWhere, row.ErrorLine, row.ErrorMessage = 0, de.Element, "data", 0, de.Error()
	werr := r.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateInstance(ctx, row); err != nil {
			return err
		}
		return tx.AppendEvents(ctx, []store.Event{{InstanceID: id, ElementID: de.Element, Event: "error", Detail: de.Error(), At: now}})
	})
	if werr != nil {
		r.log.Error("put oversized instance in error", "instance", id, "err", werr)
	}
	return true
}
