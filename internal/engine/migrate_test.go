package engine_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/waymark-bpm/waymark/internal/engine"
	"github.com/waymark-bpm/waymark/internal/engine/bpmn"
	"github.com/waymark-bpm/waymark/internal/engine/spec"
)

// migProcess is process p_mig with the given elements chained by flows.
func migProcess(t *testing.T, elements ...string) *spec.Library {
	t.Helper()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://waymark.test/mig">
<bpmn:process id="p_mig" isExecutable="true">`)
	prev := ""
	for i, el := range elements {
		b.WriteString(el)
		id := strings.SplitN(strings.SplitN(el, `id="`, 2)[1], `"`, 2)[0]
		if prev != "" {
			fmt.Fprintf(&b, `<bpmn:sequenceFlow id="f%d" sourceRef="%s" targetRef="%s"/>`, i, prev, id)
		}
		prev = id
	}
	b.WriteString(`</bpmn:process></bpmn:definitions>`)
	lib, err := bpmn.Parse(bpmn.Options{}, bpmn.File{Name: "mig.bpmn", Data: []byte(b.String())})
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

const (
	migStart  = `<bpmn:startEvent id="start"/>`
	migPrep   = `<bpmn:scriptTask id="prep"><bpmn:script>ready = True</bpmn:script></bpmn:scriptTask>`
	migReview = `<bpmn:userTask id="review" name="Review"/>`
	migCheck  = `<bpmn:userTask id="check" name="Check"/>`
	migEnd    = `<bpmn:endEvent id="end"/>`
)

// A model change removed a task the instance had passed and added one
// after where it waits: the instance no longer restores as it is; the
// dry run lists the removed task as history, migrating binds it to the new
// model, and it goes on along the new diagram.
func TestMigrateFollowsNewDiagram(t *testing.T) {
	env := engine.Env{Clock: &testClock{now: t0}}
	v1 := migProcess(t, migStart, migPrep, migReview, migEnd)
	in, err := engine.Start(v1, engine.StartOptions{Process: "p_mig"}, env)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := in.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	v2 := migProcess(t, migStart, migReview, migCheck, migEnd)
	if _, err := engine.Restore(v2, snap, env); !errors.Is(err, engine.ErrSnapshot) {
		t.Fatalf("plain restore on the changed model: %v, want ErrSnapshot", err)
	}
	plan, err := engine.PlanMigration(v2, snap, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Unmappable) != 0 || len(plan.Removed) != 1 || plan.Removed[0].ElementID != "prep" || !plan.Needed() {
		t.Fatalf("plan %+v, want prep removed and nothing unmappable", plan)
	}
	moved, _, err := engine.Migrate(v2, snap, env)
	if err != nil {
		t.Fatal(err)
	}
	// The migrated snapshot restores on the new model from now on.
	snap2, err := moved.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	moved, err = engine.Restore(v2, snap2, env)
	if err != nil {
		t.Fatalf("restore after migration: %v", err)
	}
	if again, err := engine.PlanMigration(v2, snap2, env); err != nil || again.Needed() {
		t.Fatalf("plan after migration %+v %v, want nothing to do", again, err)
	}
	completeNode(t, moved, "review", nil)
	wantLive(t, moved, "check:READY")
	completeNode(t, moved, "check", nil)
	if moved.Status() != engine.Done || moved.Data()["ready"] != true {
		t.Fatalf("status %v data %v, want done with the data of the removed task", moved.Status(), moved.Data())
	}
}

// A waiting task whose element is gone cannot be mapped: the dry run lists
// it and Migrate refuses.
func TestMigrateRefusesUnmappableWaitingTask(t *testing.T) {
	env := engine.Env{Clock: &testClock{now: t0}}
	v1 := migProcess(t, migStart, migPrep, migReview, migEnd)
	in, err := engine.Start(v1, engine.StartOptions{Process: "p_mig"}, env)
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := in.Snapshot()
	v3 := migProcess(t, migStart, migCheck, migEnd)
	plan, err := engine.PlanMigration(v3, snap, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Unmappable) != 1 || plan.Unmappable[0].ElementID != "review" || plan.Unmappable[0].State != "READY" {
		t.Fatalf("unmappable %+v, want the ready review task", plan.Unmappable)
	}
	if !strings.Contains(plan.Problem(), "review") {
		t.Errorf("problem %q does not name review", plan.Problem())
	}
	if _, _, err := engine.Migrate(v3, snap, env); !errors.Is(err, engine.ErrUnmappable) {
		t.Fatalf("migrate: %v, want ErrUnmappable", err)
	}
}

func TestMigrateUnchangedModelNeedsNothing(t *testing.T) {
	env := engine.Env{Clock: &testClock{now: t0}}
	v1 := migProcess(t, migStart, migPrep, migReview, migEnd)
	in, _ := engine.Start(v1, engine.StartOptions{Process: "p_mig"}, env)
	snap, _ := in.Snapshot()
	plan, err := engine.PlanMigration(v1, snap, env)
	if err != nil || plan.Needed() {
		t.Fatalf("plan %+v %v, want nothing needed", plan, err)
	}
}

// An element that still exists but can no longer hold the task waiting
// there (a user task that became a script task) cannot be mapped either.
func TestMigrateRefusesChangedWaitingElement(t *testing.T) {
	env := engine.Env{Clock: &testClock{now: t0}}
	v1 := migProcess(t, migStart, migPrep, migReview, migEnd)
	in, _ := engine.Start(v1, engine.StartOptions{Process: "p_mig"}, env)
	snap, _ := in.Snapshot()
	v2 := migProcess(t, migStart, migPrep, `<bpmn:scriptTask id="review"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>`, migEnd)
	plan, err := engine.PlanMigration(v2, snap, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Unmappable) != 1 || plan.Unmappable[0].ElementID != "review" || !strings.Contains(plan.Unmappable[0].Message, "scriptTask") {
		t.Fatalf("unmappable %+v, want review, now a script task", plan.Unmappable)
	}
	if _, _, err := engine.Migrate(v2, snap, env); !errors.Is(err, engine.ErrUnmappable) {
		t.Fatalf("migrate: %v, want ErrUnmappable", err)
	}
}
