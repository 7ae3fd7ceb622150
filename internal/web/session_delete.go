package web

import "net/http"

// sessionDelete signs the user out.
func (s *Server) sessionDelete(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	providerID, idToken := st.session.Provider()
	st.session.SignOut()
	st.session.SetFlash("You have signed out.")
	if err := s.sessions.Save(w, r, st.session); err != nil {
		return err
	}
	if done, err := s.oidcSignOut(w, r, providerID, idToken); done || err != nil {
		return err
	}
	redirect(w, r, s.prefix.URL("/sign-in"))
	return nil
}
