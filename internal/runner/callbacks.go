package runner

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/waymark-bpm/waymark/internal/connectors"
	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/secrets"
	"github.com/waymark-bpm/waymark/internal/store"
)

// A connector proxy may answer a call with HTTP 202 and post the result
// later to the call's spiff__callback_url, as SpiffArena's connector
// proxies do. The URL is
//
//	{WAYMARK_BASE_URL}/api/v1/tasks/{instance}/{task}/callback?token={token}
//
// where token is 32 random bytes made for that one call. Only its SHA-256
// hash is stored (service_callbacks), before the call goes out. The task
// stays STARTED (the instance page shows it waiting) until a callback with
// the token completes it, once: the step that completes the task marks the
// token answered in the same transaction. A call made again (a retry)
// replaces the token; a call answered at once deletes it.

// ErrCallbackToken means a callback's token is not the one of the call
// the task waits for.
var ErrCallbackToken = errors.New("wrong callback token")

// builtinOperators is what *connectors.Registry tells about its operators.
type builtinOperators interface {
	Builtin(operator string) bool
}

// callbackBase is the URL callbacks go to, or "" when the public URL is
// unknown (no callback is offered then).
func (r *Runner) callbackBase() string {
	return strings.TrimRight(r.frontendURL, "/")
}

// prepareCallback makes and records the token of a call to the connector
// proxy and returns its callback URL; "" for a built-in operator, which
// answers at once.
func (r *Runner) prepareCallback(ctx context.Context, j store.ServiceJob) (string, error) {
	base := r.callbackBase()
	if base == "" {
		return "", nil
	}
	if b, ok := r.conn.(builtinOperators); ok && b.Builtin(j.Operator) {
		return "", nil
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	if err := r.store.SetServiceCallback(ctx, store.ServiceCallback{InstanceID: j.InstanceID, TaskID: j.TaskID,
		TokenHash: callbackHash(token), CreatedAt: r.now(), Params: j.Params}); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s/api/v1/tasks/%d/%d/callback?token=%s", base, j.InstanceID, j.TaskID, token), nil
}

func callbackHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// awaitCallback ends a job the connector proxy accepted (202): the call is
// no longer owed, and the task stays STARTED until the callback comes.
func (r *Runner) awaitCallback(ctx context.Context, j store.ServiceJob) {
	k := jobKey{j.InstanceID, j.TaskID}
	for attempt := 0; attempt < 5; attempt++ {
		l, err := r.load(ctx, j.InstanceID, "")
		if err != nil {
			r.log.Error("service job: load instance", "instance", j.InstanceID, "err", err)
			return
		}
		info := stepInfo{doneJob: &k}
		if t := l.inst.Task(j.TaskID); t != nil && t.State == engine.Started {
			info.events = []store.Event{{TaskID: j.TaskID, ElementID: j.ElementID, Event: "service_call_accepted",
				Detail: fmt.Sprintf("operator %s accepted the call; the task waits for its callback", j.Operator)}}
		}
		if _, err := r.save(ctx, l, info); err == nil {
			r.log.Info("service task waits for its callback", "instance", j.InstanceID, "task", j.TaskID, "operator", j.Operator)
			return
		} else if !errors.Is(err, store.ErrConflict) {
			r.log.Error("service job: save", "instance", j.InstanceID, "err", err)
			return
		}
	}
	r.log.Warn("service job: instance kept changing; will call again", "instance", j.InstanceID, "task", j.TaskID)
}

// CallbackOutcome is what a callback did.
type CallbackOutcome struct {
	InstanceID int64
	ModelID    string
	TaskID     int
	// Caught is true when the callback reported a failure (ErrorCode) and
	// the diagram caught it; false with an ErrorCode means the task is in
	// error now.
	Caught    bool
	ErrorCode string
}

// CompleteCallback answers the STARTED service task a connector proxy
// accepted with what it posts to the callback URL (a command response):
// the task completes with the response's body in its result variable, as
// SpiffArena sets it, or fails with the error the body reports (caught by
// a matching error boundary event). It returns an error wrapping
// store.ErrNotFound when no call of the task offered a callback,
// ErrCallbackToken for another token, store.ErrConflict when the callback
// was answered already, ErrInvalidState when the task no longer waits, and
// ErrInvalid for a body that is no command response. In each of those
// cases nothing changes.
func (r *Runner) CompleteCallback(ctx context.Context, instanceID int64, taskID int, token string, body []byte) (CallbackOutcome, error) {
	out := CallbackOutcome{InstanceID: instanceID, TaskID: taskID}
	for attempt := 0; attempt < 5; attempt++ {
		c, err := r.store.ServiceCallback(ctx, instanceID, taskID)
		if err != nil {
			return out, fmt.Errorf("callback of task %d/%d: %w", instanceID, taskID, err)
		}
		hash := callbackHash(token)
		if token == "" || subtle.ConstantTimeCompare([]byte(hash), []byte(c.TokenHash)) != 1 {
			return out, fmt.Errorf("callback of task %d/%d: %w", instanceID, taskID, ErrCallbackToken)
		}
		if !c.AnsweredAt.IsZero() {
			return out, conflict("callback of task %d/%d was answered already", instanceID, taskID)
		}
		l, err := r.load(ctx, instanceID, "")
		if err != nil {
			return out, err
		}
		out.ModelID = l.row.ModelID
		t := l.inst.Task(taskID)
		if t == nil || t.State != engine.Started || t.Node.Service == nil {
			return out, fmt.Errorf("callback of task %d/%d: the task does not wait for one: %w", instanceID, taskID, ErrInvalidState)
		}
		operator := t.Node.Service.ID
		res, callErr := connectors.ParseCallback(operator, body)
		if errors.Is(callErr, connectors.ErrBadCallback) {
			return out, fmt.Errorf("callback of task %d/%d: %v: %w", instanceID, taskID, callErr, ErrInvalid)
		}
		// The answer may echo a secret the call carried: it is taken out,
		// as from an answer at once.
		resolved := r.callSecrets(ctx, c.Params)
		res.Body = resolved.RedactValue(res.Body)
		if callErr != nil {
			callErr = redactError(resolved, callErr)
		}
		var ce *connectors.Error
		if errors.As(callErr, &ce) {
			out.ErrorCode = ce.Code
		}
		if err := answerTask(l.inst, taskID, operator, res.Body, callErr); err != nil {
			return out, fmt.Errorf("callback of task %d/%d: %w", instanceID, taskID, err)
		}
		out.Caught = callErr != nil && l.inst.Task(taskID).State != engine.Error
		info := stepInfo{
			events: []store.Event{{TaskID: taskID, ElementID: t.Node.ID, Event: "service_callback",
				Detail: fmt.Sprintf("operator %s answered through its callback", operator)}},
			inTx: func(ctx context.Context, tx *store.Tx) error {
				return tx.AnswerServiceCallback(ctx, instanceID, taskID, hash, r.now())
			},
		}
		if _, err := r.save(ctx, l, info); err != nil {
			if errors.Is(err, store.ErrConflict) {
				continue // the instance moved, or another callback won: look again
			}
			r.failOversized(ctx, instanceID, err)
			return out, err
		}
		r.log.Info("service task answered by callback", "instance", instanceID, "task", taskID, "operator", operator, "ok", callErr == nil)
		return out, nil
	}
	return out, conflict("callback of task %d/%d: the instance kept changing", instanceID, taskID)
}

// callSecrets resolves the secret references of a call's stored
// parameters again, to take their values out of its answer.
func (r *Runner) callSecrets(ctx context.Context, params string) secrets.Resolved {
	if r.secrets == nil || params == "" {
		return secrets.Resolved{}
	}
	var v any
	if err := json.Unmarshal([]byte(params), &v); err != nil {
		return secrets.Resolved{}
	}
	res, err := r.secrets.Resolve(ctx, v)
	if err != nil {
		// A secret deleted since the call has no value to take out.
		r.log.Warn("callback: resolve the call's secrets", "err", err)
		return secrets.Resolved{}
	}
	return res
}
