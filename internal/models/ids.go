package models

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/waymark-bpm/waymark/internal/store"
)

// Errors of the repository. ErrNotFound and ErrExists wrap the store's
// sentinels, so callers that only know those still classify them.
var (
	ErrNotFound = fmt.Errorf("model repository: %w", store.ErrNotFound)
	ErrExists   = fmt.Errorf("model repository: already exists: %w", store.ErrConflict)
	// ErrInvalid is bad input: an id, a file name, a file's content, an
	// upload. The wrapping error says what and where.
	ErrInvalid = errors.New("invalid")
)

var idSegment = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// ValidateID checks an id for a new group or model: one or more segments of
// lower-case letters, digits and dashes, separated by "/".
func ValidateID(id string) error {
	if id == "" {
		return fmt.Errorf("%w: the id is empty", ErrInvalid)
	}
	for _, seg := range strings.Split(id, "/") {
		if err := ValidateSegment(seg); err != nil {
			return err
		}
	}
	return nil
}

// ValidateSegment checks one path segment of a new id.
func ValidateSegment(seg string) error {
	if len(seg) > 100 {
		return fmt.Errorf("%w: id %q is longer than 100 characters", ErrInvalid, seg)
	}
	if !idSegment.MatchString(seg) {
		return fmt.Errorf("%w: id %q: use lower-case letters, digits and dashes, starting and ending with a letter or digit (like \"invoice-approval\")", ErrInvalid, seg)
	}
	return nil
}

// ValidateFileName checks the name of a file inside a model: no folders,
// no leading dot, no control characters, at most 200 bytes.
func ValidateFileName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: the file name is empty", ErrInvalid)
	case len(name) > 200:
		return fmt.Errorf("%w: file name %q is longer than 200 characters", ErrInvalid, name)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: file name %q is not valid UTF-8", ErrInvalid, name)
	case strings.ContainsAny(name, `/\:*?"<>|`):
		return fmt.Errorf("%w: file name %q must not contain any of / \\ : * ? \" < > |", ErrInvalid, name)
	case strings.HasPrefix(name, "."):
		return fmt.Errorf("%w: file name %q must not start with a dot", ErrInvalid, name)
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("%w: file name %q must not start or end with a space", ErrInvalid, name)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: file name %q contains a control character", ErrInvalid, name)
		}
	}
	return nil
}

// validateUploadSegment checks a folder name coming from an upload. It is
// laxer than ValidateSegment, because SpiffArena repositories carry older
// ids with capitals, dots and underscores, but it never lets a name leave
// its folder.
func validateUploadSegment(seg string) error {
	if seg == "." || seg == ".." {
		return fmt.Errorf("%w: path segment %q escapes its folder", ErrInvalid, seg)
	}
	return ValidateFileName(seg)
}

// IDFromURL turns the id written in a URL ("finance:approvals") back into
// an id ("finance/approvals"), as SpiffArena writes them.
func IDFromURL(s string) string { return strings.ReplaceAll(s, ":", "/") }

// IDToURL writes an id for a URL.
func IDToURL(id string) string { return strings.ReplaceAll(id, "/", ":") }

// parentID returns the id of the group holding id ("" for the root).
func parentID(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[:i]
	}
	return ""
}

// baseID returns the last segment of an id.
func baseID(id string) string { return path.Base(id) }

func joinID(parent, seg string) string {
	if parent == "" {
		return seg
	}
	return parent + "/" + seg
}
