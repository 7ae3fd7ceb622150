// Package web is Waymark's HTTP layer: routes, middleware, the error table,
// htmx handling, and one handler file per user action (object_verb.go).
//
// Handlers have the signature func(w, r) error. The html adapter turns a
// returned error into a response through one table (errors.go), so status
// codes and wording stay consistent and internals never reach the browser:
// a 5xx shows a fixed message and the request id, and the full error goes
// to the log once.
//
// Everything the server knows about its public address comes from
// WAYMARK_BASE_URL: its path is stripped once at the root (routes.go),
// templates build every URL through templates.Prefix, and /healthz and
// /readyz stay outside the prefix for probes. X-Forwarded-* headers are
// believed only from WAYMARK_TRUSTED_PROXIES; /debug/url-info shows what the
// server believes.
//
// Access: every route has one row in routeAccess (permissions.go) naming
// the SpiffArena API path it corresponds to and the action it needs
// there; the authorize middleware asks internal/auth before the handler
// runs, and a route without a row is refused. Refusals are 403 naming the
// missing permission (JSON {"error_code", "message"} under /api). Pages
// get booleans for their forms from the same targets (treeCan, groupCan,
// modelCan, fileCan), so templates stay pure. The runner's Admin actor
// (other people's instances and tasks) is set per request from the
// route's permissions, never from group names.
//
// CSRF is checked in two layers: net/http's CrossOriginProtection rejects
// cross-origin browser requests by their Fetch metadata, and every unsafe
// request must also carry the session's token, from the csrf_token form
// field or the X-CSRF-Token header (htmx sends it through hx-headers on
// <body>).
//
// The package imports auth, store (for read types), config, web/templates
// and web/static; never the engine or database/sql.
package web
