package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/waymark-bpm/waymark/internal/store"
	"golang.org/x/crypto/bcrypt"
)

// Errors returned by the package.
var (
	// ErrBadCredentials is returned for an unknown user and for a wrong
	// password alike, so sign-in does not reveal which usernames exist.
	ErrBadCredentials = errors.New("incorrect username or password")
	// ErrForbidden is returned when a signed-in user may not do something.
	ErrForbidden = errors.New("forbidden")
	// ErrInvalid is returned for account changes that are refused, such as
	// a short password or a malformed username; the wrapping message says
	// what is wrong and is meant to be shown.
	ErrInvalid = errors.New("invalid")
)

// AdminGroup is the group whose members may use the admin pages.
const AdminGroup = "admin"

// AdminUsername is the name of the account created on first start.
const AdminUsername = "admin"

// User is a signed-in person as the rest of the application sees it.
type User struct {
	ID          int64
	Username    string
	Email       string
	DisplayName string
	Groups      []string
	// Source is where the account comes from: store.SourceFile or
	// store.SourceLocal.
	Source string
	// Disabled users cannot sign in and their sessions are ended.
	Disabled bool
	// MustChangePassword sends the user to the password form first.
	MustChangePassword bool
}

// Name is what the interface shows for the user.
func (u User) Name() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

// InGroup reports whether the user belongs to the named group.
func (u User) InGroup(group string) bool {
	return slices.Contains(u.Groups, group)
}

// IsAdmin reports whether the user may use the admin pages.
func (u User) IsAdmin() bool {
	return u.InGroup(AdminGroup)
}

// Directory looks users up and checks their passwords.
type Directory struct {
	store *store.Store
	cost  int
	// file is the permissions file loaded last, for the groups of users
	// who sign in through a provider.
	file atomic.Pointer[Permissions]
	// users caches User by id for the current auth version.
	users versioned[int64, User]
}

// NewDirectory returns a Directory over the store.
func NewDirectory(s *store.Store) *Directory {
	return &Directory{store: s, cost: bcrypt.DefaultCost}
}

// Load writes the users and groups of a permissions file to the store in
// one transaction, replacing the users, groups and memberships an earlier
// load wrote. Users created locally (the first-start admin) are kept. It
// returns the group members that name no known user, which is normal for
// people who will sign in through an identity provider later.
func (d *Directory) Load(ctx context.Context, p *Permissions) (unknownMembers []string, err error) {
	// Hash outside the transaction: bcrypt is slow on purpose, and the
	// write lock should not wait for it.
	hashes := make(map[string]string, len(p.Users))
	for _, username := range sortedKeys(p.Users) {
		h, err := d.hashFor(ctx, username, p.Users[username].Password)
		if err != nil {
			return nil, err
		}
		hashes[username] = h
	}

	err = d.store.InTx(ctx, func(tx *store.Tx) error {
		ids := map[string]int64{} // by username and by email
		for _, username := range sortedKeys(p.Users) {
			fu := p.Users[username]
			u := store.User{
				Username:     username,
				Email:        fu.Email,
				DisplayName:  fu.PreferredUsername,
				PasswordHash: hashes[username],
				Source:       store.SourceFile,
			}
			existing, err := tx.UserByUsername(ctx, username)
			switch {
			case errors.Is(err, store.ErrNotFound):
				u, err = tx.CreateUser(ctx, u)
			case err != nil:
				return err
			default:
				u.ID = existing.ID
				u, err = tx.UpdateUser(ctx, u)
			}
			if err != nil {
				return err
			}
			ids[username] = u.ID
			if u.Email != "" {
				ids[strings.ToLower(u.Email)] = u.ID
			}
		}
		if _, err := tx.DeleteUsersExcept(ctx, store.SourceFile, sortedKeys(p.Users)); err != nil {
			return err
		}
		if err := tx.DeleteGroupMembers(ctx, store.SourceFile); err != nil {
			return err
		}

		members := map[string][]string{}
		for name, g := range p.Groups {
			members[name] = g.Users
		}
		if p.DefaultGroup != "" {
			members[p.DefaultGroup] = append(members[p.DefaultGroup], sortedKeys(p.Users)...)
		}
		groupNames := sortedKeys(members)
		for _, name := range groupNames {
			gid, err := tx.EnsureGroup(ctx, name, store.SourceFile)
			if err != nil {
				return err
			}
			for _, m := range members[name] {
				uid, ok := ids[m]
				if !ok {
					uid, ok = ids[strings.ToLower(m)]
				}
				if !ok {
					local, err := tx.UserByUsername(ctx, m)
					if err != nil && !errors.Is(err, store.ErrNotFound) {
						return err
					}
					uid, ok = local.ID, err == nil
				}
				if !ok {
					unknownMembers = append(unknownMembers, name+": "+m)
					continue
				}
				if err := tx.AddGroupMember(ctx, gid, uid, store.SourceFile); err != nil {
					return err
				}
			}
		}
		_, err := tx.DeleteGroupsExcept(ctx, store.SourceFile, groupNames)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load permissions: %w", err)
	}
	d.file.Store(p)
	return unknownMembers, nil
}

// hashFor returns the bcrypt hash to store for a password from the file:
// empty for no password, the value itself when it already is a bcrypt hash,
// the stored hash when it still matches, else a new hash.
func (d *Directory) hashFor(ctx context.Context, username, password string) (string, error) {
	if password == "" {
		return "", nil
	}
	if _, err := bcrypt.Cost([]byte(password)); err == nil {
		return password, nil
	}
	if existing, err := d.store.UserByUsername(ctx, username); err == nil && existing.PasswordHash != "" &&
		bcrypt.CompareHashAndPassword([]byte(existing.PasswordHash), []byte(password)) == nil {
		return existing.PasswordHash, nil
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), d.cost)
	if err != nil {
		return "", fmt.Errorf("hash password of %s: %w", username, err)
	}
	return string(h), nil
}

// EnsureAdmin creates the "admin" user in the admin group when there are
// no users at all. The password is the given one, or a generated one. It
// returns the generated password (empty when none was generated or no user
// was created), for the caller to show once.
func (d *Directory) EnsureAdmin(ctx context.Context, password string) (created bool, generated string, err error) {
	n, err := d.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return false, "", err
	}
	if password == "" {
		b := make([]byte, 18)
		rand.Read(b)
		password = base64.RawURLEncoding.EncodeToString(b)
		generated = password
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), d.cost)
	if err != nil {
		return false, "", fmt.Errorf("hash admin password: %w", err)
	}
	err = d.store.InTx(ctx, func(tx *store.Tx) error {
		u, err := tx.CreateUser(ctx, store.User{Username: AdminUsername, DisplayName: "Administrator", PasswordHash: string(hash), Source: store.SourceLocal})
		if err != nil {
			return err
		}
		gid, err := tx.EnsureGroup(ctx, AdminGroup, store.SourceLocal)
		if err != nil {
			return err
		}
		return tx.AddGroupMember(ctx, gid, u.ID, store.SourceLocal)
	})
	if errors.Is(err, store.ErrConflict) {
		// Another process sharing the database created it first.
		return false, "", nil
	}
	if err != nil {
		return false, "", fmt.Errorf("create admin user: %w", err)
	}
	return true, generated, nil
}

// dummyHash is compared against when the user does not exist, so an
// unknown username costs as much time as a wrong password.
// It is made on first use so that commands that never sign anyone in do not
// pay for it.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("waymark-timing-equaliser"), bcrypt.DefaultCost)
	return h
})

// Authenticate checks a username and password. Both an unknown user and a
// wrong password give ErrBadCredentials.
func (d *Directory) Authenticate(ctx context.Context, username, password string) (User, error) {
	u, err := d.store.UserByUsername(ctx, strings.TrimSpace(username))
	if errors.Is(err, store.ErrNotFound) {
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	if u.PasswordHash == "" || bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		return User{}, ErrBadCredentials
	}
	if !u.DisabledAt.IsZero() {
		// The same answer as a wrong password: a disabled account is not
		// confirmed to whoever holds its password.
		return User{}, fmt.Errorf("%w: account disabled", ErrBadCredentials)
	}
	return d.withGroups(ctx, u)
}

// User returns the user with the given id, with groups. A user that no
// longer exists gives store.ErrNotFound.
func (d *Directory) User(ctx context.Context, id int64) (User, error) {
	v, cache, err := authVersion(ctx, d.store)
	if err != nil {
		return User{}, err
	}
	if cache {
		if u, ok := d.users.get(v, id); ok {
			return cloneUser(u), nil
		}
	}
	su, err := d.store.UserByID(ctx, id)
	if err != nil {
		return User{}, err
	}
	u, err := d.withGroups(ctx, su)
	if err == nil && cache {
		d.users.put(v, id, cloneUser(u))
	}
	return u, err
}

func (d *Directory) withGroups(ctx context.Context, u store.User) (User, error) {
	groups, err := d.store.UserGroups(ctx, u.ID)
	if err != nil {
		return User{}, err
	}
	signInGroups, err := d.store.SignInGroups(ctx, u.ID)
	if err != nil {
		return User{}, err
	}
	groups = mergeGroups(groups, signInGroups)
	return User{ID: u.ID, Username: u.Username, Email: u.Email, DisplayName: u.DisplayName, Groups: groups,
		Source: u.Source, Disabled: !u.DisabledAt.IsZero(), MustChangePassword: u.MustChangePassword}, nil
}
