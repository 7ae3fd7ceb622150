package store

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// claimFixture writes n running instances, each with a timer due at base
// plus i seconds and a service job created then, and one suspended
// instance with a timer due at base.
func claimFixture(t *testing.T, s *Store, base time.Time, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	err := s.InTx(ctx, func(tx *Tx) error {
		for i := range n + 1 {
			status := StatusRunning
			if i == n {
				status = StatusSuspended
			}
			id, err := tx.CreateInstance(ctx, Instance{ModelID: "m", ProcessID: "p", Status: status, StartedBy: "alice",
				StartedAt: base, UpdatedAt: base, Snapshot: []byte("{}")})
			if err != nil {
				return err
			}
			due := base.Add(time.Duration(i) * time.Second)
			if i == n {
				due = base
			}
			if err := tx.ReplaceTimers(ctx, id, []Timer{{TaskID: 3, ElementID: "wait", DueAt: due}}); err != nil {
				return err
			}
			if status == StatusRunning {
				ids = append(ids, id)
				if err := tx.AddServiceJob(ctx, ServiceJob{InstanceID: id, TaskID: 4, ElementID: "call", Operator: "http/GetRequestV2",
					Params: "{}", TaskData: "{}", CreatedAt: due}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestClaimTimers(t *testing.T) { forEachDialect(t, testClaimTimers) }

func testClaimTimers(t *testing.T, d dialect) {
	ctx := context.Background()
	s := openTest(t, d)
	base := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	ids := claimFixture(t, s, base, 3)
	claim := func(now time.Time) []int64 {
		t.Helper()
		got, err := s.ClaimDueTimerInstances(ctx, now, time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	// At base+1s the first two are due; the suspended instance is not run.
	if diff := cmp.Diff(ids[:2], claim(base.Add(time.Second))); diff != "" {
		t.Errorf("first claim (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(ids[2:3], claim(base.Add(2*time.Second))); diff != "" {
		t.Errorf("claimed timers came back before their lease ended (-want +got):\n%s", diff)
	}
	if err := s.ReleaseTimers(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ids[1:2], claim(base.Add(2*time.Second))); diff != "" {
		t.Errorf("after release (-want +got):\n%s", diff)
	}
	// A step that saves the instance rewrites its timers: the claim ends.
	if err := s.InTx(ctx, func(tx *Tx) error {
		return tx.ReplaceTimers(ctx, ids[0], []Timer{{TaskID: 5, ElementID: "again", DueAt: base}})
	}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ids[0:1], claim(base.Add(2*time.Second))); diff != "" {
		t.Errorf("after the timers were rewritten (-want +got):\n%s", diff)
	}
	// A process that died holding a claim loses it when the lease ends.
	if diff := cmp.Diff(ids, claim(base.Add(2*time.Minute))); diff != "" {
		t.Errorf("after the lease (-want +got):\n%s", diff)
	}
}

func TestClaimServiceJobs(t *testing.T) { forEachDialect(t, testClaimServiceJobs) }

func testClaimServiceJobs(t *testing.T, d dialect) {
	ctx := context.Background()
	s := openTest(t, d)
	base := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	ids := claimFixture(t, s, base, 3)
	claim := func(now time.Time, limit int) []int64 {
		t.Helper()
		jobs, err := s.ClaimServiceJobs(ctx, now, time.Minute, limit)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, j := range jobs {
			if j.TaskID != 4 || j.Operator != "http/GetRequestV2" {
				t.Errorf("claimed job %+v", j)
			}
			got = append(got, j.InstanceID)
		}
		return got
	}
	if diff := cmp.Diff(ids[:2], claim(base, 2)); diff != "" {
		t.Errorf("oldest two (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(ids[2:], claim(base, 10)); diff != "" {
		t.Errorf("the rest (-want +got):\n%s", diff)
	}
	if got := claim(base, 10); len(got) != 0 {
		t.Errorf("claimed jobs handed out again: %v", got)
	}
	if err := s.ReleaseServiceJob(ctx, ids[1], 4); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ids[1:2], claim(base, 10)); diff != "" {
		t.Errorf("after release (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(ids, claim(base.Add(2*time.Minute), 10)); diff != "" {
		t.Errorf("after the lease (-want +got):\n%s", diff)
	}
}

// TestClaimsAreExclusive has several claimers race over many due timers and
// jobs: each is handed out exactly once.
func TestClaimsAreExclusive(t *testing.T) { forEachDialect(t, testClaimsAreExclusive) }

func testClaimsAreExclusive(t *testing.T, d dialect) {
	ctx := context.Background()
	s := openTest(t, d)
	base := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	const n = 200
	ids := claimFixture(t, s, base, n)
	now := base.Add(time.Hour)

	var mu sync.Mutex
	var timers, jobs []int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := s.ClaimDueTimerInstances(ctx, now, time.Hour, 7)
				if err != nil {
					errs <- err
					return
				}
				js, err := s.ClaimServiceJobs(ctx, now, time.Hour, 7)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				timers = append(timers, got...)
				for _, j := range js {
					jobs = append(jobs, j.InstanceID)
				}
				mu.Unlock()
				if len(got) == 0 && len(js) == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for what, got := range map[string][]int64{"timers": timers, "jobs": jobs} {
		slices.Sort(got)
		if diff := cmp.Diff(ids, got); diff != "" {
			t.Errorf("%s claimed (-each once +got):\n%s", what, diff)
		}
	}
}
