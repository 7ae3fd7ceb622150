// Package metrics declares every Prometheus collector Waymark exports on
// /metrics, in this one file, with the official client library
// (github.com/prometheus/client_golang). Handlers, the runner and the store
// only call the small methods below; nothing else registers collectors.
//
// A Metrics value owns its own registry (no global one), so several
// applications in one test process do not collide. Every method is safe
// on a nil *Metrics, which records nothing.
//
// The package imports no other Waymark package: the store and the runner
// declare observer interfaces that *Metrics satisfies, and cmd/web wires
// them, so the arrows of DESIGN.md stay as they are. Gauges that describe
// stored state (instances by status, queued jobs, the oldest due timer) are
// read from Sources when Prometheus scrapes, never kept in memory.
//
// Names (all documented in README.md, "Metrics"):
//
//	waymark_http_requests_total{route,code}
//	waymark_http_request_duration_seconds{route}
//	waymark_steps_total
//	waymark_task_completions_total
//	waymark_instances{status}
//	waymark_scheduler_lag_seconds
//	waymark_job_queue_depth{kind}
//	waymark_db_transaction_duration_seconds
//	waymark_db_commit_duration_seconds
//	waymark_db_write_batch_size
//	waymark_db_checkpoints_total{mode}
//	waymark_db_log_pages
//	waymark_metrics_source_errors_total
//
// plus the client library's go_* and process_* collectors (heap, GC,
// goroutines, resident memory, open files).
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Sources are read when /metrics is scraped. Any may be nil.
type Sources struct {
	// InstanceCounts returns the number of instances per status.
	InstanceCounts func(ctx context.Context) (map[string]int, error)
	// QueueDepth returns the background work waiting, per kind
	// ("service_jobs", "due_timers").
	QueueDepth func(ctx context.Context, now time.Time) (map[string]int, error)
	// OldestDueTimer returns the due time of the earliest timer that is
	// due by now and not yet fired; ok is false when none is.
	OldestDueTimer func(ctx context.Context, now time.Time) (due time.Time, ok bool, err error)
	// Checkpoints returns the write-ahead log checkpoints done so far
	// (passive ones beside the writer, restarts of the log by the writer)
	// and the log's size in pages when last checked.
	Checkpoints func() (passive, restarts, logPages int64)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Metrics holds every collector.
type Metrics struct {
	reg            *prometheus.Registry
	requests       *prometheus.CounterVec
	requestSeconds *prometheus.HistogramVec
	steps          prometheus.Counter
	completions    prometheus.Counter
	txSeconds      prometheus.Histogram
	commitSeconds  prometheus.Histogram
	batchSize      prometheus.Histogram
	// The children of requests and requestSeconds each request used, so
	// a request looks its labels up in one map instead of hashing them
	// (the vectors' children are never deleted, so entries stay valid).
	routeChildren sync.Map // routeCode -> prometheus.Counter
	routeTimers   sync.Map // route -> prometheus.Observer
}

type routeCode struct {
	route string
	code  int
}

// scrapeTimeout bounds the store queries of one scrape.
const scrapeTimeout = 5 * time.Second

// New declares and registers every collector.
func New(src Sources) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "waymark_http_requests_total",
		Help: "HTTP requests answered, by route pattern and status code.",
	}, []string{"route", "code"})
	m.requestSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "waymark_http_request_duration_seconds",
		Help:    "Time from receiving an HTTP request to the end of its response, by route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route"})
	m.steps = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "waymark_steps_total",
		Help: "Instance steps persisted (a start, a task completion, a timer, a service answer, a message ...).",
	})
	m.completions = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "waymark_task_completions_total",
		Help: "Human tasks completed (forms and the JSON API).",
	})
	m.txSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "waymark_db_transaction_duration_seconds",
		Help:    "Time of a write transaction from its begin to the end of its commit.",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5},
	})
	m.commitSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "waymark_db_commit_duration_seconds",
		Help:    "Time of the COMMIT of a write transaction (the fsync with synchronous=FULL).",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5},
	})
	m.batchSize = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "waymark_db_write_batch_size",
		Help:    "Units of work (steps, claims, index updates) committed together in one write transaction.",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
	})
	m.reg.MustRegister(m.requests, m.requestSeconds, m.steps, m.completions,
		m.txSeconds, m.commitSeconds, m.batchSize,
		newStoredState(src),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in Prometheus' text format (or OpenMetrics
// when the scraper asks for it).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{EnableOpenMetrics: true})
}

// ObserveRequest records one answered HTTP request. route must be a
// registered pattern (bounded), never the raw path.
func (m *Metrics) ObserveRequest(route string, code int, d time.Duration) {
	if m == nil {
		return
	}
	k := routeCode{route, code}
	c, ok := m.routeChildren.Load(k)
	if !ok {
		c, _ = m.routeChildren.LoadOrStore(k, m.requests.WithLabelValues(route, statusText(code)))
	}
	c.(prometheus.Counter).Inc()
	o, ok := m.routeTimers.Load(route)
	if !ok {
		o, _ = m.routeTimers.LoadOrStore(route, m.requestSeconds.WithLabelValues(route))
	}
	o.(prometheus.Observer).Observe(d.Seconds())
}

// StepSaved counts one persisted instance step.
func (m *Metrics) StepSaved() {
	if m == nil {
		return
	}
	m.steps.Inc()
}

// TaskCompleted counts one completed human task.
func (m *Metrics) TaskCompleted() {
	if m == nil {
		return
	}
	m.completions.Inc()
}

// ObserveTx records one committed write transaction: its whole duration,
// the commit's, and how many units of work it carried.
func (m *Metrics) ObserveTx(total, commit time.Duration, units int) {
	if m == nil {
		return
	}
	m.txSeconds.Observe(total.Seconds())
	m.commitSeconds.Observe(commit.Seconds())
	m.batchSize.Observe(float64(units))
}

// statusText keeps the code label to three digits whatever a handler
// wrote.
func statusText(code int) string {
	if code < 100 || code > 599 {
		return "other"
	}
	return strconv.Itoa(code)
}

// storedState is the collector of gauges read from the store at scrape
// time.
type storedState struct {
	src       Sources
	instances *prometheus.Desc
	lag       *prometheus.Desc
	queue     *prometheus.Desc
	// checkpoints and logPages are read from the store's counters, not
	// the database.
	checkpoints *prometheus.Desc
	logPages    *prometheus.Desc
	errors      prometheus.Counter
}

func newStoredState(src Sources) *storedState {
	return &storedState{
		src: src,
		instances: prometheus.NewDesc("waymark_instances",
			"Process instances stored, by status (running, suspended, error, completed, terminated).", []string{"status"}, nil),
		lag: prometheus.NewDesc("waymark_scheduler_lag_seconds",
			"How long the earliest due timer has been waiting to fire (0 when none is due): the scheduler's delay.", nil, nil),
		queue: prometheus.NewDesc("waymark_job_queue_depth",
			"Background work waiting, by kind: service_jobs (service calls not yet answered), due_timers (timers due and not yet fired).", []string{"kind"}, nil),
		checkpoints: prometheus.NewDesc("waymark_db_checkpoints_total",
			"SQLite write-ahead log checkpoints, by mode: passive (copying the log into the database beside the writer), restart (the writer moving the log back to its start).", []string{"mode"}, nil),
		logPages: prometheus.NewDesc("waymark_db_log_pages",
			"Pages in SQLite's write-ahead log when the checkpointer last looked.", nil, nil),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "waymark_metrics_source_errors_total",
			Help: "Scrapes in which reading a stored-state gauge from the database failed (the gauge is left out).",
		}),
	}
}

func (s *storedState) Describe(ch chan<- *prometheus.Desc) {
	ch <- s.instances
	ch <- s.lag
	ch <- s.queue
	ch <- s.checkpoints
	ch <- s.logPages
	s.errors.Describe(ch)
}

func (s *storedState) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	now := time.Now()
	if s.src.Now != nil {
		now = s.src.Now()
	}
	if f := s.src.InstanceCounts; f != nil {
		if counts, err := f(ctx); err != nil {
			s.errors.Inc()
		} else {
			for status, n := range counts {
				ch <- prometheus.MustNewConstMetric(s.instances, prometheus.GaugeValue, float64(n), status)
			}
		}
	}
	if f := s.src.QueueDepth; f != nil {
		if depth, err := f(ctx, now); err != nil {
			s.errors.Inc()
		} else {
			for kind, n := range depth {
				ch <- prometheus.MustNewConstMetric(s.queue, prometheus.GaugeValue, float64(n), kind)
			}
		}
	}
	if f := s.src.OldestDueTimer; f != nil {
		if due, ok, err := f(ctx, now); err != nil {
			s.errors.Inc()
		} else {
			lag := 0.0
			if ok && now.After(due) {
				lag = now.Sub(due).Seconds()
			}
			ch <- prometheus.MustNewConstMetric(s.lag, prometheus.GaugeValue, lag)
		}
	}
	if f := s.src.Checkpoints; f != nil {
		passive, restarts, pages := f()
		ch <- prometheus.MustNewConstMetric(s.checkpoints, prometheus.CounterValue, float64(passive), "passive")
		ch <- prometheus.MustNewConstMetric(s.checkpoints, prometheus.CounterValue, float64(restarts), "restart")
		ch <- prometheus.MustNewConstMetric(s.logPages, prometheus.GaugeValue, float64(pages))
	}
	s.errors.Collect(ch)
}
