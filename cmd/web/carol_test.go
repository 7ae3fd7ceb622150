package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/waymark-bpm/waymark/internal/store"
)

// treeDigest hashes every file name and content under dir.
func treeDigest(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		h.Write([]byte(rel + "\x00"))
		h.Write(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// send makes one request with the CSRF header and returns status and body.
func send(t *testing.T, c *http.Client, method, u, contentType, body, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-CSRF-Token", token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestCarolStory replays what an employee could do before permission rules
// decided access, with the demo permissions file as it is (carol: BASIC,
// and read and start on PG:examples): every step is refused and nothing is
// stored.
func TestCarolStory(t *testing.T) {
	dataDir := t.TempDir()
	models := filepath.Join(dataDir, "models")
	if err := os.CopyFS(models, os.DirFS("testdata/models")); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(models, "examples"), os.DirFS("../../examples/models/examples")); err != nil {
		t.Fatal(err)
	}
	ta := startApp(t, map[string]string{
		"WAYMARK_PERMISSIONS_FILE": "../../examples/permissions.yml",
		"WAYMARK_DATA_DIR":         dataDir,
		"WAYMARK_MODELS_DIR":       models,
		"WAYMARK_EXAMPLES":         "false",
	})
	carol := browser(t)
	signIn(t, carol, ta.url, "carol", "demo")
	token := pageToken(t, carol, ta.url)
	before := treeDigest(t, models)
	const form = "application/x-www-form-urlencoded"

	bpmnPath := filepath.Join(models, "examples", "expense-approval", "expense-approval.bpmn")
	bpmn, err := os.ReadFile(bpmnPath)
	if err != nil {
		t.Fatal(err)
	}
	renamed := strings.ReplaceAll(string(bpmn), `name="approvers"`, `name="employees"`)
	if renamed == string(bpmn) {
		t.Fatal("the demo model has no approvers lane to rename")
	}

	refused := []struct {
		name, method, path, contentType, body, permission string
	}{
		{"RenameTheApproversLane", http.MethodPut, "/api/process-models/examples:expense-approval/files/expense-approval.bpmn",
			"application/xml", renamed, `\"update\" on \"/process-models/examples:expense-approval/files/expense-approval.bpmn\"`},
		{"CreateGroup", http.MethodPost, "/process-groups", form, url.Values{"parent": {"examples"}, "id": {"carols"}, "display_name": {"Carol's"}}.Encode(),
			`"create" on "/process-groups/examples:carols"`},
		{"MoveGroup", http.MethodPost, "/process-groups/examples/move", form, url.Values{"new_id": {"mine"}}.Encode(),
			`"update" on "/process-groups/examples"`},
		{"DeleteGroup", http.MethodPost, "/process-groups/examples/delete", form, "", `"delete" on "/process-groups/examples"`},
		{"CreateModel", http.MethodPost, "/process-models", form, url.Values{"group": {"examples"}, "id": {"mine"}, "display_name": {"Mine"}}.Encode(),
			`"create" on "/process-models/examples:mine"`},
		{"MoveModel", http.MethodPost, "/process-models/examples:expense-approval/move", form, url.Values{"new_id": {"examples/mine"}}.Encode(),
			`"update" on "/process-models/examples:expense-approval"`},
		{"DeleteModel", http.MethodPost, "/process-models/examples:expense-approval/delete", form, "",
			`"delete" on "/process-models/examples:expense-approval"`},
		{"AddFile", http.MethodPost, "/process-models/examples:expense-approval/files", form, url.Values{"name": {"x.json"}}.Encode(),
			`"create" on "/process-models/examples:expense-approval/files"`},
		{"EditFileInForm", http.MethodPost, "/process-models/examples:expense-approval/files/expense-approval.bpmn", form,
			url.Values{"content": {renamed}}.Encode(), `"update" on "/process-models/examples:expense-approval/files/expense-approval.bpmn"`},
		{"DownloadRepository", http.MethodGet, "/models/download", "", "", `"read" on "/process-groups"`},
		{"UploadRepository", http.MethodPost, "/models/upload", form, "", `"create" on "/process-groups"`},
		{"StartOtherGroupsModel", http.MethodPost, "/process-models/purchases:approval/start", form, "",
			`"create" on "/process-instances/purchases:approval"`},
		{"ReadOtherGroup", http.MethodGet, "/process-groups/purchases", "", "", `"read" on "/process-groups/purchases"`},
		{"Admin", http.MethodGet, "/admin", "", "", `"read" on "/admin"`},
	}
	for _, step := range refused {
		t.Run(step.name, func(t *testing.T) {
			status, body := send(t, carol, step.method, ta.url+step.path, step.contentType, step.body, token)
			if status != http.StatusForbidden {
				t.Fatalf("status %d, want 403: %.300s", status, body)
			}
			if !strings.Contains(body, step.permission) && !strings.Contains(body, strings.ReplaceAll(step.permission, `"`, "&#34;")) {
				t.Errorf("the refusal does not name %s: %.400s", step.permission, body)
			}
		})
	}
	if after := treeDigest(t, models); after != before {
		t.Error("the model repository changed")
	}

	// She may start an examples model; she may not name the approvers.
	status, body := send(t, carol, http.MethodPost, ta.url+"/process-models/examples:expense-approval/start", form, "", token)
	if status != http.StatusOK && status != http.StatusSeeOther {
		t.Fatalf("start: %d %.300s", status, body)
	}
	tasks, _, err := ta.app.store.Instances(context.Background(), store.InstanceFilter{})
	if err != nil || len(tasks) != 1 {
		t.Fatalf("instances: %d, %v", len(tasks), err)
	}
	instance := tasks[0].ID
	humans, err := ta.app.store.InstanceHumanTasks(context.Background(), instance)
	if err != nil || len(humans) != 1 {
		t.Fatalf("human tasks: %v, %v", humans, err)
	}
	taskURL := ta.url + "/api/tasks/" + itoa(instance) + "/" + itoa(int64(humans[0].TaskID))
	claim := map[string]any{"description": "Train to Oslo", "amount": 120, "category": "travel", "spent_on": "2026-11-30",
		"lane_owners": map[string]any{"approvers": []string{"carol"}}}
	b, _ := json.Marshal(claim)
	status, body = send(t, carol, http.MethodPost, taskURL, "application/json", string(b), token)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `"path":"lane_owners"`) {
		t.Errorf("lane_owners through the API: %d %s", status, body)
	}
	pageURL := ta.url + "/tasks/" + itoa(instance) + "/" + itoa(int64(humans[0].TaskID))
	values := url.Values{"description": {"Train to Oslo"}, "amount": {"120"}, "category": {"travel"}, "spent_on": {"2026-11-30"},
		"lane_owners": {"carol"}}
	status, body = send(t, carol, http.MethodPost, pageURL+"/complete", form, values.Encode(), token)
	if status != http.StatusUnprocessableEntity || !regexp.MustCompile(`no field lane_owners`).MatchString(body) {
		t.Errorf("lane_owners through the form: %d %.300s", status, body)
	}
	humans, err = ta.app.store.InstanceHumanTasks(context.Background(), instance)
	if err != nil || len(humans) != 1 || humans[0].State != store.TaskOpen {
		t.Fatalf("after the refused submissions the first task should still be open: %+v, %v", humans, err)
	}
	in, err := ta.app.store.Instance(context.Background(), instance)
	if err != nil || strings.Contains(string(in.Snapshot), "lane_owners") {
		t.Errorf("lane_owners reached the instance: %v", err)
	}

	// Submitted as the form defines it, the claim goes to the approvers,
	// not to carol.
	delete(claim, "lane_owners")
	b, _ = json.Marshal(claim)
	if status, body = send(t, carol, http.MethodPost, taskURL, "application/json", string(b), token); status != http.StatusOK {
		t.Fatalf("complete: %d %s", status, body)
	}
	humans, err = ta.app.store.InstanceHumanTasks(context.Background(), instance)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range humans {
		if h.State == store.TaskOpen {
			full, err := ta.app.store.HumanTask(context.Background(), instance, h.TaskID)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(strings.Join(full.Owners, ","), "carol") {
				t.Errorf("carol owns the review: %v", full.Owners)
			}
		}
	}
	if after := treeDigest(t, models); after != before {
		t.Error("the model repository changed")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestPagesHideForbiddenForms: the forms a user may not use are not on the
// page; an admin sees them all.
func TestPagesHideForbiddenForms(t *testing.T) {
	dataDir := t.TempDir()
	models := filepath.Join(dataDir, "models")
	if err := os.CopyFS(filepath.Join(models, "examples"), os.DirFS("../../examples/models/examples")); err != nil {
		t.Fatal(err)
	}
	ta := startApp(t, map[string]string{
		"WAYMARK_PERMISSIONS_FILE": "../../examples/permissions.yml",
		"WAYMARK_DATA_DIR":         dataDir,
		"WAYMARK_MODELS_DIR":       models,
		"WAYMARK_EXAMPLES":         "false",
	})
	pages := []struct {
		path      string
		carolSees []string // selectors carol gets
		adminOnly []string // selectors only alice gets
	}{
		{"/models", []string{"#model-tree"}, []string{"form.group-create", "form.upload", "#repository-download", "#models-dir"}},
		{"/process-groups/examples", []string{"#group-download", "#group-history-link"},
			[]string{"#model-create", "form.group-create", "#group-edit", "#group-move", "form.upload", "#group-delete"}},
		{"/process-models/examples:expense-approval", []string{"#model-start", "#model-download"},
			[]string{"#file-create", "#model-settings-link", "form.upload"}},
		// The settings page: carol may read it, only alice gets its forms.
		{"/process-models/examples:expense-approval/settings", []string{"#model-id"},
			[]string{"#model-edit", "#model-move", "#model-delete"}},
		{"/process-models/examples:expense-approval/files/expense-schema.json", []string{"#file-history-link"},
			[]string{"#file-edit", "#file-rename", "#file-delete"}},
		{"/process-models/examples:expense-approval/files/expense-approval.bpmn", []string{"#file-history-link"},
			[]string{"#open-modeler", "#file-rename", "#file-delete"}},
	}
	for _, who := range []string{"carol", "alice"} {
		c := browser(t)
		signIn(t, c, ta.url, who, "demo")
		for _, p := range pages {
			resp, doc := get(t, c, ta.url+p.path)
			wantStatus(t, resp, http.StatusOK)
			for _, sel := range p.carolSees {
				if doc.Find(sel).Length() == 0 {
					t.Errorf("%s on %s: %s missing", who, p.path, sel)
				}
			}
			for _, sel := range p.adminOnly {
				if n := doc.Find(sel).Length(); (who == "alice") != (n > 0) {
					t.Errorf("%s on %s: %s found %d times", who, p.path, sel, n)
				}
			}
		}
	}

	// Instance buttons follow the instance permissions: carol started
	// the instance but may not suspend or terminate it; alice may.
	carol, alice := browser(t), browser(t)
	signIn(t, carol, ta.url, "carol", "demo")
	signIn(t, alice, ta.url, "alice", "demo")
	startInstance(t, ta, carol, "examples:expense-approval")
	for who, c := range map[string]*http.Client{"carol": carol, "alice": alice} {
		resp, doc := get(t, c, ta.url+"/instances/1")
		wantStatus(t, resp, http.StatusOK)
		n := doc.Find(`form[action="/instances/1/suspend"], form[action="/instances/1/terminate"]`).Length()
		if (who == "alice") != (n == 2) {
			t.Errorf("%s sees %d instance action forms", who, n)
		}
	}
}
