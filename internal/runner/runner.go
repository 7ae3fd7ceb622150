package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/waymark-bpm/waymark/internal/secrets"

	"github.com/waymark-bpm/waymark/internal/connectors"
	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
	"github.com/waymark-bpm/waymark/internal/store"
)

// Errors callers branch on. Conflicts wrap store.ErrConflict and missing
// instances or tasks wrap store.ErrNotFound.
var (
	// ErrForbidden: the user may not see or act on this task or instance.
	ErrForbidden = errors.New("not allowed")
	// ErrInvalidState: the instance or task is not in a state that allows
	// the action (a completed task, a suspended instance, ...).
	ErrInvalidState = errors.New("not possible in the current state")
	// ErrInvalid: the request names something that does not exist in the
	// model or carries unusable data.
	ErrInvalid = errors.New("invalid request")
)

// SpecSource gives the runner parsed models. internal/models implements it.
type SpecSource interface {
	// LoadModel parses a model's BPMN and DMN files and names its primary
	// process. Every process's File is "<model id>/<file name>", so the
	// runner knows which model holds the forms of a called process.
	LoadModel(ctx context.Context, modelID string) (lib *spec.Library, primaryProcess string, err error)
	// ResolveProcess finds a process anywhere in the repository (call
	// activities).
	ResolveProcess(id string) (*spec.Process, error)
	// ReadModelFile returns one file of a model (forms).
	ReadModelFile(ctx context.Context, modelID, name string) ([]byte, error)
	// MetadataPaths returns the model's metadata extraction paths (key ->
	// dotted path).
	MetadataPaths(ctx context.Context, modelID string) (map[string]string, error)
}

// Connector performs service-task calls; *connectors.Registry implements it.
type Connector interface {
	Do(ctx context.Context, call connectors.Call) (connectors.Result, error)
}

// Clock tells the runner what time it is; tests inject a fixed one.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now().UTC() }

// Actor is the person acting: the signed-in user.
type Actor struct {
	Username string
	Email    string
	Groups   []string
	// Admin may see every instance and suspend, resume, terminate and
	// retry any of them. It does not make the admin a task owner.
	Admin bool
}

// Keys are the owner keys that match the actor.
func (a Actor) Keys() []string {
	keys := []string{"user:" + a.Username}
	if a.Email != "" {
		keys = append(keys, "user:"+strings.ToLower(a.Email))
	}
	for _, g := range a.Groups {
		keys = append(keys, "group:"+g)
	}
	return keys
}

// Viewer is the actor as the store's list queries take it.
func (a Actor) Viewer() store.Viewer {
	return store.Viewer{Username: a.Username, Keys: a.Keys()}
}

// Options are the runner's collaborators.
type Options struct {
	Store  *store.Store
	Specs  SpecSource
	Logger *slog.Logger
	// Clock defaults to the system clock.
	Clock Clock
	// Connector performs service calls; nil makes service tasks fail with
	// a clear error.
	Connector Connector
	// SchedulerInterval is how often due timers are polled (default 5s).
	SchedulerInterval time.Duration
	// Workers is the number of concurrent service calls (default 4).
	Workers int
	// Secrets resolves SPIFF_SECRET references in service-task
	// parameters and answers get_secret in scripts; nil leaves references
	// as they are written.
	Secrets *secrets.Secrets
	// FrontendURL is Waymark's public URL, for links in mail and for
	// get_frontend_url and the task links of script helpers.
	FrontendURL string
	// EnvName is what get_env answers in scripts (WAYMARK_ENV).
	EnvName string
	// Directory answers script helpers about users, groups and
	// permissions; nil makes the privileged ones fail.
	Directory Directory
	// MaxDataBytes bounds the stored state of one instance (its task data
	// as snapshot JSON); 0 means no limit. A step over it is refused.
	MaxDataBytes int
	// ScriptMaxBytes bounds what one script run allocates; 0 takes the
	// script package's default.
	ScriptMaxBytes uint64
	// MessageTTL is how long a message no instance waits for and no model
	// starts with is kept for a receiver to appear; 0 drops it at once.
	MessageTTL time.Duration
	// Observer hears about persisted steps and completed tasks (metrics);
	// nil for none.
	Observer Observer
	// InstanceCacheBytes bounds the memory of the instances kept between
	// steps (instance_cache.go), estimated from their snapshots' length;
	// 0 takes DefaultInstanceCacheBytes, a negative value keeps none.
	InstanceCacheBytes int64
}

// DefaultInstanceCacheBytes is the instance cache's bound when Options
// leaves it 0.
const DefaultInstanceCacheBytes = 64 << 20

// Observer is told about the runner's work. cmd/web passes the metrics
// collector; the runner does not import it.
type Observer interface {
	StepSaved()
	TaskCompleted()
}

type noObserver struct{}

func (noObserver) StepSaved()     {}
func (noObserver) TaskCompleted() {}

// Runner runs instances. It is safe for concurrent use.
type Runner struct {
	store   *store.Store
	specs   SpecSource
	log     *slog.Logger
	clock   Clock
	conn    Connector
	secrets *secrets.Secrets
	// frontendURL is the public URL, for links in mail.
	frontendURL string
	envName     string
	dir         Directory
	// helpers are the script helpers, built once (script_helpers.go).
	helpers  map[string]engine.Helper
	interval time.Duration
	workers  int
	maxData  int
	scriptMB uint64
	obs      Observer
	// messageTTL: see Options.MessageTTL.
	messageTTL time.Duration
	// routeWake tells the message router that the outbox may have work.
	routeWake chan struct{}

	// wake tells the dispatcher that new service jobs were written.
	wake     chan struct{}
	mu       sync.Mutex
	inflight map[jobKey]bool
	// cache holds instances between steps; nil when disabled.
	cache  *instanceCache
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns a runner. Call RunBackground to start the scheduler and the
// service workers, and Close to stop them.
func New(o Options) *Runner {
	r := &Runner{store: o.Store, specs: o.Specs, log: o.Logger, clock: o.Clock, conn: o.Connector, secrets: o.Secrets, frontendURL: o.FrontendURL,
		envName: o.EnvName, dir: o.Directory,
		interval: o.SchedulerInterval, workers: o.Workers, maxData: o.MaxDataBytes, scriptMB: o.ScriptMaxBytes,
		messageTTL: o.MessageTTL, routeWake: make(chan struct{}, 1),
		wake: make(chan struct{}, 1), inflight: map[jobKey]bool{}}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	r.helpers = r.helperTable()
	r.obs = o.Observer
	if o.InstanceCacheBytes == 0 {
		o.InstanceCacheBytes = DefaultInstanceCacheBytes
	}
	r.cache = newInstanceCache(o.InstanceCacheBytes)
	if r.obs == nil {
		r.obs = noObserver{}
	}
	if r.clock == nil {
		r.clock = systemClock{}
	}
	if r.interval <= 0 {
		r.interval = 5 * time.Second
	}
	if r.workers <= 0 {
		r.workers = 4
	}
	return r
}

func (r *Runner) now() time.Time { return r.clock.Now().UTC() }

// RunBackground starts the timer scheduler, the message router and the
// service workers. They
// stop when ctx ends or Close is called.
func (r *Runner) RunBackground(ctx context.Context) {
	ctx, r.cancel = context.WithCancel(ctx)
	r.wg.Add(3)
	go func() { defer r.wg.Done(); r.schedule(ctx) }()
	go func() { defer r.wg.Done(); r.route(ctx) }()
	go func() { defer r.wg.Done(); r.dispatch(ctx) }()
}

// Close stops the background work and waits for it (a service call in
// flight is cancelled through its context).
func (r *Runner) Close() {
	if r.cancel != nil {
		r.cancel()
	}
	r.wg.Wait()
}

// env is what an instance gets from the host for one step; sc is what its
// script helpers know of the step (script_helpers.go).
func (r *Runner) env(svc *serviceCalls, sc *scriptCtx) engine.Env {
	env := engine.Env{Clock: r.clock, Processes: r.specs, ScriptMaxBytes: r.scriptMB, Helpers: r.helpers, Host: sc}
	if r.conn != nil && svc != nil {
		env.Services = svc
	}
	if svc != nil {
		if svc.stores == nil {
			ctx := context.Background()
			if sc != nil && sc.ctx != nil {
				ctx = sc.ctx
			}
			svc.stores = newStepStores(ctx, r, svc.model)
		}
		env.Stores = svc.stores
	}
	return env
}

// serviceCalls collects the service calls a step makes; each becomes a job
// for the workers once the step is committed.
type serviceCalls struct {
	calls []engine.ServiceCall
	// model is the instance's model, which data stores are found from;
	// stores keeps what the step wrote to them.
	model  string
	stores *stepStores
}

func (s *serviceCalls) CallService(c engine.ServiceCall) (engine.ServiceResult, error) {
	s.calls = append(s.calls, c)
	return engine.ServiceResult{Pending: true}, nil
}

// loaded is an instance restored for one step.
type loaded struct {
	row    store.Instance
	lib    *spec.Library
	inst   *engine.Instance
	svc    *serviceCalls
	before map[int]engine.State
	// recheckInbox makes the step write the inbox row of every human task
	// as its state says, not only of those whose state changed since
	// before (a migration rebinds tasks to other elements).
	recheckInbox bool
	// stored is what the instance's derived rows hold (timers,
	// subscriptions, metadata) at row.Version, or nil when not known: the
	// step's transaction then reads them.
	stored *store.DerivedRows
	// sc is what the step's script helpers know and asked for.
	sc *scriptCtx
}

// load reads an instance and restores it against the model as it is now.
func (r *Runner) load(ctx context.Context, id int64, actor string) (*loaded, error) {
	if r.cache.has(id) {
		if l, err := r.loadCached(ctx, id, actor); l != nil || err != nil {
			return l, err
		}
	}
	row, err := r.store.Instance(ctx, id)
	if err != nil {
		return nil, err
	}
	lib, _, err := r.specs.LoadModel(ctx, row.ModelID)
	if err != nil {
		return nil, fmt.Errorf("load model %s of instance %d: %w", row.ModelID, id, err)
	}
	l := &loaded{row: row, lib: lib, svc: &serviceCalls{model: row.ModelID},
		sc: &scriptCtx{ctx: ctx, instanceID: row.ID, modelID: row.ModelID, starter: row.StartedBy, actor: actor}}
	l.inst, err = engine.Restore(lib, row.Snapshot, r.env(l.svc, l.sc))
	if err != nil {
		return nil, fmt.Errorf("restore instance %d against model %s: %w", id, row.ModelID, err)
	}
	l.before = taskStates(l.inst)
	// Read after the row, so they belong to its version or a later one
	// that the step's version check refuses (store.DerivedRows); read
	// here, the single writer need not.
	if l.stored, err = r.store.DerivedRows(ctx, id, row.DerivedAbsent); err != nil {
		return nil, err
	}
	return l, nil
}

func taskStates(in *engine.Instance) map[int]engine.State {
	out := make(map[int]engine.State, len(in.Tasks()))
	for _, t := range in.Tasks() {
		out[t.ID] = t.State
	}
	return out
}

// notFoundOr wraps err so a missing row reads as the instance or task.
func conflict(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, store.ErrConflict)...)
}
