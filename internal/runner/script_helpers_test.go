package runner_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/internal/pgtest"
	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/secrets"
	"github.com/waymark-bpm/waymark/internal/store"
)

// helperModel is a model written for one test: start, script task s1,
// user task "wait" in lane "Finance Team" (with a pre-script), script task
// s2, user task "wait2" that keeps the instance open, end.
func helperModel(s1, pre, s2 string) string {
	esc := func(src string) string {
		if src == "" {
			src = "pass"
		}
		return html.EscapeString(src)
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="collab"><bpmn:participant id="part" processRef="helpers" /></bpmn:collaboration>
  <bpmn:process id="helpers" name="Script helpers" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="lane_fin" name="Finance Team">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>s1</bpmn:flowNodeRef><bpmn:flowNodeRef>wait</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>s2</bpmn:flowNodeRef><bpmn:flowNodeRef>wait2</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="s1" name="First script"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>` + esc(s1) + `</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="wait" name="Wait here">
      <bpmn:extensionElements><spiffworkflow:preScript>` + esc(pre) + `</spiffworkflow:preScript></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:scriptTask id="s2" name="Second script"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing><bpmn:script>` + esc(s2) + `</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="wait2"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="s1" />
    <bpmn:sequenceFlow id="f2" sourceRef="s1" targetRef="wait" />
    <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="s2" />
    <bpmn:sequenceFlow id="f4" sourceRef="s2" targetRef="wait2" />
    <bpmn:sequenceFlow id="f5" sourceRef="wait2" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`
}

// testDirectory hands the runner internal/auth's script admin, as cmd/web does.
type testDirectory struct{ a *auth.ScriptAdmin }

func (d testDirectory) MayRunPrivileged(ctx context.Context, u, h string) (bool, error) {
	return d.a.MayRunPrivileged(ctx, u, h)
}
func (d testDirectory) AllPermissions(context.Context) ([]runner.GroupPermission, error) {
	var out []runner.GroupPermission
	for _, g := range d.a.GroupGrants() {
		out = append(out, runner.GroupPermission{Group: g.Group, URI: g.URI, Actions: g.Actions})
	}
	return out, nil
}
func (d testDirectory) CheckPermission(a, u string) error { return d.a.CheckPermission(a, u) }
func (d testDirectory) AddPermission(ctx context.Context, g, a, u, by string) error {
	return d.a.AddPermission(ctx, g, a, u, by)
}
func (d testDirectory) AddUserToGroup(ctx context.Context, u, g string) error {
	return d.a.AddUserToGroup(ctx, u, g)
}
func (d testDirectory) RefreshPermissions(ctx context.Context, gs []runner.GroupPermissions, only bool, by string) error {
	var out []auth.ScriptGroup
	for _, g := range gs {
		sg := auth.ScriptGroup{Name: g.Name, Users: g.Users}
		for _, p := range g.Permissions {
			sg.Grants = append(sg.Grants, auth.ScriptGrant{Actions: p.Actions, URI: p.URI})
		}
		out = append(out, sg)
	}
	return d.a.RefreshPermissions(ctx, out, only, by)
}

const helperPermissions = `
groups:
  admin: {users: [alice]}
  approvers: {users: [bob, cathy]}
  Finance Team: {users: [bob]}
users:
  alice: {email: alice@example.com}
  bob: {email: bob@example.com}
  cathy: {}
permissions:
  admin-all: {groups: [admin], actions: [all], uri: /*}
  approvers-basic: {groups: [approvers], actions: [all], uri: BASIC}
`

type helperEnv struct {
	*env
	perms   *auth.PermissionsSource
	secrets *secrets.Secrets
	dir     *auth.Directory
	n       int
}

// newHelperEnv is a runner with users, groups, permissions (internal/auth)
// and secrets, on a SQLite file, or on PostgreSQL when db is "postgres".
func newHelperEnv(t *testing.T, db ...string) *helperEnv {
	t.Helper()
	e := &env{specs: newSpecs(t), clock: &fakeClock{now: fixedNow}, dbPath: filepath.Join(t.TempDir(), "waymark.db")}
	if len(db) > 0 && db[0] == "postgres" {
		e.pgURL = pgtest.NewDatabase(t)
	}
	e.open(t, runner.Options{})
	file := filepath.Join(t.TempDir(), "permissions.yml")
	if err := os.WriteFile(file, []byte(helperPermissions), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := auth.NewDirectory(e.store)
	perms, _, err := auth.NewPermissionsSource(context.Background(), file, dir)
	if err != nil {
		t.Fatal(err)
	}
	sec, err := secrets.New(e.store, []byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	e.open(t, runner.Options{EnvName: "testing", FrontendURL: "https://wm.example/base", Secrets: sec,
		Directory: testDirectory{auth.NewScriptAdmin(perms, e.clock.Now)}})
	return &helperEnv{env: e, perms: perms, secrets: sec, dir: dir}
}

// model writes a new model and returns its id.
func (h *helperEnv) model(t *testing.T, s1, pre, s2 string) string {
	t.Helper()
	h.n++
	id := fmt.Sprintf("group/helpers%d", h.n)
	d := t.TempDir()
	if err := os.WriteFile(filepath.Join(d, "helpers.bpmn"), []byte(helperModel(s1, pre, s2)), 0o600); err != nil {
		t.Fatal(err)
	}
	h.specs.mu.Lock()
	h.specs.dirs[id] = d
	h.specs.mu.Unlock()
	return id
}

// taskData returns the data of the instance's latest human task at element.
func taskData(t *testing.T, e *env, id int64, element string) map[string]any {
	t.Helper()
	tasks, err := e.store.InstanceHumanTasks(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var data map[string]any
	found := false
	for _, h := range tasks {
		if h.ElementID == element {
			found = true
			data = nil
			full, err := e.store.HumanTask(context.Background(), id, h.TaskID)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(full.Data), &data); err != nil {
				t.Fatalf("task %s data %q: %v", element, h.Data, err)
			}
		}
	}
	if !found {
		in := instance(t, e, id)
		t.Fatalf("instance %d has no task %s (status %s, error %q)", id, element, in.Status, in.ErrorMessage)
	}
	return data
}

var (
	fixedNow = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	fin      = runner.Actor{Username: "alice", Email: "alice@example.com", Groups: []string{"admin", "Finance Team"}}
	finBob   = runner.Actor{Username: "bob", Email: "bob@example.com", Groups: []string{"approvers", "Finance Team"}}
)

// TestScriptHelpers runs every helper through a real script task of a
// real instance on a SQLite file, and checks what it returned.
func TestScriptHelpers(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) { testScriptHelpers(t, db) })
	}
}

func testScriptHelpers(t *testing.T, db string) {
	ctx := context.Background()
	h := newHelperEnv(t, db)
	cases := []struct {
		name       string
		s1, pre    string
		want       map[string]any // keys of the data at "wait"
		s2         string
		want2      map[string]any // keys of the data at "wait2"
		actor      runner.Actor
		beforeWait func(t *testing.T, id int64) (map[string]any, []store.TaskFile)
		// after checks more once the second script ran.
		after func(t *testing.T, id int64)
	}{
		{name: "users", s1: `me = get_current_user()
starter = get_process_initiator_user()
b = get_user("bob")["email"]
nobody = get_user("nobody")
me_name = me["username"]
me_email = me["email"]
has_id = me["id"] > 0
starter_name = starter["username"]
del me, starter`,
			want: map[string]any{"me_name": "alice", "me_email": "alice@example.com", "has_id": true, "starter_name": "alice", "nobody": nil,
				"b": "bob@example.com"}},
		{name: "environment", s1: `e = get_env()
u = get_frontend_url()`, want: map[string]any{"e": "testing", "u": "https://wm.example/base"}},
		{name: "process info on the first step", s1: `info = get_toplevel_process_info()
old = get_process_info()`,
			want: map[string]any{"info": map[string]any{"process_instance_id": "$id", "process_model_identifier": "$model"},
				"old": map[string]any{"process_instance_id": "$id", "process_model_identifier": "$model"}}},
		{name: "task object and task info", s1: `ti = get_current_task_info()
spec = ti["task_spec"]
state = ti["state"]
ahead = get_url_for_task_with_bpmn_identifier("wait2")
try:
    get_url_for_task_with_bpmn_identifier("s2")
except Exception as e:
    not_human = str(e)`,
			pre: `lane = task.task_spec.lane
wait_id = task.id
wait_name = task.task_spec.bpmn_name
url = get_url_for_task_with_bpmn_identifier("wait")
url2 = get_url_for_task(task.id)`,
			want: map[string]any{"spec": "s1", "state": "READY", "lane": "Finance Team", "wait_name": "Wait here",
				"url": "https://wm.example/base/tasks/$id/$wait", "url2": "https://wm.example/base/tasks/$id/$wait",
				"ahead":     "https://wm.example/base/tasks/$id/wait2",
				"not_human": "Given bpmn identifier (s2) represents a task that cannot be completed by people and therefore it does not have a url to retrieve"}},
		{name: "data and table helpers", s1: `update_task_data_with_dictionary({"a": 1, "tmp_x": 2})
v = get_task_data_value("a", 0)
w = get_task_data_value("missing", "d")
got = extract_from_task_data("tmp_")
all_keys = sorted(get_current_task_data().keys())
table = generate_markdown_table(["name"], [{"name": "x_y"}])
from datetime import timezone
local = get_localtime(datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc), "Europe/Berlin").isoformat()
fact = fact_service(type="cat")`,
			want: map[string]any{"a": 1.0, "v": 1.0, "w": "d", "got": map[string]any{"tmp_x": 2.0},
				"all_keys": []any{"a", "got", "v", "w"}, "table": "| Name |\n| ---- |\n| x\\_y |\n",
				"local": "2026-01-01T13:00:00+01:00", "fact": "The cat in the hat"}},
		{name: "groups", s1: `members = get_group_members("approvers")
mine = [g["identifier"] for g in get_groups_for_user()]`,
			want: map[string]any{"members": []any{"bob", "cathy"}, "mine": []any{"admin"}}},
		{name: "starts by the user", s1: `started = user_has_started_instance()
times = times_executed_by_user()`,
			want: map[string]any{"started": true, "times": 1.0}},
		{name: "user properties", s1: `set_user_properties({"colour": "green", "n": [1]})
props = get_user_properties()`,
			want: map[string]any{"props": map[string]any{"colour": "green", "n": []any{1.0}}},
			s2:   `props2 = get_user_properties()`, want2: map[string]any{"props2": map[string]any{"colour": "green", "n": []any{1.0}}}},
		{name: "last user completing a task, owners, files and sizes", pre: `wait_id = task.id`,
			s2: `last = get_last_user_completing_task("helpers", "wait")["username"]
owners = get_task_potential_owners(wait_id)
assigned = get_users_assigned_to_task(wait_id)
encoded = get_encoded_file_data(doc)
link = markdown_file_download_link(doc)
sizes = get_data_sizes()
keys_at_wait = sizes["task_data_keys_by_task"]["wait"]
del sizes`,
			actor: finBob,
			beforeWait: func(t *testing.T, id int64) (map[string]any, []store.TaskFile) {
				sum := sha256.Sum256([]byte("hello"))
				digest := hex.EncodeToString(sum[:])
				return map[string]any{"doc": "data:text/plain;name=a.txt;base64,spifffiledatadigest+" + digest},
					[]store.TaskFile{{Field: "doc", Name: "a.txt", MimeType: "text/plain", Digest: digest, Size: 5, Content: []byte("hello"), UploadedBy: "bob"}}
			},
			want2: map[string]any{"last": "bob", "owners": map[string]any{"users": []any{"bob"}, "groups": []any{"Finance Team"}},
				"assigned": []any{"bob"}, "encoded": "data:text/plain;name=a.txt;base64,aGVsbG8=",
				"link":         "[a.txt](https://wm.example/base/instances/$id/files/2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824)",
				"keys_at_wait": []any{"doc", "wait_id"}}},
		{name: "secrets", s1: `set_secret("api_key", "s3cret")`, s2: `k = get_secret("api_key")`, want2: map[string]any{"k": "s3cret"}},
		{name: "a forged file reference", s1: `try:
    get_encoded_file_data("data:x;name=y;base64,spifffiledatadigest+" + "z" * 64)
except Exception as e:
    err = str(e)
try:
    markdown_file_download_link("data:x;name=y;base64,spifffiledatadigest+" + ")" * 64)
except Exception as e:
    err2 = str(e)`, want: map[string]any{"err": "\"data:x;name=y;base64,spifffiledatadigest+" + strings.Repeat("z", 64) + "\" is not a file reference from task data",
			"err2": "\"data:x;name=y;base64,spifffiledatadigest+" + strings.Repeat(")", 64) + "\" is not a file reference from task data"}},
		{name: "metadata saved by a script outlives later steps", s1: `save_process_instance_metadata({"invoice": "INV-7", "total": 12})`,
			after: func(t *testing.T, id int64) {
				list, _, err := h.store.Instances(ctx, store.InstanceFilter{ModelID: instance(t, h.env, id).ModelID})
				if err != nil {
					t.Fatal(err)
				}
				if len(list) != 1 {
					t.Fatalf("instances: %d", len(list))
				}
				want := map[string]string{"invoice": `"INV-7"`, "total": "12"}
				if d := cmp.Diff(want, list[0].Metadata); d != "" {
					t.Errorf("metadata (-want +got):\n%s", d)
				}
			}},
		{name: "all permissions", s1: `perms = [p for p in get_all_permissions() if p["group_identifier"] == "admin"]`,
			want: map[string]any{"perms": []any{map[string]any{"group_identifier": "admin", "uri": "/*", "permissions": []any{"create", "read", "update", "delete"}}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			actor := tc.actor
			if actor.Username == "" {
				actor = fin
			}
			model := h.model(t, tc.s1, tc.pre, tc.s2)
			id, err := h.runner.Start(ctx, actor, model, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			expand := func(v any, wait int) any {
				b, _ := json.Marshal(v)
				s := strings.NewReplacer(`"$id"`, fmt.Sprint(id), "$id", fmt.Sprint(id), "$model", model, "$wait", fmt.Sprint(wait)).Replace(string(b))
				var out any
				if err := json.Unmarshal([]byte(s), &out); err != nil {
					t.Fatal(err)
				}
				return out
			}
			check := func(got, want map[string]any, wait int) {
				t.Helper()
				for k, w := range want {
					if d := cmp.Diff(expand(w, wait), got[k]); d != "" {
						t.Errorf("%s (-want +got):\n%s", k, d)
					}
				}
			}
			if in := instance(t, h.env, id); in.Status != store.StatusRunning {
				t.Fatalf("instance %s: %s", in.Status, in.ErrorMessage)
			}
			wait := openTask(t, h.env, id, "wait")
			check(taskData(t, h.env, id, "wait"), tc.want, wait)
			var form map[string]any
			var files []store.TaskFile
			if tc.beforeWait != nil {
				form, files = tc.beforeWait(t, id)
				for i := range files {
					files[i].InstanceID, files[i].TaskID, files[i].CreatedAt = id, wait, fixedNow
				}
			}
			if err := h.runner.CompleteTaskWithFiles(ctx, actor, id, wait, form, files); err != nil {
				t.Fatal(err)
			}
			check(taskData(t, h.env, id, "wait2"), tc.want2, wait)
			if tc.after != nil {
				tc.after(t, id)
			}
		})
	}

}

// TestPrivilegedHelpers: helpers that change users or permissions, read
// secrets or save metadata run only for instances whose initiator holds
// create on /can-run-privileged-script/<helper>; their changes take effect
// once the step is stored.
func TestPrivilegedHelpers(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) { testPrivilegedHelpers(t, db) })
	}
}

func testPrivilegedHelpers(t *testing.T, db string) {
	ctx := context.Background()
	h := newHelperEnv(t, db)
	if err := h.secrets.Set(ctx, "api_key", "v", "admin"); err != nil {
		t.Fatal(err)
	}
	for _, call := range []string{`get_secret("api_key")`, `save_process_instance_metadata({"a": 1})`, `get_all_permissions()`,
		`add_permission("read", "PG:finance", "approvers")`, `add_user_to_group("bob", "auditors")`, `refresh_permissions([])`, `set_secret("x", "y")`,
		`delete_process_instances_with_criteria([])`} {
		t.Run("refused: "+call, func(t *testing.T) {
			model := h.model(t, "x = "+call, "", "")
			id, err := h.runner.Start(ctx, finBob, model, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			in := instance(t, h.env, id)
			helper := call[:strings.Index(call, "(")]
			want := "User bob does not have access to run privileged script '" + helper + "'"
			if in.Status != store.StatusError || !strings.Contains(in.ErrorMessage, want) {
				t.Fatalf("status %s, error %q; want an error with %q", in.Status, in.ErrorMessage, want)
			}
		})
	}

	bobUser := func() auth.User {
		u, err := h.store.UserByUsername(ctx, "bob")
		if err != nil {
			t.Fatal(err)
		}
		full, err := h.dir.User(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return full
	}
	t.Run("add_permission and add_user_to_group apply after the step, once", func(t *testing.T) {
		if h.perms.Current().Allowed(bobUser(), "read", "/process-groups/finance") {
			t.Fatal("bob may read finance before the script ran")
		}
		model := h.model(t, `add_permission("read", "PG:finance", "approvers")
add_permission("read", "PG:finance", "approvers")
add_user_to_group("bob", "auditors")`, "", "")
		id, err := h.runner.Start(ctx, fin, model, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if in := instance(t, h.env, id); in.Status != store.StatusRunning {
			t.Fatalf("status %s: %s", in.Status, in.ErrorMessage)
		}
		if !h.perms.Current().Allowed(bobUser(), "read", "/process-groups/finance") {
			t.Error("bob may not read finance after add_permission")
		}
		if !bobUser().InGroup("auditors") {
			t.Errorf("bob's groups %v lack auditors", bobUser().Groups)
		}
		n := 0
		for _, r := range h.perms.AppRules() {
			if strings.HasPrefix(r.Name, auth.ScriptRulePrefix) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("script rules = %d, want 1 (the same grant twice is one rule)", n)
		}
	})
	t.Run("a failing step applies nothing", func(t *testing.T) {
		model := h.model(t, `add_permission("read", "PG:payroll", "approvers")
x = 1 / 0`, "", "")
		if _, err := h.runner.Start(ctx, fin, model, "", nil); err != nil {
			t.Fatal(err)
		}
		if h.perms.Current().Allowed(bobUser(), "read", "/process-groups/payroll") {
			t.Error("a step that failed granted its permission")
		}
	})
	t.Run("a bad rule fails the task", func(t *testing.T) {
		model := h.model(t, `add_permission("fly", "PG:finance", "approvers")`, "", "")
		id, err := h.runner.Start(ctx, fin, model, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if in := instance(t, h.env, id); in.Status != store.StatusError || !strings.Contains(in.ErrorMessage, `unknown action "fly"`) {
			t.Errorf("status %s, error %q", in.Status, in.ErrorMessage)
		}
	})
	t.Run("refresh_permissions replaces what scripts granted", func(t *testing.T) {
		model := h.model(t, `refresh_permissions([{"name": "approvers", "users": ["cathy@example.org", "cathy"], "permissions": [{"actions": ["read", "create"], "uri": "/process-groups/hr:*"}]}])
all_permissions = get_all_permissions()`, "", "")
		id, err := h.runner.Start(ctx, fin, model, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if in := instance(t, h.env, id); in.Status != store.StatusRunning {
			t.Fatalf("status %s: %s", in.Status, in.ErrorMessage)
		}
		bob := bobUser()
		if h.perms.Current().Allowed(bob, "read", "/process-groups/finance") {
			t.Error("the earlier script grant survived refresh_permissions")
		}
		if !h.perms.Current().Allowed(bob, "create", "/process-groups/hr") {
			t.Error("refresh_permissions did not grant create on hr")
		}
		if !h.perms.Current().Allowed(bob, "read", "/tasks/1") {
			t.Error("refresh_permissions took away the file's rules")
		}
	})
	t.Run("delete_process_instances_with_criteria deletes in the step", func(t *testing.T) {
		h.clock.Add(2 * time.Hour)
		errored, _, err := h.store.Instances(ctx, store.InstanceFilter{Status: store.StatusError})
		if err != nil {
			t.Fatal(err)
		}
		if len(errored) < 3 {
			t.Fatalf("want some instances in error to delete, have %d", len(errored))
		}
		keep := errored[0].ModelID
		model := h.model(t, `summary = delete_process_instances_with_criteria([{"status": ["error"], "last_updated_delta": 3600, "exclude_names": ["`+keep+`"]}], return_summary=True)
again = delete_process_instances_with_criteria([{"status": ["complete"], "last_updated_delta": 0}])`, "", "")
		id, err := h.runner.Start(ctx, fin, model, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		data := taskData(t, h.env, id, "wait")
		summary, _ := data["summary"].(map[string]any)
		if summary["total_deleted"] != float64(len(errored)-1) || data["again"] != 0.0 {
			t.Errorf("summary %v, again %v; want %d deleted", summary, data["again"], len(errored)-1)
		}
		left, _, err := h.store.Instances(ctx, store.InstanceFilter{Status: store.StatusError})
		if err != nil {
			t.Fatal(err)
		}
		if len(left) != 1 || left[0].ModelID != keep {
			t.Errorf("instances in error left: %+v, want only the one of %s", left, keep)
		}
	})
}

// TestScriptChangesOfALostRace: of several people completing one task at
// once, one step is stored; the changes the others' scripts asked for are
// never applied. Each completer's script grants a permission to a group
// named after them, so exactly one such rule must exist afterwards.
func TestScriptChangesOfALostRace(t *testing.T) {
	ctx := context.Background()
	h := newHelperEnv(t)
	model := h.model(t, "", "", `add_permission("read", "PG:race", "g-" + get_current_user()["username"])`)
	id, err := h.runner.Start(ctx, fin, model, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	wait := openTask(t, h.env, id, "wait")
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			a := runner.Actor{Username: fmt.Sprintf("u%d", i), Groups: []string{"Finance Team"}}
			errs[i] = h.runner.CompleteTask(ctx, a, id, wait, nil)
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, store.ErrConflict) {
			t.Errorf("unexpected error %v", err)
		}
	}
	var rules []string
	for _, r := range h.perms.AppRules() {
		if strings.HasPrefix(r.Name, auth.ScriptRulePrefix) {
			rules = append(rules, strings.Join(r.Groups, ","))
		}
	}
	if ok != 1 || len(rules) != 1 {
		t.Errorf("%d completions stored, script rules for %v; want one of each", ok, rules)
	}
}
