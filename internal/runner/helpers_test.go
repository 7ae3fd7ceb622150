package runner_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
)

// dirSpecs is a SpecSource over directories: each model id names a
// directory whose .bpmn files make the model's library. It reads the files
// on every LoadModel, so a test can fix a file and retry, and returns the
// library parsed before while they are unchanged, as internal/models does.
type dirSpecs struct {
	mu       sync.Mutex
	dirs     map[string]string
	metadata map[string]map[string]string
	libs     map[string]*spec.Library
	// read holds the files each library was parsed from.
	read map[string][]bpmn.File
}

func newSpecs(t testing.TB, models ...string) *dirSpecs {
	t.Helper()
	s := &dirSpecs{dirs: map[string]string{}, metadata: map[string]map[string]string{}, libs: map[string]*spec.Library{},
		read: map[string][]bpmn.File{}}
	for _, m := range models {
		dst := filepath.Join(t.TempDir(), m)
		if err := os.CopyFS(dst, os.DirFS(filepath.Join("testdata", m))); err != nil {
			t.Fatal(err)
		}
		s.dirs["group/"+m] = dst
	}
	return s
}

func (s *dirSpecs) LoadModel(ctx context.Context, modelID string) (*spec.Library, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	dir, ok := s.dirs[modelID]
	if !ok {
		return nil, "", fmt.Errorf("model %s: %w", modelID, store.ErrNotFound)
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.bpmn"))
	if err != nil {
		return nil, "", err
	}
	sort.Strings(names)
	var files []bpmn.File
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, "", err
		}
		files = append(files, bpmn.File{Name: modelID + "/" + filepath.Base(n), Data: b})
	}
	if lib := s.libs[modelID]; lib != nil && slices.EqualFunc(files, s.read[modelID], func(a, b bpmn.File) bool {
		return a.Name == b.Name && bytes.Equal(a.Data, b.Data)
	}) {
		return lib, lib.Order[0], nil
	}
	lib, err := bpmn.Parse(bpmn.Options{}, files...)
	if err != nil {
		return nil, "", err
	}
	s.libs[modelID], s.read[modelID] = lib, files
	return lib, lib.Order[0], nil
}

func (s *dirSpecs) ResolveProcess(id string) (*spec.Process, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, lib := range s.libs {
		if p := lib.Process(id); p != nil {
			return p, nil
		}
	}
	return nil, errors.New("no process " + id)
}

func (s *dirSpecs) ReadModelFile(ctx context.Context, modelID, name string) ([]byte, error) {
	dir, ok := s.dirs[modelID]
	if !ok || strings.ContainsAny(name, `/\`) {
		return nil, store.ErrNotFound
	}
	return os.ReadFile(filepath.Join(dir, name))
}

func (s *dirSpecs) MetadataPaths(ctx context.Context, modelID string) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.metadata[modelID], nil
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// env is a runner over a real SQLite file.
type env struct {
	store  *store.Store
	specs  *dirSpecs
	clock  *fakeClock
	runner *runner.Runner
	dbPath string
	// pgURL, when set, puts the store on PostgreSQL instead of dbPath.
	pgURL string
}

func newEnv(t *testing.T, models ...string) *env {
	t.Helper()
	e := &env{specs: newSpecs(t, models...), clock: &fakeClock{now: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)},
		dbPath: filepath.Join(t.TempDir(), "waymark.db")}
	e.open(t, runner.Options{})
	return e
}

func (e *env) open(t *testing.T, o runner.Options) {
	t.Helper()
	var st *store.Store
	var err error
	if e.pgURL != "" {
		st, err = store.OpenPostgres(context.Background(), e.pgURL)
	} else {
		st, err = store.Open(context.Background(), e.dbPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.store = st
	o.Store, o.Specs, o.Clock = st, e.specs, e.clock
	e.runner = runner.New(o)
}

var (
	alice = runner.Actor{Username: "alice", Email: "alice@example.com", Groups: []string{"requester"}}
	bob   = runner.Actor{Username: "bob", Email: "bob@example.com", Groups: []string{"approvers"}}
	cathy = runner.Actor{Username: "cathy", Groups: []string{"approvers"}}
	admin = runner.Actor{Username: "admin", Groups: []string{"admin"}, Admin: true}
)

// inbox returns "instance/task element" of a view's tasks.
func inbox(t *testing.T, e *env, a runner.Actor, view string) []string {
	t.Helper()
	tasks, total, err := e.store.InboxTasks(context.Background(), store.InboxQuery{View: view, Viewer: a.Viewer(), Groups: a.Groups})
	if err != nil {
		t.Fatal(err)
	}
	if total != len(tasks) {
		t.Fatalf("inbox %s of %s: total %d but %d rows", view, a.Username, total, len(tasks))
	}
	out := []string{}
	for _, h := range tasks {
		out = append(out, fmt.Sprintf("%d/%s", h.InstanceID, h.ElementID))
	}
	return out
}

// openTask returns the task id of the open human task at element.
func openTask(t *testing.T, e *env, id int64, element string) int {
	t.Helper()
	tasks, err := e.store.InstanceHumanTasks(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range tasks {
		if h.ElementID == element && h.State == store.TaskOpen {
			return h.TaskID
		}
	}
	t.Fatalf("instance %d has no open task %s (tasks: %+v)", id, element, tasks)
	return 0
}

func instance(t testing.TB, e *env, id int64) store.Instance {
	t.Helper()
	in, err := e.store.Instance(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return in
}
