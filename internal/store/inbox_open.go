package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// The inbox's open tasks and their counts (migration 0150): inbox_open
// holds one row per owner key of each open task, and inbox_counts how many
// open tasks each key holds, by owner set, claim and whether the instance
// runs. Triggers keep both exact in the transaction of every change, so
// nothing here counts tasks: a view's page walks one index range per key
// and stops at the page's end, and a count adds a few kept numbers.

// countGroup is the tasks of one owner set in one claim and running state.
// Every key of the set carries the same number for it, so it is added once
// however many of the viewer's keys hold it.
type countGroup struct {
	set, claimedBy string
	running        bool
}

// keptCounts reads the kept counts of the given owner keys: for each key,
// the number of open tasks it holds by count group. On PostgreSQL the
// changes not yet folded into inbox_counts are added in.
func (s *Store) keptCounts(ctx context.Context, keys []string) (map[string]map[countGroup]int, error) {
	perKey := map[string]map[countGroup]int{}
	if len(keys) == 0 {
		return perKey, nil
	}
	args := keyArgs(keys)
	q := `SELECT owner, owner_set, claimed_by, running, n, 0 FROM inbox_counts WHERE owner IN (` + placeholders(len(keys)) + `)`
	if s.dialect == dialectPostgres {
		q += ` UNION ALL SELECT owner, owner_set, claimed_by, running, sum(delta), count(*) FROM inbox_count_changes WHERE owner IN (` + placeholders(len(keys)) + `)
			GROUP BY owner, owner_set, claimed_by, running`
		args = append(args, args...)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read inbox counts: %w", err)
	}
	defer rows.Close()
	pending := 0
	for rows.Next() {
		var owner string
		var g countGroup
		var running, c, changes int64
		if err := rows.Scan(&owner, &g.set, &g.claimedBy, &running, &c, &changes); err != nil {
			return nil, fmt.Errorf("read inbox counts: %w", err)
		}
		pending += int(changes)
		g.running = running != 0
		if perKey[owner] == nil {
			perKey[owner] = map[countGroup]int{}
		}
		perKey[owner][g] += int(c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read inbox counts: %w", err)
	}
	if pending >= foldThreshold {
		// The next reads of these keys find the changes folded. A failed
		// fold leaves them for later: what was read is exact either way.
		_ = s.FoldInboxCounts(ctx)
	}
	return perKey, nil
}

// heldBy returns the count groups some of the given owner keys hold, with
// their numbers. Every owner key of a set carries the same number for it,
// so a group two keys hold counts once. (A starter's key is no owner: it
// holds only the tasks of the instances that user started.)
func heldBy(perKey map[string]map[countGroup]int, keys []string) map[countGroup]int {
	out := map[countGroup]int{}
	for _, k := range keys {
		for g, c := range perKey[k] {
			if c > 0 {
				out[g] = c
			}
		}
	}
	return out
}

// readyFor says whether a count group's tasks are in the viewer's "ready
// for me" view: the instance runs and the task is unclaimed or theirs.
func (g countGroup) readyFor(username string) bool {
	return g.running && (g.claimedBy == "" || g.claimedBy == username)
}

// InboxBadge returns how many tasks the viewer's "ready for me" view holds,
// from the kept counts.
func (s *Store) InboxBadge(ctx context.Context, v Viewer) (int, error) {
	perKey, err := s.keptCounts(ctx, v.Keys)
	if err != nil {
		return 0, err
	}
	total := 0
	for g, c := range heldBy(perKey, v.Keys) {
		if g.readyFor(v.Username) {
			total += c
		}
	}
	return total, nil
}

func groupKeys(groups []string) []string {
	keys := make([]string, 0, len(groups))
	for _, g := range groups {
		keys = append(keys, "group:"+g)
	}
	return keys
}

// startedKey is the inbox_open owner under which the open tasks of the
// instances a user started are kept.
func startedKey(username string) string { return "started:" + username }

// viewCounts are the sizes of the views that change.
type viewCounts struct{ mine, groups, started int }

// keptViewCounts returns the sizes of the "ready for me", "my groups" and
// "started by me" views from the kept counts, in one read.
func (s *Store) keptViewCounts(ctx context.Context, v Viewer, groups []string) (viewCounts, error) {
	gk := groupKeys(groups)
	started := startedKey(v.Username)
	all := slices.Concat(v.Keys, gk, []string{started})
	slices.Sort(all)
	all = slices.Compact(all)
	perKey, err := s.keptCounts(ctx, all)
	if err != nil {
		return viewCounts{}, err
	}
	var out viewCounts
	for g, c := range heldBy(perKey, v.Keys) {
		if g.readyFor(v.Username) {
			out.mine += c
		}
	}
	for _, c := range heldBy(perKey, gk) {
		out.groups += c
	}
	// Started by the viewer and held by none of their keys: waiting on
	// someone else.
	for g, c := range perKey[started] {
		if c > 0 && !slices.ContainsFunc(strings.Split(g.set, "\n"), func(k string) bool { return slices.Contains(v.Keys, k) }) {
			out.started += c
		}
	}
	return out, nil
}

// unfiltered reports whether a query has none of the filters, so its
// total is a kept count and its page a walk of the open-task index.
func (q InboxQuery) unfiltered() bool {
	return q.Process == "" && q.Group == "" && q.StartedAfter.IsZero() && q.StartedBefore.IsZero() && strings.TrimSpace(q.Text) == ""
}

// openPage builds the query of one page of the "ready for me", "my
// groups" or "started by me" view without filters. For the first two, for
// each owner key (and, for "ready for
// me", each claim the viewer may see: none or their own) the newest
// offset+limit open tasks from the index, merged newest first, each task
// once, and cut to the page. A task on the page is among the first
// offset+limit of every key that holds it, so the merge misses none.
func openPage(q InboxQuery, limit int) (string, []any) {
	want := q.Offset + limit
	var parts []string
	var args []any
	add := func(where string, a ...any) {
		parts = append(parts, fmt.Sprintf(`SELECT instance_id, task_id, created_at FROM (SELECT instance_id, task_id, created_at FROM inbox_open
			WHERE %s ORDER BY created_at DESC, instance_id DESC, task_id DESC LIMIT ?) AS k%d`, where, len(parts)))
		args = append(append(args, a...), want)
	}
	switch q.View {
	case InboxStarted:
		// One key: the page is the newest rows of the viewer's started
		// key that none of their keys holds.
		where, a := `o.owner = ?`, []any{startedKey(q.Viewer.Username)}
		if len(q.Viewer.Keys) > 0 {
			where += ` AND NOT EXISTS (SELECT 1 FROM inbox_open x WHERE x.instance_id = o.instance_id AND x.task_id = o.task_id AND x.owner IN (` + placeholders(len(q.Viewer.Keys)) + `))`
			a = append(a, keyArgs(q.Viewer.Keys)...)
		}
		return `SELECT ` + humanTaskColumns + `, i.status, i.started_by, i.started_at FROM (SELECT o.instance_id, o.task_id, o.created_at FROM inbox_open o
			WHERE ` + where + ` ORDER BY o.created_at DESC, o.instance_id DESC, o.task_id DESC LIMIT ? OFFSET ?) AS p
			JOIN human_tasks h ON h.instance_id = p.instance_id AND h.task_id = p.task_id
			JOIN instances i ON i.id = p.instance_id
			ORDER BY p.created_at DESC, p.instance_id DESC, p.task_id DESC`, append(a, limit, q.Offset)
	case InboxGroups:
		for _, k := range groupKeys(q.Groups) {
			add(`owner = ?`, k)
		}
	default:
		claims := []string{""}
		if q.Viewer.Username != "" {
			claims = append(claims, q.Viewer.Username)
		}
		for _, k := range q.Viewer.Keys {
			for _, c := range claims {
				add(`owner = ? AND running = 1 AND claimed_by = ?`, k, c)
			}
		}
	}
	if len(parts) == 0 {
		return "", nil
	}
	return `SELECT ` + humanTaskColumns + `, i.status, i.started_by, i.started_at FROM (` + strings.Join(parts, ` UNION `) + `) AS p
		JOIN human_tasks h ON h.instance_id = p.instance_id AND h.task_id = p.task_id
		JOIN instances i ON i.id = p.instance_id
		ORDER BY p.created_at DESC, p.instance_id DESC, p.task_id DESC LIMIT ? OFFSET ?`, append(args, limit, q.Offset)
}

// foldThreshold is how many unfolded count changes of its keys a
// PostgreSQL read may meet before it folds all changes into inbox_counts.
const foldThreshold = 512

// inboxFoldLock is the key of the PostgreSQL advisory lock one fold holds;
// a process that finds it taken leaves the fold to the holder.
const inboxFoldLock = 0x5761796d61726d

// FoldInboxCounts adds the count changes appended since the last fold to
// inbox_counts and deletes them, in one transaction, so readers see the
// same sums before and after. Only PostgreSQL appends changes; on SQLite
// the triggers update inbox_counts directly and this does nothing.
func (s *Store) FoldInboxCounts(ctx context.Context) error {
	if s.dialect != dialectPostgres {
		return nil
	}
	return s.InTx(ctx, func(tx *Tx) error {
		var got bool
		if err := tx.tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock(?)`, int64(inboxFoldLock)).Scan(&got); err != nil {
			return fmt.Errorf("fold inbox counts: %w", err)
		}
		if !got {
			return nil
		}
		// Changes committed after this statement began stay for the next
		// fold; the sums go in sorted, so two folds could not deadlock
		// even without the lock.
		if _, err := tx.tx.ExecContext(ctx, `WITH d AS (DELETE FROM inbox_count_changes RETURNING owner, owner_set, claimed_by, running, delta),
			s AS (SELECT owner, owner_set, claimed_by, running, sum(delta) AS n FROM d GROUP BY owner, owner_set, claimed_by, running)
			INSERT INTO inbox_counts AS c (owner, owner_set, claimed_by, running, n)
			SELECT owner, owner_set, claimed_by, running, n FROM s ORDER BY owner, owner_set, claimed_by, running
			ON CONFLICT (owner, owner_set, claimed_by, running) DO UPDATE SET n = c.n + excluded.n`); err != nil {
			return fmt.Errorf("fold inbox counts: %w", err)
		}
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM inbox_counts WHERE n <= 0`); err != nil {
			return fmt.Errorf("fold inbox counts: %w", err)
		}
		return nil
	})
}
