package models

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Changes made through Repo rescan the tree at once. Changes made beside
// it (files copied in by hand, a git pull, a save through another Waymark
// process that mounts the same directory) are found by Watch, which
// compares a stamp of the tree (every folder's and file's name, and each
// file's size and modification time: a listing per folder and a stat per
// file, no file read) and rescans when it differs.

// treeStamp hashes the names, kinds, sizes and modification times of
// every entry under root that a scan looks at: hidden names (the staging
// folder, .git) are left out, as scans leave them out.
func treeStamp(root string) ([sha256.Size]byte, error) {
	h := sha256.New()
	err := stampDir(h, root, "")
	var sum [sha256.Size]byte
	copy(sum[:], h.Sum(nil))
	return sum, err
}

func stampDir(h hash.Hash, root, rel string) error {
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return err
	}
	var buf [16]byte
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		p := name
		if rel != "" {
			p = rel + "/" + name
		}
		h.Write([]byte(p))
		switch {
		case e.IsDir():
			h.Write([]byte{0, 'd'})
			if err := stampDir(h, root, p); err != nil {
				return err
			}
		case e.Type()&fs.ModeSymlink != 0:
			h.Write([]byte{0, 'l'})
		default:
			info, err := e.Info()
			if err != nil {
				// Removed since the folder was read: the next stamp
				// sees it gone.
				h.Write([]byte{0, '?'})
				continue
			}
			h.Write([]byte{0, 'f'})
			binary.LittleEndian.PutUint64(buf[:8], uint64(info.Size()))
			binary.LittleEndian.PutUint64(buf[8:], uint64(info.ModTime().UnixNano()))
			h.Write(buf[:])
		}
	}
	return nil
}

// Watch checks the tree every interval until ctx ends and rescans it
// (Refresh) when its stamp differs from the one the last scan took;
// report hears of each such rescan (nil) and of each failure to stamp or
// rescan. Changes made through Repo rescan at once, so Watch finds only
// those made beside it.
func (r *Repo) Watch(ctx context.Context, interval time.Duration, report func(err error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := r.checkTree(ctx); ctx.Err() == nil && err != errUnchanged {
			report(err)
		}
	}
}

// errUnchanged is checkTree's answer when the tree is as last scanned.
var errUnchanged = errors.New("unchanged")

// checkTree rescans the tree if its stamp differs from the last scan's.
func (r *Repo) checkTree(ctx context.Context) error {
	now, err := treeStamp(r.root)
	if err != nil {
		return fmt.Errorf("check models directory %s: %w", r.root, err)
	}
	if now == r.state().stamp {
		return errUnchanged
	}
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	// A change through Repo may have rescanned it meanwhile.
	if now == r.state().stamp {
		return errUnchanged
	}
	if err := r.refresh(ctx); err != nil {
		return fmt.Errorf("rescan models directory %s: %w", r.root, err)
	}
	return nil
}
