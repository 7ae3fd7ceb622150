package store

import (
	"context"
	"fmt"
)

// AuthVersion returns a number that changes whenever a sign-in, an API
// token, a user, a group or a membership changes in a way that can change
// who a request is (see migration 0160). Updates of last use do not change
// it. Callers that cache what sessions, tokens and users resolve to read it
// once per request and drop their cache when it differs.
func (s *Store) AuthVersion(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT n FROM auth_version WHERE id = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("auth version: %w", mapError(err))
	}
	return n, nil
}
