package auth

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/waymark-bpm/waymark/internal/store"
	"golang.org/x/crypto/bcrypt"
)

// MinPasswordLength is the shortest password an account may be given.
const MinPasswordLength = 8

// maxPasswordLength is bcrypt's limit: it ignores bytes past 72.
const maxPasswordLength = 72

// validUsername is what a username created in the app may look like: the
// characters SpiffArena usernames and email addresses use.
var validUsername = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$`)

// validGroup is what a group name given in the app may look like.
var validGroup = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/ -]{0,99}$`)

func checkPassword(pw string) error {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLength:
		return fmt.Errorf("%w: the password must be at least %d characters", ErrInvalid, MinPasswordLength)
	case len(pw) > maxPasswordLength:
		return fmt.Errorf("%w: the password must be at most %d bytes", ErrInvalid, maxPasswordLength)
	}
	return nil
}

// NewAccount is what an admin fills in to add a user.
type NewAccount struct {
	Username    string
	DisplayName string
	Email       string
	// Password is the first password; the user must change it at the first
	// sign-in.
	Password string
}

// CreateUser adds a user kept in the database (not in the permissions
// file), who must change the given password at the first sign-in.
func (d *Directory) CreateUser(ctx context.Context, a NewAccount) (User, error) {
	a.Username = strings.TrimSpace(a.Username)
	a.Email = strings.TrimSpace(a.Email)
	a.DisplayName = strings.TrimSpace(a.DisplayName)
	if !validUsername.MatchString(a.Username) {
		return User{}, fmt.Errorf("%w: the username %q may use letters, digits and . _ @ + - (at most 100, starting with a letter or digit)", ErrInvalid, a.Username)
	}
	if a.Email != "" && (!strings.Contains(a.Email, "@") || strings.ContainsAny(a.Email, " <>\"") || len(a.Email) > 200) {
		return User{}, fmt.Errorf("%w: the email address %q is not valid", ErrInvalid, a.Email)
	}
	if len(a.DisplayName) > 200 {
		return User{}, fmt.Errorf("%w: the name is longer than 200 characters", ErrInvalid)
	}
	if err := checkPassword(a.Password); err != nil {
		return User{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(a.Password), d.cost)
	if err != nil {
		return User{}, fmt.Errorf("hash password of %s: %w", a.Username, err)
	}
	var u store.User
	err = d.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		u, err = tx.CreateUser(ctx, store.User{Username: a.Username, Email: a.Email, DisplayName: a.DisplayName,
			PasswordHash: string(hash), Source: store.SourceLocal})
		if err != nil {
			return err
		}
		return tx.SetUserPassword(ctx, u.ID, string(hash), true)
	})
	if errors.Is(err, store.ErrConflict) {
		return User{}, fmt.Errorf("%w: the username %q is taken", ErrInvalid, a.Username)
	}
	if err != nil {
		return User{}, err
	}
	return d.User(ctx, u.ID)
}

// SetDisabled disables or enables a user. Disabling ends every session of
// the user in the same transaction.
func (d *Directory) SetDisabled(ctx context.Context, id int64, disabled bool, now time.Time) error {
	return d.store.InTx(ctx, func(tx *store.Tx) error {
		at := time.Time{}
		if disabled {
			at = now
		}
		if err := tx.SetUserDisabled(ctx, id, at); err != nil {
			return err
		}
		if disabled {
			_, err := tx.DeleteUserSessions(ctx, id, 0)
			return err
		}
		return nil
	})
}

// ErrFilePassword is returned when the password of a user from the
// permissions file is changed in the app: the file would put its own back
// at the next reload.
var ErrFilePassword = fmt.Errorf("%w: this user's password comes from the permissions file; change it there", ErrInvalid)

// SetPassword gives the user a new password and ends the user's sessions
// except keepSession (0 for none), in one transaction. mustChange sends
// the user to the password form at the next sign-in (an admin's reset).
func (d *Directory) SetPassword(ctx context.Context, id int64, password string, mustChange bool, keepSession int64) error {
	if err := checkPassword(password); err != nil {
		return err
	}
	u, err := d.store.UserByID(ctx, id)
	if err != nil {
		return err
	}
	if u.Source == store.SourceFile {
		return ErrFilePassword
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), d.cost)
	if err != nil {
		return fmt.Errorf("hash password of %s: %w", u.Username, err)
	}
	return d.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetUserPassword(ctx, id, string(hash), mustChange); err != nil {
			return err
		}
		_, err := tx.DeleteUserSessions(ctx, id, keepSession)
		return err
	})
}

// ErrWrongPassword is returned when the current password given for a
// change is not right; it is an ErrInvalid, shown to the user.
var ErrWrongPassword = fmt.Errorf("%w: the current password is not right", ErrInvalid)

// ChangePassword is the user's own change: the current password must be
// right. Other sessions of the user end; keepSession (the one making the
// change) stays.
func (d *Directory) ChangePassword(ctx context.Context, id int64, current, password string, keepSession int64) error {
	u, err := d.store.UserByID(ctx, id)
	if err != nil {
		return err
	}
	if u.PasswordHash == "" || bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(current)) != nil {
		return ErrWrongPassword
	}
	if current == password {
		return fmt.Errorf("%w: the new password must differ from the current one", ErrInvalid)
	}
	return d.SetPassword(ctx, id, password, false, keepSession)
}

// AddToGroup puts the user in the named group, creating the group when it
// does not exist. Memberships added here survive reloading the permissions
// file.
func (d *Directory) AddToGroup(ctx context.Context, userID int64, group string) error {
	group = strings.TrimSpace(group)
	if !validGroup.MatchString(group) {
		return fmt.Errorf("%w: the group name %q may use letters, digits, spaces and . _ : / - (at most 100)", ErrInvalid, group)
	}
	return d.store.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.UserByID(ctx, userID); err != nil {
			return err
		}
		gid, err := tx.EnsureGroup(ctx, group, store.SourceLocal)
		if err != nil {
			return err
		}
		return tx.AddGroupMember(ctx, gid, userID, store.SourceLocal)
	})
}

// RemoveFromGroup takes the user out of a group the app put them in. A
// membership from the permissions file is refused: the file decides it.
func (d *Directory) RemoveFromGroup(ctx context.Context, userID int64, group string) error {
	return d.store.InTx(ctx, func(tx *store.Tx) error {
		gid, _, err := tx.GroupByName(ctx, group)
		if err != nil {
			return err
		}
		err = tx.RemoveGroupMember(ctx, gid, userID, store.SourceLocal)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%w: the membership of group %q comes from the permissions file, or there is none", ErrInvalid, group)
		}
		return err
	})
}
