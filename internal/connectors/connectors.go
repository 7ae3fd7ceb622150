// Package connectors runs service-task operators: the built-in HTTP
// operators in-process (so a fresh install needs no connector proxy), and any
// other operator through an external connector proxy speaking SpiffArena's
// connector-proxy protocol (GET /v1/commands, POST /v1/do/{operator}).
//
// A service task names an operator (spiffworkflow:serviceTaskOperator
// id="http/GetRequestV2") and parameters whose values the engine has already
// evaluated; Do runs the call and returns the command response. Commands
// lists every operator with its parameters, for the modeler's picker.
//
// Imports: no project package (a leaf).
package connectors

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"sort"
	"strings"
	"time"
)

// Param describes one operator parameter.
type Param struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Required bool   `json:"required"`
}

// Command is an operator with its parameters.
type Command struct {
	ID         string  `json:"id"`
	Parameters []Param `json:"parameters"`
	// Builtin is true for operators run in-process.
	Builtin bool `json:"builtin,omitempty"`
}

// Call is one operator call.
type Call struct {
	Operator   string
	Params     map[string]any
	InstanceID int64
	ModelID    string
	TaskID     string
	TaskData   map[string]any
	// CallbackURL is where a connector may post a result later (HTTP 202).
	CallbackURL string
	// File returns the bytes of a file stored with the instance, by the
	// digest its reference in task data carries (see the forms package's
	// DigestPrefix); nil when the caller keeps no files.
	File func(digest string) ([]byte, error)
}

// Result is a command response.
type Result struct {
	Body       any    `json:"body"`
	MimeType   string `json:"mimetype"`
	HTTPStatus int    `json:"http_status"`
	// Headers are the response headers, when asked for.
	Headers map[string]string `json:"headers,omitempty"`
	// Pending is true when the connector accepted the call and will post the
	// result to the callback URL later.
	Pending bool     `json:"-"`
	Logs    []string `json:"-"`
}

// Value is what a service task stores in its result variable.
func (r Result) Value() map[string]any {
	v := map[string]any{"body": r.Body, "mimetype": r.MimeType, "http_status": int64(r.HTTPStatus)}
	if r.Headers != nil {
		h := make(map[string]any, len(r.Headers))
		for k, x := range r.Headers {
			h[k] = x
		}
		v["headers"] = h
	}
	return v
}

// Error is an error reported by an operator (the connector's error object,
// or an HTTP operator's failure). Its Code can be caught by an error boundary
// event whose error code matches.
type Error struct {
	Code    string `json:"error_code"`
	Message string `json:"message"`
	// Status is the HTTP status that made the error, 0 for none.
	Status int `json:"status_code,omitempty"`
	// Body is what the service answered with, for the error's payload.
	Body any `json:"command_response_body,omitempty"`
}

// SpiffArena's codes for a service task's failures, which error boundary
// events in its models match: an answer of HTTP 300 or more from the
// service is ServiceTaskHttpError<status>; a connector proxy that answers
// badly without saying why is ServiceTaskOperatorReturnedBadStatusError,
// and with a body that is not JSON ServiceTaskOperatorReturnedInvalidJsonError;
// a call that never got an answer is named like the Python exception
// SpiffArena would see (ConnectionError, Timeout).
const (
	CodeBadStatus   = "ServiceTaskOperatorReturnedBadStatusError"
	CodeInvalidJSON = "ServiceTaskOperatorReturnedInvalidJsonError"
	CodeConnection  = "ConnectionError"
	CodeTimeout     = "Timeout"
)

// HTTPErrorCode is SpiffArena's code for an HTTP status of 300 or more.
func HTTPErrorCode(status int) string { return fmt.Sprintf("ServiceTaskHttpError%d", status) }

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// ErrUnknownOperator is returned for an operator no connector offers.
var ErrUnknownOperator = errors.New("unknown operator")

// Options configure the registry.
type Options struct {
	// ProxyURL is the base URL of a connector proxy; empty for none.
	ProxyURL string
	// HTTPClient is used for the connector proxy.
	HTTPClient *http.Client
	// SMTP is the mail server of the built-in smtp/SendEmail operator.
	SMTP SMTPOptions
	// Allow lists the non-public addresses the built-in operators may
	// call nonetheless (see outbound.go); by default they call public
	// addresses only.
	Allow []netip.Prefix
	// MaxResponseBytes limits a response body (default 10 MiB).
	MaxResponseBytes int64
}

// Registry runs operators.
type Registry struct {
	opts   Options
	client *http.Client
	// outbound is the built-in operators' client, which calls public
	// addresses only.
	outbound *http.Client
	builtin  map[string]builtinOp
}

// New returns a registry with the built-in operators and, when configured,
// the connector proxy.
func New(opts Options) *Registry {
	if opts.MaxResponseBytes <= 0 {
		opts.MaxResponseBytes = 10 << 20
	}
	opts.ProxyURL = strings.TrimRight(opts.ProxyURL, "/")
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 60 * time.Second}
	}
	r := &Registry{opts: opts, client: client, outbound: guardedClient(opts.Allow, 60*time.Second), builtin: map[string]builtinOp{}}
	for _, op := range httpOperators() {
		r.builtin[op.cmd.ID] = op
	}
	for _, op := range smtpOperators() {
		r.builtin[op.cmd.ID] = op
	}
	return r
}

// Commands lists the built-in operators and the proxy's, sorted by id. A
// proxy that cannot be reached is reported as an error together with the
// built-in list.
func (r *Registry) Commands(ctx context.Context) ([]Command, error) {
	var out []Command
	for _, op := range r.builtin {
		out = append(out, op.cmd)
	}
	var err error
	if r.opts.ProxyURL != "" {
		var proxied []Command
		proxied, err = r.proxyCommands(ctx)
		for _, c := range proxied {
			if _, dup := r.builtin[c.ID]; !dup {
				out = append(out, c)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, err
}

// Do runs one operator call.
func (r *Registry) Do(ctx context.Context, call Call) (Result, error) {
	if op, ok := r.builtin[call.Operator]; ok {
		if err := checkParams(op.cmd, call.Params); err != nil {
			return Result{}, err
		}
		return op.run(ctx, r, call)
	}
	if r.opts.ProxyURL == "" {
		return Result{}, fmt.Errorf("%w %q: it is not built in and no connector proxy is configured (WAYMARK_CONNECTOR_PROXY_URL)", ErrUnknownOperator, call.Operator)
	}
	return r.proxyDo(ctx, call)
}

func checkParams(c Command, params map[string]any) error {
	for _, p := range c.Parameters {
		if v, ok := params[p.ID]; p.Required && (!ok || v == nil || v == "") {
			return &Error{Code: "MissingParameter", Message: fmt.Sprintf("operator %s needs parameter %q", c.ID, p.ID)}
		}
	}
	known := map[string]bool{}
	for _, p := range c.Parameters {
		known[p.ID] = true
	}
	for k := range params {
		if !known[k] {
			return &Error{Code: "UnknownParameter", Message: fmt.Sprintf("operator %s has no parameter %q", c.ID, k)}
		}
	}
	return nil
}

// Builtin reports whether an operator runs in-process; the others go to the
// connector proxy, which may answer later through the callback URL.
func (r *Registry) Builtin(operator string) bool {
	_, ok := r.builtin[operator]
	return ok
}
