package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/waymark-bpm/waymark/internal/config"
	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
)

// benchModel is the demo's expense approval: an employee submits a claim,
// an approver reviews it, a gateway and a script task record the outcome.
const benchModel = "examples/expense-approval"

// benchUser signs in as the employee and the approver at once, so every
// client can act on every task.
const benchUser = "bench"

// errBenchFailed makes bench exit non-zero when a request failed with a
// server error or the completions check found a problem.
var errBenchFailed = errors.New("the run had server errors or lost or doubled completions")

// benchOptions are bench's flags.
type benchOptions struct {
	mode       string // json or form
	clients    int
	duration   time.Duration
	count      int
	instances  int
	sync       string
	startEvery int
	inboxEvery int
	rawUnits   int
	rawBatch   int
	keep       bool
	cpuProfile string
	database   string // a postgres:// URL, else SQLite in the data directory
}

// benchCmd starts Waymark on a temporary data directory, seeds instances
// of the demo's expense approval waiting for review, drives clients
// through the JSON API or the form posts, and reports throughput,
// latency, errors, whether every acknowledged completion is stored exactly
// once, and the raw write ceiling of the same writes.
func benchCmd(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "bench")
	var o benchOptions
	fs.StringVar(&o.mode, "mode", "json", "json: complete through POST /api/tasks/…; form: through the task form posts")
	fs.IntVar(&o.clients, "clients", 16, "concurrent clients")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long to drive load (ignored with -count)")
	fs.IntVar(&o.count, "count", 0, "stop after this many completions instead of after -duration")
	fs.IntVar(&o.instances, "instances", 20000, "instances to seed, each with one review task open")
	fs.StringVar(&o.sync, "sync", "FULL", "SQLite synchronous setting: FULL or NORMAL")
	fs.IntVar(&o.startEvery, "start-every", 0, "every Nth request of a client starts an instance (0: never)")
	fs.IntVar(&o.inboxEvery, "inbox-every", 0, "every Nth request of a client reads the inbox (0: never)")
	fs.IntVar(&o.rawUnits, "raw-units", 20000, "write units to record and replay for the raw write ceiling (0: skip)")
	fs.IntVar(&o.rawBatch, "raw-batch", 0, "units per transaction in the raw write ceiling (0: the run's mean)")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary data directory and print its path")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the load phase (server and clients) to this file")
	fs.StringVar(&o.database, "database", "", "a postgres:// URL of an empty database to run against instead of SQLite (no raw write ceiling there)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case o.mode != "json" && o.mode != "form":
		return usageErrorf("-mode %q: want json or form", o.mode)
	case o.clients < 1:
		return usageErrorf("-clients %d: want at least 1", o.clients)
	case o.count < 0 || o.instances < 1 || o.startEvery < 0 || o.inboxEvery < 0 || o.rawUnits < 0 || o.rawBatch < 0:
		return usageErrorf("-count, -instances, -start-every, -inbox-every, -raw-units and -raw-batch must not be negative (and -instances at least 1)")
	case o.count == 0 && o.duration <= 0:
		return usageErrorf("give a positive -duration or a -count")
	case o.sync != "FULL" && o.sync != "NORMAL":
		return usageErrorf("-sync %q: want FULL or NORMAL", o.sync)
	case o.database != "" && !store.IsPostgresURL(o.database):
		return usageErrorf("-database: want a postgres:// or postgresql:// URL")
	}

	dir, err := os.MkdirTemp("", "waymark-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintf(e.stdout, "data directory: %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	return runBench(ctx, e.stdout, dir, o)
}

func runBench(ctx context.Context, out io.Writer, dir string, o benchOptions) error {
	if o.database != "" {
		// The ceiling replays the writes on a copy of the SQLite file.
		o.rawUnits = 0
	}
	password := randomHex(16)
	perms := filepath.Join(dir, "permissions.yml")
	// The bench user may do what an employee who approves may: work tasks
	// (BASIC) and start the demo models.
	yml := fmt.Sprintf("users:\n  %s:\n    password: %s\ngroups:\n  approvers:\n    users: [%s]\n  employees:\n    users: [%s]\n"+
		"permissions:\n  basic:\n    groups: [employees]\n    actions: [all]\n    uri: BASIC\n"+
		"  start:\n    groups: [employees]\n    actions: [read, start]\n    uri: PG:ALL\n",
		benchUser, password, benchUser, benchUser)
	if err := os.WriteFile(perms, []byte(yml), 0o600); err != nil {
		return err
	}
	env := map[string]string{
		"WAYMARK_ADDR": "127.0.0.1:0", "WAYMARK_DATA_DIR": filepath.Join(dir, "data"), "WAYMARK_EXAMPLES": "true",
		"WAYMARK_PERMISSIONS_FILE": perms, "WAYMARK_LOG_LEVEL": "error", "WAYMARK_SQLITE_SYNC": o.sync,
		// A long interval: the run has no timers, and polling is not
		// what is measured.
		"WAYMARK_SCHEDULER_INTERVAL": "1h",
		"WAYMARK_DATABASE_URL":       o.database,
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		return err
	}
	a, err := newApp(ctx, cfg, newLogger(io.Discard, cfg))
	if err != nil {
		return err
	}
	go a.serve()
	closed := false
	defer func() {
		if !closed {
			a.Close(context.Background())
		}
	}()
	base := "http://" + a.addr()
	db := "sqlite sync=" + o.sync
	if o.database != "" {
		db = "postgres"
	}
	fmt.Fprintf(out, "waymark bench: mode=%s clients=%d database=%s GOMAXPROCS=%d\n", o.mode, o.clients, db, runtime.GOMAXPROCS(0))

	t0 := time.Now()
	tasks, err := seedBench(ctx, a, o.instances)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(out, "seeded %d instances waiting for review in %.1fs\n", len(tasks), time.Since(t0).Seconds())

	var backup string
	if o.rawUnits > 0 {
		backup = filepath.Join(dir, "before-run.db")
		if err := a.store.BackupTo(ctx, backup); err != nil {
			return err
		}
		a.store.RecordWrites(o.rawUnits)
	}

	session, err := benchSignIn(ctx, base, benchUser, password)
	if err != nil {
		return err
	}
	pool := make(chan taskRef, len(tasks)+1024)
	for _, t := range tasks {
		pool <- t
	}
	l := &load{base: base, mode: o.mode, session: session, pool: pool, startEvery: o.startEvery, inboxEvery: o.inboxEvery,
		stats: map[string]*opStats{}}
	if o.count > 0 {
		l.limited = true
		l.budget.Store(int64(o.count))
	}
	runCtx := ctx
	if o.count == 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, o.duration)
		defer cancel()
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	before := a.store.WriteStats()
	cpu0 := processCPU()
	start := time.Now()
	var wg sync.WaitGroup
	for range o.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.client(runCtx)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	if o.cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	after := a.store.WriteStats()
	recorded := a.store.RecordedWrites()

	failed := l.report(out, elapsed)
	if l.ranOut.Load() {
		fmt.Fprintf(out, "note: the %d seeded tasks ran out before the end; seed more with -instances\n", len(tasks))
	}
	units, batches := after.Units-before.Units, after.Batches-before.Batches
	if batches > 0 {
		fmt.Fprintf(out, "writer: %d units of work in %d transactions (mean %.1f a transaction, largest so far %d)\n",
			units, batches, float64(units)/float64(batches), after.LargestBatch)
	}

	if n := len(l.acked()); n > 0 && cpu > 0 {
		// Server and clients share the process, so this is both sides.
		fmt.Fprintf(out, "cpu: %.1fs of %d CPUs in %.1fs, %.0f µs a completion (server and clients)\n",
			cpu.Seconds(), runtime.GOMAXPROCS(0), elapsed.Seconds(), float64(cpu.Microseconds())/float64(n))
	}
	missing, doubled, err := checkCompletions(ctx, a.store, l.acked())
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "check: %d acknowledged completions; %d missing, %d stored more than once\n", len(l.acked()), missing, doubled)
	if missing > 0 || doubled > 0 {
		failed = true
	}
	closed = true
	if err := a.Close(context.Background()); err != nil {
		return err
	}

	if o.rawUnits > 0 && len(recorded) > 0 {
		batch, how := o.rawBatch, "as asked"
		if batch == 0 {
			batch, how = 1, "the run's mean"
			if batches > 0 {
				batch = max(1, int((units+batches/2)/batches))
			}
		}
		res, err := store.ReplayWrites(ctx, backup, o.sync, recorded, batch)
		if err != nil {
			return err
		}
		statements := 0
		for _, u := range recorded {
			statements += len(u.Statements)
		}
		fmt.Fprintf(out, "raw write ceiling: the first %d units of the run (%.1f write statements each) replayed on one connection in batches of %d (%s): %.0f units/s, %.0f WAL bytes a unit\n",
			res.Units, float64(statements)/float64(len(recorded)), batch, how, float64(res.Units)/res.Elapsed.Seconds(), float64(res.WALBytes)/float64(res.Units))
	}
	if failed {
		return errBenchFailed
	}
	return nil
}

// taskRef is one open task the clients may complete.
type taskRef struct {
	instance int64
	task     int
	review   bool // the review task (else the submit task of a new instance)
}

// seedBench makes n instances of the demo's expense approval, each
// waiting with its review task open: a few through the runner, as
// requests would make them, and the rest as copies of the first.
func seedBench(ctx context.Context, a *app, n int) ([]taskRef, error) {
	me := runner.Actor{Username: benchUser, Groups: []string{"approvers", "employees"}}
	claim := map[string]any{"description": "Train ticket to the customer", "amount": 84.5, "category": "travel", "spent_on": "2026-11-02"}
	out := make([]taskRef, 0, n)
	for range min(n, 20) {
		ref, err := seedOne(ctx, a.runner, me, claim)
		if err != nil {
			return nil, err
		}
		out = append(out, ref)
	}
	if n > len(out) {
		ids, err := a.store.CloneInstance(ctx, out[0].instance, n-len(out))
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			out = append(out, taskRef{instance: id, task: out[0].task, review: true})
		}
	}
	return out, nil
}

func seedOne(ctx context.Context, r *runner.Runner, me runner.Actor, claim map[string]any) (taskRef, error) {
	id, err := r.Start(ctx, me, benchModel, "", nil)
	if err != nil {
		return taskRef{}, err
	}
	submit, err := r.NextTask(ctx, me, id)
	if err != nil || submit == 0 {
		return taskRef{}, fmt.Errorf("instance %d: no submit task for %s (%v)", id, me.Username, err)
	}
	if err := r.CompleteTask(ctx, me, id, submit, claim); err != nil {
		return taskRef{}, err
	}
	review, err := r.NextTask(ctx, me, id)
	if err != nil || review == 0 {
		return taskRef{}, fmt.Errorf("instance %d: no review task for %s (%v)", id, me.Username, err)
	}
	return taskRef{instance: id, task: review, review: true}, nil
}

// checkCompletions reads the event log of every instance with an
// acknowledged completion and counts completions that were not stored and
// those stored more than once.
func checkCompletions(ctx context.Context, st *store.Store, acked []taskRef) (missing, doubled int, err error) {
	byInstance := map[int64][]int{}
	for _, t := range acked {
		byInstance[t.instance] = append(byInstance[t.instance], t.task)
	}
	for id, taskIDs := range byInstance {
		events, err := st.InstanceEvents(ctx, id)
		if err != nil {
			return 0, 0, fmt.Errorf("check instance %d: %w", id, err)
		}
		seen := map[int]int{}
		for _, ev := range events {
			if ev.Event == "COMPLETED" {
				seen[ev.TaskID]++
			}
		}
		for _, t := range taskIDs {
			switch n := seen[t]; {
			case n == 0:
				missing++
			case n > 1:
				doubled++
			}
		}
	}
	return missing, doubled, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
