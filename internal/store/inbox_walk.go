package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The filtered inbox views and the completed view. Their page and total
// come from one walk, newest first, of an index range per owner key (the
// open tasks' inbox_open, migration 0150) or of the viewer's completed
// tasks (human_tasks_completed_by), applying the filters to each row met
// and stopping once enough rows match: the page and one more, to know
// whether a next page exists, or InboxCountBound rows past the page's
// start for the total. A view matching more than that shows its total as
// a lower bound ("1,000+"), so no request counts or sorts every match.
// Where an indexed filter (process, group, start dates) admits at most
// narrowMax tasks, the view reads and sorts those candidates instead, as
// the walk would meet every task the filter rejects.

// narrowMax is how many candidates a filter's index may offer for a view
// to read them (narrowQuery) rather than walk the user's tasks.
const narrowMax = 5000

// InboxCountBound is how many matches past a page's start a filtered or
// completed view counts before it stops and shows its total as at least
// that many.
const InboxCountBound = 1000

// InboxResult is one page of an inbox view.
type InboxResult struct {
	Tasks []HumanTask
	// Total is how many tasks the view and its filters match or, when
	// AtLeast is set, a lower bound of it: counting stopped there.
	Total   int
	AtLeast bool
	// Next says whether a page follows this one.
	Next bool
}

// taskRef names a task found by a walk, in the view's order.
type taskRef struct {
	instanceID int64
	taskID     int
}

// walked reports whether a query reads its page and total from a walk
// rather than the unfiltered open-task pages and kept counts.
func (q InboxQuery) walked() bool {
	return q.View == InboxCompleted || !q.unfiltered()
}

// walkQuery builds the query of the first n tasks of a filtered or
// completed view, newest first: instance, task and the sort time. For the
// open views it merges one walk per owner key (and claim, for "ready for
// me"), each taking its first n matches: a task among the first n of the
// view is among the first n of every key that holds it, so the merge
// misses none. The CROSS JOINs keep the walked index the outer loop on
// SQLite, whose planner might otherwise start from a filter's index and
// sort every match; PostgreSQL reads them as inner joins.
func walkQuery(q InboxQuery, n int, d dialect) (string, []any, error) {
	filters, fargs := inboxFilters(q, d)
	cond := func(where []string) string {
		return strings.Join(append(where, filters...), ` AND `)
	}
	// Only the date filters read the instance: each row walked costs one
	// lookup less without them.
	instances, byInstance := ``, []string{}
	if !q.StartedAfter.IsZero() || !q.StartedBefore.IsZero() {
		instances, byInstance = ` CROSS JOIN instances i`, []string{`i.id = h.instance_id`}
	}
	if q.View == InboxCompleted && d == dialectPostgres && len(filters) > 0 {
		// The filters in a LATERAL subquery kept apart by OFFSET 0, as
		// for the open views below.
		from := ``
		if instances != `` {
			from = ` FROM instances i`
		}
		return `SELECT h.instance_id, h.task_id, h.completed_at FROM human_tasks h
			CROSS JOIN LATERAL (SELECT 1 AS found` + from + ` WHERE ` + strings.Join(append(byInstance, filters...), ` AND `) + ` OFFSET 0) AS t
			WHERE h.state = 'completed' AND h.completed_by = ?
			ORDER BY h.completed_at DESC, h.instance_id DESC, h.task_id DESC LIMIT ?`,
			append(append(fargs, q.Viewer.Username), n), nil
	}
	if q.View == InboxCompleted {
		// The literal state lets SQLite use the partial index of the
		// viewer's completed tasks.
		where := cond(append([]string{`h.state = 'completed'`, `h.completed_by = ?`}, byInstance...))
		return `SELECT h.instance_id, h.task_id, h.completed_at FROM human_tasks h` + instances + ` WHERE ` + where + `
			ORDER BY h.completed_at DESC, h.instance_id DESC, h.task_id DESC LIMIT ?`,
			append(append([]any{q.Viewer.Username}, fargs...), n), nil
	}
	var parts []string
	var args []any
	// add walks one key: where selects its index range, late (with its
	// arguments) is checked after the filters, so a costly check runs
	// only for the rows they keep.
	add := func(where []string, a []any, late string, lateArgs ...any) {
		if d == dialectPostgres {
			// PostgreSQL guesses a text filter keeps a few rows in a
			// thousand, and would rather join every task and sort than
			// walk the index; the task's checks in a LATERAL subquery
			// kept apart by OFFSET 0 make it walk, whatever it guesses.
			task := cond(append([]string{`h.instance_id = o.instance_id`, `h.task_id = o.task_id`}, byInstance...))
			if late != "" {
				task += ` AND ` + late
			}
			parts = append(parts, fmt.Sprintf(`SELECT instance_id, task_id, created_at FROM (SELECT o.instance_id, o.task_id, o.created_at
				FROM inbox_open o CROSS JOIN LATERAL (SELECT 1 AS found FROM human_tasks h%s WHERE %s OFFSET 0) AS t
				WHERE %s ORDER BY o.created_at DESC, o.instance_id DESC, o.task_id DESC LIMIT ?) AS k%d`, instances, task, strings.Join(where, ` AND `), len(parts)))
			args = append(append(append(append(args, fargs...), lateArgs...), a...), n)
			return
		}
		all := cond(append(append(where, `h.instance_id = o.instance_id`, `h.task_id = o.task_id`), byInstance...))
		if late != "" {
			all += ` AND ` + late
		}
		parts = append(parts, fmt.Sprintf(`SELECT instance_id, task_id, created_at FROM (SELECT o.instance_id, o.task_id, o.created_at
			FROM inbox_open o CROSS JOIN human_tasks h%s
			WHERE %s ORDER BY o.created_at DESC, o.instance_id DESC, o.task_id DESC LIMIT ?) AS k%d`, instances, all, len(parts)))
		args = append(append(append(append(args, a...), fargs...), lateArgs...), n)
	}
	switch q.View {
	case InboxMine:
		claims := []string{""}
		if q.Viewer.Username != "" {
			claims = append(claims, q.Viewer.Username)
		}
		for _, k := range q.Viewer.Keys {
			for _, c := range claims {
				add([]string{`o.owner = ?`, `o.running = 1`, `o.claimed_by = ?`}, []any{k, c}, "")
			}
		}
	case InboxGroups:
		for _, k := range groupKeys(q.Groups) {
			add([]string{`o.owner = ?`}, []any{k}, "")
		}
	case InboxStarted:
		// Tasks the viewer holds are left out; the check names h, so that
		// SQLite makes it once the task's filters have passed.
		late := ""
		if len(q.Viewer.Keys) > 0 {
			late = `NOT EXISTS (SELECT 1 FROM inbox_open x WHERE x.instance_id = h.instance_id AND x.task_id = h.task_id AND x.owner IN (` + placeholders(len(q.Viewer.Keys)) + `))`
		}
		add([]string{`o.owner = ?`}, []any{startedKey(q.Viewer.Username)}, late, keyArgs(q.Viewer.Keys)...)
	default:
		return "", nil, fmt.Errorf("unknown inbox view %q (want mine, groups, started or completed)", q.View)
	}
	if len(parts) == 0 {
		return "", nil, nil
	}
	if len(parts) == 1 {
		return parts[0], args, nil
	}
	return `SELECT instance_id, task_id, created_at FROM (` + strings.Join(parts, ` UNION `) + `) AS p
		ORDER BY created_at DESC, instance_id DESC, task_id DESC LIMIT ?`, append(args, n), nil
}

// walkInbox returns a page of a filtered or completed view from one walk.
func (s *Store) walkInbox(ctx context.Context, q InboxQuery, limit int) (InboxResult, error) {
	// Enough rows for the page and the next one's first; for the total,
	// InboxCountBound past the page's start (or a page, if larger) and
	// one more to know whether more exist.
	counted := InboxCountBound
	if q.countBound > 0 {
		counted = q.countBound
	}
	bound := q.Offset + max(counted, limit)
	n := q.Offset + limit + 1
	if !q.NoTotal {
		n = bound + 1
	}
	query, args, err := s.narrowQuery(ctx, q, n)
	if err == nil && query == "" {
		query, args, err = walkQuery(q, n, s.dialect)
	}
	if err != nil || query == "" {
		return InboxResult{}, err
	}
	rows, err := s.db.QueryContext(ctx, query, s.planEachRun(args)...)
	if err != nil {
		return InboxResult{}, fmt.Errorf("list inbox %s: %w", q.View, err)
	}
	var refs []taskRef
	for rows.Next() {
		var r taskRef
		var at string
		if err := rows.Scan(&r.instanceID, &r.taskID, &at); err != nil {
			rows.Close()
			return InboxResult{}, fmt.Errorf("list inbox %s: %w", q.View, err)
		}
		refs = append(refs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return InboxResult{}, fmt.Errorf("list inbox %s: %w", q.View, err)
	}
	var out InboxResult
	if !q.NoTotal {
		out.Total, out.AtLeast = min(len(refs), bound), len(refs) > bound
	}
	out.Next = len(refs) > q.Offset+limit
	if q.Offset >= len(refs) {
		return out, nil
	}
	page := refs[q.Offset:min(len(refs), q.Offset+limit)]
	out.Tasks, err = s.inboxTasksByRef(ctx, q.View, page)
	return out, err
}

// inboxTasksByRef reads the tasks a walk found, with their instance's
// status, starter and start, in the walk's order.
func (s *Store) inboxTasksByRef(ctx context.Context, view string, refs []taskRef) ([]HumanTask, error) {
	where := make([]string, len(refs))
	args := make([]any, 0, 2*len(refs))
	for i, r := range refs {
		where[i] = `(h.instance_id = ? AND h.task_id = ?)`
		args = append(args, r.instanceID, r.taskID)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+humanTaskColumns+`, i.status, i.started_by, i.started_at
		FROM human_tasks h JOIN instances i ON i.id = h.instance_id WHERE `+strings.Join(where, ` OR `), args...)
	if err != nil {
		return nil, fmt.Errorf("list inbox %s: %w", view, err)
	}
	defer rows.Close()
	found := make(map[taskRef]HumanTask, len(refs))
	for rows.Next() {
		var status, starter, started string
		t, err := scanHumanTask(rows, &status, &starter, &started)
		if err != nil {
			return nil, err
		}
		t.InstanceStatus, t.InstanceStartedBy = status, starter
		if t.InstanceStartedAt, err = parseTime(started); err != nil {
			return nil, err
		}
		found[taskRef{t.InstanceID, t.TaskID}] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list inbox %s: %w", view, err)
	}
	out := make([]HumanTask, 0, len(refs))
	for _, r := range refs {
		// A task deleted between the two reads drops out of the page.
		if t, ok := found[r]; ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// candidateSource is a query of the tasks one filter admits, read from an
// index: a superset of what the view and all its filters match.
type candidateSource struct {
	// parts are queries whose union is the source; a task may be in
	// several.
	parts []string
	args  []any
}

// candidateSources lists the filters of a query that an index answers,
// each as the tasks it admits in the view's state.
func candidateSources(q InboxQuery, d dialect) []candidateSource {
	var out []candidateSource
	if q.View != InboxCompleted {
		if q.Process != "" {
			out = append(out, candidateSource{[]string{`SELECT instance_id, task_id FROM human_tasks WHERE state = 'open' AND model_id = ?`,
				`SELECT instance_id, task_id FROM human_tasks WHERE state = 'open' AND process_id = ?`}, []any{q.Process, q.Process}})
		}
		if q.Group != "" {
			// For open tasks inbox_open holds the same owner rows as
			// human_task_owners.
			out = append(out, candidateSource{[]string{`SELECT instance_id, task_id FROM inbox_open WHERE owner = ?`,
				`SELECT instance_id, task_id FROM human_tasks WHERE state = 'open' AND assigned_group = ?`}, []any{"group:" + q.Group, q.Group}})
		}
		if t := strings.TrimSpace(q.Text); t != "" {
			out = append(out, textCandidates(t, d))
		}
	}
	if !q.StartedAfter.IsZero() || !q.StartedBefore.IsZero() {
		where, args := []string{}, []any{}
		if !q.StartedAfter.IsZero() {
			where, args = append(where, `i.started_at >= ?`), append(args, formatTime(q.StartedAfter))
		}
		if !q.StartedBefore.IsZero() {
			where, args = append(where, `i.started_at < ?`), append(args, formatTime(q.StartedBefore))
		}
		state := `h.state = 'open'`
		if q.View == InboxCompleted {
			state = `h.state = 'completed'`
		}
		out = append(out, candidateSource{[]string{`SELECT h.instance_id, h.task_id FROM instances i CROSS JOIN human_tasks h
			WHERE ` + strings.Join(where, ` AND `) + ` AND h.instance_id = i.id AND ` + state}, args})
	}
	return out
}

// textCandidates are the open tasks a text filter (t, trimmed) may match:
// those of the labels (migration 0270) whose name, element id, process
// name or model id hold it, read by model and element, and the tasks of
// the instance t names when it is an instance id. The match is the
// filter's own (inboxFilters), over the labels instead of the tasks.
func textCandidates(t string, d dialect) candidateSource {
	// The labels are the outer loop, each reading its tasks from the
	// index: CROSS JOIN says so to SQLite; PostgreSQL, which guesses a
	// label's model holds half the tasks, would rather hash all of
	// them, so there the tasks are a LATERAL subquery kept apart by
	// OFFSET 0.
	join := `h.state = 'open' AND h.model_id = l.model_id AND h.element_id = l.element_id AND h.name = l.name AND h.process_name = l.process_name`
	part := `SELECT h.instance_id, h.task_id FROM task_labels l CROSS JOIN human_tasks h WHERE ` + textMatch("l", d) + ` AND ` + join
	if d == dialectPostgres {
		part = `SELECT t.instance_id, t.task_id FROM task_labels l
			CROSS JOIN LATERAL (SELECT h.instance_id, h.task_id FROM human_tasks h WHERE ` + join + ` OFFSET 0) AS t WHERE ` + textMatch("l", d)
	}
	like := textLike(t)
	c := candidateSource{parts: []string{part}, args: []any{like, like, like, like}}
	// The filter compares the id's text with t: only the id written
	// the way the database writes it can match.
	if id, err := strconv.ParseInt(t, 10, 64); err == nil && strconv.FormatInt(id, 10) == t {
		c.parts = append(c.parts, `SELECT instance_id, task_id FROM human_tasks WHERE state = 'open' AND instance_id = ?`)
		c.args = append(c.args, id)
	}
	return c
}

// narrowQuery builds the query of the first n tasks of a filtered view
// from the candidates of its narrowest indexed filter, when one admits at
// most narrowMax tasks: then it costs those candidates, where a walk would
// meet every task of the user's that the filters reject. It returns ""
// when no filter is that narrow. Each filter's candidates are counted up
// to narrowMax+1 to choose (a task two parts of a source hold counts
// twice there: UNION ALL stops at the limit, UNION would not).
func (s *Store) narrowQuery(ctx context.Context, q InboxQuery, n int) (string, []any, error) {
	most := narrowMax
	if q.narrowMax != 0 {
		most = q.narrowMax
	}
	if most < 0 {
		return "", nil, nil
	}
	var best *candidateSource
	fewest := most + 1
	for _, c := range candidateSources(q, s.dialect) {
		var count int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM (`+strings.Join(c.parts, ` UNION ALL `)+` LIMIT ?) AS c`, s.planEachRun(append(c.args, most+1))...).Scan(&count); err != nil {
			return "", nil, fmt.Errorf("list inbox %s: %w", q.View, err)
		}
		if count < fewest {
			best, fewest = &c, count
		}
	}
	if best == nil {
		return "", nil, nil
	}
	filters, fargs := inboxFilters(q, s.dialect)
	where := []string{`h.instance_id = c.instance_id`, `h.task_id = c.task_id`, `i.id = h.instance_id`}
	args := slices.Clone(best.args)
	order := `h.created_at`
	switch q.View {
	case InboxMine:
		if len(q.Viewer.Keys) == 0 {
			return "", nil, nil
		}
		where = append(where, `EXISTS (SELECT 1 FROM inbox_open o WHERE o.instance_id = h.instance_id AND o.task_id = h.task_id
			AND o.owner IN (`+placeholders(len(q.Viewer.Keys))+`) AND o.running = 1 AND o.claimed_by IN ('', ?))`)
		args = append(append(args, keyArgs(q.Viewer.Keys)...), q.Viewer.Username)
	case InboxGroups:
		if len(q.Groups) == 0 {
			return "", nil, nil
		}
		where = append(where, `EXISTS (SELECT 1 FROM inbox_open o WHERE o.instance_id = h.instance_id AND o.task_id = h.task_id
			AND o.owner IN (`+placeholders(len(q.Groups))+`))`)
		args = append(args, keyArgs(groupKeys(q.Groups))...)
	case InboxStarted:
		where = append(where, `EXISTS (SELECT 1 FROM inbox_open o WHERE o.owner = ? AND o.instance_id = h.instance_id AND o.task_id = h.task_id)`)
		args = append(args, startedKey(q.Viewer.Username))
		if len(q.Viewer.Keys) > 0 {
			where = append(where, `NOT EXISTS (SELECT 1 FROM inbox_open x WHERE x.instance_id = h.instance_id AND x.task_id = h.task_id AND x.owner IN (`+placeholders(len(q.Viewer.Keys))+`))`)
			args = append(args, keyArgs(q.Viewer.Keys)...)
		}
	case InboxCompleted:
		where = append(where, `h.state = 'completed'`, `h.completed_by = ?`)
		args = append(args, q.Viewer.Username)
		order = `h.completed_at`
	}
	// Each candidate's task is read by its key. PostgreSQL, guessing the
	// candidates many and a text filter rare, would otherwise hash the
	// tasks the filter keeps, reading them all: there the task is a
	// LATERAL subquery kept apart by OFFSET 0.
	task := ` CROSS JOIN human_tasks h`
	if s.dialect == dialectPostgres {
		task = ` CROSS JOIN LATERAL (SELECT * FROM human_tasks h WHERE h.instance_id = c.instance_id AND h.task_id = c.task_id OFFSET 0) AS h`
	}
	return `SELECT h.instance_id, h.task_id, ` + order + ` FROM (` + strings.Join(best.parts, ` UNION `) + `) AS c` + task + ` CROSS JOIN instances i
		WHERE ` + strings.Join(append(where, filters...), ` AND `) + `
		ORDER BY ` + order + ` DESC, h.instance_id DESC, h.task_id DESC LIMIT ?`, append(append(args, fargs...), n), nil
}
