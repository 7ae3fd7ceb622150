package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/waymark-bpm/waymark/internal/store"
)

// ScriptAdmin answers SpiffArena's script helpers about users, groups and
// permissions, and makes the changes the privileged ones ask for
// (add_permission, add_user_to_group, refresh_permissions).
//
// Rules that scripts add are app rules named "script-<digest>", the digest
// taken from the group, action and uri, so adding the same grant again
// changes nothing. refresh_permissions replaces every script rule with the
// ones it is given; the permissions file and the rules admins added stay.
// Memberships scripts add are the app's own ("local"); refresh_permissions
// adds the memberships it lists but removes none, because it cannot tell
// them from those an admin made.
type ScriptAdmin struct {
	ps  *PermissionsSource
	now func() time.Time
}

// NewScriptAdmin returns the helpers' view of the permissions in force;
// now stamps the rules scripts add.
func NewScriptAdmin(ps *PermissionsSource, now func() time.Time) *ScriptAdmin {
	return &ScriptAdmin{ps: ps, now: now}
}

// ScriptRulePrefix starts the name of every rule a script added.
const ScriptRulePrefix = "script-"

// privilegedScriptTarget is SpiffArena's permission target for running a
// privileged script helper.
const privilegedScriptTarget = "/can-run-privileged-script/"

// MayRunPrivileged reports whether the user holds create on
// /can-run-privileged-script/<helper>. An unknown or disabled user may not.
func (a *ScriptAdmin) MayRunPrivileged(ctx context.Context, username, helper string) (bool, error) {
	su, err := a.ps.dir.store.UserByUsername(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	u, err := a.ps.dir.withGroups(ctx, su)
	if err != nil {
		return false, err
	}
	if u.Disabled {
		return false, nil
	}
	return a.ps.Current().Allowed(u, "create", privilegedScriptTarget+helper), nil
}

// GroupGrant is what one group may do on one uri pattern.
type GroupGrant struct {
	Group   string
	URI     string
	Actions []string
}

// GroupGrants lists the grants in force by group and uri pattern, in the
// order of create, read, update, delete, as SpiffArena's
// get_all_permissions does. Denials are not listed.
func (a *ScriptAdmin) GroupGrants() []GroupGrant {
	p := a.ps.Current()
	if p == nil {
		return nil
	}
	type key struct{ group, uri string }
	acts := map[key][]string{}
	var order []key
	for _, g := range p.grants {
		if g.deny {
			continue
		}
		for _, group := range g.groups {
			k := key{group, g.pattern}
			if _, ok := acts[k]; !ok {
				order = append(order, k)
			}
			if !slices.Contains(acts[k], g.action) {
				acts[k] = append(acts[k], g.action)
			}
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].group != order[j].group {
			return order[i].group < order[j].group
		}
		return order[i].uri < order[j].uri
	})
	out := make([]GroupGrant, 0, len(order))
	for _, k := range order {
		a := acts[k]
		sort.Slice(a, func(i, j int) bool { return slices.Index(crud, a[i]) < slices.Index(crud, a[j]) })
		out = append(out, GroupGrant{Group: k.group, URI: k.uri, Actions: a})
	}
	return out
}

// CheckPermission tells whether a rule granting action on uri would load.
func (a *ScriptAdmin) CheckPermission(action, uri string) error {
	if _, _, err := expand(action, uri); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return nil
}

func scriptRuleName(group, action, uri string) string {
	sum := sha256.Sum256([]byte(group + "\x00" + action + "\x00" + uri))
	return ScriptRulePrefix + hex.EncodeToString(sum[:8])
}

// AddPermission grants action on uri to the group, unless a script
// granted it already.
func (a *ScriptAdmin) AddPermission(ctx context.Context, group, action, uri, by string) error {
	name := scriptRuleName(group, action, uri)
	for _, r := range a.ps.AppRules() {
		if r.Name == name {
			return nil
		}
	}
	_, err := a.ps.AddRule(ctx, store.PermissionRule{Name: name, Groups: []string{group}, Actions: []string{action}, URI: uri,
		CreatedBy: by, CreatedAt: a.now()})
	return err
}

// AddUserToGroup puts the user in the group (created when missing);
// a member already stays as they are.
func (a *ScriptAdmin) AddUserToGroup(ctx context.Context, username, group string) error {
	u, err := a.ps.dir.store.UserByUsername(ctx, username)
	if err != nil {
		return fmt.Errorf("add user %q to group %q: %w", username, group, err)
	}
	return a.ps.dir.AddToGroup(ctx, u.ID, group)
}

// ScriptGroup is one group of refresh_permissions: its members and what
// it may do.
type ScriptGroup struct {
	Name   string
	Users  []string
	Grants []ScriptGrant
}

// ScriptGrant is actions on one uri.
type ScriptGrant struct {
	Actions []string
	URI     string
}

// RefreshPermissions replaces the rules scripts added with the given
// groups' grants, and unless groupPermissionsOnly adds the listed users
// (by username or email) who exist to their groups.
func (a *ScriptAdmin) RefreshPermissions(ctx context.Context, groups []ScriptGroup, groupPermissionsOnly bool, by string) error {
	for _, g := range groups {
		for _, gr := range g.Grants {
			for _, act := range gr.Actions {
				if err := a.CheckPermission(act, gr.URI); err != nil {
					return fmt.Errorf("group %q: %w", g.Name, err)
				}
			}
		}
	}
	want := map[string]store.PermissionRule{}
	for _, g := range groups {
		for _, gr := range g.Grants {
			for _, act := range gr.Actions {
				name := scriptRuleName(g.Name, act, gr.URI)
				want[name] = store.PermissionRule{Name: name, Groups: []string{g.Name}, Actions: []string{act}, URI: gr.URI,
					CreatedBy: by, CreatedAt: a.now()}
			}
		}
	}
	var errs []error
	have := map[string]bool{}
	for _, r := range a.ps.AppRules() {
		if !strings.HasPrefix(r.Name, ScriptRulePrefix) {
			continue
		}
		if _, ok := want[r.Name]; ok {
			have[r.Name] = true
			continue
		}
		if _, err := a.ps.DeleteRule(ctx, r.ID); err != nil {
			errs = append(errs, err)
		}
	}
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if have[n] {
			continue
		}
		if _, err := a.ps.AddRule(ctx, want[n]); err != nil {
			errs = append(errs, err)
		}
	}
	if !groupPermissionsOnly {
		users, err := a.ps.dir.store.Users(ctx)
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		for _, g := range groups {
			for _, name := range g.Users {
				for _, u := range users {
					if strings.EqualFold(u.Username, name) || (u.Email != "" && strings.EqualFold(u.Email, name)) {
						if err := a.ps.dir.AddToGroup(ctx, u.ID, g.Name); err != nil {
							errs = append(errs, err)
						}
					}
				}
			}
		}
	}
	return errors.Join(errs...)
}
