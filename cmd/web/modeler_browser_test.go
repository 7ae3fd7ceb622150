package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromium finds Debian's chromium (.ci/run installs it).
func chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("browser tests need chromium: apt-get install -y chromium (.ci/run does this)")
	return ""
}

// chrome is a headless browser tab for one test; JavaScript errors and
// console errors on its pages are collected and fail the test.
type chrome struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newChrome(t testing.TB) *chrome {
	t.Helper()
	// The profile is removed after the browser exits; t.TempDir's removal
	// could race with chromium's last writes.
	profile, err := os.MkdirTemp("", "waymark-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("metrics-recording-only", true),
		// Only the test server on the loopback interface is reachable.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
		chromedp.WindowSize(1400, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelT()
		cancelC()
		cancelA()
		for i := 0; i < 20; i++ {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	c := &chrome{ctx: ctx}
	chromedp.ListenTarget(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			c.mu.Lock()
			c.errors = append(c.errors, "exception: "+ev.ExceptionDetails.Error())
			c.mu.Unlock()
		case *cdplog.EventEntryAdded:
			// Refusals by the Content-Security-Policy show up here.
			if strings.Contains(ev.Entry.Text, "Content Security Policy") && !allowedCSPReport(ev.Entry.Text) {
				c.mu.Lock()
				c.errors = append(c.errors, "CSP: "+ev.Entry.Text)
				c.mu.Unlock()
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, strings.Trim(string(a.Value), `"`)+a.Description)
				}
				c.mu.Lock()
				c.errors = append(c.errors, "console.error: "+strings.Join(parts, " "))
				c.mu.Unlock()
			}
		}
	})
	if err := chromedp.Run(ctx, cdplog.Enable()); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() {
		if errs := c.jsErrors(); len(errs) > 0 {
			t.Errorf("errors in the page:\n%s", strings.Join(errs, "\n"))
		}
	})
	return c
}

// allowedCSPReport tells the CSP refusals that are expected: the two style
// attributes bpmn-js-properties-panel puts on its containers
// ("height: 100%" and "flex: none; height: auto"), whose rules modeler.css
// carries instead, and the two of dmn-js's bpmn.io logo ("position:
// absolute; bottom: 15px; right: 15px; z-index: 100;" and
// "vertical-align:middle"), which the decision editor's CSS carries.
func allowedCSPReport(text string) bool {
	for _, hash := range []string{
		"sha256-nR5hyLltSjfvi2rqC26RbcredWrJvTaPA1yqPX96jpY=",
		"sha256-LIWyuNLBDBQuKJLr4mOx2cFEzHX9lM0BrbfcAAzCvSU=",
		"sha256-r3vOsuepBDg6tz/cOusiNJ9Y4Lp9hGQTT7pzDks1Xxc=",
		"sha256-CA/eh4+2R0J7cEQ14gBMtx834RIOjzMUqCM+evtrkp4=",
	} {
		if strings.Contains(text, "'"+hash+"'") {
			return true
		}
	}
	return false
}

func (c *chrome) jsErrors() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.errors...)
}

func (c *chrome) run(t testing.TB, actions ...chromedp.Action) {
	t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// eval runs a JavaScript expression (awaiting a promise) and decodes its
// JSON result into out.
func (c *chrome) eval(t testing.TB, js string, out any) {
	t.Helper()
	var raw json.RawMessage
	ctx, cancel := context.WithTimeout(c.ctx, 20*time.Second)
	defer cancel()
	err := chromedp.Run(ctx, chromedp.Evaluate(js, &raw, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	}))
	if err != nil {
		t.Fatalf("evaluate %s: %v", firstLine(js), err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("evaluate %s: decode %s: %v", firstLine(js), raw, err)
		}
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// signInBrowser signs in through the sign-in form.
func (c *chrome) signIn(t testing.TB, base, user, password string) {
	t.Helper()
	c.run(t,
		chromedp.Navigate(base+"/sign-in"),
		chromedp.WaitVisible(`input[name="username"]`),
		chromedp.SendKeys(`input[name="username"]`, user),
		chromedp.SendKeys(`input[name="password"]`, password),
		chromedp.Submit(`input[name="password"]`),
		chromedp.WaitVisible(`.account`),
	)
}

// openModeler opens a file of a model and waits until the diagram is in.
func (c *chrome) openModeler(t testing.TB, base, model, file string) {
	t.Helper()
	c.run(t,
		chromedp.Navigate(fmt.Sprintf("%s/process-models/%s/files/%s/modeler", base, strings.ReplaceAll(model, "/", ":"), file)),
		chromedp.WaitVisible(`[data-modeler][data-ready="true"]`),
	)
}

// writeModel creates a process model directory with its metadata.
func writeModel(t testing.TB, ta *testApp, id, name string, files map[string]string) {
	t.Helper()
	dir := ta.app.cfg.ModelsDir + "/" + id
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	meta := fmt.Sprintf(`{"display_name": %q, "description": "", "display_order": 0, "primary_file_name": "", "primary_process_id": ""}`, name)
	if err := os.WriteFile(dir+"/process_model.json", []byte(meta), 0o644); err != nil {
		t.Fatal(err)
	}
	for n, content := range files {
		if err := os.WriteFile(dir+"/"+n, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestModelerOpensNewDiagram(t *testing.T) {
	ta := startApp(t, withPermissions(t))
	c := newChrome(t)
	c.signIn(t, ta.url, "alice", "alice-secret")
	c.openModeler(t, ta.url, "finance/invoice", "fresh.bpmn")
	var got struct {
		Elements []string `json:"elements"`
		Process  string   `json:"process"`
	}
	c.eval(t, `(() => {
		const m = window.waymarkModeler.modeler;
		const els = m.get('elementRegistry').getAll().filter(e => e.type !== 'label').map(e => e.type);
		return {elements: els, process: m.get('canvas').getRootElement().businessObject.id};
	})()`, &got)
	if !strings.HasPrefix(got.Process, "Process_fresh_") {
		t.Errorf("new process id = %q, want Process_fresh_…", got.Process)
	}
	if strings.Join(got.Elements, ",") != "bpmn:Process,bpmn:StartEvent" {
		t.Errorf("new diagram elements = %v, want a process with one start event", got.Elements)
	}
	// data-ready comes after the panel has rendered the process.
	var panel string
	c.eval(t, `document.querySelector('[data-panel] .bio-properties-panel-header-type')?.textContent || ''`, &panel)
	if !strings.EqualFold(panel, "process") {
		t.Errorf("at data-ready the panel shows %q, want the process", panel)
	}
}

// startWithModels writes files (path relative to the models directory ->
// content) into models, starts the app on that repository and signs alice
// in to a fresh browser.
func startWithModels(t *testing.T, models string, files map[string]string) (*testApp, *chrome) {
	t.Helper()
	ta := startWithRepo(t, models, files)
	c := newChrome(t)
	c.signIn(t, ta.url, "alice", "alice-secret")
	return ta, c
}

// startWithRepo writes files into models and starts the app on it.
func startWithRepo(t *testing.T, models string, files map[string]string) *testApp {
	t.Helper()
	writeRepo(t, models, files)
	vars := withPermissions(t)
	vars["WAYMARK_MODELS_DIR"] = models
	return startApp(t, vars)
}

// writeRepo writes files (path relative to dir → content) into dir.
func writeRepo(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// startModel starts a model as its Start button does, posting the form
// with the session's token from the page the browser is on; the browser
// follows to the first task.
func (c *chrome) startModel(t testing.TB, modelURLID string) {
	t.Helper()
	c.eval(t, `(() => {
		const f = document.createElement("form");
		f.method = "post";
		f.action = "/process-models/`+modelURLID+`/start";
		const tok = document.createElement("input");
		tok.type = "hidden"; tok.name = "csrf_token";
		tok.value = document.querySelector('input[name="csrf_token"]').value;
		f.appendChild(tok);
		document.body.appendChild(f);
		f.submit();
		return true;
	})()`, nil)
}
