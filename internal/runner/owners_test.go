package runner

import (
	"slices"
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

// mayAct answers what matching the task's owners against Actor.Keys
// answers, without building the keys.
func TestMayActMatchesActorKeys(t *testing.T) {
	actors := []Actor{
		{Username: "ann"},
		{Username: "ann", Email: "Ann.Lee@Example.org", Groups: []string{"approvers", "staff"}},
		{Username: "bob", Groups: []string{"finance"}},
		{Username: "", Groups: []string{""}},
	}
	owners := [][]string{
		nil,
		{"user:ann"},
		{"user:bob", "group:staff"},
		{"user:ann.lee@example.org"},
		{"user:Ann.Lee@Example.org"},
		{"group:finance"},
		{"group:approvers2", "user:anna", "ann", "approvers"},
		{"user:"},
		{"group:"},
	}
	viaKeys := func(a Actor, o []string) bool {
		for _, k := range a.Keys() {
			if slices.Contains(o, k) {
				return true
			}
		}
		return false
	}
	allowed := 0
	for _, a := range actors {
		for _, o := range owners {
			want := viaKeys(a, o)
			if got := mayAct(a, o); got != want {
				t.Errorf("mayAct(%+v, %q) = %v, want %v", a, o, got, want)
			}
			if want {
				allowed++
			}
		}
	}
	if allowed == 0 {
		t.Fatal("no case allows: the table tests nothing")
	}
}
