package auth

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// decideCase is one access question and its expected answer.
type decideCase struct {
	user   User
	action string
	target string
	want   bool
}

func checkDecisions(t *testing.T, p *Permissions, cases []decideCase) {
	t.Helper()
	for _, c := range cases {
		if got := p.Allowed(c.user, c.action, c.target); got != c.want {
			t.Errorf("%s (groups %v): %s %s = %v, want %v", c.user.Username, c.user.Groups, c.action, c.target, got, c.want)
		}
	}
}

func mustParse(t *testing.T, yaml string) *Permissions {
	t.Helper()
	p, err := ParsePermissions([]byte(yaml), "test.yml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTargetMacros(t *testing.T) {
	u := User{Username: "u", Email: "u@example.com", Groups: []string{"g"}}
	rule := func(actions, uri string) string {
		return "permissions:\n  r: {groups: [g], actions: [" + actions + "], uri: '" + uri + "'}\n"
	}
	tests := []struct {
		name  string
		yaml  string
		cases []decideCase
	}{
		{"PGReadWithColons", rule("read", "PG:finance:travel"), []decideCase{
			{u, "read", "/process-groups/finance:travel", true},
			{u, "read", "/process-groups/finance:travel:sub", true},
			{u, "read", "/process-models/finance:travel:expense", true},
			{u, "read", "/process-models/finance:travel:expense/files/a.bpmn", true},
			{u, "update", "/process-models/finance:travel:expense", false},
			{u, "read", "/process-groups/finance", false},
			{u, "read", "/process-groups/finance:travelling", false},
			{u, "create", "/process-instances/finance:travel:expense", false},
			{u, "read", "/process-instances/finance:travel:expense/4", false},
		}},
		{"PGWithSlashes", rule("read", "PG:finance/travel"), []decideCase{
			{u, "read", "/process-groups/finance:travel", true},
			{u, "read", "/process-models/finance:travel:expense", true},
		}},
		{"PGStart", rule("start", "PG:finance"), []decideCase{
			{u, "create", "/process-instances/finance:expense", true},
			{u, "read", "/logs/finance:expense/3", true},
			{u, "read", "/process-data-file-download/finance:expense/3", true},
			{u, "read", "/process-models/finance:expense", false},
			{u, "read", "/process-instances/finance:expense/3", false},
			{u, "create", "/process-instances/hr:leave", false},
		}},
		{"PGAll", rule("all", "PG:finance"), []decideCase{
			{u, "create", "/process-groups/finance:new", true},
			{u, "delete", "/process-models/finance:expense", true},
			{u, "read", "/process-instances/finance:expense/3", true},
			{u, "create", "/process-instance-suspend/finance:expense/3", true},
			{u, "create", "/process-instance-terminate/finance:expense/3", true},
			{u, "update", "/task-data/finance:expense/3", true},
			{u, "create", "/process-groups", false},
			{u, "read", "/process-instances/hr:leave/3", false},
		}},
		{"PGALL", rule("read", "PG:ALL"), []decideCase{
			{u, "read", "/process-groups", true},
			{u, "read", "/process-groups/anything:at:all", true},
			{u, "read", "/process-models/x:y", true},
			{u, "update", "/process-models/x:y", false},
		}},
		{"PMWithSlashes", rule("read, start", "PM:finance/expense"), []decideCase{
			{u, "read", "/process-models/finance:expense", true},
			{u, "read", "/process-models/finance:expense/files/a.bpmn", true},
			{u, "create", "/process-instances/finance:expense", true},
			{u, "read", "/process-models/finance:expense-report", false},
			{u, "read", "/process-groups/finance", false},
			{u, "create", "/process-instances/finance:other", false},
		}},
		{"PMWithColons", rule("read", "PM:finance:expense"), []decideCase{
			{u, "read", "/process-models/finance:expense", true},
		}},
		{"PMALL", rule("start", "PM:ALL"), []decideCase{
			{u, "create", "/process-instances/a:b", true},
			{u, "read", "/process-models/a:b", false},
		}},
		{"BASIC", rule("all", "BASIC"), []decideCase{
			{u, "read", "/tasks", true},
			{u, "update", "/tasks/3/4", true},
			{u, "read", "/process-instances/for-me", true},
			{u, "read", "/process-instances/for-me/a:b/3", true},
			{u, "read", "/processes", true},
			{u, "read", "/service-tasks", true},
			{u, "read", "/process-instances/a:b/3", false},
			{u, "read", "/process-groups/a", false},
			{u, "read", "/admin", false},
		}},
		{"SUPPORT", rule("all", "SUPPORT"), []decideCase{
			{u, "read", "/tasks", true},
			{u, "read", "/process-instances/a:b/3", true},
			{u, "read", "/process-models/a:b", true},
			{u, "create", "/process-instance-suspend/a:b/3", true},
			{u, "update", "/process-models/a:b", false},
			{u, "read", "/secrets/x", false},
		}},
		{"ELEVATED", rule("all", "ELEVATED"), []decideCase{
			{u, "create", "/process-instance-resume/a:b/3", true},
			{u, "update", "/secrets/x", true},
			{u, "read", "/service-accounts/x", true},
			{u, "read", "/admin", false},
		}},
		{"ALL", rule("read", "ALL"), []decideCase{
			{u, "read", "/admin", true},
			{u, "read", "/process-models/a:b", true},
			{u, "update", "/admin", false},
		}},
		{"PlainWildcard", rule("read", "/process-instances/finance:*"), []decideCase{
			{u, "read", "/process-instances/finance", true},
			{u, "read", "/process-instances/finance:expense/3", true},
			{u, "read", "/process-instances/hr:leave/3", false},
		}},
		{"PlainSlashWildcard", rule("create, update", "/admin/*"), []decideCase{
			{u, "update", "/admin", true},
			{u, "create", "/admin/users/3", true},
			{u, "read", "/admin", false},
			{u, "update", "/administrator", false},
		}},
		{"PlainExact", rule("read", "/debug/url-info"), []decideCase{
			{u, "read", "/debug/url-info", true},
			{u, "read", "/debug/url-info/x", false},
		}},
		{"ForMe", rule("read", "/process-instances/for-me"), []decideCase{
			{u, "read", "/process-instances/for-me", true},
			{u, "read", "/process-instances/for-me/a:b/1", false},
			{u, "read", "/process-instances/a:b/1", false},
		}},
		{"ForMeWildcard", rule("read", "/process-instances/for-me/*"), []decideCase{
			{u, "read", "/process-instances/for-me", true},
			{u, "read", "/process-instances/for-me/a:b/1", true},
			{u, "read", "/process-instances/a:b/1", false},
		}},
		{"RootWildcard", rule("all", "/*"), []decideCase{
			{u, "delete", "/process-groups/a", true},
			{u, "read", "/", true},
		}},
		{"Deny", "permissions:\n" +
			"  everything: {groups: [g], actions: [all], uri: /*}\n" +
			"  no-delete: {groups: [g], actions: ['DENY:delete'], uri: PG:finance}\n" +
			"  no-secrets: {users: [u@example.com], actions: ['DENY:all'], uri: /secrets/*}\n", []decideCase{
			{u, "delete", "/process-models/finance:expense", false},
			{u, "update", "/process-models/finance:expense", true},
			{u, "delete", "/process-models/hr:leave", true},
			{u, "read", "/secrets/x", false},
			{u, "read", "/secrets", false},
		}},
		{"DenyStart", "permissions:\n" +
			"  start: {groups: [g], actions: [start], uri: PG:ALL}\n" +
			"  not-hr: {groups: [g], actions: ['DENY:start'], uri: PG:hr}\n", []decideCase{
			{u, "create", "/process-instances/finance:expense", true},
			{u, "create", "/process-instances/hr:leave", false},
		}},
		{"UsersAndDefaultGroup", "default_group: everybody\npermissions:\n" +
			"  basic: {groups: [everybody], actions: [all], uri: BASIC}\n" +
			"  by-name: {users: [u], actions: [read], uri: /by-name}\n" +
			"  by-email: {users: [U@Example.com], actions: [read], uri: /by-email}\n", []decideCase{
			{User{Username: "nobody"}, "read", "/tasks", true},
			{u, "read", "/by-name", true},
			{u, "read", "/by-email", true},
			{User{Username: "other"}, "read", "/by-name", false},
		}},
		{"OlderAllowedPermissionsKey", "permissions:\n  r: {groups: [g], allowed_permissions: [read], uri: PM:a}\n", []decideCase{
			{u, "read", "/process-models/a", true},
		}},
		{"OtherGroup", rule("all", "/*"), []decideCase{
			{User{Username: "x", Groups: []string{"h"}}, "read", "/tasks", false},
			{User{Username: "x"}, "read", "/tasks", false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkDecisions(t, mustParse(t, tt.yaml), tt.cases)
		})
	}
}

func TestDecisionNamesRule(t *testing.T) {
	p := mustParse(t, "permissions:\n"+
		"  everything: {groups: [g], actions: [all], uri: /*}\n"+
		"  keep-finance: {groups: [g], actions: ['DENY:delete'], uri: PG:finance}\n")
	u := User{Username: "u", Groups: []string{"g"}}
	if d := p.Decide(u, "read", "/x"); !d.Allowed || d.Rule != "everything" {
		t.Errorf("read: %+v", d)
	}
	if d := p.Decide(u, "delete", "/process-groups/finance"); d.Allowed || !d.Denied || d.Rule != "keep-finance" {
		t.Errorf("delete: %+v", d)
	}
	if d := p.Decide(User{Username: "v"}, "read", "/x"); d.Allowed || d.Denied || d.Rule != "" {
		t.Errorf("no rule: %+v", d)
	}
}

func TestBadRules(t *testing.T) {
	tests := []struct{ name, rule, want string }{
		{"UnknownAction", "{groups: [g], actions: [approve], uri: /*}", `test.yml: permission "r": unknown action "approve"`},
		{"UnknownDenyAction", "{groups: [g], actions: ['DENY:approve'], uri: /*}", `permission "r": unknown action "approve"`},
		{"StartOnPlainURI", "{groups: [g], actions: [start], uri: /process-instances/*}", `permission "r": action "start" works only with PG: and PM: targets, not uri "/process-instances/*"`},
		{"StartOnBasic", "{groups: [g], actions: [start], uri: BASIC}", `action "start" works only with PG: and PM:`},
		{"UnknownMacro", "{groups: [g], actions: [read], uri: EVERYTHING}", `permission "r": unknown uri "EVERYTHING"`},
		{"WildcardInside", "{groups: [g], actions: [read], uri: /a/*/b}", `permission "r": uri "/a/*/b": '*' may only end a uri`},
		{"WildcardInPG", "{groups: [g], actions: [read], uri: 'PG:fin*'}", `uri "PG:fin*": no '*' in PG: ids`},
		{"EmptyPM", "{groups: [g], actions: [read], uri: 'PM:'}", `uri "PM:" names no process group or model`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePermissions([]byte("permissions:\n  r: "+tt.rule+"\n"), "test.yml")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestSpecExampleFile reads the permissions file that the extensions spec
// shows, as it is, and checks what it grants.
func TestSpecExampleFile(t *testing.T) {
	spec, err := os.ReadFile("../../../shared/spec/EXTENSIONS.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n(users:.*?permissions:.*?)```").FindSubmatch(spec)
	if m == nil {
		t.Fatal("EXTENSIONS.md has no permissions example")
	}
	p, err := ParsePermissions(m[1], "EXTENSIONS.md example")
	if err != nil {
		t.Fatal(err)
	}
	alice := User{Username: "alice", Email: "alice@example.com", Groups: []string{"admin"}}
	bob := User{Username: "bob", Email: "bob@example.com", Groups: []string{"finance"}}
	checkDecisions(t, p, []decideCase{
		{alice, "delete", "/process-groups/finance", true},
		{alice, "read", "/admin", true},
		{bob, "read", "/process-models/finance", true},
		{bob, "create", "/process-instances/finance", true},
		{bob, "update", "/process-models/finance", false},
		{bob, "read", "/process-models/hr:leave", false},
		{bob, "read", "/admin", false},
	})
}

// BenchmarkDecide asks one question of a file with BASIC for everybody,
// an admin rule and 40 group rules, for a user in two groups: the cost
// every request and every page boolean pays.
func BenchmarkDecide(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("default_group: everybody\npermissions:\n  basic: {groups: [everybody], actions: [all], uri: BASIC}\n  admin: {groups: [admin], actions: [all], uri: ALL}\n")
	for i := range 40 {
		fmt.Fprintf(&sb, "  g%d: {groups: [g%d], actions: [all], uri: 'PG:group%d'}\n", i, i, i)
	}
	p, err := ParsePermissions([]byte(sb.String()), "bench.yml")
	if err != nil {
		b.Fatal(err)
	}
	u := User{Username: "u", Groups: []string{"g3", "g17"}}
	b.ReportAllocs()
	for b.Loop() {
		if !p.Allowed(u, "update", "/process-models/group17:expense/files/a.bpmn") {
			b.Fatal("refused")
		}
	}
}
