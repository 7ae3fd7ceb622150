package main

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

// rowTexts returns the trimmed text of each cell of each row of a table.
func rowTexts(doc *goquery.Document, selector string) [][]string {
	var out [][]string
	doc.Find(selector + " tbody tr").Each(func(_ int, tr *goquery.Selection) {
		var row []string
		tr.Find("td").Each(func(_ int, td *goquery.Selection) {
			row = append(row, strings.Join(strings.Fields(td.Text()), " "))
		})
		out = append(out, row)
	})
	return out
}

func TestAdminUserPages(t *testing.T) {
	perms := withPermissions(t)
	ta := startApp(t, perms)
	admin := signedInAs(t, ta.url, "alice", "alice-secret")

	t.Run("AddUserRefusesBadInput", func(t *testing.T) {
		for _, tt := range []struct{ name, username, password, msg string }{
			{"ShortPassword", "erin", "short", "The password must be at least 8 characters."},
			{"BadUsername", "<script>", "long-enough", `The username "<script>" may use letters, digits and . _ @ + - (at most 100, starting with a letter or digit).`},
			{"Taken", "bob", "long-enough", `The username "bob" is taken.`},
		} {
			t.Run(tt.name, func(t *testing.T) {
				resp, doc := submit(t, admin, ta.url, "/admin", "#add-user-form", url.Values{
					"username": {tt.username}, "display_name": {"Erin"}, "password": {tt.password}})
				wantStatus(t, resp, http.StatusUnprocessableEntity)
				if got := text(doc, "#add-user-error"); got != tt.msg {
					t.Errorf("error %q, want %q", got, tt.msg)
				}
				if got := doc.Find("#new-username").AttrOr("value", ""); got != tt.username {
					t.Errorf("typed username not kept: %q", got)
				}
			})
		}
		_, doc := get(t, admin, ta.url+"/admin")
		if n := doc.Find(`#users tr[data-user="erin"], #users tr[data-user="<script>"]`).Length(); n != 0 {
			t.Errorf("a refused user was stored (%d rows)", n)
		}
	})

	resp, _ := submit(t, admin, ta.url, "/admin", "#add-user-form", url.Values{
		"username": {"erin"}, "display_name": {"Erin Example"}, "email": {"erin@example.com"}, "password": {"erin-first"}})
	wantStatus(t, resp, http.StatusSeeOther)
	erinPage := resp.Header.Get("Location")

	t.Run("NewUserPage", func(t *testing.T) {
		_, doc := get(t, admin, ta.url+erinPage)
		if got := text(doc, "main h1"); got != "erin" {
			t.Errorf("h1 %q", got)
		}
		if got := text(doc, ".flash"); got != "User erin was added." {
			t.Errorf("flash %q", got)
		}
		if got := text(doc, "#user-status"); got != "active, must change password" {
			t.Errorf("status %q", got)
		}
		if got := text(doc, "#user-source"); got != "local" {
			t.Errorf("source %q", got)
		}
		if doc.Find("#no-grants").Length() != 1 {
			t.Error("a user in no group shows grants")
		}
		if got := text(doc, `#audit tr[data-event="user-created"] td.actor`); got != "alice" {
			t.Errorf("audit actor %q", got)
		}
	})

	t.Run("Groups", func(t *testing.T) {
		resp, _ := submit(t, admin, ta.url, erinPage, "#group-add-form", url.Values{"group": {"admin"}})
		wantStatus(t, resp, http.StatusSeeOther)
		resp, _ = submit(t, admin, ta.url, erinPage, "#group-add-form", url.Values{"group": {"reviewers"}})
		wantStatus(t, resp, http.StatusSeeOther)
		_, doc := get(t, admin, ta.url+erinPage)
		var groups []string
		doc.Find("#user-groups li").Each(func(_ int, s *goquery.Selection) { groups = append(groups, s.AttrOr("data-group", "")) })
		if diff := cmp.Diff([]string{"admin", "reviewers"}, groups); diff != "" {
			t.Errorf("groups (-want +got):\n%s", diff)
		}
		// The rule of the file that reaches erin through the admin group.
		if diff := cmp.Diff([][]string{{"all", "/*", "admin-everything", "group admin"}}, rowTexts(doc, "#grants")); diff != "" {
			t.Errorf("grants (-want +got):\n%s", diff)
		}
		resp, _ = submit(t, admin, ta.url, erinPage, `#user-groups li[data-group="reviewers"] form`, nil)
		wantStatus(t, resp, http.StatusSeeOther)
		_, doc = get(t, admin, ta.url+erinPage)
		if doc.Find(`#user-groups li[data-group="reviewers"]`).Length() != 0 {
			t.Error("reviewers membership not removed")
		}

		resp, doc = submit(t, admin, ta.url, erinPage, "#group-add-form", url.Values{"group": {"../x"}})
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if got := text(doc, "#user-error"); !strings.HasPrefix(got, `The group name "../x" may use`) {
			t.Errorf("error %q", got)
		}

		// alice's admin membership comes from the file: no remove button,
		// and a forged removal is refused.
		alicePage := userPath(t, admin, ta.url, "alice")
		_, doc = get(t, admin, ta.url+alicePage)
		if doc.Find(`#user-groups li[data-group="admin"] form`).Length() != 0 {
			t.Error("a membership from the file has a remove button")
		}
		resp, doc = postForm(t, admin, ta.url+alicePage+"/groups/delete", url.Values{"csrf_token": {csrfToken(t, doc)}, "group": {"admin"}}, nil)
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if got := text(doc, "#user-error"); !strings.Contains(got, "comes from the permissions file") {
			t.Errorf("error %q", got)
		}
		if doc.Find("#password-from-file").Length() != 1 || doc.Find("#password-set-form").Length() != 0 {
			t.Error("the password of a file user can be set on the page")
		}
		if doc.Find("#disable-form").Length() != 0 {
			t.Error("the admin can disable their own account")
		}
	})

	t.Run("NewUserActsOnlyAfterChangingPassword", func(t *testing.T) {
		c := browser(t)
		signIn(t, c, ta.url, "erin", "erin-first")
		resp, _ := get(t, c, ta.url+"/admin")
		if loc := resp.Header.Get("Location"); loc != "/account" {
			t.Errorf("/admin before the change: %d %q", resp.StatusCode, loc)
		}
		req, _ := http.NewRequest(http.MethodGet, ta.url+"/api/tasks", nil)
		if resp, _ := do(t, c, req); resp.StatusCode != http.StatusForbidden {
			t.Errorf("API before the change: %d, want 403", resp.StatusCode)
		}
		resp, _ = submit(t, c, ta.url, "/account", "#password-form", url.Values{"current": {"erin-first"}, "password": {"erin-chosen"}})
		wantStatus(t, resp, http.StatusSeeOther)
		resp, doc := get(t, c, ta.url+"/admin")
		wantStatus(t, resp, http.StatusOK) // erin is in the admin group now
		if doc.Find(`#users tr[data-user="erin"]`).Length() != 1 {
			t.Error("erin missing from the users table")
		}
	})

	t.Run("NonAdminRefused", func(t *testing.T) {
		bob := signedInAs(t, ta.url, "bob", "bob-secret")
		for _, p := range []string{erinPage, "/admin/audit"} {
			if resp, _ := get(t, bob, ta.url+p); resp.StatusCode != http.StatusForbidden {
				t.Errorf("GET %s as bob: %d", p, resp.StatusCode)
			}
		}
		_, doc := get(t, bob, ta.url+"/inbox")
		tok := csrfToken(t, doc)
		for _, f := range []struct {
			path   string
			fields url.Values
		}{
			{erinPage + "/disable", nil},
			{erinPage + "/password", url.Values{"password": {"taken-over"}}},
			{erinPage + "/groups", url.Values{"group": {"admin"}}},
			{"/admin/users", url.Values{"username": {"mole"}, "password": {"mole-password"}}},
			{"/admin/permissions", url.Values{"name": {"mine"}, "users": {"bob"}, "actions": {"all"}, "uri": {"/*"}}},
		} {
			vals := url.Values{"csrf_token": {tok}}
			for k, v := range f.fields {
				vals[k] = v
			}
			resp, _ := postForm(t, bob, ta.url+f.path, vals, nil)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s as bob: %d, want 403", f.path, resp.StatusCode)
			}
		}
		_, doc = get(t, admin, ta.url+"/admin/permissions")
		if doc.Find("#app-rules tbody tr").Length() != 0 {
			t.Error("bob's forged rule was stored")
		}
		_, doc = get(t, admin, ta.url+"/admin")
		if doc.Find(`#users tr[data-user="mole"]`).Length() != 0 {
			t.Error("bob's forged user was stored")
		}
		if resp, _ := signIn(t, browser(t), ta.url, "erin", "erin-chosen"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("erin was disabled by a non-admin: %d", resp.StatusCode)
		}
	})
}

func TestPermissionsFileReload(t *testing.T) {
	perms := withPermissions(t)
	ta := startApp(t, perms)
	admin := signedInAs(t, ta.url, "alice", "alice-secret")
	path := perms["WAYMARK_PERMISSIONS_FILE"]

	// carol and a rule for the approvers group appear without a restart.
	added := strings.Replace(testPermissions, "users:\n  alice:", "users:\n  carol:\n    password: carol-secret\n  alice:", 1) + `  approvers-read:
    groups: [approvers]
    actions: [read, start]
    uri: PG:examples
`
	added = strings.Replace(added, "approvers:\n    users: [bob@example.com]", "approvers:\n    users: [bob@example.com, carol]", 1)
	if err := os.WriteFile(path, []byte(added), 0o600); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "carol to be loaded", func() bool {
		_, doc := get(t, admin, ta.url+"/admin")
		return doc.Find(`#users tr[data-user="carol"]`).Length() == 1
	})
	signedInAs(t, ta.url, "carol", "carol-secret")
	_, doc := get(t, admin, ta.url+userPath(t, admin, ta.url, "carol"))
	want := [][]string{
		{"all", "BASIC", "approvers-basic", "group approvers"},
		{"read", "PG:examples", "approvers-read", "group approvers"},
		{"start", "PG:examples", "approvers-read", "group approvers"},
		{"read", "PG:ALL", "approvers-start", "group approvers"},
		{"start", "PG:ALL", "approvers-start", "group approvers"},
	}
	if diff := cmp.Diff(want, rowTexts(doc, "#grants")); diff != "" {
		t.Errorf("carol's grants (-want +got):\n%s", diff)
	}

	// A broken file is reported and the permissions in force stay.
	if err := os.WriteFile(path, []byte(added+"  broken:\n    groups: [admin]\n    actions: [DENY:fly]\n    uri: /*\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the broken file to be reported", func() bool {
		return strings.Contains(ta.logs.String(), "permissions file not reloaded")
	})
	signedInAs(t, ta.url, "carol", "carol-secret")
	if !strings.Contains(ta.logs.String(), `unknown action \"fly\"`) {
		t.Errorf("the log does not name the problem:\n%s", ta.logs.String())
	}
}

func TestPermissionRulesInApp(t *testing.T) {
	vars := merge(withPermissions(t), map[string]string{"WAYMARK_DATA_DIR": t.TempDir()})
	ta := startApp(t, vars)
	admin := signedInAs(t, ta.url, "alice", "alice-secret")

	_, doc := get(t, admin, ta.url+"/admin/permissions")
	fileRules := [][]string{
		{"admin-everything", "admin", "", "all", "/*"},
		{"approvers-basic", "approvers", "", "all", "BASIC"},
		{"approvers-start", "approvers", "", "read, start", "PG:ALL"},
	}
	if diff := cmp.Diff(fileRules, rowTexts(doc, "#file-rules")); diff != "" {
		t.Errorf("file rules (-want +got):\n%s", diff)
	}
	if doc.Find("#no-app-rules").Length() != 1 {
		t.Error("app rules listed before any was added")
	}

	t.Run("Refused", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			fields url.Values
			msg    string
		}{
			{"UnknownAction", url.Values{"name": {"r1"}, "groups": {"approvers"}, "actions": {"read, fly"}, "uri": {"/*"}}, `unknown action "fly"`},
			{"NoOne", url.Values{"name": {"r2"}, "actions": {"read"}, "uri": {"/*"}}, "The rule names no group and no user."},
			{"NoTarget", url.Values{"name": {"r3"}, "groups": {"approvers"}, "actions": {"read"}, "uri": {" "}}, "missing uri."},
			{"BadName", url.Values{"name": {"a b"}, "groups": {"approvers"}, "actions": {"read"}, "uri": {"/*"}}, `The rule name "a b" may use`},
		} {
			t.Run(tt.name, func(t *testing.T) {
				resp, doc := submit(t, admin, ta.url, "/admin/permissions", "#add-rule-form", tt.fields)
				wantStatus(t, resp, http.StatusUnprocessableEntity)
				if got := text(doc, "#add-rule-error"); !strings.Contains(got, tt.msg) {
					t.Errorf("error %q does not contain %q", got, tt.msg)
				}
				if got := doc.Find("#rule-name").AttrOr("value", ""); got != tt.fields.Get("name") {
					t.Errorf("typed name not kept: %q", got)
				}
				if doc.Find("#app-rules tbody tr").Length() != 0 {
					t.Error("a refused rule was stored")
				}
			})
		}
	})

	resp, _ := submit(t, admin, ta.url, "/admin/permissions", "#add-rule-form", url.Values{
		"name": {"approvers-start"}, "groups": {"approvers"}, "actions": {"read, start"}, "uri": {"PG:examples"}})
	wantStatus(t, resp, http.StatusSeeOther)
	_, doc = get(t, admin, ta.url+"/admin/permissions")
	if diff := cmp.Diff([][]string{{"approvers-start", "approvers", "", "read, start", "PG:examples", "alice", "Delete"}}, rowTexts(doc, "#app-rules")); diff != "" {
		t.Errorf("app rules (-want +got):\n%s", diff)
	}
	resp, _ = submit(t, admin, ta.url, "/admin/permissions", "#add-rule-form", url.Values{
		"name": {"approvers-start"}, "users": {"bob"}, "actions": {"read"}, "uri": {"/*"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)

	bobPage := userPath(t, admin, ta.url, "bob")
	_, doc = get(t, admin, ta.url+bobPage)
	// The app's rule is listed beside those of the file.
	want := [][]string{
		{"read", "PG:examples", "app:approvers-start", "group approvers"},
		{"start", "PG:examples", "app:approvers-start", "group approvers"},
		{"all", "BASIC", "approvers-basic", "group approvers"},
		{"read", "PG:ALL", "approvers-start", "group approvers"},
		{"start", "PG:ALL", "approvers-start", "group approvers"},
	}
	if diff := cmp.Diff(want, rowTexts(doc, "#grants")); diff != "" {
		t.Errorf("bob's grants (-want +got):\n%s", diff)
	}
	_, doc = get(t, admin, ta.url+"/admin/audit")
	if got := text(doc, `#audit tr[data-event="rule-added"] td.detail`); !strings.Contains(got, "app:approvers-start") {
		t.Errorf("audit detail %q", got)
	}

	// The rule is in the database: a restart keeps it.
	ta.stop()
	ta = startApp(t, vars)
	admin = signedInAs(t, ta.url, "alice", "alice-secret")
	resp, doc = submit(t, admin, ta.url, "/admin/permissions", `#app-rules tr[data-rule="approvers-start"] form`, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	_, doc = get(t, admin, ta.url+"/admin/permissions")
	if doc.Find("#no-app-rules").Length() != 1 {
		t.Error("the deleted rule is still listed")
	}
	_, doc = get(t, admin, ta.url+bobPage)
	if diff := cmp.Diff(want[2:], rowTexts(doc, "#grants")); diff != "" {
		t.Errorf("bob's grants after the app's rule was deleted (-want +got):\n%s", diff)
	}
}
