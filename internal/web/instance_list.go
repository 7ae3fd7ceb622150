package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/waymark-bpm/waymark/internal/store"
	"github.com/waymark-bpm/waymark/web/templates"
)

const instancePageSize = 50

var instanceStatuses = []string{store.StatusRunning, store.StatusCompleted, store.StatusError, store.StatusSuspended, store.StatusTerminated}

// instanceList lists process instances with filters and paging. Users with
// read on every instance (/process-instances) see them all, those with read
// on one model's instances see them all when the list is filtered to that
// model; otherwise the list holds the instances the user started or holds a
// task in.
func (s *Server) instanceList(w http.ResponseWriter, r *http.Request) error {
	b, err := s.base(w, r, "Instances", templates.SectionInstances)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	v := templates.InstancesView{Base: b, Statuses: instanceStatuses, Page: pageParam(r)}
	v.Filter = templates.InstanceFilter{Model: q.Get("model"), Status: q.Get("status"), StartedBy: q.Get("started_by"),
		After: q.Get("after"), Before: q.Get("before"), MetaKey: q.Get("meta_key"), MetaValue: q.Get("meta_value"),
		Waiting: q.Get("waiting"), WaitingName: strings.TrimSpace(q.Get("waiting_name"))}
	switch v.Filter.Waiting {
	case "", "task", "timer", "message", "signal":
	default:
		return fmt.Errorf("waiting=%q is not one of task, timer, message, signal: %w", v.Filter.Waiting, errBadRequest)
	}
	if v.Filter.Status != "" && !slices.Contains(instanceStatuses, v.Filter.Status) {
		return fmt.Errorf("status=%q is not one of %s: %w", v.Filter.Status, strings.Join(instanceStatuses, ", "), errBadRequest)
	}
	f := store.InstanceFilter{ModelID: modelIDFromURL(strings.TrimSpace(v.Filter.Model)), Status: v.Filter.Status, StartedBy: strings.TrimSpace(v.Filter.StartedBy),
		MetadataKey: strings.TrimSpace(v.Filter.MetaKey), MetadataValue: v.Filter.MetaValue,
		WaitingFor: v.Filter.Waiting, WaitingName: v.Filter.WaitingName,
		Limit: instancePageSize, Offset: (v.Page - 1) * instancePageSize}
	if f.StartedAfter, err = dateParam(r, "after", false); err != nil {
		return err
	}
	if f.StartedBefore, err = dateParam(r, "before", true); err != nil {
		return err
	}
	a := actor(r)
	// Filtered to one model, read on that model's instances shows
	// everyone's, as it does for each instance's page.
	if !a.Admin && !(f.ModelID != "" && s.can(r, "read", "/process-instances/"+urlID(f.ModelID))) {
		viewer := a.Viewer()
		f.VisibleTo = &viewer
	}
	if s.work != nil {
		rows, total, err := s.work.Instances(r.Context(), f)
		if err != nil {
			return err
		}
		v.Total = total
		// The columns are the metadata keys of every matching instance,
		// so paging does not change them.
		cols, err := s.work.InstanceMetadataKeys(r.Context(), f)
		if err != nil {
			return err
		}
		v.Columns = cols
		for _, in := range rows {
			row := templates.InstanceRow{ID: in.ID, URL: s.prefix.URL(fmt.Sprintf("/instances/%d", in.ID)), Model: in.ModelID,
				Process: in.ProcessName, Status: in.Status, StartedBy: in.StartedBy, Started: in.StartedAt.Format("2006-01-02 15:04")}
			if !in.EndedAt.IsZero() {
				row.Ended = in.EndedAt.Format("2006-01-02 15:04")
			}
			for _, c := range cols {
				row.Metadata = append(row.Metadata, metadataText(in.Metadata[c]))
			}
			v.Rows = append(v.Rows, row)
		}
	}
	v.Pages = (v.Total + instancePageSize - 1) / instancePageSize
	if v.Page > 1 {
		v.PrevURL = s.listURL("/instances", q, v.Page-1)
	}
	if v.Page < v.Pages {
		v.NextURL = s.listURL("/instances", q, v.Page+1)
	}
	return s.render(w, r, http.StatusOK, templates.InstancesPage(v), nil)
}

// metadataText shows a metadata value (JSON): strings without quotes,
// null as nothing.
func metadataText(js string) string {
	switch {
	case js == "" || js == "null":
		return ""
	case strings.HasPrefix(js, `"`):
		if s, err := strconv.Unquote(js); err == nil {
			return s
		}
	}
	return js
}

func (s *Server) listURL(path string, q url.Values, page int) string {
	c := url.Values{}
	for k, vs := range q {
		if k != "page" && len(vs) > 0 && vs[0] != "" {
			c.Set(k, vs[0])
		}
	}
	if page > 1 {
		c.Set("page", strconv.Itoa(page))
	}
	u := s.prefix.URL(path)
	if enc := c.Encode(); enc != "" {
		u += "?" + enc
	}
	return u
}
