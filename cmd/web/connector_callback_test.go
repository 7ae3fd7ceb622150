package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// courierModel books a courier through a connector proxy that answers
// later; a refusal with the code CourierRefused is caught and leads to a
// manual task.
const courierModel = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_courier" targetNamespace="http://waymark.test/courier">
  <bpmn:error id="refused" name="refused" errorCode="CourierRefused">
    <bpmn:extensionElements>
      <spiffworkflow:variableName>refusal</spiffworkflow:variableName>
    </bpmn:extensionElements>
  </bpmn:error>
  <bpmn:process id="courier" name="Courier" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="book" />
    <bpmn:serviceTask id="book" name="Book a courier">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="shipping/BookCourier" resultVariable="booking">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="parcel" type="str" value="&quot;P-17&quot;" />
            <spiffworkflow:parameter id="api_key" type="str" value="&quot;SPIFF_SECRET:courier_key&quot;" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="book" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:boundaryEvent id="no_courier" attachedToRef="book">
      <bpmn:errorEventDefinition errorRef="refused" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="no_courier" targetRef="call_one" />
    <bpmn:manualTask id="call_one" name="Call a courier" />
    <bpmn:sequenceFlow id="f4" sourceRef="call_one" targetRef="end_refused" />
    <bpmn:endEvent id="end_refused" />
  </bpmn:process>
</bpmn:definitions>`

// acceptingProxy is a connector proxy speaking SpiffArena's protocol that
// accepts every call with 202 and keeps what it was sent.
type acceptingProxy struct {
	mu    sync.Mutex
	calls []map[string]any
}

func (p *acceptingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/commands":
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `[{"id": "shipping/BookCourier", "parameters": [{"id": "parcel", "type": "str", "required": true}, {"id": "api_key", "type": "str", "required": true}]}]`)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/do/shipping/BookCourier":
		var call map[string]any
		if err := json.NewDecoder(r.Body).Decode(&call); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		p.calls = append(p.calls, call)
		p.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

// call waits for the n-th call (from 1) and returns it.
func (p *acceptingProxy) call(t *testing.T, n int) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		p.mu.Lock()
		if len(p.calls) >= n {
			c := p.calls[n-1]
			p.mu.Unlock()
			return c
		}
		p.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("the connector proxy never got call %d", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// callback posts body to a callback URL as a connector proxy would: no
// cookie, no API token. The answer must fit openapi.json.
func callback(t *testing.T, method, u, body string) (int, map[string]any) {
	t.Helper()
	req, resp, raw := rawCallback(t, method, u, body)
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	if ok, errs := openAPIValidator(t, u).ValidateHttpResponse(req, resp); !ok {
		for _, e := range errs {
			t.Errorf("%s %s: %d answer does not fit openapi.json: %s: %s", method, u, resp.StatusCode, e.Message, e.Reason)
		}
	}
	var out map[string]any
	json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// rawCallback posts a callback and reads the answer (safe from several
// goroutines: it reports failures with Error only).
func rawCallback(t *testing.T, method, u, body string) (*http.Request, *http.Response, []byte) {
	req, err := http.NewRequest(method, u, bytes.NewBufferString(body))
	if err != nil {
		t.Error(err)
		return nil, &http.Response{}, nil
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return req, &http.Response{}, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return req, resp, raw
}

// TestConnectorProxyCallback: a connector proxy that answers 202 leaves
// the service task waiting (the instance page shows it); the call carried
// an absolute callback URL with a token made for it; the result posted
// there completes the task once, with the body in the result variable. A
// forged, replayed, wrong-task or malformed callback is refused and
// changes nothing; a failure posted back is a BPMN error the diagram
// catches.
func TestConnectorProxyCallback(t *testing.T) {
	proxy := &acceptingProxy{}
	ps := httptest.NewServer(proxy)
	defer ps.Close()
	vars := workflowVars(t, t.TempDir())
	vars["WAYMARK_CONNECTOR_PROXY_URL"] = ps.URL
	dir := filepath.Join(vars["WAYMARK_MODELS_DIR"], "purchases", "courier")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "process_model.json"), []byte(`{"display_name": "Courier", "description": "", "display_order": 0, "primary_file_name": "courier.bpmn", "primary_process_id": "courier"}`), 0o644)
	os.WriteFile(filepath.Join(dir, "courier.bpmn"), []byte(courierModel), 0o644)
	ta := startAppAtOwnURL(t, vars)
	const courierKey = "ck-5ecret-0f9e8d"
	if err := ta.app.secrets.Set(context.Background(), "courier_key", courierKey, "test"); err != nil {
		t.Fatal(err)
	}
	alice := browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")

	// Discovery: the modeler lists the proxy's operator.
	var list connectorList
	if status := modelerAPICall(t, alice, "GET", ta.url+"/api/connectors/commands", "", "", &list); status != http.StatusOK || !strings.Contains(strings.Join(list.ids(), " "), "shipping/BookCourier") {
		t.Fatalf("commands: %d %v", status, list.ids())
	}

	start := func() {
		t.Helper()
		_, inbox := get(t, alice, ta.url+"/inbox")
		resp, _ := postForm(t, alice, ta.url+"/process-models/purchases:courier/start", url.Values{"csrf_token": {csrfToken(t, inbox)}}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("start: %d", resp.StatusCode)
		}
	}
	start()
	call := proxy.call(t, 1)
	cb, _ := call["spiff__callback_url"].(string)
	if call["parcel"] != "P-17" || call["api_key"] != courierKey || call["spiff__process_model_identifier"] != "purchases/courier" {
		t.Errorf("call %v", call)
	}
	u, err := url.Parse(cb)
	if err != nil || !strings.HasPrefix(cb, ta.url+"/api/v1/tasks/1/") || !strings.HasSuffix(u.Path, "/callback") || len(u.Query().Get("token")) < 40 {
		t.Fatalf("callback URL %q: want an absolute URL of this server with a long token", cb)
	}

	// Meanwhile the task waits: STARTED on the instance page, which says
	// what the instance waits for; the job is done (no second call).
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, doc := get(t, alice, ta.url+"/instances/1")
		if text(doc, "#instance-status") == "running" && doc.Find(`tr[data-element="book"][data-state="STARTED"]`).Length() == 1 &&
			strings.Contains(text(doc, "#pending-title + ul"), "the service call's answer at book") &&
			strings.Contains(doc.Find("body").Text(), "service_call_accepted") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the instance page does not show the task waiting for its callback")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The answer echoes the key the call carried: it is taken out.
	ok := `{"command_response_version": 2, "command_response": {"body": {"courier": "Swift", "eta": "14:00", "key": "` + courierKey + `"}, "mimetype": "application/json", "http_status": 200}, "error": null}`
	forged := *u
	forged.RawQuery = url.Values{"token": {"forged-" + u.Query().Get("token")[7:]}}.Encode()
	otherTask := strings.Replace(cb, "/api/v1/tasks/1/", "/api/v1/tasks/1/99", 1)
	refused := []struct {
		name, method, url, body string
		status                  int
	}{
		{"forged token", "PUT", forged.String(), ok, http.StatusUnauthorized},
		{"no token", "PUT", strings.Split(cb, "?")[0], ok, http.StatusUnauthorized},
		{"another task", "PUT", otherTask, ok, http.StatusNotFound},
		{"no command response", "PUT", cb, `{"result": 1}`, http.StatusBadRequest},
		{"not JSON", "POST", cb, `<xml/>`, http.StatusBadRequest},
	}
	for _, c := range refused {
		if status, body := callback(t, c.method, c.url, c.body); status != c.status || body["error_code"] == nil {
			t.Errorf("%s: %d %v, want %d with a JSON error", c.name, status, body, c.status)
		}
	}
	if _, doc := get(t, alice, ta.url+"/instances/1"); doc.Find(`tr[data-element="book"][data-state="STARTED"]`).Length() != 1 {
		t.Fatal("a refused callback changed the task")
	}

	status, body := callback(t, "PUT", cb, ok)
	if status != http.StatusOK || body["ok"] != true || body["status"] != "completed" || body["process_model_identifier"] != "purchases/courier" {
		t.Fatalf("callback: %d %v", status, body)
	}
	_, doc := get(t, alice, ta.url+"/instances/1")
	if got := text(doc, "#instance-status"); got != "completed" {
		t.Errorf("after the callback the instance is %q", got)
	}
	if data := doc.Find(`tr[data-element="book"] pre`).Text(); !strings.Contains(data, `"courier": "Swift"`) || strings.Contains(data, "http_status") ||
		!strings.Contains(data, `"key": "***"`) {
		t.Errorf("the result variable holds %q, want the callback's body", data)
	}
	// Replayed: refused, nothing changes.
	if status, _ := callback(t, "PUT", cb, ok); status != http.StatusConflict {
		t.Errorf("replayed callback: %d, want 409", status)
	}

	// A failure posted back is a BPMN error: caught here.
	start()
	cb2, _ := proxy.call(t, 2)["spiff__callback_url"].(string)
	if cb2 == "" || cb2 == cb {
		t.Fatalf("second call's callback %q", cb2)
	}
	status, body = callback(t, "POST", cb2, `{"error": {"error_code": "CourierRefused", "message": "no courier today"}}`)
	if status != http.StatusOK || body["status"] != "failed" || body["error_code"] != "CourierRefused" || body["caught"] != true {
		t.Fatalf("failure callback: %d %v", status, body)
	}
	_, doc = get(t, alice, ta.url+"/instances/2")
	if doc.Find(`tr[data-element="call_one"][data-state="READY"]`).Length() != 1 {
		t.Errorf("the refusal was not caught by the boundary event")
	}
	// Callbacks racing each other complete the task once.
	start()
	cb3, _ := proxy.call(t, 3)["spiff__callback_url"].(string)
	statuses := make(chan int, 6)
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, resp, _ := rawCallback(t, "PUT", cb3, ok)
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	counts := map[int]int{}
	for st := range statuses {
		counts[st]++
	}
	if counts[http.StatusOK] != 1 || counts[http.StatusConflict] != 5 {
		t.Errorf("racing callbacks answered %v, want one 200 and five 409", counts)
	}
	_, doc = get(t, alice, ta.url+"/instances/3")
	if got := text(doc, "#instance-status"); got != "completed" || doc.Find(`tr[data-element="book"]`).Length() != 1 {
		t.Errorf("after racing callbacks the instance is %q with %d book tasks", got, doc.Find(`tr[data-element="book"]`).Length())
	}
	if doc.Find("body").Text() != "" && strings.Contains(doc.Find("body").Text(), courierKey) {
		t.Error("the instance page shows the secret the callback echoed")
	}
	if logs := ta.logs.String(); strings.Contains(logs, u.Query().Get("token")) {
		t.Error("the callback token is in the server log")
	}
}
