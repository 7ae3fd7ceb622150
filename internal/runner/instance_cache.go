package runner

import (
	"container/list"
	"context"
	"fmt"
	"sync"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
	"github.com/waymark-bpm/waymark/internal/store"
)

// instanceCache keeps instances restored for a step in memory after the
// step is stored, so that the next step of the same instance skips reading
// its snapshot and restoring it: for an instance with a long history
// (a 10,000-item multi-instance activity) that is most of a step's cost.
//
// The cache is only a hint. An entry names the stored version it equals
// and the model library it was restored against; a step takes the entry
// out (nobody else may use an instance the engine is changing) and uses it
// only when the stored row still has that version and the model is still
// that library. Any other writer, in this process or another one on the
// same database, changes the version, so the step then reads the snapshot
// as it would without a cache. An entry goes back in only after its step
// is committed; a step that fails or conflicts leaves it out, since the
// engine changed the instance in place.
//
// The cache is bounded by a count and by an approximate size, and drops
// the least recently stored entries first. An instance's size in memory is
// estimated as bytesPerSnapshotByte times its last snapshot's length: the
// live heap of a restored 10,000-item multi-instance instance, with the
// encoding its snapshots reuse, is 4.8 times its 1.9 MB snapshot.
type instanceCache struct {
	mu       sync.Mutex
	maxBytes int64
	bytes    int64
	lru      *list.List // of *cacheEntry, most recently stored first
	byID     map[int64]*list.Element
	stats    CacheStats
}

type cacheEntry struct {
	id      int64
	version int64
	lib     *spec.Library
	inst    *engine.Instance
	stored  *store.DerivedRows
	size    int64
}

// CacheStats count what the instance cache did: steps it served (Hits),
// steps of an instance it held at another version or model (Stale) or did
// not hold (Misses), entries dropped for room (Evicted); and what it holds
// now.
type CacheStats struct {
	Hits, Misses, Stale, Evicted int
	Entries                      int
	Bytes                        int64
}

// maxCachedInstances bounds the number of entries whatever their size.
const maxCachedInstances = 10000

// bytesPerSnapshotByte estimates an instance's memory from its snapshot.
const bytesPerSnapshotByte = 5

func newInstanceCache(maxBytes int64) *instanceCache {
	if maxBytes <= 0 {
		return nil
	}
	return &instanceCache{maxBytes: maxBytes, lru: list.New(), byID: map[int64]*list.Element{}}
}

// take removes and returns the instance stored for id at version against
// lib, with its derived rows, or nil. An entry for id at another version
// or library is dropped.
func (c *instanceCache) take(id, version int64, lib *spec.Library) (*engine.Instance, *store.DerivedRows) {
	if c == nil {
		return nil, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byID[id]
	if !ok {
		c.stats.Misses++
		return nil, nil
	}
	e := c.remove(el)
	if e.version != version || e.lib != lib {
		c.stats.Stale++
		return nil, nil
	}
	c.stats.Hits++
	return e.inst, e.stored
}

// has says whether there is an entry for id (at any version).
func (c *instanceCache) has(id int64) bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.byID[id]
	if !ok {
		c.stats.Misses++
	}
	return ok
}

// put stores the instance as stored at version, replacing any entry for
// id, and drops the oldest entries over the bounds. An instance larger
// than the whole cache is not kept.
func (c *instanceCache) put(id, version int64, lib *spec.Library, inst *engine.Instance, stored *store.DerivedRows, size int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byID[id]; ok {
		c.remove(el)
	}
	if size > c.maxBytes {
		return
	}
	c.byID[id] = c.lru.PushFront(&cacheEntry{id: id, version: version, lib: lib, inst: inst, stored: stored, size: size})
	c.bytes += size
	for c.bytes > c.maxBytes || c.lru.Len() > maxCachedInstances {
		c.remove(c.lru.Back())
		c.stats.Evicted++
	}
}

// forget drops the entry for id, if any.
func (c *instanceCache) forget(id int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byID[id]; ok {
		c.remove(el)
	}
}

func (c *instanceCache) remove(el *list.Element) *cacheEntry {
	e := c.lru.Remove(el).(*cacheEntry)
	delete(c.byID, e.id)
	c.bytes -= e.size
	return e
}

// InstanceCacheStats reports what the instance cache did and holds.
func (r *Runner) InstanceCacheStats() CacheStats {
	c := r.cache
	if c == nil {
		return CacheStats{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Entries, s.Bytes = c.lru.Len(), c.bytes
	return s
}

// loadCached is load for an instance the cache may hold: it reads the
// instance's row without its snapshot and takes the cached instance if it
// is the stored version restored against the model as it is now. It
// returns nil and no error when the cache cannot serve the step.
func (r *Runner) loadCached(ctx context.Context, id int64, actor string) (*loaded, error) {
	row, err := r.store.InstanceHead(ctx, id)
	if err != nil {
		r.cache.forget(id)
		return nil, err
	}
	lib, _, err := r.specs.LoadModel(ctx, row.ModelID)
	if err != nil {
		r.cache.forget(id)
		return nil, fmt.Errorf("load model %s of instance %d: %w", row.ModelID, id, err)
	}
	inst, stored := r.cache.take(id, row.Version, lib)
	if inst == nil {
		return nil, nil
	}
	l := &loaded{row: row, lib: lib, inst: inst, stored: stored, svc: &serviceCalls{model: row.ModelID},
		sc: &scriptCtx{ctx: ctx, instanceID: row.ID, modelID: row.ModelID, starter: row.StartedBy, actor: actor}}
	inst.SetEnv(r.env(l.svc, l.sc))
	l.before = taskStates(inst)
	return l, nil
}

// keep puts a stored step's instance in the cache for the next step; a
// finished instance takes no more steps and is dropped.
func (r *Runner) keep(l *loaded, snapshotBytes int) {
	if l.lib == nil || l.row.Status == store.StatusCompleted || l.row.Status == store.StatusTerminated {
		r.cache.forget(l.row.ID)
		return
	}
	r.cache.put(l.row.ID, l.row.Version, l.lib, l.inst, l.stored, bytesPerSnapshotByte*int64(snapshotBytes))
}

// Forget drops what the runner holds in memory of an instance; call it
// after changing or deleting the instance other than through the runner
// (the next step would notice the changed version anyway, but the memory
// is freed at once).
func (r *Runner) Forget(id int64) { r.cache.forget(id) }
