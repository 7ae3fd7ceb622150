package models

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/waymark-bpm/waymark/internal/store"
)

type authorKey struct{}

// WithAuthor returns a context whose changes are recorded in the file
// history as made by author.
func WithAuthor(ctx context.Context, author string) context.Context {
	return context.WithValue(ctx, authorKey{}, author)
}

func authorOf(ctx context.Context) string {
	if a, ok := ctx.Value(authorKey{}).(string); ok && a != "" {
		return a
	}
	return "system"
}

// GroupInput is what a user sets on a group.
type GroupInput struct {
	DisplayName  string
	Description  string
	DisplayOrder int
}

func (in *GroupInput) check(id string) error {
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	if in.DisplayName == "" {
		in.DisplayName = baseID(id)
	}
	if len(in.DisplayName) > 200 {
		return fmt.Errorf("%w: the display name is longer than 200 characters", ErrInvalid)
	}
	return nil
}

// Tree returns the root group with every group and model under it. The
// result is shared and must not be changed.
func (r *Repo) Tree() *Group { return r.state().groups[""] }

// Group returns a group by id ("" is the root).
func (r *Repo) Group(id string) (*Group, error) {
	g, ok := r.state().groups[id]
	if !ok {
		return nil, fmt.Errorf("process group %q: %w", id, ErrNotFound)
	}
	return g, nil
}

// Groups returns every group id, for pickers.
func (r *Repo) GroupIDs() []string {
	st := r.state()
	var out []string
	var walk func(g *Group)
	walk = func(g *Group) {
		for _, c := range g.Groups {
			out = append(out, c.ID)
			walk(c)
		}
	}
	walk(st.groups[""])
	return out
}

// ModelCount returns how many models the repository holds.
func (r *Repo) ModelCount() int { return len(r.state().models) }

// ScanProblems returns problems found while scanning that belong to no
// BPMN or DMN file (broken metadata, symbolic links).
func (r *Repo) ScanProblems() []Problem { return r.state().problems }

// idFree checks that nothing exists at id yet and that its parent group
// does. Only the last segment is new, chosen by the user, and gets the
// strict check; the parent is a group found on disk and is taken as it is
// (SpiffArena repositories have groups like "category_number_one").
func (r *Repo) idFree(id string) error {
	if id == "" {
		return fmt.Errorf("%w: the id is empty", ErrInvalid)
	}
	st := r.state()
	parent := parentID(id)
	if _, ok := st.groups[parent]; !ok {
		// Say what is wrong with a segment typed badly before saying the
		// folder is missing.
		for _, seg := range strings.Split(parent, "/") {
			if err := validateUploadSegment(seg); err != nil {
				return err
			}
		}
		return fmt.Errorf("%w: the parent group %q does not exist", ErrInvalid, parent)
	}
	if err := ValidateSegment(id[strings.LastIndexByte(id, '/')+1:]); err != nil {
		return err
	}
	if _, ok := st.groups[id]; ok {
		return fmt.Errorf("process group %q: %w", id, ErrExists)
	}
	if _, ok := st.models[id]; ok {
		return fmt.Errorf("process model %q: %w", id, ErrExists)
	}
	if _, err := os.Lstat(r.dirOf(id)); err == nil {
		return fmt.Errorf("%q: a folder of that name is already there: %w", id, ErrExists)
	}
	return nil
}

// CreateGroup creates a group.
func (r *Repo) CreateGroup(ctx context.Context, id string, in GroupInput) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if err := r.idFree(id); err != nil {
		return err
	}
	if err := in.check(id); err != nil {
		return err
	}
	data, err := mergeJSON(nil, groupFields(in))
	if err != nil {
		return err
	}
	dir := r.dirOf(id)
	if err := os.Mkdir(dir, 0o750); err != nil {
		return fmt.Errorf("create group %q: %w", id, err)
	}
	if err := r.writeVersioned(ctx, id, groupFile, data, "create"); err != nil {
		os.RemoveAll(dir)
		return err
	}
	return r.refresh(ctx)
}

// UpdateGroup changes a group's display name, description and order.
func (r *Repo) UpdateGroup(ctx context.Context, id string, in GroupInput) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if id == "" {
		return fmt.Errorf("%w: the root has no settings", ErrInvalid)
	}
	if _, err := r.Group(id); err != nil {
		return err
	}
	if err := in.check(id); err != nil {
		return err
	}
	old, err := os.ReadFile(filepath.Join(r.dirOf(id), groupFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	data, err := mergeJSON(old, groupFields(in))
	if err != nil {
		return err
	}
	if err := r.writeVersioned(ctx, id, groupFile, data, "save"); err != nil {
		return err
	}
	return r.refresh(ctx)
}

// DeleteGroup removes a group with everything in it. The content of every
// file under it is recorded in the history first (action "delete-group"),
// so the group, or any model of it, can be restored (RestoreDeleted).
func (r *Repo) DeleteGroup(ctx context.Context, id string) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if id == "" {
		return fmt.Errorf("%w: the root cannot be deleted", ErrInvalid)
	}
	if _, err := r.Group(id); err != nil {
		return err
	}
	if err := r.removeDir(ctx, id, actionDeleteGroup); err != nil {
		return err
	}
	return r.refresh(ctx)
}

// MoveGroup renames or moves a group (and everything in it) to newID.
func (r *Repo) MoveGroup(ctx context.Context, id, newID string) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if id == "" {
		return fmt.Errorf("%w: the root cannot be moved", ErrInvalid)
	}
	if _, err := r.Group(id); err != nil {
		return err
	}
	if newID == id {
		return nil
	}
	if strings.HasPrefix(newID+"/", id+"/") {
		return fmt.Errorf("%w: a group cannot move into itself", ErrInvalid)
	}
	if err := r.idFree(newID); err != nil {
		return err
	}
	if err := r.moveDir(ctx, id, newID, true); err != nil {
		return fmt.Errorf("move group %q: %w", id, err)
	}
	return r.refresh(ctx)
}

// moveDir renames the folder of a model or group and then moves its
// history (with subtree, the history of everything under it) in one store
// transaction. When the history cannot move, the folder is moved back, so
// a move happens entirely or not at all.
func (r *Repo) moveDir(ctx context.Context, id, newID string, subtree bool) error {
	from, to := r.dirOf(id), r.dirOf(newID)
	if err := os.Rename(from, to); err != nil {
		return err
	}
	if err := r.index.MoveHistory(ctx, id, newID, subtree); err != nil {
		if uerr := os.Rename(to, from); uerr != nil {
			r.log.Error("a move failed halfway: the folder moved but its history did not, and moving the folder back failed",
				"from", id, "to", newID, "err", err, "undo_err", uerr)
			return fmt.Errorf("%w; moving the folder back failed too (%v)", err, uerr)
		}
		return err
	}
	return nil
}

// removeDir deletes the folder of a model or group: it is renamed into
// the staging folder first, so it disappears at once; then the content of
// every file in it is recorded in the history in one transaction (action
// says whether a model or a group went); only then is the copy dropped. If
// the history cannot take it, the folder goes back.
func (r *Repo) removeDir(ctx context.Context, id, action string) error {
	trash, err := r.stagingTemp("delete-")
	if err != nil {
		return err
	}
	target := filepath.Join(trash, "x")
	if err := os.Rename(r.dirOf(id), target); err != nil {
		r.dropStaging(trash)
		return fmt.Errorf("delete %q: %w", id, err)
	}
	versions, err := collectVersions(target, id, authorOf(ctx), action)
	if err == nil {
		_, err = r.index.AddFileVersions(ctx, versions)
	}
	if err != nil {
		if uerr := os.Rename(target, r.dirOf(id)); uerr != nil {
			// Keep the only copy; clearStaging keeps it at the next start.
			r.log.Error("a deletion failed halfway: its content is in the staging folder", "id", id, "dir", target, "err", err, "undo_err", uerr)
			return fmt.Errorf("delete %q: %w; putting the folder back failed too (%v), it is in %s", id, err, uerr, target)
		}
		r.dropStaging(trash)
		return fmt.Errorf("delete %q: %w", id, err)
	}
	r.dropStaging(trash)
	return nil
}

// collectVersions reads every file under dir (the folder of id) as a
// version to record. Hidden files and links are not repository content
// and are left out.
func collectVersions(dir, id, author, action string) ([]store.NewFileVersion, error) {
	var out []store.NewFileVersion
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, filepath.Dir(p))
		if err != nil {
			return err
		}
		owner := id
		if rel != "." {
			owner = joinID(id, filepath.ToSlash(rel))
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, store.NewFileVersion{ModelID: owner, File: d.Name(), Author: author, Action: action, Content: data})
		return nil
	})
	return out, err
}

// dropStaging removes a folder made by stagingTemp, and the staging
// folder itself when nothing else is in it, so the repository keeps only
// groups and models.
func (r *Repo) dropStaging(dir string) {
	os.RemoveAll(dir)
	os.Remove(filepath.Join(r.root, stagingDir)) // fails while another is in use
}

// stagingTemp makes a fresh folder under the staging folder.
func (r *Repo) stagingTemp(prefix string) (string, error) {
	base := filepath.Join(r.root, stagingDir)
	if err := os.MkdirAll(base, 0o750); err != nil {
		return "", err
	}
	return os.MkdirTemp(base, prefix)
}
