package models

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Changes made through Repo rescan the tree at once. Changes made beside
// it (files copied in by hand, a git pull, a save through another Waymark
// process that mounts the same directory) are found by CheckTree, which
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

// CheckTree rescans the tree (as Refresh does) when its stamp differs
// from the one the last scan took, and reports whether it did. Changes
// made through Repo rescan at once, so it finds only those made beside it;
// the server calls it every WAYMARK_MODELS_RESCAN.
func (r *Repo) CheckTree(ctx context.Context) (rescanned bool, err error) {
	now, err := treeStamp(r.root)
	if err != nil {
		return false, fmt.Errorf("check models directory %s: %w", r.root, err)
	}
	if now == r.state().stamp {
		return false, nil
	}
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	// A change through Repo may have rescanned it meanwhile.
	if now == r.state().stamp {
		return false, nil
	}
	if err := r.refresh(ctx); err != nil {
		return false, fmt.Errorf("rescan models directory %s: %w", r.root, err)
	}
	return true, nil
}
