package auth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/waymark-bpm/waymark/internal/store"
	"gopkg.in/yaml.v3"
)

// PermissionsSource holds the permissions in force: the rules of the
// permissions file and those added in the app (kept in the database, named
// AppRulePrefix + name so they never clash with the file's). It reloads the
// file when its content changes, writing its users and groups to the store
// as at start. A file that no longer parses is reported and the previous
// permissions stay in force.
type PermissionsSource struct {
	path string
	dir  *Directory
	// file is the permissions file as last loaded; cur is file plus the
	// app's rules, what Current returns.
	file atomic.Pointer[Permissions]
	cur  atomic.Pointer[Permissions]

	mu       sync.Mutex // serialises Check and rule changes
	sum      [sha256.Size]byte
	app      []store.PermissionRule
	onChange []func(*Permissions)
}

// OnChange registers f to be called with the permissions in force after
// every change: a reloaded file, a rule added or deleted in the app.
func (ps *PermissionsSource) OnChange(f func(*Permissions)) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.onChange = append(ps.onChange, f)
}

// AppRulePrefix starts the name of every rule added in the app.
const AppRulePrefix = "app:"

// NewPermissionsSource loads the permissions file at path (or the built-in
// default for an empty path) into the directory.
func NewPermissionsSource(ctx context.Context, path string, dir *Directory) (ps *PermissionsSource, unknownMembers []string, err error) {
	ps = &PermissionsSource{path: path, dir: dir}
	if ps.app, err = dir.store.PermissionRules(ctx); err != nil {
		return nil, nil, err
	}
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
	merged, err := ps.merge(p)
	if err != nil {
		return nil, err
	}
	unknown, err := ps.dir.Load(ctx, p)
	if err != nil {
		return nil, err
	}
	ps.publish(p, merged)
	ps.sum = sha256.Sum256(data)
	return unknown, nil
}

// merge returns the file's permissions with the app's rules added. The
// whole is parsed again, as a file would be, so that whatever the parser
// derives from the rules covers the app's rules too.
func (ps *PermissionsSource) merge(f *Permissions) (*Permissions, error) {
	m := *f
	m.Rules = make(map[string]Rule, len(f.Rules)+len(ps.app))
	for k, r := range f.Rules {
		m.Rules[k] = r
	}
	for _, r := range ps.app {
		m.Rules[AppRulePrefix+r.Name] = Rule{Groups: r.Groups, Users: r.Users, Actions: r.Actions, URI: r.URI}
	}
	doc, err := yaml.Marshal(&m)
	if err != nil {
		return nil, fmt.Errorf("merge permission rules: %w", err)
	}
	return ParsePermissions(doc, "permissions file with the rules added in the app")
}

// publish puts merged permissions in force and tells whoever asked.
func (ps *PermissionsSource) publish(file, merged *Permissions) {
	ps.file.Store(file)
	ps.cur.Store(merged)
	for _, f := range ps.onChange {
		f(merged)
	}
}

// File returns the permissions of the file alone.
func (ps *PermissionsSource) File() *Permissions {
	return ps.file.Load()
}

// AppRules returns the rules added in the app, by name.
func (ps *PermissionsSource) AppRules() []store.PermissionRule {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return slices.Clone(ps.app)
}

var validRuleName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// AddRule checks a rule as a rule of the permissions file is checked,
// stores it and puts it in force at once.
func (ps *PermissionsSource) AddRule(ctx context.Context, r store.PermissionRule) (store.PermissionRule, error) {
	r.Name = strings.TrimSpace(r.Name)
	r.URI = strings.TrimSpace(r.URI)
	if !validRuleName.MatchString(r.Name) {
		return r, fmt.Errorf("%w: the rule name %q may use letters, digits and _ . - (at most 64, starting with a letter or digit)", ErrInvalid, r.Name)
	}
	r.Groups, r.Users, r.Actions = cleanList(r.Groups), cleanList(r.Users), cleanList(r.Actions)
	if len(r.Groups) == 0 && len(r.Users) == 0 {
		return r, fmt.Errorf("%w: the rule names no group and no user", ErrInvalid)
	}
	// The file's parser is the one judge of what a rule may say, so a rule
	// accepted here would load from a file too.
	doc, err := yaml.Marshal(Permissions{Rules: map[string]Rule{r.Name: {Groups: r.Groups, Users: r.Users, Actions: r.Actions, URI: r.URI}}})
	if err != nil {
		return r, err
	}
	if _, err := ParsePermissions(doc, "rule"); err != nil {
		msg := strings.TrimPrefix(err.Error(), "rule: ")
		return r, fmt.Errorf("%w: %s", ErrInvalid, strings.ReplaceAll(msg, "permissions."+r.Name+": ", ""))
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	r, err = ps.dir.store.CreatePermissionRule(ctx, r)
	if errors.Is(err, store.ErrConflict) {
		return r, fmt.Errorf("%w: there is already a rule named %q", ErrInvalid, r.Name)
	}
	if err != nil {
		return r, err
	}
	ps.app = append(ps.app, r)
	slices.SortFunc(ps.app, func(a, b store.PermissionRule) int { return strings.Compare(a.Name, b.Name) })
	merged, err := ps.merge(ps.file.Load())
	if err != nil {
		// The rule passed the parser alone; together with the file it
		// must too. Should it not, take it out again rather than keep a
		// stored rule that is not in force.
		ps.app = slices.DeleteFunc(ps.app, func(x store.PermissionRule) bool { return x.ID == r.ID })
		if _, derr := ps.dir.store.DeletePermissionRule(ctx, r.ID); derr != nil {
			return r, errors.Join(err, derr)
		}
		return r, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	ps.publish(ps.file.Load(), merged)
	return r, nil
}

// DeleteRule takes a rule added in the app out of force and returns its
// name.
func (ps *PermissionsSource) DeleteRule(ctx context.Context, id int64) (string, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	name, err := ps.dir.store.DeletePermissionRule(ctx, id)
	if err != nil {
		return "", err
	}
	ps.app = slices.DeleteFunc(ps.app, func(r store.PermissionRule) bool { return r.ID == id })
	merged, err := ps.merge(ps.file.Load())
	if err != nil {
		return name, err
	}
	ps.publish(ps.file.Load(), merged)
	return name, nil
}

// cleanList trims the entries and drops empty ones.
func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
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
