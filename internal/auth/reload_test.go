package auth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/waymark-bpm/waymark/internal/store"
)

func TestPermissionsSource(t *testing.T) {
	d, _ := newDirectory(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "permissions.yml")
	if err := os.WriteFile(path, []byte(samplePermissions), 0o600); err != nil {
		t.Fatal(err)
	}
	ps, _, err := NewPermissionsSource(ctx, path, d)
	if err != nil {
		t.Fatal(err)
	}
	var seen []*Permissions
	ps.OnChange(func(p *Permissions) { seen = append(seen, p) })

	if reloaded, err := ps.Check(ctx); reloaded || err != nil {
		t.Errorf("unchanged file: reloaded %v, err %v", reloaded, err)
	}

	r, err := ps.AddRule(ctx, store.PermissionRule{Name: "finance-read", Groups: []string{"finance"}, Actions: []string{"read"}, URI: "PG:finance"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ps.Current().Rules["app:finance-read"]; !ok || len(seen) != 1 {
		t.Errorf("added rule not in force (%d changes seen)", len(seen))
	}
	if _, ok := ps.File().Rules["app:finance-read"]; ok {
		t.Error("the app's rule shows as a file rule")
	}
	if _, err := ps.AddRule(ctx, store.PermissionRule{Name: "bad", Groups: []string{"finance"}, Actions: []string{"fly"}, URI: "/*"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown action: %v, want ErrInvalid", err)
	}

	// The file changes: its new rule and the app's rule are both in force.
	edited := samplePermissions + "  extra:\n    groups: [finance]\n    actions: [create]\n    uri: /extra\n"
	if err := os.WriteFile(path, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	if reloaded, err := ps.Check(ctx); !reloaded || err != nil {
		t.Fatalf("edited file: reloaded %v, err %v", reloaded, err)
	}
	cur := ps.Current()
	if _, ok := cur.Rules["extra"]; !ok {
		t.Error("the file's new rule is not in force")
	}
	if _, ok := cur.Rules["app:finance-read"]; !ok {
		t.Error("reloading the file dropped the app's rule")
	}

	// A broken file is reported once; the permissions in force stay.
	if err := os.WriteFile(path, []byte(strings.Replace(edited, "[create]", "[DENY:fly]", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Check(ctx); err == nil || !strings.Contains(err.Error(), `unknown action "fly"`) {
		t.Errorf("broken file: %v", err)
	}
	if ps.Current() != cur {
		t.Error("a broken file changed the permissions in force")
	}
	if reloaded, err := ps.Check(ctx); reloaded || err != nil {
		t.Errorf("the same broken file again: reloaded %v, err %v", reloaded, err)
	}

	if name, err := ps.DeleteRule(ctx, r.ID); err != nil || name != "finance-read" {
		t.Fatalf("delete: %q %v", name, err)
	}
	if _, ok := ps.Current().Rules["app:finance-read"]; ok {
		t.Error("deleted rule still in force")
	}
}
