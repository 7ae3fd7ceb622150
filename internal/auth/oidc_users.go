package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/waymark-bpm/waymark/internal/store"
)

// Bounds on what a provider may hand over, so a hostile or misconfigured
// provider cannot fill the database.
const (
	maxClaimGroups   = 200
	maxNameLength    = 200
	maxUsernameBytes = 200
)

// ExternalUser is a person as an OpenID Connect provider describes them.
type ExternalUser struct {
	// Issuer and Subject identify the account at the provider.
	Issuer  string
	Subject string
	// Username names the Waymark user created on first sign-in.
	Username    string
	Email       string
	DisplayName string
	// EmailVerified is false when the provider says the email address was
	// not verified; the address then does not grant the permissions file's
	// groups.
	EmailVerified bool
	// Groups come from the provider's groups claim.
	Groups []string
}

// UsernameTakenError is returned when a provider account would become a
// user whose name another account already has.
type UsernameTakenError struct {
	Username string
}

func (e *UsernameTakenError) Error() string {
	return fmt.Sprintf("the username %q belongs to another account in Waymark (with a password, or linked to another provider account); ask an administrator", e.Username)
}

// externalUser reads the claims of a verified ID token.
func externalUser(cfg ProviderConfig, issuer, subject string, claims map[string]any) (ExternalUser, error) {
	x := ExternalUser{Issuer: issuer, Subject: subject, EmailVerified: true}
	x.Email, _ = claims["email"].(string)
	if v, ok := claims["email_verified"].(bool); ok {
		x.EmailVerified = v
	}
	for _, key := range []string{"name", "preferred_username"} {
		if s, _ := claims[key].(string); s != "" {
			x.DisplayName = truncate(s, maxNameLength)
			break
		}
	}
	for _, key := range []string{cfg.UsernameClaim, "email", "sub"} {
		if s, _ := claimPath(claims, key).(string); strings.TrimSpace(s) != "" {
			x.Username = strings.TrimSpace(s)
			break
		}
	}
	if x.Username == "" {
		return ExternalUser{}, fmt.Errorf("the ID token names no user (claims %s, email and sub are empty)", cfg.UsernameClaim)
	}
	if len(x.Username) > maxUsernameBytes || !utf8.ValidString(x.Username) || strings.ContainsFunc(x.Username, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return ExternalUser{}, fmt.Errorf("the username in claim %s is not usable (control characters, or longer than %d bytes)", cfg.UsernameClaim, maxUsernameBytes)
	}
	if cfg.GroupsClaim != "-" {
		groups, err := claimGroups(claimPath(claims, cfg.GroupsClaim))
		if err != nil {
			return ExternalUser{}, fmt.Errorf("claim %s: %w", cfg.GroupsClaim, err)
		}
		x.Groups = groups
	}
	return x, nil
}

// claimPath follows a dotted path ("realm_access.roles") into the claims.
// A claim whose own name has dots is found by its full name first.
func claimPath(claims map[string]any, path string) any {
	if v, ok := claims[path]; ok {
		return v
	}
	var cur any = claims
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

// claimGroups reads a groups claim: a list of strings, or one string with
// names separated by commas or spaces. A leading "/" (Keycloak's full group
// path) is dropped.
func claimGroups(v any) ([]string, error) {
	var names []string
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		names = strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
	case []any:
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("want a list of group names, got an entry of type %T", e)
			}
			names = append(names, s)
		}
	default:
		return nil, fmt.Errorf("want a list of group names, got %T", v)
	}
	if len(names) > maxClaimGroups {
		return nil, fmt.Errorf("%d groups, at most %d are accepted", len(names), maxClaimGroups)
	}
	out := names[:0]
	for _, n := range names {
		n = strings.TrimPrefix(strings.TrimSpace(n), "/")
		if n == "" {
			continue
		}
		if len(n) > maxNameLength || !utf8.ValidString(n) {
			return nil, fmt.Errorf("group name %.40q… is longer than %d bytes or not UTF-8", n, maxNameLength)
		}
		out = append(out, n)
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// SignInExternal signs in a person a provider vouched for, in one
// transaction:
//   - a provider account seen before signs in as the user it is linked to;
//   - otherwise a user named ext.Username is created, or, when one exists
//     that has no password and no provider account yet (such as a user of
//     the permissions file listed for sign-in through a provider), linked,
//     provided the file's service for the user, if any, is this issuer;
//     a name taken by any other account is refused with UsernameTakenError,
//     so no provider can take over a password account;
//   - the user's sign-in groups are replaced by the groups claim, the
//     permissions file's groups that name the user's username or verified
//     email, and the file's default_group; they add to the user's
//     memberships from the file and the app.
func (d *Directory) SignInExternal(ctx context.Context, ext ExternalUser) (User, error) {
	if ext.Issuer == "" || ext.Subject == "" || ext.Username == "" {
		return User{}, errors.New("sign in external user: issuer, subject and username are required")
	}
	var user store.User
	err := d.store.InTx(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByIdentity(ctx, ext.Issuer, ext.Subject)
		switch {
		case err == nil:
			if u.Source == store.SourceLocal {
				// The provider owns the details of the users it made.
				u.Email, u.DisplayName = ext.Email, ext.DisplayName
				if u, err = tx.UpdateUser(ctx, u); err != nil {
					return err
				}
			}
		case errors.Is(err, store.ErrNotFound):
			u, err = tx.UserByUsername(ctx, ext.Username)
			switch {
			case errors.Is(err, store.ErrNotFound):
				u, err = tx.CreateUser(ctx, store.User{Username: ext.Username, Email: ext.Email, DisplayName: ext.DisplayName, Source: store.SourceLocal})
				if err != nil {
					return err
				}
			case err != nil:
				return err
			default:
				linked, err := tx.HasIdentity(ctx, u.ID)
				if err != nil {
					return err
				}
				if u.PasswordHash != "" || linked || !d.fileAllowsIssuer(u.Username, ext.Issuer) {
					return &UsernameTakenError{Username: ext.Username}
				}
			}
		default:
			return err
		}
		if err := tx.LinkIdentity(ctx, store.Identity{Issuer: ext.Issuer, Subject: ext.Subject, UserID: u.ID}); err != nil {
			return err
		}
		email := ""
		if ext.EmailVerified {
			email = ext.Email
		}
		groups := append(slices.Clone(ext.Groups), d.fileGroupsOf(u.Username, email)...)
		if err := tx.SetSignInGroups(ctx, u.ID, groups); err != nil {
			return err
		}
		user = u
		return nil
	})
	if err != nil {
		return User{}, fmt.Errorf("sign in %s from %s: %w", ext.Username, ext.Issuer, err)
	}
	return d.withGroups(ctx, user)
}

// fileAllowsIssuer reports whether the permissions file lets the issuer's
// accounts become the named user: always, unless the file gives the user a
// service (SpiffArena's field for the user's identity provider), which
// must then be that issuer.
func (d *Directory) fileAllowsIssuer(username, issuer string) bool {
	p := d.file.Load()
	if p == nil {
		return true
	}
	fu, ok := p.Users[username]
	if !ok || fu.Service == "" {
		return true
	}
	return strings.TrimRight(fu.Service, "/") == strings.TrimRight(issuer, "/")
}

// fileGroupsOf returns the groups of the last loaded permissions file that
// list the username or the email address, and its default_group.
func (d *Directory) fileGroupsOf(username, email string) []string {
	p := d.file.Load()
	if p == nil {
		return nil
	}
	var out []string
	if p.DefaultGroup != "" {
		out = append(out, p.DefaultGroup)
	}
	for _, name := range sortedKeys(p.Groups) {
		for _, m := range p.Groups[name].Users {
			if m == username || (email != "" && strings.EqualFold(m, email)) {
				out = append(out, name)
				break
			}
		}
	}
	return out
}

// mergeGroups returns the sorted union of two lists of group names.
func mergeGroups(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}
