package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Human task states as stored.
const (
	TaskOpen      = "open"
	TaskCompleted = "completed"
	TaskCancelled = "cancelled"
)

// HumanTask is a row of human_tasks with its owner keys.
type HumanTask struct {
	InstanceID    int64
	TaskID        int
	ElementID     string
	Name          string
	Kind          string
	Lane          string
	AssignedGroup string
	WaitingFor    string
	ModelID       string
	ProcessID     string
	ProcessName   string
	State         string
	ClaimedBy     string
	CompletedBy   string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	CompletedAt   time.Time
	// FormModelID is the model holding the form files: the model of the
	// process the task belongs to, which differs from ModelID for tasks of
	// called processes.
	FormModelID  string
	FormSchema   string
	FormUISchema string
	Instructions string
	VariableName string
	// Data is the task data as JSON text.
	Data string
	// Owners are the keys of who may act ("user:alice", "group:approvers").
	Owners []string

	// Filled by inbox queries: the instance's status, starter and start.
	InstanceStatus    string
	InstanceStartedBy string
	InstanceStartedAt time.Time
}

const humanTaskColumns = `h.instance_id, h.task_id, h.element_id, h.name, h.kind, h.lane, h.assigned_group, h.waiting_for, h.model_id, h.process_id, h.process_name,
	h.state, h.claimed_by, h.completed_by, h.created_at, h.updated_at, h.completed_at`

func scanHumanTask(row scanner, extra ...any) (HumanTask, error) {
	var t HumanTask
	var created, updated, completed string
	dest := append([]any{&t.InstanceID, &t.TaskID, &t.ElementID, &t.Name, &t.Kind, &t.Lane, &t.AssignedGroup, &t.WaitingFor, &t.ModelID, &t.ProcessID, &t.ProcessName,
		&t.State, &t.ClaimedBy, &t.CompletedBy, &created, &updated, &completed}, extra...)
	if err := row.Scan(dest...); err != nil {
		return HumanTask{}, err
	}
	var err error
	if t.CreatedAt, err = parseTime(created); err != nil {
		return HumanTask{}, fmt.Errorf("human task %d/%d created_at: %w", t.InstanceID, t.TaskID, err)
	}
	if t.UpdatedAt, err = parseTime(updated); err != nil {
		return HumanTask{}, fmt.Errorf("human task %d/%d updated_at: %w", t.InstanceID, t.TaskID, err)
	}
	if completed != "" {
		if t.CompletedAt, err = parseTime(completed); err != nil {
			return HumanTask{}, fmt.Errorf("human task %d/%d completed_at: %w", t.InstanceID, t.TaskID, err)
		}
	}
	return t, nil
}

// InsertHumanTask inserts a human task and its owner keys, unless the
// instance's task already has a row (which it then leaves as it is).
// Triggers put an open task's owners in the inbox tables (migration 0150).
func (tx *Tx) InsertHumanTask(ctx context.Context, t HumanTask) error {
	owners := slices.Clone(t.Owners)
	slices.Sort(owners)
	owners = slices.Compact(owners)
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO human_tasks (instance_id, task_id, element_id, name, kind, lane, assigned_group, waiting_for, model_id, process_id, process_name,
		state, claimed_by, completed_by, created_at, updated_at, completed_at, form_model_id, form_schema, form_ui_schema, instructions, variable_name, data, owner_set)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (instance_id, task_id) DO NOTHING`,
		t.InstanceID, t.TaskID, t.ElementID, t.Name, t.Kind, t.Lane, t.AssignedGroup, t.WaitingFor, t.ModelID, t.ProcessID, t.ProcessName,
		t.State, t.ClaimedBy, t.CompletedBy, formatTime(t.CreatedAt), formatTime(t.UpdatedAt), optTime(t.CompletedAt),
		t.FormModelID, t.FormSchema, t.FormUISchema, t.Instructions, t.VariableName, t.Data, strings.Join(owners, "\n"))
	if err != nil {
		return fmt.Errorf("insert human task %d/%d: %w", t.InstanceID, t.TaskID, mapError(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("insert human task %d/%d: %w", t.InstanceID, t.TaskID, err)
	} else if n == 0 {
		return nil
	}
	for _, o := range owners {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO human_task_owners (instance_id, task_id, owner) VALUES (?, ?, ?)`, t.InstanceID, t.TaskID, o); err != nil {
			return fmt.Errorf("insert owner %s of human task %d/%d: %w", o, t.InstanceID, t.TaskID, mapError(err))
		}
	}
	return nil
}

// FinishHumanTask records that an open human task left the open state
// (completed or cancelled), with who completed it and its final data. A
// task without a row, or no longer open, is left as it is.
func (tx *Tx) FinishHumanTask(ctx context.Context, instanceID int64, taskID int, state, completedBy, data string, at time.Time) error {
	_, err := tx.tx.ExecContext(ctx, `UPDATE human_tasks SET state = ?, completed_by = ?, completed_at = ?, updated_at = ?, data = ?, claimed_by = ''
		WHERE instance_id = ? AND task_id = ? AND state = 'open'`, state, completedBy, formatTime(at), formatTime(at), data, instanceID, taskID)
	if err != nil {
		return fmt.Errorf("finish human task %d/%d: %w", instanceID, taskID, err)
	}
	return nil
}

// HumanTask returns one human task with its data and owners.
func (s *Store) HumanTask(ctx context.Context, instanceID int64, taskID int) (HumanTask, error) {
	var formModel, formSchema, uiSchema, instructions, variable, data, ownerSet, status, starter, startedAt string
	row := s.db.QueryRowContext(ctx, `SELECT `+humanTaskColumns+`, h.form_model_id, h.form_schema, h.form_ui_schema, h.instructions, h.variable_name, h.data,
		h.owner_set, i.status, i.started_by, i.started_at
		FROM human_tasks h JOIN instances i ON i.id = h.instance_id WHERE h.instance_id = ? AND h.task_id = ?`, instanceID, taskID)
	t, err := scanHumanTask(row, &formModel, &formSchema, &uiSchema, &instructions, &variable, &data, &ownerSet, &status, &starter, &startedAt)
	if err != nil {
		return HumanTask{}, fmt.Errorf("task %d of instance %d: %w", taskID, instanceID, mapError(err))
	}
	t.FormModelID, t.FormSchema, t.FormUISchema, t.Instructions, t.VariableName, t.Data = formModel, formSchema, uiSchema, instructions, variable, data
	t.InstanceStatus, t.InstanceStartedBy = status, starter
	if t.InstanceStartedAt, err = parseTime(startedAt); err != nil {
		return HumanTask{}, err
	}
	if ownerSet != "" {
		// The owners as InsertHumanTask wrote them beside the rows of
		// human_task_owners: sorted, without repeats.
		t.Owners = strings.Split(ownerSet, "\n")
		return t, nil
	}
	// Tasks stored before owner_set (migration 0150 filled it in for the
	// open ones only), and tasks without owners.
	rows, err := s.db.QueryContext(ctx, `SELECT owner FROM human_task_owners WHERE instance_id = ? AND task_id = ? ORDER BY owner`, t.InstanceID, t.TaskID)
	if err != nil {
		return HumanTask{}, fmt.Errorf("owners of task %d/%d: %w", t.InstanceID, t.TaskID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return HumanTask{}, err
		}
		t.Owners = append(t.Owners, o)
	}
	return t, rows.Err()
}

// InstanceHumanTasks lists the human tasks of an instance in creation order.
func (s *Store) InstanceHumanTasks(ctx context.Context, instanceID int64) ([]HumanTask, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+humanTaskColumns+` FROM human_tasks h WHERE h.instance_id = ? ORDER BY h.task_id`, instanceID)
	if err != nil {
		return nil, fmt.Errorf("human tasks of instance %d: %w", instanceID, err)
	}
	defer rows.Close()
	var out []HumanTask
	for rows.Next() {
		t, err := scanHumanTask(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ClaimHumanTask sets who claimed an open task, if it is claimed by from
// now (use "" for unclaimed). Any other claim gives ErrConflict.
func (s *Store) ClaimHumanTask(ctx context.Context, instanceID int64, taskID int, from, to string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `UPDATE human_tasks SET claimed_by = ?, updated_at = ?
			WHERE instance_id = ? AND task_id = ? AND state = 'open' AND claimed_by = ?`, to, formatTime(tx.now), instanceID, taskID, from)
		if err != nil {
			return fmt.Errorf("claim task %d of instance %d: %w", taskID, instanceID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("task %d of instance %d is not open or was claimed meanwhile: %w", taskID, instanceID, ErrConflict)
		}
		return nil
	})
}

// Inbox views.
const (
	// InboxMine: open tasks the viewer may act on now (owned by them or
	// their groups, not claimed by someone else, instance running).
	InboxMine = "mine"
	// InboxGroups: open tasks offered to one of the viewer's groups.
	InboxGroups = "groups"
	// InboxStarted: open tasks of instances the viewer started that wait
	// on someone else.
	InboxStarted = "started"
	// InboxCompleted: tasks the viewer completed.
	InboxCompleted = "completed"
)

// InboxQuery selects a page of an inbox view.
type InboxQuery struct {
	View   string
	Viewer Viewer
	// Groups are the viewer's groups (for the groups view).
	Groups []string
	// Filters; zero values do not filter.
	Process       string // model id or process id
	Group         string
	StartedAfter  time.Time
	StartedBefore time.Time
	Text          string
	Limit, Offset int
	// NoTotal skips the total, for callers that want tasks only (the
	// next task after a completion).
	NoTotal bool
	// countBound replaces InboxCountBound and narrowMax replaces
	// narrowMax when set, -1 for never (tests).
	countBound, narrowMax int
}

// inboxFilters builds the conditions of a query's filters, over h
// (human_tasks) and i (instances), for the dialect.
func inboxFilters(q InboxQuery, d dialect) ([]string, []any) {
	var where []string
	var args []any
	if q.Process != "" {
		where = append(where, `(h.model_id = ? OR h.process_id = ?)`)
		args = append(args, q.Process, q.Process)
	}
	if q.Group != "" {
		// The lane's group, or a group lane_owners names ("group:x").
		where = append(where, `(h.assigned_group = ? OR EXISTS (SELECT 1 FROM human_task_owners g
			WHERE g.instance_id = h.instance_id AND g.task_id = h.task_id AND g.owner = ?))`)
		args = append(args, q.Group, "group:"+q.Group)
	}
	if !q.StartedAfter.IsZero() {
		where = append(where, `i.started_at >= ?`)
		args = append(args, formatTime(q.StartedAfter))
	}
	if !q.StartedBefore.IsZero() {
		where = append(where, `i.started_at < ?`)
		args = append(args, formatTime(q.StartedBefore))
	}
	if t := strings.TrimSpace(q.Text); t != "" {
		like := textLike(t)
		where = append(where, `(`+textMatch("h", d)+` OR CAST(h.instance_id AS TEXT) = ?)`)
		args = append(args, like, like, like, like, t)
	}
	return where, args
}

// textMatch is the condition of a text filter over the four texts it
// searches in the row named alias (human_tasks or task_labels), each
// compared with textLike's pattern.
func textMatch(alias string, d dialect) string {
	if d == dialectSQLite {
		// SQLite's LIKE already ignores the case of ASCII letters, the
		// only ones its lower() changes: the same matches without the
		// two thirds of the time lower() took in a search that meets
		// 100,000 tasks.
		return strings.ReplaceAll(`(a.name LIKE ? OR a.element_id LIKE ? OR a.process_name LIKE ? OR a.model_id LIKE ?)`, "a.", alias+".")
	}
	return strings.ReplaceAll(`(lower(a.name) LIKE ? OR lower(a.element_id) LIKE ? OR lower(a.process_name) LIKE ? OR lower(a.model_id) LIKE ?)`, "a.", alias+".")
}

// textLike is the LIKE pattern of a text filter (trimmed).
func textLike(t string) string { return "%" + strings.ToLower(t) + "%" }

// InboxTasks returns a page of an inbox view and the number of tasks the
// view and filters match, or for a filtered or completed view that
// matches more than InboxCountBound past the page's start, that bound
// (Inbox says which).
func (s *Store) InboxTasks(ctx context.Context, q InboxQuery) ([]HumanTask, int, error) {
	r, err := s.Inbox(ctx, q)
	return r.Tasks, r.Total, err
}

// Inbox returns a page of an inbox view, its total and whether a next
// page exists. "Ready for me", "my groups" and "started by me" without
// filters read their page from the open tasks' index and their exact
// total from the kept counts; the completed view and filtered ones walk
// an index and bound their total (inbox_walk.go).
func (s *Store) Inbox(ctx context.Context, q InboxQuery) (InboxResult, error) {
	switch q.View {
	case "":
		q.View = InboxMine
	case InboxMine, InboxGroups, InboxStarted, InboxCompleted:
	default:
		return InboxResult{}, fmt.Errorf("unknown inbox view %q (want mine, groups, started or completed)", q.View)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 25
	}
	if q.walked() {
		return s.walkInbox(ctx, q, limit)
	}
	var out InboxResult
	if !q.NoTotal {
		c, err := s.keptViewCounts(ctx, q.Viewer, q.Groups)
		if err != nil {
			return out, fmt.Errorf("count inbox %s: %w", q.View, err)
		}
		out.Total = map[string]int{InboxMine: c.mine, InboxGroups: c.groups, InboxStarted: c.started}[q.View]
	}
	query, args := openPage(q, limit+1)
	if query == "" {
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return out, fmt.Errorf("list inbox %s: %w", q.View, err)
	}
	defer rows.Close()
	for rows.Next() {
		var status, starter, started string
		t, err := scanHumanTask(rows, &status, &starter, &started)
		if err != nil {
			return out, err
		}
		t.InstanceStatus, t.InstanceStartedBy = status, starter
		if t.InstanceStartedAt, err = parseTime(started); err != nil {
			return out, err
		}
		out.Tasks = append(out.Tasks, t)
	}
	if len(out.Tasks) > limit {
		out.Tasks, out.Next = out.Tasks[:limit], true
	}
	return out, rows.Err()
}

// InboxCounts counts the open tasks of the views that change (mine,
// groups and started) from the kept counts.
func (s *Store) InboxCounts(ctx context.Context, v Viewer, groups []string) (map[string]int, error) {
	c, err := s.keptViewCounts(ctx, v, groups)
	if err != nil {
		return nil, err
	}
	return map[string]int{InboxMine: c.mine, InboxGroups: c.groups, InboxStarted: c.started}, nil
}
