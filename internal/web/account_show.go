package web

import (
	"net/http"

	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/internal/store"
	"github.com/waymark-bpm/waymark/web/templates"
)

// accountShow is the user's own page: change the password, see and end
// sessions.
func (s *Server) accountShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderAccount(w, r, http.StatusOK, "")
}

// renderAccount shows the account page with an optional error above the
// password form.
func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	st := state(r)
	rows, err := s.sessionRows(r, st.user.ID, st.session.ID())
	if err != nil {
		return err
	}
	b, err := s.base(w, r, "Your account", "")
	if err != nil {
		return err
	}
	v := templates.AccountView{Base: b, Username: st.user.Username, MustChange: st.user.MustChangePassword,
		CanChangePassword: st.user.Source != store.SourceFile, Error: msg, Sessions: rows}
	return s.render(w, r, status, templates.AccountPage(v), nil)
}

// sessionRows lists a user's sessions for a page, marking current.
func (s *Server) sessionRows(r *http.Request, userID, current int64) ([]templates.SessionRow, error) {
	list, err := s.sessions.List(r.Context(), userID)
	if err != nil {
		return nil, err
	}
	rows := make([]templates.SessionRow, 0, len(list))
	for _, si := range list {
		rows = append(rows, sessionRow(si, current))
	}
	return rows, nil
}

func sessionRow(si auth.SessionInfo, current int64) templates.SessionRow {
	return templates.SessionRow{ID: si.ID, Started: si.CreatedAt, LastSeen: si.LastSeenAt, Expires: si.ExpiresAt,
		ClientIP: si.ClientIP, UserAgent: si.UserAgent, Current: si.ID == current}
}
