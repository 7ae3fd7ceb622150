package store

import (
	"context"
	"fmt"
	"strings"
)

// cloneTables are the tables that hold rows of an instance, parents
// before children (human_task_owners refers to human_tasks). The chunks
// of a large snapshot keep their numbers, which the copied chunk list names.
var cloneTables = []string{"instance_snapshot_chunks", "instance_metadata", "instance_script_metadata", "human_tasks", "human_task_owners", "timers", "message_subscriptions", "event_log", "service_jobs", "task_files"}

// CloneInstance copies an instance n times with every row derived from
// it (tasks, owners, metadata, timers, subscriptions, events, jobs,
// files), each copy under a new id, in transactions of up to 1,000
// copies, and returns the new ids. The load tool seeds large runs with it:
// a copy is what running the same steps again would have written, at a
// fraction of the cost.
func (s *Store) CloneInstance(ctx context.Context, id int64, n int) ([]int64, error) {
	inst, err := s.rowsOf(ctx, "instances", "id", id)
	if err != nil {
		return nil, err
	}
	if len(inst.rows) != 1 {
		return nil, fmt.Errorf("clone instance %d: %w", id, ErrNotFound)
	}
	children := make([]tableRows, len(cloneTables))
	for i, table := range cloneTables {
		if children[i], err = s.rowsOf(ctx, table, "instance_id", id); err != nil {
			return nil, err
		}
	}
	ids := make([]int64, 0, n)
	for len(ids) < n {
		chunk := min(1000, n-len(ids))
		err := s.InTx(ctx, func(tx *Tx) error {
			for range chunk {
				// RETURNING, not LastInsertId, which PostgreSQL's driver
				// does not have.
				var nid int64
				if err := tx.tx.QueryRowContext(ctx, inst.insert("id")+` RETURNING id`, inst.values(0, "id", 0)...).Scan(&nid); err != nil {
					return fmt.Errorf("clone instance %d: %w", id, err)
				}
				for _, c := range children {
					for r := range c.rows {
						if _, err := tx.tx.ExecContext(ctx, c.insert("id"), c.values(r, "id", nid)...); err != nil {
							return fmt.Errorf("clone %s of instance %d: %w", c.table, id, err)
						}
					}
				}
				ids = append(ids, nid)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// tableRows is a table's rows for one instance, as read.
type tableRows struct {
	table string
	cols  []string
	rows  [][]any
}

func (s *Store) rowsOf(ctx context.Context, table, key string, id int64) (tableRows, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT * FROM `+table+` WHERE `+key+` = ?`, id)
	if err != nil {
		return tableRows{}, fmt.Errorf("read %s of instance %d: %w", table, id, err)
	}
	defer rows.Close()
	t := tableRows{table: table}
	if t.cols, err = rows.Columns(); err != nil {
		return tableRows{}, err
	}
	for rows.Next() {
		vals := make([]any, len(t.cols))
		ptrs := make([]any, len(t.cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return tableRows{}, err
		}
		t.rows = append(t.rows, vals)
	}
	return t, rows.Err()
}

// insert is the INSERT statement for the table's columns except skip (the
// row id, which the copy gets anew).
func (t tableRows) insert(skip string) string {
	var cols []string
	for _, c := range t.cols {
		if c != skip {
			cols = append(cols, c)
		}
	}
	return `INSERT INTO ` + t.table + ` (` + strings.Join(cols, ", ") + `) VALUES (` + placeholders(len(cols)) + `)`
}

// values is row r's values for insert(skip), with instance_id set to
// instanceID when that is not 0.
func (t tableRows) values(r int, skip string, instanceID int64) []any {
	out := make([]any, 0, len(t.cols))
	for i, c := range t.cols {
		switch {
		case c == skip:
		case c == "instance_id" && instanceID != 0:
			out = append(out, instanceID)
		default:
			out = append(out, t.rows[r][i])
		}
	}
	return out
}
