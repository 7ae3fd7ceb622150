package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestServiceCallbacks(t *testing.T) { forEachDialect(t, testServiceCallbacks) }

func testServiceCallbacks(t *testing.T, d dialect) {
	s := openTest(t, d)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var id int64
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.CreateInstance(ctx, Instance{ModelID: "m", ProcessID: "p", Status: StatusRunning, StartedBy: "alice",
			StartedAt: t0, UpdatedAt: t0, Snapshot: []byte("{}")})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ServiceCallback(ctx, id, 4); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no callback yet: %v, want ErrNotFound", err)
	}
	if err := s.SetServiceCallback(ctx, ServiceCallback{InstanceID: id, TaskID: 4, TokenHash: "old", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	// A call made again replaces the token: the old one answers nothing.
	if err := s.SetServiceCallback(ctx, ServiceCallback{InstanceID: id, TaskID: 4, TokenHash: "new", CreatedAt: t0.Add(time.Minute), Params: `{"key":"SPIFF_SECRET:k"}`}); err != nil {
		t.Fatal(err)
	}
	answer := func(hash string) error {
		return s.InTx(ctx, func(tx *Tx) error { return tx.AnswerServiceCallback(ctx, id, 4, hash, t0.Add(time.Hour)) })
	}
	if err := answer("old"); !errors.Is(err, ErrConflict) {
		t.Errorf("answer with the replaced token: %v, want ErrConflict", err)
	}
	if err := answer("new"); err != nil {
		t.Fatal(err)
	}
	if err := answer("new"); !errors.Is(err, ErrConflict) {
		t.Errorf("answer twice: %v, want ErrConflict", err)
	}
	c, err := s.ServiceCallback(ctx, id, 4)
	if err != nil || c.TokenHash != "new" || !c.CreatedAt.Equal(t0.Add(time.Minute)) || !c.AnsweredAt.Equal(t0.Add(time.Hour)) || c.Params != `{"key":"SPIFF_SECRET:k"}` {
		t.Errorf("callback %+v, %v", c, err)
	}
	if err := s.InTx(ctx, func(tx *Tx) error { return tx.DeleteServiceCallback(ctx, id, 4) }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ServiceCallback(ctx, id, 4); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted callback: %v, want ErrNotFound", err)
	}
}
