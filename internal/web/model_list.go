package web

import (
	"net/http"
	"strings"

	"github.com/waymark-bpm/waymark/web/templates"
)

// modelList shows the model repository as a tree of groups and models,
// filtered by ?q=, with the processes whose id or name matches.
func (s *Server) modelList(w http.ResponseWriter, r *http.Request) error {
	return s.renderModelTree(w, r, http.StatusOK, "")
}

func (s *Server) renderModelTree(w http.ResponseWriter, r *http.Request, status int, errMsg string) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	v := templates.ModelTreeView{Query: q, Error: errMsg, Dir: s.models.Root()}
	root, _ := filterTree(s.groupNode(s.models.Tree(), true), q)
	v.Root = root
	if q != "" {
		matches, err := s.models.SearchProcesses(r.Context(), q, 50)
		if err != nil {
			return err
		}
		v.Matches = s.processRows(matches)
	}
	st := s.models.Stats()
	v.Summary = templates.Count(st.Groups, "group", "groups") + ", " + templates.Count(st.Models, "model", "models") + ", " +
		templates.Count(st.Processes, "process", "processes") + "."
	deleted, err := s.deletedItems(r.Context(), "")
	if err != nil {
		return err
	}
	v.Deleted, v.JustDeleted = deleted, r.URL.Query().Get("deleted")
	b, err := s.base(w, r, "Models", templates.SectionModels)
	if err != nil {
		return err
	}
	v.Base = b
	return s.render(w, r, status, templates.ModelTreePage(v), templates.ModelTreeResults(v))
}
