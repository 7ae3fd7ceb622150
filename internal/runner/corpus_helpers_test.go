package runner_test

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/waymark-bpm/waymark/internal/store"
)

// spiffHelpers are the names of SpiffArena's script helpers (its scripts
// folder, past and present).
var spiffHelpers = []string{
	"add_permission", "add_user_to_group", "create_unique_kkv_top_level_key", "delete_process_instances_with_criteria",
	"extract_from_task_data", "fact_service", "generate_markdown_table", "get_all_permissions", "get_current_task_data",
	"get_current_task_info", "get_current_user", "get_data_sizes", "get_encoded_file_data", "get_env", "get_frontend_url",
	"get_group_members", "get_groups_for_user", "get_last_user_completing_task", "get_localtime",
	"get_markdown_file_download_link", "get_process_info", "get_process_initiator_user", "get_secret",
	"get_task_data_value", "get_task_potential_owners", "get_toplevel_process_info", "get_url_for_task",
	"get_url_for_task_with_bpmn_identifier", "get_user", "get_user_properties", "get_users_assigned_to_task",
	"markdown_file_download_link", "refresh_permissions", "save_process_instance_metadata", "set_feature_flags",
	"set_secret", "set_user_properties", "times_executed_by_user", "update_task_data_with_dictionary",
	"user_has_started_instance",
}

var helperCall = regexp.MustCompile(`\b(` + strings.Join(spiffHelpers, "|") + `)\s*\(`)

// corpusScript is a script or expression of a corpus diagram that calls
// a helper.
type corpusScript struct {
	file, where, src string
	expr             bool
}

// corpusScripts finds every script, pre- and post-script and service-task
// parameter in the corpus's BPMN files that calls a helper.
func corpusScripts(t *testing.T, root string) []corpusScript {
	t.Helper()
	var out []corpusScript
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".bpmn") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		dec := xml.NewDecoder(f)
		var stack []string
		var owner string
		var text strings.Builder
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				// Broken on purpose (the corpus has some): the model
				// loader reports those; nothing here runs them.
				return nil
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				stack = append(stack, tok.Name.Local)
				text.Reset()
				for _, a := range tok.Attr {
					if a.Name.Local == "id" && tok.Name.Local != "parameter" && tok.Name.Local != "unitTest" {
						owner = a.Value
					}
					if tok.Name.Local == "parameter" && a.Name.Local == "value" && helperCall.MatchString(a.Value) {
						out = append(out, corpusScript{file: rel, where: owner + " parameter", src: a.Value, expr: true})
					}
				}
			case xml.CharData:
				text.Write(tok)
			case xml.EndElement:
				name := tok.Name.Local
				if (name == "script" || name == "preScript" || name == "postScript") && helperCall.MatchString(text.String()) {
					out = append(out, corpusScript{file: rel, where: owner + " " + name, src: text.String()})
				}
				stack = stack[:len(stack)-1]
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].file+out[i].where < out[j].file+out[j].where })
	return out
}

// corpusData is plausible task data for the corpus scripts that read
// variables an earlier task of their model sets.
var corpusData = map[string]map[string]any{
	"misc/category_number_one/lanes-with-dict/lanes_with_dict.bpmn": {"lane_owners": map[string]any{"Finance Team": []any{"alice", "bob"}}},
	"site-administration/set-permissions/permissions.bpmn": {"group_info": []any{map[string]any{
		"name": "Administrators", "users": []any{"admin@spiffworkflow.org"},
		"permissions": []any{map[string]any{"actions": []any{"create", "read", "update", "delete"}, "uri": "/*"}},
	}}},
}

// corpusExpected are the scripts that fail in SpiffArena too, with the
// error they give there.
var corpusExpected = map[string]string{
	// get_localtime has no timestamp argument: SpiffArena raises
	// missing_datetime for this call as well.
	"misc/shared/general/general_local_date_time.bpmn": "You must include a datetime to convert.",
}

// TestCorpusHelperScripts runs every corpus script that calls a helper in
// a real instance (with plausible data, as the admin-group user alice) and
// fails when a helper is unknown or a script fails other than as it does
// in SpiffArena. The log lists each file's outcome.
func TestCorpusHelperScripts(t *testing.T) {
	root := filepath.Join("..", "..", "..", "shared", "corpus", "sample-process-models")
	if _, err := os.Stat(root); err != nil {
		t.Fatalf("shared test data is missing: expected the corpus at %s (next to the repository)", root)
	}
	scripts := corpusScripts(t, root)
	if len(scripts) < 7 {
		t.Fatalf("found %d corpus scripts calling helpers, want the 7 known ones at least", len(scripts))
	}
	ctx := context.Background()
	h := newHelperEnv(t)
	if err := h.secrets.Set(ctx, "BAMBOOHR_API_KEY", "bamboo-key", "admin"); err != nil {
		t.Fatal(err)
	}
	calls := map[string]bool{}
	for _, s := range scripts {
		for _, m := range helperCall.FindAllStringSubmatch(s.src, -1) {
			calls[m[1]] = true
		}
		src := s.src
		if s.expr {
			src = "value = " + strings.TrimSpace(src)
		}
		model := h.model(t, src, "", "")
		id, err := h.runner.Start(ctx, fin, model, "", corpusData[s.file])
		if err != nil {
			t.Fatalf("%s %s: start: %v", s.file, s.where, err)
		}
		in := instance(t, h.env, id)
		outcome := "runs"
		if in.Status == store.StatusError {
			outcome = "error: " + in.ErrorMessage
		}
		t.Logf("%s (%s): %s", s.file, s.where, outcome)
		for _, name := range spiffHelpers {
			if strings.Contains(in.ErrorMessage, "name '"+name+"' is not defined") {
				t.Errorf("%s %s: helper %s is missing", s.file, s.where, name)
			}
		}
		want, expected := corpusExpected[s.file]
		switch {
		case expected && !strings.Contains(in.ErrorMessage, want):
			t.Errorf("%s %s: %s; want the error SpiffArena gives, %q", s.file, s.where, outcome, want)
		case !expected && in.Status != store.StatusRunning:
			t.Errorf("%s %s: %s", s.file, s.where, outcome)
		}
	}
	names := make([]string, 0, len(calls))
	for n := range calls {
		names = append(names, n)
	}
	sort.Strings(names)
	t.Logf("helpers the corpus calls: %s", strings.Join(names, ", "))
}
