package web

import (
	"net/http"

	"github.com/waymark-bpm/waymark/web/templates"
)

// inboxShow shows the tasks waiting for the user.
func (s *Server) inboxShow(w http.ResponseWriter, r *http.Request) error {
	b, err := s.base(w, r, "Inbox", templates.SectionInbox)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, templates.InboxPage(templates.InboxView{Base: b}), nil)
}
