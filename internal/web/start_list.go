package web

import (
	"net/http"
	"strings"

	"github.com/waymark-bpm/waymark/internal/models"
	"github.com/waymark-bpm/waymark/internal/store"
	"github.com/waymark-bpm/waymark/web/templates"
)

// recentStartsShown is how many recently started models lead the page.
const recentStartsShown = 5

// startList is the "Start new" page: the models the user may start,
// grouped by process group, those they started recently first, filtered
// by ?q= (name, id, description or group). htmx asks for the results only
// while the user types.
func (s *Server) startList(w http.ResponseWriter, r *http.Request) error {
	b, err := s.base(w, r, "Start new", templates.SectionStart)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	v := templates.StartView{Base: b, Query: q, SearchURL: s.prefix.URL("/start")}
	byID := map[string]templates.StartModel{}
	var walk func(g *models.Group, path []string)
	walk = func(g *models.Group, path []string) {
		if g.ID != "" {
			path = append(path, g.DisplayName)
		}
		label := strings.Join(path, " / ")
		var row templates.StartGroup
		for _, m := range g.Models {
			// Only what the user may start is offered (the start route's
			// own rule).
			if m.PrimaryProcessID == "" || !startMatches(q, m, label) || !s.can(r, "create", "/process-instances/"+urlID(m.ID)) {
				continue
			}
			sm := templates.StartModel{ID: m.ID, Name: m.DisplayName, Description: m.Description, Group: label,
				URL: s.modelURL(m.ID), StartURL: s.modelURL(m.ID) + "/start"}
			byID[m.ID] = sm
			row.Models = append(row.Models, sm)
		}
		if len(row.Models) > 0 {
			row.ID, row.Name = g.ID, label
			if g.ID == "" {
				row.Name = "Top level"
			}
			v.Groups = append(v.Groups, row)
			v.Total += len(row.Models)
		}
		for _, c := range g.Groups {
			walk(c, path)
		}
	}
	walk(s.models.Tree(), nil)
	if s.work != nil && v.Total > 0 {
		// A failed read leaves the recent list off; the page still works.
		recent, err := s.work.RecentStarts(r.Context(), actor(r).Username, recentStartsShown*4)
		if err != nil {
			s.log.Warn("recent starts", "err", err)
		}
		v.Recent = s.recentStartRows(recent, byID)
	}
	return s.render(w, r, http.StatusOK, templates.StartPage(v), templates.StartResults(v))
}

// recentStartRows keeps the recent starts of models still on the page, in
// order, up to recentStartsShown.
func (s *Server) recentStartRows(recent []store.RecentStart, byID map[string]templates.StartModel) []templates.StartModel {
	var out []templates.StartModel
	for _, rs := range recent {
		m, ok := byID[rs.ModelID]
		if !ok {
			continue
		}
		m.LastStarted = rs.Last.Format("2006-01-02 15:04")
		out = append(out, m)
		if len(out) == recentStartsShown {
			break
		}
	}
	return out
}

// startMatches reports whether the model matches the search (every word,
// in its name, id, description or group, ignoring case).
func startMatches(q string, m *models.Model, group string) bool {
	if q == "" {
		return true
	}
	hay := strings.ToLower(m.DisplayName + "\n" + m.ID + "\n" + m.Description + "\n" + group)
	for _, word := range strings.Fields(strings.ToLower(q)) {
		if !strings.Contains(hay, word) {
			return false
		}
	}
	return true
}
