package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sources of users, groups and memberships.
const (
	// SourceFile rows come from the permissions YAML and are replaced
	// whenever it is loaded.
	SourceFile = "file"
	// SourceLocal rows are created by Waymark (the first-start admin) and
	// survive reloading the file.
	SourceLocal = "local"
)

// User is a row of the users table.
type User struct {
	ID           int64
	Username     string
	Email        string
	DisplayName  string
	PasswordHash string
	Source       string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// DisabledAt is when an admin disabled the user; zero when enabled.
	DisabledAt time.Time
	// MustChangePassword sends the user to the password form at the next
	// sign-in.
	MustChangePassword bool
}

// Group is a group with the usernames of its members.
type Group struct {
	ID      int64
	Name    string
	Source  string
	Members []string
}

const userColumns = `id, username, email, display_name, password_hash, source, created_at, updated_at, disabled_at, must_change_password`

type scanner interface{ Scan(...any) error }

func scanUser(row scanner) (User, error) {
	var u User
	var created, updated, disabled string
	if err := row.Scan(&u.ID, &u.Username, &u.Email, &u.DisplayName, &u.PasswordHash, &u.Source, &created, &updated, &disabled, &u.MustChangePassword); err != nil {
		return User{}, err
	}
	var err error
	if disabled != "" {
		if u.DisabledAt, err = parseTime(disabled); err != nil {
			return User{}, fmt.Errorf("user %d disabled_at: %w", u.ID, err)
		}
	}
	if u.CreatedAt, err = parseTime(created); err != nil {
		return User{}, fmt.Errorf("user %d created_at: %w", u.ID, err)
	}
	if u.UpdatedAt, err = parseTime(updated); err != nil {
		return User{}, fmt.Errorf("user %d updated_at: %w", u.ID, err)
	}
	return u, nil
}

// UserByID returns the user with the given id.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return User{}, fmt.Errorf("user %d: %w", id, mapError(err))
	}
	return u, nil
}

// UserByUsername returns the user with the given username.
func (s *Store) UserByUsername(ctx context.Context, username string) (User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, username))
	if err != nil {
		return User{}, fmt.Errorf("user %q: %w", username, mapError(err))
	}
	return u, nil
}

// Users lists all users ordered by username.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CountUsers returns the number of users.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// UserGroups returns the names of the groups the user belongs to, sorted.
func (s *Store) UserGroups(ctx context.Context, userID int64) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT g.name
		FROM group_members m JOIN groups g ON g.id = m.group_id
		WHERE m.user_id = ?
		ORDER BY g.name`, userID)
	if err != nil {
		return nil, fmt.Errorf("groups of user %d: %w", userID, err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, rows.Err()
}

// Membership is one group a user belongs to and where that comes from.
type Membership struct {
	Group  string
	Source string
}

// UserMemberships returns the user's groups with the source of each
// membership, ordered by group name.
func (s *Store) UserMemberships(ctx context.Context, userID int64) ([]Membership, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT g.name, m.source
		FROM group_members m JOIN groups g ON g.id = m.group_id
		WHERE m.user_id = ?
		ORDER BY g.name`, userID)
	if err != nil {
		return nil, fmt.Errorf("memberships of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []Membership
	for rows.Next() {
		var m Membership
		if err := rows.Scan(&m.Group, &m.Source); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Groups lists every group with its members' usernames, ordered by name.
func (s *Store) Groups(ctx context.Context) ([]Group, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT g.id, g.name, g.source, coalesce(u.username, '')
		FROM groups g
		LEFT JOIN group_members m ON m.group_id = g.id
		LEFT JOIN users u ON u.id = m.user_id
		ORDER BY g.name, u.username`)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		var g Group
		var member string
		if err := rows.Scan(&g.ID, &g.Name, &g.Source, &member); err != nil {
			return nil, fmt.Errorf("list groups: %w", err)
		}
		if n := len(out); n == 0 || out[n-1].ID != g.ID {
			out = append(out, g)
		}
		if member != "" {
			last := &out[len(out)-1]
			last.Members = append(last.Members, member)
		}
	}
	return out, rows.Err()
}

// CreateUser inserts a user. A taken username gives ErrConflict.
func (tx *Tx) CreateUser(ctx context.Context, u User) (User, error) {
	if err := tx.lockShared(ctx); err != nil {
		return User{}, err
	}
	u.CreatedAt, u.UpdatedAt = tx.now, tx.now
	err := tx.tx.QueryRowContext(ctx, `
		INSERT INTO users (username, email, display_name, password_hash, source, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Username, u.Email, u.DisplayName, u.PasswordHash, u.Source, formatTime(u.CreatedAt), formatTime(u.UpdatedAt)).Scan(&u.ID)
	if err != nil {
		return User{}, fmt.Errorf("create user %q: %w", u.Username, mapError(err))
	}
	return u, nil
}

// UserByUsername returns the user with the given username.
func (tx *Tx) UserByUsername(ctx context.Context, username string) (User, error) {
	if err := tx.lockShared(ctx); err != nil {
		return User{}, err
	}
	u, err := scanUser(tx.tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, username))
	if err != nil {
		return User{}, fmt.Errorf("user %q: %w", username, mapError(err))
	}
	return u, nil
}

// UserByID returns the user with the given id.
func (tx *Tx) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(tx.tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return User{}, fmt.Errorf("user %d: %w", id, mapError(err))
	}
	return u, nil
}

// SetUserDisabled disables the user at the given time, or enables it for
// a zero time.
func (tx *Tx) SetUserDisabled(ctx context.Context, id int64, at time.Time) error {
	v := ""
	if !at.IsZero() {
		v = formatTime(at)
	}
	return tx.updateUserField(ctx, id, `disabled_at = ?`, v)
}

// SetUserPassword stores a new password hash and whether the user must
// change it at the next sign-in.
func (tx *Tx) SetUserPassword(ctx context.Context, id int64, hash string, mustChange bool) error {
	return tx.updateUserField(ctx, id, `password_hash = ?, must_change_password = ?`, hash, mustChange)
}

func (tx *Tx) updateUserField(ctx context.Context, id int64, set string, args ...any) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE users SET `+set+`, updated_at = ? WHERE id = ?`,
		append(args, formatTime(tx.now), id)...)
	if err != nil {
		return fmt.Errorf("update user %d: %w", id, mapError(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("update user %d: %w", id, ErrNotFound)
	}
	return nil
}

// GroupByName returns the id and source of the named group.
func (tx *Tx) GroupByName(ctx context.Context, name string) (id int64, source string, err error) {
	err = tx.tx.QueryRowContext(ctx, `SELECT id, source FROM groups WHERE name = ?`, name).Scan(&id, &source)
	if err != nil {
		return 0, "", fmt.Errorf("group %q: %w", name, mapError(err))
	}
	return id, source, nil
}

// RemoveGroupMember removes a membership of the given source; a
// membership the permissions file declared is not removed here (the file
// would put it back) and gives ErrNotFound.
func (tx *Tx) RemoveGroupMember(ctx context.Context, groupID, userID int64, source string) error {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM group_members WHERE group_id = ? AND user_id = ? AND source = ?`, groupID, userID, source)
	if err != nil {
		return fmt.Errorf("remove user %d from group %d: %w", userID, groupID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("remove user %d from group %d: %w", userID, groupID, ErrNotFound)
	}
	return nil
}

// UpdateUser writes the profile fields of an existing user, found by ID.
// The disabled and must-change-password flags are left alone: they are set
// in the app, and reloading the permissions file must not undo them.
func (tx *Tx) UpdateUser(ctx context.Context, u User) (User, error) {
	if err := tx.lockShared(ctx); err != nil {
		return User{}, err
	}
	u.UpdatedAt = tx.now
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE users SET username = ?, email = ?, display_name = ?, password_hash = ?, source = ?, updated_at = ?
		WHERE id = ?`,
		u.Username, u.Email, u.DisplayName, u.PasswordHash, u.Source, formatTime(u.UpdatedAt), u.ID)
	if err != nil {
		return User{}, fmt.Errorf("update user %q: %w", u.Username, mapError(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return User{}, err
	} else if n == 0 {
		return User{}, fmt.Errorf("update user %q: %w", u.Username, ErrNotFound)
	}
	return u, nil
}

// DeleteUsersExcept deletes the users of the given source whose usernames
// are not in keep, and returns how many it deleted.
func (tx *Tx) DeleteUsersExcept(ctx context.Context, source string, keep []string) (int64, error) {
	if err := tx.lockShared(ctx); err != nil {
		return 0, err
	}
	query, args := exceptQuery(`DELETE FROM users WHERE source = ?`, "username", source, keep)
	res, err := tx.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("delete %s users: %w", source, err)
	}
	return res.RowsAffected()
}

// EnsureGroup returns the id of the named group, creating it with the
// given source if it does not exist. A 'local' group named in the file
// becomes a 'file' group.
func (tx *Tx) EnsureGroup(ctx context.Context, name, source string) (int64, error) {
	if err := tx.lockShared(ctx); err != nil {
		return 0, err
	}
	var id int64
	var current string
	err := tx.tx.QueryRowContext(ctx, `SELECT id, source FROM groups WHERE name = ?`, name).Scan(&id, &current)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if err := tx.tx.QueryRowContext(ctx, `INSERT INTO groups (name, source) VALUES (?, ?) RETURNING id`, name, source).Scan(&id); err != nil {
			return 0, fmt.Errorf("create group %q: %w", name, mapError(err))
		}
		return id, nil
	case err != nil:
		return 0, fmt.Errorf("group %q: %w", name, err)
	}
	if current != source && source == SourceFile {
		if _, err := tx.tx.ExecContext(ctx, `UPDATE groups SET source = ? WHERE id = ?`, source, id); err != nil {
			return 0, fmt.Errorf("update group %q: %w", name, err)
		}
	}
	return id, nil
}

// DeleteGroupsExcept deletes the groups of the given source whose names
// are not in keep.
func (tx *Tx) DeleteGroupsExcept(ctx context.Context, source string, keep []string) (int64, error) {
	if err := tx.lockShared(ctx); err != nil {
		return 0, err
	}
	query, args := exceptQuery(`DELETE FROM groups WHERE source = ?`, "name", source, keep)
	res, err := tx.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("delete %s groups: %w", source, err)
	}
	return res.RowsAffected()
}

// AddGroupMember adds a user to a group. Adding an existing member keeps
// the membership's original source.
func (tx *Tx) AddGroupMember(ctx context.Context, groupID, userID int64, source string) error {
	if err := tx.lockShared(ctx); err != nil {
		return err
	}
	_, err := tx.tx.ExecContext(ctx, `
		INSERT INTO group_members (group_id, user_id, source) VALUES (?, ?, ?)
		ON CONFLICT (group_id, user_id) DO NOTHING`, groupID, userID, source)
	if err != nil {
		return fmt.Errorf("add user %d to group %d: %w", userID, groupID, mapError(err))
	}
	return nil
}

// DeleteGroupMembers removes every membership of the given source.
func (tx *Tx) DeleteGroupMembers(ctx context.Context, source string) error {
	if err := tx.lockShared(ctx); err != nil {
		return err
	}
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM group_members WHERE source = ?`, source); err != nil {
		return fmt.Errorf("delete %s memberships: %w", source, err)
	}
	return nil
}

// exceptQuery appends "AND column NOT IN (?, ...)" for keep.
func exceptQuery(query, column, source string, keep []string) (string, []any) {
	args := []any{source}
	if len(keep) == 0 {
		return query, args
	}
	for _, k := range keep {
		args = append(args, k)
	}
	return query + ` AND ` + column + ` NOT IN (?` + strings.Repeat(`, ?`, len(keep)-1) + `)`, args
}
