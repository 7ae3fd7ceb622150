package runner

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResolveOwners(t *testing.T) {
	owners := func(list ...any) map[string]any {
		return map[string]any{"lane_owners": map[string]any{"reviewers": list}}
	}
	cases := []struct {
		name       string
		lane       string
		data       map[string]any
		keys       []string
		group      string
		waitingFor string
		note       bool
	}{
		{name: "no lane: the starter", lane: "", keys: []string{"user:sam"}, waitingFor: "sam"},
		{name: "blank lane: the starter", lane: "  ", keys: []string{"user:sam"}, waitingFor: "sam"},
		{name: "process initiator lane", lane: "Process Initiator", keys: []string{"user:sam"}, waitingFor: "sam"},
		{name: "process_initiator lane", lane: "process_initiator", keys: []string{"user:sam"}, waitingFor: "sam"},
		{name: "a lane named just Initiator is a group, as in SpiffArena", lane: "Initiator", keys: []string{"group:Initiator"}, group: "Initiator", waitingFor: "Initiator"},
		{name: "lane is the group", lane: "reviewers", keys: []string{"group:reviewers"}, group: "reviewers", waitingFor: "reviewers"},
		{name: "lane_owners for another lane leaves the group", lane: "reviewers",
			data: map[string]any{"lane_owners": map[string]any{"finance": []any{"fay"}}},
			keys: []string{"group:reviewers"}, group: "reviewers", waitingFor: "reviewers"},
		{name: "lane_owners names users, emails and groups", lane: "reviewers", data: owners("carol", " Dave@Example.com ", "group:auditors"),
			keys: []string{"group:auditors", "user:carol", "user:dave@example.com"}, waitingFor: "carol, dave@example.com, group auditors"},
		{name: "lane_owners with emails only", lane: "reviewers", data: owners("ann@example.com", "BEN@example.com"),
			keys: []string{"user:ann@example.com", "user:ben@example.com"}, waitingFor: "ann@example.com, ben@example.com"},
		{name: "duplicates are kept once", lane: "reviewers", data: owners("carol", "carol"),
			keys: []string{"user:carol"}, waitingFor: "carol, carol"},
		{name: "empty lane_owners list falls back to the group, with a note", lane: "reviewers", data: owners(),
			keys: []string{"group:reviewers"}, group: "reviewers", waitingFor: "reviewers", note: true},
		{name: "lane_owners of blanks and non-strings falls back too", lane: "reviewers", data: owners("", 42, nil),
			keys: []string{"group:reviewers"}, group: "reviewers", waitingFor: "reviewers", note: true},
		{name: "lane_owners that is not a list is ignored", lane: "reviewers",
			data: map[string]any{"lane_owners": map[string]any{"reviewers": "carol"}},
			keys: []string{"group:reviewers"}, group: "reviewers", waitingFor: "reviewers"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := resolveOwners(c.lane, c.data, "sam")
			if diff := cmp.Diff(c.keys, o.keys); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
			if o.group != c.group || o.waitingFor != c.waitingFor {
				t.Errorf("group %q, waiting for %q; want %q, %q", o.group, o.waitingFor, c.group, c.waitingFor)
			}
			if got := o.note != ""; got != c.note {
				t.Errorf("note %q, want one: %v", o.note, c.note)
			}
		})
	}
}
