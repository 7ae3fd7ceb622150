package auth

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestThrottleParallelGuessesAreCountedOneByOne(t *testing.T) {
	_, st := newDirectory(t)
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	th := NewThrottle(st, ThrottlePolicy{DelayAfter: 3, LockAfter: 5, IPLockAfter: 100, LockFor: 15 * time.Minute}, clock.Now)
	var mu sync.Mutex
	allowed := 0
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := th.Begin(context.Background(), "Alice", "192.0.2.7")
			if err != nil {
				t.Error(err)
				return
			}
			if a.Wait == 0 {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if allowed != 3 {
		t.Errorf("%d of 20 parallel attempts went ahead, want 3 (the free attempts)", allowed)
	}
}

func TestThrottleDelaysThenLocks(t *testing.T) {
	_, st := newDirectory(t)
	ctx := context.Background()
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	th := NewThrottle(st, ThrottlePolicy{DelayAfter: 2, LockAfter: 5, IPLockAfter: 100, LockFor: 15 * time.Minute}, clock.Now)
	begin := func() Attempt {
		a, err := th.Begin(ctx, "bob", "192.0.2.7")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	// Each failure is counted as it begins; a refused attempt counts nothing.
	var waits []time.Duration
	for failures := 0; failures < 5; {
		a := begin()
		waits = append(waits, a.Wait)
		if a.Wait > 0 {
			clock.t = clock.t.Add(a.Wait)
			continue
		}
		failures++
		if got := len(a.Locks) > 0; got != (failures == 5) {
			t.Errorf("failure %d locks %v", failures, a.Locks)
		}
	}
	locked := begin()
	if !locked.Locked || locked.Wait != 15*time.Minute {
		t.Errorf("after the fifth failure: %+v, want locked for 15m", locked)
	}
	want := []time.Duration{0, 0, time.Second, 0, 2 * time.Second, 0, 4 * time.Second, 0}
	if len(waits) != len(want) {
		t.Fatalf("waits %v, want %v", waits, want)
	}
	for i := range want {
		if waits[i] != want[i] {
			t.Errorf("waits %v, want %v", waits, want)
			break
		}
	}
	clock.t = clock.t.Add(locked.Wait)
	// The lock served, counting starts afresh; a success forgets failures.
	if a := begin(); a.Wait != 0 {
		t.Errorf("after the lock: wait %s", a.Wait)
	}
	if err := th.Succeeded(ctx, "bob", "192.0.2.7"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if a := begin(); a.Wait != 0 {
			t.Errorf("attempt %d after a success refused", i+1)
		}
	}
}

func TestThrottleSweep(t *testing.T) {
	_, st := newDirectory(t)
	ctx := context.Background()
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	th := NewThrottle(st, ThrottlePolicy{DelayAfter: 5, LockAfter: 2, IPLockAfter: 100, LockFor: 15 * time.Minute}, clock.Now)
	for _, u := range []string{"old", "locked", "locked"} {
		if _, err := th.Begin(ctx, u, "192.0.2.7"); err != nil {
			t.Fatal(err)
		}
		if u == "old" {
			clock.t = clock.t.Add(10 * time.Minute)
		}
	}
	clock.t = clock.t.Add(6 * time.Minute) // "old" is 16 minutes old; "locked" is locked for 9 more
	if n, err := th.Sweep(ctx); err != nil || n != 1 {
		t.Errorf("sweep deleted %d rows (%v), want 1 (the old failure)", n, err)
	}
	if a, _ := th.Begin(ctx, "locked", "192.0.2.8"); !a.Locked {
		t.Error("sweeping lifted a lock")
	}
}
