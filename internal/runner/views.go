package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/store"
)

// TaskPage is what the task page shows: the human task, its form files and
// instructions, and its data.
type TaskPage struct {
	Task store.HumanTask
	// Data is the task data decoded (numbers as json.Number).
	Data map[string]any
	// CanComplete: the task is open, the instance runs, and nobody else
	// holds a claim.
	CanComplete bool
}

// Task returns a human task for its page. Only its potential owners may
// see it; anyone else gets ErrForbidden (logged).
func (r *Runner) Task(ctx context.Context, a Actor, instanceID int64, taskID int) (TaskPage, error) {
	return r.TaskFor(ctx, a, instanceID, taskID, "view")
}

// TaskFor is Task for a caller about to act on the task (complete, claim):
// a refusal is logged and recorded under that action.
func (r *Runner) TaskFor(ctx context.Context, a Actor, instanceID int64, taskID int, action string) (TaskPage, error) {
	ht, err := r.checkTask(ctx, a, instanceID, taskID, action)
	if err != nil {
		return TaskPage{}, err
	}
	data, err := decodeData(ht.Data)
	if err != nil {
		return TaskPage{}, fmt.Errorf("task %d of instance %d: %w", taskID, instanceID, err)
	}
	can := ht.State == store.TaskOpen && ht.InstanceStatus == store.StatusRunning && (ht.ClaimedBy == "" || ht.ClaimedBy == a.Username)
	return TaskPage{Task: ht, Data: data, CanComplete: can}, nil
}

// ReadModelFile returns a file of the task's model (its form schemas).
func (r *Runner) ReadModelFile(ctx context.Context, modelID, name string) ([]byte, error) {
	return r.specs.ReadModelFile(ctx, modelID, name)
}

func decodeData(s string) (map[string]any, error) {
	dec := json.NewDecoder(bytesReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("task data: %w", err)
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

// TaskInfo is one engine task on the instance page.
type TaskInfo struct {
	ID        int
	ElementID string
	Name      string
	Kind      string
	Lane      string
	State     string
	// Data is the task data as indented JSON; empty when the instance has
	// more tasks than TaskPageSize, whose data is read one task at a time
	// (TaskData).
	Data    string
	Created time.Time
	Updated time.Time
	Error   string
	Line    int
	// Human marks user and manual tasks (they have a task page).
	Human bool
}

// PathStep is one element on the path an instance took.
type PathStep struct {
	ElementID string
	Name      string
	Kind      string
	// Repeat is how many times in a row the element ran, when the path of
	// a long instance is shown with runs folded (1 otherwise).
	Repeat int
}

// States groups element ids by state, for colouring the diagram.
type States struct {
	Completed []string `json:"completed"`
	Ready     []string `json:"ready"`
	Waiting   []string `json:"waiting"`
	Error     []string `json:"error"`
}

// InstancePage is what the instance page shows.
type InstancePage struct {
	Instance store.Instance
	Metadata map[string]string
	Tasks    []TaskInfo
	Path     []PathStep
	States   States
	Events   []store.Event
	Timers   []store.Timer
	Waiting  []store.Subscription
	// Correlations are the message correlation values the instance has
	// recorded (property id -> value), which the messages it waits for
	// must carry.
	Correlations map[string]any
	// HumanTasks are the inbox rows of the instance.
	HumanTasks []store.HumanTask
	// Problem says why the task list is missing (the model no longer
	// loads); the stored rows are still shown.
	Problem string
	// CanManage: the actor may suspend, resume, terminate and retry.
	CanManage bool
	// BPMNFile is the model file holding the instance's process, for the
	// diagram viewer.
	BPMNFile string
	// Data is the instance's data: the workflow's once it finished, else
	// that of its last completed task.
	Data map[string]any
	// TaskTotal is the number of tasks the instance has had. Over
	// TaskPageSize, Tasks holds the live tasks and one page (TaskPage, of
	// TaskPages) of the finished ones, newest first, without their data.
	TaskTotal, TaskPage, TaskPages int
}

// TaskPageSize is the number of tasks an instance may have for its page
// to list them all with their data; a longer history is listed a page of
// finished tasks at a time, and each task's data is read on demand.
const TaskPageSize = 200

// mayView reports whether the actor may see an instance: an admin, its
// starter, or an owner of one of its human tasks.
func (r *Runner) mayView(ctx context.Context, a Actor, row store.Instance, tasks []store.HumanTask) (bool, error) {
	if mayManage(a, row) {
		return true, nil
	}
	for _, t := range tasks {
		full, err := r.store.HumanTask(ctx, t.InstanceID, t.TaskID)
		if err != nil {
			return false, err
		}
		if mayAct(a, full.Owners) {
			return true, nil
		}
	}
	return false, nil
}

// Instance returns an instance for its page (the first page of its
// finished tasks when it has many).
func (r *Runner) Instance(ctx context.Context, a Actor, id int64) (InstancePage, error) {
	return r.InstancePageOf(ctx, a, id, 1)
}

// InstancePageOf returns an instance for its page with the given page of
// its finished tasks (see InstancePage.TaskTotal).
func (r *Runner) InstancePageOf(ctx context.Context, a Actor, id int64, taskPage int) (InstancePage, error) {
	row, err := r.store.Instance(ctx, id)
	if err != nil {
		return InstancePage{}, err
	}
	humans, err := r.store.InstanceHumanTasks(ctx, id)
	if err != nil {
		return InstancePage{}, err
	}
	ok, err := r.mayView(ctx, a, row, humans)
	if err != nil {
		return InstancePage{}, err
	}
	if !ok {
		r.log.Warn("instance access refused", "user", a.Username, "instance", id)
		return InstancePage{}, fmt.Errorf("instance %d: %s neither started it nor owns one of its tasks: %w", id, a.Username, ErrForbidden)
	}
	p := InstancePage{Instance: row, HumanTasks: humans, CanManage: mayManage(a, row),
		States: States{Completed: []string{}, Ready: []string{}, Waiting: []string{}, Error: []string{}}}
	if p.Metadata, err = r.store.InstanceMetadata(ctx, id); err != nil {
		return InstancePage{}, err
	}
	if p.Events, err = r.store.InstanceEvents(ctx, id); err != nil {
		return InstancePage{}, err
	}
	if p.Timers, err = r.store.InstanceTimers(ctx, id); err != nil {
		return InstancePage{}, err
	}
	if p.Waiting, err = r.store.InstanceSubscriptions(ctx, id); err != nil {
		return InstancePage{}, err
	}
	lib, _, err := r.specs.LoadModel(ctx, row.ModelID)
	if err != nil {
		p.Problem = fmt.Sprintf("The model %s does not load any more: %v", row.ModelID, err)
		return p, nil
	}
	in, err := engine.Restore(lib, row.Snapshot, r.env(nil, &scriptCtx{ctx: ctx, instanceID: row.ID, modelID: row.ModelID, starter: row.StartedBy, actor: a.Username}))
	if err != nil {
		p.Problem = fmt.Sprintf("The instance does not restore against the model as it is now: %v", err)
		return p, nil
	}
	if proc := lib.Process(row.ProcessID); proc != nil {
		p.BPMNFile = proc.File
	}
	fillTasks(&p, in, taskPage)
	p.Correlations = in.Correlations()
	p.Data = currentData(in)
	return p, nil
}

func fillTasks(p *InstancePage, in *engine.Instance, page int) {
	tasks := in.Tasks()
	p.TaskTotal = len(tasks)
	small := len(tasks) <= TaskPageSize
	seen := map[string]map[string]bool{"completed": {}, "ready": {}, "waiting": {}, "error": {}}
	add := func(list *[]string, kind, id string) {
		if !seen[kind][id] {
			seen[kind][id] = true
			*list = append(*list, id)
		}
	}
	info := func(t *engine.Task) TaskInfo {
		ti := TaskInfo{ID: t.ID, ElementID: t.Node.ID, Name: t.Node.Name, Kind: t.Node.Kind.String(), Lane: t.Node.Lane,
			State: t.State.String(), Created: t.Created, Updated: t.Updated, Human: isHuman(t)}
		if small {
			data, _ := json.MarshalIndent(t.Data, "", "  ")
			ti.Data = string(data)
		}
		if t.Err != nil {
			ti.Error, ti.Line = t.Err.Error(), t.Err.Line
		}
		return ti
	}
	var finished []*engine.Task
	for _, t := range tasks {
		switch {
		case small:
			p.Tasks = append(p.Tasks, info(t))
		case t.State == engine.Completed || t.State == engine.Cancelled:
			finished = append(finished, t)
		default:
			p.Tasks = append(p.Tasks, info(t))
		}
		switch t.State {
		case engine.Completed:
			add(&p.States.Completed, "completed", t.Node.ID)
		case engine.Ready, engine.Started:
			add(&p.States.Ready, "ready", t.Node.ID)
		case engine.Waiting:
			add(&p.States.Waiting, "waiting", t.Node.ID)
		case engine.Error:
			add(&p.States.Error, "error", t.Node.ID)
		}
	}
	if small {
		sort.SliceStable(p.Tasks, func(i, j int) bool { return p.Tasks[i].ID < p.Tasks[j].ID })
	} else {
		// The live tasks (in id order), then a page of the finished ones,
		// newest first.
		p.TaskPages = max(1, (len(finished)+TaskPageSize-1)/TaskPageSize)
		p.TaskPage = min(max(page, 1), p.TaskPages)
		end := len(finished) - (p.TaskPage-1)*TaskPageSize
		for i := end - 1; i >= max(0, end-TaskPageSize); i-- {
			p.Tasks = append(p.Tasks, info(finished[i]))
		}
	}
	byID := map[string]*engine.Task{}
	for _, t := range tasks {
		byID[t.Node.ID] = t
	}
	trace := in.Trace()
	fold := len(trace) > TaskPageSize
	for _, id := range trace {
		if n := len(p.Path); fold && n > 0 && p.Path[n-1].ElementID == id {
			p.Path[n-1].Repeat++
			continue
		}
		step := PathStep{ElementID: id, Repeat: 1}
		if t := byID[id]; t != nil {
			step.Name, step.Kind = t.Node.Name, t.Node.Kind.String()
		}
		p.Path = append(p.Path, step)
	}
}

// TaskData returns one task's data as indented JSON, for an actor who may
// see its instance.
func (r *Runner) TaskData(ctx context.Context, a Actor, id int64, taskID int) (string, error) {
	row, err := r.store.Instance(ctx, id)
	if err != nil {
		return "", err
	}
	humans, err := r.store.InstanceHumanTasks(ctx, id)
	if err != nil {
		return "", err
	}
	ok, err := r.mayView(ctx, a, row, humans)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("instance %d: %s neither started it nor owns one of its tasks: %w", id, a.Username, ErrForbidden)
	}
	lib, _, err := r.specs.LoadModel(ctx, row.ModelID)
	if err != nil {
		return "", fmt.Errorf("load model %s of instance %d: %w", row.ModelID, id, err)
	}
	in, err := engine.Restore(lib, row.Snapshot, r.env(nil, &scriptCtx{ctx: ctx, instanceID: row.ID, modelID: row.ModelID, starter: row.StartedBy, actor: a.Username}))
	if err != nil {
		return "", fmt.Errorf("restore instance %d: %w", id, err)
	}
	t := in.Task(taskID)
	if t == nil {
		return "", fmt.Errorf("instance %d has no task %d: %w", id, taskID, store.ErrNotFound)
	}
	data, err := json.MarshalIndent(t.Data, "", "  ")
	if err != nil {
		return "", fmt.Errorf("data of task %d of instance %d: %w", taskID, id, err)
	}
	return string(data), nil
}

// InstanceStates returns the element ids of an instance by state, for
// colouring its diagram.
func (r *Runner) InstanceStates(ctx context.Context, a Actor, id int64) (States, error) {
	p, err := r.Instance(ctx, a, id)
	if err != nil {
		return States{}, err
	}
	if p.Problem != "" {
		return States{}, errors.New(p.Problem)
	}
	return p.States, nil
}

// NextTask returns the id of the first open human task of the instance
// the actor may act on now, or 0.
func (r *Runner) NextTask(ctx context.Context, a Actor, instanceID int64) (int, error) {
	tasks, err := r.store.InstanceHumanTasks(ctx, instanceID)
	if err != nil {
		return 0, err
	}
	for _, t := range tasks {
		if t.State != store.TaskOpen || (t.ClaimedBy != "" && t.ClaimedBy != a.Username) {
			continue
		}
		full, err := r.store.HumanTask(ctx, instanceID, t.TaskID)
		if err != nil {
			return 0, err
		}
		if full.InstanceStatus == store.StatusRunning && mayAct(a, full.Owners) {
			return t.TaskID, nil
		}
	}
	return 0, nil
}

// CheckView returns nil when the actor may see the instance (and so its
// uploaded files), else an error wrapping ErrForbidden or store.ErrNotFound.
func (r *Runner) CheckView(ctx context.Context, a Actor, id int64) error {
	row, err := r.store.Instance(ctx, id)
	if err != nil {
		return err
	}
	humans, err := r.store.InstanceHumanTasks(ctx, id)
	if err != nil {
		return err
	}
	ok, err := r.mayView(ctx, a, row, humans)
	if err != nil {
		return err
	}
	if !ok {
		r.log.Warn("instance access refused", "user", a.Username, "instance", id)
		return fmt.Errorf("instance %d: %w", id, ErrForbidden)
	}
	return nil
}
