package models

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/waymark-bpm/waymark/internal/store"
)

// diagram returns a small valid BPMN file defining the given processes;
// a process "A>B" calls process B.
func diagram(processes ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:message id="Message_1" name="order_placed" />
`)
	for _, p := range processes {
		id, called, _ := strings.Cut(p, ">")
		name := strings.ReplaceAll(id, "_", " ")
		fmt.Fprintf(&b, `  <bpmn:process id="%s" name="%s" isExecutable="true">
    <bpmn:startEvent id="%s_start"><bpmn:outgoing>%s_f1</bpmn:outgoing></bpmn:startEvent>
`, id, name, id, id)
		if called != "" {
			fmt.Fprintf(&b, `    <bpmn:callActivity id="%s_call" calledElement="%s"><bpmn:incoming>%s_f1</bpmn:incoming><bpmn:outgoing>%s_f2</bpmn:outgoing></bpmn:callActivity>
`, id, called, id, id)
		} else {
			fmt.Fprintf(&b, `    <bpmn:intermediateThrowEvent id="%s_call"><bpmn:incoming>%s_f1</bpmn:incoming><bpmn:outgoing>%s_f2</bpmn:outgoing><bpmn:messageEventDefinition messageRef="Message_1" /></bpmn:intermediateThrowEvent>
`, id, id, id)
		}
		fmt.Fprintf(&b, `    <bpmn:endEvent id="%s_end"><bpmn:incoming>%s_f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="%s_f1" sourceRef="%s_start" targetRef="%s_call" />
    <bpmn:sequenceFlow id="%s_f2" sourceRef="%s_call" targetRef="%s_end" />
  </bpmn:process>
`, id, id, id, id, id, id, id, id)
	}
	b.WriteString("</bpmn:definitions>\n")
	return b.String()
}

// smallRepo builds a repository with two groups and three models.
func smallRepo(t *testing.T) (*Repo, *store.Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "models")
	writeFile(t, filepath.Join(dir, "finance", groupFile), `{"display_name": "Finance", "display_order": 1}`)
	writeFile(t, filepath.Join(dir, "finance", "invoice", modelFile), `{"display_name": "Invoice", "primary_file_name": "invoice.bpmn", "primary_process_id": "invoice_main", "metadata_extraction_paths": [{"key": "amount", "path": "invoice.amount"}]}`)
	writeFile(t, filepath.Join(dir, "finance", "invoice", "invoice.bpmn"), diagram("invoice_main>approve_invoice"))
	writeFile(t, filepath.Join(dir, "finance", "approve", modelFile), `{"display_name": "Approve"}`)
	writeFile(t, filepath.Join(dir, "finance", "approve", "approve.bpmn"), diagram("approve_invoice", "approve_expense"))
	writeFile(t, filepath.Join(dir, "hr", groupFile), `{"display_name": "HR", "display_order": 0}`)
	writeFile(t, filepath.Join(dir, "hr", "onboarding", modelFile), `{"display_name": "Onboarding"}`)
	writeFile(t, filepath.Join(dir, "hr", "onboarding", "onboard.bpmn"), diagram("Invoice_Onboarding"))
	r, st := openRepo(t, dir)
	return r, st, dir
}

func TestSearchRanking(t *testing.T) {
	ctx := context.Background()
	r, _, _ := smallRepo(t)
	tests := []struct {
		q    string
		want []string // process_id:rank
	}{
		{"approve_invoice", []string{"approve_invoice:1"}},
		{"APPROVE", []string{"approve_expense:2", "approve_invoice:2"}},
		// Exact id first, then prefixes (by name), then substrings.
		{"invoice", []string{"invoice_main:2", "Invoice_Onboarding:2", "approve_invoice:3"}},
		{"onboarding", []string{"Invoice_Onboarding:3"}},
		{"nothing-like-this", nil},
		{"", []string{"approve_expense:3", "approve_invoice:3", "invoice_main:3", "Invoice_Onboarding:3"}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			got, err := r.SearchProcesses(ctx, tt.q, 10)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, m := range got {
				ids = append(ids, fmt.Sprintf("%s:%d", m.ProcessID, m.Rank))
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Errorf("search %q (-want +got):\n%s", tt.q, diff)
			}
		})
	}
	// The limit applies after ranking.
	got, _ := r.SearchProcesses(ctx, "invoice", 1)
	if len(got) != 1 || got[0].ProcessID != "invoice_main" {
		t.Errorf("limit 1: %+v", got)
	}
	if got[0].ModelID != "finance/invoice" || got[0].File != "invoice.bpmn" || got[0].DisplayName != "invoice main" {
		t.Errorf("match fields: %+v", got[0])
	}
	callers, err := r.Callers(ctx, "finance/approve")
	if err != nil {
		t.Fatal(err)
	}
	if len(callers) != 1 || callers[0].ProcessID != "invoice_main" || callers[0].ModelID != "finance/invoice" {
		t.Errorf("callers of finance/approve: %+v", callers)
	}
}

func TestIndexContent(t *testing.T) {
	ctx := context.Background()
	r, st, _ := smallRepo(t)
	p, err := st.IndexedProcessByID(ctx, "approve_invoice")
	if err != nil {
		t.Fatal(err)
	}
	want := store.IndexedProcess{ProcessID: "approve_invoice", DisplayName: "approve invoice", ModelID: "finance/approve", File: "approve.bpmn",
		Kinds: []string{"endEvent", "intermediateThrowEvent", "startEvent"}, MessagesThrown: []string{"order_placed"}}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("index row (-want +got):\n%s", diff)
	}
	p, _ = st.IndexedProcessByID(ctx, "invoice_main")
	if diff := cmp.Diff([]string{"approve_invoice"}, p.Calls); diff != "" {
		t.Errorf("calls: %s", diff)
	}

	// Messages and signals, thrown and caught, by name. A send or receive
	// task (or an event) without a messageRef or signalRef names nothing:
	// its label is not a message.
	if err := r.CreateModel(ctx, "hr/events", ModelInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.SaveFile(ctx, "hr/events", "events.bpmn", []byte(eventsDiagram), false); err != nil {
		t.Fatal(err)
	}
	p, err = st.IndexedProcessByID(ctx, "events_demo")
	if err != nil {
		t.Fatal(err)
	}
	want = store.IndexedProcess{ProcessID: "events_demo", DisplayName: "Events demo", ModelID: "hr/events", File: "events.bpmn",
		Kinds:          []string{"endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "receiveTask", "sendTask", "startEvent"},
		MessagesThrown: []string{"invoice_sent"}, MessagesCaught: []string{"invoice_paid", "order_placed"},
		SignalsThrown: []string{"stock_low"}, SignalsCaught: []string{"stock_refilled"}}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("index row of events_demo (-want +got):\n%s", diff)
	}
	// Search hands out the same.
	got, err := r.SearchProcesses(ctx, "events_demo", 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("search: %v %v", got, err)
	}
	m := got[0]
	if diff := cmp.Diff(want, store.IndexedProcess{ProcessID: m.ProcessID, DisplayName: m.DisplayName, ModelID: m.ModelID, File: m.File,
		Kinds: m.Kinds, MessagesThrown: m.MessagesThrown, MessagesCaught: m.MessagesCaught, SignalsThrown: m.SignalsThrown, SignalsCaught: m.SignalsCaught}); diff != "" {
		t.Errorf("search result (-want +got):\n%s", diff)
	}
}

// eventsDiagram throws and catches messages and signals; the receive task
// and the last throw event have no reference and must not be indexed.
const eventsDiagram = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:message id="m_placed" name="order_placed" />
  <bpmn:message id="m_paid" name="invoice_paid" />
  <bpmn:message id="m_sent" name="invoice_sent" />
  <bpmn:signal id="s_low" name="stock_low" />
  <bpmn:signal id="s_refilled" name="stock_refilled" />
  <bpmn:process id="events_demo" name="Events demo" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing><bpmn:messageEventDefinition messageRef="m_placed" /></bpmn:startEvent>
    <bpmn:sendTask id="send" name="Send invoice" messageRef="m_sent"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:sendTask>
    <bpmn:receiveTask id="wait" name="Wait for the reply"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:receiveTask>
    <bpmn:intermediateCatchEvent id="paid"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing><bpmn:messageEventDefinition messageRef="m_paid" /></bpmn:intermediateCatchEvent>
    <bpmn:intermediateThrowEvent id="low"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing><bpmn:signalEventDefinition signalRef="s_low" /></bpmn:intermediateThrowEvent>
    <bpmn:intermediateCatchEvent id="refilled"><bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing><bpmn:signalEventDefinition signalRef="s_refilled" /></bpmn:intermediateCatchEvent>
    <bpmn:intermediateThrowEvent id="shout" name="Shout something"><bpmn:incoming>f6</bpmn:incoming><bpmn:outgoing>f7</bpmn:outgoing><bpmn:signalEventDefinition /></bpmn:intermediateThrowEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f7</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="send" />
    <bpmn:sequenceFlow id="f2" sourceRef="send" targetRef="wait" />
    <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="paid" />
    <bpmn:sequenceFlow id="f4" sourceRef="paid" targetRef="low" />
    <bpmn:sequenceFlow id="f5" sourceRef="low" targetRef="refilled" />
    <bpmn:sequenceFlow id="f6" sourceRef="refilled" targetRef="shout" />
    <bpmn:sequenceFlow id="f7" sourceRef="shout" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
`

func TestUniqueProcessIDs(t *testing.T) {
	ctx := context.Background()
	r, _, dir := smallRepo(t)
	before := snapshotDir(t, dir)
	// Saving a file that defines a process another model has is refused,
	// naming both files.
	res, err := r.SaveFile(ctx, "hr/onboarding", "onboard.bpmn", []byte(diagram("Invoice_Onboarding", "approve_invoice")), false)
	var pe *ProblemsError
	if !errors.As(err, &pe) || res.Saved {
		t.Fatalf("save with clash: saved=%v err=%v", res.Saved, err)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("clash error does not match ErrInvalid: %v", err)
	}
	msg := pe.Problems[0].String()
	if !strings.Contains(msg, "hr/onboarding/onboard.bpmn") || !strings.Contains(msg, "finance/approve/approve.bpmn") || pe.Problems[0].Element != "approve_invoice" {
		t.Errorf("clash problem does not name both files and the id: %s", msg)
	}
	if diff := cmp.Diff(before, snapshotDir(t, dir)); diff != "" {
		t.Errorf("refused save changed the repository:\n%s", diff)
	}
	// As a draft it is saved; the index keeps the first definition.
	res, err = r.SaveFile(ctx, "hr/onboarding", "onboard.bpmn", []byte(diagram("Invoice_Onboarding", "approve_invoice")), true)
	if err != nil || !res.Saved || len(res.Problems) == 0 {
		t.Fatalf("draft save: %+v %v", res, err)
	}
	model, file, _ := r.ProcessLocation("approve_invoice")
	if model != "finance/approve" || file != "approve.bpmn" {
		t.Errorf("approve_invoice now at %s/%s", model, file)
	}
	f, _ := r.File("hr/onboarding", "onboard.bpmn")
	if len(f.Problems) != 1 || !strings.Contains(f.Problems[0].Message, "finance/approve/approve.bpmn") {
		t.Errorf("file problems after the draft: %+v", f.Problems)
	}
	// Two files on disk with one id: found at scan, both named.
	writeFile(t, filepath.Join(dir, "hr", "onboarding", "copy.bpmn"), diagram("invoice_main"))
	if err := r.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	f, _ = r.File("hr/onboarding", "copy.bpmn")
	if len(f.Problems) != 1 || !strings.Contains(f.Problems[0].Message, "finance/invoice/invoice.bpmn") {
		t.Errorf("scan clash: %+v", f.Problems)
	}
}

func TestSaveValidation(t *testing.T) {
	ctx := context.Background()
	r, _, dir := smallRepo(t)
	path := filepath.Join(dir, "finance", "approve", "approve.bpmn")
	good, _ := os.ReadFile(path)
	broken := strings.Replace(string(good), `targetRef="approve_expense_end"`, `targetRef="nowhere"`, 1)
	res, err := r.SaveFile(ctx, "finance/approve", "approve.bpmn", []byte(broken), false)
	if err == nil || res.Saved || len(res.Problems) == 0 {
		t.Fatalf("broken save: %+v %v", res, err)
	}
	if res.Problems[0].Element == "" || res.Problems[0].Line == 0 {
		t.Errorf("problem not located: %+v", res.Problems[0])
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, good) {
		t.Error("a broken save replaced the valid file")
	}
	// JSON syntax errors name the line.
	res, err = r.SaveFile(ctx, "finance/approve", "form-schema.json", []byte("{\n  \"a\": 1,\n  oops\n}"), false)
	if err == nil || len(res.Problems) != 1 || res.Problems[0].Line != 3 {
		t.Errorf("bad JSON: %+v %v", res, err)
	}
	// DTDs are refused even as drafts.
	_, err = r.SaveFile(ctx, "finance/approve", "x.bpmn", []byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>`), true)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "document type declaration") {
		t.Errorf("DTD draft: %v", err)
	}
	// Bad names.
	for _, name := range []string{"../escape.bpmn", ".hidden", "a/b.json", ""} {
		if _, err := r.SaveFile(ctx, "finance/approve", name, []byte("{}"), false); !errors.Is(err, ErrInvalid) {
			t.Errorf("file name %q: %v", name, err)
		}
	}
	if _, err := r.SaveFile(ctx, "no/such", "a.json", []byte("{}"), false); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown model: %v", err)
	}
}

func TestGroupsAndModels(t *testing.T) {
	ctx := context.Background()
	r, _, dir := smallRepo(t)
	for _, id := range []string{"Finance2", "a_b", "-x", "x-", "a//b", ""} {
		if err := r.CreateGroup(ctx, id, GroupInput{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("CreateGroup(%q) = %v, want ErrInvalid", id, err)
		}
	}
	if err := r.CreateGroup(ctx, "finance", GroupInput{}); !errors.Is(err, ErrExists) {
		t.Errorf("existing group: %v", err)
	}
	if err := r.CreateGroup(ctx, "nope/sub", GroupInput{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("missing parent: %v", err)
	}
	if err := r.CreateGroup(ctx, "finance/payables", GroupInput{DisplayName: "Payables", DisplayOrder: -1}); err != nil {
		t.Fatal(err)
	}
	g, _ := r.Group("finance")
	if len(g.Groups) != 1 || g.Groups[0].DisplayName != "Payables" {
		t.Fatalf("finance groups: %+v", g.Groups)
	}
	in := ModelInput{DisplayName: "Pay", Description: "Pays", ExceptionNotificationAddresses: []string{"ops@example.com"},
		MetadataExtractionPaths: []MetadataPath{{"amount", "invoice.amount"}}, FaultOrSuspendOnException: "suspend"}
	if err := r.CreateModel(ctx, "finance/payables/pay", in); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CreateFile(ctx, "finance/payables/pay", "pay.bpmn", nil); err != nil {
		t.Fatal(err)
	}
	m, _ := r.Model("finance/payables/pay")
	if len(m.Files) != 1 || m.Files[0].Type != "bpmn" || len(m.Files[0].Problems) != 0 {
		t.Fatalf("new model files: %+v", m.Files)
	}
	if ids := r.ProcessIDs("finance/payables/pay"); len(ids) != 1 || !strings.HasPrefix(ids[0], "Process_pay_") {
		t.Errorf("new diagram process ids: %v", ids)
	}
	in.PrimaryFileName = "pay.bpmn"
	in.FaultOrSuspendOnException = "explode"
	if err := r.UpdateModel(ctx, "finance/payables/pay", in); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad fault choice: %v", err)
	}
	in.FaultOrSuspendOnException = "fault"
	if err := r.UpdateModel(ctx, "finance/payables/pay", in); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "finance", "payables", "pay", modelFile))
	if !strings.Contains(string(raw), `"primary_file_name": "pay.bpmn"`) || !strings.Contains(string(raw), `"ops@example.com"`) {
		t.Errorf("process_model.json:\n%s", raw)
	}
	paths, _ := r.MetadataPaths(ctx, "finance/payables/pay")
	if diff := cmp.Diff(map[string]string{"amount": "invoice.amount"}, paths); diff != "" {
		t.Error(diff)
	}
	// Unknown fields of process_model.json survive an update.
	writeFile(t, filepath.Join(dir, "hr", "onboarding", modelFile), `{"display_name": "Onboarding", "files": [], "custom_thing": 42}`)
	r.Refresh(ctx)
	m, _ = r.Model("hr/onboarding")
	if err := r.UpdateModel(ctx, "hr/onboarding", InputOf(m)); err != nil {
		t.Fatal(err)
	}
	raw, _ = os.ReadFile(filepath.Join(dir, "hr", "onboarding", modelFile))
	if !strings.Contains(string(raw), `"custom_thing": 42`) {
		t.Errorf("unknown field lost:\n%s", raw)
	}
	// Move a group: its models and their history follow.
	if err := r.MoveGroup(ctx, "finance/payables", "hr/payables"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Model("hr/payables/pay"); err != nil {
		t.Fatal(err)
	}
	hist, _ := r.History(ctx, "hr/payables/pay", "pay.bpmn")
	if len(hist) != 1 {
		t.Errorf("history after the move: %d versions", len(hist))
	}
	if err := r.MoveModel(ctx, "hr/payables/pay", "finance/pay"); err != nil {
		t.Fatal(err)
	}
	if err := r.RenameFile(ctx, "finance/pay", "pay.bpmn", "payment.bpmn"); err != nil {
		t.Fatal(err)
	}
	m, _ = r.Model("finance/pay")
	if m.PrimaryFileName != "payment.bpmn" {
		t.Errorf("primary file after rename: %q", m.PrimaryFileName)
	}
	if err := r.DeleteFile(ctx, "finance/pay", "payment.bpmn"); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteModel(ctx, "finance/pay"); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteGroup(ctx, "hr/payables"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "hr", "payables")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("deleted group still on disk: %v", err)
	}
}

func TestLoadModelResolvesCalls(t *testing.T) {
	ctx := context.Background()
	r, _, _ := smallRepo(t)
	lib, primary, err := r.LoadModel(ctx, "finance/invoice")
	if err != nil {
		t.Fatal(err)
	}
	if primary != "invoice_main" {
		t.Errorf("primary %q", primary)
	}
	if lib.Process("approve_invoice") == nil {
		t.Error("the called process was not resolved into the library")
	}
	if _, err := r.ResolveProcess("no_such_process"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown process: %v", err)
	}
	p1, err := r.ResolveProcess("approve_expense")
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := r.ResolveProcess("approve_expense")
	if p1 != p2 {
		t.Error("an unchanged file was parsed again")
	}
	data, err := r.ReadModelFile(ctx, "finance/invoice", "invoice.bpmn")
	if err != nil || !bytes.Contains(data, []byte("invoice_main")) {
		t.Errorf("ReadModelFile: %v", err)
	}
	if _, err := r.ReadModelFile(ctx, "finance/invoice", "../approve/approve.bpmn"); !errors.Is(err, ErrNotFound) {
		t.Errorf("path outside the model: %v", err)
	}
}

func TestHistoryRestore(t *testing.T) {
	ctx := WithAuthor(context.Background(), "alice")
	r, _, dir := smallRepo(t)
	path := filepath.Join(dir, "finance", "approve", "approve.bpmn")
	v1, _ := os.ReadFile(path)
	v2 := diagram("approve_invoice", "approve_expense", "approve_travel")
	if _, err := r.SaveFile(ctx, "finance/approve", "approve.bpmn", []byte(v2), false); err != nil {
		t.Fatal(err)
	}
	hist, err := r.History(ctx, "finance/approve", "approve.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].Version != 2 || hist[0].Author != "alice" || hist[0].Action != "save" ||
		hist[1].Action != "original" || hist[1].Size != int64(len(v1)) || len(hist[0].SHA256) != 64 {
		t.Fatalf("history: %+v", hist)
	}
	diff, err := r.Diff(ctx, "finance/approve", "approve.bpmn", 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	var added, removed int
	for _, l := range diff {
		switch l.Op {
		case '+':
			added++
		case '-':
			removed++
		}
	}
	if added != 7 || removed != 0 {
		t.Errorf("diff: %d added, %d removed, want 7 and 0", added, removed)
	}
	if _, err := r.SearchProcesses(ctx, "approve_travel", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Restore(ctx, "finance/approve", "approve.bpmn", 1); err != nil {
		t.Fatal(err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, v1) {
		t.Error("restore did not bring back version 1")
	}
	if got, _ := r.SearchProcesses(ctx, "approve_travel", 5); len(got) != 0 {
		t.Errorf("index still has the restored-away process: %+v", got)
	}
	hist, _ = r.History(ctx, "finance/approve", "approve.bpmn")
	if len(hist) != 3 || hist[0].Action != "restore" || hist[0].SHA256 != hist[2].SHA256 {
		t.Errorf("history after restore: %+v", hist)
	}
	// A deleted file can be restored from its history.
	if err := r.DeleteFile(ctx, "finance/approve", "approve.bpmn"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Restore(ctx, "finance/approve", "approve.bpmn", 2); err != nil {
		t.Fatal(err)
	}
	if now, _ := os.ReadFile(path); string(now) != v2 {
		t.Error("restore of a deleted file")
	}
}

func TestDiffText(t *testing.T) {
	got := DiffText("a\nb\nc\nd\n", "a\nc\nx\nd\n")
	var ops []string
	for _, l := range got {
		ops = append(ops, string(l.Op)+l.Text)
	}
	if diff := cmp.Diff([]string{" a", "-b", " c", "+x", " d"}, ops); diff != "" {
		t.Error(diff)
	}
}

func zipOf(t *testing.T, files map[string]string, symlink string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if symlink != "" {
		h := &zip.FileHeader{Name: symlink}
		h.SetMode(fs.ModeSymlink | 0o777)
		w, _ := zw.CreateHeader(h)
		w.Write([]byte("/etc/passwd"))
	}
	zw.Close()
	return buf.Bytes()
}

func TestZipRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := copyCorpus(t)
	r, _ := openRepo(t, src)
	for _, id := range []string{"misc/documentation", "misc/demo/admin-demo-1", "extensions", "site-administration", "misc/jonjon"} {
		t.Run(id, func(t *testing.T) {
			var buf bytes.Buffer
			if err := r.ExportZip(&buf, id); err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(t.TempDir(), "models")
			empty, _ := openRepo(t, dst)
			target := ""
			if _, err := r.Model(id); err == nil {
				// A model goes into a group: make the model first, then
				// upload its zip into it.
				if err := empty.CreateModel(ctx, baseID(id), ModelInput{}); err != nil {
					t.Fatal(err)
				}
				target = baseID(id)
			}
			res, err := empty.UploadZip(ctx, target, buf.Bytes(), UploadOptions{Draft: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Written) == 0 {
				t.Fatal("nothing written")
			}
			want := snapshotDir(t, filepath.Join(src, filepath.FromSlash(id)))
			got := snapshotDir(t, filepath.Join(dst, baseID(id)))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("files after the round trip (-original +uploaded):\n%s", diff)
			}
			var again bytes.Buffer
			if err := empty.ExportZip(&again, baseID(id)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(zipContents(t, buf.Bytes()), zipContents(t, again.Bytes())) {
				t.Error("downloading the uploaded copy gives other files")
			}
		})
	}
}

func zipContents(t *testing.T, data []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, f := range zr.File {
		rc, _ := f.Open()
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		fmt.Fprintf(&out, "%s\n%s\n", f.Name, b.Bytes())
	}
	return out.Bytes()
}

func TestHostileUploads(t *testing.T) {
	ctx := context.Background()
	r, _, dir := smallRepo(t)
	model := `{"display_name": "X"}`
	big := strings.Repeat("a", MaxFileSize+1)
	tests := []struct {
		name   string
		target string
		zip    []byte
		files  []UploadFile
		want   string
	}{
		{"ZipSlip", "", zipOf(t, map[string]string{"x/process_model.json": model, "x/../../evil.bpmn": diagram("evil")}, ""), nil, `leaves the target folder`},
		{"ZipSlipModel", "finance/approve", zipOf(t, map[string]string{"../invoice/invoice.bpmn": diagram("evil")}, ""), nil, `leaves the target folder`},
		{"AbsolutePath", "", zipOf(t, map[string]string{"/etc/cron.d/x": "boom"}, ""), nil, "absolute path"},
		{"DrivePath", "", zipOf(t, map[string]string{"C:/x.bpmn": "boom"}, ""), nil, "absolute path"},
		{"Backslash", "", zipOf(t, map[string]string{`x\..\..\evil.bpmn`: "boom"}, ""), nil, "backslash"},
		{"Symlink", "", zipOf(t, map[string]string{"x/process_model.json": model}, "x/passwd.json"), nil, "symbolic link"},
		{"OversizeFile", "finance/approve", zipOf(t, map[string]string{"big.json": big}, ""), nil, "at most 16 MiB"},
		{"OversizeArchive", "finance/approve", make([]byte, MaxArchiveSize+1), nil, "at most 64 MiB"},
		{"NotAZip", "finance/approve", []byte("PK nope"), nil, "not a readable zip"},
		{"DTD", "", zipOf(t, map[string]string{"x/process_model.json": model, "x/a.bpmn": `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><d>&e;</d>`}, ""), nil, "document type declaration"},
		{"EntityOnly", "finance/approve", nil, []UploadFile{{"a.dmn", []byte(`<?xml version="1.0"?><!ENTITY e "x">`)}}, "document type declaration"},
		{"Latin1JSON", "finance/approve", nil, []UploadFile{{"form-schema.json", []byte("{\"title\": \"caf\xe9\"}")}}, "must be UTF-8"},
		{"UTF16JSON", "finance/approve", nil, []UploadFile{{"form-schema.json", []byte("\xff\xfe{\x00}\x00")}}, "UTF-16"},
		{"HiddenFile", "finance/approve", nil, []UploadFile{{".htaccess", []byte("x")}}, "must not start with a dot"},
		{"LooseWithFolder", "finance/approve", nil, []UploadFile{{"a/b.json", []byte("{}")}}, "without folders"},
		{"FolderInModel", "finance/approve", zipOf(t, map[string]string{"sub/a.json": "{}", "b.json": "{}"}, ""), nil, "files only"},
		{"FileInGroup", "finance", zipOf(t, map[string]string{"stray.bpmn": diagram("stray")}, ""), nil, "holds only process_group.json"},
		{"InvalidBPMN", "finance/approve", nil, []UploadFile{{"bad.bpmn", []byte("<bpmn:definitions")}}, "malformed XML"},
		{"Clash", "", zipOf(t, map[string]string{"x/process_model.json": model, "x/a.bpmn": diagram("approve_invoice")}, ""), nil, "finance/approve/approve.bpmn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshotDir(t, dir)
			var err error
			if tt.zip != nil {
				_, err = r.UploadZip(ctx, tt.target, tt.zip, UploadOptions{})
			} else {
				_, err = r.UploadFiles(ctx, tt.target, tt.files, UploadOptions{})
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want ErrInvalid mentioning %q", err, tt.want)
			}
			if diff := cmp.Diff(before, snapshotDir(t, dir)); diff != "" {
				t.Errorf("refused upload changed the repository:\n%s", diff)
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "evil.bpmn")); err == nil {
				t.Error("a file was written outside the repository")
			}
		})
	}
}

func TestUploadRenamesClashes(t *testing.T) {
	ctx := context.Background()
	r, _, dir := smallRepo(t)
	up := zipOf(t, map[string]string{
		"copy/process_model.json": `{"display_name": "Copy", "primary_process_id": "approve_invoice"}`,
		"copy/a.bpmn":             diagram("approve_invoice", "caller>approve_invoice"),
	}, "")
	res, err := r.UploadZip(ctx, "finance", up, UploadOptions{RenameClashes: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Rename{{"finance/copy", "approve_invoice", "approve_invoice_2"}}, res.Renamed); diff != "" {
		t.Errorf("renames: %s", diff)
	}
	m, _ := r.Model("finance/copy")
	if m.PrimaryProcessID != "approve_invoice_2" {
		t.Errorf("primary process %q", m.PrimaryProcessID)
	}
	lib, _, err := r.LoadModel(ctx, "finance/copy")
	if err != nil {
		t.Fatal(err)
	}
	if n := lib.Process("caller").AllNodes["caller_call"]; n.CalledElement != "approve_invoice_2" {
		t.Errorf("call activity still calls %q", n.CalledElement)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "finance", "approve", "approve.bpmn"))
	if !bytes.Contains(data, []byte(`id="approve_invoice"`)) {
		t.Error("the other model was changed")
	}
	// Re-uploading the same model replaces its files, so its own ids do
	// not clash with themselves.
	if _, err := r.UploadFiles(ctx, "finance/copy", []UploadFile{{"a.bpmn", []byte(diagram("approve_invoice_2"))}}, UploadOptions{}); err != nil {
		t.Errorf("re-upload of own ids: %v", err)
	}

	// Two uploaded models sharing an id the repository has: each gets its
	// own new id, unused anywhere (approve_invoice_2 is taken now).
	up = zipOf(t, map[string]string{
		"one/process_model.json": `{"display_name": "One", "primary_process_id": "approve_invoice"}`,
		"one/a.bpmn":             diagram("approve_invoice", "one_caller>approve_invoice"),
		"two/process_model.json": `{"display_name": "Two", "primary_process_id": "approve_invoice"}`,
		"two/a.bpmn":             diagram("approve_invoice"),
	}, "")
	res, err = r.UploadZip(ctx, "hr", up, UploadOptions{RenameClashes: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []Rename{{"hr/one", "approve_invoice", "approve_invoice_3"}, {"hr/two", "approve_invoice", "approve_invoice_4"}}
	if diff := cmp.Diff(want, res.Renamed); diff != "" {
		t.Errorf("renames (-want +got):\n%s", diff)
	}
	for _, rn := range want {
		if m, _ := r.Model(rn.Model); m.PrimaryProcessID != rn.New {
			t.Errorf("%s: primary process %q, want %q", rn.Model, m.PrimaryProcessID, rn.New)
		}
		if model, _, err := r.ProcessLocation(rn.New); err != nil || model != rn.Model {
			t.Errorf("%s defined in %q (%v), want %s", rn.New, model, err, rn.Model)
		}
	}
	lib, _, err = r.LoadModel(ctx, "hr/one")
	if err != nil {
		t.Fatal(err)
	}
	if n := lib.Process("one_caller").AllNodes["one_caller_call"]; n.CalledElement != "approve_invoice_3" {
		t.Errorf("hr/one's call activity calls %q", n.CalledElement)
	}

	// Two uploaded models sharing an id the repository lacks: the first
	// in path order keeps it, the other is renamed.
	up = zipOf(t, map[string]string{
		"three/process_model.json": `{"display_name": "Three"}`,
		"three/a.bpmn":             diagram("shared_new"),
		"four/process_model.json":  `{"display_name": "Four"}`,
		"four/a.bpmn":              diagram("shared_new"),
	}, "")
	res, err = r.UploadZip(ctx, "hr", up, UploadOptions{RenameClashes: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Renamed) != 1 || res.Renamed[0].Old != "shared_new" || res.Renamed[0].New != "shared_new_2" {
		t.Errorf("renames: %+v", res.Renamed)
	}
	a, _, _ := r.ProcessLocation("shared_new")
	b, _, _ := r.ProcessLocation("shared_new_2")
	if a != "hr/four" || b != "hr/three" || res.Renamed[0].Model != b {
		t.Errorf("shared_new in %q, shared_new_2 in %q", a, b)
	}

	// Two files of one uploaded model defining one id are refused, naming
	// the id as written.
	up = zipOf(t, map[string]string{
		"five/process_model.json": `{"display_name": "Five"}`,
		"five/a.bpmn":             diagram("twice"),
		"five/b.bpmn":             diagram("twice"),
	}, "")
	if _, err := r.UploadZip(ctx, "hr", up, UploadOptions{RenameClashes: true}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `process id "twice" is also defined in hr/five/`) {
		t.Errorf("one model defining an id twice: %v", err)
	}
}

func TestInterruptedUploadKept(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "models")
	writeFile(t, filepath.Join(dir, "g", groupFile), `{}`)
	// A prepared copy only: dropped at start.
	writeFile(t, filepath.Join(dir, stagingDir, "upload-1", "new", "x", modelFile), `{}`)
	openRepo(t, dir)
	if _, err := os.Stat(filepath.Join(dir, stagingDir)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("staging folder kept: %v", err)
	}
	// A replaced folder that never came back: kept for the administrator.
	writeFile(t, filepath.Join(dir, stagingDir, "upload-2", "old", "0", modelFile), `{"display_name": "only copy"}`)
	openRepo(t, dir)
	kept, _ := filepath.Glob(filepath.Join(dir, ".waymark-interrupted-*", "upload-2", "old", "0", modelFile))
	if len(kept) != 1 {
		t.Errorf("the only copy of a replaced folder was not kept: %v", kept)
	}
	// A deletion stopped before its content reached the history: kept too.
	for _, k := range kept {
		os.RemoveAll(filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(k)))))
	}
	writeFile(t, filepath.Join(dir, stagingDir, "delete-3", "x", modelFile), `{"display_name": "deleted"}`)
	openRepo(t, dir)
	kept, _ = filepath.Glob(filepath.Join(dir, ".waymark-interrupted-*", "delete-3", "x", modelFile))
	if len(kept) != 1 {
		t.Errorf("the only copy of a deleted folder was not kept: %v", kept)
	}
}

// TestCorpusStyleIDs: groups found on disk with names SpiffArena allowed
// (underscores, capitals) take new groups and models, and moves into them;
// only the segment the user types is checked strictly.
func TestCorpusStyleIDs(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "models")
	writeFile(t, filepath.Join(dir, "misc", groupFile), `{"display_name": "Shared Resources"}`)
	writeFile(t, filepath.Join(dir, "misc", "category_number_one", groupFile), `{"display_name": "category_number_one"}`)
	writeFile(t, filepath.Join(dir, "Legacy_Group", groupFile), `{"display_name": "Legacy"}`)
	writeFile(t, filepath.Join(dir, "misc", "m", modelFile), `{"display_name": "M"}`)
	r, _ := openRepo(t, dir)

	for _, id := range []string{"misc/category_number_one/new-model", "Legacy_Group/other-model"} {
		if err := r.CreateModel(ctx, id, ModelInput{}); err != nil {
			t.Errorf("CreateModel(%q): %v", id, err)
		}
	}
	if err := r.CreateGroup(ctx, "misc/category_number_one/sub", GroupInput{}); err != nil {
		t.Errorf("CreateGroup inside an underscore group: %v", err)
	}
	if err := r.MoveModel(ctx, "misc/m", "misc/category_number_one/m"); err != nil {
		t.Errorf("move into an underscore group: %v", err)
	}
	if _, err := r.Model("misc/category_number_one/m"); err != nil {
		t.Error(err)
	}
	if err := r.MoveGroup(ctx, "misc/category_number_one/sub", "Legacy_Group/sub"); err != nil {
		t.Errorf("move a group into a group with capitals: %v", err)
	}
	// The new segment is still checked, and the message blames it, not the
	// group it goes into.
	err := r.CreateModel(ctx, "misc/category_number_one/Bad_Name", ModelInput{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `"Bad_Name"`) || strings.Contains(err.Error(), "category_number_one") {
		t.Errorf("bad new segment: %v", err)
	}
	if err := r.MoveModel(ctx, "misc/category_number_one/m", "Legacy_Group/M_2"); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `"M_2"`) {
		t.Errorf("bad new segment on move: %v", err)
	}
	// A parent that is not there is named as missing.
	if err := r.CreateModel(ctx, "misc/no-such/x", ModelInput{}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `"misc/no-such" does not exist`) {
		t.Errorf("missing parent: %v", err)
	}
}

// TestPrimaryProcessID: primary_process_id must name a process of the
// model's BPMN files, in the settings, the JSON editor and uploads.
func TestPrimaryProcessID(t *testing.T) {
	ctx := context.Background()
	r, _, dir := smallRepo(t)
	m, _ := r.Model("finance/approve")
	in := InputOf(m)
	in.PrimaryProcessID = "no_such_process"
	err := r.UpdateModel(ctx, "finance/approve", in)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "primary_process_id") ||
		!strings.Contains(err.Error(), `"no_such_process"`) || !strings.Contains(err.Error(), "approve_invoice, approve_expense") {
		t.Errorf("unknown primary process: %v", err)
	}
	// A process of another model is not this model's.
	in.PrimaryProcessID = "invoice_main"
	if err := r.UpdateModel(ctx, "finance/approve", in); !errors.Is(err, ErrInvalid) {
		t.Errorf("another model's process: %v", err)
	}
	in.PrimaryProcessID = "approve_expense"
	if err := r.UpdateModel(ctx, "finance/approve", in); err != nil {
		t.Fatal(err)
	}
	if m, _ := r.Model("finance/approve"); m.PrimaryProcessID != "approve_expense" {
		t.Errorf("primary process %q", m.PrimaryProcessID)
	}
	// A new model has no process yet.
	if err := r.CreateModel(ctx, "finance/new", ModelInput{PrimaryProcessID: "x"}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "define no process yet") {
		t.Errorf("primary process of a new model: %v", err)
	}
	// A stale id saved on disk (SpiffArena repositories have them) does not
	// block other changes.
	writeFile(t, filepath.Join(dir, "hr", "onboarding", modelFile), `{"display_name": "Onboarding", "primary_process_id": "Process_gone"}`)
	r.Refresh(ctx)
	m, _ = r.Model("hr/onboarding")
	in = InputOf(m)
	in.Description = "new words"
	if err := r.UpdateModel(ctx, "hr/onboarding", in); err != nil {
		t.Errorf("unchanged stale id: %v", err)
	}
	// The JSON editor reports it as a problem; nothing is written.
	before := snapshotDir(t, dir)
	res, err := r.SaveFile(ctx, "finance/approve", modelFile, []byte(`{"display_name": "Approve", "primary_process_id": "nope"}`), false)
	if !errors.Is(err, ErrInvalid) || len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, "primary_process_id") {
		t.Errorf("editor save: %+v %v", res, err)
	}
	// So does an upload, unless the model's own files define it.
	up := zipOf(t, map[string]string{
		"copy/process_model.json": `{"display_name": "Copy", "primary_process_id": "copy_mian"}`,
		"copy/a.bpmn":             diagram("copy_main"),
	}, "")
	if _, err := r.UploadZip(ctx, "finance", up, UploadOptions{}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `"copy_mian" is not a process of this model's BPMN files; they define copy_main`) {
		t.Errorf("upload: %v", err)
	}
	if diff := cmp.Diff(before, snapshotDir(t, dir)); diff != "" {
		t.Errorf("refused changes changed the repository:\n%s", diff)
	}
	up = zipOf(t, map[string]string{
		"copy/process_model.json": `{"display_name": "Copy", "primary_process_id": "copy_main"}`,
		"copy/a.bpmn":             diagram("copy_main"),
	}, "")
	if _, err := r.UploadZip(ctx, "finance", up, UploadOptions{}); err != nil {
		t.Errorf("upload with a defined primary process: %v", err)
	}
}

// TestMovesAllOrNothing: a move whose history cannot follow puts the
// folder back; a move onto a place with old history merges it.
func TestMovesAllOrNothing(t *testing.T) {
	ctx := context.Background()
	r, st, dir := smallRepo(t)
	// History at a place that is free on disk: a model deleted there.
	if _, err := r.SaveFile(ctx, "finance/approve", "approve.bpmn", []byte(diagram("approve_invoice", "approve_expense", "approve_more")), false); err != nil {
		t.Fatal(err)
	}
	if err := r.CreateModel(ctx, "hr/gone", ModelInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.SaveFile(ctx, "hr/gone", "form.json", []byte(`{"v": 1}`), false); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteModel(ctx, "hr/gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.SaveFile(ctx, "finance/approve", "form.json", []byte(`{"v": 2}`), false); err != nil {
		t.Fatal(err)
	}
	if err := r.MoveModel(ctx, "finance/approve", "hr/gone"); err != nil {
		t.Fatalf("move onto a place with history: %v", err)
	}
	hist, _ := r.History(ctx, "hr/gone", "form.json")
	if len(hist) < 2 || hist[0].Size != int64(len(`{"v": 2}`)) || hist[len(hist)-1].Size != int64(len(`{"v": 1}`)) {
		t.Errorf("merged history: %+v", hist)
	}
	if hist, _ := r.History(ctx, "hr/gone", "approve.bpmn"); len(hist) != 2 {
		t.Errorf("approve.bpmn history after the move: %+v", hist)
	}
	if err := r.MoveGroup(ctx, "hr", "people"); err != nil {
		t.Fatal(err)
	}
	if hist, _ := r.History(ctx, "people/gone", "approve.bpmn"); len(hist) != 2 {
		t.Errorf("history after the group move: %+v", hist)
	}

	// The store fails: the folder stays where it was.
	before := snapshotDir(t, dir)
	st.Close()
	if err := r.MoveModel(ctx, "finance/invoice", "finance/invoice-2"); err == nil {
		t.Error("a model move without its history succeeded")
	}
	if err := r.MoveGroup(ctx, "finance", "money"); err == nil {
		t.Error("a group move without its history succeeded")
	}
	if err := r.RenameFile(ctx, "finance/invoice", "invoice.bpmn", "other.bpmn"); err == nil {
		t.Error("a file rename without its history succeeded")
	}
	if diff := cmp.Diff(before, snapshotDir(t, dir)); diff != "" {
		t.Errorf("failed moves changed the repository:\n%s", diff)
	}
}

// TestUploadRefusesToDropLinks: an upload rebuilds the folder it replaces
// from a copy; a symbolic link in it is reported rather than dropped.
func TestUploadRefusesToDropLinks(t *testing.T) {
	ctx := context.Background()
	r, _, dir := smallRepo(t)
	writeFile(t, filepath.Join(dir, "shared.json"), `{"shared": true}`)
	link := filepath.Join(dir, "finance", "approve", "shared.json")
	if err := os.Symlink("../../shared.json", link); err != nil {
		t.Fatal(err)
	}
	before := snapshotDir(t, dir)
	_, err := r.UploadFiles(ctx, "finance/approve", []UploadFile{{"form.json", []byte(`{}`)}}, UploadOptions{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "finance/approve/shared.json is a symbolic link") {
		t.Errorf("upload over a link: %v", err)
	}
	_, err = r.UploadZip(ctx, "finance", zipOf(t, map[string]string{"x/process_model.json": `{}`}, ""), UploadOptions{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("group upload over a link: %v", err)
	}
	if diff := cmp.Diff(before, snapshotDir(t, dir)); diff != "" {
		t.Errorf("refused upload changed the repository:\n%s", diff)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link is gone: %v", err)
	}
}

// TestDeleteRestore: deleting a model or group records the content of
// every file first, even files never edited in Waymark, and restoring
// brings them back identical.
func TestDeleteRestore(t *testing.T) {
	ctx := WithAuthor(context.Background(), "alice")
	r, st, dir := smallRepo(t)
	modelDir := filepath.Join(dir, "finance", "approve")
	original := snapshotDir(t, modelDir)
	wholeFinance := snapshotDir(t, filepath.Join(dir, "finance"))

	// A file deleted on its own before the model goes stays deleted when
	// the model comes back.
	if _, err := r.SaveFile(ctx, "finance/approve", "notes.md", []byte("scratch"), false); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteFile(ctx, "finance/approve", "notes.md"); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteModel(ctx, "finance/approve"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(modelDir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the model folder is still there: %v", err)
	}
	hist, err := r.History(ctx, "finance/approve", "approve.bpmn")
	if err != nil || len(hist) != 1 || hist[0].Action != "delete-model" || hist[0].Author != "alice" || hist[0].Size != int64(len(original["approve.bpmn"])) {
		t.Fatalf("history of a never-edited file after the delete: %+v %v", hist, err)
	}
	deleted, err := r.DeletedIn(ctx, "finance")
	if err != nil {
		t.Fatal(err)
	}
	if len(deleted) != 1 || deleted[0].ID != "finance/approve" || deleted[0].Kind != "model" || deleted[0].DisplayName != "Approve" || len(deleted[0].Files) != 3 {
		t.Fatalf("deleted in finance: %+v", deleted)
	}
	if got, _ := r.DeletedIn(ctx, ""); len(got) != 0 {
		t.Errorf("the root lists what its groups lost: %+v", got)
	}

	// Restore the whole model.
	n, err := r.RestoreDeleted(ctx, "finance/approve")
	if err != nil || n != 2 {
		t.Fatalf("RestoreDeleted: %d %v", n, err)
	}
	if diff := cmp.Diff(original, snapshotDir(t, modelDir)); diff != "" {
		t.Errorf("restored model differs (-original +restored):\n%s", diff)
	}
	if model, _, err := r.ProcessLocation("approve_invoice"); err != nil || model != "finance/approve" {
		t.Errorf("approve_invoice after the restore: %q %v", model, err)
	}
	files, err := r.DeletedFiles(ctx, "finance/approve")
	if err != nil || len(files) != 1 || files[0].File != "notes.md" {
		t.Errorf("deleted files of the restored model: %+v %v", files, err)
	}
	if got, _ := r.DeletedIn(ctx, "finance"); len(got) != 0 {
		t.Errorf("still listed as deleted: %+v", got)
	}
	if _, err := r.RestoreDeleted(ctx, "finance/approve"); !errors.Is(err, ErrExists) {
		t.Errorf("restore over an existing model: %v", err)
	}

	// Restore one file of a deleted model: the model comes back with its
	// last settings.
	if err := r.DeleteModel(ctx, "finance/approve"); err != nil {
		t.Fatal(err)
	}
	hist, _ = r.History(ctx, "finance/approve", "approve.bpmn")
	if _, err := r.Restore(ctx, "finance/approve", "approve.bpmn", hist[0].Version); err != nil {
		t.Fatalf("restore a file of a deleted model: %v", err)
	}
	if diff := cmp.Diff(original, snapshotDir(t, modelDir)); diff != "" {
		t.Errorf("model after restoring its file (-original +restored):\n%s", diff)
	}
	if m, err := r.Model("finance/approve"); err != nil || m.DisplayName != "Approve" {
		t.Errorf("model after restoring its file: %+v %v", m, err)
	}

	// A model whose settings were never recorded cannot come back around a
	// file; the message says what to do.
	if _, err := st.AddFileVersion(ctx, "hr/ancient", "form.json", "bob", "delete", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	_, err = r.Restore(ctx, "hr/ancient", "form.json", 1)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "process_model.json") || !strings.Contains(err.Error(), `create the model "hr/ancient" again`) {
		t.Errorf("restore without settings: %v", err)
	}

	// A whole group, never edited, and a model out of it.
	if err := r.DeleteGroup(ctx, "finance"); err != nil {
		t.Fatal(err)
	}
	deleted, _ = r.DeletedIn(ctx, "")
	if len(deleted) != 1 || deleted[0].ID != "finance" || deleted[0].Kind != "group" || deleted[0].DisplayName != "Finance" {
		t.Fatalf("deleted at the top: %+v", deleted)
	}
	if n, err := r.RestoreDeleted(ctx, "finance/invoice"); err != nil || n != 2 {
		t.Fatalf("restore a model of a deleted group: %d %v", n, err)
	}
	if g, err := r.Group("finance"); err != nil || g.DisplayName != "Finance" {
		t.Errorf("the group came back around its model with its settings: %+v %v", g, err)
	}
	if err := r.DeleteGroup(ctx, "finance"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.RestoreDeleted(ctx, "finance"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wholeFinance, snapshotDir(t, filepath.Join(dir, "finance"))); diff != "" {
		t.Errorf("restored group differs (-original +restored):\n%s", diff)
	}

	// A group's settings bring the group back on their own.
	if err := r.DeleteGroup(ctx, "hr"); err != nil {
		t.Fatal(err)
	}
	hist, _ = r.History(ctx, "hr", groupFile)
	if len(hist) != 1 || hist[0].Action != "delete-group" {
		t.Fatalf("history of hr's settings: %+v", hist)
	}
	if _, err := r.Restore(ctx, "hr", groupFile, hist[0].Version); err != nil {
		t.Fatal(err)
	}
	if g, err := r.Group("hr"); err != nil || g.DisplayName != "HR" || len(g.Models) != 0 {
		t.Errorf("hr after restoring its settings: %+v %v", g, err)
	}
	if _, err := r.Restore(ctx, "../outside", "x.json", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("restore outside the repository: %v", err)
	}
}
