package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/waymark-bpm/waymark/internal/models"
	"github.com/waymark-bpm/waymark/web/templates"
)

// Helpers shared by the model repository's pages and API: URLs (ids are
// written with ':' for '/', as SpiffArena does) and the conversion of
// repository values into view values.

func (s *Server) groupURL(id string) string {
	if id == "" {
		return s.prefix.URL("/models")
	}
	return s.prefix.URL("/process-groups/" + url.PathEscape(models.IDToURL(id)))
}

func (s *Server) modelURL(id string) string {
	return s.prefix.URL("/process-models/" + url.PathEscape(models.IDToURL(id)))
}

func (s *Server) fileURL(modelID, name string) string {
	return s.modelURL(modelID) + "/files/" + url.PathEscape(name)
}

// pathID reads the {id} path value of a group or model URL.
func pathID(r *http.Request) string { return models.IDFromURL(r.PathValue("id")) }

// userMessage is the text shown for a refused change: the repository's
// own explanation for bad input, which names what and where.
func userMessage(err error) (string, bool) {
	var pe *models.ProblemsError
	switch {
	case errors.As(err, &pe):
		return pe.Error(), true
	case errors.Is(err, models.ErrInvalid):
		return strings.TrimPrefix(err.Error(), models.ErrInvalid.Error()+": "), true
	case errors.Is(err, models.ErrExists):
		return "That name is already taken: " + strings.TrimSuffix(err.Error(), ": "+models.ErrExists.Error()), true
	}
	return "", false
}

// withAuthor records the signed-in user as the author of repository
// changes made by this request.
func withAuthor(r *http.Request) *http.Request {
	if u := state(r).user; u != nil {
		return r.WithContext(models.WithAuthor(r.Context(), u.Username))
	}
	return r
}

func (s *Server) groupCrumbs(id string, self bool) []templates.Crumb {
	cs := []templates.Crumb{{Name: "Models", URL: s.prefix.URL("/models")}}
	parts := strings.Split(id, "/")
	for i := range parts {
		if i == len(parts)-1 && !self {
			break
		}
		gid := strings.Join(parts[:i+1], "/")
		name := parts[i]
		if g, err := s.models.Group(gid); err == nil {
			name = g.DisplayName
		} else if m, err := s.models.Model(gid); err == nil {
			name = m.DisplayName
		}
		url := s.groupURL(gid)
		if _, err := s.models.Model(gid); err == nil {
			url = s.modelURL(gid)
		}
		cs = append(cs, templates.Crumb{Name: name, URL: url})
	}
	return cs
}

func (s *Server) groupNode(g *models.Group, deep bool) templates.GroupNode {
	n := templates.GroupNode{ID: g.ID, URL: s.groupURL(g.ID), DisplayName: g.DisplayName,
		Description: g.Description, DisplayOrder: g.DisplayOrder}
	for _, c := range g.Groups {
		if deep {
			n.Groups = append(n.Groups, s.groupNode(c, true))
		} else {
			n.Groups = append(n.Groups, templates.GroupNode{ID: c.ID, URL: s.groupURL(c.ID), DisplayName: c.DisplayName, Description: c.Description, DisplayOrder: c.DisplayOrder})
		}
	}
	for _, m := range g.Models {
		n.Models = append(n.Models, s.modelRow(m))
	}
	return n
}

func (s *Server) modelRow(m *models.Model) templates.ModelRow {
	row := templates.ModelRow{ID: m.ID, URL: s.modelURL(m.ID), DisplayName: m.DisplayName,
		Description: m.Description, DisplayOrder: m.DisplayOrder, Files: len(m.Files)}
	for _, f := range m.Files {
		if len(f.Problems) > 0 {
			row.Problems++
		}
	}
	return row
}

func (s *Server) processRows(ms []models.ProcessMatch) []templates.ProcessRow {
	out := make([]templates.ProcessRow, 0, len(ms))
	for _, m := range ms {
		out = append(out, templates.ProcessRow{ProcessID: m.ProcessID, DisplayName: m.DisplayName,
			ModelID: m.ModelID, ModelURL: s.modelURL(m.ModelID), File: m.File, FileURL: s.fileURL(m.ModelID, m.File), Rank: m.Rank})
	}
	return out
}

// deletedItems lists the models and groups deleted from a group ("" the
// root), with links to restore them and to the history of their files.
func (s *Server) deletedItems(ctx context.Context, groupID string) ([]templates.DeletedItemView, error) {
	items, err := s.models.DeletedIn(ctx, groupID)
	if err != nil {
		return nil, err
	}
	out := make([]templates.DeletedItemView, 0, len(items))
	for _, d := range items {
		v := templates.DeletedItemView{ID: d.ID, Kind: d.Kind, DisplayName: d.DisplayName, When: d.When, Author: d.Author,
			RestoreURL: s.groupURL(d.ID) + "/restore"}
		if d.Kind == "model" {
			v.RestoreURL = s.modelURL(d.ID) + "/restore"
		}
		for _, f := range d.Files {
			row := templates.DeletedFileRow{Path: strings.TrimPrefix(strings.TrimPrefix(f.ModelID, d.ID)+"/"+f.File, "/"),
				When: f.Created, Author: f.Author, Action: f.Action, HistoryURL: s.fileURL(f.ModelID, f.File) + "/history"}
			if f.File == "process_group.json" {
				row.HistoryURL = s.groupURL(f.ModelID) + "/history"
			}
			v.Files = append(v.Files, row)
		}
		out = append(out, v)
	}
	return out, nil
}

func problemRows(ps []models.Problem) []templates.ProblemRow {
	out := make([]templates.ProblemRow, 0, len(ps))
	for _, p := range ps {
		out = append(out, templates.ProblemRow{File: p.File, Element: p.Element, Line: p.Line, Message: p.Message})
	}
	return out
}

// filterTree keeps the groups and models whose id or display name
// contains q, with the groups leading to them.
func filterTree(n templates.GroupNode, q string) (templates.GroupNode, bool) {
	if q == "" {
		return n, true
	}
	q = strings.ToLower(q)
	match := func(id, name string) bool {
		return strings.Contains(strings.ToLower(id), q) || strings.Contains(strings.ToLower(name), q)
	}
	out := n
	out.Groups, out.Models = nil, nil
	self := n.ID != "" && match(n.ID, n.DisplayName)
	if self {
		return n, true
	}
	for _, g := range n.Groups {
		if fg, ok := filterTree(g, q); ok {
			out.Groups = append(out.Groups, fg)
		}
	}
	for _, m := range n.Models {
		if match(m.ID, m.DisplayName) {
			out.Models = append(out.Models, m)
		}
	}
	return out, len(out.Groups) > 0 || len(out.Models) > 0
}

// flashRedirect shows msg on the next page and redirects there (POST,
// redirect, GET).
func (s *Server) flashRedirect(w http.ResponseWriter, r *http.Request, msg, to string) error {
	st := state(r)
	st.session.SetFlash(msg)
	if err := s.sessions.Save(w, r, st.session); err != nil {
		return err
	}
	redirect(w, r, to)
	return nil
}
