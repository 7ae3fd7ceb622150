package connectors

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHTTPOperators(t *testing.T) {
	var fails atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/json":
			user, pass, _ := r.BasicAuth()
			body, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Seen", "yes")
			json.NewEncoder(w).Encode(map[string]any{
				"method": r.Method, "q": r.URL.Query().Get("q"), "h": r.Header.Get("X-Token"),
				"user": user, "pass": pass, "body": string(body), "ctype": r.Header.Get("Content-Type"), "n": 3,
			})
		case "/text":
			w.Write([]byte("plain words"))
		case "/missing":
			http.Error(w, "nope", http.StatusNotFound)
		case "/flaky":
			if fails.Add(1) < 3 {
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
			w.Write([]byte("ok"))
		case "/big":
			w.Write([]byte(strings.Repeat("x", 2048)))
		}
	}))
	defer srv.Close()
	// The test server is on loopback, which built-in operators may only
	// call when allowed.
	r := New(Options{MaxResponseBytes: 1024, Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	ctx := context.Background()

	t.Run("GET with params, headers and basic auth parses JSON", func(t *testing.T) {
		res, err := r.Do(ctx, Call{Operator: "http/GetRequestV2", Params: map[string]any{
			"url": srv.URL + "/json", "params": map[string]any{"q": "x y"}, "headers": map[string]any{"X-Token": "t1"},
			"basic_auth_username": "u", "basic_auth_password": "p", "include_response_headers": true,
		}})
		if err != nil {
			t.Fatal(err)
		}
		body := res.Body.(map[string]any)
		want := map[string]any{"method": "GET", "q": "x y", "h": "t1", "user": "u", "pass": "p", "body": "", "ctype": "", "n": int64(3)}
		if d := cmp.Diff(want, body); d != "" {
			t.Errorf("body (-want +got):\n%s", d)
		}
		if res.HTTPStatus != 200 || res.Headers["X-Seen"] != "yes" {
			t.Errorf("status %d headers %v", res.HTTPStatus, res.Headers)
		}
		v := res.Value()
		if v["http_status"] != int64(200) || v["mimetype"] != "application/json" {
			t.Errorf("value = %v", v)
		}
	})
	t.Run("POST sends JSON data", func(t *testing.T) {
		res, err := r.Do(ctx, Call{Operator: "http/PostRequest", Params: map[string]any{"url": srv.URL + "/json", "data": map[string]any{"a": int64(1)}}})
		if err != nil {
			t.Fatal(err)
		}
		body := res.Body.(map[string]any)
		if body["body"] != `{"a":1}` || body["ctype"] != "application/json" || body["method"] != "POST" {
			t.Errorf("body = %v", body)
		}
	})
	t.Run("POST form body", func(t *testing.T) {
		res, err := r.Do(ctx, Call{Operator: "http/PostRequest", Params: map[string]any{"url": srv.URL + "/json", "data": map[string]any{"a": "b c"}, "body_format": "form"}})
		if err != nil {
			t.Fatal(err)
		}
		if b := res.Body.(map[string]any); b["body"] != "a=b+c" {
			t.Errorf("body = %v", b)
		}
	})
	t.Run("text body stays text", func(t *testing.T) {
		res, err := r.Do(ctx, Call{Operator: "http/GetRequest", Params: map[string]any{"url": srv.URL + "/text"}})
		if err != nil || res.Body != "plain words" {
			t.Errorf("res %v err %v", res, err)
		}
	})
	t.Run("4xx is an operator error with SpiffArena's code", func(t *testing.T) {
		_, err := r.Do(ctx, Call{Operator: "http/GetRequest", Params: map[string]any{"url": srv.URL + "/missing"}})
		var e *Error
		if !errors.As(err, &e) || e.Code != "ServiceTaskHttpError404" || e.Status != 404 {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("no answer is a ConnectionError", func(t *testing.T) {
		_, err := r.Do(ctx, Call{Operator: "http/GetRequest", Params: map[string]any{"url": "http://127.0.0.1:1/x"}})
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeConnection {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("5xx is retried up to attempts", func(t *testing.T) {
		res, err := r.Do(ctx, Call{Operator: "http/GetRequestV2", Params: map[string]any{"url": srv.URL + "/flaky", "attempts": int64(3)}})
		if err != nil || res.Body != "ok" || fails.Load() != 3 {
			t.Errorf("res %v err %v tries %d", res, err, fails.Load())
		}
	})
	t.Run("oversize response refused", func(t *testing.T) {
		_, err := r.Do(ctx, Call{Operator: "http/GetRequest", Params: map[string]any{"url": srv.URL + "/big"}})
		var e *Error
		if !errors.As(err, &e) || e.Code != "ResponseTooLarge" {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("bad url, missing and unknown parameters", func(t *testing.T) {
		for _, p := range []map[string]any{{"url": "file:///etc/passwd"}, {}, {"url": srv.URL, "nonsense": 1}} {
			_, err := r.Do(ctx, Call{Operator: "http/GetRequest", Params: p})
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("params %v: err = %v", p, err)
			}
		}
	})
	t.Run("unknown operator without proxy", func(t *testing.T) {
		_, err := r.Do(ctx, Call{Operator: "aws/AddDynamoItem"})
		if !errors.Is(err, ErrUnknownOperator) || !strings.Contains(err.Error(), "WAYMARK_CONNECTOR_PROXY_URL") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestProxy(t *testing.T) {
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/commands":
			w.Write([]byte(`[{"id":"xero/CreateInvoice","parameters":[{"id":"amount","type":"int","required":true}]},{"id":"http/GetRequest","parameters":[]}]`))
		case "/v1/do/xero/CreateInvoice":
			json.NewDecoder(r.Body).Decode(&got)
			w.Write([]byte(`{"command_response_version":2,"command_response":{"body":{"invoice":7},"mimetype":"application/json","http_status":201},"error":null,"spiff__logs":["made it"]}`))
		case "/v1/do/xero/Fail":
			w.Write([]byte(`{"command_response_version":2,"command_response":{},"error":{"error_code":"XeroDown","message":"try later"}}`))
		case "/v1/do/slow/Thing":
			w.WriteHeader(http.StatusAccepted)
		case "/v1/do/xero/Missing":
			w.Write([]byte(`{"command_response_version":2,"command_response":{"body":{"detail":"no invoice 9"},"mimetype":"application/json","http_status":404},"error":null}`))
		case "/v1/do/xero/Broken":
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"command_response_version":2,"command_response":{},"error":null}`))
		case "/v1/do/xero/Garbled":
			w.Write([]byte(`<html>oops</html>`))
		}
	}))
	defer srv.Close()
	r := New(Options{ProxyURL: srv.URL + "/"})
	ctx := context.Background()
	cmds, err := r.Commands(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, c := range cmds {
		if ids[c.ID] {
			t.Errorf("duplicate command %s", c.ID)
		}
		ids[c.ID] = true
	}
	if !ids["xero/CreateInvoice"] || !ids["http/PostRequestV2"] || len(cmds) != 14 {
		t.Errorf("commands = %v", cmds)
	}
	res, err := r.Do(ctx, Call{Operator: "xero/CreateInvoice", Params: map[string]any{"amount": int64(5)}, InstanceID: 9, ModelID: "m/x", TaskID: "t1", TaskData: map[string]any{"k": "v"}, CallbackURL: "http://127.0.0.1/cb"})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]any{"invoice": int64(7)}, res.Body); d != "" || res.HTTPStatus != 201 || len(res.Logs) != 1 {
		t.Errorf("result %+v %s", res, d)
	}
	want := map[string]any{"amount": 5.0, "spiff__process_instance_id": 9.0, "spiff__process_model_identifier": "m/x", "spiff__task_id": "t1", "spiff__task_data": map[string]any{"k": "v"}, "spiff__callback_url": "http://127.0.0.1/cb"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("request (-want +got):\n%s", d)
	}
	_, err = r.Do(ctx, Call{Operator: "xero/Fail"})
	var e *Error
	if !errors.As(err, &e) || e.Code != "XeroDown" {
		t.Errorf("err = %v", err)
	}
	// Failures carry SpiffArena's codes, which error boundary events match.
	for op, code := range map[string]string{"xero/Missing": "ServiceTaskHttpError404", "xero/Broken": CodeBadStatus, "xero/Garbled": CodeInvalidJSON} {
		_, err := r.Do(ctx, Call{Operator: op})
		if !errors.As(err, &e) || e.Code != code {
			t.Errorf("%s: err = %v, want code %s", op, err, code)
		}
	}
	if _, err := r.Do(ctx, Call{Operator: "xero/Missing"}); !errors.As(err, &e) || e.Status != 404 || e.Body.(map[string]any)["detail"] != "no invoice 9" {
		t.Errorf("the upstream answer is lost: %#v", e)
	}
	res, err = r.Do(ctx, Call{Operator: "slow/Thing"})
	if err != nil || !res.Pending {
		t.Errorf("pending: %+v %v", res, err)
	}
	down := New(Options{ProxyURL: "http://127.0.0.1:1"})
	cmds, err = down.Commands(ctx)
	if err == nil || len(cmds) != 13 {
		t.Errorf("unreachable proxy: %d commands, err %v", len(cmds), err)
	}
}

// TestParseCallback: what a connector proxy posts to a callback URL reads
// as its answer at once would: the body, or the failure with its code.
func TestParseCallback(t *testing.T) {
	cases := []struct {
		name, body string
		want       any
		code       string
		bad        bool
	}{
		{"body", `{"command_response": {"body": {"id": 7}, "mimetype": "application/json", "http_status": 200}}`, map[string]any{"id": int64(7)}, "", false},
		{"JSON in a string", `{"command_response": {"body": "{\"id\": 7}", "mimetype": "application/json"}}`, map[string]any{"id": int64(7)}, "", false},
		{"error object", `{"command_response": null, "error": {"error_code": "Refused", "message": "no"}}`, nil, "Refused", false},
		{"upstream status", `{"command_response": {"body": "gone", "mimetype": "text/plain", "http_status": 410}}`, nil, "ServiceTaskHttpError410", false},
		{"no body", `{"command_response": {"mimetype": "text/plain"}}`, nil, "", true},
		{"not JSON", `ok`, nil, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := ParseCallback("shipping/Book", []byte(c.body))
			if c.bad {
				if !errors.Is(err, ErrBadCallback) {
					t.Fatalf("err %v, want ErrBadCallback", err)
				}
				return
			}
			var ce *Error
			if c.code != "" {
				if !errors.As(err, &ce) || ce.Code != c.code {
					t.Fatalf("err %v, want code %s", err, c.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, res.Body); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}
