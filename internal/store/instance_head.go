package store

import (
	"context"
	"fmt"
)

// InstanceHead returns the instance's row without its snapshot (Snapshot
// is nil): what a caller that holds the instance's state in memory reads
// to check that the stored version is still the one it holds. An update
// of the returned row with the snapshot the caller sets writes it as an
// update of a row from Instance does.
func (s *Store) InstanceHead(ctx context.Context, id int64) (Instance, error) {
	h := headRow{row: s.db.QueryRowContext(ctx, `SELECT `+instanceListColumns+`, snapshot_chunks FROM instances WHERE id = ?`, id)}
	in, err := scanInstance(&h, false)
	if err != nil {
		return Instance{}, fmt.Errorf("instance %d: %w", id, mapError(err))
	}
	in.chunkList = h.list
	return in, nil
}

// headRow scans a row's list columns and then its chunk list.
type headRow struct {
	row  scanner
	list string
}

func (h *headRow) Scan(dest ...any) error {
	return h.row.Scan(append(dest, &h.list)...)
}
