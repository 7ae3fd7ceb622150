package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// completeTask presses a manual task's button on its page and waits for
// next, a selector of the page the app sends the user to.
func completeTask(instance, task int, next string) chromedp.Action {
	form := fmt.Sprintf(`form[action="/tasks/%d/%d/complete"]`, instance, task)
	return chromedp.Tasks{
		chromedp.WaitVisible(form + ` button[type="submit"]`),
		chromedp.Click(form + ` button[type="submit"]`),
		chromedp.WaitVisible(next),
	}
}

// taskForm is the selector of a manual task's button.
func taskForm(instance, task int) string {
	return fmt.Sprintf(`form[action="/tasks/%d/%d/complete"] button[type="submit"]`, instance, task)
}

// TestEditDataAndRetryInBrowser: an instance fails in a script for want of
// a value; the operator enters it in the failed task's data on the
// instance page, retries, and the instance completes with it. The event
// log shows the change.
func TestEditDataAndRetryInBrowser(t *testing.T) {
	ta := startApp(t, repairVars(t))
	c := newChrome(t)
	c.signIn(t, ta.url, "olga", "olga-secret")
	c.run(t, chromedp.Navigate(ta.url+"/inbox"), chromedp.WaitVisible(`#inbox-results`))
	c.startModel(t, "ops:calc")
	c.run(t,
		// A failed start shows the instance.
		chromedp.WaitVisible(`#instance-error`),
		chromedp.Click(`tr[data-element="compute"] .task-data-edit summary`),
		chromedp.WaitVisible(`#task-data-2`),
		chromedp.SetValue(`#task-data-2`, `{"amount": 41}`),
		chromedp.Click(`tr[data-element="compute"] button[data-action="Save data"]`),
		chromedp.WaitVisible(`//table[contains(@class,"event-log")]//td[text()="data changed"]`, chromedp.BySearch),
	)
	var flash, log string
	c.run(t, chromedp.Text(`.flash`, &flash), chromedp.Text(`table.event-log`, &log))
	if !strings.Contains(flash, "Data of task 2 saved") {
		t.Errorf("flash after saving %q", flash)
	}
	if !strings.Contains(log, "data changed") || !strings.Contains(log, `"amount":41`) {
		t.Errorf("event log lacks the change: %q", log)
	}
	if *updateScreenshots {
		c.eval(t, `(() => { document.querySelector('tr[data-element="compute"] .task-data-edit').open = true;
			document.querySelector('.instance-tasks').scrollIntoView(); return true; })()`, nil)
	}
	shot(t, c, "instance-repair.png", "")
	c.run(t,
		chromedp.Click(`.actions button[data-action="Retry"]`),
		chromedp.WaitVisible(`#instance-status.status-completed`),
	)
	var data string
	c.eval(t, `document.querySelector('tr[data-element="compute"] pre.json').textContent`, &data)
	if !strings.Contains(data, `"total": 42`) {
		t.Errorf("compute's data after the retry: %s", data)
	}
}

// TestResetInBrowser: after two steps, the operator resets the instance to
// the first: it is ready again, the second is gone from the path and its
// task cancelled, and the instance goes on from there to completion.
func TestResetInBrowser(t *testing.T) {
	ta := startApp(t, repairVars(t))
	c := newChrome(t)
	c.signIn(t, ta.url, "olga", "olga-secret")
	c.run(t, chromedp.Navigate(ta.url+"/inbox"), chromedp.WaitVisible(`#inbox-results`))
	c.startModel(t, "ops:steps")
	c.run(t,
		completeTask(1, 2, taskForm(1, 3)),
		chromedp.Navigate(ta.url+"/instances/1"),
		chromedp.WaitVisible(`tr[data-element="second"][data-state="READY"]`),
		chromedp.Click(`tr[data-element="first"] button[data-action="Reset to here"]`),
		chromedp.WaitVisible(`tr[data-element="first"][data-state="READY"]`),
	)
	var flash string
	var second, path []string
	c.run(t, chromedp.Text(`.flash`, &flash))
	c.eval(t, `[...document.querySelectorAll('tr[data-element="second"]')].map(r => r.dataset.state)`, &second)
	c.eval(t, `[...document.querySelectorAll('#path-taken li')].map(li => li.dataset.element)`, &path)
	if !strings.Contains(flash, "reset to task 2") {
		t.Errorf("flash %q", flash)
	}
	if strings.Join(second, ",") != "CANCELLED" {
		t.Errorf("second's tasks %v, want one, cancelled", second)
	}
	if strings.Join(path, ",") != "start" {
		t.Errorf("path taken %v, want only start", path)
	}
	// The first step runs again as a new task; the instance goes on.
	c.run(t,
		chromedp.Click(`tr[data-element="first"][data-state="READY"] a`),
		completeTask(1, 4, taskForm(1, 5)),
		chromedp.Navigate(ta.url+"/instances/1"),
		chromedp.WaitVisible(`tr[data-element="second"][data-state="READY"]`),
		chromedp.Click(`tr[data-element="second"][data-state="READY"] a`),
		completeTask(1, 5, `#inbox-results`),
		chromedp.Navigate(ta.url+"/instances/1"),
		chromedp.WaitVisible(`#instance-status.status-completed`),
	)
}

// TestMigrateInBrowser: the model changes under a running instance (a
// script it passed is removed, a step is added after where it waits); the
// instance page says it does not fit the model, the dry run lists what
// stays as history, and after the migration the instance follows the new
// diagram.
func TestMigrateInBrowser(t *testing.T) {
	ta := startApp(t, repairVars(t))
	c := newChrome(t)
	c.signIn(t, ta.url, "olga", "olga-secret")
	c.run(t, chromedp.Navigate(ta.url+"/inbox"), chromedp.WaitVisible(`#inbox-results`))
	c.startModel(t, "ops:flow")
	c.run(t, chromedp.WaitVisible(taskForm(1, 3)))
	changeModel(t, ta, "flow", flowV2BPMN)
	var problem, removed string
	c.run(t,
		chromedp.Navigate(ta.url+"/instances/1"),
		chromedp.WaitVisible(`.flash.problem`),
		chromedp.Text(`.flash.problem`, &problem),
		chromedp.Click(`.actions a[data-action="Migrate"]`),
		chromedp.WaitVisible(`table.migration-plan`),
		chromedp.Text(`table.migration-plan ul.removed`, &removed),
	)
	if !strings.Contains(problem, "prep") {
		t.Errorf("instance page problem %q does not name prep", problem)
	}
	if !strings.Contains(removed, "prep") {
		t.Errorf("dry run %q does not list prep as history", removed)
	}
	shot(t, c, "instance-migrate.png", "")
	var flash string
	c.run(t,
		chromedp.Click(`button[data-action="Migrate"]`),
		chromedp.WaitVisible(`#instance-status`),
		chromedp.Text(`.flash`, &flash),
	)
	if !strings.Contains(flash, "migrated") {
		t.Errorf("flash after migrating %q", flash)
	}
	c.run(t,
		chromedp.Navigate(ta.url+"/tasks/1/3"),
		completeTask(1, 3, taskForm(1, 4)),
		chromedp.Navigate(ta.url+"/instances/1"),
		chromedp.WaitVisible(`tr[data-element="check"][data-state="READY"]`),
	)
}
