package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/waymark-bpm/waymark/internal/store"
)

// Version is one saved version of a file (without its content).
type Version = store.FileVersion

// Actions of versions that record a deletion: their content is what the
// deletion removed.
const (
	actionDelete      = "delete"       // one file
	actionDeleteModel = "delete-model" // every file of a model
	actionDeleteGroup = "delete-group" // every file under a group
)

// History lists the versions of a file of a model (or of a group's
// process_group.json), newest first. It works for files, models and
// groups that no longer exist.
func (r *Repo) History(ctx context.Context, ownerID, name string) ([]Version, error) {
	return r.index.FileVersions(ctx, ownerID, name)
}

// VersionContent returns one version with its content.
func (r *Repo) VersionContent(ctx context.Context, ownerID, name string, version int) (Version, error) {
	v, err := r.index.FileVersionContent(ctx, ownerID, name, version)
	if err != nil {
		return Version{}, fmt.Errorf("%w (%v)", ErrNotFound, err)
	}
	return v, nil
}

// Diff compares two versions of a file; version 0 means the file as it is
// on disk now (a model's file, or a group's process_group.json).
func (r *Repo) Diff(ctx context.Context, ownerID, name string, from, to int) ([]DiffLine, error) {
	a, err := r.contentAt(ctx, ownerID, name, from)
	if err != nil {
		return nil, err
	}
	b, err := r.contentAt(ctx, ownerID, name, to)
	if err != nil {
		return nil, err
	}
	return DiffText(string(a), string(b)), nil
}

func (r *Repo) contentAt(ctx context.Context, ownerID, name string, version int) ([]byte, error) {
	if version == 0 {
		return r.currentContent(ownerID, name)
	}
	v, err := r.VersionContent(ctx, ownerID, name, version)
	if err != nil {
		return nil, err
	}
	return v.Content, nil
}

// currentContent reads a model's file or a group's process_group.json as
// it is now.
func (r *Repo) currentContent(ownerID, name string) ([]byte, error) {
	st := r.state()
	if st.models[ownerID] == nil && name == groupFile && ownerID != "" && st.groups[ownerID] != nil {
		data, err := os.ReadFile(filepath.Join(r.dirOf(ownerID), groupFile))
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s of group %q: %w", groupFile, ownerID, ErrNotFound)
		}
		return data, err
	}
	return r.ReadFile(ownerID, name)
}

// HasCurrent says whether the file a history belongs to exists now: a
// file of a model, or a group's process_group.json.
func (r *Repo) HasCurrent(ownerID, name string) bool {
	st := r.state()
	if st.models[ownerID] == nil && name == groupFile {
		return ownerID != "" && st.groups[ownerID] != nil && fileExists(filepath.Join(r.dirOf(ownerID), groupFile))
	}
	_, err := r.File(ownerID, name)
	return err == nil
}

// Restore writes a recorded version back as the file's current content
// (a new version, action "restore"). Restoring is an explicit choice, so
// the content is written even when it has problems today (a clash with a
// process added since, say); the result lists them. A deleted file comes
// back, and so does what it belongs to:
//   - a group's process_group.json recreates the group when it is gone;
//   - a model's process_model.json recreates the model (with no files);
//   - any other file of a model that is gone recreates the model with the
//     last recorded version of its process_model.json first, since a file
//     needs a model to live in. Without any recorded settings the restore
//     is refused: create the model again, then restore the file.
//
// Groups above that are gone are recreated too, each with the last
// recorded version of its process_group.json. To bring back a whole
// deleted model or group at once, use RestoreDeleted.
func (r *Repo) Restore(ctx context.Context, ownerID, name string, version int) (SaveResult, error) {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	v, err := r.VersionContent(ctx, ownerID, name, version)
	if err != nil {
		return SaveResult{}, err
	}
	st := r.state()
	switch {
	case st.models[ownerID] != nil:
		return r.saveFile(ctx, ownerID, name, v.Content, true, "restore")
	case name == groupFile:
		return r.restoreGroupSettings(ctx, ownerID, v.Content)
	case st.groups[ownerID] != nil:
		return SaveResult{}, fmt.Errorf("%w: %q is a process group now, and only models hold files; move the group away to restore %s", ErrInvalid, ownerID, name)
	}
	// The model is gone: it comes back with its settings first.
	settings := v.Content
	if name != modelFile {
		last, err := r.lastVersion(ctx, ownerID, modelFile)
		if errors.Is(err, ErrNotFound) {
			return SaveResult{}, fmt.Errorf("%w: model %q no longer exists and its history has no settings (%s) to bring it back with; create the model %q again, then restore %s", ErrInvalid, ownerID, modelFile, ownerID, name)
		}
		if err != nil {
			return SaveResult{}, err
		}
		settings = last.Content
	}
	if err := r.recreate(ctx, ownerID, modelFile, settings); err != nil {
		return SaveResult{}, err
	}
	if err := r.refresh(ctx); err != nil {
		return SaveResult{}, err
	}
	if name == modelFile {
		return SaveResult{Saved: true, Problems: checkJSON(ownerID+"/"+name, v.Content)}, nil
	}
	return r.saveFile(ctx, ownerID, name, v.Content, true, "restore")
}

// restoreGroupSettings writes a group's process_group.json, recreating
// the group when it is gone.
func (r *Repo) restoreGroupSettings(ctx context.Context, id string, content []byte) (SaveResult, error) {
	if id == "" {
		return SaveResult{}, fmt.Errorf("%w: the root has no settings", ErrInvalid)
	}
	if _, err := r.Group(id); err == nil {
		if err := r.writeVersioned(ctx, id, groupFile, content, "restore"); err != nil {
			return SaveResult{}, err
		}
	} else if err := r.recreate(ctx, id, groupFile, content); err != nil {
		return SaveResult{}, err
	}
	return SaveResult{Saved: true, Problems: checkJSON(id+"/"+groupFile, content)}, r.refresh(ctx)
}

// lastVersion returns the newest recorded version of a file, with content.
func (r *Repo) lastVersion(ctx context.Context, ownerID, name string) (Version, error) {
	list, err := r.index.FileVersions(ctx, ownerID, name)
	if err != nil {
		return Version{}, err
	}
	if len(list) == 0 {
		return Version{}, fmt.Errorf("history of %s/%s: %w", ownerID, name, ErrNotFound)
	}
	return r.VersionContent(ctx, ownerID, name, list[0].Version)
}

// checkRestoreID makes sure an id taken from the history (and a URL)
// names a folder inside the repository.
func checkRestoreID(id string) error {
	if id == "" {
		return fmt.Errorf("%w: the id is empty", ErrInvalid)
	}
	for _, seg := range strings.Split(id, "/") {
		if err := validateUploadSegment(seg); err != nil {
			return err
		}
	}
	return nil
}

// recreate makes the folder of a model or group that is gone (and of the
// groups above it) and writes its metadata file.
func (r *Repo) recreate(ctx context.Context, id, metaFile string, content []byte) error {
	if err := checkRestoreID(id); err != nil {
		return err
	}
	if err := r.recreateParents(ctx, id); err != nil {
		return err
	}
	if err := os.Mkdir(r.dirOf(id), 0o750); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("recreate %q: %w", id, err)
	}
	return r.writeVersioned(ctx, id, metaFile, content, "restore")
}

// recreateParents makes the folders of the groups above id that are gone,
// each with the last recorded version of its process_group.json, if any.
func (r *Repo) recreateParents(ctx context.Context, id string) error {
	st := r.state()
	parts := strings.Split(id, "/")
	for i := 1; i < len(parts); i++ {
		gid := strings.Join(parts[:i], "/")
		if st.groups[gid] != nil {
			continue
		}
		if st.models[gid] != nil {
			return fmt.Errorf("%w: %q is a process model now, and models hold no folders; move it away to restore %q", ErrInvalid, gid, id)
		}
		dir := r.dirOf(gid)
		if err := os.Mkdir(dir, 0o750); err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("recreate group %q: %w", gid, err)
		}
		if fileExists(filepath.Join(dir, groupFile)) {
			continue
		}
		last, err := r.lastVersion(ctx, gid, groupFile)
		if errors.Is(err, ErrNotFound) {
			continue // a plain folder is a group as soon as it holds one
		}
		if err != nil {
			return err
		}
		if err := r.writeVersioned(ctx, gid, groupFile, last.Content, "restore"); err != nil {
			return err
		}
	}
	return nil
}

// Deleted is a model or group (or a plain folder holding them) that was
// deleted; the history keeps its files.
type Deleted struct {
	ID          string
	Kind        string // "model", "group" or "folder"
	DisplayName string
	When        time.Time
	Author      string
	// Files are the deleted files at and under ID, by path; those deleted
	// with the model or group come back with RestoreDeleted.
	Files []Version
}

// DeletedIn lists the models and groups that were deleted from the group
// groupID ("" is the root) and are not there now, newest first. Things
// deleted further down, inside a group that is itself gone, are part of
// that group's entry.
func (r *Repo) DeletedIn(ctx context.Context, groupID string) ([]Deleted, error) {
	rows, err := r.index.DeletedFiles(ctx, groupID, true)
	if err != nil {
		return nil, err
	}
	st := r.state()
	byTop := map[string]*Deleted{}
	var order []string
	for _, v := range rows {
		if v.ModelID == groupID {
			continue
		}
		rel := v.ModelID
		if groupID != "" {
			rel = v.ModelID[len(groupID)+1:]
		}
		seg, _, _ := strings.Cut(rel, "/")
		top := joinID(groupID, seg)
		if st.groups[top] != nil || st.models[top] != nil {
			continue // still there: its own page lists what it lost
		}
		d := byTop[top]
		if d == nil {
			d = &Deleted{ID: top, Kind: "folder", DisplayName: baseID(top)}
			byTop[top] = d
			order = append(order, top)
		}
		d.Files = append(d.Files, v)
		if v.Created.After(d.When) || d.When.IsZero() {
			d.When, d.Author = v.Created, v.Author
		}
		if v.ModelID == top && (v.File == modelFile || v.File == groupFile) {
			d.Kind = "model"
			if v.File == groupFile {
				d.Kind = "group"
			}
			if full, err := r.index.FileVersionContent(ctx, v.ModelID, v.File, v.Version); err == nil {
				var meta struct {
					DisplayName string `json:"display_name"`
				}
				if json.Unmarshal(full.Content, &meta) == nil && meta.DisplayName != "" {
					d.DisplayName = meta.DisplayName
				}
			}
		}
	}
	out := make([]Deleted, 0, len(order))
	for _, id := range order {
		out = append(out, *byTop[id])
	}
	slices.SortStableFunc(out, func(a, b Deleted) int { return b.When.Compare(a.When) })
	return out, nil
}

// DeletedFiles lists the files of an existing model that were deleted
// from it and are not there now, by name.
func (r *Repo) DeletedFiles(ctx context.Context, modelID string) ([]Version, error) {
	m, err := r.Model(modelID)
	if err != nil {
		return nil, err
	}
	rows, err := r.index.DeletedFiles(ctx, modelID, false)
	if err != nil {
		return nil, err
	}
	present := map[string]bool{modelFile: true}
	for _, f := range m.Files {
		present[f.Name] = true
	}
	out := []Version{}
	for _, v := range rows {
		if !present[v.File] {
			out = append(out, v)
		}
	}
	return out, nil
}

// RestoreDeleted brings back a deleted model or group (id) as it was when
// it was deleted: every file at or under id whose last version records
// its deletion together with its model or group. Files deleted one by one
// before stay deleted (each can be restored from its own history). Groups
// above that are gone are recreated first. It returns how many files came
// back. The folder is built aside and renamed into place, and the restore
// is recorded in one transaction, so it happens entirely or not at all.
func (r *Repo) RestoreDeleted(ctx context.Context, id string) (int, error) {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if err := checkRestoreID(id); err != nil {
		return 0, err
	}
	st := r.state()
	if st.groups[id] != nil || st.models[id] != nil {
		return 0, fmt.Errorf("%q: something of that name is there now; move it away first: %w", id, ErrExists)
	}
	if _, err := os.Lstat(r.dirOf(id)); err == nil {
		return 0, fmt.Errorf("%q: a folder of that name is already there: %w", id, ErrExists)
	}
	rows, err := r.index.DeletedFiles(ctx, id, true)
	if err != nil {
		return 0, err
	}
	var back []Version
	for _, v := range rows {
		if v.Action == actionDeleteModel || v.Action == actionDeleteGroup {
			back = append(back, v)
		}
	}
	if len(back) == 0 {
		return 0, fmt.Errorf("nothing deleted at %q to restore: %w", id, ErrNotFound)
	}
	if err := r.recreateParents(ctx, id); err != nil {
		return 0, err
	}
	staging, err := r.stagingTemp("restore-")
	if err != nil {
		return 0, err
	}
	defer r.dropStaging(staging)
	build := filepath.Join(staging, "x")
	author := authorOf(ctx)
	news := make([]store.NewFileVersion, 0, len(back))
	for _, v := range back {
		full, err := r.index.FileVersionContent(ctx, v.ModelID, v.File, v.Version)
		if err != nil {
			return 0, err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(v.ModelID, id), "/")
		for _, seg := range strings.Split(joinID(rel, v.File), "/") {
			if err := validateUploadSegment(seg); err != nil {
				return 0, fmt.Errorf("restore %s/%s: %w", v.ModelID, v.File, err)
			}
		}
		p := filepath.Join(build, filepath.FromSlash(rel), v.File)
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			return 0, err
		}
		if err := os.WriteFile(p, full.Content, 0o640); err != nil {
			return 0, err
		}
		news = append(news, store.NewFileVersion{ModelID: v.ModelID, File: v.File, Author: author, Action: "restore", Content: full.Content})
	}
	if err := os.Rename(build, r.dirOf(id)); err != nil {
		return 0, fmt.Errorf("restore %q: %w", id, err)
	}
	if _, err := r.index.AddFileVersions(ctx, news); err != nil {
		if uerr := os.Rename(r.dirOf(id), build); uerr != nil {
			return 0, fmt.Errorf("restore %q: %w; removing the restored folder failed too (%v)", id, err, uerr)
		}
		return 0, fmt.Errorf("restore %q: %w", id, err)
	}
	return len(back), r.refresh(ctx)
}
