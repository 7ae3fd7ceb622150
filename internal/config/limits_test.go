package config

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLimitsAndMetrics: the memory limits, the upload bound and the
// metrics token read sizes with units, keep their defaults, name the
// variable on bad input and mask the token in logs.
func TestLimitsAndMetrics(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]any{int64(64 << 20), int64(32 << 20), 2, ""},
		[]any{c.ScriptMaxBytes, c.TaskDataMaxBytes, c.UploadConcurrency, c.MetricsToken}); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	c, err = FromEnv(env(map[string]string{
		"WAYMARK_SCRIPT_MAX_BYTES":    "8388608",
		"WAYMARK_TASK_DATA_MAX_BYTES": "1.5 GiB",
		"WAYMARK_UPLOAD_CONCURRENCY":  "5",
		"WAYMARK_METRICS_TOKEN":       "scrape-token-0123456789",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]any{int64(8 << 20), int64(3 << 29), 5, "scrape-token-0123456789"},
		[]any{c.ScriptMaxBytes, c.TaskDataMaxBytes, c.UploadConcurrency, c.MetricsToken}); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	if logged := slog.AnyValue(c).Resolve().String(); strings.Contains(logged, "scrape-token") {
		t.Errorf("metrics token leaks into the log value: %s", logged)
	}

	bad := []struct{ name, value string }{
		{"WAYMARK_SCRIPT_MAX_BYTES", "64 apples"},
		{"WAYMARK_SCRIPT_MAX_BYTES", "1KiB"},
		{"WAYMARK_TASK_DATA_MAX_BYTES", "-5"},
		{"WAYMARK_UPLOAD_CONCURRENCY", "0"},
		{"WAYMARK_UPLOAD_CONCURRENCY", "many"},
		{"WAYMARK_METRICS_TOKEN", "short"},
	}
	for _, b := range bad {
		t.Run(b.name+"="+b.value, func(t *testing.T) {
			_, err := FromEnv(env(map[string]string{b.name: b.value}))
			if err == nil || !strings.HasPrefix(err.Error(), b.name+":") {
				t.Errorf("error = %v, want one naming %s", err, b.name)
			}
		})
	}
}
