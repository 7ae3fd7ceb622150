package main

import (
	"context"

	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/internal/runner"
)

// scriptDirectory gives the runner's script helpers internal/auth's
// users, groups and permissions (runner does not import auth).
type scriptDirectory struct{ a *auth.ScriptAdmin }

func (d scriptDirectory) MayRunPrivileged(ctx context.Context, username, helper string) (bool, error) {
	return d.a.MayRunPrivileged(ctx, username, helper)
}

func (d scriptDirectory) AllPermissions(context.Context) ([]runner.GroupPermission, error) {
	grants := d.a.GroupGrants()
	out := make([]runner.GroupPermission, len(grants))
	for i, g := range grants {
		out[i] = runner.GroupPermission{Group: g.Group, URI: g.URI, Actions: g.Actions}
	}
	return out, nil
}

func (d scriptDirectory) CheckPermission(action, uri string) error {
	return d.a.CheckPermission(action, uri)
}

func (d scriptDirectory) AddPermission(ctx context.Context, group, action, uri, by string) error {
	return d.a.AddPermission(ctx, group, action, uri, by)
}

func (d scriptDirectory) AddUserToGroup(ctx context.Context, username, group string) error {
	return d.a.AddUserToGroup(ctx, username, group)
}

func (d scriptDirectory) RefreshPermissions(ctx context.Context, groups []runner.GroupPermissions, only bool, by string) error {
	out := make([]auth.ScriptGroup, len(groups))
	for i, g := range groups {
		sg := auth.ScriptGroup{Name: g.Name, Users: g.Users}
		for _, p := range g.Permissions {
			sg.Grants = append(sg.Grants, auth.ScriptGrant{Actions: p.Actions, URI: p.URI})
		}
		out[i] = sg
	}
	return d.a.RefreshPermissions(ctx, out, only, by)
}
