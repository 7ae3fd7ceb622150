package runner_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/waymark-bpm/waymark/internal/pgtest"
	"github.com/waymark-bpm/waymark/internal/runner"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// forEachDatabase runs a test against a fresh SQLite file and a fresh
// PostgreSQL database, each with the models given.
func forEachDatabase(t *testing.T, models []string, test func(t *testing.T, e *env)) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			e := &env{specs: newSpecs(t, models...), clock: &fakeClock{now: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)},
				dbPath: filepath.Join(t.TempDir(), "waymark.db")}
			if db == "postgres" {
				e.pgURL = pgtest.NewDatabase(t)
			}
			e.open(t, runner.Options{})
			test(t, e)
		})
	}
}
