package auth

import (
	"context"
	"time"

	"github.com/waymark-bpm/waymark/internal/store"
)

// Audit events.
const (
	EventSignIn          = "sign-in"
	EventSignInFailed    = "sign-in-failed"
	EventSignInRefused   = "sign-in-refused" // throttled: not checked at all
	EventLocked          = "locked"
	EventSignOut         = "sign-out"
	EventSessionEnded    = "session-ended"
	EventSessionsEnded   = "sessions-ended" // sign out everywhere
	EventPasswordChanged = "password-changed"
	EventPasswordSet     = "password-set" // by an admin
	EventUserCreated     = "user-created"
	EventUserDisabled    = "user-disabled"
	EventUserEnabled     = "user-enabled"
	EventGroupAdded      = "group-added"
	EventGroupRemoved    = "group-removed"
	EventRuleAdded       = "rule-added"
	EventRuleDeleted     = "rule-deleted"
)

// Audit writes the audit log with one clock.
type Audit struct {
	db  *store.Store
	now func() time.Time
}

// NewAudit returns an Audit; now nil means time.Now.
func NewAudit(db *store.Store, now func() time.Time) *Audit {
	if now == nil {
		now = time.Now
	}
	return &Audit{db: db, now: now}
}

// AuditRecord is one event to log.
type AuditRecord struct {
	Event    string
	Username string
	Actor    string
	ClientIP string
	Detail   string
}

// Record appends an event to the log.
func (a *Audit) Record(ctx context.Context, r AuditRecord) error {
	return a.db.AppendAudit(ctx, store.AuditEntry{At: a.now(), Event: r.Event, Username: r.Username,
		Actor: r.Actor, ClientIP: r.ClientIP, Detail: r.Detail})
}

// Entries lists the log, newest first.
func (a *Audit) Entries(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error) {
	return a.db.AuditEntries(ctx, q)
}
