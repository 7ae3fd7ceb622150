package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestOutboxAddListConsume(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		s := openTest(t, d)
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		var first, second int64
		err := s.InTx(ctx, func(tx *Tx) error {
			var err error
			if first, err = tx.AddOutboxMessage(ctx, OutboxMessage{Kind: "message", Name: "order", Payload: `{"id":1}`,
				FromInstance: 7, FromElement: "send", CreatedAt: now, ExpiresAt: now.Add(time.Minute)}); err != nil {
				return err
			}
			second, err = tx.AddOutboxMessage(ctx, OutboxMessage{Kind: "signal", Name: "stop", Payload: `null`, CreatedAt: now, ExpiresAt: now})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.OutboxMessages(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != first || got[1].ID != second {
			t.Fatalf("outbox = %+v, want ids %d, %d", got, first, second)
		}
		m := got[0]
		if m.Kind != "message" || m.Name != "order" || m.Payload != `{"id":1}` || m.FromInstance != 7 || m.FromElement != "send" ||
			!m.CreatedAt.Equal(now) || !m.ExpiresAt.Equal(now.Add(time.Minute)) {
			t.Fatalf("first message read back as %+v", m)
		}

		// Two transactions consuming the same message: exactly one wins,
		// the other fails with ErrConflict and writes nothing.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.InTx(ctx, func(tx *Tx) error { return tx.ConsumeOutboxMessage(ctx, first) })
			}()
		}
		wg.Wait()
		ok, conflicts := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, ErrConflict):
				conflicts++
			default:
				t.Fatalf("consume: %v", err)
			}
		}
		if ok != 1 || conflicts != 1 {
			t.Fatalf("consumed %d times with %d conflicts, want once and one conflict", ok, conflicts)
		}
		if err := s.DeleteOutboxMessage(ctx, second); err != nil {
			t.Fatal(err)
		}
		if got, err := s.OutboxMessages(ctx, 10); err != nil || len(got) != 0 {
			t.Fatalf("outbox after consuming = %+v, %v; want empty", got, err)
		}
	})
}

func TestOutboxRefusesBadMessages(t *testing.T) {
	s := openTest(t, dialectSQLite)
	ctx := context.Background()
	err := s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.AddOutboxMessage(ctx, OutboxMessage{Kind: "error", Name: "x"})
		return err
	})
	if err == nil {
		t.Fatal("an outbox message of kind error was accepted")
	}
	err = s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.AddOutboxMessage(ctx, OutboxMessage{Kind: "message"})
		return err
	})
	if err == nil {
		t.Fatal("an outbox message without a name was accepted")
	}
}

func TestSignalDeliveriesRecordedOnce(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		s := openTest(t, d)
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		var id int64
		err := s.InTx(ctx, func(tx *Tx) error {
			var err error
			id, err = tx.AddOutboxMessage(ctx, OutboxMessage{Kind: "signal", Name: "go", Payload: `{}`, CreatedAt: now, ExpiresAt: now})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range []string{"instance:1", "start:g/m#p"} {
			if err := s.InTx(ctx, func(tx *Tx) error { return tx.RecordSignalDelivery(ctx, id, target) }); err != nil {
				t.Fatal(err)
			}
		}
		err = s.InTx(ctx, func(tx *Tx) error { return tx.RecordSignalDelivery(ctx, id, "instance:1") })
		if !errors.Is(err, ErrConflict) {
			t.Fatalf("recording a delivery twice: %v, want ErrConflict", err)
		}
		got, err := s.SignalDeliveries(ctx, id)
		if err != nil || len(got) != 2 || !got["instance:1"] || !got["start:g/m#p"] {
			t.Fatalf("deliveries = %v, %v", got, err)
		}
		if err := s.DeleteOutboxMessage(ctx, id); err != nil {
			t.Fatal(err)
		}
		if got, err := s.SignalDeliveries(ctx, id); err != nil || len(got) != 0 {
			t.Fatalf("deliveries after the signal left = %v, %v", got, err)
		}
	})
}
