package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// benchSession is one signed-in session that every client shares: signing
// in costs a bcrypt hash, which is not what the load measures.
type benchSession struct {
	cookie string // the Cookie header
	csrf   string
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// benchSignIn signs username in through the sign-in form and returns the
// session's cookie and CSRF token.
func benchSignIn(ctx context.Context, base, username, password string) (benchSession, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	token := func(path string) (string, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		resp, err := c.Do(req)
		if err != nil {
			return "", err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := csrfField.FindSubmatch(body)
		if m == nil {
			return "", fmt.Errorf("sign in: no CSRF token on %s (status %d)", path, resp.StatusCode)
		}
		return string(m[1]), nil
	}
	tok, err := token("/sign-in")
	if err != nil {
		return benchSession{}, err
	}
	form := url.Values{"csrf_token": {tok}, "username": {username}, "password": {password}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return benchSession{}, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return benchSession{}, fmt.Errorf("sign in as %s: status %d", username, resp.StatusCode)
	}
	if tok, err = token("/inbox"); err != nil {
		return benchSession{}, err
	}
	u, _ := url.Parse(base)
	var cookies []string
	for _, ck := range jar.Cookies(u) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	return benchSession{cookie: strings.Join(cookies, "; "), csrf: tok}, nil
}

// load is one bench run's shared state.
type load struct {
	base       string
	mode       string
	session    benchSession
	pool       chan taskRef
	startEvery int
	inboxEvery int
	// budget is the completions still to issue when limited is set.
	limited bool
	budget  atomic.Int64
	ranOut  atomic.Bool

	client_ *http.Client
	once    sync.Once

	mu    sync.Mutex
	stats map[string]*opStats
	acks  []taskRef
}

// opStats is what one kind of request measured.
type opStats struct {
	ok       int
	lat      []time.Duration
	byStatus map[string]int
}

func (l *load) http() *http.Client {
	l.once.Do(func() {
		tr := &http.Transport{MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, IdleConnTimeout: time.Minute}
		l.client_ = &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	})
	return l.client_
}

// client issues requests until ctx ends, the completion budget is spent or
// no task is left. Requests themselves do not take ctx: one under way when
// the time is up finishes, so its answer is known.
func (l *load) client(ctx context.Context) {
	local := map[string]*opStats{}
	var acks []taskRef
	defer l.merge(local, &acks)
	for n := 1; ctx.Err() == nil; n++ {
		switch {
		case l.startEvery > 0 && n%l.startEvery == 0:
			l.start(local)
		case l.inboxEvery > 0 && n%l.inboxEvery == 0:
			l.inbox(local)
		default:
			if l.limited && l.budget.Add(-1) < 0 {
				return
			}
			var t taskRef
			select {
			case t = <-l.pool:
			default:
				l.ranOut.Store(true)
				return
			}
			if l.complete(local, t) {
				acks = append(acks, t)
			}
		}
	}
}

func (l *load) merge(local map[string]*opStats, acks *[]taskRef) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for name, s := range local {
		m := l.stats[name]
		if m == nil {
			m = &opStats{byStatus: map[string]int{}}
			l.stats[name] = m
		}
		m.ok += s.ok
		m.lat = append(m.lat, s.lat...)
		for k, v := range s.byStatus {
			m.byStatus[k] += v
		}
	}
	l.acks = append(l.acks, *acks...)
}

func (l *load) acked() []taskRef {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.acks
}

// do sends one request and records it under op; it returns the response
// (body read and closed) when its status is want.
func (l *load) do(local map[string]*opStats, op string, req *http.Request, want int) (*http.Response, bool) {
	s := local[op]
	if s == nil {
		s = &opStats{byStatus: map[string]int{}}
		local[op] = s
	}
	req.Header.Set("Cookie", l.session.cookie)
	t0 := time.Now()
	resp, err := l.http().Do(req)
	if err != nil {
		s.byStatus["transport error"]++
		return nil, false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	s.lat = append(s.lat, time.Since(t0))
	if resp.StatusCode != want {
		s.byStatus[strconv.Itoa(resp.StatusCode)]++
		return resp, false
	}
	s.ok++
	return resp, true
}

var taskPath = regexp.MustCompile(`/tasks/(\d+)/(\d+)$`)

// complete completes t; in form mode the redirect to the instance's next
// task (the review after a submit) puts that task in the pool.
func (l *load) complete(local map[string]*opStats, t taskRef) bool {
	var data map[string]string
	if t.review {
		data = map[string]string{"decision": "approve", "review_comment": "Fine."}
	} else {
		data = map[string]string{"description": "Hotel for the workshop", "amount": "120", "category": "travel", "spent_on": "2026-11-03"}
	}
	op := "complete"
	if !t.review {
		op = "complete submit"
	}
	if l.mode == "json" {
		body := map[string]any{}
		for k, v := range data {
			body[k] = v
		}
		if a, ok := data["amount"]; ok {
			body["amount"], _ = strconv.ParseFloat(a, 64)
		}
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/tasks/%d/%d", l.base, t.instance, t.task), bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", l.session.csrf)
		_, ok := l.do(local, op, req, http.StatusOK)
		return ok
	}
	form := url.Values{"csrf_token": {l.session.csrf}}
	for k, v := range data {
		form.Set(k, v)
	}
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/tasks/%d/%d/complete", l.base, t.instance, t.task), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, ok := l.do(local, op, req, http.StatusSeeOther)
	if ok {
		l.follow(resp, true)
	}
	return ok
}

// start starts an instance through the model page's form; the redirect to
// its submit task puts that task in the pool.
func (l *load) start(local map[string]*opStats) {
	form := url.Values{"csrf_token": {l.session.csrf}}
	req, _ := http.NewRequest(http.MethodPost, l.base+"/process-models/"+strings.ReplaceAll(benchModel, "/", ":")+"/start", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, ok := l.do(local, "start", req, http.StatusSeeOther); ok {
		l.follow(resp, false)
	}
}

func (l *load) follow(resp *http.Response, review bool) {
	m := taskPath.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		return
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	task, _ := strconv.Atoi(m[2])
	select {
	case l.pool <- taskRef{instance: id, task: task, review: review}:
	default:
	}
}

func (l *load) inbox(local map[string]*opStats) {
	path := "/api/tasks"
	if l.mode == "form" {
		path = "/inbox"
	}
	req, _ := http.NewRequest(http.MethodGet, l.base+path, nil)
	l.do(local, "inbox", req, http.StatusOK)
}

// report prints a line per kind of request and the errors by status, and
// reports whether any request failed with a server or transport error.
func (l *load) report(out io.Writer, elapsed time.Duration) (failed bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	names := make([]string, 0, len(l.stats))
	for name := range l.stats {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprintf(out, "ran %.1fs\n", elapsed.Seconds())
	fmt.Fprintf(out, "%-16s %9s %9s %9s %9s %9s %9s\n", "request", "ok", "ok/s", "p50 ms", "p95 ms", "p99 ms", "errors")
	var errs []string
	for _, name := range names {
		s := l.stats[name]
		slices.Sort(s.lat)
		nerr := 0
		for status, n := range s.byStatus {
			nerr += n
			errs = append(errs, fmt.Sprintf("%s %s: %d", name, status, n))
			if status == "transport error" || strings.HasPrefix(status, "5") {
				failed = true
			}
		}
		fmt.Fprintf(out, "%-16s %9d %9.0f %9.2f %9.2f %9.2f %9d\n", name, s.ok, float64(s.ok)/elapsed.Seconds(),
			pct(s.lat, 50), pct(s.lat, 95), pct(s.lat, 99), nerr)
	}
	sort.Strings(errs)
	if len(errs) == 0 {
		fmt.Fprintln(out, "errors by status: none")
	} else {
		fmt.Fprintf(out, "errors by status: %s\n", strings.Join(errs, ", "))
	}
	return failed
}

// pct is the p-th percentile of sorted latencies, in milliseconds.
func pct(sorted []time.Duration, p int) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := min(len(sorted)-1, len(sorted)*p/100)
	return float64(sorted[i].Microseconds()) / 1000
}
