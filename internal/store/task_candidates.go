package store

import (
	"context"
	"fmt"
	"strings"
)

// TaskKey names a human task.
type TaskKey struct {
	InstanceID int64
	TaskID     int
}

// TaskCandidates counts, for each task, the people who could take it: the
// users its owner keys name (by username or email), the members of the
// groups they name (from the permissions file, local or the sign-in
// provider's groups), and one person for each user key that matches no
// account. Claiming a task only means something when that count is above
// one. Tasks with no owners count 0.
func (s *Store) TaskCandidates(ctx context.Context, tasks []TaskKey) (map[TaskKey]int, error) {
	out := make(map[TaskKey]int, len(tasks))
	if len(tasks) == 0 {
		return out, nil
	}
	values := make([]string, 0, len(tasks))
	args := make([]any, 0, 2*len(tasks))
	for _, t := range tasks {
		values = append(values, "(CAST(? AS BIGINT), CAST(? AS BIGINT))")
		args = append(args, t.InstanceID, t.TaskID)
	}
	q := strings.Replace(candidatesQuery, "%VALUES%", strings.Join(values, ", "), 1)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("count task candidates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k TaskKey
		var n int
		if err := rows.Scan(&k.InstanceID, &k.TaskID, &n); err != nil {
			return nil, fmt.Errorf("count task candidates: %w", err)
		}
		out[k] = n
	}
	return out, rows.Err()
}

// candidatesQuery counts the people of each task in %VALUES%. t: the
// tasks asked for; o: their owner keys, read once by task (left to the
// planner, each branch of p started from every owner row of a key, which
// is every task a group or user ever held); each branch of p yields (task,
// person) pairs, persons being user ids or unmatched user keys.
const candidatesQuery = `WITH t(instance_id, task_id) AS (VALUES %VALUES%),
	o AS MATERIALIZED (SELECT x.instance_id, x.task_id, x.owner FROM t
		JOIN human_task_owners x ON x.instance_id = t.instance_id AND x.task_id = t.task_id),
	p AS (
		SELECT o.instance_id, o.task_id, CAST(u.id AS TEXT) AS person FROM o
			JOIN users u ON o.owner = 'user:' || u.username OR (u.email <> '' AND o.owner = 'user:' || lower(u.email))
		UNION
		SELECT o.instance_id, o.task_id, o.owner FROM o
			WHERE o.owner LIKE 'user:%' AND NOT EXISTS (SELECT 1 FROM users u
				WHERE o.owner = 'user:' || u.username OR (u.email <> '' AND o.owner = 'user:' || lower(u.email)))
		UNION
		SELECT o.instance_id, o.task_id, CAST(m.user_id AS TEXT) FROM o
			JOIN groups g ON o.owner = 'group:' || g.name
			JOIN group_members m ON m.group_id = g.id
		UNION
		SELECT o.instance_id, o.task_id, CAST(sg.user_id AS TEXT) FROM o
			JOIN user_sign_in_groups sg ON o.owner = 'group:' || sg.group_name
	)
	SELECT instance_id, task_id, count(DISTINCT person) FROM p GROUP BY instance_id, task_id`
