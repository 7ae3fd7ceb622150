package web

import "net/http"

// Every read and write of htmx's HX-* headers lives in this file.

// isFragmentRequest reports whether the response may be a fragment: htmx
// made the request, and it is neither a boosted navigation (which swaps the
// whole body) nor a history restore (which needs the whole page).
func isFragmentRequest(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" &&
		r.Header.Get("HX-Boosted") != "true" &&
		r.Header.Get("HX-History-Restore-Request") != "true"
}

// varyOnHTMX tells caches that the response depends on HX-Request, so a
// fragment never lands where a full page is expected (back button, proxy).
func varyOnHTMX(w http.ResponseWriter) {
	w.Header().Add("Vary", "HX-Request")
}

// redirect sends the browser to url after a POST (303 See Other). For an
// htmx request it asks htmx to navigate instead, so the new page replaces
// the whole document rather than being swapped into a form's place.
func redirect(w http.ResponseWriter, r *http.Request, url string) {
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", url)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, url, http.StatusSeeOther)
}
