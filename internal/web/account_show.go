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
	return s.renderAccountWith(w, r, status, msg, "", "")
}

// renderAccountTokens shows the account page after a token form: the new
// token once, or why none was made.
func (s *Server) renderAccountTokens(w http.ResponseWriter, r *http.Request, status int, token, tokenMsg string) error {
	w.Header().Set("Cache-Control", "no-store")
	return s.renderAccountWith(w, r, status, "", token, tokenMsg)
}

func (s *Server) renderAccountWith(w http.ResponseWriter, r *http.Request, status int, msg, token, tokenMsg string) error {
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
	if v.Tokens, err = s.tokensView(w, r, false, ""); err != nil {
		return err
	}
	v.Tokens.Base, v.Tokens.NewToken, v.Tokens.Error = b, token, tokenMsg
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
