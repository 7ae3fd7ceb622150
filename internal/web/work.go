package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/waymark-bpm/waymark/internal/runner"
	"github.com/waymark-bpm/waymark/internal/store"
)

// Work is what the inbox and instance pages read straight from the store.
// Changes go through the runner.
type Work interface {
	// Inbox is a page of an inbox view, its total (for filtered and
	// completed views possibly a lower bound) and whether a page follows.
	Inbox(ctx context.Context, q store.InboxQuery) (store.InboxResult, error)
	InboxCounts(ctx context.Context, v store.Viewer, groups []string) (map[string]int, error)
	// InboxBadge is the size of the viewer's "ready for me" view, from
	// counts the store keeps.
	InboxBadge(ctx context.Context, v store.Viewer) (int, error)
	FailedInstancesFor(ctx context.Context, username string, limit, offset int) ([]store.Instance, int, error)
	InstanceHeader(ctx context.Context, id int64) (store.Instance, error)
	RecentStarts(ctx context.Context, username string, limit int) ([]store.RecentStart, error)
	TaskCandidates(ctx context.Context, tasks []store.TaskKey) (map[store.TaskKey]int, error)
	Instances(ctx context.Context, f store.InstanceFilter) ([]store.Instance, int, error)
	InstanceMetadataKeys(ctx context.Context, f store.InstanceFilter) ([]string, error)
	TaskFile(ctx context.Context, instanceID int64, digest string) (store.TaskFile, error)
	InstanceTaskFiles(ctx context.Context, instanceID int64) ([]store.TaskFile, error)
	// InstanceHumanTasks finds a task by its element (taskShow).
	InstanceHumanTasks(ctx context.Context, instanceID int64) ([]store.HumanTask, error)
	// Instance is read by the access check, for the instance's model.
	Instance(ctx context.Context, id int64) (store.Instance, error)
}

// actor is the signed-in user as the runner sees them. The runner's Admin
// (others' instances and tasks) comes from the route's permissions.
func actor(r *http.Request) runner.Actor {
	st := state(r)
	u := st.user
	if u == nil {
		return runner.Actor{}
	}
	return runner.Actor{Username: u.Username, Email: u.Email, Groups: u.Groups, Admin: st.elevated}
}

// instanceTaskIDs reads {instance} and {task} from the path.
func instanceTaskIDs(r *http.Request) (int64, int, error) {
	id, err := strconv.ParseInt(r.PathValue("instance"), 10, 64)
	if err != nil || id <= 0 {
		return 0, 0, fmt.Errorf("instance id %q: %w", r.PathValue("instance"), errPageNotFound)
	}
	task, err := strconv.Atoi(r.PathValue("task"))
	if err != nil || task <= 0 {
		return 0, 0, fmt.Errorf("task id %q: %w", r.PathValue("task"), errPageNotFound)
	}
	return id, task, nil
}

// instanceID reads {id} from the path.
func instanceID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("instance id %q: %w", r.PathValue("id"), errPageNotFound)
	}
	return id, nil
}

// modelIDFromURL turns a model id as URLs carry it (':' for '/') back.
func modelIDFromURL(s string) string { return strings.ReplaceAll(s, ":", "/") }

// dateParam reads a date (2006-01-02) or date-time query parameter; a bad
// value is a bad request naming the parameter.
func dateParam(r *http.Request, name string, endOfDay bool) (time.Time, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		if endOfDay {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s=%q is not a date like 2025-03-01: %w", name, v, errBadRequest)
}

// pageParam reads ?page= (1-based).
func pageParam(r *http.Request) int {
	p, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || p < 1 {
		return 1
	}
	return p
}
