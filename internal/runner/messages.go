package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"time"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
	"github.com/waymark-bpm/waymark/internal/store"
)

// EventStarter is implemented by a SpecSource that can find the
// processes of the repository a message or signal starts
// (*models.Repo). Without it, messages reach waiting instances only.
type EventStarter interface {
	ProcessesStartedBy(ctx context.Context, kind, name string) ([]*spec.Process, error)
}

// routeBatch is how many outbox messages one routing pass reads.
const routeBatch = 100

// Delivery says where a routed message went.
type Delivery struct {
	// InstanceID is the instance that consumed the message (for a signal,
	// the last one it reached); 0 when nothing did.
	InstanceID int64
	// Status is the stored status of InstanceID after the delivery.
	Status string
	// Started reports that the message started InstanceID.
	Started bool
	// Reached counts the instances a signal reached.
	Reached int
}

// outbox writes the messages and signals a step threw to the outbox, in
// the step's transaction. It reports whether it wrote any.
func (r *Runner) outbox(ctx context.Context, tx *store.Tx, row store.Instance, effects []engine.Effect, actor string, now time.Time) (bool, error) {
	wrote := false
	for _, e := range effects {
		if e.Kind != "message" && e.Kind != "signal" {
			continue
		}
		payload, err := json.Marshal(e.Payload)
		if err != nil {
			return false, fmt.Errorf("%s %q thrown by %s: payload: %w", e.Kind, e.Name, e.NodeID, err)
		}
		sentBy := actor
		if sentBy == "" {
			sentBy = row.StartedBy
		}
		if _, err := tx.AddOutboxMessage(ctx, store.OutboxMessage{Kind: e.Kind, Name: e.Name, Payload: string(payload),
			FromInstance: row.ID, FromElement: e.NodeID, SentBy: sentBy, CreatedAt: now, ExpiresAt: now.Add(r.messageTTL)}); err != nil {
			return false, err
		}
		wrote = true
	}
	return wrote, nil
}

// notifyRouter wakes the message router without blocking.
func (r *Runner) notifyRouter() {
	select {
	case r.routeWake <- struct{}{}:
	default:
	}
}

// route delivers outbox messages whenever a step wrote one or an instance
// started waiting for one, and every interval, until ctx ends.
func (r *Runner) route(ctx context.Context) {
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		if _, err := r.RouteMessages(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("route messages", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-r.routeWake:
		case <-t.C:
		}
	}
}

// RouteMessages makes one pass over the outbox: each message goes to one
// waiting instance whose correlation matches, else starts a model with a
// matching message start event, else stays until its time to live ends.
// Each signal reaches every waiting instance and starts every model with a
// matching signal start event. It returns how many messages and signals
// were delivered.
func (r *Runner) RouteMessages(ctx context.Context) (int, error) {
	msgs, err := r.store.OutboxMessages(ctx, routeBatch)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, m := range msgs {
		if ctx.Err() != nil {
			break
		}
		d, err := r.routeOne(ctx, m)
		if errors.Is(err, errRouteAgain) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if d.InstanceID != 0 || d.Reached > 0 {
			n++
		}
	}
	return n, errors.Join(errs...)
}

// routeOne delivers one outbox message. A conflict (the receiver moved
// meanwhile, or another process consumed the message) leaves the message
// for the next pass.
func (r *Runner) routeOne(ctx context.Context, m store.OutboxMessage) (Delivery, error) {
	var payload any
	if err := json.Unmarshal([]byte(m.Payload), &payload); err != nil {
		return Delivery{}, fmt.Errorf("outbox %s %q (%d): payload: %w", m.Kind, m.Name, m.ID, err)
	}
	if m.Kind == "signal" {
		return r.broadcast(ctx, m, payload)
	}
	d, err := r.deliverMessage(ctx, m, payload)
	if errors.Is(err, store.ErrConflict) {
		r.notifyRouter()
		return d, errRouteAgain
	}
	var sf *startFailed
	if d.InstanceID != 0 || (err != nil && !errors.As(err, &sf)) {
		// Delivered, or the store failed: the message stays.
		return d, err
	}
	if !r.now().Before(m.ExpiresAt) {
		if err := r.store.DeleteOutboxMessage(ctx, m.ID); err != nil {
			return d, err
		}
		r.log.Warn("message not delivered: no instance waits for it and no model starts with it",
			"message", m.Name, "from_instance", m.FromInstance, "from_element", m.FromElement)
		if m.FromInstance != 0 {
			if err := r.store.AppendEvent(ctx, store.Event{InstanceID: m.FromInstance, ElementID: m.FromElement, Event: "message_dropped",
				Detail: fmt.Sprintf("no receiver for message %q", m.Name), At: r.now()}); err != nil {
				r.log.Error("record dropped message", "instance", m.FromInstance, "err", err)
			}
		}
	}
	return d, err
}

// deliverMessage hands a message to the first waiting instance that
// catches it, or starts the first process it starts, consuming it from the
// outbox in the same transaction.
func (r *Runner) deliverMessage(ctx context.Context, m store.OutboxMessage, payload any) (Delivery, error) {
	subs, err := r.store.Subscribers(ctx, "message", m.Name)
	if err != nil {
		return Delivery{}, err
	}
	seen := map[int64]bool{}
	for _, s := range subs {
		if seen[s.InstanceID] {
			continue
		}
		seen[s.InstanceID] = true
		l, err := r.load(ctx, s.InstanceID, "")
		if err != nil {
			// One instance that no longer loads does not hold the message
			// back from the others.
			r.log.Error("message receiver does not load", "message", m.Name, "instance", s.InstanceID, "err", err)
			continue
		}
		if l.row.Status != store.StatusRunning {
			continue
		}
		caught, err := l.inst.Deliver("message", m.Name, payload)
		if err != nil || !caught {
			continue
		}
		if _, err := r.save(ctx, l, stepInfo{consume: m.ID, events: []store.Event{{Event: "message", ElementID: s.ElementID,
			Detail: receivedDetail(m)}}}); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return Delivery{}, fmt.Errorf("deliver message %q to instance %d: %w", m.Name, s.InstanceID, err)
			}
			r.log.Error("deliver message", "message", m.Name, "instance", s.InstanceID, "err", err)
			continue
		}
		return Delivery{InstanceID: s.InstanceID, Status: l.row.Status}, nil
	}
	procs, err := r.startTargets(ctx, "message", m.Name)
	if err != nil {
		return Delivery{}, err
	}
	// failed is why the last start that caught the message could not be
	// saved: the sender learns it rather than that no one took it.
	var failed error
	for _, p := range procs {
		id, status, err := r.startBy(ctx, m, p, payload, m.ID, "")
		if errors.Is(err, store.ErrConflict) {
			return Delivery{}, err
		}
		if err != nil {
			r.log.Error("start by message", "message", m.Name, "process", p.ID, "err", err)
			failed = err
			continue
		}
		if id != 0 {
			return Delivery{InstanceID: id, Status: status, Started: true}, nil
		}
	}
	if failed != nil {
		return Delivery{}, &startFailed{failed}
	}
	return Delivery{}, nil
}

// startFailed is why a start that caught a message could not be saved.
type startFailed struct{ err error }

func (e *startFailed) Error() string { return e.err.Error() }
func (e *startFailed) Unwrap() error { return e.err }

// errRouteAgain: the message met a conflict and stays in the outbox for
// another try.
var errRouteAgain = errors.New("message routing met a conflict")

// broadcast hands a signal to every waiting instance and starts every
// process it starts, then drops it. A signal reaches each instance in a
// step of that instance's own, which records the delivery: after a crash
// midway the signal goes on to the receivers it had not reached.
func (r *Runner) broadcast(ctx context.Context, m store.OutboxMessage, payload any) (Delivery, error) {
	var d Delivery
	done, err := r.store.SignalDeliveries(ctx, m.ID)
	if err != nil {
		return d, err
	}
	subs, err := r.store.Subscribers(ctx, "signal", m.Name)
	if err != nil {
		return d, err
	}
	seen := map[int64]bool{}
	var errs []error
	for _, s := range subs {
		target := fmt.Sprintf("instance:%d", s.InstanceID)
		if seen[s.InstanceID] || done[target] {
			continue
		}
		seen[s.InstanceID] = true
		for attempt := 0; attempt < 3; attempt++ {
			l, err := r.load(ctx, s.InstanceID, "")
			if err != nil {
				errs = append(errs, err)
				break
			}
			if l.row.Status != store.StatusRunning {
				break
			}
			caught, err := l.inst.Deliver("signal", m.Name, payload)
			if err != nil || !caught {
				break
			}
			_, err = r.save(ctx, l, stepInfo{events: []store.Event{{Event: "signal", ElementID: s.ElementID, Detail: receivedDetail(m)}},
				inTx: func(ctx context.Context, tx *store.Tx) error { return tx.RecordSignalDelivery(ctx, m.ID, target) }})
			if errors.Is(err, store.ErrConflict) {
				continue
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("deliver signal %q to instance %d: %w", m.Name, s.InstanceID, err))
			} else {
				d.Reached++
				d.InstanceID, d.Status = s.InstanceID, l.row.Status
			}
			break
		}
	}
	procs, err := r.startTargets(ctx, "signal", m.Name)
	if err != nil {
		errs = append(errs, err)
	}
	for _, p := range procs {
		target := "start:" + path.Dir(p.File) + "#" + p.ID
		if done[target] {
			continue
		}
		id, status, err := r.startBy(ctx, m, p, payload, 0, target)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if id != 0 {
			d.Reached++
			d.InstanceID, d.Status = id, status
		}
	}
	if err := r.store.DeleteOutboxMessage(ctx, m.ID); err != nil {
		errs = append(errs, err)
	}
	return d, errors.Join(errs...)
}

func receivedDetail(m store.OutboxMessage) string {
	if m.FromInstance != 0 {
		return fmt.Sprintf("received %s %q from instance %d", m.Kind, m.Name, m.FromInstance)
	}
	return fmt.Sprintf("received %s %q", m.Kind, m.Name)
}

// startTargets lists the processes a message or signal starts.
func (r *Runner) startTargets(ctx context.Context, kind, name string) ([]*spec.Process, error) {
	es, ok := r.specs.(EventStarter)
	if !ok {
		return nil, nil
	}
	procs, err := es.ProcessesStartedBy(ctx, kind, name)
	if err != nil {
		return nil, fmt.Errorf("processes started by %s %q: %w", kind, name, err)
	}
	return procs, nil
}

// startBy starts process p with a message or signal and persists the new
// instance; consume (when not 0) is the outbox message the start consumes
// in the same transaction; signalTarget (when not "") records a signal's
// delivery there instead. It returns the new instance and its status, or 0
// when the start event did not catch the event.
func (r *Runner) startBy(ctx context.Context, m store.OutboxMessage, p *spec.Process, payload any, consume int64, signalTarget string) (int64, string, error) {
	modelID := path.Dir(p.File)
	lib, _, err := r.specs.LoadModel(ctx, modelID)
	if err != nil {
		return 0, "", fmt.Errorf("start %s by %s %q: %w", modelID, m.Kind, m.Name, err)
	}
	if lib.Process(p.ID) == nil {
		return 0, "", fmt.Errorf("start %s by %s %q: the model has no process %q", modelID, m.Kind, m.Name, p.ID)
	}
	svc := &serviceCalls{model: modelID}
	sc := &scriptCtx{ctx: ctx, modelID: modelID, starter: m.SentBy, actor: m.SentBy}
	start := func(env engine.Env) (*engine.Instance, bool, error) {
		in, err := engine.Start(lib, engine.StartOptions{Process: p.ID}, env)
		if err != nil {
			return nil, false, fmt.Errorf("start %s process %s by %s %q: %w", modelID, p.ID, m.Kind, m.Name, err)
		}
		caught, err := in.Deliver(m.Kind, m.Name, payload)
		return in, caught, err
	}
	in, caught, err := start(r.env(svc, sc))
	if err != nil || !caught {
		return 0, "", err
	}
	name := p.Name
	if name == "" {
		name = p.ID
	}
	l := &loaded{
		row: store.Instance{ModelID: modelID, ProcessID: p.ID, ProcessName: name, StartedBy: m.SentBy},
		lib: lib, inst: in, svc: svc, before: map[int]engine.State{}, sc: sc,
	}
	reserved, err := r.startOver(ctx, l, func(env engine.Env) (*engine.Instance, error) {
		in, _, err := start(env)
		return in, err
	})
	if err != nil {
		return 0, "", err
	}
	info := stepInfo{actor: m.SentBy, consume: consume, events: []store.Event{{Event: "started", Username: m.SentBy,
		Detail: fmt.Sprintf("%s %s by %s", modelID, p.ID, receivedDetail(m))}}}
	if signalTarget != "" {
		info.inTx = func(ctx context.Context, tx *store.Tx) error { return tx.RecordSignalDelivery(ctx, m.ID, signalTarget) }
	}
	id, err := r.save(ctx, l, info)
	if err != nil {
		r.dropReserved(ctx, reserved)
		return 0, "", fmt.Errorf("start %s by %s %q: %w", modelID, m.Kind, m.Name, err)
	}
	r.log.Info("instance started", "instance", id, "model", modelID, "process", p.ID, "by", m.Kind, "name", m.Name, "status", l.row.Status)
	return id, l.row.Status, nil
}

// Send puts a message or signal from outside into the outbox and routes
// it at once. A message no one takes and whose time to live is 0 is
// refused with an error wrapping ErrInvalid.
func (r *Runner) Send(ctx context.Context, a Actor, kind, name string, payload map[string]any) (Delivery, error) {
	if kind != "message" && kind != "signal" {
		return Delivery{}, fmt.Errorf("send %q: kind must be message or signal: %w", kind, ErrInvalid)
	}
	if name == "" {
		return Delivery{}, fmt.Errorf("send %s: the name is empty: %w", kind, ErrInvalid)
	}
	if payload == nil {
		payload = map[string]any{}
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return Delivery{}, fmt.Errorf("send %s %q: payload: %v: %w", kind, name, err, ErrInvalid)
	}
	now := r.now()
	m := store.OutboxMessage{Kind: kind, Name: name, Payload: string(body), SentBy: a.Username, CreatedAt: now, ExpiresAt: now.Add(r.messageTTL)}
	err = r.store.InTx(ctx, func(tx *store.Tx) error {
		m.ID, err = tx.AddOutboxMessage(ctx, m)
		return err
	})
	if err != nil {
		return Delivery{}, err
	}
	d, err := r.routeOne(ctx, m)
	for try := 0; errors.Is(err, errRouteAgain) && try < 5; try++ {
		d, err = r.routeOne(ctx, m)
	}
	if errors.Is(err, errRouteAgain) {
		// Still in the outbox: the background router delivers it.
		return d, nil
	}
	if err != nil {
		return d, err
	}
	if kind == "message" && d.InstanceID == 0 && r.messageTTL <= 0 {
		return d, &NoReceiverError{Name: name}
	}
	return d, nil
}

// NoReceiverError refuses a message no instance waits for and no model
// starts with, when messages are not kept (WAYMARK_MESSAGE_TTL is 0). It
// wraps ErrInvalid.
type NoReceiverError struct{ Name string }

func (e *NoReceiverError) Error() string {
	return fmt.Sprintf("message %q: no instance waits for it and no model starts with it", e.Name)
}

// UserMessage is what the sender reads.
func (e *NoReceiverError) UserMessage() string {
	return fmt.Sprintf("No process instance waits for message %q with these correlation values, and no process model starts with it.", e.Name)
}

func (e *NoReceiverError) Unwrap() error { return ErrInvalid }
