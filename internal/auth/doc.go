// Package auth owns who people are: users and groups, passwords, and the
// cookie session that remembers a signed-in user.
//
// Users and groups come from a permissions file in SpiffArena's YAML format
// (users, groups, default_group, permissions). Loading the file writes its
// users and groups to the store, replacing what an earlier load wrote, so
// the file stays the source of truth while sessions and other rows can
// reference users by id. Plain passwords in the file are hashed with bcrypt
// on load; only the hash is kept. A password that already is a bcrypt hash
// is kept as it is. When there are no users at all after loading, an "admin"
// user in the "admin" group is created with a password from the
// configuration or a generated one that is returned to be logged once.
//
// Permission rules in the file are expanded when it loads, as SpiffArena
// expands them, into single grants (grants.go): target macros PG:, PM:,
// BASIC, SUPPORT, ELEVATED and ALL, the action macros all and start, and
// DENY: actions. Decide answers one question, an action on a SpiffArena
// API path, for a user; the web layer maps its routes to those paths. An
// unknown action or target, or a '*' anywhere but at the end of a uri, is
// an error naming the file, the permission and the value, so a mistyped
// file stops the start.
//
// Sessions are gorilla/sessions cookies, signed and encrypted with keys
// derived from one secret (configured, or generated and kept in the data
// directory), HttpOnly, SameSite=Lax, and Secure when Waymark is reached over
// https. The session holds the user id and the CSRF token.
//
// The package has no HTTP handlers and imports only internal/store.
package auth
