package models

import (
	"context"
	"fmt"

	"github.com/waymark-bpm/waymark/internal/store"
)

// Version is one saved version of a file (without its content).
type Version = store.FileVersion

// History lists the versions of a file of a model (or of a group's
// process_group.json), newest first.
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
// on disk now.
func (r *Repo) Diff(ctx context.Context, modelID, name string, from, to int) ([]DiffLine, error) {
	a, err := r.contentAt(ctx, modelID, name, from)
	if err != nil {
		return nil, err
	}
	b, err := r.contentAt(ctx, modelID, name, to)
	if err != nil {
		return nil, err
	}
	return DiffText(string(a), string(b)), nil
}

func (r *Repo) contentAt(ctx context.Context, modelID, name string, version int) ([]byte, error) {
	if version == 0 {
		return r.ReadFile(modelID, name)
	}
	v, err := r.VersionContent(ctx, modelID, name, version)
	if err != nil {
		return nil, err
	}
	return v.Content, nil
}

// Restore writes a recorded version back as the file's current content
// (a new version, action "restore"). Restoring is an explicit choice, so
// the content is written even when it has problems today (a clash with a
// process added since, say); the result lists them. A deleted file comes
// back.
func (r *Repo) Restore(ctx context.Context, modelID, name string, version int) (SaveResult, error) {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	v, err := r.VersionContent(ctx, modelID, name, version)
	if err != nil {
		return SaveResult{}, err
	}
	return r.saveFile(ctx, modelID, name, v.Content, true, "restore")
}
