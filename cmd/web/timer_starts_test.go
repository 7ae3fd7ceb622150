package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/waymark-bpm/waymark/internal/store"
)

// timerStartVars is an app whose repository holds a model started every
// second by a timer start cycle, with the scheduler polling every 100ms.
func timerStartVars(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	bpmn, err := os.ReadFile("../../internal/runner/testdata/timerstart/timerstart.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	models := filepath.Join(dir, "models")
	for name, content := range map[string]string{
		"clock/process_group.json":        `{"display_name": "Clock"}`,
		"clock/ticker/process_model.json": `{"display_name": "Ticker", "primary_file_name": "timerstart.bpmn", "primary_process_id": "ticker"}`,
		"clock/ticker/timerstart.bpmn":    string(bpmn),
	} {
		p := filepath.Join(models, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return map[string]string{"WAYMARK_DATA_DIR": filepath.Join(dir, "data"), "WAYMARK_MODELS_DIR": models,
		"WAYMARK_EXAMPLES": "false", "WAYMARK_SCHEDULER_INTERVAL": "100ms"}
}

// tickerStarts returns the due times the ticker's instances were started
// for, from their "started" events.
func tickerStarts(t *testing.T, st *store.Store) []string {
	t.Helper()
	ctx := context.Background()
	rows, _, err := st.Instances(ctx, store.InstanceFilter{ModelID: "clock/ticker", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var dues []string
	for _, in := range rows {
		events, err := st.InstanceEvents(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if e.Event == "started" {
				_, due, _ := strings.Cut(e.Detail, " due ")
				dues = append(dues, due)
			}
		}
	}
	return dues
}

// waitStarts polls until the ticker has at least n instances.
func waitStarts(t *testing.T, st *store.Store, n int) []string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		dues := tickerStarts(t, st)
		if len(dues) >= n {
			return dues
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d ticker instances after a minute, want %d", len(dues), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestTimerStartCycleAcrossRestart: the real server starts the ticker
// about once a second by itself, keeps doing so after a restart, and
// never starts two instances for one due time.
func TestTimerStartCycleAcrossRestart(t *testing.T) {
	vars := timerStartVars(t)
	first := startApp(t, vars)
	waitStarts(t, first.app.store, 2)
	first.stop()

	second := startApp(t, vars)
	n := len(tickerStarts(t, second.app.store))
	dues := waitStarts(t, second.app.store, n+2)
	second.stop()
	seen := map[string]bool{}
	for _, d := range dues {
		if d == "" {
			t.Fatalf("a started event without its due time: %q", dues)
		}
		if seen[d] {
			t.Fatalf("two instances started for the due time %s: %q", d, dues)
		}
		seen[d] = true
	}
}
