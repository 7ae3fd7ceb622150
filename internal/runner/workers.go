package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/waymark-bpm/waymark/internal/secrets"

	"github.com/waymark-bpm/waymark/internal/connectors"
	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/store"
)

// jobKey identifies a service job: the STARTED task of an instance.
type jobKey struct {
	instance int64
	task     int
}

// jobLease is how long a claim on a service job keeps other processes
// sharing the database away from it. A worker releases its claim when the
// job ends; the lease matters only when the process dies holding it, and
// must outlast the slowest call.
const jobLease = 10 * time.Minute

// notifyJobs wakes the dispatcher after a step wrote service jobs.
func (r *Runner) notifyJobs() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// dispatch hands owed service jobs to the workers: on start (calls owed
// before a restart), whenever a step wrote new ones, and every interval.
// A job is in flight at most once.
func (r *Runner) dispatch(ctx context.Context) {
	jobs := make(chan store.ServiceJob)
	for range r.workers {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			for j := range jobs {
				r.RunServiceJob(ctx, j)
				// A job answered is gone; one still owed (shutdown, a
				// retry) is free for the next claim, here or elsewhere.
				if err := r.store.ReleaseServiceJob(context.WithoutCancel(ctx), j.InstanceID, j.TaskID); err != nil {
					r.log.Error("release service job", "instance", j.InstanceID, "task", j.TaskID, "err", err)
				}
				r.mu.Lock()
				delete(r.inflight, jobKey{j.InstanceID, j.TaskID})
				r.mu.Unlock()
				r.notifyJobs()
			}
		}()
	}
	defer close(jobs)
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		if r.conn != nil {
			// Claimed jobs are this process's alone: other processes
			// sharing the database skip them.
			owed, err := r.store.ClaimServiceJobs(ctx, r.now(), jobLease, 100)
			if err != nil && ctx.Err() == nil {
				r.log.Error("claim service jobs", "err", err)
			}
			for i, j := range owed {
				k := jobKey{j.InstanceID, j.TaskID}
				r.mu.Lock()
				busy := r.inflight[k]
				if !busy {
					r.inflight[k] = true
				}
				r.mu.Unlock()
				if busy {
					continue
				}
				// The list may predate a worker that answered the job
				// and left it since; the job is gone from the store
				// before its worker leaves, so check again.
				if owed, err := r.store.ServiceJobOwed(ctx, j.InstanceID, j.TaskID); err != nil || !owed {
					r.mu.Lock()
					delete(r.inflight, k)
					r.mu.Unlock()
					continue
				}
				select {
				case jobs <- j:
				case <-ctx.Done():
					// Shutting down: what was claimed and not started is
					// free for the next process at once.
					for _, rest := range owed[i:] {
						_ = r.store.ReleaseServiceJob(context.WithoutCancel(ctx), rest.InstanceID, rest.TaskID)
					}
					return
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-t.C:
		}
	}
}

// RunServiceJob performs one service call outside any transaction, then
// completes or fails the task in a new step. A step that loses a race with
// another writer is retried; a task that is no longer STARTED (terminated
// instance, answered elsewhere) drops the job.
func (r *Runner) RunServiceJob(ctx context.Context, j store.ServiceJob) {
	var params, data map[string]any
	if err := json.Unmarshal([]byte(j.Params), &params); err != nil {
		r.finishJob(ctx, j, nil, fmt.Errorf("stored parameters do not parse: %w", err), false)
		return
	}
	if err := json.Unmarshal([]byte(j.TaskData), &data); err != nil {
		r.finishJob(ctx, j, nil, fmt.Errorf("stored task data does not parse: %w", err), false)
		return
	}
	// Secret references are resolved for this call only: the stored job,
	// task data and the event log keep the reference, and whatever comes
	// back has the values taken out again.
	var resolved secrets.Resolved
	if r.secrets != nil {
		var err error
		if resolved, err = r.secrets.Resolve(ctx, params); err != nil {
			r.finishJob(ctx, j, nil, &connectors.Error{Code: "SecretNotFound", Message: fmt.Sprintf("parameters of %s: %v", j.Operator, err)}, false)
			return
		}
		params = resolved.Value.(map[string]any)
	}
	row, err := r.store.Instance(ctx, j.InstanceID)
	if err != nil {
		r.log.Error("service job for a missing instance", "instance", j.InstanceID, "err", err)
		return
	}
	// Attachments (smtp/SendEmail) may name files stored with the instance.
	file := func(digest string) ([]byte, error) {
		f, err := r.store.TaskFile(ctx, j.InstanceID, digest)
		return f.Content, err
	}
	// A call to the connector proxy carries a callback URL with a token
	// made for this call, recorded before the call goes out: a proxy may
	// call back before its 202 arrives.
	callbackURL, err := r.prepareCallback(ctx, j)
	if err != nil {
		r.log.Error("service job: record callback", "instance", j.InstanceID, "task", j.TaskID, "err", err)
		return // still owed: the next claim tries again
	}
	res, err := r.conn.Do(ctx, connectors.Call{Operator: j.Operator, Params: params, InstanceID: j.InstanceID,
		ModelID: row.ModelID, TaskID: strconv.Itoa(j.TaskID), TaskData: data, File: file, CallbackURL: callbackURL})
	if ctx.Err() != nil {
		return // shutting down: the job stays owed and runs after the restart
	}
	if err == nil && res.Pending {
		if callbackURL == "" {
			err = fmt.Errorf("operator %s answered 202 (later, by callback), but the call carried no callback URL", j.Operator)
		} else {
			r.awaitCallback(ctx, j)
			return
		}
	}
	var value any
	if err == nil {
		value = resolved.RedactValue(res.Value())
	} else {
		err = redactError(resolved, err)
	}
	r.finishJob(ctx, j, value, err, callbackURL != "")
}

// answerTask completes a STARTED service task with value, or fails it
// with callErr: a connector's failure is a BPMN error with its code,
// which an error boundary event on the task can catch.
func answerTask(in *engine.Instance, taskID int, operator string, value any, callErr error) error {
	if callErr == nil {
		return in.CompleteStarted(taskID, value)
	}
	var ce *connectors.Error
	if errors.As(callErr, &ce) {
		msg := ce.Code + ": " + ce.Message
		payload := map[string]any{"error_code": ce.Code, "message": ce.Message, "operator_identifier": operator,
			"status_code": ce.Status, "command_response_body": ce.Body}
		_, err := in.FailStartedWith(taskID, ce.Code, msg, payload)
		return err
	}
	return in.FailStarted(taskID, callErr.Error())
}

// finishJob answers the task of a job with the call's outcome.
// forgetCallback deletes the callback row made for the call.
func (r *Runner) finishJob(ctx context.Context, j store.ServiceJob, value any, callErr error, forgetCallback bool) {
	for attempt := 0; attempt < 5; attempt++ {
		l, err := r.load(ctx, j.InstanceID, "")
		if err != nil {
			r.log.Error("service job: load instance", "instance", j.InstanceID, "err", err)
			return
		}
		t := l.inst.Task(j.TaskID)
		k := jobKey{j.InstanceID, j.TaskID}
		if t == nil || t.State != engine.Started {
			// Nothing waits for this answer any more.
			if _, err := r.save(ctx, l, stepInfo{doneJob: &k}); err == nil || !errors.Is(err, store.ErrConflict) {
				return
			}
			continue
		}
		if err := answerTask(l.inst, j.TaskID, j.Operator, value, callErr); err != nil {
			r.log.Error("service job: answer task", "instance", j.InstanceID, "task", j.TaskID, "err", err)
			return
		}
		info := stepInfo{doneJob: &k}
		if forgetCallback {
			// Answered at once: the call's callback token must never
			// complete the task (nor a later call of it).
			info.inTx = func(ctx context.Context, tx *store.Tx) error {
				return tx.DeleteServiceCallback(ctx, j.InstanceID, j.TaskID)
			}
		}
		if _, err := r.save(ctx, l, info); err != nil {
			if errors.Is(err, store.ErrConflict) {
				continue
			}
			if !r.failOversized(ctx, j.InstanceID, err) {
				r.log.Error("service job: save", "instance", j.InstanceID, "err", err)
			}
			return
		}
		r.log.Info("service task answered", "instance", j.InstanceID, "task", j.TaskID, "operator", j.Operator, "ok", callErr == nil)
		return
	}
	r.log.Warn("service job: instance kept changing; will retry", "instance", j.InstanceID, "task", j.TaskID)
}

// redactError takes secret values out of a failed call's error, keeping a
// connector error's code.
func redactError(res secrets.Resolved, err error) error {
	var ce *connectors.Error
	if errors.As(err, &ce) {
		return &connectors.Error{Code: ce.Code, Message: res.Redact(ce.Message), Status: ce.Status, Body: res.RedactValue(ce.Body)}
	}
	if msg := res.Redact(err.Error()); msg != err.Error() {
		return errors.New(msg)
	}
	return err
}
