package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDataStores(t *testing.T) { forEachDialect(t, testDataStores) }

func testDataStores(t *testing.T, d dialect) {
	s := openTest(t, d)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	write := func(fn func(tx *Tx) error) {
		t.Helper()
		if err := s.InTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}

	if _, ok, err := s.JSONDataStore(ctx, "kitchen", "menu"); ok || err != nil {
		t.Fatalf("unwritten store: %v %v", ok, err)
	}
	write(func(tx *Tx) error { return tx.PutJSONDataStore(ctx, "kitchen", "menu", `{"a":1}`, t0) })
	write(func(tx *Tx) error { return tx.PutJSONDataStore(ctx, "kitchen", "menu", `{"a":2}`, t0) })
	write(func(tx *Tx) error { return tx.PutJSONDataStore(ctx, "kitchen/hot", "menu", `{"hot":true}`, t0) })
	if v, ok, err := s.JSONDataStore(ctx, "kitchen", "menu"); !ok || err != nil || v != `{"a":2}` {
		t.Errorf("menu at kitchen: %q %v %v", v, ok, err)
	}

	write(func(tx *Tx) error {
		for _, e := range [][3]string{{"soup", "pots", "2"}, {"soup", "bowls", "9"}, {"bread", "loaves", "3"}} {
			if err := tx.PutKKVEntry(ctx, "kitchen", "stock", e[0], e[1], e[2], t0); err != nil {
				return err
			}
		}
		return tx.PutKKVEntry(ctx, "kitchen", "stock", "soup", "pots", "4", t0)
	})
	got, err := s.KKVEntries(ctx, "kitchen", "stock", "soup")
	if diff := cmp.Diff(map[string]string{"pots": "4", "bowls": "9"}, got); diff != "" || err != nil {
		t.Errorf("soup entries (-want +got): %v\n%s", err, diff)
	}
	bowls := "bowls"
	write(func(tx *Tx) error { return tx.DeleteKKVEntries(ctx, "kitchen", "stock", "soup", &bowls) })
	write(func(tx *Tx) error { return tx.DeleteKKVEntries(ctx, "kitchen", "stock", "bread", nil) })
	if got, _ := s.KKVEntries(ctx, "kitchen", "stock", "soup"); len(got) != 1 || got["pots"] != "4" {
		t.Errorf("soup after deleting bowls: %v", got)
	}
	if got, _ := s.KKVEntries(ctx, "kitchen", "stock", "bread"); len(got) != 0 {
		t.Errorf("bread after deleting it: %v", got)
	}

	if _, ok, err := s.Typeahead(ctx, "cities", "", 10); ok || err != nil {
		t.Fatalf("empty category: %v %v", ok, err)
	}
	write(func(tx *Tx) error {
		return tx.ReplaceTypeahead(ctx, "cities", []TypeaheadEntry{{"Old", `{"name":"Old"}`}}, t0)
	})
	write(func(tx *Tx) error {
		return tx.ReplaceTypeahead(ctx, "cities", []TypeaheadEntry{
			{"Fayzabad", `{"name":"Fayzabad"}`}, {"Faro", `{"name":"Faro"}`}, {"Jurm", `{"name":"Jurm"}`}, {"50%_off", `{"name":"odd"}`},
		}, t0)
	})
	for _, c := range []struct {
		prefix string
		limit  int
		want   string
	}{
		{"fa", 10, `[{"name":"Faro"},{"name":"Fayzabad"}]`},
		{"FA", 1, `[{"name":"Faro"}]`},
		{"", 10, `[{"name":"odd"},{"name":"Faro"},{"name":"Fayzabad"},{"name":"Jurm"}]`},
		{"old", 10, `[]`},
		{"50%", 10, `[{"name":"odd"}]`},
		{"5_", 10, `[]`},
	} {
		got, ok, err := s.Typeahead(ctx, "cities", c.prefix, c.limit)
		if !ok || err != nil || string(got) != c.want {
			t.Errorf("prefix %q: %s %v %v, want %s", c.prefix, got, ok, err, c.want)
		}
	}
}

// BenchmarkTypeahead: one type-ahead question against a category of
// 10,000 entries (a city list), as a form field asks while someone types.
func BenchmarkTypeahead(b *testing.B) {
	s, err := Open(context.Background(), b.TempDir()+"/waymark.db")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	entries := make([]TypeaheadEntry, 10000)
	for i := range entries {
		name := fmt.Sprintf("City %05d", i)
		entries[i] = TypeaheadEntry{SearchTerm: name, Result: `{"name":"` + name + `"}`}
	}
	if err := s.InTx(ctx, func(tx *Tx) error { return tx.ReplaceTypeahead(ctx, "cities", entries, time.Now()) }); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		got, ok, err := s.Typeahead(ctx, "cities", fmt.Sprintf("city %03d", i%100), 100)
		if err != nil || !ok || len(got) < 3 {
			b.Fatal(err, ok, string(got))
		}
	}
}

func TestNextKKVKeyNumber(t *testing.T) { forEachDialect(t, testNextKKVKeyNumber) }

// Numbers run per store from 1, and concurrent callers never share one.
func testNextKKVKeyNumber(t *testing.T, d dialect) {
	s := openTest(t, d)
	ctx := context.Background()
	const callers = 8
	got := make(chan int64, callers*5)
	errs := make(chan error, callers)
	for range callers {
		go func() {
			for range 5 {
				n, err := s.NextKKVKeyNumber(ctx, "group", "studies")
				if err != nil {
					errs <- err
					return
				}
				got <- n
			}
			errs <- nil
		}()
	}
	for range callers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	close(got)
	seen := map[int64]bool{}
	for n := range got {
		if seen[n] || n < 1 || n > callers*5 {
			t.Errorf("number %d given twice or out of 1..%d", n, callers*5)
		}
		seen[n] = true
	}
	if n, err := s.NextKKVKeyNumber(ctx, "group", "other"); err != nil || n != 1 {
		t.Errorf("another store starts at %d (%v), want 1", n, err)
	}
}
