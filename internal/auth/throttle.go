package auth

import (
	"context"
	"strings"
	"time"

	"github.com/waymark-bpm/waymark/internal/store"
)

// ThrottlePolicy says how failed sign-ins slow down and then lock further
// attempts. Failures are counted per username as typed (known or not, so
// an unknown username is throttled exactly like a real one) and per client
// address.
type ThrottlePolicy struct {
	// DelayAfter failures in a row, each further attempt must wait: 1s
	// after the last failure, then 2s, 4s, ... up to LockFor. For a client
	// address the delays start at half of IPLockAfter if that is later.
	DelayAfter int
	// LockAfter failures for one username lock it for LockFor.
	LockAfter int
	// IPLockAfter failures from one client address lock the address for
	// LockFor. It is higher than LockAfter: many people may share an
	// address.
	IPLockAfter int
	// LockFor is how long a lock lasts, and how long a failure is
	// remembered.
	LockFor time.Duration
}

// Throttle counts sign-in attempts in the database, so every process
// serving the same database agrees and a restart does not reset them.
type Throttle struct {
	db     *store.Store
	policy ThrottlePolicy
	now    func() time.Time
}

// NewThrottle returns a Throttle; now nil means time.Now.
func NewThrottle(db *store.Store, p ThrottlePolicy, now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{db: db, policy: p, now: now}
}

// Attempt is the throttle's answer to a sign-in attempt.
type Attempt struct {
	// Wait is how long until an attempt is allowed again; an attempt with
	// Wait > 0 was refused before the password was looked at.
	Wait time.Duration
	// Locked reports that the refusal is a lock (rather than a delay).
	Locked bool
	// Locks names the keys ("user:…", "ip:…") this attempt would lock if
	// it fails; a successful attempt undoes them.
	Locks []string
}

func userKey(username string) string {
	return "user:" + strings.ToLower(strings.TrimSpace(username))
}

func ipKey(ip string) string { return "ip:" + ip }

// backoff is the wait after n failures in a row for key. An address
// slows down only from half its lock limit on: many people may share it.
func (t *Throttle) backoff(key string, n int) time.Duration {
	after := t.policy.DelayAfter
	if strings.HasPrefix(key, "ip:") {
		after = max(after, t.policy.IPLockAfter/2)
	}
	over := n - after
	if over < 0 {
		return 0
	}
	d := time.Second
	for i := 0; i < over && d < t.policy.LockFor; i++ {
		d *= 2
	}
	return min(d, t.policy.LockFor)
}

// Begin decides whether an attempt for username from clientIP may go
// ahead and, when it may, counts it as a failure before the password is
// checked: checking and counting happen in one transaction, so guesses
// sent in parallel are counted one by one. Call Succeeded when the
// password was right.
func (t *Throttle) Begin(ctx context.Context, username, clientIP string) (Attempt, error) {
	var a Attempt
	now := t.now()
	limits := map[string]int{userKey(username): t.policy.LockAfter, ipKey(clientIP): t.policy.IPLockAfter}
	err := t.db.UpdateThrottles(ctx, []string{userKey(username), ipKey(clientIP)}, func(cur []store.Throttle) []store.Throttle {
		a = Attempt{}
		for i := range cur {
			c := &cur[i]
			if !c.LockedUntil.IsZero() && now.Before(c.LockedUntil) {
				a.Wait, a.Locked = max(a.Wait, c.LockedUntil.Sub(now)), true
				continue
			}
			if !c.LockedUntil.IsZero() || now.Sub(c.LastAt) >= t.policy.LockFor {
				// A lock served, or failures long ago: start afresh.
				c.Failures, c.LockedUntil = 0, time.Time{}
			}
			if next := c.LastAt.Add(t.backoff(c.Key, c.Failures)); c.Failures > 0 && now.Before(next) {
				a.Wait = max(a.Wait, next.Sub(now))
			}
		}
		if a.Wait > 0 {
			return nil // refused: nothing counted, nothing changed
		}
		for i := range cur {
			c := &cur[i]
			c.Failures++
			c.LastAt = now
			if c.Failures >= limits[c.Key] {
				c.LockedUntil = now.Add(t.policy.LockFor)
				a.Locks = append(a.Locks, c.Key)
			}
		}
		return cur
	})
	return a, err
}

// Succeeded undoes what Begin counted for an attempt whose password was
// right: the username's failures are forgotten, and the address's count
// goes back by the one attempt (other failures from it still count).
func (t *Throttle) Succeeded(ctx context.Context, username, clientIP string) error {
	return t.db.UpdateThrottles(ctx, []string{userKey(username), ipKey(clientIP)}, func(cur []store.Throttle) []store.Throttle {
		for i := range cur {
			c := &cur[i]
			if c.Key == userKey(username) {
				c.Failures = 0
				continue
			}
			if c.Failures > 0 {
				c.Failures--
			}
			// Begin refuses while a lock lasts, so a lock seen here was
			// set by this very attempt.
			if c.Failures < t.policy.IPLockAfter {
				c.LockedUntil = time.Time{}
			}
		}
		return cur
	})
}

// Sweep forgets failures older than LockFor whose locks have ended; Begin
// ignores them anyway, this only keeps the table small when many
// usernames are tried.
func (t *Throttle) Sweep(ctx context.Context) (int64, error) {
	now := t.now()
	return t.db.DeleteStaleThrottles(ctx, now.Add(-t.policy.LockFor), now)
}
