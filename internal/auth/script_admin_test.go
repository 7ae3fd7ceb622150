package auth

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const scriptAdminPermissions = `
users:
  sam: {}
  sue: {}
  ben: {}
  dan: {}
groups:
  support: {users: [sue]}
  staff: {users: [ben]}
  ops: {users: [dan]}
permissions:
  sam-all: {users: [sam], actions: [all], uri: /*}
  support: {groups: [support], actions: [all], uri: SUPPORT}
  staff: {groups: [staff], actions: [all], uri: BASIC}
  ops-secret: {groups: [ops], actions: [create], uri: /can-run-privileged-script/get_secret}
  ops-read: {groups: [ops], actions: [read, DENY:delete], uri: /process-groups/ops:*}
`

// TestScriptAdmin: who may run privileged script helpers (SpiffArena's
// /can-run-privileged-script/<helper> target, in SUPPORT, ELEVATED and ALL),
// the grants get_all_permissions lists, and the rules scripts add.
func TestScriptAdmin(t *testing.T) {
	d, s := newDirectory(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "permissions.yml")
	if err := os.WriteFile(path, []byte(scriptAdminPermissions), 0o600); err != nil {
		t.Fatal(err)
	}
	ps, _, err := NewPermissionsSource(ctx, path, d)
	if err != nil {
		t.Fatal(err)
	}
	a := NewScriptAdmin(ps, func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) })
	for _, c := range []struct {
		user, helper string
		want         bool
	}{
		{"sam", "refresh_permissions", true},
		{"sue", "refresh_permissions", true},
		{"ben", "refresh_permissions", false},
		{"dan", "get_secret", true},
		{"dan", "add_permission", false},
		{"nobody", "get_secret", false},
	} {
		got, err := a.MayRunPrivileged(ctx, c.user, c.helper)
		if err != nil || got != c.want {
			t.Errorf("MayRunPrivileged(%s, %s) = %v, %v; want %v", c.user, c.helper, got, err, c.want)
		}
	}
	u, err := s.UserByUsername(ctx, "sue")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetDisabled(ctx, u.ID, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	if ok, _ := a.MayRunPrivileged(ctx, "sue", "refresh_permissions"); ok {
		t.Error("a disabled user's instances may still run privileged helpers")
	}

	var ops []GroupGrant
	for _, g := range a.GroupGrants() {
		if g.Group == "ops" {
			ops = append(ops, g)
		}
	}
	want := []GroupGrant{
		{Group: "ops", URI: "/can-run-privileged-script/get_secret", Actions: []string{"create"}},
		{Group: "ops", URI: "/process-groups/ops:*", Actions: []string{"read"}},
	}
	if d := cmp.Diff(want, ops); d != "" {
		t.Errorf("ops grants (-want +got):\n%s", d)
	}

	if err := a.CheckPermission("fly", "/x"); err == nil {
		t.Error("an unknown action passes CheckPermission")
	}
	for i := 0; i < 2; i++ {
		if err := a.AddPermission(ctx, "staff", "read", "PG:hr", "sam"); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(ps.AppRules()); n != 1 {
		t.Errorf("%d app rules after adding one grant twice, want 1", n)
	}
	if err := a.RefreshPermissions(ctx, []ScriptGroup{{Name: "staff", Users: []string{"dan"}, Grants: []ScriptGrant{{Actions: []string{"create"}, URI: "/x"}}}}, false, "sam"); err != nil {
		t.Fatal(err)
	}
	rules := ps.AppRules()
	if len(rules) != 1 || rules[0].URI != "/x" || rules[0].Actions[0] != "create" {
		t.Errorf("app rules after refresh: %+v", rules)
	}
	du, err := s.UserByUsername(ctx, "dan")
	if err != nil {
		t.Fatal(err)
	}
	dan, err := d.User(ctx, du.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !dan.InGroup("staff") {
		t.Errorf("dan's groups %v lack staff after refresh_permissions", dan.Groups)
	}
}
