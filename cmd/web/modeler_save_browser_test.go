package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// holdSaves pauses every PUT the page sends to the file API and hands its
// request id to the test, which decides when (and whether) it goes on.
// Other requests pass.
func holdSaves(t *testing.T, c *chrome) <-chan fetch.RequestID {
	t.Helper()
	held := make(chan fetch.RequestID, 4)
	chromedp.ListenTarget(c.ctx, func(ev any) {
		e, ok := ev.(*fetch.EventRequestPaused)
		if !ok {
			return
		}
		if e.Request.Method == "PUT" {
			held <- e.RequestID
			return
		}
		go chromedp.Run(c.ctx, fetch.ContinueRequest(e.RequestID))
	})
	c.run(t, fetch.Enable().WithPatterns([]*fetch.RequestPattern{{URLPattern: "*/api/process-models/*"}}))
	return held
}

func waitHeld(t *testing.T, held <-chan fetch.RequestID) fetch.RequestID {
	t.Helper()
	select {
	case id := <-held:
		return id
	case <-time.After(10 * time.Second):
		t.Fatal("the page sent no save request")
		return ""
	}
}

// pageState is what the page holds about unsaved work.
type pageState struct {
	Dirty  bool   `json:"dirty"`
	Button string `json:"button"`
	Draft  string `json:"draft"`
	Status string `json:"status"`
}

func (c *chrome) pageState(t *testing.T, key string) pageState {
	t.Helper()
	var s pageState
	c.eval(t, `(() => {
		const d = localStorage.getItem(`+jsString(key)+`);
		return {
			dirty: window.waymarkModeler.dirty && document.querySelector('[data-modeler]').classList.contains('is-dirty'),
			button: document.querySelector('[data-action="save"]').textContent,
			draft: d ? JSON.parse(d).xml : '',
			status: document.querySelector('[data-status]').textContent,
		};
	})()`, &s)
	return s
}

// openSavedModeler opens panel/tests/panel.bpmn, a saved start → end
// diagram of a model on disk.
func openSavedModeler(t *testing.T) (*testApp, *chrome) {
	t.Helper()
	ta, c := startWithModels(t, t.TempDir(), map[string]string{
		"panel/process_group.json":       `{"display_name": "Panel"}`,
		"panel/tests/process_model.json": `{"display_name": "Tests", "primary_file_name": "panel.bpmn", "primary_process_id": "Process_t"}`,
		"panel/tests/panel.bpmn": bpmnDoc("", `<bpmn:startEvent id="Start" /><bpmn:endEvent id="End" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start" targetRef="End" />`),
	})
	c.openModeler(t, ta.url, "panel/tests", "panel.bpmn")
	return ta, c
}

func renameStart(t *testing.T, c *chrome, name string) {
	t.Helper()
	c.eval(t, `(() => {
		const m = window.waymarkModeler.modeler;
		const start = m.get('elementRegistry').filter(e => e.type === 'bpmn:StartEvent')[0];
		m.get('modeling').updateLabel(start, `+jsString(name)+`);
		return true;
	})()`, nil)
}

// An edit made while the save request is on its way is not lost: the
// server gets the diagram as it was exported, and the page stays dirty
// with the newer diagram in its local copy until it is saved too.
func TestModelerSaveKeepsEditsMadeDuringTheRequest(t *testing.T) {
	ta, c := openSavedModeler(t)
	held := holdSaves(t, c)
	key := "waymark.modeler.draft:panel/tests/panel.bpmn"
	onDisk := func() string {
		b, err := os.ReadFile(filepath.Join(ta.app.cfg.ModelsDir, "panel", "tests", "panel.bpmn"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	renameStart(t, c, "Before the save")
	c.run(t, chromedp.Click(`[data-action="save"]`))
	id := waitHeld(t, held)
	// The request is held: edit now.
	renameStart(t, c, "During the save")
	c.run(t, fetch.ContinueRequest(id))
	c.waitFor(t, "the save answer", `document.querySelector('[data-status]').textContent.startsWith('Saved as it was')`)

	if x := onDisk(); !strings.Contains(x, `name="Before the save"`) || strings.Contains(x, "During the save") {
		t.Errorf("the server should have the diagram as it was when Save was pressed:\n%s", x)
	}
	s := c.pageState(t, key)
	if !s.Dirty || s.Button != "Save" {
		t.Errorf("after a save that missed an edit: dirty %v, button %q; want dirty and Save", s.Dirty, s.Button)
	}
	c.waitFor(t, "the local copy of the newer diagram", `(JSON.parse(localStorage.getItem(`+jsString(key)+`) || '{}').xml || '').includes('During the save')`)

	// Saving again stores the edit and clears the local copy.
	c.run(t, chromedp.Click(`[data-action="save"]`))
	c.run(t, fetch.ContinueRequest(waitHeld(t, held)))
	c.waitFor(t, "the second save", `document.querySelector('[data-status]').textContent === 'Saved.'`)
	if x := onDisk(); !strings.Contains(x, `name="During the save"`) {
		t.Errorf("the second save did not store the edit:\n%s", x)
	}
	if s := c.pageState(t, key); s.Dirty || s.Draft != "" || s.Button != "Saved" {
		t.Errorf("after a complete save: dirty %v, button %q, local copy kept %v", s.Dirty, s.Button, s.Draft != "")
	}
}

// When the server cannot be reached, the page keeps the diagram, its
// dirty flag and the local copy.
func TestModelerSaveWithServerUnreachable(t *testing.T) {
	_, c := openSavedModeler(t)
	held := holdSaves(t, c)
	key := "waymark.modeler.draft:panel/tests/panel.bpmn"
	renameStart(t, c, "Kept in the browser")
	c.run(t, chromedp.Click(`[data-action="save"]`))
	c.run(t, fetch.FailRequest(waitHeld(t, held), network.ErrorReasonConnectionRefused))
	c.waitFor(t, "the failure", `document.querySelector('[data-status]').textContent.startsWith('Not saved: the server could not be reached')`)
	s := c.pageState(t, key)
	if !s.Dirty || s.Button != "Save" {
		t.Errorf("after an unreachable server: dirty %v, button %q; want dirty and Save", s.Dirty, s.Button)
	}
	if !strings.Contains(s.Draft, `name="Kept in the browser"`) {
		t.Errorf("the local copy does not hold the diagram: %q", s.Draft)
	}
	// A reload (leaving is confirmed) offers the kept diagram.
	chromedp.ListenTarget(c.ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			go chromedp.Run(c.ctx, page.HandleJavaScriptDialog(true))
		}
	})
	c.run(t, fetch.Disable(), chromedp.Reload(), chromedp.WaitVisible(`[data-modeler][data-ready="true"]`))
	c.run(t, chromedp.WaitVisible(`[data-draft-notice]`))
	var name string
	c.eval(t, `window.waymarkModeler.modeler.get('elementRegistry').filter(e => e.type === 'bpmn:StartEvent')[0].businessObject.name`, &name)
	if name != "Kept in the browser" {
		t.Errorf("after a reload the diagram shows %q, want the kept one", name)
	}
}
