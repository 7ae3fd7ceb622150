package web

import "net/http"

// homeShow sends signed-in people to their inbox (or, when their
// permissions do not open it, to the models) and others to sign in.
func (s *Server) homeShow(w http.ResponseWriter, r *http.Request) error {
	if state(r).user == nil {
		http.Redirect(w, r, s.prefix.URL("/sign-in"), http.StatusSeeOther)
		return nil
	}
	if !s.can(r, "read", "/tasks") {
		http.Redirect(w, r, s.prefix.URL("/models"), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, s.prefix.URL("/inbox"), http.StatusSeeOther)
	return nil
}
