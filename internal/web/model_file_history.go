package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/waymark-bpm/waymark/internal/models"
	"github.com/waymark-bpm/waymark/web/templates"
)

// modelFileHistory lists every saved version of a file (who, when, size,
// hash). It works for deleted files, and for files of deleted models, so
// they can be restored.
func (s *Server) modelFileHistory(w http.ResponseWriter, r *http.Request) error {
	return s.renderHistory(w, r, s.fileSubject(r))
}

// historySubject is a file with a history: a file of a model (which may be
// gone) or a group's process_group.json. The history pages, compare and
// restore work the same for both.
type historySubject struct {
	owner, name string
	// url is where the subject's pages hang: its history is url+"/history".
	url string
	// current is the page showing the file as it is now; "" when it is
	// gone, and gone then says what restoring brings back.
	current string
	gone    string
	// subject says whose file it is, for the page.
	subject string
	crumbs  []templates.Crumb
}

func (h historySubject) historyURL() string { return h.url + "/history" }

func (h historySubject) versionURL(v int) string {
	return fmt.Sprintf("%s/history/%d", h.url, v)
}

// fileSubject is the file {name} of the model {id}, which may be gone.
func (s *Server) fileSubject(r *http.Request) historySubject {
	id, name := pathID(r), r.PathValue("name")
	h := historySubject{owner: id, name: name, url: s.fileURL(id, name)}
	m, err := s.models.Model(id)
	if err != nil {
		h.subject = "A file of the process model " + id + ", which no longer exists."
		h.gone = "The model “" + id + "” no longer exists. Restoring a version of this file brings the model back with its last recorded settings (process_model.json), then the file; the other files stay in their own histories (or restore the whole model from the page of its group)."
		if name == "process_model.json" {
			h.gone = "The model “" + id + "” no longer exists. Restoring a version of its settings brings the model back, without its files (restore those from their histories, or the whole model from the page of its group)."
		}
		h.crumbs = append(s.groupCrumbs(id, false),
			templates.Crumb{Name: lastSegment(id) + " (deleted)", URL: s.fileURL(id, "process_model.json") + "/history"},
			templates.Crumb{Name: name, URL: h.historyURL()})
		return h
	}
	h.subject = "A file of the process model “" + m.DisplayName + "”."
	h.crumbs = s.fileCrumbs(m, name)
	if s.models.HasCurrent(id, name) {
		h.current = s.fileURL(id, name)
	} else {
		h.gone = "This file no longer exists. Restoring a version brings it back."
	}
	return h
}

// groupSubject is the process_group.json of the group {id}, which may be
// gone.
func (s *Server) groupSubject(r *http.Request) (historySubject, error) {
	id := pathID(r)
	if id == "" {
		return historySubject{}, errPageNotFound
	}
	h := historySubject{owner: id, name: "process_group.json", url: s.groupURL(id)}
	g, err := s.models.Group(id)
	if err != nil {
		h.subject = "The settings of the process group " + id + ", which no longer exists."
		h.gone = "The group “" + id + "” no longer exists. Restoring a version of its settings brings the group back, empty (restore its models and groups from the page of the group above)."
		h.crumbs = append(s.groupCrumbs(id, false), templates.Crumb{Name: lastSegment(id) + " (deleted)", URL: h.historyURL()})
		return h, nil
	}
	h.subject = "The settings of the process group “" + g.DisplayName + "”."
	h.crumbs = s.groupCrumbs(id, true)
	if s.models.HasCurrent(id, h.name) {
		h.current = s.groupURL(id)
	} else {
		h.gone = "The group has no process_group.json now. Restoring a version writes it back."
	}
	return h, nil
}

// renderHistory shows the versions of a subject, with a form to compare
// any two of them or one with the current file.
func (s *Server) renderHistory(w http.ResponseWriter, r *http.Request, h historySubject) error {
	versions, err := s.models.History(r.Context(), h.owner, h.name)
	if err != nil {
		return err
	}
	if len(versions) == 0 && h.current == "" {
		return errPageNotFound
	}
	b, err := s.base(w, r, "History of "+h.name, templates.SectionModels)
	if err != nil {
		return err
	}
	v := templates.FileHistoryView{Base: b, ModelID: h.owner, Name: h.name, Subject: h.subject,
		CurrentURL: h.current, Gone: h.gone, CompareURL: h.historyURL() + "/compare", Crumbs: h.crumbs}
	for _, ver := range versions {
		v.Versions = append(v.Versions, s.versionRow(h, ver))
	}
	return s.render(w, r, http.StatusOK, templates.FileHistoryPage(v), nil)
}

// renderVersion shows one version of a subject, or with ?against=N the
// line diff from version N to it, or with ?against=current (or 0) the diff
// from it to the current file.
func (s *Server) renderVersion(w http.ResponseWriter, r *http.Request, h historySubject) error {
	version, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || version < 1 {
		return errPageNotFound
	}
	ver, err := s.models.VersionContent(r.Context(), h.owner, h.name, version)
	if err != nil {
		return err
	}
	v := templates.VersionView{ModelID: h.owner, Name: h.name, Version: s.versionRow(h, ver), Crumbs: h.crumbs}
	if h.url == s.groupURL(h.owner) {
		v.Can = templates.Can{Update: s.can(r, "update", "/process-groups/"+urlID(h.owner))}
	} else {
		v.Can = s.fileCan(r, h.owner, h.name)
	}
	if h.current != "" {
		v.CompareCurrentURL = h.versionURL(version) + "?against=current"
	}
	switch a := r.URL.Query().Get("against"); a {
	case "":
		v.Content = string(ver.Content)
	case "current", "0": // version 0 is the file as it is now
		if h.current == "" {
			return errPageNotFound
		}
		if err := s.diffInto(r, h, &v, version, 0); err != nil {
			return err
		}
		v.DiffTitle = fmt.Sprintf("Changes from version %d to the current file", version)
		v.CompareCurrentURL = ""
	default:
		against, err := strconv.Atoi(a)
		if err != nil || against < 1 {
			return errPageNotFound
		}
		if err := s.diffInto(r, h, &v, against, version); err != nil {
			return err
		}
		v.DiffTitle = fmt.Sprintf("Changes from version %d to version %d", against, version)
	}
	b, err := s.base(w, r, h.name+" version "+strconv.Itoa(version), templates.SectionModels)
	if err != nil {
		return err
	}
	v.Base = b
	return s.render(w, r, http.StatusOK, templates.VersionPage(v), nil)
}

func (s *Server) diffInto(r *http.Request, h historySubject, v *templates.VersionView, from, to int) error {
	lines, err := s.models.Diff(r.Context(), h.owner, h.name, from, to)
	if err != nil {
		return err
	}
	v.Compared = true
	for _, l := range lines {
		v.Diff = append(v.Diff, templates.DiffRow{Op: string(l.Op), Text: l.Text, OldLine: l.OldLine, NewLine: l.NewLine})
	}
	return nil
}

// redirectCompare answers the history page's compare form
// (?from=N&to=M, M a version or "current") with the version page that
// shows that diff.
func (s *Server) redirectCompare(w http.ResponseWriter, r *http.Request, h historySubject) error {
	q := r.URL.Query()
	from, err := strconv.Atoi(q.Get("from"))
	if err != nil || from < 1 {
		return errPageNotFound
	}
	to := q.Get("to")
	if to == "current" {
		redirect(w, r, h.versionURL(from)+"?against=current")
		return nil
	}
	n, err := strconv.Atoi(to)
	if err != nil || n < 1 {
		return errPageNotFound
	}
	// The version page shows the later version, compared with the earlier.
	if n < from {
		from, n = n, from
	}
	redirect(w, r, fmt.Sprintf("%s?against=%d", h.versionURL(n), from))
	return nil
}

// restoreVersion writes a saved version back as the subject's content (a
// new version in the history), bringing back what it belongs to when that
// is gone.
func (s *Server) restoreVersion(w http.ResponseWriter, r *http.Request, h historySubject) error {
	r = withAuthor(r)
	version, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || version < 1 {
		return errPageNotFound
	}
	isGroup := h.name == "process_group.json" && !s.isModel(h.owner)
	wasGone := !s.isModel(h.owner)
	if isGroup {
		_, err := s.models.Group(h.owner)
		wasGone = err != nil
	}
	res, err := s.models.Restore(r.Context(), h.owner, h.name, version)
	if err != nil {
		if msg, ok := userMessage(err); ok {
			return s.flashRedirect(w, r, "Not restored: "+msg, h.historyURL())
		}
		return err
	}
	msg := fmt.Sprintf("Version %d restored.", version)
	switch {
	case wasGone && isGroup:
		msg += " The group “" + h.owner + "” is back."
	case wasGone && h.name == "process_model.json":
		msg += " The model “" + h.owner + "” is back, without its files."
	case wasGone:
		msg += " The model “" + h.owner + "” is back with its last recorded settings."
	}
	if len(res.Problems) > 0 {
		msg += fmt.Sprintf(" It has %d problems today; see below.", len(res.Problems))
	}
	to := s.fileURL(h.owner, h.name)
	if isGroup {
		to = s.groupURL(h.owner)
	}
	return s.flashRedirect(w, r, msg, to)
}

func (s *Server) isModel(id string) bool {
	_, err := s.models.Model(id)
	return err == nil
}

func (s *Server) fileCrumbs(m *models.Model, name string) []templates.Crumb {
	return append(s.groupCrumbs(m.ID, false),
		templates.Crumb{Name: m.DisplayName, URL: s.modelURL(m.ID)},
		templates.Crumb{Name: name, URL: s.fileURL(m.ID, name)})
}

func (s *Server) versionRow(h historySubject, v models.Version) templates.VersionRow {
	return templates.VersionRow{Version: v.Version, Author: v.Author, Action: v.Action, Size: v.Size,
		SHA256: v.SHA256, Created: v.Created, URL: h.versionURL(v.Version)}
}

// lastSegment returns the last segment of a group or model id.
func lastSegment(id string) string {
	return id[lastSlash(id)+1:]
}
