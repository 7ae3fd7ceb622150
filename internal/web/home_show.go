package web

import "net/http"

// homeShow sends signed-in people to their inbox and others to sign in.
func (s *Server) homeShow(w http.ResponseWriter, r *http.Request) error {
	if state(r).user == nil {
		http.Redirect(w, r, s.prefix.URL("/sign-in"), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, s.prefix.URL("/inbox"), http.StatusSeeOther)
	return nil
}
