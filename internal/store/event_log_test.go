package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestAppendEventsKeepsOrder appends more events than one statement holds
// and reads them back in the order given, each with its own fields.
func TestAppendEventsKeepsOrder(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		s := openTest(t, d)
		at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
		var id int64
		var want []Event
		if err := s.InTx(ctx, func(tx *Tx) error {
			var err error
			if id, err = tx.CreateInstance(ctx, Instance{ModelID: "m", ProcessID: "p", Status: StatusRunning, StartedBy: "ann", StartedAt: at, UpdatedAt: at, Snapshot: []byte("{}")}); err != nil {
				return err
			}
			for i := range 2*eventsPerInsert + 3 {
				want = append(want, Event{InstanceID: id, TaskID: i, ElementID: fmt.Sprintf("task_%d", i), Event: "COMPLETED",
					Detail: fmt.Sprintf("detail %d", i), Username: fmt.Sprintf("user%d", i%3), At: at.Add(time.Duration(i) * time.Second)})
			}
			return tx.AppendEvents(ctx, want)
		}); err != nil {
			t.Fatal(err)
		}
		got, err := s.InstanceEvents(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Event{}, "ID")); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
	})
}
