package models

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ImportDir imports a folder holding groups and models (a checkout of a
// SpiffArena repository, say) into a group (targetID "" is the top level)
// with the checks and atomicity of UploadZip: the folder is read as a zip
// file's entries would be. Links and special files refuse the whole
// import, as they do in a zip file; hidden files and folders (.git) are
// left out. The folder itself is only read.
func (r *Repo) ImportDir(ctx context.Context, targetID, dir string, opts UploadOptions) (UploadResult, error) {
	release, err := r.uploadSlot(ctx)
	if err != nil {
		return UploadResult{}, err
	}
	defer release()
	spool, err := r.stagingTemp("spool-")
	if err != nil {
		return UploadResult{}, fmt.Errorf("read %s: %w", dir, err)
	}
	defer r.dropStaging(spool)
	entries, err := readDir(dir, spool)
	if err != nil {
		return UploadResult{}, err
	}
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if r.state().models[targetID] != nil {
		return UploadResult{}, fmt.Errorf("%w: %s is a process model; a folder of groups and models is imported into a group", ErrInvalid, targetID)
	}
	return r.applyUpload(ctx, targetID, entries, opts)
}

// readDir copies every file under dir to a spool file of its own, as
// readZip unpacks a zip file: renames rewrite spooled copies, never the
// folder read.
func readDir(dir, spool string) ([]entry, error) {
	// The folder named may be a link; what is under it may not.
	dir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	var entries []entry
	hidden := map[string]int{}
	var total int64
	buf := make([]byte, 32<<10)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		name := filepath.ToSlash(rel)
		if isJunk(name) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if h := hiddenPrefix(name); h != "" {
			if d.IsDir() {
				// Counted as one entry: a .git folder holds thousands.
				hidden[h] += 0
				return filepath.SkipDir
			}
			hidden[h]++
			return nil
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			return fmt.Errorf("%w: %q is a symbolic link; links are refused", ErrInvalid, name)
		case d.IsDir():
			return nil
		case !d.Type().IsRegular():
			return fmt.Errorf("%w: %q is not a regular file", ErrInvalid, name)
		}
		if err := checkEntryNames(name); err != nil {
			entries = append(entries, entry{path: name, refused: strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")})
			return nil
		}
		e := entry{path: name, spool: filepath.Join(spool, fmt.Sprint(len(entries)))}
		n, err := spoolFile(func() (io.ReadCloser, error) { return os.Open(p) }, e.spool, buf)
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		if n > MaxFileSize {
			return fmt.Errorf("%w: %q is larger than %d MiB", ErrInvalid, name, MaxFileSize>>20)
		}
		if total += n; total > MaxUnpackedSize {
			return fmt.Errorf("%w: the folder holds more than %d MiB", ErrInvalid, MaxUnpackedSize>>20)
		}
		if len(entries) >= MaxEntries {
			return fmt.Errorf("%w: the folder holds more than %d files", ErrInvalid, MaxEntries)
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, h := range slices.Sorted(maps.Keys(hidden)) {
		msg := "hidden files and folders are not imported"
		if hidden[h] > 0 {
			msg = fmt.Sprintf("%s (%d %s)", msg, hidden[h], plural(hidden[h], "file", "files"))
		}
		entries = append(entries, entry{path: h, refused: msg})
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%w: %s holds no files", ErrInvalid, dir)
	}
	return entries, nil
}
