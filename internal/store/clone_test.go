package store

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCloneInstance(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, dialectSQLite)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var src int64
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		src, err = tx.CreateInstance(ctx, Instance{ModelID: "m/approval", ProcessID: "approval", Status: StatusRunning, StartedBy: "ann",
			StartedAt: at, UpdatedAt: at, Snapshot: []byte(`{"v":2}`)})
		if err != nil {
			return err
		}
		if err := tx.InsertHumanTask(ctx, HumanTask{InstanceID: src, TaskID: 3, ElementID: "review", Kind: "userTask", ModelID: "m/approval",
			ProcessID: "approval", State: TaskOpen, CreatedAt: at, UpdatedAt: at, Data: `{"amount":5}`, Owners: []string{"group:approvers", "user:bob"}}); err != nil {
			return err
		}
		if err := tx.SetInstanceMetadata(ctx, src, map[string]string{"amount": "5"}); err != nil {
			return err
		}
		return tx.AppendEvents(ctx, []Event{{InstanceID: src, Event: "started", At: at}, {InstanceID: src, TaskID: 3, ElementID: "review", Event: "READY", At: at}})
	})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := s.CloneInstance(ctx, src, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 3 {
		t.Fatalf("%d copies, want 3", len(ids))
	}
	want, _ := s.HumanTask(ctx, src, 3)
	wantEvents, _ := s.InstanceEvents(ctx, src)
	wantMeta, _ := s.InstanceMetadata(ctx, src)
	for _, id := range ids {
		if id == src {
			t.Fatal("a copy kept the source's id")
		}
		in, err := s.Instance(ctx, id)
		if err != nil || string(in.Snapshot) != `{"v":2}` || in.StartedBy != "ann" {
			t.Errorf("copy %d: %+v, %v", id, in, err)
		}
		got, err := s.HumanTask(ctx, id, 3)
		if err != nil {
			t.Fatal(err)
		}
		got.InstanceID = src
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("copy %d task (-want +got):\n%s", id, diff)
		}
		events, _ := s.InstanceEvents(ctx, id)
		if len(events) != len(wantEvents) || events[1].Event != "READY" || events[1].InstanceID != id {
			t.Errorf("copy %d events: %+v", id, events)
		}
		meta, _ := s.InstanceMetadata(ctx, id)
		if diff := cmp.Diff(wantMeta, meta); diff != "" {
			t.Errorf("copy %d metadata (-want +got):\n%s", id, diff)
		}
	}
	if _, err := s.CloneInstance(ctx, 9999, 1); err == nil {
		t.Error("cloning a missing instance succeeded")
	}
}
