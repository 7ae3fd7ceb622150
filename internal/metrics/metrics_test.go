package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func scrapeBody(t *testing.T, m *Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("scrape: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return string(b)
}

// TestStoredStateGauges: the gauges read at scrape time show what the
// sources return, the lag is measured from the oldest due timer to now,
// and a failing source leaves its gauge out and counts the failure.
func TestStoredStateGauges(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	failing := false
	m := New(Sources{
		InstanceCounts: func(ctx context.Context) (map[string]int, error) {
			if failing {
				return nil, errors.New("database is closed")
			}
			return map[string]int{"running": 7, "error": 1}, nil
		},
		QueueDepth: func(ctx context.Context, at time.Time) (map[string]int, error) {
			return map[string]int{"service_jobs": 3, "due_timers": 2}, nil
		},
		OldestDueTimer: func(ctx context.Context, at time.Time) (time.Time, bool, error) {
			return at.Add(-90 * time.Second), true, nil
		},
		Now: func() time.Time { return now },
	})
	m.ObserveRequest("GET /inbox", 200, 3*time.Millisecond)
	m.ObserveRequest("GET /inbox", 999, time.Millisecond)
	m.ObserveTx(2*time.Millisecond, time.Millisecond, 4)
	body := scrapeBody(t, m)
	for _, want := range []string{
		`waymark_instances{status="running"} 7`,
		`waymark_instances{status="error"} 1`,
		`waymark_job_queue_depth{kind="service_jobs"} 3`,
		`waymark_job_queue_depth{kind="due_timers"} 2`,
		`waymark_scheduler_lag_seconds 90`,
		`waymark_http_requests_total{code="200",route="GET /inbox"} 1`,
		`waymark_http_requests_total{code="other",route="GET /inbox"} 1`,
		`waymark_db_write_batch_size_sum 4`,
		`waymark_metrics_source_errors_total 0`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("want line %s", want)
		}
	}
	failing = true
	body = scrapeBody(t, m)
	if strings.Contains(body, "waymark_instances{") || !strings.Contains(body, "waymark_metrics_source_errors_total 1\n") {
		t.Error("a failing source should drop its gauge and count one error")
	}
}

// TestNilMetrics: a nil *Metrics records nothing and does not panic.
func TestNilMetrics(t *testing.T) {
	var m *Metrics
	m.ObserveRequest("/", 200, time.Millisecond)
	m.StepSaved()
	m.TaskCompleted()
	m.ObserveTx(time.Millisecond, time.Millisecond, 1)
}

// Requests of the same route and status count on one series however often
// they come and from however many goroutines, codes that share a label
// share a series, and each route has one duration histogram.
func TestObserveRequestRepeated(t *testing.T) {
	m := New(Sources{})
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 50 {
				m.ObserveRequest("POST /api/tasks/{instance}/{task}", 200, time.Millisecond)
				m.ObserveRequest("POST /api/tasks/{instance}/{task}", 422, time.Millisecond)
				m.ObserveRequest("GET /inbox", 998, time.Millisecond)
				m.ObserveRequest("GET /inbox", 999, time.Millisecond)
			}
		}()
	}
	for range 4 {
		<-done
	}
	body := scrapeBody(t, m)
	for _, want := range []string{
		`waymark_http_requests_total{code="200",route="POST /api/tasks/{instance}/{task}"} 200`,
		`waymark_http_requests_total{code="422",route="POST /api/tasks/{instance}/{task}"} 200`,
		`waymark_http_requests_total{code="other",route="GET /inbox"} 400`,
		`waymark_http_request_duration_seconds_count{route="POST /api/tasks/{instance}/{task}"} 400`,
		`waymark_http_request_duration_seconds_count{route="GET /inbox"} 400`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("want line %s", want)
		}
	}
}
