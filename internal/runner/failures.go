package runner

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/waymark-bpm/waymark/internal/connectors"
	"github.com/waymark-bpm/waymark/internal/store"
)

// FailurePolicy is what a model asks for when one of its instances fails
// (process_model.json's fault_or_suspend_on_exception and
// exception_notification_addresses, as SpiffArena reads them).
type FailurePolicy struct {
	// Suspend suspends the failed instance instead of leaving it in error;
	// resuming it puts it in error, where it can be retried.
	Suspend bool
	// Notify are the addresses told of the failure by mail.
	Notify []string
}

// FailurePolicies is offered by a SpecSource that knows models' failure
// settings (the model repository does).
type FailurePolicies interface {
	FailurePolicy(ctx context.Context, modelID string) (suspend bool, notify []string, err error)
}

// failurePolicy returns the model's policy; a source that does not know
// it, or a model that is gone, gives the default: fault, nobody told.
func (r *Runner) failurePolicy(ctx context.Context, modelID string) FailurePolicy {
	fp, ok := r.specs.(FailurePolicies)
	if !ok {
		return FailurePolicy{}
	}
	suspend, notify, err := fp.FailurePolicy(ctx, modelID)
	if err != nil {
		r.log.Warn("failure policy of a model", "model", modelID, "err", err)
		return FailurePolicy{}
	}
	return FailurePolicy{Suspend: suspend, Notify: notify}
}

// notifyFailure mails the model's notification addresses that an instance
// failed, with where and why and a link to the instance, through the
// smtp/SendEmail operator. It runs after the step is stored, never inside
// its transaction; a mail that cannot be sent is logged.
func (r *Runner) notifyFailure(row store.Instance, to []string) {
	if r.conn == nil || len(to) == 0 {
		return
	}
	// Not tracked by Close: a step may fail while the runner stops, and a
	// mail that a stopping server cannot finish is logged as not sent.
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		link := fmt.Sprintf("%s/instances/%d", strings.TrimRight(r.frontendURL, "/"), row.ID)
		where := row.ErrorElement
		if row.ErrorLine > 0 {
			where = fmt.Sprintf("%s, line %d", where, row.ErrorLine)
		}
		subject := fmt.Sprintf("Waymark: instance %d of %s failed", row.ID, row.ModelID)
		body := fmt.Sprintf("Instance %d of %s (%s) stopped with an error at %s:\n\n%s\n\nOpen it: %s\n",
			row.ID, row.ModelID, row.ProcessName, where, row.ErrorMessage, link)
		if row.Status == store.StatusSuspended {
			subject += " and was suspended"
			body += "\nThe model suspends instances that fail: resume it to see it in error, then retry it.\n"
		}
		_, err := r.conn.Do(ctx, connectors.Call{Operator: "smtp/SendEmail", InstanceID: row.ID, ModelID: row.ModelID, Params: map[string]any{
			"email_to":      strings.Join(to, ","),
			"email_subject": subject,
			"email_body":    body,
		}})
		if err != nil {
			r.log.Error("failure notification not sent", "instance", row.ID, "to", to, "err", err)
			return
		}
		r.log.Info("failure notification sent", "instance", row.ID, "to", to)
	}()
}
