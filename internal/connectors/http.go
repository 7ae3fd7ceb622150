package connectors

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type builtinOp struct {
	cmd Command
	run func(ctx context.Context, r *Registry, call Call) (Result, error)
}

// httpOperators are SpiffArena's built-in HTTP operators: the V1 names and
// the V2 names (which add attempts). Both answer with a version 2 command
// response: {"body", "mimetype", "http_status"} (and "headers" when
// include_response_headers is true).
func httpOperators() []builtinOp {
	var ops []builtinOp
	for _, m := range []string{"Get", "Post", "Put", "Patch", "Delete", "Head"} {
		method := strings.ToUpper(m)
		params := []Param{
			{ID: "url", Type: "str", Required: true},
			{ID: "headers", Type: "any"},
			{ID: "params", Type: "any"},
			{ID: "basic_auth_username", Type: "str"},
			{ID: "basic_auth_password", Type: "str"},
			{ID: "include_response_headers", Type: "bool"},
		}
		if method != "GET" && method != "HEAD" && method != "DELETE" {
			params = append(params, Param{ID: "data", Type: "any"}, Param{ID: "body_format", Type: "str"})
		}
		for _, v2 := range []bool{false, true} {
			id := "http/" + m + "Request"
			ps := append([]Param(nil), params...)
			if v2 {
				id += "V2"
				ps = append(ps, Param{ID: "attempts", Type: "int"})
			}
			ops = append(ops, builtinOp{
				cmd: Command{ID: id, Parameters: ps, Builtin: true},
				run: func(ctx context.Context, r *Registry, call Call) (Result, error) {
					return r.httpRequest(ctx, method, call.Params)
				},
			})
		}
	}
	return ops
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// httpRequest runs one built-in HTTP call, retrying on network errors and
// 5xx answers up to "attempts" times (default 1) with a short backoff.
func (r *Registry) httpRequest(ctx context.Context, method string, p map[string]any) (Result, error) {
	u, err := url.Parse(str(p["url"]))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Result{}, &Error{Code: "InvalidURL", Message: fmt.Sprintf("url %q must be an absolute http or https URL", str(p["url"]))}
	}
	if qp, ok := p["params"].(map[string]any); ok {
		q := u.Query()
		for k, v := range qp {
			q.Set(k, str(v))
		}
		u.RawQuery = q.Encode()
	}
	var body []byte
	contentType := ""
	if data, ok := p["data"]; ok && data != nil {
		switch strings.ToLower(str(p["body_format"])) {
		case "form":
			form := url.Values{}
			if m, ok := data.(map[string]any); ok {
				for k, v := range m {
					form.Set(k, str(v))
				}
			}
			body, contentType = []byte(form.Encode()), "application/x-www-form-urlencoded"
		default:
			if s, ok := data.(string); ok && str(p["body_format"]) == "text" {
				body, contentType = []byte(s), "text/plain; charset=utf-8"
			} else {
				b, err := json.Marshal(data)
				if err != nil {
					return Result{}, &Error{Code: "InvalidData", Message: err.Error()}
				}
				body, contentType = b, "application/json"
			}
		}
	}
	attempts := 1
	if a, ok := p["attempts"].(int64); ok && a > 1 {
		attempts = int(min(a, 10))
	}
	var last error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			select {
			case <-ctx.Done():
				return Result{}, ctx.Err()
			case <-time.After(time.Duration(i) * 500 * time.Millisecond):
			}
		}
		res, err, retry := r.httpOnce(ctx, method, u.String(), body, contentType, p)
		if err == nil || !retry {
			return res, err
		}
		last = err
	}
	return Result{}, last
}

func (r *Registry) httpOnce(ctx context.Context, method, target string, body []byte, contentType string, p map[string]any) (Result, error, bool) {
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return Result{}, &Error{Code: "InvalidRequest", Message: err.Error()}, false
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if h, ok := p["headers"].(map[string]any); ok {
		for k, v := range h {
			req.Header.Set(k, str(v))
		}
	}
	if user := str(p["basic_auth_username"]); user != "" {
		req.SetBasicAuth(user, str(p["basic_auth_password"]))
	}
	resp, err := r.outbound.Do(req)
	if err != nil {
		var ae *AddressError
		if errors.As(err, &ae) {
			return Result{}, &Error{Code: "AddressRefused", Message: fmt.Sprintf("%s %s: %v", method, target, ae)}, false
		}
		return Result{}, &Error{Code: networkCode(err), Message: err.Error()}, true
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, r.opts.MaxResponseBytes+1))
	if err != nil {
		return Result{}, &Error{Code: networkCode(err), Message: err.Error()}, true
	}
	if int64(len(raw)) > r.opts.MaxResponseBytes {
		return Result{}, &Error{Code: "ResponseTooLarge", Message: fmt.Sprintf("response is larger than %d bytes", r.opts.MaxResponseBytes)}, false
	}
	res := Result{HTTPStatus: resp.StatusCode, MimeType: resp.Header.Get("Content-Type"), Body: decodeBody(raw, resp.Header.Get("Content-Type"))}
	if b, _ := p["include_response_headers"].(bool); b {
		res.Headers = map[string]string{}
		for k := range resp.Header {
			res.Headers[k] = resp.Header.Get(k)
		}
	}
	if resp.StatusCode >= 400 {
		return res, &Error{Code: HTTPErrorCode(resp.StatusCode), Message: fmt.Sprintf("%s %s answered %s", req.Method, target, resp.Status),
			Status: resp.StatusCode, Body: res.Body}, resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests
	}
	return res, nil, false
}

// decodeBody parses a JSON body into a value; other bodies stay text.
func decodeBody(raw []byte, contentType string) any {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "application/json" || strings.HasSuffix(mt, "+json") {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err == nil {
			return normalizeJSON(v)
		}
	}
	return string(raw)
}

// normalizeJSON turns json.Number into int64 or float64.
func normalizeJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeJSON(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = normalizeJSON(e)
		}
		return x
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	}
	return v
}

// networkCode names a call that got no answer as SpiffArena names it (after
// the Python requests exception): Timeout or ConnectionError.
func networkCode(err error) string {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return CodeTimeout
	}
	return CodeConnection
}
