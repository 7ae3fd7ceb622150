package models

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/waymark-bpm/waymark/internal/store"
)

// BenchmarkSearchProcesses measures call-activity search over 10,000
// indexed processes, as the modeler's picker sends it (limit 20), with a
// mix of exact ids, prefixes, substrings, misses and the empty query.
// Besides ns/op it reports the 95th percentile of single searches.
func BenchmarkSearchProcesses(b *testing.B) {
	ctx := context.Background()
	r, st := openRepo(b, filepath.Join(b.TempDir(), "models"))
	words := []string{"invoice", "approval", "onboarding", "expense", "travel", "payroll", "contract", "review", "audit", "vendor"}
	procs := make([]store.IndexedProcess, 10_000)
	for i := range procs {
		w1, w2 := words[i%len(words)], words[(i/len(words))%len(words)]
		procs[i] = store.IndexedProcess{
			ProcessID:   fmt.Sprintf("Process_%s_%s_%05d", w1, w2, i),
			DisplayName: fmt.Sprintf("%s %s %d", w2, w1, i),
			ModelID:     fmt.Sprintf("group-%d/model-%d", i%50, i),
			File:        fmt.Sprintf("%s.bpmn", w1),
			Kinds:       []string{"startEvent", "userTask", "endEvent"},
			Calls:       []string{fmt.Sprintf("Process_%s_%s_%05d", w2, w1, (i+1)%10_000)},
		}
	}
	if err := st.ReplaceModelIndex(ctx, procs, nil); err != nil {
		b.Fatal(err)
	}
	queries := []string{"Process_audit_vendor_09999", "process_inv", "approval", "onb", "payroll 4", "zzz-no-match", "", "review contract", "05000", "Travel"}
	var durations []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if _, err := r.SearchProcesses(ctx, queries[i%len(queries)], 20); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(durations)
	p95 := durations[len(durations)*95/100]
	b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
}

// BenchmarkRefreshCorpus measures what every change costs: rescanning the
// SpiffArena corpus (unchanged files come from the parse cache) and
// rewriting the index in the store.
func BenchmarkRefreshCorpus(b *testing.B) {
	ctx := context.Background()
	r, _ := openRepo(b, copyCorpus(b))
	for b.Loop() {
		if err := r.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenCorpus measures a start: scanning and parsing every file
// of the corpus and building the index from nothing.
func BenchmarkOpenCorpus(b *testing.B) {
	ctx := context.Background()
	dir := copyCorpus(b)
	st := openStore(b)
	for b.Loop() {
		if _, err := Open(ctx, dir, st, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIndexReplace10k measures rewriting an index of 10,000
// processes in one transaction: what a change that alters the index costs
// on a repository that size (on top of the rescan).
func BenchmarkIndexReplace10k(b *testing.B) {
	ctx := context.Background()
	_, st := openRepo(b, filepath.Join(b.TempDir(), "models"))
	procs := make([]store.IndexedProcess, 10_000)
	for i := range procs {
		procs[i] = store.IndexedProcess{ProcessID: fmt.Sprintf("Process_%05d", i), DisplayName: fmt.Sprintf("Process %d", i),
			ModelID: fmt.Sprintf("group/model-%d", i/3), File: "diagram.bpmn", Kinds: []string{"startEvent", "userTask", "endEvent"},
			Calls: []string{fmt.Sprintf("Process_%05d", (i+1)%10_000)}, MessagesThrown: []string{"order_placed"}}
	}
	for b.Loop() {
		if err := st.ReplaceModelIndex(ctx, procs, nil); err != nil {
			b.Fatal(err)
		}
	}
}
