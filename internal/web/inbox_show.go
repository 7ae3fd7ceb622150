package web

import (
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"

	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
	"github.com/waymark-bpm/waymark/web/templates"
)

// inboxPageSize is how many tasks one inbox page lists.
const inboxPageSize = 25

// inboxShow shows one view of the user's tasks with filters and paging.
// htmx polls it for the results fragment, so the list stays current
// without a reload.
func (s *Server) inboxShow(w http.ResponseWriter, r *http.Request) error {
	b, err := s.base(w, r, "Inbox", templates.SectionInbox)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	v := templates.InboxView{Base: b, View: q.Get("view"), Page: pageParam(r)}
	if v.View == "" {
		v.View = store.InboxMine
	}
	v.Filter = templates.InboxFilter{Process: q.Get("process"), Group: q.Get("group"), After: q.Get("after"), Before: q.Get("before"), Text: q.Get("q")}
	a := actor(r)
	v.Groups = a.Groups
	// next says whether a page follows: the task views know it from their
	// query, as their total may be a lower bound.
	next := false
	if s.work != nil {
		var err error
		if v.Counts, err = s.work.InboxCounts(r.Context(), a.Viewer(), a.Groups); err != nil {
			return err
		}
		// Other views need the failed count only, for the tab.
		limit, offset := 0, 0
		if v.View == templates.InboxFailed {
			limit, offset = inboxPageSize, (v.Page-1)*inboxPageSize
		}
		failed, nFailed, err := s.work.FailedInstancesFor(r.Context(), a.Username, limit, offset)
		if err != nil {
			return err
		}
		v.Counts[templates.InboxFailed] = nFailed
		if v.View == templates.InboxFailed {
			v.Total = nFailed
			next = v.Page*inboxPageSize < nFailed
			for _, in := range failed {
				v.Failed = append(v.Failed, s.failedInstance(in))
			}
		} else {
			query, err := inboxQuery(r, a, inboxPageSize)
			if err != nil {
				return err
			}
			res, err := s.work.Inbox(r.Context(), query)
			if err != nil {
				return fmt.Errorf("inbox: %w: %w", err, errBadRequest)
			}
			v.Total, v.TotalAtLeast, next = res.Total, res.AtLeast, res.Next
			for _, t := range res.Tasks {
				v.Tasks = append(v.Tasks, s.inboxTask(t, a.Username, v.View))
			}
			if err := s.claimOnlyWhenShared(r, v.Tasks); err != nil {
				return err
			}
		}
	}
	for i, t := range v.Tasks {
		oq := maps.Clone(q)
		oq.Set("open", fmt.Sprintf("%d-%d", t.InstanceID, t.TaskID))
		v.Tasks[i].OpenURL = s.listURL("/inbox", oq, v.Page)
	}
	if open := q.Get("open"); open != "" && !isFragmentRequest(r) {
		s.openTask(r, &v, open)
	}
	v.Pages = (v.Total + inboxPageSize - 1) / inboxPageSize
	v.PollURL = s.listURL("/inbox", q, v.Page)
	v.TabURLs = map[string]string{}
	for _, tab := range templates.InboxViews {
		tq := maps.Clone(q)
		tq.Set("view", tab.Key)
		v.TabURLs[tab.Key] = s.listURL("/inbox", tq, 1)
	}
	if v.Page > 1 {
		v.PrevURL = s.listURL("/inbox", q, v.Page-1)
	}
	if next {
		v.NextURL = s.listURL("/inbox", q, v.Page+1)
	}
	v.FormsScript = s.asset("js/forms.js")
	return s.render(w, r, http.StatusOK, templates.InboxPage(v), templates.InboxRefresh(v))
}

// inboxQuery reads an inbox view, its filters and its page from the query
// string (view, process, group, after, before, q, page), for the page and
// the JSON API alike.
func inboxQuery(r *http.Request, a runner.Actor, pageSize int) (store.InboxQuery, error) {
	q := r.URL.Query()
	query := store.InboxQuery{View: q.Get("view"), Viewer: a.Viewer(), Groups: a.Groups,
		Process: modelIDFromURL(strings.TrimSpace(q.Get("process"))), Group: strings.TrimSpace(q.Get("group")), Text: q.Get("q"),
		Limit: pageSize, Offset: (pageParam(r) - 1) * pageSize}
	if query.View == "" {
		query.View = store.InboxMine
	}
	var err error
	if query.StartedAfter, err = dateParam(r, "after", false); err != nil {
		return query, err
	}
	if query.StartedBefore, err = dateParam(r, "before", true); err != nil {
		return query, err
	}
	return query, nil
}

// failedInstance is one row of the inbox's failed view.
func (s *Server) failedInstance(in store.Instance) templates.FailedInstance {
	return templates.FailedInstance{
		URL: s.prefix.URL(fmt.Sprintf("/instances/%d", in.ID)), ID: in.ID, Process: in.ProcessName, ModelID: in.ModelID,
		StartedBy: in.StartedBy, Element: in.ErrorElement, Message: in.ErrorMessage, At: in.UpdatedAt.Format("2006-01-02 15:04"),
	}
}

func (s *Server) inboxTask(t store.HumanTask, me, view string) templates.InboxTask {
	base := fmt.Sprintf("/tasks/%d/%d", t.InstanceID, t.TaskID)
	it := templates.InboxTask{
		URL: s.prefix.URL(base), InstanceURL: s.prefix.URL(fmt.Sprintf("/instances/%d", t.InstanceID)),
		InstanceID: t.InstanceID, TaskID: t.TaskID, Name: t.Name, Process: t.ProcessName, ModelID: t.ModelID,
		WaitingFor: t.WaitingFor, ClaimedBy: t.ClaimedBy, StartedBy: t.InstanceStartedBy,
		Created: t.CreatedAt.Format("2006-01-02 15:04"), CompletedBy: t.CompletedBy,
	}
	if !t.CompletedAt.IsZero() {
		it.CompletedAt = t.CompletedAt.Format("2006-01-02 15:04")
	}
	if t.State == store.TaskOpen && view != store.InboxStarted {
		switch t.ClaimedBy {
		case "":
			if view == store.InboxMine {
				it.ClaimURL = s.prefix.URL(base + "/claim")
			}
		case me:
			it.ReleaseURL = s.prefix.URL(base + "/release")
		}
	}
	return it
}

// openTask puts the task named by ?open=instance-task beside the inbox's
// list (the address htmx pushes when a task is opened there, so reload and
// back show it again). A task the user may not see, or that is gone, is
// not shown, with the reason.
func (s *Server) openTask(r *http.Request, v *templates.InboxView, open string) {
	a, b, ok := strings.Cut(open, "-")
	instance, err1 := strconv.ParseInt(a, 10, 64)
	task, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || instance <= 0 || task <= 0 {
		v.OpenProblem = fmt.Sprintf("open=%q does not name a task (instance-task, like 12-3).", open)
		return
	}
	page, err := s.runner.Task(r.Context(), actor(r), instance, task)
	if err != nil {
		s.log.Info("inbox: task not opened", "instance", instance, "task", task, "err", err)
		v.OpenProblem = fmt.Sprintf("Task %d of instance %d is not one of yours, or no longer exists.", task, instance)
		return
	}
	tv, form := s.taskViewWith(v.Base, r, page)
	// The inbox page loads the forms' script itself.
	tv.FormsScript = ""
	if form != nil {
		if !page.CanComplete {
			form = form.ReadOnly()
		}
		tv.Form.Form = form
	}
	v.Open = &tv
}
