package auth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// PermissionsSource holds the permissions in force and reloads the file
// when its content changes, writing its users and groups to the store as
// at start. A file that no longer parses is reported and the previous
// permissions stay in force.
type PermissionsSource struct {
	path string
	dir  *Directory
	cur  atomic.Pointer[Permissions]

	mu  sync.Mutex // serialises Check
	sum [sha256.Size]byte
}

// NewPermissionsSource loads the permissions file at path (or the built-in
// default for an empty path) into the directory.
func NewPermissionsSource(ctx context.Context, path string, dir *Directory) (ps *PermissionsSource, unknownMembers []string, err error) {
	ps = &PermissionsSource{path: path, dir: dir}
	var data []byte
	if path != "" {
		if data, err = os.ReadFile(path); err != nil {
			return nil, nil, fmt.Errorf("read permissions: %w", err)
		}
	}
	unknown, err := ps.load(ctx, data)
	if err != nil {
		return nil, nil, err
	}
	return ps, unknown, nil
}

func (ps *PermissionsSource) load(ctx context.Context, data []byte) ([]string, error) {
	var p *Permissions
	var err error
	if ps.path == "" {
		p, err = LoadPermissions("")
	} else {
		p, err = ParsePermissions(data, ps.path)
	}
	if err != nil {
		return nil, err
	}
	unknown, err := ps.dir.Load(ctx, p)
	if err != nil {
		return nil, err
	}
	ps.cur.Store(p)
	ps.sum = sha256.Sum256(data)
	return unknown, nil
}

// Current returns the permissions in force.
func (ps *PermissionsSource) Current() *Permissions {
	return ps.cur.Load()
}

// Check reloads the file when its content differs from what was loaded
// last, and reports whether it did. On error the permissions in force are
// kept.
func (ps *PermissionsSource) Check(ctx context.Context) (reloaded bool, err error) {
	if ps.path == "" {
		return false, nil
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	data, err := os.ReadFile(ps.path)
	if err != nil {
		return false, fmt.Errorf("read permissions: %w", err)
	}
	if sum := sha256.Sum256(data); bytes.Equal(sum[:], ps.sum[:]) {
		return false, nil
	}
	if _, err := ps.load(ctx, data); err != nil {
		// Remember the bad content so it is reported once, not at every
		// check; fixing the file changes it again.
		ps.sum = sha256.Sum256(data)
		return false, err
	}
	return true, nil
}

// Watch checks the file every interval until ctx ends, calling report
// after each reload or failed reload.
func (ps *PermissionsSource) Watch(ctx context.Context, interval time.Duration, report func(reloaded bool, err error)) {
	if ps.path == "" {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if reloaded, err := ps.Check(ctx); reloaded || err != nil {
				report(reloaded, err)
			}
		}
	}
}
