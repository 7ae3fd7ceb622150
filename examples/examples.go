// Package examples embeds the demo model repository under models/, written
// in SpiffArena's layout, so a new installation has something to look at.
//
// It imports no other Waymark package.
package examples

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

//go:embed models
var files embed.FS

// Models returns the demo model tree; its root is the repository root.
func Models() fs.FS {
	sub, err := fs.Sub(files, "models")
	if err != nil {
		panic("examples: " + err.Error())
	}
	return sub
}

// Seed copies the demo models to dir when dir does not exist yet, and
// reports whether it did. An existing directory, even an empty one, is
// left alone: it is someone's repository. The copy is written beside dir
// and renamed into place, so a failure never leaves half a tree.
func Seed(dir string) (bool, error) {
	if _, err := os.Stat(dir); err == nil {
		return false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("seed models: %w", err)
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o750); err != nil {
		return false, fmt.Errorf("seed models: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, ".models-seed-")
	if err != nil {
		return false, fmt.Errorf("seed models: %w", err)
	}
	defer os.RemoveAll(tmp)
	staged := filepath.Join(tmp, "models")
	if err := os.CopyFS(staged, Models()); err != nil {
		return false, fmt.Errorf("seed models: %w", err)
	}
	if err := os.Rename(staged, dir); err != nil {
		return false, fmt.Errorf("seed models: %w", err)
	}
	return true, nil
}
