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
// Users and groups can also be managed in the app (Directory.CreateUser,
// SetDisabled, SetPassword, AddToGroup): such users and memberships have the
// source "local" and survive reloading the file. A disabled user cannot
// sign in; a password set by an admin must be changed at the next sign-in.
// The passwords of users from the file stay in the file. PermissionsSource
// reloads the file when its content changes (a file that does not parse
// leaves the previous permissions in force) and adds the rules admins
// created in the app, kept in the database and named "app:<name>"; the
// two are parsed together so they are in force together.
//
// Sessions are gorilla/sessions cookies, signed and encrypted with keys
// derived from one secret (configured, or generated and kept in the data
// directory), HttpOnly, SameSite=Lax, and Secure when Waymark is reached over
// https. The cookie holds a random sign-in token, the CSRF token and a flash
// message; who is signed in is known only from the sessions table, where the
// token's SHA-256 finds a row. Signing out, disabling the user, a password
// change and "sign out everywhere" delete rows, so a copied cookie stops
// working at once; idle and absolute time-outs are checked on every request
// with an injected clock.
//
// Throttle counts failed sign-ins per username as typed (so unknown names
// behave exactly like real ones) and per client address, in the database:
// after a few failures each attempt must wait longer, then the name or
// address is locked for a while, the right password included. Audit keeps
// the log of sign-ins, failures, locks and account changes.
//
// OpenID Connect providers (oidc*.go) sign people in with the
// authorization-code flow, PKCE, state and nonce (coreos/go-oidc and
// x/oauth2). A provider account (issuer and subject) is linked to one user
// at first sign-in: a new user, or a file user without password of the same
// name; a name taken by a password user or another provider account is
// refused. The groups claim, the file's groups for the user's verified email
// and the default group are kept as the user's sign-in groups, replaced at
// every sign-in and added to the user's memberships.
//
// The package has no HTTP handlers and imports only internal/store.
package auth
