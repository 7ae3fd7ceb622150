package web

import (
	"net/http"
	"strings"

	"github.com/waymark-bpm/waymark/internal/models"
	"github.com/waymark-bpm/waymark/web/templates"
)

// modelList shows the model repository as a tree of groups and models,
// filtered by ?q=, with the processes whose id or name matches.
func (s *Server) modelList(w http.ResponseWriter, r *http.Request) error {
	return s.renderModelTree(w, r, http.StatusOK, "")
}

func (s *Server) renderModelTree(w http.ResponseWriter, r *http.Request, status int, errMsg string) error {
	return s.renderModelTreeReport(w, r, status, errMsg, nil)
}

// renderModelTreeReport is renderModelTree with what an upload found.
func (s *Server) renderModelTreeReport(w http.ResponseWriter, r *http.Request, status int, errMsg string, rep *templates.UploadReport) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	v := templates.ModelTreeView{Query: q, Error: errMsg, Report: rep, Can: s.treeCan(r)}
	if s.can(r, "read", "/admin") {
		// Where the files lie on the server is for admins only.
		v.Dir = s.models.Root()
	}
	root, _ := filterTree(s.readableTree(r, s.groupNode(s.models.Tree(), true)), q)
	v.Root = root
	if q != "" {
		matches, err := s.models.SearchProcesses(r.Context(), q, 200)
		if err != nil {
			return err
		}
		matches = s.readableMatches(r, matches, 50)
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

// readableTree keeps the models the user may read and the groups that hold
// them or that the user may read themselves.
func (s *Server) readableTree(r *http.Request, n templates.GroupNode) templates.GroupNode {
	out := n
	out.Groups, out.Models = nil, nil
	for _, g := range n.Groups {
		fg := s.readableTree(r, g)
		if len(fg.Groups) > 0 || len(fg.Models) > 0 || s.can(r, "read", "/process-groups/"+urlID(g.ID)) {
			out.Groups = append(out.Groups, fg)
		}
	}
	for _, m := range n.Models {
		if s.can(r, "read", "/process-models/"+urlID(m.ID)) {
			out.Models = append(out.Models, m)
		}
	}
	return out
}

// readableMatches keeps the processes of models the user may read, at most
// limit of them.
func (s *Server) readableMatches(r *http.Request, ms []models.ProcessMatch, limit int) []models.ProcessMatch {
	out := ms[:0:0]
	for _, m := range ms {
		if len(out) == limit {
			break
		}
		if s.can(r, "read", "/process-models/"+urlID(m.ModelID)) {
			out = append(out, m)
		}
	}
	return out
}
