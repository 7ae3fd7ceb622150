package connectors

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// proxyCommands asks the connector proxy for its command list.
func (r *Registry) proxyCommands(ctx context.Context) ([]Command, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.opts.ProxyURL+"/v1/commands", nil)
	if err != nil {
		return nil, err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("connector proxy commands: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("connector proxy commands: %s", resp.Status)
	}
	var cmds []Command
	if err := json.NewDecoder(io.LimitReader(resp.Body, r.opts.MaxResponseBytes)).Decode(&cmds); err != nil {
		return nil, fmt.Errorf("connector proxy commands: %w", err)
	}
	return cmds, nil
}

// proxyResponse is the connector proxy's answer to /v1/do.
type proxyResponse struct {
	Version  int             `json:"command_response_version"`
	Response json.RawMessage `json:"command_response"`
	Error    *Error          `json:"error"`
	Logs     []any           `json:"spiff__logs"`
}

// proxyDo runs an operator through the connector proxy.
func (r *Registry) proxyDo(ctx context.Context, call Call) (Result, error) {
	payload := map[string]any{}
	for k, v := range call.Params {
		payload[k] = v
	}
	payload["spiff__process_instance_id"] = call.InstanceID
	payload["spiff__process_model_identifier"] = call.ModelID
	payload["spiff__task_id"] = call.TaskID
	payload["spiff__task_data"] = call.TaskData
	if call.CallbackURL != "" {
		payload["spiff__callback_url"] = call.CallbackURL
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return Result{}, &Error{Code: "InvalidParameters", Message: err.Error()}
	}
	target := r.opts.ProxyURL + "/v1/do/" + url.PathEscape(call.Operator)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return Result{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return Result{}, &Error{Code: networkCode(err), Message: fmt.Sprintf("connector proxy: %v", err)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, r.opts.MaxResponseBytes+1))
	if err != nil {
		return Result{}, &Error{Code: "ConnectorProxyError", Message: err.Error()}
	}
	if resp.StatusCode == http.StatusAccepted {
		return Result{Pending: true, HTTPStatus: resp.StatusCode}, nil
	}
	return commandResponse(call.Operator, resp.StatusCode, resp.Status, raw)
}

// ParseCallback reads what a connector proxy posts to a callback URL after
// answering a call with 202: a command response as /v1/do answers it
// ({"command_response": {"body": ..., "mimetype": ..., "http_status": ...},
// "error": ...}). An error object, or an http_status of 300 or more, is the
// operator's failure with SpiffArena's codes, as for an answer at once; a
// body that is no command response is an error wrapping ErrBadCallback.
func ParseCallback(operator string, raw []byte) (Result, error) {
	var probe struct {
		Response map[string]json.RawMessage `json:"command_response"`
		Error    *Error                     `json:"error"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return Result{}, fmt.Errorf("%w: the body is not a JSON object: %v", ErrBadCallback, err)
	}
	if _, ok := probe.Response["body"]; !ok && (probe.Error == nil || (probe.Error.Code == "" && probe.Error.Message == "")) {
		return Result{}, fmt.Errorf("%w: it has neither command_response.body nor an error object", ErrBadCallback)
	}
	return commandResponse(operator, http.StatusOK, "200 OK", raw)
}

// ErrBadCallback means a callback's body is not a command response.
var ErrBadCallback = errors.New("callback body is not a command response")

// commandResponse reads a connector proxy's command response, answered
// with status.
func commandResponse(operator string, status int, statusText string, raw []byte) (Result, error) {
	var pr proxyResponse
	if err := json.Unmarshal(raw, &pr); err != nil {
		return Result{}, &Error{Code: CodeInvalidJSON, Message: fmt.Sprintf("operator %s: the connector proxy answered %s with a body that is not a command response", operator, statusText),
			Status: status, Body: string(raw)}
	}
	res := Result{HTTPStatus: status}
	// upstream is the status of the service behind the proxy, when the
	// proxy reports one.
	upstream := 0
	for _, l := range pr.Logs {
		res.Logs = append(res.Logs, fmt.Sprint(l))
	}
	if pr.Error != nil && (pr.Error.Code != "" || pr.Error.Message != "") {
		return res, pr.Error
	}
	if len(pr.Response) > 0 {
		var cr struct {
			Body       json.RawMessage `json:"body"`
			MimeType   string          `json:"mimetype"`
			HTTPStatus int             `json:"http_status"`
		}
		if err := json.Unmarshal(pr.Response, &cr); err != nil {
			return res, &Error{Code: "ConnectorProxyError", Message: "command_response is not an object"}
		}
		res.MimeType, res.HTTPStatus, upstream = cr.MimeType, cr.HTTPStatus, cr.HTTPStatus
		res.Body = decodeBody(cr.Body, "application/json")
		// A body sent as a JSON string holding JSON (older connectors) is parsed.
		if s, ok := res.Body.(string); ok && cr.MimeType == "application/json" {
			res.Body = decodeBody([]byte(s), "application/json")
		}
	}
	if upstream >= 300 {
		// The service behind the proxy refused.
		return res, &Error{Code: HTTPErrorCode(upstream), Message: fmt.Sprintf("operator %s: the service answered HTTP %d", operator, upstream),
			Status: upstream, Body: res.Body}
	}
	if status >= 300 {
		return res, &Error{Code: CodeBadStatus, Message: fmt.Sprintf("operator %s: the connector proxy answered %s", operator, statusText),
			Status: status, Body: res.Body}
	}
	return res, nil
}

// ErrNoProxy means no connector proxy is configured.
var ErrNoProxy = errors.New("no connector proxy is configured")

// Typeahead asks the connector proxy for the suggestions of a form's
// typeahead field: GET /v1/type-ahead/{category}?prefix=&limit=, as
// SpiffArena's connector_proxy_controller forwards it. The answer must be
// a JSON list of records and is returned as it is.
func (r *Registry) Typeahead(ctx context.Context, category, prefix string, limit int) (json.RawMessage, error) {
	if r.opts.ProxyURL == "" {
		return nil, ErrNoProxy
	}
	q := url.Values{"prefix": {prefix}, "limit": {strconv.Itoa(limit)}}
	target := r.opts.ProxyURL + "/v1/type-ahead/" + url.PathEscape(category) + "?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("connector proxy typeahead: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, r.opts.MaxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("connector proxy typeahead: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s answered %s", target, resp.Status)
	}
	if int64(len(body)) > r.opts.MaxResponseBytes {
		return nil, fmt.Errorf("%s answered more than %d bytes", target, r.opts.MaxResponseBytes)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, fmt.Errorf("%s answered something that is not a JSON list: %w", target, err)
	}
	if list == nil {
		return json.RawMessage("[]"), nil
	}
	return json.RawMessage(body), nil
}
