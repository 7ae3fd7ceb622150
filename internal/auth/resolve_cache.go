package auth

import (
	"context"
	"slices"
	"sync"
)

// Every request resolves its cookie or bearer token to a sign-in, the
// sign-in to a user and the user to their groups: four or five reads
// before the request does its own work. The results are kept between
// requests, tagged with the store's auth version (store.AuthVersion),
// which every write that could change them moves, whichever process or
// command makes it. A request reads that one number; when it differs from
// the one the cache was filled under, the cache is emptied and filled
// again from the database. So a sign-out, a disabled user, a revoked token
// or a changed membership counts from the next request on, as before.

// versionSource is the store's auth version; a store without one (a test
// double) turns caching off.
type versionSource interface {
	AuthVersion(ctx context.Context) (int64, error)
}

// maxCached bounds each cache; past it the cache starts again empty.
const maxCached = 10000

// versioned is a map valid for one auth version.
type versioned[K comparable, V any] struct {
	mu      sync.Mutex
	version int64
	m       map[K]V
}

// get returns the entry for k when it was stored under version v. A
// different v empties the cache first.
func (c *versioned[K, V]) get(v int64, k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != v || c.m == nil {
		c.version, c.m = v, map[K]V{}
	}
	e, ok := c.m[k]
	return e, ok
}

// put stores val for k, read from the database after version v was read.
func (c *versioned[K, V]) put(v int64, k K, val V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != v || c.m == nil || len(c.m) >= maxCached {
		c.version, c.m = v, map[K]V{}
	}
	c.m[k] = val
}

// drop forgets k.
func (c *versioned[K, V]) drop(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, k)
}

// versionMemo holds the auth version read for one request's resolution.
type versionMemo struct {
	n  int64
	ok bool
}

type versionMemoKey struct{}

// ResolveOnce returns a context under which the session, token and user
// lookups of one request read the auth version once between them. Use it
// only for the lookups that resolve who the request is, before the
// request's own work: a write made under it would not be seen by later
// lookups under the same context.
func ResolveOnce(ctx context.Context) context.Context {
	return context.WithValue(ctx, versionMemoKey{}, &versionMemo{})
}

// authVersion reads the auth version, once per ResolveOnce context; ok is
// false when src has none.
func authVersion(ctx context.Context, src any) (v int64, ok bool, err error) {
	vs, has := src.(versionSource)
	if !has {
		return 0, false, nil
	}
	memo, _ := ctx.Value(versionMemoKey{}).(*versionMemo)
	if memo != nil && memo.ok {
		return memo.n, true, nil
	}
	n, err := vs.AuthVersion(ctx)
	if err != nil {
		return 0, false, err
	}
	if memo != nil {
		memo.n, memo.ok = n, true
	}
	return n, true, nil
}

// cloneUser returns u with its own group list, so a caller that changes
// it does not change the cached one.
func cloneUser(u User) User {
	u.Groups = slices.Clone(u.Groups)
	return u
}
