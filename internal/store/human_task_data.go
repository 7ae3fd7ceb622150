package store

import (
	"context"
	"fmt"
)

// SetOpenHumanTaskData replaces the data an open human task shows (its
// instance's task data was edited by an operator). Finished tasks keep the
// data they finished with.
func (tx *Tx) SetOpenHumanTaskData(ctx context.Context, instanceID int64, taskID int, data string) error {
	_, err := tx.tx.ExecContext(ctx, `UPDATE human_tasks SET data = ? WHERE instance_id = ? AND task_id = ? AND state = ?`,
		data, instanceID, taskID, TaskOpen)
	if err != nil {
		return fmt.Errorf("set data of human task %d/%d: %w", instanceID, taskID, err)
	}
	return nil
}
